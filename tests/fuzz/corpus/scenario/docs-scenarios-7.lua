local function worker(period, count)
  local name = sim.self()
  for i = 1, count do
    sim.wait(period)
    print(name, i, sim.format(sim.now()))
  end
end
sim.spawn("fast", worker, "1ms", 3)
sim.spawn("slow", worker, "2ms", 2)
sim.spawn("deadline", function()
  sim.wait_until("2500us")
  print("deadline at", sim.format(sim.now()))
end)
sim.run("10ms")
