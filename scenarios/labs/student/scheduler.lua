-- Your work for the lab "write a scheduler" (docs/labs/scheduler.md).
--
-- Each of M.rr, M.edf and M.mine is a function that makes a scheduler in
-- the form docs/scenarios.md describes ("Schedulers"), as
-- scenarios/lib/rrpolicy.lua does.  The lab calls it once for every system
-- it builds, so a local you keep in it (the task chosen last, say) belongs
-- to that system alone.  At every decision cossim calls policy(ready, now)
-- with the ready tasks and the time in microseconds; return one of the
-- tasks in `ready`.  Each task is a table { name, task, priority, weight,
-- job, release_us, deadline_us, running, slice_left_us }.  `instructions`
-- is what one decision costs on the simulated core: count what your code
-- does (a load, a compare and a branch per task scanned, a few to set up).
--
-- As given, every policy runs the first ready task: that is fixed
-- priority by declaration order, not what the lab asks for.
local M = {}

-- Step 1: round robin with 1 ms slices.  The task that holds the core
-- keeps it while its slice lasts (t.running and t.slice_left_us > 0);
-- otherwise the next ready task after the one chosen last, wrapping round.
function M.rr()
  local function pick(ready, now)
    return ready[1]
  end
  return { policy = pick, instructions = 40, quantum = "1ms" }
end

-- Step 2: earliest deadline first.
function M.edf()
  local function pick(ready, now)
    return ready[1]
  end
  return { policy = pick, instructions = 40 }
end

-- Step 3: a policy of your choosing (say which, and why, in your report).
function M.mine()
  local function pick(ready, now)
    return ready[1]
  end
  return { policy = pick, instructions = 40 }
end

-- Step 4: a task set on which your policy misses a deadline and EDF does
-- not: a list of { name, work_ms, period_ms } (deadline = period), e.g.
--   M.set = { { "a", 1, 4 }, { "b", 2, 8 } }
M.set = nil

return M
