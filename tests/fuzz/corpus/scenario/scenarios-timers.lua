-- The timer manager: a task's timed wait through a timer component, against a sleep the scheduler serves
--
-- One x86_64 core, fixed priority.  `poll` (priority 2, every 1 ms from 400 us)
-- computes 50 us, waits 200 us, computes 50 us; `bulk` (priority 3)
-- fills the gaps.  The wait is made two ways:
--   sleep:    {"sleep", t}: the task marks itself asleep in the scheduler's
--             state and yields; the scheduler's kernel timeout wakes it;
--   timeout:  {"timeout", t}: the task invokes the timer manager (a
--             component of its own, its table in its own memory) to arm
--             its timer and waits on its endpoint; the core's timer thread
--             wakes at the expiry, invokes the manager, which sends to the
--             task's endpoint.
-- The difference between poll's response times is the price of the
-- manager: two invocations, a send, the timer thread's dispatch.  `tick`
-- (priority 1) shows periodic wake-ups: released 500 us into each period,
-- each job waits for the next tick of its 1 ms periodic timer (ticks on
-- the millisecond), so its response is 500 us, the wake-up's lateness and
-- 10 us of work.  Printed: responses and the lateness after expiry.
-- --set span=50ms, preset=x86_64.
local p = sim.params{
  preset = { "x86_64", "machine preset (cossim machines)" },
  span   = { "50ms", "simulated time to run" },
}
local report = require("report")

local span = p.span
local preset = p.preset
local systems, out = {}, {}
for _, how in ipairs{ "sleep", "timeout" } do
  local m = machine{ preset = preset, cores = 1 }
  local sys = system{ machine = m, policy = "fp" }
  sys:task{ name = "poll", priority = 2, period = "1ms", offset = "400us",
            body = { {"compute", "50us"}, {how, "200us"}, {"compute", "50us"} } }
  sys:task{ name = "bulk", priority = 3, period = "1ms", body = { {"compute", "400us"} } }
  if how == "timeout" then
    sys:task{ name = "tick", priority = 1, period = "1ms", offset = "500us",
              body = { {"tick", "1ms"}, {"compute", "10us"} } }
  end
  systems[how] = sys
end
systems.sleep:run(0)
systems.timeout:run(span)

for _, how in ipairs{ "sleep", "timeout" } do
  local r = systems[how]:results()
  out[how] = report.tasks(r, how == "sleep" and "wait by the scheduler's sleep" or "wait through the timer manager")
  print()
end
local tm = systems.timeout:results().timers
out.timers = tm
print(string.format("timer manager: %d arms, %d expirations, %d waits; lateness after expiry %d / %.0f / %d cycles (min/mean/max)",
                    tm.arms, tm.expirations, tm.waits, tm.late_min_cycles or 0, tm.late_mean_cycles or 0,
                    tm.late_max_cycles or 0))
print(string.format("poll's worst response: sleep %.2f us, timer manager %.2f us (+%.2f us)",
                    out.sleep.poll.worst_us, out.timeout.poll.worst_us, out.timeout.poll.worst_us - out.sleep.poll.worst_us))
return out
