local m = machine{ preset = "cortex-a9" }      -- 8-way L2
m:partition(1, 0, 0x0F)                         -- core 0: ways 0-3
m:partition(1, 1, 0xF0)                         -- core 1: ways 4-7
m:flush()
