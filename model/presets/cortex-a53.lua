-- Machine preset: cortex-a53 -- the Xilinx Zynq UltraScale+ MPSoC application
-- processing unit (APU): quad Cortex-A53 at 1.2 GHz, 1 MiB shared L2, GIC-400,
-- generic timer.
--
-- Why this part: it is documented by a public TRM (UG1085) down to the L2 and
-- the interrupt controller, and it has a real GIC; the Raspberry Pi 3's BCM2837
-- has no public datasheet and no GIC (its interrupt controller is Broadcom's own).
--
-- Every figure carries either a source, a transparent derivation
-- ("derived: ..."), or is marked provisional with `calibrated = ...` and listed
-- in docs/calibration.md.  ARM does not publish instruction cycle timings in
-- DDI 0500, so most pipeline costs below are provisional.
--
-- Abbreviations used in the source strings:
--   DDI 0500 = ARM Cortex-A53 MPCore Processor Technical Reference Manual
--   UG1085   = Xilinx Zynq UltraScale+ Device Technical Reference Manual (v2.4, 2023)
--   H&P      = Hennessy & Patterson, Computer Architecture: A Quantitative
--              Approach, 6th ed. (2017), section 2.6 (the ARM Cortex-A53 memory hierarchy)
return {
  name = "cortex-a53",
  description = "Xilinx Zynq UltraScale+ MPSoC APU (e.g. XCZU9EG on a ZCU102): quad-core "
             .. "Cortex-A53 (AArch64) at 1.2 GHz, 32 KiB L1 I and D per core, 1 MiB "
             .. "16-way shared L2, GIC-400 (GICv2), generic timer at 100 MHz",
  arch = "armv8-a",
  source = "UG1085 'L2 Memory Subsystem': Cortex-A53 MPCore L2 of 1 MB, 16-way; AMD "
        .. "UG1273 (Versal design guide) APU comparison table: Zynq UltraScale+ "
        .. "Cortex-A53 'up to 1500 MHz', quad-core cluster, 32 KB L1 I and 32 KB L1 D; "
        .. "1.2 GHz chosen within the 1.2-1.5 GHz range the part supports",
  cores = 4,
  frequency_hz = 1.2e9,

  memory = {
    size = { "4G", source = "configuration choice (a ZCU102-class board carries 4 GiB DDR4 on the PS side)" },
    dram_latency = { "120ns", calibrated =
      "provisional; to be fitted to the DRAM load latency measured on the Zynq "
      .. "UltraScale+ APU by Bansal, Tabish, Gracioli, Mancuso, Pellizzoni, Caccamo, "
      .. "'Evaluating Memory Subsystem of Configurable Heterogeneous MPSoC', OSPERT 2018 "
      .. "(not read in this pass), see docs/calibration.md" },
    bus = {
      line_transfer = { "4ns", source =
        "derived: one 64-byte line over a 64-bit DDR4-2133 PS memory interface "
        .. "(assumed speed grade) = 64 B / (8 B x 2133 MT/s = 17.1 GB/s) = 3.7 ns" },
    },
    coherence_transfer_cycles = { 30, calibrated =
      "provisional (SCU snoop of a dirty line in another core's L1); to be fitted to "
      .. "the coherence measurements in Bansal et al., OSPERT 2018, see docs/calibration.md" },
    -- Used when the cores are split into clusters (machine{ sockets = N }):
    -- each cluster has its own L2 (shared = "socket" below), and a line
    -- moved from, or an upgrade that invalidates a copy in, another cluster
    -- (through the interconnect, e.g. a CCI-400) costs this.
    socket_transfer_cycles = { 90, calibrated =
      "provisional, guessed: three times the in-cluster transfer above; no published cross-cluster "
      .. "Cortex-A53 measurement located; to be fitted to a cross-cluster cache-line ping-pong "
      .. "(PMCCNTR_EL0-timed), see docs/calibration.md" },
  },

  caches = {
    l1i = { size = "32K", ways = 2, line = 64,
            hit_cycles = { 1, source =
              "derived: modelling convention -- instruction-fetch hits are pipelined "
              .. "and their slot is inside cpi; 1 = one fetch slot (see docs/calibration.md)" },
            replacement = { "random", source = "DDI 0500 (Cortex-A53 TRM), Instruction Fetch Unit: "
                  .. "pseudo-random cache replacement policy (corrected 2026-11-21 on review; was "
                  .. "pseudo-LRU from H&P)" },
            write = "none",
            source = "DDI 0500 section 6.1 'About the L1 memory system': 2-way set-associative "
                  .. "L1 instruction cache, 64-byte lines; 32 KB on the Zynq UltraScale+ (UG1273 "
                  .. "APU table)" },
    l1d = { size = "32K", ways = 4, line = 64,
            hit_cycles = { 3, source =
              "LLVM AArch64SchedA53.td (CortexA53Model: LoadLatency = 3, taken from ARM's "
              .. "'Cortex-A53 Software Optimisation Specification - Instruction Timings')" },
            replacement = { "random", source = "DDI 0500 (Cortex-A53 TRM, r0p4 'Data cache' feature "
                  .. "list): pseudo-random replacement (corrected 2026-11-21 on review; was pseudo-LRU "
                  .. "from H&P)" },
            write = "back",
            source = "DDI 0500 section 6.1: 4-way set-associative L1 data cache, 64-byte "
                  .. "lines; 32 KB (UG1273 APU table); write-back" },
    l2  = { size = "1M", ways = 16, line = 64,
            hit_cycles = { 13, source =
              "H&P 2.6: L1 miss penalty to the L2 is 13 clock cycles on the Cortex-A53" },
            replacement = "pseudo-lru", write = "back", shared = "socket",
            source = "UG1085 'L2 Memory Subsystem': 1 MB, 16-way set-associative, "
                  .. "physically addressed, shared by the cluster through the SCU; DDI 0500 "
                  .. "section 2.1.7 / 7.1: 64-byte lines; replacement not stated in the sources "
                  .. "read, pseudo-LRU assumed" },
  },

  tlb = {
    itlb  = { entries = 10, ways = 10,
              source = "DDI 0500 section 5.2.1 'Micro TLB': 10 entries on each of the "
                    .. "instruction and data sides, fully associative" },
    dtlb  = { entries = 10, ways = 10,
              source = "DDI 0500 section 5.2.1 'Micro TLB': 10 entries, fully associative" },
    l2tlb = { entries = 512, ways = 4,
              source = "DDI 0500 section 5.2.2 'Main TLB': unified 512-entry, 4-way "
                    .. "set-associative" },
    asid = true,  -- ASIDs in TTBR0_EL1 (8 or 16 bits)
  },

  irq = {
    controller = "gic",
    lines = 192,
    ipi_latency = { "500ns", calibrated =
      "provisional (SGI between APU cores to first handler instruction); 500 ns is a "
      .. "placeholder, not a figure of this machine (x86_64 and zynq7000 start from the same "
      .. "number); to be fitted to an SGI one-way between APU cores (half of a "
      .. "PMCCNTR_EL0-timed SGI ping-pong), see docs/calibration.md" },
    source = "UG1085 'Generic Interrupt Controller': the APU uses an external GIC-400 "
          .. "(GICv2); derived: UG1085 ch. 13 Table 13-1 'System Interrupts' assigns the "
          .. "shared interrupts GIC IDs from 32 upwards (e.g. PL interrupts at 121-128 and "
          .. "136-143, Xilinx PG201), within 32-191; GICv2 implements IDs in blocks of 32 "
          .. "(GICD_TYPER.ITLinesNumber), giving 192 (the Xilinx scugic driver sizes its "
          .. "table at 195, XSCUGIC_MAX_NUM_INTR_INPUTS); the highest ID in Table 13-1 was "
          .. "not re-checked in this pass",
  },

  timer = {
    kind = "arm-generic",
    frequency_hz = 100e6,
    source = "UG1085 'Physical Counter': each APU core's physical counter holds the "
          .. "system counter value; the timestamp clock is configurable and 'normally "
          .. "100 MHz after boot'",
  },

  costs = {
    cpi = { 1.3, calibrated =
      "provisional; to be fitted (with the syscall and pt_switch costs) to the L4Re "
      .. "IPC benchmark on a Cortex-A53 (NXP S32G2, EL1): intra-AS IPC 562, inter-AS "
      .. "IPC 691, syscall 230 cycles (l4re.org 'Performance overview'; an earlier version "
      .. "of the page lists the syscall as 115), see docs/calibration.md" },
    syscall_entry = { 20, calibrated =
      "provisional (SVC to EL1 vector, pipeline refill); fitted with cpi, see docs/calibration.md" },
    syscall_exit = { 20, calibrated =
      "provisional (ERET to EL0); fitted with cpi, see docs/calibration.md" },
    exception_entry = { 20, calibrated =
      "provisional (synchronous abort to EL1); assumed equal to syscall_entry and so "
      .. "fitted with it to the L4Re S32G2 syscall figure (230 cycles), see docs/calibration.md" },
    exception_exit = { 20, calibrated =
      "provisional (ERET); assumed equal to syscall_exit and fitted with it to the "
      .. "L4Re S32G2 syscall figure, see docs/calibration.md" },
    irq_entry = { 20, calibrated =
      "provisional (IRQ exception to first handler instruction; the GICC_IAR read is "
      .. "done by the handler and not included); to be fitted to an interrupt-latency "
      .. "measurement on the Zynq UltraScale+ APU (none published located), see docs/calibration.md" },
    irq_exit = { 20, calibrated =
      "provisional (ERET); assumed equal to syscall_exit, fitted with irq_entry, see docs/calibration.md" },
    pt_switch = { 30, calibrated =
      "provisional (MSR TTBR0_EL1 with ASID + ISB); fitted with cpi to the L4Re "
      .. "inter-AS IPC figure, see docs/calibration.md" },
    tlb_flush_all = { 60, calibrated =
      "provisional (TLBI VMALLE1IS + DSB ISH + ISB); to be fitted to a PMCCNTR_EL0-timed "
      .. "sequence on the APU (no published figure located), see docs/calibration.md" },
    tlb_flush_asid = { 40, calibrated =
      "provisional (TLBI ASIDE1IS + DSB ISH + ISB); to be fitted to a PMCCNTR_EL0-timed "
      .. "sequence on the APU (no published figure located), see docs/calibration.md" },
    tlb_flush_addr = { 20, calibrated =
      "provisional (TLBI VAE1IS + DSB ISH + ISB); to be fitted to a PMCCNTR_EL0-timed "
      .. "sequence on the APU (no published figure located), see docs/calibration.md" },
    ipi_send = { 30, calibrated =
      "provisional (store to GICD_SGIR, Device memory, plus DSB); to be fitted with "
      .. "irq.ipi_latency to an SGI ping-pong between APU cores, see docs/calibration.md" },
    timer_program = { 10, calibrated =
      "provisional (MSR CNTP_CVAL_EL0 + MSR CNTP_CTL_EL0, system-register writes); to be "
      .. "fitted to a PMCCNTR_EL0-timed reprogramming loop on the APU, see docs/calibration.md" },
    fpu_save = { 40, calibrated =
      "provisional (16 STP of Q-register pairs for V0-V31 plus FPCR/FPSR reads); to be "
      .. "taken from ARM's 'Cortex-A53 Software Optimisation Specification - Instruction "
      .. "Timings' (not read in this pass), see docs/calibration.md" },
    fpu_restore = { 40, calibrated =
      "provisional (16 LDP of Q-register pairs plus FPCR/FPSR writes); to be taken from "
      .. "the same A53 instruction-timing specification, see docs/calibration.md" },
    atomic_rmw = { 20, calibrated =
      "provisional (LDXR / ADD / STXR on a line in L1; the A53 is ARMv8.0, no LSE "
      .. "atomics); to be fitted to a PMCCNTR_EL0-timed exclusive loop on the APU, see docs/calibration.md" },
  },
}
