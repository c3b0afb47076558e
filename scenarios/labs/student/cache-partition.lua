-- Your work for the lab "cache interference and partitioning"
-- (docs/labs/cache-interference.md).
--
-- The way masks of the shared L2 (8 ways on the cortex-a9 preset: bit i
-- is way i): each core may fill only the ways of its mask (a hit may come
-- from any way).  As given, both cores may fill every way: no partition.
local M = {}
M.core0_ways = 0xFF   -- core 0, the streaming aggressor
M.core1_ways = 0xFF   -- core 1, the victim with the 256 KiB working set
return M
