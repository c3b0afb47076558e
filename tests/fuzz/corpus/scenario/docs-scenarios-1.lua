sim.after("3us", function() print("now", sim.format(sim.now())) end)   --> now 3us
sim.run("10us")
print(sim.format(sim.now()))                                            --> 10us
