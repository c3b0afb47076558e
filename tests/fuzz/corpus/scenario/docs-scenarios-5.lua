sim.after("1us", function() end)
sim.after("2us", function() end)
sim.run("1500ns")
local st = sim.stats()
print(st.now, st.events, st.pending)   --> 1.5us  1  1
