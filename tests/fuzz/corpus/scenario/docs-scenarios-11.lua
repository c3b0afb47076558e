local p = sim.params{
  load = { 0.5, "utilisation, below 1" },
  span = { "1ms", "simulated time to run" },
  verbose = { false, "print every job" },
}
print("load", p.load, "span", sim.format(sim.time(p.span)), "verbose", p.verbose)
