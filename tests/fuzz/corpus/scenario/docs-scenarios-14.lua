local m = machine{ preset = "cortex-a9", cores = 4, l2 = { size = "1M" } }
local info = m:info()
print(info.name, info.arch, info.cores, info.frequency_hz)   --> cortex-a9  armv7-a  4  667000000
