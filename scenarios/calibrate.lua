-- Calibration: every published target run on its machine; at most a third fit a figure, the rest are predictions
--
-- `cossim calibrate`.  The targets are scenarios/lib/targets.lua; the few
-- marked `fit` set one preset figure each, every other is a prediction,
-- reported with its error.
--
-- For each fit target, in the file's order: the figure's preset value and
-- a second value are run, the measurement's slope in the figure is taken
-- from the two, and secant steps move the figure until the measurement
-- is the published one (at most 6 runs; a whole number of cycles, or of
-- picoseconds for a time).  The fitted figure then holds on every preset
-- the target names (the same core) for every later run.  Predictions run
-- with all the fitted figures of their machine.  Nothing is tuned per
-- prediction.
--
-- --set iterations=N (measured rounds per benchmark, default 200),
-- warmup=N (default 50), only=PRESET[,PRESET...] (the targets of those
-- machines, with the fits on them).
local p = sim.params{
  iterations = { 200, "measured rounds per benchmark run" },
  warmup     = { 50, "unmeasured rounds before them" },
  only       = { "", "run only the targets of these presets (comma-separated; empty: all)" },
}
assert(math.type(p.iterations) == "integer" and p.iterations >= 1 and p.iterations <= 100000,
       "iterations must be an integer from 1 to 100000")
assert(math.type(p.warmup) == "integer" and p.warmup >= 0 and p.warmup < 2^16,
       "warmup must be an integer from 0 to 65535")

-- the calibration's targets: the paper suite's own (calibrate = false:
-- worst cases, shapes, other systems' columns) are `cossim papers`'s
local targets = {}
for _, t in ipairs(require "targets") do
  if t.calibrate ~= false then targets[#targets + 1] = t end
end
local only = {}
for name in string.gmatch(p.only, "[^,]+") do only[name] = true end
local function wanted(t) return next(only) == nil or only[t.machine] end

-- the figure at `path` in a preset table (its value, and whether it is a time)
local function figure_of(preset_name, path)
  local v = preset(preset_name)
  for part in string.gmatch(path, "[^.]+") do
    if type(v) ~= "table" then break end
    v = v[part]
  end
  if type(v) == "table" then v = v[1] end
  if type(v) == "string" then return sim.time(v):ps(), true end
  if type(v) ~= "number" then
    error(string.format("calibrate: preset %s has no figure %s", preset_name, path))
  end
  return v, false
end

-- the fitted figures: fitted[preset] = { {path, value, is_time}, ... }
local fitted = {}

-- a deep copy of b merged over a (tables key by key; b's values win)
local function merged(a, b)
  local out = {}
  for k, v in pairs(a or {}) do out[k] = type(v) == "table" and merged(v, nil) or v end
  for k, v in pairs(b or {}) do
    out[k] = type(v) == "table" and merged(type(out[k]) == "table" and out[k] or nil, v) or v
  end
  return out
end

-- the machine a target runs on: its preset, the fitted figures, then the
-- target's own settings (`set`, e.g. tlb = { asid = false })
local function overrides(preset_name, set)
  local ov = { preset = preset_name }
  for _, f in ipairs(fitted[preset_name] or {}) do
    local tbl = ov
    local parts = {}
    for part in string.gmatch(f.path, "[^.]+") do parts[#parts + 1] = part end
    for i = 1, #parts - 1 do
      tbl[parts[i]] = tbl[parts[i]] or {}
      tbl = tbl[parts[i]]
    end
    tbl[parts[#parts]] = f.is_time and string.format("%dps", f.value) or f.value
  end
  return merged(ov, set)
end

local function describe(ov)
  local keys = {}
  local function walk(t, prefix)
    for k, v in pairs(t) do
      if k ~= "preset" then
        if type(v) == "table" then walk(v, prefix .. k .. ".") else keys[#keys + 1] = prefix .. k .. "=" .. tostring(v) end
      end
    end
  end
  walk(ov, "")
  table.sort(keys)
  return table.concat(keys, ",")
end

-- one benchmark run (cached by preset, overrides and benchmark): its reports
local runs, nruns = {}, 0
local function run_bench(ov, bench)
  local key = ov.preset .. "|" .. bench .. "|" .. describe(ov)
  if runs[key] then return runs[key] end
  if bench == "rtos" then
    -- the FreeRTOS-like RTOS (compare/rtos): each measure on a machine of its own
    local r = {}
    for _, ms in ipairs{ "switch", "irq", "msg" } do
      for _, mpu in ipairs{ false, true } do
        local b = rtos.bench{ machine = machine(ov), measure = ms, mpu = mpu, rounds = p.iterations,
                              warmup = p.warmup }
        local name = ms .. (mpu and "_mpu" or "")
        r[name .. ".mean"], r[name .. ".median"], r[name .. ".worst"] = b.mean, b.median, b.worst
      end
    end
    runs[key] = r
    nruns = nruns + 1
    return r
  end
  local m = machine(ov)
  local booter, arg
  if bench == "micro" then
    local xcore = m:info().cores >= 2 and 1 or 0
    booter, arg = "micro-bench", p.iterations | (p.warmup << 20) | (xcore << 36)
  elseif bench == "ipc" then
    booter, arg = "ipc-bench", p.iterations | (p.warmup << 32)
  else
    error("calibrate: unknown benchmark " .. tostring(bench))
  end
  local sys = kernel.boot{ machine = m, booter = booter, arg = arg }
  local limit = sim.now() + sim.time("10s")
  while not sys:report("boot.done") do
    local e = sys:report("boot.error")
    if e then error(string.format("calibrate: %s on %s: boot failed with kernel error %d", bench, ov.preset, e)) end
    if sim.now() >= limit then
      error(string.format("calibrate: %s on %s did not finish in 10 s of simulated time", bench, ov.preset))
    end
    sim.run("1ms")
  end
  local r = {}
  for _, x in ipairs(sys:reports()) do r[x.key] = x.value end     -- the last value of each key
  runs[key] = r
  nruns = nruns + 1
  return r
end

-- one run of the monolithic kernel's benchmark (compare/monolithic,
-- docs/compare.md), cached like run_bench: { [measure.mean] =, [measure.worst] = }
local function run_monolithic(ov, what, warm)
  local key = ov.preset .. "|monolithic|" .. what .. "|" .. tostring(warm) .. "|" .. describe(ov)
  if runs[key] then return runs[key] end
  local b = monolithic.bench{ machine = machine(ov), measure = what, rounds = p.iterations, warmup = p.warmup,
                              warm = warm }
  local r = { [what .. ".mean"] = b.mean, [what .. ".worst"] = b.worst, [what .. ".median"] = b.median }
  runs[key] = r
  nruns = nruns + 1
  return r
end

local function measure_on(t, ov, what)
  local r = t.bench == "monolithic" and run_monolithic(ov, what, t.warm ~= false) or run_bench(ov, t.bench)
  local e = r[what .. ".error"]
  if e then error(string.format("calibrate: %s: %s failed with kernel error %d", t.id, what, e)) end
  local v = r[what .. "." .. t.stat]
  if v == nil then
    local errs = {}
    for k, x in pairs(r) do
      if string.find(k, "error", 1, true) then errs[#errs + 1] = k .. " = " .. x end
    end
    error(string.format("calibrate: %s: the %s benchmark reported no %s.%s (%s)", t.id, t.bench, what, t.stat,
                        #errs > 0 and table.concat(errs, ", ") or "and no error"))
  end
  return v * (t.scale or 1)
end

-- a target's figure: its measurement, less the same measurement on the
-- machine changed by `minus` (a difference of two runs), or less another
-- measurement of the same run (`minus_measure`)
local function measure(t)
  local ov = overrides(t.machine, t.set)
  local v = measure_on(t, ov, t.measure)
  if t.minus then v = v - measure_on(t, overrides(t.machine, merged(t.set, t.minus)), t.measure) end
  if t.minus_measure then v = v - measure_on(t, ov, t.minus_measure) end
  return v
end

-- the fit of one target: secant steps on its figure
local function fit(t)
  local path = t.fit.figure
  local c0, is_time = figure_of(t.machine, path)
  local function at(c)
    for _, pr in ipairs(t.fit.presets) do
      local list = fitted[pr] or {}
      fitted[pr] = list
      local found = false
      for _, f in ipairs(list) do
        if f.path == path then f.value, found = c, true end
      end
      if not found then list[#list + 1] = { path = path, value = c, is_time = is_time } end
    end
    return measure(t)
  end
  -- a whole figure (cycles, picoseconds) moves by whole units; a fraction
  -- (a cpi) by thousandths
  local whole = math.type(c0) == "integer"
  local unit = whole and 1 or 0.001
  local function round(x)
    x = math.max(0, x)
    if whole then return math.floor(x + 0.5) end
    return math.floor(x * 1000 + 0.5) / 1000
  end
  local x0, y0 = c0, at(c0)
  local x1 = round(c0 + math.max(unit, c0 / 4))
  local y1 = at(x1)
  local best, besty = x0, y0
  if math.abs(y1 - t.published) < math.abs(besty - t.published) then best, besty = x1, y1 end
  for _ = 1, 4 do
    if y1 == y0 then
      error(string.format("calibrate: %s: %s does not move the measurement (%s at %d and %d)", t.id, path,
                          tostring(y0), x0, x1))
    end
    local x2 = x1 + (t.published - y1) * (x1 - x0) / (y1 - y0)
    x2 = round(x2)
    if x2 == x1 or x2 == x0 then break end
    local y2 = at(x2)
    if math.abs(y2 - t.published) < math.abs(besty - t.published) then best, besty = x2, y2 end
    x0, y0, x1, y1 = x1, y1, x2, y2
  end
  at(best)
  return { figure = path, value = best, preset_value = c0, is_time = is_time, presets = t.fit.presets }
end

local rows = {}
local nfit, ntargets = 0, 0
for _, t in ipairs(targets) do
  ntargets = ntargets + 1
  if t.fit then nfit = nfit + 1 end
end
if nfit * 3 > ntargets then
  error(string.format("calibrate: %d of %d targets fit a figure: at most a third may", nfit, ntargets))
end

local fits = {}
for _, t in ipairs(targets) do
  if t.fit and wanted(t) then fits[t.id] = fit(t) end
end
for _, t in ipairs(targets) do
  if wanted(t) then
    local v = measure(t)
    rows[#rows + 1] = { id = t.id, machine = t.machine, measure = t.measure, stat = t.stat, published = t.published,
                        cossim = v, error = v / t.published - 1, role = t.fit and "fit" or "predict",
                        fit = fits[t.id], source = t.source, what = t.what }
  end
end

local function fmt_value(f, v)
  return f.is_time and sim.format(sim.ps(v)) or tostring(v)
end

print(string.format("%-18s %-13s %-9s %9s %9s %8s  %s", "target", "machine", "measure", "published", "cossim",
                    "error", "role"))
local errs, within, machines = {}, 0, {}
for _, r in ipairs(rows) do
  machines[r.machine] = true
  local role = r.role
  if r.fit then
    role = string.format("fit %s = %s (preset %s)", r.fit.figure, fmt_value(r.fit, r.fit.value),
                         fmt_value(r.fit, r.fit.preset_value))
  else
    errs[#errs + 1] = math.abs(r.error)
    if math.abs(r.error) <= 0.10 then within = within + 1 end
  end
  print(string.format("%-18s %-13s %-9s %9d %9.0f %+7.1f%%  %s", r.id, r.machine, r.measure, r.published, r.cossim,
                      100 * r.error, role))
end
table.sort(errs)
local median = #errs > 0 and (errs[(#errs + 1) // 2] + errs[#errs // 2 + 1]) / 2 or 0
local nm = 0
for _ in pairs(machines) do nm = nm + 1 end
local nf = 0
for _, r in ipairs(rows) do if r.fit then nf = nf + 1 end end
print()
print(string.format("%d targets on %d machines: %d fit, %d predicted; predictions within +-10%%: %d of %d; "
                    .. "median absolute error of the predictions %.1f%%  (%d benchmark runs)",
                    #rows, nm, nf, #rows - nf, within, #rows - nf, 100 * median, nruns))

return { targets = rows, fitted = nf, predicted = #rows - nf, machines = nm,
         median_abs_error = median, within_10 = within, runs = nruns }
