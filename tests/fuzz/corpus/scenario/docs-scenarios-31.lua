local m = machine{ preset = "x86_64", cores = 1 }
local sys = system{ machine = m, policy = "fp" }
sys:group{ name = "video", priority = 2, budget = "2ms", period = "5ms", policy = "edf" }
sys:task{ name = "ctl", priority = 1, period = "5ms", body = { {"compute", "1ms"} } }
sys:task{ name = "dec", group = "video", period = "10ms", body = { {"compute", "3ms"} } }
sys:task{ name = "hog", group = "video", period = "10ms", deadline = "10ms", body = { {"compute", "9ms"} } }
sys:run("100ms")
local r = sys:results()
assert(r.tasks[1].missed == 0)                     -- the hog stays inside its group
assert(r.groups.video.expiries >= 19)              -- the group's budget ran out every period
print(r.tasks[2].group, r.tasks[2].jobs, r.tasks[3].missed)
