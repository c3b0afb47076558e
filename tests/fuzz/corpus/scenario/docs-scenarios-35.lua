local m = machine{ preset = "cortex-m7" }
local sys = system{ machine = m, policy = "fp", check = true }
sys:task{ name = "t", priority = 1, period = "500us", body = { {"compute", 20000} } }
sys:run("5ms")
sys:run("5ms")
local r = sys:results()
assert(r.tasks[1].jobs == 20)
assert(sys:kernel():check() and sys:kernel():stats().check_failures == 0)
print(string.format("response %.1f us", r.tasks[1].resp_max_ns / 1e3))
