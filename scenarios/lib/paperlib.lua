-- The paper suite's engine: each paper's targets (scenarios/lib/targets.lua,
-- the one file of published figures) run and judged against the tolerance
-- the targets file declares.  Used by scenarios/papers.lua (`cossim papers`)
-- and scenarios/papers/<paper>.lua.  docs/papers/README.md says the rules.
--
-- A target's status:
--   holds      within its declared band (absolute) or its shape check passes;
--   misses     outside it (reported with its error, never tuned away);
--   fit        the target set a preset figure (`cossim calibrate`): shown,
--              proves nothing;
--   not built  the system it measures is not in this build (no Lua global
--              of its bench's name), or the benchmark has no such measure.
local targets = require "targets"

local L = {}

-- the papers in order, each with its targets (in the targets file's order)
function L.papers()
  local order, by = {}, {}
  local ids = {}
  for _, t in ipairs(targets) do
    if ids[t.id] then error("paperlib: two targets named " .. t.id .. " in scenarios/lib/targets.lua") end
    ids[t.id] = true
    if t.paper then
      if not by[t.paper] then
        by[t.paper] = {}
        order[#order + 1] = t.paper
      end
      local list = by[t.paper]
      list[#list + 1] = t
      if not t.shape and type(t.tol) ~= "number" then
        error("paperlib: " .. t.id .. " declares no tolerance (tol) and no shape")
      end
    end
  end
  return order, by
end

-- ---- the benchmarks ----

local runs = {}

-- micro-bench and ipc-bench reports on a preset (as the presets hold the
-- calibration: `cossim calibrate` keeps them in step)
-- ("micro-irq": the micro-bench in its irq mode, interrupts from a device
-- on line 40 of core 0 every 20 us, longer than a round's handling and a
-- line every preset's controller has; the device stops with the run)
local IRQ_LINE = 40
local function bench_reports(preset_name, bench, o)
  local key = preset_name .. "|" .. bench
  if runs[key] then return runs[key] end
  local m = machine{ preset = preset_name }
  local booter, arg, dev
  if bench == "micro" then
    local xcore = m:info().cores >= 2 and 1 or 0
    booter, arg = "micro-bench", o.iterations | (o.warmup << 20) | (xcore << 36)
  elseif bench == "micro-irq" then
    dev = m:device{ line = IRQ_LINE, core = 0, periodic = "20us" }
    booter, arg = "micro-bench", o.iterations | (o.warmup << 20) | (IRQ_LINE << 48)
  else
    booter, arg = "ipc-bench", o.iterations | (o.warmup << 32)
  end
  local sys = kernel.boot{ machine = m, booter = booter, arg = arg }
  local limit = sim.now() + sim.time("10s")
  while not sys:report("boot.done") do
    local e = sys:report("boot.error")
    if e then error(string.format("papers: %s on %s: boot failed with kernel error %d", bench, preset_name, e)) end
    if sim.now() >= limit then error(string.format("papers: %s on %s did not finish", bench, preset_name)) end
    sim.run("1ms")
  end
  if dev then dev:stop() end
  local r = {}
  for _, x in ipairs(sys:reports()) do r[x.key] = x.value end
  runs[key] = r
  return r
end

-- a preset's figure at a dotted path (the first element of {value, source})
local function preset_figure(preset_name, path)
  local v = preset(preset_name)
  for part in string.gmatch(path, "[^.]+") do v = type(v) == "table" and v[part] or nil end
  if type(v) == "table" then v = v[1] end
  if type(v) ~= "number" then error("papers: preset " .. preset_name .. " has no figure " .. path) end
  return v
end

-- The IPI flood (Chaos Fig. 2 and Fig. 8).  Core 0 runs the measured task
-- `hi` (priority 1, `job` of compute every 2 ms, first at 1 ms); each of
-- the n other cores runs a sender that sends, computes for the model's own
-- cross-core one-way latency on this machine (micro-bench xcore mean), and
-- sends again: a sender that keeps about one notification in flight.  The
-- gap is drawn from the sender's seeded stream, uniformly within
-- `flood_jitter` of itself either side (0.5 by default; 0: perfectly
-- regular senders, which fall into step with core 0's handling:
-- docs/papers/chaos.md).
-- Unprotected: each sender wakes a receiver of its own on core 0
-- (priorities 2..n+1, below hi, each looping on recv); limited: every
-- sender invokes one ipi-ratelimit component that forwards at most `limit`
-- sends a millisecond to one receiver on core 0.  The senders stop after
-- as many sends as the measured span holds gaps (every system shares the
-- one clock and runs on while the next is measured, on a machine of its
-- own: a sender still going costs host time only).  Returns hi's worst
-- response in ns, or nil for a livelock (a job missed its 2 ms period or
-- never finished).
local function flood_run(preset_name, n, limit, job, o)
  local m = machine{ preset = preset_name }
  local info = m:info()
  if n >= info.cores then error(string.format("papers: flood: %d senders need %d cores", n, n + 1)) end
  local xc = bench_reports(preset_name, "micro", o)["xcore.mean"]
  local xc_cycles = math.floor(xc + 0.5)
  local gap = sim.time(string.format("%dps", math.floor(xc * 1e12 / info.frequency_hz + 0.5)))
  local period = sim.time("2ms")
  local span = sim.time("1ms") + o.jobs * period
  local sys = system{ machine = m, policy = "fp" }
  sys:task{ name = "hi", core = 0, priority = 1, period = period, offset = "1ms", body = { { "compute", job } } }
  local count = span // gap + 1
  -- a receiver: one long job that waits, runs 100 cycles, and waits again
  -- (a periodic release of its own would add timer interrupts to core 0)
  local function receiver(name, prio)
    local b = {}
    for k = 1, count do
      b[2 * k - 1] = { "recv" }
      b[2 * k] = { "compute", 100 }
    end
    sys:task{ name = name, core = 0, priority = prio, period = "1000s", body = b }
  end
  if limit then
    sys:component{ name = "fwd", image = "ipi-ratelimit",
                   args = { limit = limit, window = info.frequency_hz // 1000 } }
    sys:grant{ from = "fwd", to = "rx1", kind = "asnd", name = "to" }
    receiver("rx1", 2)
  end
  -- a sender's one job: a send (or an invocation of the forwarder), then
  -- `gap` of compute, again until the measured jobs are over (the job
  -- then ends and the next comes in 1000 s: the system falls quiet)
  local function body(i)
    local b = {}
    local send = limit and { "invoke", "fwd" } or { "send", "rx" .. i }
    local gap_step = { "compute", xc_cycles }
    if o.flood_jitter > 0 then
      local spread = math.floor(xc_cycles * o.flood_jitter + 0.5)
      gap_step = { "compute", { "uniform", xc_cycles - spread, xc_cycles + spread } }
    end
    for k = 1, count do
      b[2 * k - 1] = send
      b[2 * k] = gap_step
    end
    return b
  end
  for i = 1, n do
    if not limit then receiver("rx" .. i, 1 + i) end
    sys:task{ name = "tx" .. i, core = i, priority = 1, period = "1000s", body = body(i) }
  end
  sys:run(span)
  local t = sys:results().tasks[1]
  if t.jobs < o.jobs or t.missed > 0 or (t.late_unfinished or 0) > 0 then return nil end
  return t.resp_max_ns
end

-- the flood's slowdowns: { [n] = % or "livelock" } (limited: by limit)
local flood_cache = {}
local function flood(t, o)
  local key = t.machine .. "|" .. t.measure .. "|" .. o.jobs .. "|" .. o.flood_jitter
  if flood_cache[key] then return flood_cache[key] end
  local res
  if t.measure == "unprotected" then
    local base = flood_run(t.machine, 0, nil, "10us", o)
    res = {}
    for n = 1, o.senders do
      local w = flood_run(t.machine, n, nil, "10us", o)
      res[n] = w and 100 * (w / base - 1) or "livelock"
    end
  else
    local base = flood_run(t.machine, 0, 1, "1ms", o)
    res = {}
    for _, limit in ipairs{ 100, 10, 1 } do
      res[limit] = {}
      for n = 1, o.senders do
        local w = flood_run(t.machine, n, limit, "1ms", o)
        res[limit][n] = w and 100 * (w / base - 1) or "livelock"
      end
    end
  end
  flood_cache[key] = res
  return res
end

-- ---- Chaos Table VI: the sensor round trip ----
--
-- The paper's loop: a periodic timer activates cFS's sensor processing on
-- core 0, which passes the reading through the applications to the
-- actuator; the round trip is from the activation to the actuator's
-- output.  Modelled on both kernels with the same shape (L.SENSOR):
-- `stages` applications each doing an equal share of the application's
-- work and passing `bytes` on to the next.
--   cossim (Chaos): the `sensor` task (priority 1, core 0, released by its
--     core's scheduler timer every `period`) runs the first stage and
--     invokes the others, each a server component of its own (spatial
--     isolation: synchronous invocation, its own memory, where it writes
--     the message's bytes); its response time is the round trip.
--   Linux-RT: monolithic.bench{measure = "sensor"} (docs/compare.md): the
--     stages are threads of one process linked by pipes, woken from the
--     timer interrupt through the interrupt thread.
-- Interference on cores 1..4: for Chaos each core's sender notifies a
-- receiver on core 0 every `gap` through one ipi-ratelimit component that
-- forwards at most one notification a period (the paper's "IPI RL =
-- 1/500ms" with its 500 ms period) and holds the rest for the receiver,
-- which polls them each time it is woken; for Linux-RT each core loops on
-- sched_yield.  The period is the paper's scaled down (500 ms there: only
-- the host's time depends on it here, the caches having nothing else to
-- do between rounds).  The application's work is the one figure not
-- published: it is set once (sensor_work), from chaos.rtt.
L.SENSOR = { period = "5ms", stages = 3, bytes = 256, cores = 4, gap = "10us" }

local sensor_cache = {}

-- cossim's loop: { mean = cycles, max = cycles, jobs = n }
local function sensor_cossim(preset_name, work, variant, o)
  local S = L.SENSOR
  local key = "cossim|" .. preset_name .. "|" .. work .. "|" .. variant .. "|" .. o.sensor_rounds
  if sensor_cache[key] then return sensor_cache[key] end
  local m = machine{ preset = preset_name }
  local info = m:info()
  local share = work // S.stages
  local servers = {}
  local body = { { "compute", share }, { "touch", 0, S.bytes, "write" } }
  for i = 2, S.stages do
    local name = "app" .. i
    servers[name] = { work = i == S.stages and work - (S.stages - 1) * share or share, touch = S.bytes }
    body[#body + 1] = { "invoke", name }
  end
  local period = sim.time(S.period)
  local sys = system{ machine = m, policy = "fp", servers = servers }
  sys:task{ name = "sensor", core = 0, priority = 1, period = period, memory = 4096, body = body }
  local span = o.sensor_rounds * period
  if variant ~= "quiet" then
    if info.cores <= S.cores then error(string.format("papers: sensor: %d interfering cores need %d", S.cores, S.cores + 1)) end
    local per_cycle = info.frequency_hz / 1e12
    local window = math.floor(period:ps() * per_cycle + 0.5)
    local count = span // sim.time(S.gap) + 1
    -- a receiver on core 0 below the sensor: waits, (polls,) runs 100
    -- cycles, again
    local function receiver(name, prio, n, poll)
      local b = {}
      for _ = 1, n do
        b[#b + 1] = { "recv" }
        if poll then b[#b + 1] = { "invoke", "fwd", 1 } end
        b[#b + 1] = { "compute", 100 }
      end
      sys:task{ name = name, core = 0, priority = prio, period = "1000s", body = b }
    end
    local function sender(i, step)
      local b = {}
      for k = 1, count do
        b[2 * k - 1] = step
        b[2 * k] = { "compute", S.gap }
      end
      sys:task{ name = "tx" .. i, core = i, priority = 1, period = "1000s", body = b }
    end
    if variant == "ratelimit" then
      -- Chaos's limiter: what it does not forward it holds, and the
      -- receiver collects it with a poll each time it is woken (once a
      -- period: the paper's polling "commensurate with the sensor rate")
      sys:component{ name = "fwd", image = "ipi-ratelimit", args = { limit = 1, window = window, poll = 1 } }
      sys:grant{ from = "fwd", to = "rx", kind = "asnd", name = "to" }
      receiver("rx", 2, o.sensor_rounds + 2, true)
      for i = 1, S.cores do sender(i, { "invoke", "fwd" }) end
    else    -- "flood": Composite without Chaos's limiter, every send an IPI
      for i = 1, S.cores do
        receiver("rx" .. i, 1 + i, count)
        sender(i, { "send", "rx" .. i })
      end
    end
  end
  sys:run(span)
  local t = sys:results().tasks[1]
  if t.jobs < o.sensor_rounds or t.missed > 0 then
    error(string.format("papers: sensor: %d of %d rounds done, %d missed", t.jobs, o.sensor_rounds, t.missed))
  end
  local r = { mean = t.resp_mean_ns * info.frequency_hz / 1e9, max = t.resp_max_cycles, jobs = t.jobs }
  sensor_cache[key] = r
  return r
end

-- the application's work: chaos.rtt's published mean less the loop's own
-- mean with no work (cycles; the one fitted figure of Table VI)
local function sensor_work(preset_name, o)
  local fit
  for _, t in ipairs(targets) do
    if t.sensor_fit then fit = t end
  end
  local base = sensor_cossim(preset_name, 0, "quiet", o)
  return math.max(0, math.floor(fit.published - base.mean + 0.5))
end

-- Linux-RT's loop: the monolithic bench's report, or nil when not built
local function sensor_linux(preset_name, work, variant, o)
  local S = L.SENSOR
  local key = "linux|" .. preset_name .. "|" .. work .. "|" .. variant .. "|" .. o.sensor_rounds
  if sensor_cache[key] then return sensor_cache[key] end
  local g = _ENV.monolithic
  if type(g) ~= "table" or type(g.bench) ~= "function" then return nil end
  -- every round recorded from the first, as the cossim side's jobs are
  local r = g.bench{ machine = machine{ preset = preset_name }, measure = "sensor", period = S.period, work = work,
                     stages = S.stages, bytes = S.bytes, yielders = variant == "yield" and S.cores or 0,
                     rounds = o.sensor_rounds, warmup = 0 }
  r = { mean = r.mean, max = r.worst, jobs = r.rounds }
  sensor_cache[key] = r
  return r
end

-- one Table VI figure: a number, or nil (with a note) when not built
local function sensor_figure(t, o)
  local work = sensor_work(t.machine, o)
  local r
  if t.system == "composite" then
    r = sensor_cossim(t.machine, work, t.variant, o)
  else
    r = sensor_linux(t.machine, work, t.variant, o)
    if not r then return nil, "the monolithic kernel has no sensor measure in this build" end
  end
  return r[t.stat]
end

-- the loop as a table, for a scenario of its own (papers/chaos-sensor):
-- { work =, rows = { {system, variant, mean, max}, ... } }
function L.sensor_table(o)
  local work = sensor_work("i7-8700", o)
  local rows = {}
  for _, v in ipairs{ "quiet", "ratelimit", "flood" } do
    local r = sensor_cossim("i7-8700", work, v, o)
    rows[#rows + 1] = { system = "composite", variant = v, mean = r.mean, max = r.max }
  end
  for _, v in ipairs{ "quiet", "yield" } do
    local r = sensor_linux("i7-8700", work, v, o)
    if r then rows[#rows + 1] = { system = "monolithic", variant = v, mean = r.mean, max = r.max } end
  end
  return { work = work, rows = rows }
end

-- ---- uCVM Table II: the layout overhead of a VM configuration ----
--
-- Every part of the system in RAM, at the paper's sizes (targets.lua's
-- ucvm_ram): the kernel, the VMM's scheduler, the I/O manager, each VM,
-- and a shared region between each VM and the I/O manager.  Each part is
-- laid out as vm.layout lays a VM out (whole 4 KiB pages, split into at
-- most the machine's MPU regions less 2, power-of-two sizes, largest
-- first); the shared regions are 4 KiB each, one region.  Y is the bytes
-- asked, X the bytes the regions cover: placed largest first, regions
-- whose sizes are powers of two leave no gap, so X is also the least SRAM
-- the layout fits in.  Returns (X - Y) / Y.
local function vm_layout_overhead(g, t)
  local ram = targets.ucvm_ram
  local parts = { ram.kernel, ram.scheduler, ram.io }
  for _, name in ipairs(t.vms) do
    if not ram[name] then error("papers: " .. t.id .. ": no RAM size for " .. tostring(name)) end
    parts[#parts + 1] = ram[name]
  end
  local guests = {}
  for i, b in ipairs(parts) do guests[i] = { bytes = b } end
  local l = g.layout{ machine = machine{ preset = t.machine }, guests = guests }
  local shared = #t.vms * ram.shared
  return (l.x + shared) / (l.y + shared) - 1
end

-- ---- the shape checks (declared here, named by the targets) ----

local shapes = {}

-- Fig. 2: steep growth, livelock at the high end
function shapes.flood_grows(v)
  local s1, s3 = v[1], v[3]
  local steep = s3 == "livelock" or (type(s1) == "number" and type(s3) == "number" and s3 >= 10 * math.max(s1, 1e-9))
  return steep and v[4] == "livelock" and v[5] == "livelock"
end

-- Fig. 8: a few % at most, and no worse as the limit falls
function shapes.limit_bounds(v)
  for n = 1, #v[100] do
    local a, b, c = v[100][n], v[10][n], v[1][n]
    for _, x in ipairs{ a, b, c } do
      if type(x) ~= "number" or x > 10 then return false end
    end
    if b > a or c > b then return false end
  end
  return true
end

-- a shape's points as one short string: a list over n = 1..5, or (the
-- rate-limited flood) one such list per limit, 100, 10 and 1 a millisecond
local function one(y)
  return y == nil and "-" or type(y) == "number" and string.format("%.3g", y) or tostring(y)
end
local function points(v)
  if type(v) ~= "table" then return tostring(v) end
  local function list(x)
    local out = {}
    for i = 1, 5 do out[i] = one(x[i]) end
    return table.concat(out, " ")
  end
  if v[100] then
    return string.format("100/ms: %s; 10/ms: %s; 1/ms: %s", list(v[100]), list(v[10]), list(v[1]))
  end
  return list(v)
end
L.points = points

-- ---- one target ----

-- a system other than cossim's own kernel: the Lua global of the bench's
-- name, with a bench{...} function (nil while it is not built)
local function other_system(name)
  local g = _ENV[name]
  if type(g) == "table" and type(g.bench) == "function" then return g end
  return nil
end

-- One run of another system's benchmark (docs/compare.md: monolithic.bench
-- and rtos.bench; the VM's, when it exists, takes the same arguments as the
-- RTOS's), cached by machine, measure and warmth: its report table.  An RTOS
-- measure ending in _mpu is the measure run with the MPU (rtos.bench's
-- `mpu`); a monolithic target with warm = false starts every round cold.
local function other_report(sys, t, o)
  local measure, mpu = t.measure, nil
  if t.bench ~= "monolithic" then
    local base = string.match(measure, "^(.*)_mpu$")
    mpu = base ~= nil
    measure = base or measure
  end
  local warm = t.warm ~= false
  local key = t.machine .. "|" .. t.bench .. "|" .. measure .. "|" .. tostring(mpu) .. "|" .. tostring(warm)
  if runs[key] then return runs[key] end
  local args = { machine = machine{ preset = t.machine }, measure = measure, rounds = o.iterations,
                 warmup = o.warmup }
  if t.bench == "monolithic" then args.warm = warm else args.mpu = mpu end
  runs[key] = sys.bench(args)
  return runs[key]
end

-- The row of one target: { id, paper, ref, system, published, cossim,
-- error, tol or check, status, note }.
function L.run_target(t, o)
  local row = { id = t.id, paper = t.paper, ref = t.ref, system = t.system, machine = t.machine,
                source = t.source, what = t.what }
  if t.shape then
    row.shape, row.check = t.shape, t.check
    row.published = points(t.published)
  else
    row.published, row.tol = t.published, t.tol
  end
  local v
  if t.bench == "micro" or t.bench == "micro-irq" or t.bench == "ipc" then
    local r = bench_reports(t.machine, t.bench, o)
    local x = r[t.measure .. "." .. t.stat]
    if x == nil then
      local e = r[t.measure .. ".error"]
      if e then error(string.format("papers: %s: %s failed with kernel error %d", t.id, t.measure, e)) end
      row.status, row.note = "not built", "the " .. t.bench .. " benchmark has no " .. t.measure .. " measure yet"
      return row
    end
    v = x * (t.scale or 1)
    if t.minus_measure then v = v - r[t.minus_measure .. "." .. t.stat] * (t.scale or 1) end
  elseif t.bench == "preset" then
    v = 0
    for path in string.gmatch(t.measure, "[^+]+") do v = v + preset_figure(t.machine, path) end
  elseif t.bench == "sensor" then
    local note
    if t.ratio then
      local by = {}
      for _, x in ipairs(targets) do by[x.id] = x end
      local a, na = sensor_figure(by[t.ratio[1]], o)
      local b, nb = sensor_figure(by[t.ratio[2]], o)
      v, note = a and b and a / b, na or nb
    else
      v, note = sensor_figure(t, o)
    end
    if v == nil then
      row.status, row.note = "not built", note
      return row
    end
    if t.sensor_fit then
      row.cossim, row.error = v, v / t.published - 1
      row.status, row.note = "fit", string.format("sets the application's work: %d cycles", sensor_work(t.machine, o))
      return row
    end
  elseif t.bench == "vm-fit" or t.bench == "vm-layout" then
    local g = _ENV.vm
    if type(g) ~= "table" or type(g.fit) ~= "function" then
      row.status, row.note = "not built", "no vm table in this build"
      return row
    end
    if t.bench == "vm-fit" then
      v = g.fit{ machine = machine{ preset = t.machine } }.vms
    else
      v = vm_layout_overhead(g, t)
    end
  elseif t.bench == "flood" then
    local res = flood(t, o)
    row.cossim = points(res)
    row.points = res
    local ok = shapes[t.shape](res)
    row.status = ok and "holds" or "misses"
    return row
  else
    local sys = other_system(t.bench)
    if not sys then
      row.status, row.note = "not built", "no " .. t.bench .. " system in this build"
      return row
    end
    local r = other_report(sys, t, o)
    if type(r) == "table" then r = r[t.stat] end
    if type(r) ~= "number" then
      row.status, row.note = "not built", "the " .. t.bench .. " system reports no " .. t.measure .. "." .. t.stat
      return row
    end
    v = r * (t.scale or 1)
  end
  row.cossim = v
  row.error = v / t.published - 1
  if t.fit then
    row.status, row.note = "fit", "fitted " .. t.fit.figure .. " (cossim calibrate)"
  else
    row.status = math.abs(row.error) <= t.tol and "holds" or "misses"
  end
  return row
end

-- ---- the table ----

function L.print_rows(rows)
  print(string.format("%-24s %-20s %-10s %10s %10s %8s %7s  %s", "target", "ref", "system", "published", "cossim",
                      "error", "band", "status"))
  for _, r in ipairs(rows) do
    if r.shape then
      print(string.format("%-24s %-20s %-10s %s", r.id, r.ref, r.system, "shape: " .. r.check))
      print(string.format("%-24s published: %s", "", r.published))
      print(string.format("%-24s cossim:    %s", "", r.cossim or "-"))
      print(string.format("%-24s %s", "", r.status))
    else
      local small = math.abs(r.published) < 100
      print(string.format("%-24s %-20s %-10s %10s %10s %8s %7s  %s%s", r.id, r.ref, r.system,
                          small and string.format("%.3g", r.published) or string.format("%d", r.published),
                          r.cossim and string.format(small and "%.3g" or "%.0f", r.cossim) or "-",
                          r.error and string.format("%+.1f%%", 100 * r.error) or "-",
                          string.format("+-%d%%", math.floor(100 * r.tol + 0.5)), r.status,
                          r.note and ("  (" .. r.note .. ")") or ""))
    end
  end
end

-- counts by status
function L.summary(rows)
  local c = { holds = 0, misses = 0, fit = 0, ["not built"] = 0 }
  for _, r in ipairs(rows) do c[r.status] = c[r.status] + 1 end
  return c
end

-- the options every paper run takes (sim.params' declarations)
L.params = {
  iterations = { 200, "measured rounds per microbenchmark" },
  warmup     = { 50, "unmeasured rounds before them" },
  jobs       = { 8, "measured jobs of the flood's high-priority task (2 ms apart)" },
  flood_jitter = { 0.5, "each flood sender's gap is drawn uniformly within this fraction of the cross-core "
                        .. "latency either side of it (0: perfectly regular senders)" },
  senders    = { 5, "the flood's largest number of sending cores (Chaos: 5)" },
  sensor_rounds = { 20, "sensor round trips per system of Table VI's loop (Chaos: 1000)" },
}

function L.check_params(p)
  assert(math.type(p.iterations) == "integer" and p.iterations >= 1 and p.iterations <= 100000,
         "iterations must be an integer from 1 to 100000")
  assert(math.type(p.warmup) == "integer" and p.warmup >= 0 and p.warmup < 2^16,
         "warmup must be an integer from 0 to 65535")
  assert(type(p.flood_jitter) == "number" and p.flood_jitter >= 0 and p.flood_jitter < 1,
         "flood_jitter must be a number from 0 to below 1")
  assert(math.type(p.jobs) == "integer" and p.jobs >= 1 and p.jobs <= 100, "jobs must be an integer from 1 to 100")
  assert(math.type(p.sensor_rounds) == "integer" and p.sensor_rounds >= 1 and p.sensor_rounds <= 10000,
         "sensor_rounds must be an integer from 1 to 10000")
  assert(math.type(p.senders) == "integer" and p.senders >= 1 and p.senders <= 5,
         "senders must be an integer from 1 to 5 (the i7-8700 has 6 cores)")
end

-- Run one paper: print its table, return its rows and counts.
function L.run_paper(name, p)
  local _, by = L.papers()
  local list = by[name]
  if not list then
    local order = L.papers()
    error(string.format("papers: no paper '%s' (the papers: %s)", name, table.concat(order, ", ")))
  end
  local rows = {}
  for _, t in ipairs(list) do rows[#rows + 1] = L.run_target(t, p) end
  print(name .. ":")
  L.print_rows(rows)
  local c = L.summary(rows)
  print(string.format("%d targets: %d hold, %d miss, %d fit, %d not built", #rows, c.holds, c.misses, c.fit,
                      c["not built"]))
  print()
  return { targets = rows, holds = c.holds, misses = c.misses, fit = c.fit, not_built = c["not built"] }
end

return L
