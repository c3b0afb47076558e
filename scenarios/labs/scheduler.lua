-- Lab: write a scheduler in Lua (round robin, EDF, one of your own) and measure it against fixed priority
--
-- The student's policies are in scenarios/labs/student/scheduler.lua
-- (docs/labs/scheduler.md).  Each is a function that makes a scheduler
-- table of the documented form { policy = function(ready, now) ... end,
-- instructions = N, quantum = T } (docs/scenarios.md, "Schedulers"), as
-- scenarios/lib/rrpolicy.lua does: called once per system.  This lab runs them on
-- one x86_64 core, on these task sets (times in ms, C = work, T = period,
-- deadline = period):
--
--   "rr":     A, B, C: C = 2.5, T = 20, released together.  Round robin
--             with 1 ms slices runs A B C A B C, then the last halves:
--             A ends at 6.5, B at 7.0, C at 7.5 (by hand).
--   "hard":   t1 (1, 4), t2 (2, 6), t3 (3.5, 10): U = 0.933, above the
--             rate-monotonic guarantee for three tasks (0.780) and below 1.
--             Rate-monotonic response time of t3 by hand: R = 3.5 +
--             ceil(R/4)*1 + ceil(R/6)*2 = 6.5, 9.5, 10.5 > 10: t3's first
--             job misses.  EDF meets every deadline (U <= 1).
--   "yours":  the set the student's file gives as `set` (optional): one
--             where the student's own policy misses and EDF does not.
--
-- Each set runs under the built-in fixed priority ("fp", priorities by
-- rate), and under the student's rr, edf and mine; --json returns every
-- task's jobs, misses and response times.
local p = sim.params{
  preset = { "x86_64", "machine preset (cossim machines)" },
  only   = { "", "run one SET/SCHEDULER alone (e.g. hard/edf), for a trace to plot" },
  span   = { "120ms", "simulated time per run (the hard set's hyperperiod is 60 ms)" },
}
local report = require("report")
local student = require("student.scheduler")

local sets = {
  rr = { { "A", 2.5, 20 }, { "B", 2.5, 20 }, { "C", 2.5, 20 } },
  hard = { { "t1", 1, 4 }, { "t2", 2, 6 }, { "t3", 3.5, 10 } },
}
local order = { "rr", "hard" }
local titles = { fp = "fixed priority (built in, rate monotonic)", rr = "your round robin",
                 edf = "your EDF", mine = "your own policy" }
if student.set then
  sets.yours = student.set
  order[#order + 1] = "yours"
end

-- a fresh scheduler table from one of the student's three makers (each
-- system gets its own, so what a policy keeps in its locals is that
-- system's), checked for its form
local function scheduler(name)
  assert(type(student[name]) == "function", "student/scheduler.lua: `M." .. name .. "` must be a function")
  local s = student[name]()
  assert(type(s) == "table" and type(s.policy) == "function",
         "student/scheduler.lua: `M." .. name .. "()` must return { policy = function(ready, now) ... end, instructions = N }")
  return s
end

-- one system per (set, scheduler), all on machines that run side by side
local runs = {}
local function build(setname, schedname)
  local m = machine{ preset = p.preset, cores = 1 }
  local sys
  if schedname == "fp" then
    sys = system{ machine = m, policy = "fp" }
  else
    sys = system{ machine = m, scheduler = scheduler(schedname) }
  end
  -- priorities by rate (shorter period first; ties by order): fixed priority uses them
  local tasks = sets[setname]
  for i, t in ipairs(tasks) do
    local prio = 1
    for j, u in ipairs(tasks) do
      if u[3] < t[3] or (u[3] == t[3] and j < i) then prio = prio + 1 end
    end
    sys:task{ name = t[1], priority = prio, period = sim.us(t[3] * 1000),
              body = { {"compute", sim.us(t[2] * 1000)} } }
  end
  runs[#runs + 1] = { set = setname, sched = schedname, sys = sys }
end
local scheds = { "fp", "rr", "edf", "mine" }
if p.only ~= "" then
  local setname, schedname = p.only:match("^(%w+)/(%w+)$")
  assert(sets[setname] and titles[schedname], "only: SET/SCHEDULER, SET rr, hard or yours, SCHEDULER fp, rr, edf or mine")
  order, scheds = { setname }, { schedname }
end
for _, setname in ipairs(order) do
  for _, schedname in ipairs(scheds) do build(setname, schedname) end
end
for i = 1, #runs - 1 do runs[i].sys:run(0) end
runs[#runs].sys:run(p.span)

local out = {}
for _, r in ipairs(runs) do
  out[r.set] = out[r.set] or {}
  local set = {}
  for _, t in ipairs(sets[r.set]) do set[#set + 1] = string.format("%s(%g,%g)", t[1], t[2], t[3]) end
  local res = report.tasks(r.sys:results(), string.format("set %s [%s], %s", r.set, table.concat(set, " "), titles[r.sched]))
  local missed = 0
  for _, t in pairs(res) do missed = missed + t.missed end
  res.missed = missed
  out[r.set][r.sched] = res
  print()
end
if p.only == "" then
  print("deadline misses     fp   rr  edf mine")
  for _, setname in ipairs(order) do
    local o = out[setname]
    print(string.format("%-16s %5d %4d %4d %4d", "set " .. setname, o.fp.missed, o.rr.missed, o.edf.missed, o.mine.missed))
  end
end
return out
