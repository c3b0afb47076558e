-- The paper suite: every reproduction's targets, published beside cossim's, each judged against its declared band or shape
--
-- `cossim papers [--paper NAME] [--json]`.  The targets are the entries of
-- scenarios/lib/targets.lua that name a paper; scenarios/lib/paperlib.lua
-- runs and judges them (docs/papers/README.md).  The report's
-- papers_all_hold is true when no declared target misses (the verb's exit
-- status: 0, else 1); "fit" and "not built" targets neither hold nor miss.
local lib = require "paperlib"
local decl = { paper = { "", "one paper only (empty: all)" } }
for k, v in pairs(lib.params) do decl[k] = v end
local p = sim.params(decl)
lib.check_params(p)

local order = lib.papers()
local out = { papers = {} }
local all_hold, n, c = true, 0, { holds = 0, misses = 0, fit = 0, not_built = 0 }
for _, name in ipairs(order) do
  if p.paper == "" or p.paper == name then
    local r = lib.run_paper(name, p)
    out.papers[name] = r
    for k in pairs(c) do c[k] = c[k] + r[k] end
    n = n + #r.targets
    if r.misses > 0 then all_hold = false end
  end
end
if p.paper ~= "" and not out.papers[p.paper] then
  error(string.format("papers: no paper '%s' (the papers: %s)", p.paper, table.concat(order, ", ")))
end
print(string.format("%d targets: %d hold, %d miss, %d fit, %d not built", n, c.holds, c.misses, c.fit, c.not_built))
out.holds, out.misses, out.fit, out.not_built = c.holds, c.misses, c.fit, c.not_built
out.papers_all_hold = all_hold
return out
