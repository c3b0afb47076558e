-- Test data: fails at run time on line 4, inside an event
sim.event("before")
sim.after("1ms", function()
  local cfg = nil; return cfg.missing
end)
sim.run("10ms")
