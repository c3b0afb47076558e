-- Your work for the lab "IPC in three kernels" (docs/labs/ipc.md).
local M = {}

-- Step 2: from the machine's cost table (`cossim machines i7-8700`), the
-- cycles of architectural events (mode switches into and out of the kernel,
-- page-table switches) in one round trip of each path.  Leave nil what you
-- have not worked out.
M.arch = { sinv = nil, ipc = nil, pipe = nil }

-- Step 4: the sinv round trip, in cycles, when the server reads a working
-- set of this many KiB on every request (ids on), from the warm round trip
-- with no working set, the cache sizes and their hit latencies.
M.ws = { [16] = nil, [64] = nil, [512] = nil }

return M
