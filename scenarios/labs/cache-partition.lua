-- Lab: partition the shared L2's ways between an aggressor core and a victim core
--
-- The sequel of labs/cache-interference (docs/labs/cache-interference.md):
-- the same two cores, core 1 walking a working set that fits the shared L2
-- and not its L1, core 0 streaming through a buffer much larger than the
-- L2.  The way masks of the partition are the student's, from
-- scenarios/labs/student/cache-partition.lua.  The lab measures, in core
-- cycles per access over the last pass: core 1 alone; core 1 and core 0
-- with the L2 shared; and both with the student's partition.  It also
-- gives how many of the L2's ways core 1's working set needs (its size
-- over the size of one way) and how many ways each mask holds.
local student = require("student.cache-partition")
local p = sim.params{
  passes      = { 4, "passes over the working set per measurement" },
  preset      = { "cortex-a9", "machine preset (cossim machines)" },
  span        = { "10s", "simulated time to run, at most" },
  stream      = { "4M", "core 0's streaming buffer" },
  working_set = { "256K", "core 1's working set" },
}
local report = require("report")
local bytes = report.bytes

local m = machine{ preset = p.preset }
local info = m:info()
assert(info.cores >= 2, "this lab needs a machine with at least two cores")


local ws, stream, passes = bytes(p.working_set), bytes(p.stream), p.passes
local line = 32                           -- the smallest line of any preset
local ws_base, stream_base = 0x100000, 0x1000000
local l2_bytes, l2_ways = 512 * 1024, 8   -- the cortex-a9 preset's L2 (PL310: 512 KiB, 8 ways)

-- Both cores make an access and wait as long as it took, so their misses
-- meet on the bus when they really happen; returns the mean cycles per
-- access of core 1 over its last pass and of core 0 over the same time.
local function run(streaming)
  m:flush()
  local active, total, n, t0, n0, counting = true, 0, 0, 0, 0, false
  if streaming then
    sim.spawn("core0", function()
      local s = 0
      while active do
        local c = m:access(0, stream_base + s, 4, "read")
        if counting then t0, n0 = t0 + c, n0 + 1 end
        sim.wait(sim.ps(m:ps(c)))
        s = (s + line) % stream
      end
    end)
  end
  sim.spawn("core1", function()
    for pass = 1, passes do
      counting = pass == passes
      for a = 0, ws - 1, line do
        local c = m:access(1, ws_base + a, 4, "read")
        if counting then total, n = total + c, n + 1 end
        sim.wait(sim.ps(m:ps(c)))
      end
    end
    active = false
    sim.stop("core 1 is done")
  end)
  sim.run(p.span)
  return total / n, n0 > 0 and t0 / n0 or 0
end

local function ways_in(mask)
  local k = 0
  for i = 0, l2_ways - 1 do if mask & (1 << i) ~= 0 then k = k + 1 end end
  return k
end
local all = (1 << l2_ways) - 1
local mask0 = student.core0_ways or all
local mask1 = student.core1_ways or all
assert(math.type(mask0) == "integer" and mask0 > 0 and mask0 <= all and math.type(mask1) == "integer"
       and mask1 > 0 and mask1 <= all,
       "student/cache-partition.lua: core0_ways and core1_ways are masks of the L2's 8 ways (1 to 0xFF)")

local alone = run(false)
local shared, shared0 = run(true)
m:partition(1, 0, mask0)
m:partition(1, 1, mask1)
local part, part0 = run(true)
m:partition(1, 0, all)
m:partition(1, 1, all)

print(string.format("%s: core 1 walks %d KiB (needs %g of the L2's %d ways of %d KiB) while core 0 streams %d KiB",
  info.name, ws // 1024, ws / (l2_bytes // l2_ways), l2_ways, l2_bytes // l2_ways // 1024, stream // 1024))
print(string.format("your partition: core 0 ways 0x%02X (%d), core 1 ways 0x%02X (%d)",
  mask0, ways_in(mask0), mask1, ways_in(mask1)))
print(report.table{
  header = { "L2", "core 1 cycles/access", "core 0 cycles/access" },
  rows = {
    { "core 1 alone", alone, "-" },
    { "shared", shared, shared0 },
    { "your partition", part, part0 },
  },
})
print(string.format("core 1 slowdown: shared %.2fx, partitioned %.2fx; core 0 (the aggressor): %.2fx",
  shared / alone, part / alone, part0 / shared0))
return { preset = info.name, alone = alone, shared = shared, partitioned = part,
         aggressor_shared = shared0, aggressor_partitioned = part0,
         core0_ways = ways_in(mask0), core1_ways = ways_in(mask1),
         ways_needed = ws / (l2_bytes // l2_ways) }
