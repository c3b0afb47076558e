assert(sim.time("1.5us"):ps() == 1500000)
assert(sim.us(1.5) == sim.time("1.5us"))
assert(sim.ms(2) == sim.ps(2000000000))
print(sim.format(sim.ps(1500000)), sim.format(sim.s(3)), sim.ps(7))   --> 1.5us  3s  7ps
local period = sim.time("4ms")
print(period * 2.5, period / 8, sim.time("10ms") / period, -period)   --> 10ms  500us  2.5  -4ms
assert(sim.time("1ms") < period and period == sim.us(4000))
