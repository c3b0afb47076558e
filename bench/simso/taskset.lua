-- The SimSo comparison set (issue 15, "Speed"; BENCHMARKS.md, "Side by side with SimSo")
--
-- Ten periodic tasks on one x86_64 core, implicit deadlines, released
-- together, U = 0.83, 10 s simulated with the trace on.  The same set runs
-- in SimSo (bench/simso/simso-run.py reads the TASKS table below from this
-- file, so the two tools cannot drift apart).  Not a bundled scenario
-- (scenarios/ would add a digest); run it by path:
--
--   ./build/cossim run bench/simso/taskset.lua --set policy=fp|edf [--set span=10s]
--
-- How the set was chosen (once, by hand, then frozen):
--   periods  T_i = 5 ms * 50^(i/9), i = 0..9, rounded to a whole ms: ten
--            periods spaced evenly on a log scale from 5 to 250 ms;
--   WCETs    C_i = 0.083 * T_i, exactly (83 us per ms of period): every task
--            has the same utilisation 0.083, so U = 10 * 0.083 = 0.83.
-- Rate-monotonic priorities (shorter period, higher priority).  U is above
-- the Liu-Layland bound for 10 tasks (0.718), but response-time analysis
-- by hand (R = C_i + sum over j<i of ceil(R/T_j) * C_j) passes every task
-- with room to spare; the lowest, t10, has R = 130.9 ms against 250 ms,
-- and still 154.1 ms with 50 us of overhead charged to every job.  EDF
-- meets every deadline since U <= 1.  So in either tool a missed deadline
-- means an overhead or a bug, not the set.
--
-- The scenario prints one line per task and a totals line that
-- bench/simso/bench.py checks in both tools: "jobs N missed M late_unfinished L".
local report = require("report")

-- Keep one task a line in exactly this form: simso-run.py parses it.
local TASKS = {
  { name = "t1",  period_ms = 5,   wcet_us = 415 },
  { name = "t2",  period_ms = 8,   wcet_us = 664 },
  { name = "t3",  period_ms = 12,  wcet_us = 996 },
  { name = "t4",  period_ms = 18,  wcet_us = 1494 },
  { name = "t5",  period_ms = 28,  wcet_us = 2324 },
  { name = "t6",  period_ms = 44,  wcet_us = 3652 },
  { name = "t7",  period_ms = 68,  wcet_us = 5644 },
  { name = "t8",  period_ms = 105, wcet_us = 8715 },
  { name = "t9",  period_ms = 162, wcet_us = 13446 },
  { name = "t10", period_ms = 250, wcet_us = 20750 },
}

local policy = params.policy or "fp"
assert(policy == "fp" or policy == "edf", "policy must be fp or edf")
local span = params.span or "10s"

local m = machine{ preset = "x86_64", cores = 1 }
local sys = system{ machine = m, policy = policy }
-- TASKS is in period order, so its index is the rate-monotonic priority
-- (EDF orders by deadline and ignores it).
local u = 0
for rank, t in ipairs(TASKS) do
  u = u + t.wcet_us / (t.period_ms * 1000)
  sys:task{ name = t.name, priority = rank, period = t.period_ms .. "ms",
            body = { {"compute", t.wcet_us .. "us"} } }
end
assert(math.abs(u - 0.83) < 1e-9, "the set's utilisation drifted from 0.83")
sys:run(span)

local r = sys:results()
local rows, jobs, missed, late = {}, 0, 0, 0
for i, t in ipairs(r.tasks) do
  rows[#rows + 1] = { t.name, TASKS[i].period_ms, TASKS[i].wcet_us, t.jobs, t.missed, t.late_unfinished,
                      (t.resp_max_ns or 0) / 1e3 }
  jobs, missed, late = jobs + t.jobs, missed + t.missed, late + t.late_unfinished
end
print(string.format("%s, one x86_64 core, U = %.2f, %s", policy == "fp" and "rate monotonic" or "EDF", u, span))
print(report.table{ header = { "task", "period_ms", "wcet_us", "jobs", "missed", "late", "worst_us" }, rows = rows })
local k = sys:kernel():stats()
print(string.format("kernel: %d system calls, %d switches, %d interrupts", k.syscalls, k.switches, k.interrupts))
print(string.format("jobs %d missed %d late_unfinished %d", jobs, missed, late))
return { jobs = jobs, missed = missed, late_unfinished = late }
