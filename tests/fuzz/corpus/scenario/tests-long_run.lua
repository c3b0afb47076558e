-- Test data: runs for a long time (host time), for interrupting
local n = 0
local function tick()
  n = n + 1
  sim.event("tick", { a0 = n })
  sim.after("1ns", tick)
end
sim.after(0, tick)
sim.run("1000s")
