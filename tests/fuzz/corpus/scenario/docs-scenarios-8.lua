local arrivals = sim.rng("arrivals")
local sizes = sim.rng("sizes")
local a1 = arrivals:exponential(1000)
local again = sim.rng("arrivals")
assert(again:exponential(1000) == a1)        -- same seed and name, same numbers
print(sizes:int(1, 6), sizes:uniform(), arrivals:uniform(10, 20))
print(math.random(100))                      -- math.random is the "lua.math" stream
