-- Machine preset: cortex-m7 -- another name for stm32f767 (ST's STM32F767,
-- one Cortex-M7 at 216 MHz), kept so that scenarios and traces that name
-- cortex-m7 run and read as before.  The figures and their sources are in
-- stm32f767.lua; docs/machines.md describes aliases.
return { name = "cortex-m7", alias = "stm32f767" }
