assert(sim.time("1.5us") == 1500000)
assert(sim.us(1.5) == sim.time("1.5us"))
assert(sim.ms(2) == 2000000000)
print(sim.format(1500000), sim.format(sim.s(3)), sim.format(7))   --> 1.5us  3s  7ps
