-- Lab: FlexSC, exception-less system calls: synchronous calls against a shared system-call page
--
-- Two x86_64 cores.  An application `app` on core 0 makes `calls` system
-- calls every 1 ms; between two calls it reads its working set (`utouch`)
-- with `uwork` cycles of work.  Each call does `kwork` cycles of work and
-- reads the "kernel's" data (`ktouch`).  Two ways of making the calls:
--
--   sync     each call is an invocation (sinv) of a server component `kern`
--            on app's own core: a kernel entry, a page-table switch into
--            the server (PCID on: no flush), the call's work and reads in
--            the server, the return (sret).  The call's data goes through
--            core 0's caches: it evicts app's working set.
--   batch B  exception-less: app writes each call as a 64-byte request
--            into a ring in shared memory (channel `req`, B slots: the
--            system-call page), B calls at a time, then reads the B
--            replies from a second ring (`rep`).  A thread `kern` on core 1
--            takes requests, does the call's work and reads on core 1, and
--            writes the replies.  A side that finds its ring empty waits on
--            its endpoint and the other side wakes it with a send (an IPI
--            across cores): the only kernel entries left, about one pair
--            per batch instead of one per call.
--
-- Printed per mode, over the warm periods (the first is left out): cycles
-- per call (the inverse of throughput), the latency of a batch (from its
-- first request to its last reply read), app's own kernel entries per
-- call, and core 0's L1D and TLB misses per call (the pollution of app's
-- working set).  The student's file
-- (scenarios/labs/student/flexsc.lua) chooses a batch size and predicts
-- the synchronous call's L1D misses by hand; --set csv=true prints the
-- sweep as a CSV for `cossim plot series`.
local student = require("student.flexsc")
local p = sim.params{
  asid    = { true, "address-space ids (PCID) on; false: every page-table switch drops the user TLB entries" },
  batches = { "1,2,4,8,16,32", "batch sizes of the exception-less runs, comma-separated, each dividing calls (one alone: 16,)" },
  calls   = { 64, "system calls app makes each 1 ms period" },
  csv     = { false, "print the sweep as CSV for `cossim plot series` instead of the table" },
  only    = { "", "run one mode alone, sync or batchN (e.g. batch4), for a trace to plot" },
  ktouch  = { "16K", "the call's data (the kernel's working set), read on each call" },
  kwork   = { 1000, "the call's own work, cycles" },
  preset  = { "x86_64", "machine preset (cossim machines)" },
  span    = { "5ms", "simulated time of each run" },
  utouch  = { "24K", "app's working set, read between two calls" },
  uwork   = { 500, "app's work between two calls, cycles (spread over its reads)" },
}
local n = p.calls
assert(math.type(n) == "integer" and n >= 1 and n <= 256, "calls must be an integer from 1 to 256")
local batches, seen = {}, {}
local function add_batch(b, what)
  b = math.tointeger(tonumber(b))
  assert(b and b >= 1 and n % b == 0, what .. ": a batch size is a whole number from 1 that divides calls (" .. n .. ")")
  if not seen[b] then seen[b] = true; batches[#batches + 1] = b end
end
for s in string.gmatch(p.batches, "[^,]+") do add_batch(s, "batches") end
if student.batch ~= nil then add_batch(student.batch, "your file's M.batch") end
table.sort(batches)

-- core 0's counters now (read before and after the measured span)
local function misses(m)
  local c = m:counters()[1]
  return { l1d = c.l1d_misses, tlb = c.tlb_misses, hz = c.freq_hz }
end

-- one run: batch nil = synchronous
local function run(b)
  local m = machine{ preset = p.preset, cores = 2, tlb = { asid = p.asid } }
  local sys
  local body = {}
  if b == nil then
    sys = system{ machine = m, policy = "fp", servers = { kern = { work = p.kwork, touch = p.ktouch } } }
    for _ = 1, n do
      body[#body + 1] = {"touch", 0, p.utouch, "read", p.uwork}
      body[#body + 1] = {"invoke", "kern"}
    end
  else
    sys = system{ machine = m, policy = "fp",
                  channels = { req = { slots = b, size = 64 }, rep = { slots = b, size = 64 } } }
    for _ = 1, n // b do
      for _ = 1, b do
        body[#body + 1] = {"touch", 0, p.utouch, "read", p.uwork}
        body[#body + 1] = {"put", "req"}
      end
      for _ = 1, b do body[#body + 1] = {"get", "rep"} end
    end
    local kbody = {}
    for _ = 1, n do
      kbody[#kbody + 1] = {"get", "req"}
      kbody[#kbody + 1] = {"touch", 0, p.ktouch, "read", p.kwork}
      kbody[#kbody + 1] = {"put", "rep"}
    end
    sys:task{ name = "kern", core = 1, priority = 1, period = "1ms", memory = p.ktouch, body = kbody }
  end
  sys:task{ name = "app", core = 0, priority = 1, period = "1ms", memory = p.utouch, body = body }
  -- the build, then a first period that fills the caches (its job is left
  -- out: the figures are the warm ones), then the measured span
  local function app_of(r)
    for _, t in ipairs(r.tasks) do if t.name == "app" then return t end end
  end
  sys:run(0)
  sys:run("1ms")
  local r0 = sys:results()
  local cold = app_of(r0)
  assert(cold.jobs == 1, "flexsc lab: the warm-up period ran no job of app")
  local before = misses(m)
  sys:run(p.span)
  local after = misses(m)
  local r = sys:results()
  local all = app_of(r)
  assert(all.missed == 0, "flexsc lab: app did not finish its calls each period")
  -- the warm jobs: all of them less the first
  local app = { jobs = all.jobs - cold.jobs,
                resp_mean_ns = (all.resp_mean_ns * all.jobs - cold.resp_mean_ns * cold.jobs) / (all.jobs - cold.jobs) }
  assert(app.jobs >= 1, "flexsc lab: no warm job of app in the span")
  local calls = app.jobs * n
  -- app's own kernel entries: two a call synchronously (sinv, sret);
  -- exception-less, a send each time it wakes kern (req's notifications)
  -- and a wait each time it finds no reply (rep's empty waits)
  local function entries(x) return x.channels.req.notifies + x.channels.rep.empty_waits end
  local sc = b == nil and 2 * calls or entries(r) - entries(r0)
  local per_call = app.resp_mean_ns * 1e-9 * before.hz / n
  return { batch = b or 0, jobs = app.jobs, cycles_per_call = math.floor(per_call + 0.5),
           latency_us = app.resp_mean_ns / 1e3 / (b and n // b or n),
           latency_cycles = math.floor(per_call * (b or 1) + 0.5),
           entries_per_call = sc / calls,
           l1d_per_call = (after.l1d - before.l1d) / calls, tlb_per_call = (after.tlb - before.tlb) / calls }
end

local function line(label, x)
  print(string.format("%-10s %9d %11.2f %12.3f %10.1f %9.2f", label, x.cycles_per_call, x.latency_us,
                      x.entries_per_call, x.l1d_per_call, x.tlb_per_call))
end
local header = string.format("%-10s %9s %11s %12s %10s %9s", "mode", "cyc/call", "latency_us", "entries/call",
                             "l1d/call", "tlb/call")

if p.only ~= "" then
  local b = nil
  if p.only ~= "sync" then
    b = math.tointeger(tonumber(string.match(p.only, "^batch(%d+)$")))
    assert(b and b >= 1 and n % b == 0, "only: sync, or batchN with N a batch size that divides calls (" .. n .. ")")
  end
  local x = run(b)
  print(header)
  line(b and ("batch " .. b) or "sync", x)
  return { only = x }
end

local out = { sync = run(nil), batches = {}, student = { batch = student.batch, l1d_sync = student.l1d_sync } }
for _, b in ipairs(batches) do out.batches[#out.batches + 1] = run(b) end

if p.csv then
  print("series,x,y")
  print("#title,FlexSC lab: " .. n .. " calls per ms on " .. p.preset)
  print("#xlabel,batch size (calls)")
  print("#ylabel,cycles")
  print("#logy")
  for _, x in ipairs(out.batches) do print(string.format("synchronous: cycles per call,%d,%d", x.batch, out.sync.cycles_per_call)) end
  for _, x in ipairs(out.batches) do print(string.format("exception-less: cycles per call,%d,%d", x.batch, x.cycles_per_call)) end
  for _, x in ipairs(out.batches) do
    print(string.format("exception-less: batch latency,%d,%d", x.batch, x.latency_cycles))
  end
  return out
end

print(string.format("%s: app makes %d calls a ms; between calls it reads %s with %d cycles of work; a call: %d cycles, reads %s",
                    p.preset, n, p.utouch, p.uwork, p.kwork, p.ktouch))
print(header)
line("sync", out.sync)
for _, x in ipairs(out.batches) do line("batch " .. x.batch, x) end
print(string.format("your batch: %s; your hand L1D misses per synchronous call: %s",
                    student.batch == nil and "-" or tostring(student.batch),
                    student.l1d_sync == nil and "-" or tostring(student.l1d_sync)))
return out
