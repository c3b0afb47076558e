-- Fixed priority against EDF on one core: a task set EDF schedules and rate-monotonic does not
--
-- Two periodic tasks with implicit deadlines (Liu and Layland 1973; the
-- example of Buttazzo, Hard Real-Time Computing Systems, 3rd ed., ch. 4):
--   t1: C = 2 ms, T = 5 ms      t2: C = 4 ms, T = 7 ms      U = 2/5 + 4/7 = 0.971
-- U <= 1, so EDF meets every deadline (Liu and Layland's theorem 7).  Under
-- rate-monotonic priorities t2's response time by hand is
--   R = 4 + ceil(R/5) * 2:  R = 6, then 4 + 2*2 = 8 > 7,
-- so its first job misses, and U > 2(2^(1/2) - 1) = 0.828 allowed no
-- guarantee.  Both policies run the same set on the same machine; the
-- simulated response times include the kernel's and the scheduler's
-- overheads.  --set span=350ms (default: ten hyperperiods of 35 ms).
local p = sim.params{
  preset = { "x86_64", "machine preset (cossim machines)" },
  span   = { "350ms", "simulated time to run" },
}
local report = require("report")

local span = p.span
local out, systems = {}, {}
for _, policy in ipairs{ "fp", "edf" } do
  local m = machine{ preset = p.preset, cores = 1 }
  local sys = system{ machine = m, policy = policy }
  sys:task{ name = "t1", priority = 1, period = "5ms", body = { {"compute", "2ms"} } }
  sys:task{ name = "t2", priority = 2, period = "7ms", body = { {"compute", "4ms"} } }
  systems[policy] = sys
end
-- the two machines run side by side: boot the first (run(0): build and
-- reach its start), then run the second for the span; the first runs
-- with it (and has had ~1 ms more, which completes no extra job)
systems.fp:run(0)
systems.edf:run(span)
for _, policy in ipairs{ "fp", "edf" } do
  out[policy] = report.tasks(systems[policy]:results(), policy == "fp" and "fixed priority (rate monotonic)" or "EDF")
  print()
end
print(string.format("deadline misses: fixed priority %d, EDF %d",
                    out.fp.t1.missed + out.fp.t2.missed, out.edf.t1.missed + out.edf.t2.missed))
return out
