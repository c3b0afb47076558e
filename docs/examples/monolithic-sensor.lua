-- Chaos Table VI's sensor -> actuator loop on the Linux-RT-like monolithic
-- kernel (docs/compare.md, "The sensor loop"): work 0 and 90000 cycles,
-- 0, 1 and 4 cores looping on sched_yield, warm and cold, on the i7-8700.
-- (The yielders cost host time: about a minute at the defaults.)
local p = sim.params{ rounds = { 50, "measured rounds" }, period = { "5ms", "the sensor period" } }
print(string.format("%6s %8s %9s %7s %7s %10s %10s", "work", "yielders", "mean", "worst", "median", "cold mean",
                    "cold worst"))
for _, w in ipairs{ 0, 90000 } do
  for _, y in ipairs{ 0, 1, 4 } do
    local function run(warm)
      return monolithic.bench{ machine = machine{ preset = "i7-8700" }, measure = "sensor", rounds = p.rounds,
                               period = p.period, work = w, yielders = y, warm = warm }
    end
    local r, c = run(true), run(false)
    print(string.format("%6d %8d %9.1f %7d %7d %10.1f %10d", w, y, r.mean, r.worst, r.median, c.mean, c.worst))
  end
end
