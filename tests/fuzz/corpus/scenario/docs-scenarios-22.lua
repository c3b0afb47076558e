local m = machine{ preset = "x86_64", cores = 2 }
local sys = system{ machine = m, policy = { "fp", "edf" },
                    servers = { fs = { work = "5us", touch = "4K" } }, locks = { buf = "pi" } }
sys:task{ name = "a", core = 0, priority = 1, period = "1ms", body = { {"invoke", "fs"} } }
sys:task{ name = "b", core = 1, period = "2ms", deadline = "1ms", body = { {"compute", "100us"} } }
sys:run("10ms")
assert(sys:results().servers.fs.calls == 10)
