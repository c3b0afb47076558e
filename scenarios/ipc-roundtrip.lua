-- IPC round trips: thread-migration invocation vs L4-style IPC, warm and cold, per machine
--
-- On each preset (--set presets=i7-8700,zynq7000,stm32f767 by default: the
-- machines of the seed's IPC table and of uCVM) this
-- boots the kernel with the ipc-bench booter twice (warm, and cold: caches
-- and TLBs flushed before every measured round) and measures, from a client
-- component, with the core's cycle counter:
--   sinv  a thread-migration invocation of an empty server function and its return;
--   ipc   an L4-style IPC: send to the server thread's endpoint and wait on one's
--         own (the call), the server's reply-and-wait.
-- It prints median and maximum per path, the published figure where the
-- targets file (scenarios/lib/targets.lua, the one place published figures
-- are written) has one for that machine and path, with cossim's figure in
-- the target's own statistic (a mean, for every IPC target), the error and
-- whether the target is a prediction or one `cossim calibrate` fits a
-- preset figure to; and the model's breakdown of each warm round trip: architectural
-- events from the cost table (mode switches, page-table switches),
-- instructions x cpi, instruction fetch, memory stalls, and the TLB walks of
-- the user pages each return to user level touches (the resumed code page and
-- stack page; kernel pages are global and never walk).
--
-- On each preset with an MMU it runs the warm benchmark once more with the
-- address-space ids off (tlb = { asid = false }: no PCID / no ASID), so every
-- page-table switch flushes the non-global TLB entries and the user pages
-- after it are walked again; it prints both round trips, the walks per round
-- trip and their cycles.  The ULS rows (West and Parmer's upcall figures) are
-- the same measurements named as that work names them: an upcall (a sinv into
-- another component and back, tagged TLB), the upcall with the TLB flushed and
-- reloaded (ids off), and the flush and reload alone (the difference).  They
-- are measured and printed, not compared: the published ULS machine is not a
-- preset here.
--
-- --set iterations=N (default 1000), warmup=N (default 100).
-- The seed's table: Chaos's x86 row (i7-8700: Composite's invocation and
-- seL4's IPC, both predictions) and the Zynq row (Composite's invocation,
-- the target the Cortex-A9's cpi is fitted to; seL4 on the A9 is sel4bench's
-- figure, a prediction; the seed's own seL4 A9 figure has no source).
-- docs/calibration.md has the whole table (`cossim calibrate`).

local p = sim.params{
  iterations = { 1000, "measured round trips per path" },
  presets    = { "i7-8700,zynq7000,stm32f767", "machine presets, comma-separated" },
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

-- the published figure of each machine and path, from the targets file
-- (calibration's: the paper suite's own, calibrate = false, are worst
-- cases or halves of a round trip, not this table's warm round trip)
local published = {}
for _, t in ipairs(require "targets") do
  if t.bench == "ipc" and t.calibrate ~= false and not t.scale and not t.set and not t.minus
      and not t.minus_measure then
    published[t.machine] = published[t.machine] or {}
    published[t.machine][t.measure] = { value = t.published, id = t.id, stat = t.stat,
                                        role = t.fit and "fit" or "predict" }
  end
end

local systems = {}
for _, p in ipairs(presets) do
  for _, cold in ipairs{ false, true } do
    local m = machine{ preset = p }
    local arg = iterations | (warmup << 32) | ((cold and 1 or 0) << 48)
    systems[#systems + 1] = { preset = p, cold = cold, machine = m,
                              sys = kernel.boot{ machine = m, booter = "ipc-bench", arg = arg } }
  end
  -- warm again without address-space ids, where the machine has a TLB (a
  -- Cortex-M has none: the machine refuses the key)
  local ok, m = pcall(machine, { preset = p, tlb = { asid = false } })
  if ok then
    systems[#systems + 1] = { preset = p, cold = false, untagged = true, machine = m,
                              sys = kernel.boot{ machine = m, booter = "ipc-bench", arg = iterations | (warmup << 32) } }
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
  end
  -- the parts of a warm round trip: the mean over every call of each path
  local paths = s.sys:paths()
  local function parts(names)
    local t = { arch = 0, instructions = 0, fetch = 0, stall = 0, walk = 0, walks = 0, cycles = 0 }
    for _, name in ipairs(names) do
      local p = paths[name]
      t.arch = t.arch + p.arch / p.n
      t.instructions = t.instructions + p.instructions / p.n
      t.fetch = t.fetch + p.fetch / p.n
      t.stall = t.stall + p.data / p.n
      t.walk = t.walk + p.walk / p.n
      t.walks = t.walks + p.walks / p.n
      t.cycles = t.cycles + p.cycles / p.n
    end
    for k, v in pairs(t) do t[k] = math.floor(v + 0.5) end
    return t
  end
  if s.untagged then
    for _, path in ipairs{ "sinv", "ipc" } do
      r[path].untagged = { median = s.sys:report(path .. ".median"), max = s.sys:report(path .. ".max"),
                         min = s.sys:report(path .. ".min"), mean = s.sys:report(path .. ".mean"),
                         n = s.sys:report(path .. ".n") }
    end
    r.sinv.untagged.parts = parts{ "sinv", "sret" }
    r.ipc.untagged.parts = parts{ "asnd_rcv", "asnd_rcv" }
  else
    for _, path in ipairs{ "sinv", "ipc" } do
      r[path][s.cold and "cold" or "warm"] = {
        median = s.sys:report(path .. ".median"), max = s.sys:report(path .. ".max"),
        min = s.sys:report(path .. ".min"), mean = s.sys:report(path .. ".mean"), n = s.sys:report(path .. ".n"),
      }
    end
    if not s.cold then
      r.sinv.parts = parts{ "sinv", "sret" }
      r.ipc.parts = parts{ "asnd_rcv", "asnd_rcv" }
    end
  end
end

print(string.format("%-12s %-5s %8s %8s %8s %8s %10s %8s %7s  %s", "machine", "path", "warm-med", "warm-max",
                    "cold-med", "cold-max", "published", "cossim", "error", "target"))
for _, p in ipairs(presets) do
  for _, path in ipairs{ "sinv", "ipc" } do
    local x = result[p][path]
    local pub, mine, err, tgt = "-", "-", "-", ""
    if x.published then
      local v = x.warm[x.published.stat]
      pub, mine = tostring(x.published.value), tostring(v)
      err = string.format("%+.1f%%", 100 * (v / x.published.value - 1))
      tgt = string.format("%s (%s, %s)", x.published.id, x.published.stat, x.published.role)
    end
    print(string.format("%-12s %-5s %8d %8d %8d %8d %10s %8s %7s  %s", p, path, x.warm.median, x.warm.max,
                        x.cold.median, x.cold.max, pub, mine, err, tgt))
  end
end
print()
print("warm round trip, mean parts in cycles (arch = mode and page-table switches from the cost table)")
print(string.format("%-12s %-5s %7s %7s %7s %7s %7s %7s", "machine", "path", "arch", "instr", "fetch", "stall",
                    "walk", "total"))
for _, p in ipairs(presets) do
  for _, path in ipairs{ "sinv", "ipc" } do
    local t = result[p][path].parts
    print(string.format("%-12s %-5s %7d %7d %7d %7d %7d %7d", p, path, t.arch, t.instructions, t.fetch, t.stall,
                        t.walk, t.cycles))
  end
end

-- the MMU machines, with and without address-space ids
local mmu = {}
for _, p in ipairs(presets) do
  if result[p].sinv.untagged then mmu[#mmu + 1] = p end
end
if #mmu > 0 then
  print()
  print("warm round trip with PCID/ASID on and off (off: every page-table switch flushes the non-global TLB entries)")
  print(string.format("%-12s %-5s %8s %8s %8s %9s %9s", "machine", "path", "on-med", "off-med", "off-on",
                      "walks-off", "walk-off"))
  for _, p in ipairs(mmu) do
    for _, path in ipairs{ "sinv", "ipc" } do
      local x = result[p][path]
      print(string.format("%-12s %-5s %8d %8d %8d %9d %9d", p, path, x.warm.median, x.untagged.median,
                          x.untagged.median - x.warm.median, x.untagged.parts.walks, x.untagged.parts.walk))
    end
  end
  print()
  print("ULS rows (measured, cycles): upcall = sinv round trip into another component")
  print(string.format("%-12s %8s %14s %14s", "machine", "upcall", "upcall+flush", "flush+reload"))
  for _, p in ipairs(mmu) do
    local x = result[p].sinv
    x.uls = { upcall = x.warm.median, upcall_flush = x.untagged.median, flush_reload = x.untagged.median - x.warm.median }
    print(string.format("%-12s %8d %14d %14d", p, x.uls.upcall, x.uls.upcall_flush, x.uls.flush_reload))
  end
end

return result
