local report = require("report")     -- scenarios/lib/report.lua
print(report.table{ header = { "task", "ms" }, rows = { { "a", 1.5 }, { "b", 12 } } })
local s = report.stats({ 3, 1, 2 })
print(s.mean, s.min, s.max)          --> 2.0  1  3
