-- The reference solution of the lab "write a scheduler" (docs/labs/scheduler.md),
-- kept out of the student's starter (scenarios/labs/student/scheduler.lua).
-- tests/check_labs.py runs the lab with it and expects scripts/lab-check.py
-- to pass it.
local M = {}

-- Round robin: the holder keeps the core while its slice lasts, else the
-- first ready task after the one chosen last (by task number), wrapping.
function M.rr()
  local last = 0
  local function pick(ready, now)
    for _, t in ipairs(ready) do
      if t.running and t.slice_left_us > 0 then return t end
    end
    local best, first
    for _, t in ipairs(ready) do
      if t.task > last and (best == nil or t.task < best.task) then best = t end
      if first == nil or t.task < first.task then first = t end
    end
    local chosen = best or first
    last = chosen.task
    return chosen
  end
  -- two scans of at most three tasks (a load, a compare, a branch each) and set-up
  return { policy = pick, instructions = 40, quantum = "1ms" }
end

-- EDF: the earliest absolute deadline; a tie goes to the task that runs
-- (no needless switch).
function M.edf()
  local function pick(ready, now)
    local best = ready[1]
    for _, t in ipairs(ready) do
      if t.deadline_us < best.deadline_us or (t.deadline_us == best.deadline_us and t.running) then best = t end
    end
    return best
  end
  return { policy = pick, instructions = 30 }
end

-- First come, first served: the job released first runs to its end (ties:
-- the lower task number); a job released later never displaces it.
function M.mine()
  local function pick(ready, now)
    local best = ready[1]
    for _, t in ipairs(ready) do
      if t.release_us < best.release_us or (t.release_us == best.release_us and t.task < best.task) then
        best = t
      end
    end
    return best
  end
  return { policy = pick, instructions = 30 }
end

-- FCFS misses here, EDF does not: both released at 0; b (5 ms) runs after
-- a's first job, 1 to 6 ms; a's second job, released at 3 ms with its
-- deadline at 6 ms, waits behind b and ends at 7 ms (by hand).  U = 1/3 +
-- 5/15 = 0.667 <= 1, so EDF meets every deadline.
M.set = { { "a", 1, 3 }, { "b", 5, 15 } }

return M
