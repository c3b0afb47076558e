sim.run("1ms")
return { jobs = 10, mean_response_ps = 1.5e6, tasks = { "a", "b" } }
