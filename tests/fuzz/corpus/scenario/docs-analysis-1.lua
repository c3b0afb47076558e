return {
  misses = 0,                                   -- deadline misses, all tasks
  tasks = {
    control = { response = "240us",             -- worst response
                misses = 0,                     -- this task's misses
                within_bound = true },          -- worst <= the analytic bound above
  },
  invocation = "25us",                          -- longest k.sinv to k.sret
  kernel_paths = { sinv = 1600, irq = 2800 },   -- longest run of a kernel path, cycles
}
