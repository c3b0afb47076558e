local m = machine{ preset = "x86_64", cores = 2 }
local sys = system{ machine = m, policy = "fp" }
sys:component{ name = "fwd", image = "ipi-ratelimit", args = { limit = 3, window = 3200000 } }
sys:grant{ from = "fwd", to = "rx", kind = "asnd", name = "to" }
sys:task{ name = "tx", core = 0, priority = 1, period = "100us", body = { {"invoke", "fwd"} } }
sys:task{ name = "rx", core = 1, priority = 1, period = "10us", body = { {"recv"} } }
sys:run("10ms")
local f = sys:results().components.fwd
assert(f.forwarded == 30 and f.dropped == 70)
