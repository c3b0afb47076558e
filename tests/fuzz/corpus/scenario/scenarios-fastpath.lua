-- Slite-style user-level dispatch against kernel dispatch: dispatch latency in cycles
--
-- Three tasks of equal period are released together; each job computes
-- 2,000 cycles and ends, and the next ready job starts.  The dispatch
-- latency is the time from the end of one job to the start of the next on
-- the core (counted only when the next one was ready, so no idle time is
-- inside it).
--
--  kernel  the ending task switches to the scheduler thread (a component
--          thread in the boot component), which reads the kernel's events
--          and dispatches the next task: two thread switches through the
--          kernel and two address-space switches.
--  fast    the ending task runs the same policy code on the scheduler's
--          shared state and switches to the next task at user level
--          (cos_ul_switch), without entering the kernel, when that is safe:
--          same component, same tcap, and the scheduler's timer already
--          set for the next release.  The kernel learns of it at its next
--          entry (the repair step).  When the timer would have to change
--          (here: the first job to end each period), the fast path falls
--          back to the kernel.
--
-- (Gadepalli et al., "Slite: OS support for near zero-cost, configurable
-- scheduling", RTAS 2020, measure this comparison on x86.)  --set
-- presets=x86_64,cortex-a9 (default), span=100ms.
local p = sim.params{
  presets = { "x86_64,cortex-a9", "machine presets, comma-separated" },
  span    = { "100ms", "simulated time to run" },
}
local report = require("report")

local presets = {}
for p in string.gmatch(p.presets, "[^,]+") do presets[#presets + 1] = p end
local span = p.span
local out, rows = {}, {}
for _, p in ipairs(presets) do
  out[p] = {}
  for _, fast in ipairs{ false, true } do
    local m = machine{ preset = p, cores = 1 }
    local sys = system{ machine = m, policy = "fp", fastpath = fast }
    for i, name in ipairs{ "a", "b", "c" } do
      sys:task{ name = name, priority = i, period = "1ms", body = { {"compute", 2000} } }
    end
    sys:run(span)
    local c = sys:results().cores[1]
    local kind = fast and "fast" or "kernel"
    out[p][kind] = { handoffs = c.handoffs, min = c.handoff_min_cycles, mean = c.handoff_mean_cycles,
                     max = c.handoff_max_cycles, user_dispatches = c.ul_dispatches, kernel_dispatches = c.dispatches }
    rows[#rows + 1] = { p, kind, c.handoffs, c.handoff_min_cycles, c.handoff_mean_cycles, c.handoff_max_cycles,
                        c.ul_dispatches, c.dispatches }
  end
  out[p].saving_min = out[p].kernel.min - out[p].fast.min
end
print(report.table{ header = { "machine", "dispatch", "handoffs", "min_cycles", "mean_cycles", "max_cycles",
                               "user_level", "kernel" }, rows = rows })
return out
