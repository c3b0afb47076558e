local m = machine{ preset = "cortex-m7" }
local sys = kernel.boot{ machine = m, booter = "ipc-bench", arg = 20 | (5 << 32) }
sim.run("2ms")
print(sys:report("sinv.median"), sys:report("ipc.median"))   --> 328  714
local p = sys:paths().sinv
print(p.n, p.cycles // p.n, p.arch // p.n)                    --> 25  181  26
print(sys:stats().errors, sys:check())                         --> 0  true
