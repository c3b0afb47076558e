local lottery = require("lottery")
local m = machine{ preset = "x86_64", cores = 1 }
local sys = system{ machine = m, scheduler = lottery.scheduler{ quantum = "1ms" } }
sys:task{ name = "big", weight = 3, period = "1s", body = { {"compute", "30ms"} } }
sys:task{ name = "small", weight = 1, period = "1s", body = { {"compute", "30ms"} } }
sys:run("100ms")
local r = sys:results().tasks
print(r[1].resp_max_ns / 1e6, r[2].resp_max_ns / 1e6)   -- about 40 and 60 ms
