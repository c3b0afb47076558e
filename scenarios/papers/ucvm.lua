-- uCVM (RTAS 2018) on the STM32F767: the hardware costs and the Composite column of the operation table
--
-- The targets are scenarios/lib/targets.lua's paper = "ucvm" entries: the
-- interrupt, system call and MPU programming costs, the Composite
-- operations of the micro-bench; the FreeRTOS, FreeRTOS-with-MPU and VM
-- columns are "not built" until those systems are (docs/papers/ucvm.md).
-- --set iterations=N, warmup=N.
local lib = require "paperlib"
local p = sim.params(lib.params)
lib.check_params(p)
return lib.run_paper("ucvm", p)
