-- Two cores, one shared L2: the reader on core 1 reads 64 KiB every 8 ms;
-- between its jobs the evictor on core 0 reads 512 KiB, the whole L2, and
-- so pushes every line of the reader's out of it.  Each job of the reader
-- after its first finds none of its lines in the L2: tests/test_scenarios.c
-- (test_eviction_breakdown) works out the cross-core time of that by hand.
local m = machine{ preset = "cortex-a9", l1d = { replacement = "lru" }, l2 = { replacement = "lru" } }
local sys = system{ machine = m, policy = "fp" }
sys:task{ name = "reader", core = 1, priority = 1, period = "8ms", memory = "64K",
          body = { {"touch", 0, "64K", "read"} } }
if params.evictor ~= 0 then
  sys:task{ name = "evictor", core = 0, priority = 1, period = "8ms", offset = "1ms", memory = "512K",
            body = { {"touch", 0, "512K", "read"} } }
end
sys:run(params.span or "32ms")
local c = m:counters()
return { evict_misses = c[2].evict_misses, evict_cycles = c[2].evict_cycles, l2_misses = c[2].l2_misses }
