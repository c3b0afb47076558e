-- uCVM's VMs on an MPU: how many empty guests fit, and what power-of-two regions cost for VM mixes
--
-- The VMM (components/implementation/vmm/ucvm) lays each VM's memory out
-- in power-of-two MPU regions, each aligned to its size: the guest RTOS's
-- records (rtcore's kernel block, a TCB per task, queue records, the
-- paravirt layer's state), its tasks' stacks and its heap, in at most 6 of
-- the STM32F767's 8 regions (one kept for the VM's code in flash, one for
-- shared memory), of 4 KiB to 1 MiB (what cossim's kernel programs).
--
-- `fit`: the kernel boots with the VMM, which makes empty VMs (the idle
-- task only) until the 512 KiB of SRAM run out; each VM's kernel objects
-- (capability table, MPU layout, component, vCPU thread, tcap, endpoint,
-- hypercall invocation: a 4 KiB page each) count with its memory.  µCVM reports 8 empty VMs in
-- 512 KB beside the kernel and VMM (docs/papers/ucvm.md).
--
-- `mixes`: (X - Y) / Y, the bytes the regions cover over the bytes asked
-- for, summed over a mix of VMs.  The paper's five mixes are MiBench
-- applications whose memory we do not model; these guests are stated
-- demands of our own (below), in the paper's five shapes: 3 small, 3 small
-- + big, 4 small + big, 5 small, 5 small + big.  µCVM reports 0.37 to 0.60
-- for its mixes (a different algorithm and sharing; docs/papers/ucvm.md).
-- The last two columns lay each VM out in one region, for comparison.
-- --set preset=stm32f767.
local p = sim.params{
  preset = { "stm32f767", "machine preset (an M profile one: cossim machines)" },
}
local report = require("report")

-- the guests: tasks besides idle, each task's stack, queues and their
-- storage, the application's heap
local guests = {
  sensor  = { tasks = 2, stack = 1024, queues = 1, queue_bytes = 64,   heap = "2K" },
  control = { tasks = 3, stack = 2048, queues = 2, queue_bytes = 256,  heap = "6K" },
  logger  = { tasks = 2, stack = 1024, queues = 1, queue_bytes = 1024, heap = "40K" },
  gateway = { tasks = 5, stack = 2048, queues = 3, queue_bytes = 2048, heap = "24K" },
  hmi     = { tasks = 4, stack = 2048, queues = 2, queue_bytes = 512,  heap = "12K" },
  big     = { tasks = 8, stack = 4096, queues = 4, queue_bytes = 4095, heap = "96K" },
}
local mixes = {
  { "3 small",         { "sensor", "control", "logger" } },
  { "3 small + big",   { "sensor", "control", "logger", "big" } },
  { "4 small + big",   { "sensor", "control", "logger", "gateway", "big" } },
  { "5 small",         { "sensor", "control", "logger", "gateway", "hmi" } },
  { "5 small + big",   { "sensor", "control", "logger", "gateway", "hmi", "big" } },
}

local f = vm.fit{ machine = machine{ preset = p.preset } }
local kib = function(b) return string.format("%.1f KiB", b / 1024) end
print(report.table{ header = { "empty VMs", "VM memory (X / Y)", "per VM (with kernel objects)", "kernel", "VMM", "left" },
  rows = { { f.vms, string.format("%d / %d", f.x, f.y), kib(f.per_vm), kib(f.kernel), kib(f.vmm), kib(f.left) } } })

local m = machine{ preset = p.preset }
local rows, out, lo, hi = {}, { fit = { vms = f.vms, x = f.x, y = f.y, per_vm = f.per_vm }, mixes = {} }, nil, nil
for _, mix in ipairs(mixes) do
  local list = {}
  for i, name in ipairs(mix[2]) do list[i] = guests[name] end
  local l = vm.layout{ machine = m, guests = list }
  local one = vm.layout{ machine = m, guests = list, regions = 1 }
  rows[#rows + 1] = { mix[1], l.y, l.x, string.format("%.3f", l.overhead), one.x, string.format("%.3f", one.overhead) }
  out.mixes[#out.mixes + 1] = { name = mix[1], x = l.x, y = l.y, overhead = l.overhead, one_region = one.overhead }
  lo = math.min(lo or l.overhead, l.overhead)
  hi = math.max(hi or l.overhead, l.overhead)
end
print(report.table{ header = { "mix", "Y (asked)", "X (6 regions)", "(X-Y)/Y", "X (1 region)", "(X-Y)/Y" },
                    rows = rows })
print(string.format("(X-Y)/Y from %.3f to %.3f", lo, hi))
out.overhead_min, out.overhead_max = lo, hi
return out
