-- Isolation: components that touch other components' memory fault, on MMU
-- and MPU machines alike (x86_64, Cortex-A9, the v7-M MPU of a Cortex-M7,
-- the v8-M MPU of an ARMv8-M Cortex-M33), and the fault reaches the trace
--
-- A task invokes `probe`, a component (components/implementation/test/
-- rogue) that touches its own memory, which works, and then the first
-- bytes of the app component's memory, where the scheduler's state lies:
-- the probe's address space (page table, or MPU regions) has no mapping
-- there, so the kernel turns the access into a fault (a k.fault event
-- naming the probe's component and the address) and the probe counts it.
-- The probe then invokes `peer` (granted to it: sys:grant), another such
-- component aimed at its own memory, which it reaches: the faults are
-- isolation, not a broken probe.  By hand, per machine: every job calls the
-- probe once, so calls = jobs, and every call faults once on the app's
-- memory and reaches the peer once: faults = reached = the kernel's faults
-- = jobs; the jobs go on (a fault is an error returned, not a crash).  The
-- machines run side by side, each from its own start: about 10 jobs each
-- (the first booted runs a little longer).
sim.params{}     -- no parameters: any --set is an error
local presets = { "x86_64", "cortex-a9", "cortex-m7", "cortex-m33" }
local systems, out = {}, {}
for _, preset in ipairs(presets) do
  local sys = system{ machine = machine{ preset = preset, cores = 1 }, policy = "fp" }
  sys:component{ name = "probe", image = "rogue", args = { target = "app", len = 8 } }
  sys:component{ name = "peer", image = "rogue", args = { target = "peer", len = 8 } }
  sys:grant{ from = "probe", to = "peer", name = "next" }
  sys:task{ name = "t", priority = 1, period = "1ms", body = { {"compute", "10us"}, {"invoke", "probe"} } }
  systems[preset] = sys
end
-- the machines run side by side: boot each (run(0)), then run them all
for _, preset in ipairs(presets) do systems[preset]:run(0) end
systems[presets[#presets]]:run("10ms")
for _, preset in ipairs(presets) do
  local sys = systems[preset]
  local r = sys:results()
  out[preset] = { jobs = r.tasks[1].jobs, probe = r.components.probe, peer = r.components.peer,
                  faults = sys:kernel():stats().faults }
  print(string.format("%-10s %d jobs; probe: %d calls, %d faults, own memory %d; peer: %d reached; kernel faults %d",
                      preset, out[preset].jobs, out[preset].probe.calls, out[preset].probe.faults,
                      out[preset].probe.own_ok, out[preset].peer.reached, out[preset].faults))
end
return out
