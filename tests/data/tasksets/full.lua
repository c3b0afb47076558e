-- U = 2/4 + 3/6 = 1: EDF schedules it, fixed priority cannot
return {
  { name = "x", period = "4ms", wcet = "2ms" },
  { name = "y", period = "6ms", wcet = "3ms" },
}
