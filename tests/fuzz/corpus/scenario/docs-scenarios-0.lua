local mean = sim.time("100us")
local gap_ps = sim.rng("arrivals"):exponential(mean:ps())   -- a float of ps
sim.after(sim.ps(math.floor(gap_ps + 0.5)), function() end)
