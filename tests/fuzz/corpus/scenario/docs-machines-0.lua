return {
  name = "cortex-a9",
  description = "Zynq-7000 class: dual-core Cortex-A9 MPCore, 667 MHz",
  arch = "armv7-a",          -- x86_64 | armv7-a | armv8-a | armv7-m | armv7e-m | armv8-m
  source = "Xilinx DS190 (Zynq-7000 data sheet) v1.x; ARM DDI 0388I (Cortex-A9 TRM r4p1)",
  cores = 2,
  sockets = 1,                -- optional: sockets (x86) or clusters (ARM), dividing the cores
  frequency_hz = 667e6,

  memory = {                  -- physical memory and the path to it
    size = "1G",
    dram_latency = { "110ns", source = "..." },       -- load-to-use after the last cache level
    bus = {                    -- shared between cores: one line transfer occupies it for `line_transfer`
      line_transfer = { "10ns", source = "..." },
    },
    coherence_transfer_cycles = { 30, source = "..." }, -- a line moved from another core's cache
    socket_transfer_cycles = { 90, source = "..." },   -- ... from another socket's; required with sockets > 1
  },

  caches = {                  -- levels in order; `shared = true` for one cache for all cores,
                              -- `shared = "socket"` for one per socket (cluster), shared within it
    l1i = { size = "32K", ways = 4, line = 32, hit_cycles = 1, replacement = "pseudo-lru",
            write = "none", source = "ARM DDI 0388I section 7.1" },
    l1d = { size = "32K", ways = 4, line = 32, hit_cycles = 4, replacement = "pseudo-lru",
            write = "back", source = "..." },
    l2  = { size = "512K", ways = 8, line = 32, hit_cycles = 25, replacement = "pseudo-lru",
            write = "back", shared = true, source = "ARM DDI 0246 (L2C-310 TRM)" },
  },

  tlb = {                     -- x86_64 and armv7-a/armv8-a only
    itlb = { entries = 32, ways = 32, source = "..." },
    dtlb = { entries = 32, ways = 32, source = "..." },
    l2tlb = { entries = 128, ways = 2, source = "..." },   -- optional unified second level
    asid = true,               -- PCID (x86_64) or ASID (ARM) in use by the kernel
  },

  mpu = nil,                  -- M profile: { arch = "v7m" (armv7-m, armv7e-m) | "v8m" (armv8-m), regions = 8, source = "..." }

  irq = { controller = "gic", lines = 96, ipi_latency = { "500ns", source = "..." }, source = "..." },
                              -- lapic | gic (GICv2, at most 8 cores) | gicv3 | nvic
  timer = { kind = "arm-private", frequency_hz = 333.5e6, source = "..." },
                              -- tsc-deadline | arm-generic | arm-private | systick

  costs = {                   -- cycles of this core, per event; each with its source
    cpi = { 1.2, source = "..." },                 -- straight-line kernel code
    syscall_entry = { 0, source = "..." },         -- user -> kernel on a system call (SVC / SYSCALL)
    syscall_exit = { 0, source = "..." },          -- kernel -> user (ERET / SYSRET)
    exception_entry = { 0, source = "..." },       -- a fault (page fault, MemManage)
    exception_exit = { 0, source = "..." },
    irq_entry = { 0, source = "..." },             -- interrupt taken: to the first handler instruction
    irq_exit = { 0, source = "..." },
    irq_tail_chain = { 0, source = "..." },        -- Cortex-M only
    pt_switch = { 0, source = "..." },             -- write the page-table base (CR3 / TTBR0), the instruction itself
    tlb_flush_all = { 0, source = "..." },
    tlb_flush_asid = { 0, source = "..." },
    tlb_flush_addr = { 0, source = "..." },
    mpu_region_write = { 0, source = "..." },      -- Cortex-M: one region's registers
    ipi_send = { 0, source = "..." },              -- at the sender
    timer_program = { 0, source = "..." },
    fpu_save = { 0, source = "..." },
    fpu_restore = { 0, source = "..." },
    atomic_rmw = { 0, source = "..." },            -- uncontended, line already in L1
  },
}
