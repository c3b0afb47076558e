-- Lab: priority inversion (the Mars Pathfinder shape) with no protocol, priority inheritance and the priority ceiling
--
-- One x86_64 core, fixed priority (1 is the highest), one lock "bus":
--
--   high    priority 1, every 10 ms from 1 ms (--set offset=T): 200 us of work, then 300 us
--           holding "bus"                                     (C = 0.5 ms)
--   medium  priority 2, every 40 ms from 1.5 ms: 12 ms of work, no lock
--   low     priority 3, every 40 ms from 0: 2 ms holding "bus", then 1 ms
--
-- low takes the lock first; high arrives, runs 200 us and waits for the
-- lock; medium arrives and, with no protocol, runs its whole 12 ms while
-- low (and so high) waits: high's response is unbounded by anything high
-- and low do.  Priority inheritance lends low high's priority while high
-- waits; the immediate priority ceiling runs low at the lock's ceiling
-- (priority 1) from the moment it takes the lock.  Either way high waits
-- for at most one of low's sections: B = 2 ms, so R(high) <= C + B = 2.5 ms
-- (the handout derives it; docs/labs/priority-inversion.md).
--
-- The protocol is the student's choice in scenarios/labs/student/
-- priority-inversion.lua; --set protocol=none|pi|ceiling overrides it.
local student = require("student.priority-inversion")
local p = sim.params{
  offset   = { "1ms", "high's first arrival, after low's" },
  preset   = { "x86_64", "machine preset (cossim machines)" },
  protocol = { student.protocol or "none", "the lock protocol: none, pi or ceiling (default: the student's file)" },
  span     = { "80ms", "simulated time to run (two of low's and medium's periods)" },
}
local report = require("report")

local m = machine{ preset = p.preset, cores = 1 }
local sys = system{ machine = m, policy = "fp", locks = { bus = p.protocol } }
sys:task{ name = "high", priority = 1, period = "10ms", offset = p.offset,
          body = { {"compute", "200us"}, {"lock", "bus"}, {"compute", "300us"}, {"unlock", "bus"} } }
sys:task{ name = "medium", priority = 2, period = "40ms", offset = "1500us",
          body = { {"compute", "12ms"} } }
sys:task{ name = "low", priority = 3, period = "40ms",
          body = { {"lock", "bus"}, {"compute", "2ms"}, {"unlock", "bus"}, {"compute", "1ms"} } }
sys:run(p.span)

local r = sys:results()
local out = report.tasks(r, string.format("%s, fixed priority, lock \"bus\": %s", m:info().name, p.protocol))
local h = r.tasks[1]
out.protocol = p.protocol
out.high.lock_wait_max_us = h.lock_wait_max_ns / 1e3
out.student = { blocking_us = student.blocking_us, bound_us = student.bound_us }
print(string.format("high: worst response %.1f us, longest wait for \"bus\" %.1f us; "
                    .. "your bounds: blocking %s us, response %s us",
                    out.high.worst_us, out.high.lock_wait_max_us,
                    tostring(student.blocking_us), tostring(student.bound_us)))
return out
