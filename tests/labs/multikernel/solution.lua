-- The reference solution of the lab "multikernel" (docs/labs/multikernel.md),
-- kept out of the student's starter.
local M = {}
-- the x86_64 preset's coherence_transfer_cycles (cossim machines x86_64)
M.transfer = 75
-- by hand: applying the update to the local copy, 64 lines x 4 (L1 hit),
-- plus the ring's lines moving between the two cores, about 6 transfers
-- of 75 a message: 256 + 450 = 706 cycles per other core
M.per_message = 706
-- shared: about 64 x 75 = 4800 a round from 2 cores on; replicas: 256 +
-- (N - 1) x 706; they are dearer once N - 1 > (4800 - 256) / 706 = 6.4,
-- N >= 7.4: of 1, 2, 4, 8, 16, from 8 on
M.crossing = 8
return M
