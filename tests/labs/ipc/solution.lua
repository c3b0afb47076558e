-- The reference solution of the lab "IPC in three kernels" (docs/labs/ipc.md),
-- kept out of the student's starter.  The i7-8700's cost table: system-call
-- entry 76 and exit 40 (116 a kernel entry and return), a CR3 write 150;
-- L1d hit 4, L2 hit 12, L3 hit 44; 64-byte lines.
local M = {}
-- sinv: 2 kernel entries (sinv, sret) and 2 page-table switches:
-- 2 x 116 + 2 x 150 = 532.  ipc: the client's call and the server's
-- reply-and-wait, 2 entries, 2 page-table switches: 532 as well.  pipe:
-- write + read in the client and read + write in the server, 4 system calls,
-- and 2 page-table switches: 4 x 116 + 2 x 150 = 764.
M.arch = { sinv = 532, ipc = 532, pipe = 764 }
-- The warm sinv round trip with no working set is 712; the server reads
-- every line once a request.  16 KiB = 256 lines, all L1 hits (16 KiB of
-- the 32 KiB L1d): 712 + 256 x 4 = 1736.  64 KiB = 1024 lines, twice the
-- L1d, so each comes from the L2 (256 KiB): 712 + 1024 x 12 = 13000.
-- 512 KiB = 8192 lines, twice the L2, so each comes from the L3 (12 MiB):
-- 712 + 8192 x 44 = 361160.
M.ws = { [16] = 1736, [64] = 13000, [512] = 361160 }
return M
