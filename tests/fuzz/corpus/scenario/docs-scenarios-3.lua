local n = 0
local function tick() n = n + 1; sim.after("1ms", tick) end
sim.after(0, tick)
print(sim.run("2500us"), n)   --> time  3   (ticks at 0, 1ms, 2ms)
print(sim.run("1ms"), n)      --> time  4
