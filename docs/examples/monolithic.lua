-- The Chaos Table II microbenchmarks on the Linux-RT-like monolithic
-- kernel (docs/compare.md): warm loops on the i7-8700, and the same from
-- cold caches and TLBs every round.
local p = sim.params{ rounds = { 200, "measured rounds" } }
print(string.format("%-7s %-11s %9s %9s %9s %9s", "measure", "sample", "mean", "worst", "cold mean", "ipis"))
for _, m in ipairs{ "switch", "ipc", "xcore" } do
  local w = monolithic.bench{ machine = machine{ preset = "i7-8700" }, measure = m, rounds = p.rounds }
  local c = monolithic.bench{ machine = machine{ preset = "i7-8700" }, measure = m, rounds = p.rounds, warm = false }
  print(string.format("%-7s %-11s %9.1f %9d %9.1f %9d", m, w.unit, w.mean, w.worst, c.mean, w.stats.ipis))
end
