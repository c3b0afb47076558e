local m = machine{ preset = "x86_64" }
for i = 0, 63 do m:access(0, i * 64, 4, "read") end
local c = m:counters()
print(c[1].l1d_misses, c[1].mem_reads)          --> 64  64
