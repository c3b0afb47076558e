-- Your work for the lab "priority inversion" (docs/labs/priority-inversion.md).
local M = {}

-- Step 3: the lock protocol for "bus": "none", "pi" (priority inheritance)
-- or "ceiling" (immediate priority ceiling).
M.protocol = "none"

-- Step 4: your hand calculation, in microseconds, for the protocol you
-- chose: the longest time `high` can be blocked by a lower-priority task
-- (B), and the bound on its response time (R = C + B: it is the highest
-- priority, so nothing preempts it).
M.blocking_us = nil
M.bound_us = nil

return M
