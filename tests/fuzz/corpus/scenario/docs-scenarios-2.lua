sim.after("3us", function() print("now", sim.format(sim.now())) end)   --> now 3us
sim.run("10us")
print(sim.now(), sim.now():ps())                                       --> 10us  10000000
local deadline = sim.now() + sim.time("5us")
assert(deadline - sim.now() == sim.time("5us"))
