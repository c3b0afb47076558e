-- IPC round trips: thread-migration invocation vs L4-style IPC, warm and cold, per machine
--
-- On each preset (--set presets=x86_64,cortex-a9,cortex-m7 by default) this
-- boots the kernel with the ipc-bench booter twice (warm, and cold: caches
-- and TLBs flushed before every measured round) and measures, from a client
-- component, with the core's cycle counter:
--   sinv  a thread-migration invocation of an empty server function and its return;
--   ipc   an L4-style IPC: send to the server thread's endpoint and wait on one's
--         own (the call), the server's reply-and-wait.
-- It prints median and maximum per path, the published figure where there is
-- one, and the model's breakdown of each warm round trip: architectural
-- events from the cost table (mode switches, page-table switches),
-- instructions x cpi, instruction fetch, and memory stalls.
--
-- --set iterations=N (default 1000), warmup=N (default 100).
-- The published figures (docs/calibration.md): Composite invocation 741 and
-- seL4 IPC 934 cycles on a 3.2 GHz x86; 543 and 630 on a 667 MHz Cortex-A9
-- (Zynq).  x86_64 is a prediction; cortex-a9's cpi and pt_switch were
-- fitted to its two figures; cortex-m7 is a prediction with no published
-- figure to compare.

local p = sim.params{
  iterations = { 1000, "measured round trips per path" },
  presets    = { "x86_64,cortex-a9,cortex-m7", "machine presets, comma-separated" },
  warmup     = { 100, "round trips before measuring" },
}
local presets = {}
for p in string.gmatch(p.presets, "[^,]+") do
  presets[#presets + 1] = p
end
local iterations = p.iterations
local warmup = p.warmup
assert(math.type(iterations) == "integer" and iterations >= 1 and iterations <= 1000000,
       "iterations must be an integer from 1 to 1000000 (the samples the benchmark keeps)")
assert(math.type(warmup) == "integer" and warmup >= 0 and warmup < 2^16, "warmup must be an integer from 0 to 65535")

local published = {
  x86_64 = { sinv = 741, ipc = 934 },
  ["cortex-a9"] = { sinv = 543, ipc = 630 },
}

local systems = {}
for _, p in ipairs(presets) do
  for _, cold in ipairs{ false, true } do
    local m = machine{ preset = p }
    local arg = iterations | (warmup << 32) | ((cold and 1 or 0) << 48)
    systems[#systems + 1] = { preset = p, cold = cold, machine = m,
                              sys = kernel.boot{ machine = m, booter = "ipc-bench", arg = arg } }
  end
end

-- run until every booter says it is done (each machine runs on its own cores)
local function all_done()
  for _, s in ipairs(systems) do
    if not s.sys:report("boot.done") then return false end
  end
  return true
end
local limit = sim.time("10s")
while not all_done() do
  if sim.now() >= limit then error("ipc-roundtrip: the benchmark did not finish in 10 s of simulated time") end
  sim.run("1ms")
end

local result = {}
local rows = {}
for _, s in ipairs(systems) do
  local e = s.sys:report("boot.error") or s.sys:report("sinv.error") or s.sys:report("ipc.error")
  if e then error(string.format("ipc-roundtrip: %s: the benchmark failed with kernel error %d", s.preset, e)) end
  local r = result[s.preset] or {}
  result[s.preset] = r
  for _, path in ipairs{ "sinv", "ipc" } do
    r[path] = r[path] or { published = published[s.preset] and published[s.preset][path] }
    r[path][s.cold and "cold" or "warm"] = {
      median = s.sys:report(path .. ".median"), max = s.sys:report(path .. ".max"),
      min = s.sys:report(path .. ".min"), mean = s.sys:report(path .. ".mean"), n = s.sys:report(path .. ".n"),
    }
  end
  if not s.cold then
    -- the parts of a warm round trip: the mean over every call of each path
    local paths = s.sys:paths()
    local function parts(names)
      local t = { arch = 0, instructions = 0, fetch = 0, stall = 0, cycles = 0 }
      for _, name in ipairs(names) do
        local p = paths[name]
        t.arch = t.arch + p.arch / p.n
        t.instructions = t.instructions + p.instructions / p.n
        t.fetch = t.fetch + p.fetch / p.n
        t.stall = t.stall + p.data / p.n
        t.cycles = t.cycles + p.cycles / p.n
      end
      for k, v in pairs(t) do t[k] = math.floor(v + 0.5) end
      return t
    end
    r.sinv.parts = parts{ "sinv", "sret" }
    r.ipc.parts = parts{ "asnd_rcv", "asnd_rcv" }
  end
end

print(string.format("%-10s %-5s %8s %8s %8s %8s %10s %7s", "machine", "path", "warm-med", "warm-max",
                    "cold-med", "cold-max", "published", "error"))
for _, p in ipairs(presets) do
  for _, path in ipairs{ "sinv", "ipc" } do
    local x = result[p][path]
    local pub, err = "-", "-"
    if x.published then
      pub = tostring(x.published)
      err = string.format("%+.1f%%", 100 * (x.warm.median / x.published - 1))
    end
    print(string.format("%-10s %-5s %8d %8d %8d %8d %10s %7s", p, path, x.warm.median, x.warm.max,
                        x.cold.median, x.cold.max, pub, err))
  end
end
print()
print("warm round trip, mean parts in cycles (arch = mode and page-table switches from the cost table)")
print(string.format("%-10s %-5s %7s %7s %7s %7s %7s", "machine", "path", "arch", "instr", "fetch", "stall", "total"))
for _, p in ipairs(presets) do
  for _, path in ipairs{ "sinv", "ipc" } do
    local t = result[p][path].parts
    print(string.format("%-10s %-5s %7d %7d %7d %7d %7d", p, path, t.arch, t.instructions, t.fetch, t.stall, t.cycles))
  end
end

return result
