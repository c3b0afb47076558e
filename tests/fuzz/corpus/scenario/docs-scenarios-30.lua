local m = machine{ preset = "x86_64", cores = 1 }
local sys = system{ machine = m, policy = "fp" }
sys:task{ name = "t", priority = 2, period = "1ms", body = { {"compute", "100us"} } }
sys:irq{ name = "nic", line = 40, work = "10us", budget = "100us", period = "1ms" }
m:device{ line = 40, core = 0, periodic = "50us" }
sys:run("10ms")
local q = sys:results().irqs[1]
assert(q.handled > 50 and q.expiries > 0)
