-- Interrupt threads: a burst of device interrupts, handled at the highest priority or under a bounded tcap
--
-- A NIC raises 200 interrupts 25 us apart (a 5 ms burst starting 12 ms into
-- the run); each costs 20 us of handling in its interrupt thread, so the
-- burst asks for 80% of the core.  Two tasks run beside it under fixed
-- priority:  control (priority 2, 300 us every 1 ms) and logger (priority 3,
-- 2 ms every 10 ms).
--
--  unbounded  the interrupt thread runs at priority 1 with an infinite
--             budget (interrupt handling above every task): during the burst
--             control gets 20% of the core and misses deadlines.
--  bounded    the same thread under a temporal capability of 200 us per
--             1 ms: its budget runs out, the kernel stops it and control
--             runs; the interrupts wait and are handled later.  Control
--             needs 300 us + 200 us of interference per 1 ms: it meets them.
--
-- (The interrupt-management argument of Composite's temporal capabilities:
-- Gadepalli et al., RTSS 2017.)  --set span=30ms.
local p = sim.params{
  preset = { "x86_64", "machine preset (cossim machines)" },
  span   = { "30ms", "simulated time to run" },
}
local report = require("report")

local span = p.span
local out = {}
for _, bounded in ipairs{ false, true } do
  local m = machine{ preset = p.preset, cores = 1 }
  local sys = system{ machine = m, policy = "fp" }
  sys:task{ name = "control", priority = 2, period = "1ms", budget = "400us", body = { {"compute", "300us"} } }
  sys:task{ name = "logger", priority = 3, period = "10ms", budget = "3ms", body = { {"compute", "2ms"} } }
  sys:irq{ name = "nic", line = 40, priority = 1, work = "20us",
           budget = bounded and "200us" or nil, period = bounded and "1ms" or nil }
  local times = {}
  for i = 0, 199 do times[#times + 1] = sim.now() + sim.time("12ms") + i * sim.time("25us") end
  m:device{ line = 40, core = 0, times = times }
  sys:run(span)
  local r = sys:results()
  local name = bounded and "bounded" or "unbounded"
  out[name] = report.tasks(r, name .. ": interrupt thread " .. (bounded and "under 200 us / 1 ms" or "at priority 1, no bound"))
  local q = r.irqs[1]
  print(string.format("nic: %d interrupts handled in %d activations, budget expired %d times", q.handled,
                      q.activations, q.expiries))
  print()
  out[name].nic = { handled = q.handled, expiries = q.expiries }
end
return out
