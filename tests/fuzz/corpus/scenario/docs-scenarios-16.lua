local p = preset("cortex-m7")
print(p.frequency_hz, p.irq.controller)        --> 216000000.0  nvic
local exit = p.costs.syscall_exit[1]            -- the figure, without its source
local m = machine{ preset = "cortex-m7", costs = { syscall_exit = exit + 1 } }
print(m:info().name)                            --> cortex-m7
