-- Scheduling policies side by side: fixed priority, round robin (the C
-- component of docs/components.md's tutorial, components/implementation/
-- sched/rr), round robin written in Lua (scenarios/lib/rrpolicy.lua) and
-- lottery scheduling in Lua (scenarios/lib/lottery.lua)
--
-- Three tasks released together, 2.5 ms of work each, on one core.
-- By hand, fixed priority runs them one after another:
--   A finishes at 2.5 ms, B at 5.0, C at 7.5.
-- Round robin with 1 ms slices interleaves them, A B C A B C, then A's last
-- half slice, B's and C's:
--   A finishes at 6.5 ms, B at 7.0, C at 7.5.
-- Lottery: two tasks with 30 ms of work each hold 3 and 1 tickets; each
-- 1 ms slice goes to A with probability 3/4 while both are ready, so A
-- finishes after about 30 / (3/4) = 40 ms (the number of slices until A's
-- 30th win is negative binomial: mean 40, standard deviation 3.7) and B,
-- the core never idle, at 60 ms.  Kernel and scheduler overheads add a few
-- microseconds per switch.
local p = sim.params{
  preset  = { "x86_64", "machine preset (cossim machines)" },
  quantum = { "1ms", "round-robin and lottery time slice" },
}
local report = require("report")
local rrpolicy = require("rrpolicy")
local lottery = require("lottery")

local quantum = p.quantum
local schedulers = {
  fp = { policy = "fp" },
  rr = { scheduler = { name = "rr", quantum = quantum } },
  lua_rr = { scheduler = rrpolicy.scheduler{ quantum = quantum } },
}
local out, systems = {}, {}
for _, name in ipairs{ "fp", "rr", "lua_rr" } do
  local def = schedulers[name]
  local sys = system{ machine = machine{ preset = p.preset, cores = 1 },
                      policy = def.policy, scheduler = def.scheduler }
  for i, n in ipairs{ "A", "B", "C" } do
    sys:task{ name = n, priority = i, period = "20ms", body = { {"compute", "2500us"} } }
  end
  systems[name] = sys
end
local lot = system{ machine = machine{ preset = p.preset, cores = 1 },
                    scheduler = lottery.scheduler{ quantum = quantum } }
lot:task{ name = "A", weight = 3, period = "1s", body = { {"compute", "30ms"} } }
lot:task{ name = "B", weight = 1, period = "1s", body = { {"compute", "30ms"} } }

-- the machines run side by side: boot each (run(0)), then run the last
for _, name in ipairs{ "fp", "rr", "lua_rr" } do systems[name]:run(0) end
lot:run("100ms")
local titles = { fp = "fixed priority", rr = "round robin (C component)", lua_rr = "round robin (Lua policy)" }
for _, name in ipairs{ "fp", "rr", "lua_rr" } do
  out[name] = report.tasks(systems[name]:results(), titles[name])
  print()
end
out.lottery = report.tasks(lot:results(), "lottery (Lua policy), tickets 3:1")
return out
