local m = machine{ preset = "cortex-a9" }
local d = m:device{ line = 40, core = 0, periodic = "1ms", phase = "500us" }
sim.run("3600us")
local st = d:stats()
-- raises at 0.5, 1.5, 2.5 and 3.5 ms: the first is pending, nobody takes
-- it, the other three merge into it; the next is due at 4.5 ms
assert(st.raised == 1 and st.coalesced == 3 and st.next == sim.time("4.5ms"))
assert(m:pending(0, 40))
