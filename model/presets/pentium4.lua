-- Machine preset: pentium4 -- a Pentium-4-class x86-32 uniprocessor
-- (NetBurst, Northwood core, 2.4 GHz, 533 MT/s front-side bus), the class of
-- machine of the ULS line of work (West and Parmer, RTAS 2006): 32-bit
-- paging without PAE (2 levels of 1024 4-byte entries, 4 KiB pages), no
-- PCID, so every CR3 write flushes the TLB's non-global entries.
--
-- The kernel runs its i386 instruction counts on it (kernel/path_counts.h,
-- arch "i386"; model/pagetable_x86_32.c is the page-table format).  Few
-- NetBurst cycle figures were re-read for this preset: geometry is from
-- Intel's optimization manual (the NetBurst section), the rest provisional,
-- each naming the microbenchmark it is to be fitted to on such a machine.
-- None is set from a published upcall, TLB-reload or signal figure.
--
-- Not modelled: the trace cache (an L1 instruction cache stands in for it),
-- hyper-threading (a Northwood 2.4B has none), the 128-byte sectored L2 line
-- (the model has one line size: 64 B, the sector), the LAPIC timer (the
-- model's tsc-deadline timer stands in; TSC-deadline came with Sandy Bridge),
-- SYSENTER versus INT 0x80 (one syscall_entry figure).
--
-- Abbreviations used in the source strings:
--   OPT  = Intel 64 and IA-32 Architectures Optimization Reference Manual,
--          order no. 248966 (the Intel NetBurst microarchitecture section,
--          "Cache Parameters of Processors based on Intel NetBurst
--          Microarchitecture")
--   SDM  = Intel 64 and IA-32 Architectures Software Developer's Manual
return {
  name = "pentium4",
  description = "Intel Pentium 4 class (NetBurst, Northwood, e.g. a Pentium 4 2.4B): one x86-32 "
             .. "core at 2.4 GHz, no hyper-threading, 8 KiB L1 data cache, 512 KiB L2, 533 MT/s "
             .. "FSB, 32-bit (non-PAE) 2-level paging, no PCID (TLB flushed on every CR3 write)",
  arch = "i386",
  source = "Northwood Pentium 4 at 2.4 GHz with a 533 MT/s bus and 512 KB L2 (Intel's Pentium 4 "
        .. "processor with 512-KB L2 cache on 0.13 micron process datasheet; the part is a "
        .. "configuration choice for 'Pentium-4 class'); NetBurst per OPT",
  cores = 1,
  frequency_hz = 2.4e9,

  memory = {
    size = { "1G", source = "configuration choice (a desktop of the period)" },
    dram_latency = { "100ns", calibrated =
      "provisional; no measured Northwood/DDR latency was read; initial value a round "
      .. "figure for a front-side-bus chipset with DDR SDRAM; to be fitted to a pointer chase "
      .. "over a buffer larger than the L2 on a Pentium 4, see docs/calibration.md" },
    bus = {
      line_transfer = { "15ns", source =
        "derived: one 64-byte line over the 64-bit front-side bus at 533 MT/s = 64 B / "
        .. "(8 B x 533 MT/s = 4.26 GB/s) = 15.0 ns" },
    },
  },

  caches = {
    l1i = { size = "16K", ways = 8, line = 64,
            hit_cycles = { 1, source =
              "derived: modelling convention -- instruction-fetch hits are pipelined "
              .. "and their slot is inside cpi; 1 = one fetch slot (see docs/calibration.md)" },
            replacement = "pseudo-lru", write = "none",
            source = "stand-in: NetBurst has no L1 instruction cache but a 12K-micro-op "
                  .. "execution trace cache (OPT, NetBurst section); 16 KiB, 8 ways, 64 B lines "
                  .. "is a modelling choice of about its x86-byte reach, not a figure" },
    l1d = { size = "8K", ways = 4, line = 64,
            hit_cycles = { 2, calibrated =
              "provisional; 2 cycles is Northwood's integer load-to-use latency as recalled "
              .. "from OPT's NetBurst cache table (not re-read in this pass); to be fitted to "
              .. "the L1 plateau of a pointer chase on a Pentium 4" },
            replacement = "pseudo-lru", write = "through",
            source = "OPT, NetBurst section, cache parameters table: first-level data cache "
                  .. "8 KB, 4 ways, 64 B lines, write-through (Northwood); pseudo-LRU assumed" },
    l2  = { size = "512K", ways = 8, line = 64,
            hit_cycles = { 7, calibrated =
              "provisional; 7 cycles is the Northwood L2 latency as recalled from OPT's "
              .. "NetBurst cache table (not re-read in this pass); to be fitted to the L2 "
              .. "plateau of a pointer chase on a Pentium 4" },
            replacement = "pseudo-lru", write = "back",
            source = "OPT, NetBurst section, cache parameters table: unified second-level "
                  .. "cache 512 KB (Northwood), 8 ways, 128 B lines in two 64 B sectors "
                  .. "(modelled as 64 B lines: one line size for all levels), write-back" },
  },

  tlb = {
    itlb  = { entries = 128, ways = 4,
              source = "OPT, NetBurst section: instruction TLB of 128 entries for 4 KB pages "
                    .. "(as recalled, 4-way assumed; not re-read in this pass)" },
    dtlb  = { entries = 64, ways = 64,
              source = "OPT, NetBurst section: data TLB of 64 entries, fully associative, for "
                    .. "4 KB and 4 MB pages (as recalled; not re-read in this pass); the "
                    .. "model's one TLB per core is this one (no second level)" },
    asid = false,  -- no PCID: 32-bit paging (SDM vol. 3A 4.10.1)
  },

  irq = {
    controller = "lapic",
    lines = 224,
    source = "SDM Vol. 3A 6.2: vectors 32-255 for external interrupts (224 lines); the "
          .. "Pentium 4's local APIC (xAPIC) per SDM Vol. 3A ch. 10; one core, no IPIs",
  },

  timer = {
    kind = "tsc-deadline",
    frequency_hz = 2.4e9,
    source = "the TSC counts core clocks on a Northwood (SDM Vol. 3B 17.17: constant-rate "
          .. "TSC only from later families), 2.4 GHz; TSC-deadline mode does not exist on a "
          .. "Pentium 4 (SDM Vol. 3A 10.5.4.1, from Sandy Bridge): the model's tsc-deadline "
          .. "timer stands in for the LAPIC timer in one-shot mode",
  },

  costs = {
    cpi = { 1.5, calibrated =
      "provisional; NetBurst retires at most 3 micro-ops a cycle and kernel code runs well "
      .. "below that; to be fitted to a null system call on a Pentium 4 with the kernel's "
      .. "i386 instruction counts fixed by kernel/path_counts.h, see docs/calibration.md" },
    syscall_entry = { 150, calibrated =
      "provisional (SYSENTER to the first kernel instruction); to be fitted to a null "
      .. "system call on a Pentium 4, see docs/calibration.md" },
    syscall_exit = { 100, calibrated =
      "provisional (SYSEXIT); fitted with syscall_entry to the null system call, see "
      .. "docs/calibration.md" },
    exception_entry = { 600, calibrated =
      "provisional (a page fault through the IDT; NetBurst's exception delivery is "
      .. "microcoded and slow); to be fitted to a user page-fault round trip on a Pentium 4, "
      .. "see docs/calibration.md" },
    exception_exit = { 300, calibrated =
      "provisional (IRET); fitted with exception_entry to the page-fault round trip, see "
      .. "docs/calibration.md" },
    irq_entry = { 600, calibrated =
      "provisional; assumed equal to exception_entry (both vector through the IDT); to be "
      .. "fitted to an interrupt-latency microbenchmark on a Pentium 4, see docs/calibration.md" },
    irq_exit = { 300, calibrated =
      "provisional; assumed equal to exception_exit (IRET); fitted with irq_entry to the "
      .. "same interrupt-latency microbenchmark, see docs/calibration.md" },
    pt_switch = { 100, calibrated =
      "provisional (MOV to CR3, the instruction; the TLB refills after it come out of the "
      .. "model's TLB and 2-level walks); to be fitted to a CR3-write loop that touches no "
      .. "memory between writes, RDTSC-timed, on a Pentium 4, see docs/calibration.md" },
    tlb_flush_all = { 100, calibrated =
      "provisional (MOV to CR3 rewriting the same value: flushes the non-global entries); "
      .. "fitted with pt_switch, see docs/calibration.md" },
    tlb_flush_asid = { 100, calibrated =
      "provisional (no PCIDs: the same CR3 rewrite as tlb_flush_all); fitted with pt_switch "
      .. "to the CR3-write loop, see docs/calibration.md" },
    tlb_flush_addr = { 200, calibrated =
      "provisional (INVLPG); no NetBurst figure read; to be fitted to a ring-0 "
      .. "RDTSC-timed INVLPG loop on a Pentium 4, see docs/calibration.md" },
    ipi_send = { 100, calibrated =
      "provisional (xAPIC ICR write); unused on this one-core machine, so never fitted; to be "
      .. "measured with an IPI microbenchmark only on a multi-core variant, see docs/calibration.md" },
    timer_program = { 100, calibrated =
      "provisional (a write of the LAPIC timer's initial count, an uncached MMIO store); to "
      .. "be fitted to a ring-0 RDTSC-timed loop on a Pentium 4, see docs/calibration.md" },
    fpu_save = { 100, calibrated =
      "provisional (FXSAVE); to be taken from Agner Fog's instruction tables, Pentium 4 "
      .. "rows (not read in this pass), see docs/calibration.md" },
    fpu_restore = { 100, calibrated =
      "provisional (FXRSTOR); to be taken from Agner Fog's instruction tables, Pentium 4 "
      .. "rows (not read in this pass), see docs/calibration.md" },
    atomic_rmw = { 100, calibrated =
      "provisional (LOCK ADD on a line in L1; NetBurst's locked operations are known to be "
      .. "slow); to be taken from Agner Fog's tables, Pentium 4 rows (not read in this pass), see "
      .. "docs/calibration.md" },
  },
}
