-- The reference solution of the lab "priority inversion"
-- (docs/labs/priority-inversion.md), kept out of the student's starter.
local M = {}
M.protocol = "pi"
-- Only low shares "bus" with high, and high waits for at most one of its
-- sections (inheritance: at most one section per lower task and per lock;
-- the ceiling: at most one in all): B = low's section, 2 ms of compute.
M.blocking_us = 2000
-- high has the highest priority: R = C + B = (200 + 300) + 2000 us.
M.bound_us = 2500
return M
