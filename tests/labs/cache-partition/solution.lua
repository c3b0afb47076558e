-- The reference solution of the lab "cache interference and partitioning"
-- (docs/labs/cache-interference.md), kept out of the student's starter.
-- Core 1's 256 KiB needs 256 / 64 = 4 of the L2's eight 64 KiB ways (by
-- hand: 512 KiB / 8 ways); core 0's stream misses whatever it holds, so
-- it gets the other four, and neither may fill the other's.
local M = {}
M.core0_ways = 0x0F
M.core1_ways = 0xF0
return M
