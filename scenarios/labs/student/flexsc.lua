-- Your work for the lab "FlexSC, exception-less system calls" (docs/labs/flexsc.md).
local M = {}

-- Step 1: your hand prediction of core 0's L1D misses per synchronous call
-- (a number).  As shipped: nil.
M.l1d_sync = nil

-- Step 3: the batch size of your exception-less system calls.  It must
-- at least halve the cycles per call of the synchronous calls and keep a
-- batch's latency at or under 20 us.  As shipped: 1 (one call at a time).
M.batch = 1

return M
