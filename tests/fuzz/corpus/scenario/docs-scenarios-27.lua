local m = machine{ preset = "x86_64", cores = 1 }
local sys = system{ machine = m, policy = "edf" }
sys:task{ name = "grow", period = "1ms", body = function(job)
  step.compute(10000 * job)            -- each job longer than the last
  if job % 2 == 0 then step.sleep("10us") end
end }
sys:run("5ms")
local t = sys:results().tasks[1]
assert(t.jobs == 5 and t.resp_max_ns > t.resp_min_ns)
