-- Your work for the lab "exokernel: secure bindings and visible revocation"
-- (docs/labs/exokernel.md).
local M = {}

-- lib's job, as a list of steps (docs/scenarios.md).  It must still
-- allocate 8 pages, write 32 KiB of them and compute 400 us every job.
-- Your library owns its pages; when owner asks for 4 of them back it must
-- answer (the {"answer"} step: give back its last pages asked for) within
-- owner's grace of 100 us, or owner aborts and takes every page.  After
-- an answer the library holds only its first 4 pages (16 KiB).
-- As shipped: the body never answers.
M.body = {
  {"alloc", 8},
  {"heap", "32KiB", "write"},
  {"compute", "400us"},
  {"heap", "32KiB", "read"},
  {"free"},
}

return M
