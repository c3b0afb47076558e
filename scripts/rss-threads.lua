-- Host memory per simulated thread (BENCHMARKS.md, "Host memory"): `threads`
-- periodic tasks in systems of at most `per` tasks, each system on its own
-- x86_64 machine (per = threads: one system); all booted, then run once for
-- `span` (every machine shares the one clock).  Not a bundled scenario:
-- run it by path, under /usr/bin/time -v for the peak resident set:
--
--   /usr/bin/time -v ./build/cossim run scripts/rss-threads.lua --trace none --set threads=1000
--
-- --set threads=N (1000), per=K (125), span=T (100ms), lua=1 (bodies are
-- Lua functions, so compose gives every thread a 512 KiB stack).
local total = params.threads or 1000
local per = params.per or 125
local span = params.span or "100ms"
local made, systems = 0, {}
while made < total do
  local n = math.min(per, total - made)
  local m = machine{ preset = "x86_64" }
  local cores = m:info().cores
  local sys = system{ machine = m, policy = "fp" }
  for i = 1, n do
    local body = { {"compute", "10us"} }
    if params.lua then body = function(job) step.compute("10us") end end
    sys:task{ name = "t" .. i, core = (i - 1) % cores, priority = i, period = "10ms", body = body }
  end
  systems[#systems + 1] = sys
  made = made + n
end
for _, sys in ipairs(systems) do sys:run(0) end
systems[1]:run(span)
local jobs = 0
for _, sys in ipairs(systems) do
  for _, t in ipairs(sys:results().tasks) do jobs = jobs + t.jobs end
end
print(string.format("%d tasks on %d machines, %d jobs", total, #systems, jobs))
return { tasks = total, machines = #systems, jobs = jobs }
