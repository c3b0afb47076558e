-- Timing bounds for the quickstart scenario, checked by the project's CI:
--   ./build/cossim run quickstart --trace quickstart.db
--   ./build/cossim check quickstart.db docs/examples/quickstart-bounds.lua
-- Exit 0 when every bound holds, 1 when one is violated (docs/analysis.md).
--
-- Response bounds: the hand response-time analysis of tests/test_scenarios.c
-- (test_quickstart), kernel overheads aside, plus 40 us for them:
--   control   R = 150 + B (telemetry's 50 us section)     = 200
--   telemetry R = 420 + ceil(R / 1000) * 150               = 570
--   logger    R = 2000 + 3 * 150 + 420 (+ a 32 KiB touch)  = 2870
-- within_bound asks that each worst case also stay under the bound the
-- analysis computes from the trace itself (cossim analyze).
-- The invocation bound: the log server does 20 us of work per call.
-- The kernel path bounds are regression guards: about twice the longest
-- runs measured on 2026-11-21 (sinv 790, sret 730, irq 1418, thd_switch
-- 715 cycles on x86_64).
return {
  misses = 0,
  tasks = {
    control = { response = "240us", within_bound = true },
    telemetry = { response = "610us", within_bound = true },
    logger = { response = "2910us", within_bound = true },
  },
  invocation = "25us",
  kernel_paths = { sinv = 1600, sret = 1500, irq = 2800, thd_switch = 1400 },
}
