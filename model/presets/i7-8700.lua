-- Machine preset: i7-8700 -- Intel Core i7-8700 (Coffee Lake-S), the machine
-- of Chaos (RTAS 2019): 6 cores at 3.2 GHz base, hyper-threading off as in
-- that paper, 12 MiB shared L3, PCID and INVPCID in use.
--
-- Coffee Lake is the Skylake client microarchitecture (Intel's OPT describes
-- Coffee Lake under its Skylake section): the core-internal figures (cache
-- and TLB geometry, L1/L2/L3 latencies, event costs) are the x86_64 preset's
-- (i5-6500, Skylake), transferred and said so in each string.  What differs is
-- the part: 6 cores, 12 MiB of L3, DDR4-2666.
--
-- Every figure carries a source, a derivation ("derived: ..."), or is marked
-- provisional with `calibrated = ...` naming the microbenchmark a later
-- `cossim calibrate` fits it to; none is set from a published IPC, thread-switch
-- or cross-core result.
--
-- Abbreviations used in the source strings:
--   OPT  = Intel 64 and IA-32 Architectures Optimization Reference Manual,
--          order no. 248966 (Skylake client microarchitecture section)
--   SDM  = Intel 64 and IA-32 Architectures Software Developer's Manual
--   ARK  = Intel ARK product page, Core i7-8700
return {
  name = "i7-8700",
  description = "Intel Core i7-8700 (Coffee Lake-S desktop, 14 nm, the Chaos RTAS 2019 machine): "
             .. "6 cores, hyper-threading off, 3.2 GHz base (turbo not modelled), 32K+32K L1 and "
             .. "256K L2 per core, 12 MiB shared L3, PCID and INVPCID in use",
  arch = "x86_64",
  source = "ARK Core i7-8700: 6 cores, 12 threads (hyper-threading off here, as in Chaos, "
        .. "RTAS 2019, evaluation setup), 3.20 GHz base frequency, 12 MB Intel Smart Cache, "
        .. "2 memory channels DDR4-2666; Coffee Lake is the Skylake client microarchitecture (OPT, "
        .. "Skylake section)",
  cores = 6,
  frequency_hz = 3.2e9,

  memory = {
    size = { "16G", source = "configuration choice (ARK: the i7-8700 supports up to 128 GB)" },
    dram_latency = { "51ns", calibrated =
      "provisional; transferred from the x86_64 (Skylake client) preset, whose initial value "
      .. "is 7-cpu.com's 'Intel Skylake' RAM latency (L3 + ~51 ns, i7-6700); to be fitted to "
      .. "a pointer-chase over a buffer larger than the L3 on the i7-8700, see docs/calibration.md" },
    bus = {
      line_transfer = { "1500ps", source =
        "derived: one 64-byte line over dual-channel DDR4-2666 (ARK: 2 channels, DDR4-2666) "
        .. "= 64 B / (2 x 8 B x 2666 MT/s = 42.66 GB/s) = 1.500 ns" },
    },
    coherence_transfer_cycles = { 75, calibrated =
      "provisional; transferred from the x86_64 preset (Levinthal's ~75 cycles for an L3 hit "
      .. "on a line modified in another core, Nehalem-era guide); to be fitted to a core-to-core "
      .. "cache-line ping-pong on the i7-8700, see docs/calibration.md" },
  },

  caches = {
    l1i = { size = "32K", ways = 8, line = 64,
            hit_cycles = { 1, source =
              "derived: modelling convention -- instruction-fetch hits are pipelined "
              .. "and their slot is inside cpi; 1 = one fetch slot (see docs/calibration.md)" },
            replacement = "pseudo-lru", write = "none",
            source = "OPT table 'Cache Parameters of the Skylake Microarchitecture': L1I 32 KB, "
                  .. "8 ways, 64 B lines (Coffee Lake = Skylake core); pseudo-LRU assumed" },
    l1d = { size = "32K", ways = 8, line = 64, hit_cycles = 4,
            replacement = "pseudo-lru", write = "back",
            source = "OPT table 'Cache Parameters of the Skylake Microarchitecture': L1D 32 KB, "
                  .. "8 ways, 64 B lines, fastest latency 4 cycles, writeback (Skylake core)" },
    l2  = { size = "256K", ways = 4, line = 64, hit_cycles = 12,
            replacement = "pseudo-lru", write = "back",
            source = "OPT table 'Cache Parameters of the Skylake Microarchitecture': L2 256 KB, "
                  .. "4 ways, 64 B lines, fastest latency 12 cycles, writeback, private (Skylake core)" },
    l3  = { size = "12M",
            ways = { 12, source =
              "derived: ARK gives 12 MB; OPT gives the client L3 as 'up to 2 MB per core / up "
              .. "to 16 ways', i.e. 6 slices of 2 MB, 16 ways, 2048 sets each, chosen by an "
              .. "address hash.  The model has one set-indexed array that needs a power-of-two "
              .. "number of sets and no slice hash: 12 MiB / 64 B = 196608 lines = 16384 sets x "
              .. "12 ways keeps the size and the line, not the associativity" },
            line = 64, hit_cycles = 44,
            replacement = "lru", write = "back", shared = "socket",
            source = "OPT table 'Cache Parameters of the Skylake Microarchitecture': shared L3, "
                  .. "64 B lines, fastest latency 44 cycles, writeback; size 12 MB from ARK; "
                  .. "true LRU since the model's pseudo-LRU needs a power-of-two number of ways" },
  },

  tlb = {
    itlb  = { entries = 128, ways = 8,
              source = "OPT table 'TLB Parameters of the Skylake Microarchitecture': ITLB 4 KB "
                    .. "pages, 128 entries, 8-way (Skylake core)" },
    dtlb  = { entries = 64, ways = 4,
              source = "OPT table 'TLB Parameters of the Skylake Microarchitecture': DTLB 4 KB "
                    .. "pages, 64 entries, 4-way (Skylake core)" },
    l2tlb = { entries = 1536, ways = 12,
              source = "OPT table 'TLB Parameters of the Skylake Microarchitecture': STLB 4 KB + "
                    .. "2 MB pages, 1536 entries, 12-way (Skylake core)" },
    asid = true,  -- PCID (SDM Vol. 3A 4.10.1) and INVPCID (Haswell on)
  },

  irq = {
    controller = "lapic",
    lines = 224,
    ipi_latency = { "500ns", calibrated =
      "provisional; initial value the x86_64 preset's (same Skylake client core, ring and "
      .. "local APIC; no published IPI delivery figure located for either); to be fitted to "
      .. "an IPI one-way on the i7-8700 (ring-0 ICR write on one core to the first handler "
      .. "instruction on another, RDTSC on both), see docs/calibration.md" },
    source = "SDM Vol. 3A 6.2 'Exception and Interrupt Vectors': vectors 32-255 for external "
          .. "interrupts (224 lines); local APIC per SDM Vol. 3A ch. 10",
  },

  timer = {
    kind = "tsc-deadline",
    frequency_hz = 3.2e9,
    source = "SDM Vol. 3A 10.5.4.1 'TSC-Deadline Mode'; SDM Vol. 3B 17.17.1 'Invariant TSC': "
          .. "constant rate at the maximum non-turbo frequency, 3.2 GHz base (ARK)",
  },

  costs = {
    cpi = { 0.8, calibrated =
      "provisional; transferred from the x86_64 (Skylake) preset's initial value; to be "
      .. "fitted to a null system call on the i7-8700 together with syscall_entry/exit, with "
      .. "the kernel's instruction counts fixed by kernel/path_counts.h (not to an IPC "
      .. "result), see docs/calibration.md" },
    syscall_entry = { 76, calibrated =
      "fitted by `cossim calibrate` to the target chaos.switch (scenarios/lib/targets.lua, the "
      .. "one file that holds published figures); the thread switch is the published figure "
      .. "nearest a null system call on this machine (two system calls a round trip, no "
      .. "address-space switch); syscall_exit stays provisional; see docs/calibration.md" },
    syscall_exit = { 40, calibrated =
      "provisional (SYSRET); transferred from x86_64; fitted with syscall_entry to the same "
      .. "null system call, see docs/calibration.md" },
    exception_entry = { 440, calibrated =
      "provisional; transferred from x86_64 (a Haswell-EP page-fault crossing, ~440 cycles, "
      .. "lastweek.io 'x86 Ring Switch Overhead', 2019); to be fitted to a user page-fault "
      .. "round trip on the i7-8700, see docs/calibration.md" },
    exception_exit = { 270, calibrated =
      "provisional; transferred from x86_64 (IRET on Haswell-EP, ~270 cycles, lastweek.io); "
      .. "fitted with exception_entry to the same page-fault round trip, see docs/calibration.md" },
    irq_entry = { 440, calibrated =
      "provisional; assumed equal to exception_entry (both vector through the IDT); to be "
      .. "fitted to an interrupt-latency microbenchmark on the i7-8700, see docs/calibration.md" },
    irq_exit = { 270, calibrated =
      "provisional; assumed equal to exception_exit (IRET); fitted with irq_entry, see "
      .. "docs/calibration.md" },
    pt_switch = { 150, calibrated =
      "provisional (MOV to CR3 with PCID, no-flush bit set); transferred from x86_64; to be "
      .. "fitted to a page-table switch microbenchmark (alternating CR3 writes between two "
      .. "PCIDs, RDTSC-timed) on the i7-8700, see docs/calibration.md" },
    tlb_flush_all = { 500, calibrated =
      "provisional (INVPCID type 2); transferred from x86_64; to be fitted to a ring-0 "
      .. "RDTSC-timed INVPCID loop on the i7-8700, see docs/calibration.md" },
    tlb_flush_asid = { 400, calibrated =
      "provisional (INVPCID type 1); transferred from x86_64; to be fitted to a ring-0 "
      .. "RDTSC-timed INVPCID loop on the i7-8700, see docs/calibration.md" },
    tlb_flush_addr = { 200, calibrated =
      "provisional (INVLPG of one 4 KiB page, ~200 cycles on Skylake-class cores, the "
      .. "x86_64 preset's figure; not read from a table here); to be fitted to a ring-0 "
      .. "RDTSC-timed INVLPG loop on the i7-8700, see docs/calibration.md" },
    ipi_send = { 100, calibrated =
      "provisional (x2APIC ICR write, WRMSR); transferred from x86_64; fitted with "
      .. "irq.ipi_latency to the i7-8700 IPI one-way, see docs/calibration.md" },
    timer_program = { 100, calibrated =
      "provisional (WRMSR IA32_TSC_DEADLINE); transferred from x86_64; to be fitted to a "
      .. "ring-0 RDTSC-timed loop on the i7-8700, see docs/calibration.md" },
    fpu_save = { 100, calibrated =
      "provisional (XSAVEOPT); transferred from x86_64; to be replaced by Agner Fog's "
      .. "instruction tables, Skylake/Coffee Lake XSAVEOPT row (not read in this pass), see docs/calibration.md" },
    fpu_restore = { 120, calibrated =
      "provisional (XRSTOR); transferred from x86_64; to be replaced by Agner Fog's "
      .. "instruction tables, XRSTOR row (not read in this pass), see docs/calibration.md" },
    atomic_rmw = { 18, calibrated =
      "provisional (LOCK ADD on a line in L1); transferred from x86_64; to be replaced by "
      .. "Agner Fog's instruction tables, LOCK ADD row (not read in this pass), see docs/calibration.md" },
  },
}
