local m = machine{ preset = "cortex-a9", cores = 2 }
local sys = system{ machine = m, policy = "fp", channels = { q = { slots = 4, size = 128 } } }
sys:task{ name = "prod", core = 0, priority = 1, period = "1ms", body = { {"compute", "50us"}, {"put", "q"} } }
sys:task{ name = "cons", core = 1, priority = 1, period = "1ms", body = { {"get", "q"}, {"compute", "20us"} } }
sys:run("10ms")
local q = sys:results().channels.q
assert(q.puts == 10 and q.gets == 10 and q.empty_waits == 10)
print(string.format("put to get: %d to %d cycles", q.latency_min_cycles, q.latency_max_cycles))
