-- The host-cost scaling curve (BENCHMARKS.md, "Scaling curve"): `tasks`
-- periodic tasks of period 10 ms, each job computing 1,000 cycles, spread
-- round-robin over the `cores` of one x86_64 machine under the user-level
-- fixed-priority scheduler, run for `span`.  Not a bundled scenario (its
-- digest is in no table): run it by path, e.g.
--
--   ./build/cossim run scripts/scale-curve.lua --trace none --set cores=64 --set tasks=10000
--
-- and divide the engine events the run summary prints by the CPU time.
-- --set cores=N (1), tasks=M (100), span=T (20ms), preset=NAME (x86_64).
local cores = params.cores or 1
local n = params.tasks or 100
local span = params.span or "20ms"
local m = machine{ preset = params.preset or "x86_64", cores = cores }
local sys = system{ machine = m, policy = "fp" }
for i = 1, n do
  sys:task{ name = "t" .. i, core = (i - 1) % cores, priority = 1 + (i - 1) // cores,
            period = "10ms", body = { {"compute", 1000} } }
end
sys:run(span)
local jobs, missed = 0, 0
for _, t in ipairs(sys:results().tasks) do jobs = jobs + t.jobs; missed = missed + t.missed end
print(string.format("%d cores, %d tasks: %d jobs, %d missed", cores, n, jobs, missed))
return { jobs = jobs, missed = missed }
