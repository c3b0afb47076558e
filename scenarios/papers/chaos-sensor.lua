-- Chaos (RTAS 2019) Table VI on the i7-8700: the cFS sensor round trip, quiet and under interference, on Chaos and Linux-RT
--
-- The loop of scenarios/lib/paperlib.lua (L.SENSOR; docs/papers/chaos.md
-- says how it is modelled and what it leaves out): on core 0 a periodic
-- activation runs three application stages that pass a 256-byte reading
-- on, each doing a third of the application's work.  cossim's kernel runs
-- it as Chaos does (the stages in components of their own, reached by
-- synchronous invocation); the monolithic kernel as Linux-RT does (threads
-- of one process and pipes, woken through the interrupt thread).  The
-- interference on cores 1-4: notifications to core 0 every 10 us through
-- a rate limiter of one a period (Chaos), the same without the limiter
-- (plain Composite; not in the paper), sched_yield loops (Linux-RT).  The
-- application's work is the one figure set from the paper (from Chaos's
-- quiet average); every other figure is predicted.
--   cossim run papers/chaos-sensor [--set sensor_rounds=N]
local lib = require "paperlib"
local p = sim.params{ sensor_rounds = lib.params.sensor_rounds }
assert(math.type(p.sensor_rounds) == "integer" and p.sensor_rounds >= 1 and p.sensor_rounds <= 10000,
       "sensor_rounds must be an integer from 1 to 10000")
local targets = require "targets"
local by = {}
for _, t in ipairs(targets) do
  if t.bench == "sensor" and not t.ratio then by[t.system .. "|" .. t.variant .. "|" .. t.stat] = t.published end
end
local tab = lib.sensor_table{ sensor_rounds = p.sensor_rounds }
local label = { quiet = "quiet", ratelimit = "4 cores notifying, limited to 1 a period", flood = "4 cores notifying, no limit",
                yield = "4 cores looping on sched_yield" }
print(string.format("the application's work (set from chaos.rtt): %d cycles; %d rounds a row; cycles", tab.work,
                    p.sensor_rounds))
print(string.format("%-11s %-42s %9s %9s %9s %9s", "system", "interference", "mean", "paper", "worst", "paper"))
local out = { work = tab.work, rows = {} }
for _, r in ipairs(tab.rows) do
  local pm, pw = by[r.system .. "|" .. r.variant .. "|mean"], by[r.system .. "|" .. r.variant .. "|max"]
  print(string.format("%-11s %-42s %9.0f %9s %9d %9s", r.system, label[r.variant], r.mean, pm or "-", r.max, pw or "-"))
  out.rows[#out.rows + 1] = { system = r.system, variant = r.variant, mean = r.mean, max = r.max,
                              paper_mean = pm, paper_max = pw }
end
return out
