local m = machine{ preset = "x86_64", cores = 2 }
local sys = system{ machine = m, policy = "fp", memory = { pages = 16, quota = 8 } }
sys:task{ name = "buf", core = 1, priority = 1, period = "1ms",
          body = { {"alloc", 4}, {"heap", "16K", "write"}, {"compute", "200us"}, {"heap", "16K", "read"}, {"free"} } }
sys:task{ name = "admin", core = 0, priority = 1, period = "5ms", offset = "2100us", body = { {"revoke", "buf"} } }
sys:run("10ms")
local mm = sys:results().memory
assert(mm.allocated == 40 and mm.freed == 32 and mm.revoked == 8 and mm.faults == 2)
print(string.format("alloc %.0f, free %.0f cycles per page", mm.alloc_mean_cycles, mm.free_mean_cycles))
