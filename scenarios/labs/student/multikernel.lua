-- Your work for the lab "multikernel" (docs/labs/multikernel.md).
local M = {}

-- Step 2: the cycles one coherence transfer costs on the lab's machine
-- (read it from `cossim machines x86_64`, or from the run's shared column
-- at 2 cores divided by its transfers).
M.transfer = nil

-- Step 3: what one message costs a core beyond the shared copy's cost:
-- the slope of the replicas column, in cycles per other core, worked out
-- from the table (and by hand from the ring's lines, docs/labs/multikernel.md).
M.per_message = nil

-- Step 4: your prediction, before you run it, of the number of cores from
-- which the replicas cost more than the shared copy, with lines=64 and the
-- sweep 1,2,4,8,16 (one of those numbers).  As shipped: nil (no prediction).
M.crossing = nil

return M
