-- Round robin, written as a Lua scheduling policy (docs/scenarios.md,
-- "Scheduling policies in Lua"). The task whose slice still runs keeps the
-- core; otherwise the next ready task after the one chosen last, in the
-- order of their task numbers, wrapping round.
-- Usage:
--   local rr = require("rrpolicy")
--   local sys = system{ machine = m, scheduler = rr.scheduler{ quantum = "1ms" } }
local rrpolicy = {}

-- A scheduler table for system{ scheduler = ... } or sys:group{ ... }.
-- quantum: the slice (default 1 ms); instructions: what a decision costs
-- on the simulated core (default 40: a scan of the ready list, a compare
-- and a branch per task).
function rrpolicy.scheduler(opts)
  opts = opts or {}
  local last = 0      -- the task number chosen last
  local function pick(ready, now)
    for _, t in ipairs(ready) do
      if t.running and t.slice_left_us > 0 then return t end
    end
    -- the first ready task after `last`, wrapping round
    local best, first
    for _, t in ipairs(ready) do
      if t.task > last and (best == nil or t.task < best.task) then best = t end
      if first == nil or t.task < first.task then first = t end
    end
    local chosen = best or first
    last = chosen.task
    return chosen
  end
  return { policy = pick, instructions = opts.instructions or 40, quantum = opts.quantum or "1ms" }
end

return rrpolicy
