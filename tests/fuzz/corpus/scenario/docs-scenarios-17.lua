local m = machine{ preset = "cortex-a9" }
local cold = m:access(0, 0x1000, 4, "read")     -- memory
local warm = m:access(0, 0x1000, 4, "read")     -- the L1
local other = m:access(1, 0x1000, 4, "write")   -- core 1: the shared L2, core 0's copy invalidated
print(cold, warm, other, m:ps(warm))
