-- Machine preset: zynq7000 (alias cortex-a9) -- Zynq-7000: dual Cortex-A9 MPCore at
-- 667 MHz with the PL310 (L2C-310) 512 KiB shared L2.
--
-- Every figure carries either a source, a transparent derivation
-- ("derived: ..."), or is marked provisional with `calibrated = ...` and listed
-- in docs/calibration.md.  ARM does not publish instruction cycle timings for the
-- Cortex-A9 in DDI 0388, so most pipeline costs below are provisional.
--
-- Abbreviations used in the source strings:
--   DDI 0388 = ARM Cortex-A9 Technical Reference Manual
--   DDI 0246 = ARM CoreLink Level 2 Cache Controller L2C-310 TRM
--   UG585    = Xilinx Zynq-7000 SoC Technical Reference Manual (v1.11, 2016)
return {
  name = "zynq7000",
  description = "Xilinx Zynq-7000 class (e.g. XC7Z020 on a ZC702): dual-core Cortex-A9 "
             .. "MPCore with NEON/VFPv3 at 667 MHz, 32 KiB L1 I and D per core, 512 KiB "
             .. "shared PL310 (L2C-310) L2, GIC (PL390), private timers at CPU/2",
  arch = "armv7-a",
  source = "UG585 section 3.1.1 'Basic Functionality': two Cortex-A9 processors with "
        .. "NEON in an MP configuration, 32 KB L1 I and D caches each, shared unified "
        .. "512 KB 8-way L2; 667 MHz is the -1 speed grade CPU clock (Xilinx DS187 "
        .. "PS switching characteristics; figure given by the issue, not re-checked here)",
  cores = 2,
  frequency_hz = 667e6,

  memory = {
    size = { "1G", source = "configuration choice (a ZC702-class board carries 1 GiB DDR3)" },
    dram_latency = { "110ns", calibrated =
      "provisional; initial value from 7-cpu.com 'ARM Cortex-A9' (Exynos 4210, "
      .. "Cortex-A9 + PL310): RAM latency = L2 latency + 110 ns; to be fitted to the "
      .. "Zynq-7000 DDR read-latency plateau in JBLopen 'Zynq-7000 Bare-Metal "
      .. "Benchmarks' (jblopen.com/zynq-benchmarks), see docs/calibration.md" },
    bus = {
      line_transfer = { "8ns", source =
        "derived: one 32-byte line over the 32-bit DDR3-1066 interface "
        .. "(UG585 ch. 10, DDR memory controller) = 32 B / (4 B x 1066 MT/s = "
        .. "4.26 GB/s) = 7.5 ns" },
    },
    coherence_transfer_cycles = { 30, calibrated =
      "provisional (SCU cache-to-cache transfer of a dirty line); to be fitted to "
      .. "a Zynq-7000 two-core ping-pong measurement, see docs/calibration.md" },
  },

  caches = {
    l1i = { size = "32K", ways = 4, line = 32,
            hit_cycles = { 1, source =
              "derived: modelling convention -- instruction-fetch hits are pipelined "
              .. "and their slot is inside cpi; 1 = one fetch slot (see docs/calibration.md)" },
            replacement = "random", write = "none",
            source = "DDI 0388 section 7.1.1 'Memory system': both caches 4-way "
                  .. "set-associative, 8-word (32-byte) lines, 16/32/64 KB configurable; "
                  .. "UG585 3.1.1: 32 KB each on Zynq; replacement selected by SCTLR.RR "
                  .. "(reset: random, DDI 0388 System Control Register)" },
    l1d = { size = "32K", ways = 4, line = 32, hit_cycles = 4,
            replacement = "random", write = "back",
            source = "DDI 0388 section 7.1.1 (4-way, 32-byte lines); UG585 3.1.1 (32 KB); "
                  .. "load-to-use 4 cycles measured on a Cortex-A9 (7-cpu.com 'ARM "
                  .. "Cortex-A9', Exynos 4210: 32 K working set = 4 cycles, 'TLB + L1')" },
    l2  = { size = "512K", ways = 8, line = 32,
            hit_cycles = { 23, calibrated =
              "provisional; initial value is the A9 + PL310 L2 latency measured on an "
              .. "Exynos 4210 (7-cpu.com 'ARM Cortex-A9': 64 K working set = 23 cycles); "
              .. "the Zynq L2 RAM latency settings differ, to be fitted to the L2 plateau "
              .. "of JBLopen 'Zynq-7000 Bare-Metal Benchmarks', see docs/calibration.md" },
            replacement = "random", write = "back", shared = true,
            source = "UG585 3.1.1: unified 512 KB, 8-way set-associative L2 shared by both "
                  .. "CPUs; DDI 0246 (L2C-310 TRM): fixed 32-byte line, replacement "
                  .. "policy pseudo-random or round-robin selected by Auxiliary Control "
                  .. "Register bit [25] (pseudo-random assumed)" },
  },

  tlb = {
    itlb  = { entries = 32, ways = 32,
              source = "DDI 0388 section 6.2.1 'Micro TLB': instruction micro TLB of 32 or 64 "
                    .. "entries (configurable; 32 assumed for Zynq), fully associative" },
    dtlb  = { entries = 32, ways = 32,
              source = "DDI 0388 section 6.2.1 'Micro TLB': data micro TLB of 32 entries, "
                    .. "fully associative" },
    l2tlb = { entries = 128, ways = 2,
              source = "DDI 0388 section 6.2.2 'Main TLB': 2-way structure of 2x32, 2x64, "
                    .. "2x128 or 2x256 entries plus 4 lockable entries; 2x64 = 128 as measured "
                    .. "on a Cortex-A9 by 7-cpu.com ('Main TLB: 128 entries, 2-WAY'); the Zynq "
                    .. "configuration is not stated in UG585 and is assumed equal" },
    asid = true,  -- 8-bit ASID in CONTEXTIDR (UG585 3.2.5, non-global pages)
  },

  irq = {
    controller = "gic",
    lines = 96,
    ipi_latency = { "500ns", calibrated =
      "provisional (SGI from one A9 to the other, to first handler instruction); 500 ns "
      .. "is a placeholder, not a figure of this machine (x86_64 and cortex-a53 start from "
      .. "the same number); to be fitted to an SGI one-way on a Zynq-7000 (half of a "
      .. "PMCCNTR-timed SGI ping-pong between the two A9s), never to a published cross-core "
      .. "IPC result, see docs/calibration.md" },
    source = "UG585 section 7.2: IDs 0-15 software generated interrupts (Table 7-2), "
          .. "private peripheral interrupts at IDs 27-31 (Table 7-3), 'approximately 60' shared "
          .. "peripheral interrupts from ID 32 into the low 90s (7.2.3 names IRQ #61-#68 and "
          .. "#84-#91; Table 7-4); derived: the distributor implements IDs in blocks of 32, "
          .. "so 96 IDs",
  },

  timer = {
    kind = "arm-private",
    frequency_hz = 333.5e6,
    source = "UG585 section 8.2 'CPU Private Timers and Watchdog Timers': the private "
          .. "timers are always clocked at 1/2 of the CPU frequency (CPU_3x2x); "
          .. "667 MHz / 2 = 333.5 MHz",
  },

  costs = {
    cpi = { 0.523, calibrated =
      "fitted by `cossim calibrate` to the target zynq.sinv (scenarios/lib/targets.lua, the one "
      .. "file that holds published figures); no other published Cortex-A9 figure isolates a "
      .. "figure of this preset (a cpi fitted to the seL4 round trip comes out below the "
      .. "dual-issue floor of 0.5: seL4's fastpath is not the model's ipc path); the Zynq "
      .. "invocation is therefore a fit and not a prediction; see docs/calibration.md" },
    syscall_entry = { 15, calibrated =
      "provisional (SVC to first handler instruction: pipeline refill); no cycle "
      .. "timing in DDI 0388; fitted with cpi, see docs/calibration.md" },
    syscall_exit = { 15, calibrated =
      "provisional (MOVS pc, lr / RFE back to user); fitted with cpi, see docs/calibration.md" },
    exception_entry = { 15, calibrated =
      "provisional (data/prefetch abort entry); assumed equal to syscall_entry; to be "
      .. "fitted to a page-fault round trip timed with the A9 cycle counter (PMCCNTR) on a "
      .. "Zynq-7000 (no published figure located), see docs/calibration.md" },
    exception_exit = { 15, calibrated =
      "provisional; assumed equal to syscall_exit; to be fitted with exception_entry "
      .. "to the same page-fault round trip, see docs/calibration.md" },
    irq_entry = { 15, calibrated =
      "provisional (IRQ exception entry to first handler instruction; the GICC_IAR "
      .. "read is a device access made by the handler, not included); to be fitted to the "
      .. "interrupt-latency section of JBLopen 'Zynq-7000 Bare-Metal Benchmarks', see docs/calibration.md" },
    irq_exit = { 15, calibrated =
      "provisional; assumed equal to syscall_exit; fitted with irq_entry to the "
      .. "JBLopen Zynq-7000 interrupt-latency figures, see docs/calibration.md" },
    pt_switch = { 140, calibrated =
      "provisional; the value 140 (was 30) came from the same fit to the published "
      .. "Zynq-7000 IPC comparison as cpi, ruled out as a source by issue 16; kept until it "
      .. "is to be fitted, by `cossim calibrate`, to a page-table switch microbenchmark (TTBR0 "
      .. "/ CONTEXTIDR writes with their ISB, PMCCNTR-timed) on a Zynq-7000; it stands for "
      .. "the TTBR0/CONTEXTIDR switch with its synchronisation barriers; see docs/calibration.md" },
    tlb_flush_all = { 60, calibrated =
      "provisional (TLBIALLIS + DSB + ISB); to be fitted to a PMCCNTR-timed sequence on "
      .. "a Zynq-7000 (no published figure located), see docs/calibration.md" },
    tlb_flush_asid = { 40, calibrated =
      "provisional (TLBIASIDIS + DSB + ISB); to be fitted to a PMCCNTR-timed sequence "
      .. "on a Zynq-7000 (no published figure located), see docs/calibration.md" },
    tlb_flush_addr = { 20, calibrated =
      "provisional (TLBIMVAIS + DSB + ISB); to be fitted to a PMCCNTR-timed sequence "
      .. "on a Zynq-7000 (no published figure located), see docs/calibration.md" },
    ipi_send = { 30, calibrated =
      "provisional (store to GICD_SGIR, Device memory, plus DSB); to be fitted with "
      .. "irq.ipi_latency to an SGI ping-pong between the two A9s of a Zynq-7000, see docs/calibration.md" },
    timer_program = { 20, calibrated =
      "provisional (stores to the private timer load/control registers); to be fitted "
      .. "to a PMCCNTR-timed reprogramming loop on a Zynq-7000, see docs/calibration.md" },
    fpu_save = { 40, calibrated =
      "provisional (VSTM of D0-D31 plus VMRS FPSCR/FPEXC); to be taken from the "
      .. "Cortex-A9 NEON MPE TRM (ARM DDI 0409) instruction timings, not read in this "
      .. "pass, see docs/calibration.md" },
    fpu_restore = { 40, calibrated =
      "provisional (VLDM of D0-D31 plus VMSR); to be taken from the ARM DDI 0409 "
      .. "instruction timings like fpu_save, see docs/calibration.md" },
    atomic_rmw = { 25, calibrated =
      "provisional (LDREX / ADD / STREX on a line in L1, no DMB); to be fitted to a "
      .. "PMCCNTR-timed LDREX/STREX loop on a Zynq-7000, see docs/calibration.md" },
  },
}
