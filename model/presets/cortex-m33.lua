-- Machine preset: cortex-m33 -- STM32L552 class (NUCLEO-L552ZE-Q): single
-- Cortex-M33 (ARMv8-M Mainline with the Security Extension, single-precision
-- FPU, DSP) at 110 MHz, no data cache, an 8-region PMSAv8 MPU, 256 KiB SRAM.
--
-- Every figure carries either a source, a transparent derivation
-- ("derived: ..."), or is marked provisional with `calibrated = ...` and listed
-- in docs/calibration.md.  The part's geometry (clock, SRAM, interrupts, MPU
-- regions, SysTick) is sourced; every pipeline cost is provisional: no
-- Cortex-M33 cycle figure (exception entry and return, tail chaining, store
-- or VSTM/VLDM timing) could be read in the sources available to this pass,
-- so the Cortex-M4 preset's figures are reused, each saying so.
--
-- Which MPU: the non-secure one.  The STM32L5 has TrustZone: a Secure and a
-- Non-secure MPU, the SAU/IDAU and ST's GTZC.  The model runs the kernel and
-- every component in one security state with one MPU (model/mpu.h leaves
-- the SAU and the banking out), the non-secure MPU a kernel booted by a
-- secure firmware (TF-M, ST's SBSFU) would own; security-state transitions
-- and the secure MPU are not modelled.
--
-- Not modelled yet: the flash (5 wait states at 110 MHz in voltage range 0,
-- "100 < HCLK <= 110 => 5WS (6 CPU cycles)", STM32CubeL5 LL driver
-- stm32l5xx_ll_utils.c) and the ICACHE in front of it on the code bus; as
-- for the Cortex-M4's flash and ART accelerator, instruction fetch is folded
-- into cpi (docs/calibration.md, open items).  The model's l1i/l1d come
-- together, so an instruction-only cache has no key.
--
-- Abbreviations used in the source strings:
--   DDI 0553   = ARM ARMv8-M Architecture Reference Manual (PMSAv8)
--   DDI 0439   = ARM Cortex-M4 Processor Technical Reference Manual (rev. B)
--   RM0438     = ST reference manual, STM32L552xx and STM32L562xx
--   PM0264     = ST programming manual, STM32 Cortex-M33 MCUs
--   stm32l552xx.h = ST's CMSIS device header, STM32CubeL5 CMSIS device V1.0.2
--               (as vendored in github.com/mlecriva/TrustZone_stm32l5xx, Drivers/CMSIS/Device/ST/STM32L5xx/Include)
--   KA 103489845 = ARM Knowledge Article 103489845 (KA16366), Cortex-M3/M4 interrupt entry and exit latency
return {
  name = "cortex-m33",
  description = "ST STM32L552 class (e.g. NUCLEO-L552ZE-Q): single Cortex-M33 with TrustZone, "
             .. "single-precision FPU and DSP at 110 MHz, no data cache (flash with 5 wait states "
             .. "behind an instruction cache, not modelled), 256 KiB SRAM, the non-secure PMSAv8 MPU "
             .. "with 8 regions, NVIC with 108 interrupt positions and 3 priority bits, SysTick at "
             .. "the core clock",
  arch = "armv8-m",
  source = "stm32l552xx.h (Cortex-M33: __FPU_PRESENT, __DSP_PRESENT, __MPU_PRESENT and "
        .. "__SAUREGION_PRESENT = 1); 110 MHz: STM32CubeL5 HAL V1.0.2 stm32l5xx_hal_rcc.c 'The maximum "
        .. "frequency of the SYSCLK, HCLK, PCLK1 and PCLK2 is 110 MHz' and stm32l5xx_ll_utils.c "
        .. "UTILS_MAX_FREQUENCY_SCALE0 = 110000000 (voltage range 0); one core",
  cores = 1,
  frequency_hz = 110e6,

  memory = {
    size = { "256K", source =
      "stm32l552xx.h: SRAM1_SIZE 0x30000 (192 KB) + SRAM2_SIZE 0x10000 (64 KB) = 256 KB; "
      .. "SRAM1 at 0x2000_0000, SRAM2 at 0x2003_0000 (non-secure aliases).  RM0438's SRAM "
      .. "chapter was not read in this pass" },
    dram_latency = { "9ns", calibrated =
      "provisional (1 cycle at 110 MHz = 9.09 ns: the Cortex-M4 preset's derivation reused -- "
      .. "zero-wait-state SRAM, a load's second cycle beyond the issue slot in cpi; RM0438's "
      .. "statement of SRAM wait states was not read, and the Cortex-M33's load timing not "
      .. "located); to be measured with a DWT CYCCNT pointer chase in SRAM1 on a "
      .. "NUCLEO-L552ZE-Q, see docs/calibration.md" },
    bus = {
      line_transfer = { "9ns", calibrated =
        "provisional (no cache lines: one 32-bit AHB data phase to SRAM, 1 cycle at 110 MHz, "
        .. "as derived for the Cortex-M4); to be measured with the same pointer chase, see "
        .. "docs/calibration.md" },
    },
  },

  caches = {},  -- no data cache; the ICACHE on the code bus (flash side) is not modelled

  mpu = { arch = "v8m", regions = 8,
          source = "the non-secure MPU (see the top of this file); 8 regions: Zephyr "
                .. "dts/arm/st/l5/stm32l5.dtsi, mpu@e000ed90 compatible 'arm,armv8m-mpu', "
                .. "arm,num-mpu-regions = <8>; PMSAv8 base/limit regions at 32-byte granularity "
                .. "(DDI 0553; DDI 0553 itself was not read here, the rules are model/mpu.c's, "
                .. "checked there against QEMU's transcription of the ARM pseudocode).  "
                .. "PM0264's and RM0438's own statement of the region count per security state "
                .. "could not be read in this pass" },

  irq = {
    controller = "nvic",
    lines = 108,
    priority_bits = 3,
    source = "stm32l552xx.h IRQn_Type: interrupt positions 0 (WWDG) to 107 (ICACHE), 108 "
          .. "positions of which 77, 79, 93 and 97 are unused on the STM32L552 (104 interrupts); "
          .. "RM0438 section 16.3, Table 109, 'STM32L552xx and STM32L562xx vector table'; "
          .. "__NVIC_PRIO_BITS = 3 (8 priority levels), as in Zephyr stm32l5.dtsi "
          .. "arm,num-irq-priority-bits = <3>.  RM0438 16.1's count of maskable channels was not "
          .. "legible in the copy read",
  },

  timer = {
    kind = "systick",
    frequency_hz = 110e6,
    source = "RM0438 section 16.2 'SysTick calibration value register': the Cortex-M33 with "
          .. "TrustZone embeds two SysTick timers (one per security state when TrustZone is "
          .. "active; the model uses the non-secure one), clocked from the CPU clock HCLK in "
          .. "ST's example; HCLK = 110 MHz",
  },

  costs = {
    cpi = { 1.4, calibrated =
      "provisional; the Cortex-M4 preset's value reused (the M33 is also a 3-stage pipeline, "
      .. "and can dual-issue some 16-bit instruction pairs, so its cpi is likely lower); to be "
      .. "fitted to a DWT CYCCNT measurement of a kernel path (e.g. a null system call) on a "
      .. "NUCLEO-L552ZE-Q, see docs/calibration.md" },
    syscall_entry = { 12, calibrated =
      "provisional; SVC is an exception entry; the Cortex-M4's 12 cycles (DDI 0439 section "
      .. "3.9.1) reused.  The interrupt-latency table of ARM's white paper 'Cortex-M for "
      .. "Beginners' is the place to look for a Cortex-M33 figure, but no copy showing a "
      .. "Cortex-M33 row could be read here; to be taken from it or measured with DWT CYCCNT "
      .. "on a NUCLEO-L552ZE-Q, see "
      .. "docs/calibration.md" },
    syscall_exit = { 10, calibrated =
      "provisional; the Cortex-M4's exception-return 10 cycles (KA 103489845) reused, no "
      .. "Cortex-M33 figure located; to be measured with DWT CYCCNT on a NUCLEO-L552ZE-Q, see "
      .. "docs/calibration.md" },
    exception_entry = { 12, calibrated =
      "provisional; as syscall_entry (Cortex-M4 value, DDI 0439 3.9.1); the Security Extension's "
      .. "extra stacking when an exception crosses security states is not modelled; to be "
      .. "measured, see docs/calibration.md" },
    exception_exit = { 10, calibrated =
      "provisional; as syscall_exit (Cortex-M4 value, KA 103489845); to be measured, see "
      .. "docs/calibration.md" },
    irq_entry = { 12, calibrated =
      "provisional; as syscall_entry: the Cortex-M4's 12 cycles with zero-wait-state memory "
      .. "(DDI 0439 3.9.1) reused until a Cortex-M33 figure ('Cortex-M for Beginners') is read "
      .. "or a DWT CYCCNT measurement is made, see docs/calibration.md" },
    irq_exit = { 10, calibrated =
      "provisional; as syscall_exit (Cortex-M4 value, KA 103489845); to be measured, see "
      .. "docs/calibration.md" },
    irq_tail_chain = { 6, calibrated =
      "provisional; the Cortex-M4's 6 cycles (DDI 0439 3.9.1) reused, no Cortex-M33 figure "
      .. "located; to be measured, see docs/calibration.md" },
    mpu_region_write = { 4, calibrated =
      "provisional (a PMSAv8 region is two stores to the PPB, MPU_RBAR then MPU_RLAR, with "
      .. "MPU_RNR written once or the RBAR_An/RLAR_An aliases used, as model/mpu.h counts "
      .. "them; DDI 0553 not read here); the Cortex-M4's "
      .. "2-cycle STR (DDI 0439 Table 3-1) reused, 2 x 2 = 4; the DSB/ISB after an MPU update "
      .. "is per update and not included; to be measured with DWT CYCCNT, see docs/calibration.md" },
    timer_program = { 8, calibrated =
      "provisional (four stores to the SysTick registers: CSR off, RVR, CVR, CSR on); the "
      .. "Cortex-M4 derivation reused (2-cycle STR, DDI 0439 Table 3-1); to be measured with "
      .. "DWT CYCCNT, see docs/calibration.md" },
    fpu_save = { 17, calibrated =
      "provisional (VSTMDB of the callee-saved S16-S31; S0-S15 and FPSCR are stacked by "
      .. "hardware under lazy stacking); the Cortex-M4's 1+N cycles, N = 16 (DDI 0439 Table "
      .. "7-1) reused; to be measured with DWT CYCCNT, see docs/calibration.md" },
    fpu_restore = { 17, calibrated =
      "provisional (VLDMIA of S16-S31); the Cortex-M4 value reused; to be measured with DWT "
      .. "CYCCNT, see docs/calibration.md" },
    atomic_rmw = { 5, calibrated =
      "provisional (LDREX / ADD / STREX); the Cortex-M4 derivation reused (DDI 0439 Table "
      .. "3-1); to be measured with DWT CYCCNT, see docs/calibration.md" },
  },
}
