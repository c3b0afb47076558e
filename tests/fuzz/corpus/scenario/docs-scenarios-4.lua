sim.after("5ms", function() sim.stop("enough") end)
print(sim.run("1s"), sim.format(sim.now()))   --> request  5ms
