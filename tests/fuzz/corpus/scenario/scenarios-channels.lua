-- Channels: a producer and a consumer through a shared-memory ring, on one core and across two
--
-- A channel is a single-producer single-consumer ring in the app
-- component's memory with endpoint notifications (components/implementation/chan/spsc):
-- a side that finds the ring empty (full) marks the header and waits on its
-- endpoint; the other side sends to it after its next put (get).
--   sensor: every 1 ms, 20 us of work, then puts `burst` messages of 64 bytes
--   filter: every 1 ms, for each of `burst` messages: get, then 10 us of work
-- The ring has `slots` slots.  The filter has the higher priority, so each
-- period it runs first and waits for the first message.
--   same core:  every put wakes the waiting filter at once (the same tcap:
--               the send preempts), so the ring never fills;
--   two cores:  the wake-up is an IPI to core 1; meanwhile the sensor puts
--               on, fills the ring and waits for the filter's notification;
--               the ring's lines move between the two cores' caches.
-- Printed: message latency (put to get) in cycles, waits, responses.
-- --set burst=4, slots=2, span=20ms, preset=x86_64.
local p = sim.params{
  burst  = { 4, "messages the sensor puts each period" },
  preset = { "x86_64", "machine preset (cossim machines)" },
  slots  = { 2, "slots in the ring" },
  span   = { "20ms", "simulated time to run" },
}
local report = require("report")

local burst = p.burst
local slots = p.slots
local span = p.span
local preset = p.preset

local systems, out = {}, {}
for _, place in ipairs{ "same core", "two cores" } do
  local m = machine{ preset = preset, cores = 2 }
  local sys = system{ machine = m, policy = "fp", channels = { samples = { slots = slots, size = 64 } } }
  local put, get = { {"compute", "20us"} }, {}
  for _ = 1, burst do
    put[#put + 1] = {"put", "samples"}
    get[#get + 1] = {"get", "samples"}
    get[#get + 1] = {"compute", "10us"}
  end
  sys:task{ name = "sensor", core = 0, priority = 2, period = "1ms", body = put }
  sys:task{ name = "filter", core = place == "same core" and 0 or 1, priority = 1, period = "1ms", body = get }
  systems[place] = sys
end
systems["same core"]:run(0)
systems["two cores"]:run(span)

local rows = {}
for _, place in ipairs{ "same core", "two cores" } do
  local r = systems[place]:results()
  local ch = r.channels.samples
  local f, s = r.tasks[2], r.tasks[1]
  out[place] = { puts = ch.puts, gets = ch.gets, empty_waits = ch.empty_waits, full_waits = ch.full_waits,
                 notifies = ch.notifies, max_fill = ch.max_fill,
                 latency_min_cycles = ch.latency_min_cycles, latency_mean_cycles = ch.latency_mean_cycles,
                 latency_max_cycles = ch.latency_max_cycles,
                 sensor_missed = s.missed + s.late_unfinished, filter_missed = f.missed + f.late_unfinished,
                 filter_worst_us = (f.resp_max_ns or 0) / 1e3, sensor_worst_us = (s.resp_max_ns or 0) / 1e3 }
  rows[#rows + 1] = { place, ch.puts, ch.gets, ch.empty_waits, ch.full_waits, ch.max_fill,
                      ch.latency_min_cycles or 0, ch.latency_mean_cycles or 0.0, ch.latency_max_cycles or 0,
                      out[place].sensor_worst_us, out[place].filter_worst_us }
end
print(string.format("channel: %d slots of 64 bytes, %d messages per 1 ms period (%s)", slots, burst, preset))
print(report.table{ header = { "placement", "puts", "gets", "empty waits", "full waits", "max fill",
                               "lat min cyc", "lat mean cyc", "lat max cyc", "sensor worst us", "filter worst us" },
                    rows = rows })
return out
