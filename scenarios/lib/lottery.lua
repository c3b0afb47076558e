-- Lottery scheduling (Waldspurger and Weihl, OSDI 1994), written as a Lua
-- scheduling policy (docs/scenarios.md, "Scheduling policies in Lua"): at
-- each decision every ready task holds as many tickets as its weight
-- (sys:task{ weight = N }), and one ticket, drawn from the run's seeded
-- stream, wins the core for a quantum. Over many quanta a task's share of
-- the core tends to its share of the tickets.
-- Usage:
--   local lottery = require("lottery")
--   local sys = system{ machine = m, scheduler = lottery.scheduler{ quantum = "1ms" } }
local lottery = {}

-- quantum: the slice a draw wins (default 1 ms); instructions: what a
-- decision costs (default 60: the ticket sum, a draw, the walk to the winner).
function lottery.scheduler(opts)
  opts = opts or {}
  local function pick(ready, now)
    for _, t in ipairs(ready) do
      if t.running and t.slice_left_us > 0 then return t end
    end
    local total = 0
    for _, t in ipairs(ready) do total = total + t.weight end
    local ticket = math.random(total)
    for _, t in ipairs(ready) do
      ticket = ticket - t.weight
      if ticket <= 0 then return t end
    end
  end
  return { policy = pick, instructions = opts.instructions or 60, quantum = opts.quantum or "1ms" }
end

return lottery
