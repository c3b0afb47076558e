local m = machine{ preset = "cortex-m7" }
local sys = system{ machine = m, policy = "fp" }
sys:component{ name = "probe", image = "rogue", args = { target = "app" } }
sys:task{ name = "t", priority = 1, period = "1ms", body = { {"invoke", "probe"} } }
sys:run("5ms")
local p = sys:results().components.probe
assert(p.faults == p.calls and p.calls >= 5)      -- every touch of the app's memory faulted
assert(sys:kernel():stats().faults == p.faults)   -- each one a k.fault in the trace
