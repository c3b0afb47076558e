local m = machine{ preset = "x86_64", cores = 1 }
local sys = system{ machine = m, policy = "fp" }
sys:task{ name = "t", priority = 1, period = "1ms", offset = "100us", body = { {"tick", "1ms"}, {"compute", "20us"} } }
sys:task{ name = "u", priority = 2, period = "1ms", body = { {"compute", "50us"}, {"timeout", "200us"}, {"compute", "50us"} } }
sys:run("10ms")
local r = sys:results()
assert(r.tasks[1].jobs == 9 and r.tasks[2].jobs == 10 and r.timers.waits == 19)
print(string.format("lateness %d..%d cycles", r.timers.late_min_cycles, r.timers.late_max_cycles))
