-- A test machine: figures are made up, and say so (they test the loader)
return {
  name = "tiny",
  description = "two made-up cores for the loader's tests",
  arch = "armv7-a",
  source = "made up for tests/test_machine.c",
  cores = 2,
  frequency_hz = 667e6,
  memory = {
    size = "64M",
    dram_latency = { "80ns", source = "test figure A" },
    bus = { line_transfer = "5ns" },
    coherence_transfer_cycles = 30,
  },
  caches = {
    l1i = { size = "32K", ways = 4, line = 32, hit_cycles = 1, replacement = "pseudo-lru", write = "none" },
    l1d = { size = "32K", ways = 4, line = 32, hit_cycles = 4, replacement = "pseudo-lru", write = "back" },
    l2 = { size = "512K", ways = 8, line = 32, hit_cycles = 25, replacement = "pseudo-lru", shared = true,
           source = "test figure B" },
  },
  tlb = { itlb = { entries = 32, ways = 32 }, dtlb = { entries = 32, ways = 32 }, l2tlb = { entries = 128, ways = 2 } },
  irq = { controller = "gic", lines = 96, ipi_latency = "500ns" },
  timer = { kind = "arm-private", frequency_hz = 333.5e6 },
  costs = {
    cpi = 1.5,
    syscall_entry = { 40, calibrated = "to be fitted" },
    syscall_exit = 30,
    irq_entry = 50,
    irq_exit = 40,
    pt_switch = 20,
  },
}
