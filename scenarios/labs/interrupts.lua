-- Lab: interrupts under overload: receive livelock, and interrupt threads under a temporal capability
--
-- One x86_64 core, fixed priority.  An application task `app` (priority 2,
-- 300 us of work every 1 ms, deadline = period) and a network card whose
-- interrupts are handled by an interrupt thread `nic` (priority 1, 20 us of
-- handling an interrupt: sys:irq).  The card raises interrupts
-- periodically from 1 ms into the run, at each rate of `rates` in turn
-- (interrupts per ms), on a fresh machine each time, twice:
--
--   none    the interrupt thread with an infinite budget: interrupt handling
--           above everything.  By hand (docs/labs/interrupts.md) the handlers
--           take rate x 20 us of each millisecond: app misses once that is
--           more than the 700 us it leaves (rate > 35/ms), and gets nothing
--           at all once it reaches the whole millisecond (rate >= 50/ms, the
--           knee): receive livelock.
--   budget  the interrupt thread's tcap bounded to `budget` per `period`, from
--           the student's file (scenarios/labs/student/interrupts.lua):
--           interrupts beyond the budget wait, and app runs.
--
-- Each run: app's jobs, misses and worst response; how many interrupts were
-- handled, per ms of the run.  --set only=RATE/none or RATE/budget runs one
-- of them alone, for a trace to plot.
local student = require("student.interrupts")
local p = sim.params{
  budget = { student.budget or "", "the interrupt thread's budget per period (default: the student's file; empty: none)" },
  only   = { "", "run one rate and one case alone, e.g. 75/ms/none or 75/ms/budget, for a trace to plot" },
  period = { student.period or "", "the interrupt thread's replenishment period (default: the student's file)" },
  preset = { "x86_64", "machine preset (cossim machines)" },
  rates  = { "10/ms,20/ms,30/ms,40/ms,50/ms,75/ms,100/ms", "device interrupt rates to sweep, comma-separated" },
  span   = { "20ms", "simulated time of each run" },
}

local function rate_of(s)
  local r = math.tointeger(tonumber(string.match(s, "^(%d+)/ms$")))
  assert(r and r >= 1 and r <= 1000, "a rate is a whole number of interrupts per ms, 1/ms to 1000/ms, e.g. 75/ms")
  return r
end
local rates = {}
for s in string.gmatch(p.rates, "[^,]+") do rates[#rates + 1] = rate_of(s) end
local budget = p.budget ~= "" and p.budget or nil
local period = p.period ~= "" and p.period or nil
assert((budget == nil) == (period == nil), "give the interrupt thread both a budget and a period, or neither")
local span_ms = sim.time(p.span) / sim.time("1ms")
local due = math.floor(span_ms)

-- one run: rate interrupts per ms, the interrupt thread bounded or not
local function run(rate, bounded)
  local m = machine{ preset = p.preset, cores = 1 }
  local sys = system{ machine = m, policy = "fp" }
  sys:task{ name = "app", priority = 2, period = "1ms", body = { {"compute", "300us"} } }
  sys:irq{ name = "nic", line = 40, priority = 1, work = "20us",
           budget = bounded and budget or nil, period = bounded and period or nil }
  -- a gap in whole nanoseconds: 1 ms / rate, rounded down (exact for the default rates)
  m:device{ line = 40, core = 0, periodic = string.format("%dns", 1000000 // rate),
             phase = sim.now() + sim.time("1ms") }
  sys:run(p.span)
  local r = sys:results()
  local t, q = r.tasks[1], r.irqs[1]
  -- missed: of the jobs due in the span (one a ms: its releases start with
  -- the run), those that did not end by their deadline, whether they ended
  -- late, never ended or were never released (the scheduler that releases
  -- them starved too)
  local met = t.jobs - t.missed
  return { rate = rate, jobs = t.jobs, missed = math.max(due - met, 0), worst_us = (t.resp_max_ns or 0) / 1e3,
           handled = q.handled, served_per_ms = q.handled / span_ms, expiries = q.expiries }
end

local out = { budget = budget, period = period, none = {}, budget_runs = {} }
if p.only ~= "" then
  local rs, case = string.match(p.only, "^(%d+/ms)/(%a+)$")
  assert(rs and (case == "none" or case == "budget"), "only: RATE/none or RATE/budget, e.g. 75/ms/none")
  assert(case == "none" or budget, "only=" .. p.only .. ": your file gives the interrupt thread no budget")
  local x = run(rate_of(rs), case == "budget")
  print(string.format("%d/ms, %s: app %d jobs, %d missed, worst %.1f us; nic handled %d (%.1f per ms)", x.rate,
                      case == "none" and "no budget" or (budget .. " per " .. period), x.jobs, x.missed,
                      x.worst_us, x.handled, x.served_per_ms))
  out[case] = { x }
  return out
end

print(string.format("%s: app 300 us every 1 ms (priority 2); nic 20 us an interrupt (priority 1); %s runs",
                    p.preset, p.span))
print(string.format("%-8s | %-31s | %s", "", "no budget",
                    budget and ("budget " .. budget .. " per " .. period) or "budget: none given (your file)"))
print(string.format("%-8s | %4s %6s %9s %9s | %4s %6s %9s %9s", "rate", "jobs", "missed", "worst_us", "served/ms",
                    "jobs", "missed", "worst_us", "served/ms"))
for _, rate in ipairs(rates) do
  local a = run(rate, false)
  out.none[#out.none + 1] = a
  local line = string.format("%-8s | %4d %6d %9.1f %9.1f |", rate .. "/ms", a.jobs, a.missed, a.worst_us,
                             a.served_per_ms)
  if budget then
    local b = run(rate, true)
    out.budget_runs[#out.budget_runs + 1] = b
    line = line .. string.format(" %4d %6d %9.1f %9.1f", b.jobs, b.missed, b.worst_us, b.served_per_ms)
  else
    line = line .. "    -"
  end
  print(line)
end
return out
