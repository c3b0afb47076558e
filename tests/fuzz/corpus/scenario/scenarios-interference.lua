-- Two cores: a task on core 1 slowed by cache and bus interference from core 0
--
-- On a dual Cortex-A9 (512 KiB L2 shared by both cores, one memory bus),
-- the victim on core 1 reads a 256 KiB working set every 2 ms and computes
-- 20,000 cycles.  Alone, its data stays in the shared L2 from one job to the
-- next.  With the aggressor on core 0 writing 384 KiB every 2 ms, the
-- victim's lines are pushed out of the L2 by the aggressor's and it reads
-- them from memory again, its misses meeting the aggressor's on the bus
-- line by line (model/stream.h): its response time grows though nothing
-- on its own core changed.  The per-core counters show where the time went
-- (L2 misses, bus-wait cycles, and the misses on lines the other core
-- pushed out with their cycles beyond an L2 hit: evict_misses,
-- evict_cycles; `cossim analyze` counts those as cross-core time).
-- --set span=40ms; --set split=N issues the aggressor's 384 KiB as N
-- touches of consecutive whole lines (default 1: one step): the same
-- traffic costs the victim the same however it is cut up.
local p = sim.params{
  span  = { "40ms", "simulated time to run" },
  split = { 1, "the aggressor issues its 384 KiB in this many steps" },
}
local report = require("report")

local span = p.span
local split = p.split
local agg_bytes, line = 384 * 1024, 32          -- the Cortex-A9's line
assert(split and split >= 1 and split <= agg_bytes // line, "split: a whole number of touches, 1 to 12288")
local aggressor_body = { {"touch", 0, "384K", "write"} }
if split > 1 then
  local lines = agg_bytes // line
  aggressor_body = function()
    for i = 0, split - 1 do
      local from, to = i * lines // split, (i + 1) * lines // split
      step.touch(from * line, (to - from) * line, "write")
    end
  end
end
local out = {}
for _, with in ipairs{ false, true } do
  local m = machine{ preset = "cortex-a9" }
  local sys = system{ machine = m, policy = "fp" }
  sys:task{ name = "victim", core = 1, priority = 1, period = "2ms", memory = "256K",
            body = { {"touch", 0, "256K", "read"}, {"compute", 20000} } }
  if with then
    sys:task{ name = "aggressor", core = 0, priority = 1, period = "2ms", offset = "100us", memory = "384K",
              body = aggressor_body }
  end
  local before = m:counters()
  sys:run(span)
  local name = with and "with_aggressor" or "alone"
  out[name] = report.tasks(sys:results(), with and "victim with the aggressor on core 0" or "victim alone")
  local rows = {}
  for i, c in ipairs(m:counters()) do
    local b = before[i]
    rows[#rows + 1] = { i - 1, c.l2_misses - b.l2_misses, c.bus_wait_cycles - b.bus_wait_cycles,
                        c.mem_reads - b.mem_reads, c.evict_misses - b.evict_misses, c.evict_cycles - b.evict_cycles }
    out[name]["core" .. (i - 1)] = { l2_misses = c.l2_misses - b.l2_misses,
                                     bus_wait_cycles = c.bus_wait_cycles - b.bus_wait_cycles,
                                     evict_misses = c.evict_misses - b.evict_misses,
                                     evict_cycles = c.evict_cycles - b.evict_cycles }
  end
  print(report.table{ header = { "core", "l2_misses", "bus_wait_cycles", "mem_reads", "evict_misses", "evict_cycles" },
                      rows = rows })
  print()
end
out.slowdown = out.with_aggressor.victim.mean_us / out.alone.victim.mean_us
print(string.format("victim's mean response time: %.1f us alone, %.1f us with the aggressor (x%.2f)",
                    out.alone.victim.mean_us, out.with_aggressor.victim.mean_us, out.slowdown))
return out
