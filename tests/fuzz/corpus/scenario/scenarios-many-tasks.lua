-- Many tasks: 100 periodic tasks on 4 cores for 10 s (the issue-5 benchmark, BENCHMARKS.md)
--
-- x86_64 (4 cores), partitioned fixed priority (rate monotonic on each
-- core), 25 tasks per core with periods drawn log-uniformly from 10 ms to
-- 1 s (seeded: the "periods" stream) and utilisation 0.6 per core split
-- evenly, tracing on.  The script prints per-core totals; the run summary
-- gives the host time.  --set span=10s, tasks=100, policy=fp|edf.
local p = sim.params{
  policy = { "fp", "scheduling policy: fp or edf" },
  span   = { "10s", "simulated time to run" },
  tasks  = { 100, "number of periodic tasks" },
}
local span = p.span
local n = p.tasks
local m = machine{ preset = "x86_64" }
local cores = m:info().cores
local sys = system{ machine = m, policy = p.policy }
local rng = sim.rng("periods")
local per_core = {}
for i = 1, n do
  local core = (i - 1) % cores
  local period_us = math.floor(10000 * 100 ^ rng:uniform())      -- 10 ms .. 1 s
  local wcet_us = math.max(1, math.floor(period_us * 0.6 / (n / cores)))
  per_core[#per_core + 1] = { name = "t" .. i, core = core, period = period_us, wcet = wcet_us }
end
-- rate-monotonic priorities per core
table.sort(per_core, function(a, b) if a.period ~= b.period then return a.period < b.period end return a.name < b.name end)
for rank, t in ipairs(per_core) do
  sys:task{ name = t.name, core = t.core, priority = rank, period = t.period .. "us",
            body = { {"compute", t.wcet .. "us"} } }
end
sys:run(span)
local r = sys:results()
local jobs, missed = 0, 0
for _, t in ipairs(r.tasks) do jobs = jobs + t.jobs; missed = missed + t.missed end
local k = sys:kernel():stats()
print(string.format("%d tasks, %d jobs, %d missed; kernel: %d system calls, %d switches, %d interrupts",
                    n, jobs, missed, k.syscalls, k.switches, k.interrupts))
return { jobs = jobs, missed = missed, syscalls = k.syscalls }
