-- M/M/1 queue: one server, random arrivals, checked against queueing theory (the engine alone)
--
-- Requests arrive as a Poisson process and wait in FIFO order for one server
-- whose service times are exponential: the M/M/1 queue.  Its mean response
-- time is 1 / (mu - lambda) (Kleinrock, Queueing Systems vol. 1, 1975,
-- eq. 3.26), so the simulated figure can be checked against the formula.
--
-- Parameters (cossim run mm1-queue --set load=0.8 --set jobs=20000):
--   load     utilisation lambda/mu, below 1   (default 0.5)
--   service  mean service time                (default "100us")
--   jobs     number of arrivals to simulate   (default 10000)
local p = sim.params{
  jobs    = { 10000, "number of arrivals to simulate" },
  load    = { 0.5, "utilisation lambda/mu, below 1" },
  service = { "100us", "mean service time" },
  span    = { "1000s", "simulated time to run" },
}
local report = require("report")

local load = p.load
local service = sim.time(p.service)      -- a time value (docs/scenarios.md "Time values")
local service_ps = service:ps()           -- its integer picoseconds, for the arithmetic below
local jobs = p.jobs
assert(load > 0 and load < 1, "load must be between 0 and 1")
assert(math.type(jobs) == "integer" and jobs > 0, "jobs must be a positive integer")

local arrivals = sim.rng("arrivals")
local services = sim.rng("service")
local mean_gap = service_ps / load            -- ps between arrivals, on average

local queue, head, busy = {}, 1, false
local response = {}
local busy_ps, busy_since, last_departure = 0, 0, 0

local function start_next()
  if head > #queue then
    busy = false
    busy_ps = busy_ps + (sim.now():ps() - busy_since)
    return
  end
  local job = queue[head]
  head = head + 1
  if not busy then
    busy, busy_since = true, sim.now():ps()
  end
  sim.event("start", { a0 = job.n })
  sim.after(sim.ps(math.floor(services:exponential(service_ps) + 0.5)), function()
    sim.event("finish", { a0 = job.n })
    response[#response + 1] = sim.now():ps() - job.arrived
    last_departure = sim.now():ps()
    if #response == jobs then sim.stop("all jobs served") end
    start_next()
  end)
end

sim.spawn("arrivals", function()
  for n = 1, jobs do
    sim.wait(sim.ps(math.floor(arrivals:exponential(mean_gap) + 0.5)))
    queue[#queue + 1] = { n = n, arrived = sim.now():ps() }
    sim.event("arrive", { a0 = n })
    if not busy then start_next() end
  end
end)

sim.run(p.span)            -- stops when the last job is served
if busy then busy_ps = busy_ps + (sim.now():ps() - busy_since) end
local elapsed = busy and sim.now():ps() or last_departure

local r = report.stats(response)
local analytic = service_ps / (1 - load)
print(string.format("M/M/1 queue at load %.2f, mean service %s", load, sim.format(service)))
print(report.table{
  header = { "figure", "simulated", "analytic" },
  rows = {
    { "jobs served", r.n, "" },
    { "mean response (us)", r.mean / 1e6, analytic / 1e6 },
    { "max response (us)", r.max / 1e6, "" },
    { "server busy", busy_ps / elapsed, load },
  },
})
print(string.format("mean response differs from 1/(mu-lambda) by %+.1f%%", 100 * (r.mean / analytic - 1)))

return {
  jobs = r.n,
  mean_response_ps = r.mean,
  analytic_response_ps = analytic,
  max_response_ps = r.max,
  utilisation = busy_ps / elapsed,
}
