-- Machine preset: x86_64 -- a 3.2 GHz, 4-core Skylake desktop part with PCID.
--
-- Every figure carries either a source (a manual with its section/table, a
-- datasheet, or a published measurement), a transparent derivation
-- ("derived: ..."), or is marked provisional with `calibrated = ...` and listed
-- in docs/calibration.md.  Costs are the pipeline's own price for an event in
-- core cycles; cache misses, TLB refills and coherence come out of the model.
--
-- Abbreviations used in the source strings:
--   OPT  = Intel 64 and IA-32 Architectures Optimization Reference Manual,
--          order no. 248966 (Skylake client microarchitecture section)
--   SDM  = Intel 64 and IA-32 Architectures Software Developer's Manual
--          (section numbers as in the 2016-2019 editions)
--   ARK  = Intel ARK product page, Core i5-6500
return {
  name = "x86_64",
  description = "Intel Core i5-6500 (Skylake-S desktop, 14 nm): 4 cores / 4 threads, "
             .. "3.2 GHz base (turbo not modelled), 32K+32K L1 and 256K L2 per core, "
             .. "6 MiB shared L3, PCID and INVPCID in use",
  arch = "x86_64",
  source = "ARK Core i5-6500: 4 cores, 4 threads, 3.20 GHz base frequency, 6 MB "
        .. "Intel Smart Cache, 2 memory channels DDR4-1866/2133; Skylake client "
        .. "microarchitecture per OPT (Skylake section)",
  cores = 4,
  frequency_hz = 3.2e9,

  memory = {
    size = { "8G", source = "configuration choice (ARK: the i5-6500 supports up to 64 GB)" },
    dram_latency = { "51ns", calibrated =
      "provisional; to be fitted to a published Skylake-client pointer-chase "
      .. "latency (7-cpu.com 'Intel Skylake' page reports RAM latency as L3 "
      .. "latency + ~51 ns on an i7-6700; not re-read in this pass), see docs/calibration.md" },
    bus = {
      line_transfer = { "2ns", source =
        "derived: one 64-byte line over dual-channel DDR4-2133 (ARK: 2 channels, "
        .. "DDR4-2133) = 64 B / (2 x 8 B x 2133 MT/s = 34.1 GB/s) = 1.9 ns" },
    },
    coherence_transfer_cycles = { 75, calibrated =
      "provisional; initial value is Intel's figure for an L3 hit on a line "
      .. "modified in another core (~75 cycles) from the Nehalem-era 'Performance "
      .. "Analysis Guide for Intel Core i7 Processor and Intel Xeon 5500 "
      .. "processors' (D. Levinthal); to be fitted to a Skylake-client core-to-core "
      .. "line transfer measurement, see docs/calibration.md" },
    -- Used when the machine is split into sockets (machine{ sockets = N },
    -- e.g. Speck's 4 sockets of 10 cores: cores = 40, sockets = 4): each
    -- socket has its own L3 (shared = "socket" below), and a line moved
    -- from, or an upgrade that invalidates a copy in, another socket costs
    -- this instead of coherence_transfer_cycles.  Memory stays one pool
    -- (no local/remote DRAM).
    socket_transfer_cycles = { 197, calibrated =
      "provisional; derived: the same-socket transfer above (75 cycles, Levinthal) plus one QPI "
      .. "hop, taken as the remote-minus-local DRAM latency that 7-cpu.com's 'Intel Westmere' page "
      .. "reports for a 2-socket Xeon X5650 (Westmere-EP): RAM = 40 cycles + 67 ns local, + 105 ns "
      .. "remote, so 38 ns = 121.6 -> 122 cycles at 3.2 GHz; 75 + 122 = 197, inside the '~100-300 "
      .. "cycles' Levinthal's guide gives for a remote L3 on Xeon 5500.  To be fitted to a "
      .. "cross-socket cache-to-cache measurement on Westmere-EX (Xeon E7-4800), see docs/calibration.md" },
  },

  caches = {
    l1i = { size = "32K", ways = 8, line = 64,
            hit_cycles = { 1, source =
              "derived: modelling convention -- instruction-fetch hits are pipelined "
              .. "and their slot is inside cpi; 1 = one fetch slot (see docs/calibration.md)" },
            replacement = "pseudo-lru", write = "none",
            source = "OPT table 'Cache Parameters of the Skylake Microarchitecture' "
                  .. "(Table 2-5 in the editions of c. 2016-2019, renumbered later): L1I 32 KB, 8 ways, 64 B lines; "
                  .. "replacement policy is not documented by Intel, pseudo-LRU assumed" },
    l1d = { size = "32K", ways = 8, line = 64, hit_cycles = 4,
            replacement = "pseudo-lru", write = "back",
            source = "OPT table 'Cache Parameters of the Skylake Microarchitecture': "
                  .. "L1D 32 KB, 8 ways, 64 B lines, fastest latency 4 cycles, writeback; "
                  .. "replacement not documented by Intel, pseudo-LRU assumed" },
    l2  = { size = "256K", ways = 4, line = 64, hit_cycles = 12,
            replacement = "pseudo-lru", write = "back",
            source = "OPT table 'Cache Parameters of the Skylake Microarchitecture': "
                  .. "L2 256 KB, 4 ways, 64 B lines, fastest latency 12 cycles, writeback "
                  .. "(private per core)" },
    l3  = { size = "6M",
            ways = { 12, source =
              "derived: OPT gives the client L3 as 'up to 2 MB per core / up to 16 "
              .. "ways'; the i5-6500 has 6 MB over 4 cores (ARK), i.e. 1.5 MB per "
              .. "slice with the same set count as a 2 MB/16-way slice, so 12 ways" },
            line = 64, hit_cycles = 44,
            replacement = "lru", write = "back", shared = "socket",
            source = "OPT table 'Cache Parameters of the Skylake Microarchitecture': "
                  .. "shared L3, 64 B lines, fastest latency 44 cycles, writeback; size 6 MB "
                  .. "from ARK; replacement not documented (adaptive in practice); the model's "
                  .. "pseudo-LRU needs a power-of-two number of ways, so true LRU is used" },
  },

  tlb = {
    itlb  = { entries = 128, ways = 8,
              source = "OPT table 'TLB Parameters of the Skylake Microarchitecture' "
                    .. "(Table 2-15 in 248966-045, Feb 2022): ITLB 4 KB pages, 128 entries, 8-way" },
    dtlb  = { entries = 64, ways = 4,
              source = "OPT table 'TLB Parameters of the Skylake Microarchitecture': "
                    .. "DTLB 4 KB pages, 64 entries, 4-way" },
    l2tlb = { entries = 1536, ways = 12,
              source = "OPT table 'TLB Parameters of the Skylake Microarchitecture': "
                    .. "STLB 4 KB + 2 MB pages, 1536 entries, 12-way" },
    asid = true,  -- PCID (SDM Vol. 3A 4.10.1); INVPCID available from Haswell on
  },

  irq = {
    controller = "lapic",
    lines = 224,
    ipi_latency = { "500ns", calibrated =
      "provisional; 500 ns is a placeholder, not a figure of this machine (zynq7000 and "
      .. "cortex-a53 start from the same number, i7-8700 from this one as the same core); "
      .. "to be fitted to an IPI one-way on a Skylake client part (ring-0 ICR write on one "
      .. "core to the first handler instruction on another, RDTSC on both), never to a "
      .. "published cross-core IPC result, see docs/calibration.md" },
    source = "SDM Vol. 3A 6.2 'Exception and Interrupt Vectors': vectors 32-255 are "
          .. "available for external interrupts (224 lines); local APIC per SDM Vol. 3A ch. 10",
  },

  timer = {
    kind = "tsc-deadline",
    frequency_hz = 3.2e9,
    source = "SDM Vol. 3A 10.5.4.1 'TSC-Deadline Mode'; SDM Vol. 3B 17.17 'Time-Stamp "
          .. "Counter' and 17.17.1 'Invariant TSC': the TSC increments at a constant rate "
          .. "set by the processor's maximum non-turbo frequency, 3.2 GHz base for the "
          .. "i5-6500 (ARK)",
  },

  costs = {
    cpi = { 0.8, calibrated =
      "provisional; to be fitted (with syscall_entry and syscall_exit) to a null system "
      .. "call on a Skylake desktop, with the kernel's instruction counts fixed by "
      .. "kernel/path_counts.h -- not to a published IPC result (the seL4 Skylake IPC "
      .. "figures this note once named are predictions to compare with, see "
      .. "docs/calibration.md)" },
    syscall_entry = { 76, calibrated =
      "fitted by `cossim calibrate` to the target chaos.switch (scenarios/lib/targets.lua, the "
      .. "one file that holds published figures); on the i7-8700, a Coffee Lake part with the same "
      .. "(Skylake) core, transferred here; see docs/calibration.md" },
    syscall_exit = { 40, calibrated =
      "provisional (SYSRET); fitted together with syscall_entry to the null system call, "
      .. "see docs/calibration.md" },
    exception_entry = { 440, calibrated =
      "provisional; initial value is the measured user-to-kernel page-fault "
      .. "crossing on a Haswell-EP Xeon E5 v3 (~440 cycles, an upper bound that "
      .. "includes entry bookkeeping; lastweek.io 'x86 Ring Switch Overhead', 2019); "
      .. "to be re-measured on Skylake, see docs/calibration.md" },
    exception_exit = { 270, calibrated =
      "provisional; initial value is the measured kernel-to-user return (IRET) on "
      .. "Haswell-EP (~270 cycles, upper bound; lastweek.io 'x86 Ring Switch "
      .. "Overhead', 2019); to be re-measured on Skylake, see docs/calibration.md" },
    irq_entry = { 440, calibrated =
      "provisional; assumed equal to exception_entry (both vector through the "
      .. "IDT); to be fitted to a Skylake interrupt-latency measurement, see docs/calibration.md" },
    irq_exit = { 270, calibrated =
      "provisional; assumed equal to exception_exit (IRET); fitted with irq_entry, "
      .. "see docs/calibration.md" },
    pt_switch = { 150, calibrated =
      "provisional (MOV to CR3 with PCID, no-flush bit set); to be fitted to a page-table "
      .. "switch microbenchmark (alternating CR3 writes between two PCIDs, RDTSC-timed) on "
      .. "a Skylake desktop, not to an IPC result, see docs/calibration.md" },
    tlb_flush_all = { 500, calibrated =
      "provisional (INVPCID type 2, all contexts incl. globals); to be fitted to a "
      .. "ring-0 RDTSC-timed microbenchmark on a Skylake desktop (no published figure "
      .. "located), see docs/calibration.md" },
    tlb_flush_asid = { 400, calibrated =
      "provisional (INVPCID type 1, single PCID); to be fitted to a ring-0 "
      .. "RDTSC-timed microbenchmark on a Skylake desktop (no published figure located), "
      .. "see docs/calibration.md" },
    tlb_flush_addr = { 200, calibrated =
      "provisional (INVLPG of one 4 KiB page, the instruction the kernel uses for one "
      .. "page of the current address space); ~200 cycles is the audit's figure for "
      .. "INVLPG on Skylake-class cores, not re-read from a table here (Agner Fog's "
      .. "instruction tables and Intel's OPT give no INVLPG row that was read in this "
      .. "pass).  Replaces 350, which was D. Hansen's LKML (2017-12-05) figure for an "
      .. "INVPCID single-address flush -- another instruction.  To be fitted to a "
      .. "ring-0 RDTSC-timed INVLPG loop over mapped pages on a Skylake desktop, see "
      .. "docs/calibration.md" },
    ipi_send = { 100, calibrated =
      "provisional (write of the local APIC ICR, x2APIC WRMSR); to be fitted with "
      .. "irq.ipi_latency to a ring-0 IPI ping-pong on a Skylake desktop (no published "
      .. "figure located), see docs/calibration.md" },
    timer_program = { 100, calibrated =
      "provisional (WRMSR IA32_TSC_DEADLINE); to be fitted to a ring-0 RDTSC-timed "
      .. "microbenchmark on a Skylake desktop (no published figure located), see docs/calibration.md" },
    fpu_save = { 100, calibrated =
      "provisional (XSAVEOPT of x87/SSE/AVX state); to be replaced by Agner Fog's "
      .. "instruction tables, Skylake, XSAVEOPT row (not read in this pass), see docs/calibration.md" },
    fpu_restore = { 120, calibrated =
      "provisional (XRSTOR); to be replaced by Agner Fog's instruction tables, "
      .. "Skylake, XRSTOR row (not read in this pass), see docs/calibration.md" },
    atomic_rmw = { 18, calibrated =
      "provisional (LOCK ADD m,r on a line in L1); to be replaced by Agner Fog's "
      .. "instruction tables, Skylake, LOCK ADD row (not read in this pass), see docs/calibration.md" },
  },
}
