-- Quick start: three periodic tasks, a server and a lock on one core under fixed priority
--
-- The kernel boots on an x86_64 core; the workload booter builds an app
-- component holding the tasks and a "log" server component with its own
-- address space.  Each core's scheduler is a user-level component thread:
-- it releases jobs on its timer, dispatches by priority (1 is the highest)
-- and reads the kernel's scheduling events.
--
--   control  every 1 ms: 150 us of work, a short section under lock "state"
--   telemetry every 4 ms: 400 us of work, calls the log server, takes "state"
--   logger   every 10 ms: 2 ms of work, touches 32 KiB of its memory
--
-- Priority inheritance on "state" bounds control's blocking by telemetry's
-- critical section.  The script prints per-task response times (best, mean,
-- worst) and returns them for --json.  Parameters: --set span=100ms,
-- --set preset=x86_64 (any MMU preset), --set lock=pi|ceiling|none.
local p = sim.params{
  lock   = { "pi", "the lock protocol: pi, ceiling or none" },
  preset = { "x86_64", "machine preset (cossim machines)" },
  span   = { "100ms", "simulated time to run" },
}
local report = require("report")

local span = p.span
local m = machine{ preset = p.preset, cores = 1 }
local sys = system{
  machine = m,
  policy = "fp",
  servers = { log = { work = "20us", touch = "4K" } },
  locks = { state = p.lock },
}
sys:task{ name = "control", priority = 1, period = "1ms",
          body = { {"compute", "100us"}, {"lock", "state"}, {"compute", "10us"}, {"unlock", "state"},
                   {"compute", "40us"} } }
sys:task{ name = "telemetry", priority = 2, period = "4ms", offset = "650us",
          body = { {"compute", "300us"}, {"invoke", "log"}, {"lock", "state"}, {"compute", "50us"},
                   {"unlock", "state"}, {"compute", "50us"} } }
sys:task{ name = "logger", priority = 3, period = "10ms", memory = "32K",
          body = { {"touch", 0, "32K", "write"}, {"compute", "2ms"} } }
sys:run(span)

local r = sys:results()
local tasks = report.tasks(r, string.format("%s, fixed priority, %s of simulated time", m:info().name, span))
local l = r.locks.state
local c = r.tasks[1]
print(string.format("lock state (%s): %d acquisitions, %d contended; control waited at most %.1f us",
                    p.lock, l.acquisitions, l.contended, c.lock_wait_max_ns / 1e3))
local k = sys:kernel():stats()
print(string.format("kernel: %d system calls, %d switches, %d interrupts; scheduler: %d dispatches",
                    k.syscalls, k.switches, k.interrupts, r.cores[1].dispatches))
return { tasks = tasks, lock = { contended = l.contended, control_wait_max_us = c.lock_wait_max_ns / 1e3 },
         syscalls = k.syscalls, switches = k.switches }
