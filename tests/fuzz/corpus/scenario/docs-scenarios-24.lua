local m = machine{ preset = "x86_64", cores = 1 }
local function earliest(ready, now)
  local best = ready[1]
  for _, t in ipairs(ready) do
    if t.deadline_us < best.deadline_us then best = t end
  end
  return best
end
local sys = system{ machine = m, scheduler = { policy = earliest, instructions = 30 } }
sys:task{ name = "t1", period = "5ms", body = { {"compute", "2ms"} } }
sys:task{ name = "t2", period = "7ms", body = { {"compute", "4ms"} } }
sys:run("35ms")
assert(sys:results().tasks[2].missed == 0)     -- U = 0.97: EDF meets every deadline
