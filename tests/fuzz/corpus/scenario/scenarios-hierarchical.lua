-- Hierarchical scheduling: two child schedulers under a budget, and an overrun that stays inside its group
--
-- One x86_64 core.  The core's fixed-priority scheduler runs a task `hi`
-- and two child schedulers (groups), each a thread of its own with a tcap
-- the parent tops up every period (a deferrable server):
--   hi:            priority 1, C = 1 ms, T = 5 ms
--   group B:       priority 2, budget 1 ms every 5 ms; task b1 wants 8 ms every 10 ms (it overruns)
--   group A:       priority 3, budget 2 ms every 5 ms; tasks a1 (C = 1 ms, T = 10 ms) and a2 (C = 2 ms, T = 20 ms)
-- The same tasks run a second time on a flat scheduler (no groups, b1 at
-- priority 2 above a1 and a2): there b1's overrun starves a1 and a2, in
-- the hierarchy it costs only group B's own deadlines.
--
-- By hand, in the hierarchy (every release at the start, overheads aside):
-- each 5 ms the core runs hi [0, 1], B [1, 2], A [2, 4].  a1 runs [2, 3]:
-- R = 3 ms; a2 runs [3, 4] and, in the next period, [7, 8]: R = 8 ms.  The
-- periodic resource model bound for A (Shin and Lee, RTSS 2003: blackout
-- 2(P - Q) = 6 ms for P = 5, Q = 2) is 7 ms for a1 and 13 ms for a2.
-- --set span=200ms (default), preset=x86_64.
local p = sim.params{
  preset = { "x86_64", "machine preset (cossim machines)" },
  span   = { "200ms", "simulated time to run" },
}
local report = require("report")

local span = p.span
local preset = p.preset
local out, systems = {}, {}

for _, mode in ipairs{ "groups", "flat" } do
  local m = machine{ preset = preset, cores = 1 }
  local sys = system{ machine = m, policy = "fp" }
  local a, b
  if mode == "groups" then
    b = sys:group{ name = "B", priority = 2, budget = "1ms", period = "5ms" }
    a = sys:group{ name = "A", priority = 3, budget = "2ms", period = "5ms" }
  end
  sys:task{ name = "hi", priority = 1, period = "5ms", body = { {"compute", "1ms"} } }
  sys:task{ name = "b1", priority = mode == "groups" and 1 or 2, group = b and "B" or nil,
            period = "10ms", body = { {"compute", "8ms"} } }
  sys:task{ name = "a1", priority = mode == "groups" and 1 or 3, group = a and "A" or nil,
            period = "10ms", body = { {"compute", "1ms"} } }
  sys:task{ name = "a2", priority = mode == "groups" and 2 or 4, group = a and "A" or nil,
            period = "20ms", body = { {"compute", "2ms"} } }
  systems[mode] = sys
end
-- the two machines share the clock: boot the first, run both over the span
systems.groups:run(0)
systems.flat:run(span)

for _, mode in ipairs{ "groups", "flat" } do
  local r = systems[mode]:results()
  out[mode] = report.tasks(r, mode == "groups" and "hierarchy: hi, group B {b1}, group A {a1, a2}"
                                                or "flat fixed priority: hi > b1 > a1 > a2")
  if mode == "groups" then
    local rows = {}
    for _, name in ipairs{ "B", "A" } do
      local g = r.groups[name]
      rows[#rows + 1] = { name, g.budget_ns / 1e6, g.period_ns / 1e6, g.dispatches, g.wakes, g.expiries }
      out[mode]["group " .. name] = g
    end
    print()
    print(report.table{ header = { "group", "budget ms", "period ms", "dispatches", "wakes", "expiries" }, rows = rows })
  end
  print()
end
print(string.format("a1 and a2: %d missed in the hierarchy, %d missed or unfinished flat",
                    out.groups.a1.missed + out.groups.a2.missed,
                    out.flat.a1.missed + out.flat.a2.missed))
return out
