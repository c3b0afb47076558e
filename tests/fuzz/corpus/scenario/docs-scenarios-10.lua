local load = params.load or 0.5          -- cossim run this.lua --set load=0.8
local span = params.span or "1ms"
print("load", load, "span", sim.format(sim.time(span)))
