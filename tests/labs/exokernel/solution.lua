-- The reference solution of the lab "exokernel: secure bindings and
-- visible revocation" (docs/labs/exokernel.md), kept out of the student's
-- starter.
local M = {}
-- The 400 us of compute in 50 us pieces with an answer after each: owner's
-- request, made at any moment of the compute, is answered within 50 us
-- (plus the answer's own few hundred cycles), inside its 100 us grace.
-- The library gives back its last 4 pages (its scratch), so it reads only
-- its first 4 (16 KiB), which it keeps whether asked or not.
local body = { {"alloc", 8}, {"heap", "32KiB", "write"} }
for _ = 1, 8 do
  body[#body + 1] = {"compute", "50us"}
  body[#body + 1] = {"answer"}
end
body[#body + 1] = {"heap", "16KiB", "read"}
body[#body + 1] = {"free"}
M.body = body
return M
