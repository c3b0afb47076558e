local m = machine{ preset = "x86_64", cores = 1 }
local sys = system{ machine = m, scheduler = { name = "rr", quantum = "1ms" } }
for i, n in ipairs{ "A", "B", "C" } do
  sys:task{ name = n, period = "20ms", body = { {"compute", "2500us"} } }
end
sys:run("20ms")
-- A B C A B C, then the last halves: A done at 6.5 ms, B at 7.0, C at 7.5
local r = sys:results().tasks
assert(r[1].resp_max_ns > 6.5e6 and r[1].resp_max_ns < 6.52e6)
assert(r[3].resp_max_ns > 7.5e6 and r[3].resp_max_ns < 7.52e6)
