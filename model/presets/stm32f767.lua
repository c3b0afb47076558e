-- Machine preset: stm32f767 (alias cortex-m7) -- STM32F767: single Cortex-M7 at 216 MHz with
-- 16 KiB instruction and data caches, an 8-region ARMv7-M MPU, 512 KiB SRAM.
--
-- Every figure carries either a source, a transparent derivation
-- ("derived: ..."), or is marked provisional with `calibrated = ...` and listed
-- in docs/calibration.md.  The Cortex-M7 TRM (DDI 0489) publishes no instruction
-- cycle table, so the pipeline costs other than exception entry are provisional.
--
-- Not modelled yet: the TCMs (128 KiB DTCM at 0x2000_0000 and 16 KiB ITCM RAM,
-- zero-wait-state, bypassing the caches) and the flash with its ART accelerator
-- (7 wait states at 216 MHz, RM0410 Table 7).  docs/machines.md has no key for
-- either; both are listed as open items in docs/calibration.md.
--
-- Abbreviations used in the source strings:
--   DDI 0489 = ARM Cortex-M7 Processor Technical Reference Manual (rev. F)
--   DDI 0403 = ARMv7-M Architecture Reference Manual
--   RM0410   = ST reference manual, STM32F76xxx and STM32F77xxx
--   PM0253   = ST programming manual, STM32F7/H7 Cortex-M7
return {
  name = "stm32f767",
  description = "ST STM32F767 class (e.g. NUCLEO-F767ZI): single Cortex-M7 with "
             .. "double-precision FPU at 216 MHz, 16 KiB 2-way I-cache and 16 KiB 4-way "
             .. "D-cache (32-byte lines), 8-region MPU, 512 KiB SRAM (incl. 128 KiB DTCM), "
             .. "NVIC with 110 interrupts and 4 priority bits, SysTick at the core clock",
  arch = "armv7e-m",
  source = "RM0410 section 2.1 'System architecture' (Figure 1: Cortex-M7 with 16 KB "
        .. "I/D caches, DTCM RAM 128 KB, ITCM RAM 16 KB, SRAM1 368 KB, SRAM2 16 KB); "
        .. "216 MHz maximum HCLK (RM0410 Table 7, STM32F767 datasheet DS11532)",
  cores = 1,
  frequency_hz = 216e6,

  memory = {
    size = { "512K", source =
      "RM0410 section 2.1, Figure 1: DTCM 128 KB + SRAM1 368 KB + SRAM2 16 KB = "
      .. "512 KB of data SRAM (ITCM RAM 16 KB not counted, not modelled)" },
    dram_latency = { "32407ps", calibrated =
      "provisional; 7 cycles at 216 MHz (7 / 216 MHz = 32.407 ns, written 32407 ps, rounded "
      .. "down so that the model's round-up gives exactly 7): a D-cache linefill from SRAM1 over "
      .. "AXIM, the AXI-to-AHB bridge and the 64-bit bus matrix, critical word first (RM0410 "
      .. "section 2.1, Figure 1: the path; RM0410 gives no cycle figure for it).  The previous "
      .. "'28ns' was described as ~6 cycles but rounds up to 7 (6.05 cycles) in the model; 7 is "
      .. "the audit's figure for this path and is kept, stated as such.  To be fitted to a DWT "
      .. "CYCCNT pointer-chase over SRAM1 with the D-cache on and every access a miss, on a "
      .. "NUCLEO-F767ZI, see docs/calibration.md" },
    bus = {
      line_transfer = { "19ns", source =
        "derived: a 32-byte line over the 64-bit AXIM interface (DDI 0489 section 5.1 "
        .. "/ 5.9: linefills over AXIM) is 4 data beats at 216 MHz = 18.5 ns" },
    },
  },

  caches = {
    l1i = { size = "16K", ways = 2, line = 32,
            hit_cycles = { 1, source =
              "derived: modelling convention -- instruction-fetch hits are pipelined "
              .. "and their slot is inside cpi; 1 = one fetch slot (see docs/calibration.md)" },
            replacement = "random", write = "none",
            source = "RM0410 Figure 1 (16 KB I-cache); ST AN4839 'Level 1 cache on STM32F7 "
                  .. "Series and STM32H7 Series' p. 6: Cortex-M7 L1 caches use 32-byte "
                  .. "lines, the instruction cache is 2-way set-associative (same M7 cache "
                  .. "configuration in Microchip's SAM E70 datasheet, section 15.1 'Arm "
                  .. "Cortex-M7 Configuration'); DDI 0489 section 5.9 'L1 caches': read-allocate; replacement policy not stated in the "
                  .. "sources read, random assumed" },
    l1d = { size = "16K", ways = 4, line = 32,
            hit_cycles = { 1, calibrated =
              "provisional (D-cache hit load-to-use); DDI 0489 gives no figure; to be "
              .. "fitted with the same pointer-chase as dram_latency, see docs/calibration.md" },
            replacement = "random", write = "back",
            source = "RM0410 Figure 1 (16 KB D-cache); ST AN4839 p. 6: 4-way "
                  .. "set-associative, 32-byte lines; DDI 0489 section 5.9: read-allocate, "
                  .. "write-allocate when the region is Write-Allocate; write-back by default, "
                  .. "write-through forced by CM7_CACR.FORCEWT (DDI 0489 section 3.3.8); "
                  .. "replacement not stated in the sources read, random assumed" },
  },

  mpu = { arch = "v7m", regions = 8,
          source = "PM0253 chapter 4, 'Memory protection unit (MPU)': eight memory "
                .. "regions on the STM32F7 (the Cortex-M7 MPU is 8 or 16 regions at "
                .. "implementation, DDI 0489); register interface per DDI 0403 B3.5" },

  irq = {
    controller = "nvic",
    lines = 110,
    priority_bits = 4,
    source = "RM0410 section 10.1 (NVIC, vector table): maskable interrupt positions 0-109 on "
          .. "STM32F76x/77x (cross-checked against Apache NuttX "
          .. "arch/arm/include/stm32f7/stm32f76xx77xx_irq.h, NR_INTERRUPTS = 110); 16 "
          .. "programmable priority levels, 4 bits of priority (RM0410 10.1, as in RM0385 "
          .. "10.1 for the F74x/75x)",
  },

  timer = {
    kind = "systick",
    frequency_hz = 216e6,
    source = "DDI 0403 B3.3 'The system timer, SysTick': SYST_CSR.CLKSOURCE = 1 selects "
          .. "the processor clock; HCLK = 216 MHz",
  },

  costs = {
    cpi = { 1.0, calibrated =
      "provisional (dual-issue core); to be fitted to a null system call on an STM32F767 "
      .. "with the kernel's Thumb-2 counts fixed (the system-call microbenchmark of Pan, "
      .. "Peach, Ren, Parmer, 'Predictable Virtualization on Memory Protection Unit-based "
      .. "Microcontrollers', RTAS 2018, isolates it; not its round-trip switch), see "
      .. "docs/calibration.md" },
    syscall_entry = { 12, source =
      "SVC is an exception entry: ARM white paper 'Cortex-M for Beginners', "
      .. "interrupt latency table, Cortex-M7: 'typically 12, worst case 14' cycles with "
      .. "zero-wait-state memory (as quoted in ARM Community Cortex-M forum thread 47326)" },
    syscall_exit = { 5, calibrated =
      "fitted by `cossim calibrate` to the target ucvm.syscall (scenarios/lib/targets.lua, the "
      .. "one file that holds published figures); the null system call isolates entry plus exit; "
      .. "entry is sourced, so exit takes the rest; see docs/calibration.md" },
    exception_entry = { 12, source =
      "ARM white paper 'Cortex-M for Beginners', interrupt latency table, Cortex-M7: "
      .. "typically 12 cycles (worst case 14), zero-wait-state memory" },
    exception_exit = { 10, calibrated =
      "provisional; Cortex-M4 value (10 cycles) as for syscall_exit, to be measured "
      .. "with DWT CYCCNT on an STM32F767, see docs/calibration.md" },
    irq_entry = { 12, source =
      "ARM white paper 'Cortex-M for Beginners', interrupt latency table, Cortex-M7: "
      .. "typically 12 cycles (worst case 14), zero-wait-state memory" },
    irq_exit = { 10, calibrated =
      "provisional; Cortex-M4 value (10 cycles) as for syscall_exit, to be measured "
      .. "with DWT CYCCNT on an STM32F767, see docs/calibration.md" },
    irq_tail_chain = { 6, calibrated =
      "provisional; no published Cortex-M7 figure located; the Cortex-M4 value "
      .. "(6 cycles, ARM DDI 0439B section 3.9.1) is used, to be measured, see docs/calibration.md" },
    mpu_region_write = { 7, calibrated =
      "fitted by `cossim calibrate` to the target ucvm.mpu4 (scenarios/lib/targets.lua, the "
      .. "one file that holds published figures): the 4-region reprogramming isolates it; the "
      .. "8-region figure is the prediction that checks it (was 4: two stores to the PPB, MPU_RBAR "
      .. "then MPU_RASR, DDI 0403 B3.5, a Cortex-M4 derivation); see docs/calibration.md" },
    timer_program = { 8, calibrated =
      "provisional (four stores to SysTick registers: CSR off, RVR, CVR, CSR on); "
      .. "Cortex-M4 derivation reused; to be measured with DWT CYCCNT on an STM32F767, "
      .. "see docs/calibration.md" },
    fpu_save = { 17, calibrated =
      "provisional (VSTMDB of the callee-saved S16-S31; S0-S15 and FPSCR are stacked "
      .. "by hardware on exception entry under lazy stacking); Cortex-M4 value "
      .. "(1+N cycles, N = 16, DDI 0439 Table 7-1) reused; to be measured with DWT CYCCNT on an STM32F767, "
      .. "see docs/calibration.md" },
    fpu_restore = { 17, calibrated =
      "provisional (VLDMIA of S16-S31); Cortex-M4 value reused; to be measured with DWT "
      .. "CYCCNT on an STM32F767, see docs/calibration.md" },
    atomic_rmw = { 5, calibrated =
      "provisional (LDREX / ADD / STREX); Cortex-M4 derivation reused; to be measured "
      .. "with DWT CYCCNT on an STM32F767, see docs/calibration.md" },
  },
}
