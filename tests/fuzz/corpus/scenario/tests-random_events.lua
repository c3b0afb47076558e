-- Test data: draws from a random stream and traces what it drew
local r = sim.rng("draws")
for i = 1, 20 do
  sim.at(sim.ps(r:int(0, 1000000)), function() sim.event("draw", { a0 = i }) end)
end
sim.run("1us")
return { drawn = 20 }
