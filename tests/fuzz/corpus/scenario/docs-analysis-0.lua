return {
  overheads = { ctx_switch = "2us", sched = "1us", irq = "3us", invocation = 0 },
  tasks = {
    { name = "x", period = "4ms", wcet = "2ms" },
    { name = "y", period = "6ms", wcet = "3ms", deadline = "5ms", jitter = "100us" },
  },
}
