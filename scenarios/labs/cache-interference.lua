-- Lab: one core's memory traffic slows another through the shared L2 and bus; way partitioning isolates it
--
-- Core 1 runs a loop over a working set that fits in the shared L2 but not
-- in its L1.  We measure its average cost per access (in core cycles) three
-- ways: alone; while core 0 streams through a buffer much larger than the
-- L2 (evicting core 1's lines and queueing on the memory bus); and with the
-- L2's ways split between the cores, so that core 0 can only evict its own
-- lines.  Everything here is the machine model's answer: caches, coherence
-- and the bus of the chosen preset.
--
-- Parameters: preset (default "cortex-a9"), working_set (default "256K"),
-- stream (default "4M"), passes (default 4).
local p = sim.params{
  passes      = { 4, "passes over the working set per measurement" },
  preset      = { "cortex-a9", "machine preset (cossim machines)" },
  span        = { "10s", "simulated time to run" },
  stream      = { "4M", "core 0's streaming buffer" },
  working_set = { "256K", "core 1's working set" },
}
local report = require("report")
local bytes = report.bytes

local preset = p.preset
local m = machine{ preset = preset }
local info = m:info()
assert(info.cores >= 2, "this lab needs a machine with at least two cores")


local ws = bytes(p.working_set)
local stream = bytes(p.stream)
local passes = p.passes
local line = 32                           -- the smallest line of any preset
local ws_base, stream_base = 0x100000, 0x1000000

-- One experiment, in simulated time: each core is a process that makes an
-- access and then waits as long as the access took, so the two cores'
-- misses meet on the bus at the times they really happen.  Core 1 walks
-- its working set `passes` times; core 0 streams (when `streaming`) until
-- core 1 is done.  Returns core 1's mean cycles per access over the last
-- pass (the first passes warm the caches).
local function run(streaming)
  m:flush()
  local active, total, n = true, 0, 0
  if streaming then
    sim.spawn("core0", function()
      local s = 0
      while active do
        sim.wait(sim.ps(m:ps(m:access(0, stream_base + s, 4, "read"))))
        s = (s + line) % stream
      end
    end)
  end
  sim.spawn("core1", function()
    for pass = 1, passes do
      for a = 0, ws - 1, line do
        local c = m:access(1, ws_base + a, 4, "read")
        if pass == passes then total, n = total + c, n + 1 end
        sim.wait(sim.ps(m:ps(c)))
      end
    end
    active = false
    sim.stop("core 1 is done")
  end)
  sim.run(p.span)
  return total / n
end

local alone = run(false)
local shared = run(true)
-- partition: core 0 may fill only the lower half of the L2's ways
local ways = 8
m:partition(1, 0, (1 << (ways // 2)) - 1)
m:partition(1, 1, ((1 << ways) - 1) ~ ((1 << (ways // 2)) - 1))
local partitioned = run(true)

print(string.format("%s: core 1 walks %d KiB (fits the L2, not the L1) while core 0 streams %d KiB",
  info.name, ws // 1024, stream // 1024))
print(report.table{
  header = { "core 0", "core 1 cycles/access" },
  rows = {
    { "idle", alone },
    { "streaming", shared },
    { "streaming, L2 partitioned", partitioned },
  },
})
print(string.format("slowdown from interference: %.2fx; with partitioning: %.2fx", shared / alone, partitioned / alone))
m:counters()
return { preset = info.name, alone = alone, shared = shared, partitioned = partitioned }
