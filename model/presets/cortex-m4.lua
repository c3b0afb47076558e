-- Machine preset: cortex-m4 -- STM32F4 class (STM32F407): single Cortex-M4 with
-- single-precision FPU at 168 MHz, no cache, 8-region ARMv7-M MPU, 192 KiB SRAM.
--
-- Every figure carries either a source, a transparent derivation
-- ("derived: ..."), or is marked provisional with `calibrated = ...` and listed
-- in docs/calibration.md.
--
-- Not modelled yet: the flash and its ART accelerator.  Code runs from flash
-- with 5 wait states at 168 MHz (RM0090 section 3.5.1, Table 10, 2.7-3.6 V),
-- largely hidden by the ART prefetch / 1 KiB instruction cache; docs/machines.md
-- has no key for flash wait states, so instruction fetch is part of cpi, and
-- only there: a machine without an instruction cache charges no separate fetch
-- for kernel code (hw_fetch_in_cpi, model/hw.c), since Thumb-2 code is mostly
-- 2-byte instructions fetched 128 bits at a time behind the ART.
--
-- Abbreviations used in the source strings:
--   DDI 0439 = ARM Cortex-M4 Processor Technical Reference Manual (rev. B)
--   DDI 0403 = ARMv7-M Architecture Reference Manual
--   RM0090   = ST reference manual, STM32F405/415, STM32F407/417, STM32F42x/43x (Rev 11)
--   PM0214   = ST programming manual, STM32 Cortex-M4
return {
  name = "cortex-m4",
  description = "ST STM32F4 class (STM32F407, e.g. STM32F4DISCOVERY): single Cortex-M4F "
             .. "at 168 MHz, no cache (flash behind the ART accelerator, not modelled), "
             .. "zero-wait-state SRAM, 8-region MPU, 192 KiB SRAM (incl. 64 KiB CCM), "
             .. "NVIC with 82 interrupts and 4 priority bits, SysTick at the core clock",
  arch = "armv7e-m",
  source = "RM0090 (Rev 11) for the STM32F405/407 memory, interrupt and flash figures; "
        .. "168 MHz maximum HCLK (RM0090 section 3.5.1, Table 10; STM32F407 datasheet DS8626)",
  cores = 1,
  frequency_hz = 168e6,

  memory = {
    size = { "192K", source =
      "RM0090 section 2.3.1 'Embedded SRAM': STM32F405xx/07xx have 192 Kbytes of system "
      .. "SRAM (112 KB SRAM1 + 16 KB SRAM2 + 64 KB CCM data RAM) plus 4 KB backup SRAM" },
    dram_latency = { "5952ps", source =
      "derived: SRAM is accessed at the system clock 'without wait state' (RM0090 "
      .. "section 2.3.1); a non-pipelined LDR takes 2 cycles (DDI 0439 Table 3-1, "
      .. "instruction set summary), one of which is the issue slot counted in cpi, so a memory access "
      .. "adds 1 cycle = 1 / 168 MHz = 5.952 ns, written 5952 ps (rounded down: the model rounds "
      .. "a time up to whole cycles, and '6ns' = 1.008 cycles became 2)" },
    bus = {
      line_transfer = { "5952ps", source =
        "derived: no cache lines -- one 32-bit AHB data phase to zero-wait-state SRAM "
        .. "takes 1 cycle at 168 MHz = 5.952 ns (5952 ps, rounded down so that it is 1 cycle, "
        .. "not 2)" },
    },
  },

  caches = {},  -- no caches: the Cortex-M4 core has none; the STM32 ART accelerator (flash side) is not modelled

  mpu = { arch = "v7m", regions = 8,
          source = "PM0214 section 4.2 'Memory protection unit (MPU)': eight separate "
                .. "memory regions; register interface per DDI 0403 B3.5 (PMSAv7)" },

  irq = {
    controller = "nvic",
    lines = 82,
    priority_bits = 4,
    source = "RM0090 section 12.1.1 'NVIC features': 82 maskable interrupt channels for "
          .. "STM32F405xx/07xx and STM32F415xx/17xx (up to 91 for STM32F42xxx/43xxx), not "
          .. "including the 16 Cortex-M4 exception lines; 16 programmable priority levels "
          .. "(4 bits of interrupt priority are used)",
  },

  timer = {
    kind = "systick",
    frequency_hz = 168e6,
    source = "DDI 0403 B3.3 'The system timer, SysTick': SYST_CSR.CLKSOURCE = 1 selects "
          .. "the processor clock (the STM32 alternative is HCLK/8, RM0090 12.1.2); "
          .. "HCLK = 168 MHz",
  },

  costs = {
    cpi = { 1.4, calibrated =
      "provisional (single-issue; loads 2 cycles, taken branches 1+P, flash fetch via "
      .. "ART); to be fitted to a DWT CYCCNT measurement of a kernel path (e.g. a null "
      .. "system call) on an STM32F407, see docs/calibration.md" },
    syscall_entry = { 12, source =
      "SVC is an exception entry: DDI 0439 section 3.9.1 'Exception handling': at most "
      .. "12 cycles from the exception to the first handler instruction with "
      .. "zero-wait-state memory (stack push in parallel with the vector fetch)" },
    syscall_exit = { 10, source =
      "ARM Knowledge Article 103489845 (KA16366), 'What is the true interrupt latency "
      .. "of Cortex-M3 and Cortex-M4 for interrupt entry and exit?' (2019): exit latency "
      .. "10 cycles, +17 when an FP context is unstacked; DDI 0439B 3.9.1 prints 'twelve', "
      .. "the article gives 10 for both M3 and M4" },
    exception_entry = { 12, source =
      "DDI 0439 section 3.9.1 'Exception handling': 12-cycle latency with zero wait states "
      .. "(+17 cycles when an FP context is stacked, ARM KA 103489845)" },
    exception_exit = { 10, source =
      "ARM Knowledge Article 103489845 (KA16366): exit latency 10 cycles (+17 with an FP context)" },
    irq_entry = { 12, source =
      "DDI 0439 section 3.9.1 'Exception handling': maximum 12 cycles from interrupt "
      .. "assertion to the first ISR instruction, zero-wait-state memory (ARM KA 103489845 "
      .. "notes the vector fetch and stack push must proceed in parallel on I-Code and System)" },
    irq_exit = { 10, source =
      "ARM Knowledge Article 103489845 (KA16366): interrupt exit latency 10 cycles" },
    irq_tail_chain = { 6, source =
      "DDI 0439 section 3.9.1 'Exception handling': tail chaining requires 6 cycles with "
      .. "zero-wait-state memory, no stack push or pop" },
    mpu_region_write = { 4, source =
      "derived: one region is two stores to the PPB, MPU_RBAR with VALID and REGION set "
      .. "then MPU_RASR (DDI 0403 B3.5, PMSAv7 registers); STR is 2 cycles in DDI 0439 "
      .. "Table 3-1 (instruction set summary), less when neighbouring loads/stores "
      .. "pipeline, so 2 x 2 = 4 is an upper bound; the DSB/ISB required after an MPU "
      .. "update (DDI 0403 B3.5) is per update, not per region, and not included" },
    timer_program = { 8, source =
      "derived: reprogramming SysTick is four stores to the SCS (SYST_CSR off, SYST_RVR, "
      .. "SYST_CVR clear, SYST_CSR on; DDI 0403 B3.3) at 2 cycles each (DDI 0439 Table 3-1; "
      .. "an upper bound, neighbouring stores may pipeline) = 8" },
    fpu_save = { 17, source =
      "derived: VSTMDB of the callee-saved S16-S31 takes 1+N cycles, N = 16 (DDI 0439 "
      .. "Table 7-1, FPU instruction set); S0-S15 and FPSCR are stacked by "
      .. "hardware on exception entry under lazy stacking (+17 cycles, ARM KA 103489845), "
      .. "not in this figure" },
    fpu_restore = { 17, source =
      "derived: VLDMIA of S16-S31, 1+N cycles with N = 16 (DDI 0439 Table 7-1)" },
    atomic_rmw = { 5, source =
      "derived: LDREX (2) + ADD (1) + STREX (2) cycles, DDI 0439 Table 3-1 (instruction "
      .. "set summary); the retry branch is not counted" },
  },
}
