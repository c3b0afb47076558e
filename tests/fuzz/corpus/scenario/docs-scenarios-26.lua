local m = machine{ preset = "cortex-a9" }
local sys = system{ machine = m, policy = "fp", locks = { l = "ceiling" } }
sys:task{ name = "ctl", priority = 1, period = "1ms", jitter = "50us",
          body = { {"lock", "l"}, {"compute", {"uniform", 10000, 20000}}, {"unlock", "l"} } }
sys:task{ name = "io", priority = 2, period = "2ms", sporadic = { extra = "1ms" }, memory = "8K",
          body = { {"touch", 0, "8K", "write"}, {"send", "rx"} } }
sys:task{ name = "rx", core = 1, priority = 1, period = "1ms", body = { {"recv"}, {"compute", 5000} } }
sys:run("20ms")
local r = sys:results()
assert(r.tasks[1].jobs == 20 and r.tasks[1].missed == 0)
assert(r.tasks[3].jobs >= 1)
