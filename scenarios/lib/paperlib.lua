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
-- sends again: a sender that keeps about one notification in flight.
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
    for k = 1, count do
      b[2 * k - 1] = send
      b[2 * k] = { "compute", xc_cycles }
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
  local key = t.machine .. "|" .. t.measure
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
      print(string.format("%-24s %-20s %-10s %10d %10s %8s %7s  %s%s", r.id, r.ref, r.system, r.published,
                          r.cossim and string.format("%.0f", r.cossim) or "-",
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
  jobs       = { 3, "measured jobs of the flood's high-priority task (2 ms apart)" },
  senders    = { 5, "the flood's largest number of sending cores (Chaos: 5)" },
}

function L.check_params(p)
  assert(math.type(p.iterations) == "integer" and p.iterations >= 1 and p.iterations <= 100000,
         "iterations must be an integer from 1 to 100000")
  assert(math.type(p.warmup) == "integer" and p.warmup >= 0 and p.warmup < 2^16,
         "warmup must be an integer from 0 to 65535")
  assert(math.type(p.jobs) == "integer" and p.jobs >= 1 and p.jobs <= 100, "jobs must be an integer from 1 to 100")
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
