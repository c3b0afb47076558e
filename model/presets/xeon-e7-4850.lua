-- Machine preset: xeon-e7-4850 -- a 4-socket Intel Xeon E7-4850 (Westmere-EX)
-- server, the class of Speck's (RTAS 2015) 40-core 2.0 GHz machine: 4 sockets
-- of 10 cores, a 24 MiB L3 per socket shared by its 10 cores, QPI between
-- the sockets (a line from another socket dearer than one from within).
--
-- Few Westmere-EX cycle figures were read for this preset: the cache and TLB
-- geometry come from Intel's optimization manual (the Nehalem section, which
-- covers Westmere), the part from ARK; the latencies and every event cost are
-- provisional, each naming the microbenchmark it is to be fitted to on this
-- machine.  None is set from a published IPC, thread-switch or IPI result.
--
-- Not modelled: local versus remote DRAM (memory is one pool behind one bus,
-- docs/machines.md "Sockets and clusters"), hyper-threading (off), the
-- LAPIC timer's one-shot mode (Westmere has no TSC-deadline mode, which came
-- with Sandy Bridge; the model's tsc-deadline timer stands in for it).
--
-- Abbreviations used in the source strings:
--   OPT  = Intel 64 and IA-32 Architectures Optimization Reference Manual,
--          order no. 248966 (Nehalem microarchitecture section, which covers
--          Westmere)
--   SDM  = Intel 64 and IA-32 Architectures Software Developer's Manual
--   ARK  = Intel ARK product page, Xeon E7-4850
return {
  name = "xeon-e7-4850",
  description = "4-socket Intel Xeon E7-4850 (Westmere-EX, 32 nm) server, the class of Speck's "
             .. "(RTAS 2015) machine: 4 x 10 cores at 2.0 GHz, hyper-threading off, 32K+32K L1 and "
             .. "256K L2 per core, 24 MiB L3 per socket shared by its 10 cores, QPI between sockets, "
             .. "PCID not used",
  arch = "x86_64",
  source = "ARK Xeon E7-4850: 10 cores, 20 threads, 2.00 GHz, 24 MB Intel Smart Cache, up to "
        .. "4 sockets (4S) over Intel QPI, 4 memory channels DDR3-1066; Westmere is the 32 nm "
        .. "Nehalem microarchitecture (OPT, Nehalem section)",
  cores = 40,
  sockets = 4,
  frequency_hz = 2.0e9,

  memory = {
    size = { "64G", source = "configuration choice (a 4-socket Westmere-EX server carries "
                            .. "tens to hundreds of GB)" },
    dram_latency = { "67ns", calibrated =
      "provisional; initial value the local DRAM latency 7-cpu.com's 'Intel Westmere' page "
      .. "gives for a 2-socket Xeon X5650 (Westmere-EP: 40 cycles + 67 ns), as cited by the "
      .. "x86_64 preset; Westmere-EX's memory goes through scalable memory buffers and is "
      .. "slower; to be fitted to a pointer chase over socket-local memory on the E7-4850, "
      .. "see docs/calibration.md" },
    bus = {
      line_transfer = { "1876ps", source =
        "derived: one 64-byte line over one socket's 4 DDR3-1066 channels (ARK: 4 channels, "
        .. "DDR3-1066) = 64 B / (4 x 8 B x 1066 MT/s = 34.1 GB/s) = 1.876 ns; the model "
        .. "has one memory bus for all sockets, so this is the bus of one" },
    },
    coherence_transfer_cycles = { 75, calibrated =
      "provisional; Levinthal's ~75 cycles for an L3 hit on a line modified in another "
      .. "core of the same socket ('Performance Analysis Guide for Intel Core i7 Processor "
      .. "and Intel Xeon 5500 processors', Nehalem, the same core and uncore design); to be "
      .. "fitted to a same-socket cache-line ping-pong on the E7-4850, see docs/calibration.md" },
    socket_transfer_cycles = { 151, calibrated =
      "provisional; derived: the same-socket 75 cycles plus one QPI hop taken as the "
      .. "remote-minus-local DRAM latency of 7-cpu.com's 'Intel Westmere' page (67 ns local, "
      .. "105 ns remote on a 2-socket X5650: 38 ns = 76 cycles at 2.0 GHz); 75 + 76 = 151, "
      .. "inside Levinthal's '~100-300 cycles' for a remote L3.  Westmere-EX's 4 sockets are "
      .. "fully connected by QPI (one hop).  To be fitted to a cross-socket cache-line "
      .. "ping-pong on the E7-4850 (Molka et al.'s method, 'Memory performance and cache "
      .. "coherency effects on an Intel Nehalem multiprocessor system', PACT 2009, was for "
      .. "Nehalem-EP, not read for figures here), see docs/calibration.md" },
  },

  caches = {
    l1i = { size = "32K", ways = 4, line = 64,
            hit_cycles = { 1, source =
              "derived: modelling convention -- instruction-fetch hits are pipelined "
              .. "and their slot is inside cpi; 1 = one fetch slot (see docs/calibration.md)" },
            replacement = "pseudo-lru", write = "none",
            source = "OPT, Nehalem section, cache parameters table: L1 instruction cache 32 KB, "
                  .. "4 ways, 64 B lines; replacement not documented, pseudo-LRU assumed" },
    l1d = { size = "32K", ways = 8, line = 64, hit_cycles = 4,
            replacement = "pseudo-lru", write = "back",
            source = "OPT, Nehalem section, cache parameters table: L1 data cache 32 KB, 8 ways, "
                  .. "64 B lines, 4-cycle load-to-use, writeback" },
    l2  = { size = "256K", ways = 8, line = 64, hit_cycles = 10,
            replacement = "pseudo-lru", write = "back",
            source = "OPT, Nehalem section, cache parameters table: unified L2 256 KB per core, "
                  .. "8 ways, 64 B lines, 10-cycle latency, writeback" },
    l3  = { size = "24M", ways = 24, line = 64,
            hit_cycles = { 50, calibrated =
              "provisional; no Westmere-EX L3 latency was read (the EX parts' L3 sits on a "
              .. "ring of 8-10 slices and is slower than the EP parts' ~40 cycles); to be fitted "
              .. "to the L3 plateau of a pointer chase on the E7-4850, see docs/calibration.md" },
            replacement = "lru", write = "back", shared = "socket",
            source = "ARK: 24 MB per socket, shared by its cores; 24 ways assumed (the model "
                  .. "needs a power-of-two number of sets: 24 MiB / (64 B x 24) = 16384); true "
                  .. "LRU since pseudo-LRU needs a power-of-two number of ways" },
  },

  tlb = {
    itlb  = { entries = 128, ways = 4,
              source = "OPT, Nehalem section, TLB parameters: ITLB 4 KB pages, 128 entries, 4-way" },
    dtlb  = { entries = 64, ways = 4,
              source = "OPT, Nehalem section, TLB parameters: DTLB 4 KB pages, 64 entries, 4-way" },
    l2tlb = { entries = 512, ways = 4,
              source = "OPT, Nehalem section, TLB parameters: STLB 4 KB pages, 512 entries, 4-way" },
    asid = false,  -- Westmere has PCID (CPUID.01H:ECX.PCID) but no INVPCID; assumed not used
  },

  irq = {
    controller = "lapic",
    lines = 224,
    ipi_latency = { "8518500ps", calibrated =
      "fitted by `cossim calibrate` to the target speck.xcore (scenarios/lib/targets.lua, the "
      .. "one file that holds published figures); the cross-core send one way on this machine (the "
      .. "benchmark's sender and receiver in one socket); one latency for every pair of cores; see "
      .. "docs/calibration.md" },
    source = "SDM Vol. 3A 6.2: vectors 32-255 for external interrupts (224 lines); x2APIC "
          .. "(Westmere-EX supports it, SDM Vol. 3A ch. 10) addresses 40 cores",
  },

  timer = {
    kind = "tsc-deadline",
    frequency_hz = 2.0e9,
    source = "SDM Vol. 3B 17.17.1 'Invariant TSC': constant rate at the maximum non-turbo "
          .. "frequency, 2.0 GHz (ARK).  Westmere has no TSC-deadline mode (SDM Vol. 3A "
          .. "10.5.4.1: CPUID.01H:ECX.TSC_Deadline, from Sandy Bridge); the model's "
          .. "tsc-deadline timer stands in for the LAPIC timer in one-shot mode",
  },

  costs = {
    cpi = { 1.0, calibrated =
      "provisional; Westmere issues 4 micro-ops a cycle like Skylake but with a smaller "
      .. "window, so an initial value above the x86_64 preset's 0.8; to be fitted to a null "
      .. "system call on the E7-4850 with the kernel's instruction counts fixed by "
      .. "kernel/path_counts.h, see docs/calibration.md" },
    syscall_entry = { 70, calibrated =
      "provisional (SYSCALL to the first kernel instruction); initial value a guess above "
      .. "the Skylake preset's 60 for the older core; to be fitted to a null system call on "
      .. "the E7-4850, see docs/calibration.md" },
    syscall_exit = { 45, calibrated =
      "provisional (SYSRET); fitted with syscall_entry to the null system call, see "
      .. "docs/calibration.md" },
    exception_entry = { 440, calibrated =
      "provisional; initial value the measured Haswell-EP page-fault crossing (~440 cycles, "
      .. "lastweek.io 'x86 Ring Switch Overhead', 2019), as for x86_64; to be fitted to a user "
      .. "page-fault round trip on the E7-4850, see docs/calibration.md" },
    exception_exit = { 270, calibrated =
      "provisional; IRET on Haswell-EP (~270 cycles, lastweek.io), as for x86_64; fitted with "
      .. "exception_entry, see docs/calibration.md" },
    irq_entry = { 440, calibrated =
      "provisional; assumed equal to exception_entry (both vector through the IDT); to be "
      .. "fitted to an interrupt-latency microbenchmark on the E7-4850, see docs/calibration.md" },
    irq_exit = { 270, calibrated =
      "provisional; assumed equal to exception_exit (IRET); fitted with irq_entry to the "
      .. "same interrupt-latency microbenchmark, see docs/calibration.md" },
    pt_switch = { 200, calibrated =
      "provisional (MOV to CR3 without PCID: the write itself; the TLB refills that follow "
      .. "come out of the model); to be fitted to a page-table switch microbenchmark "
      .. "(alternating CR3 writes, RDTSC-timed) on the E7-4850, see docs/calibration.md" },
    tlb_flush_all = { 200, calibrated =
      "provisional (MOV to CR3 with global pages toggled off and on through CR4.PGE: no "
      .. "INVPCID on Westmere); to be fitted to a ring-0 RDTSC-timed loop, see docs/calibration.md" },
    tlb_flush_asid = { 200, calibrated =
      "provisional (no PCID in use: a CR3 write flushes the non-global entries); to be "
      .. "fitted to a ring-0 RDTSC-timed loop, see docs/calibration.md" },
    tlb_flush_addr = { 200, calibrated =
      "provisional (INVLPG, ~200 cycles as for the Skylake presets; no Westmere figure read); "
      .. "to be fitted to a ring-0 RDTSC-timed INVLPG loop on the E7-4850, see docs/calibration.md" },
    ipi_send = { 100, calibrated =
      "provisional (x2APIC ICR write, WRMSR); fitted with irq.ipi_latency to the E7-4850 IPI "
      .. "one-way, see docs/calibration.md" },
    timer_program = { 100, calibrated =
      "provisional (a write of the LAPIC timer's initial count); to be fitted to a ring-0 "
      .. "RDTSC-timed loop on the E7-4850, see docs/calibration.md" },
    fpu_save = { 100, calibrated =
      "provisional (XSAVE of x87/SSE state); to be taken from Agner Fog's instruction tables, "
      .. "Westmere rows (not read in this pass), see docs/calibration.md" },
    fpu_restore = { 120, calibrated =
      "provisional (XRSTOR); to be taken from Agner Fog's instruction tables, Westmere rows "
      .. "(not read in this pass), see docs/calibration.md" },
    atomic_rmw = { 20, calibrated =
      "provisional (LOCK ADD on a line in L1); to be taken from Agner Fog's instruction "
      .. "tables, Westmere rows (not read in this pass), see docs/calibration.md" },
  },
}
