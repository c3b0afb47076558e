-- Lab: multikernel: one shared data structure under coherence traffic against per-core replicas kept by messages
--
-- N cores (--set cores=1,2,4,8,16) each make one update a round (every
-- 100 us, all released together); an update changes `lines` cache lines
-- of a data structure, then the core computes 20 us.  Two designs, each on
-- a fresh machine:
--
--   shared    one copy in memory that every core writes: a core's update
--             finds each line Modified in the core that wrote it last and
--             pulls it over (MESI: one coherence transfer a line,
--             docs/model.md).  The workload body writes the lines through
--             m:access at the task's time and computes what it cost.
--   replicas  each core keeps its own copy (task memory) and applies its
--             update there, then sends the update (one 64-byte message)
--             to each other core over a single-producer single-consumer
--             channel (components/implementation/chan/spsc: N x (N - 1)
--             rings); after the 20 us each core takes the N - 1 messages
--             of the round and applies each to its copy.  The messages
--             are in the rings before anyone reads (the 20 us is far
--             longer than the puts), so no one waits and no IPI is sent.
--
-- Printed, per number of cores: the user-level cycles a core spends per
-- round beyond its 20 us of compute, in each design, the coherence
-- transfers behind them, and which design is cheaper; then where the
-- curves cross.  By hand (docs/labs/multikernel.md): shared is flat at
-- about lines x coherence_transfer_cycles from 2 cores on; replicas grow
-- by one message and one apply per other core.
local student = require("student.multikernel")
local p = sim.params{
  cores  = { "1,2,4,8,16", "numbers of cores to sweep, comma-separated" },
  irq    = { "", "interrupt controller instead of the preset's (gicv3 for cortex-a53 beyond 8 cores)" },
  lines  = { 64, "cache lines an update changes" },
  preset = { "x86_64", "machine preset (cossim machines)" },
  rounds = { 10, "rounds (one update per core each, every 100 us)" },
}
local report = require("report")

local k, rounds = p.lines, p.rounds
assert(math.type(k) == "integer" and k >= 1 and k <= 512, "lines: a whole number of cache lines, 1 to 512")
assert(math.type(rounds) == "integer" and rounds >= 2 and rounds <= 100, "rounds: 2 to 100")
local ns = {}
for s in string.gmatch(p.cores, "[^,]+") do
  local n = math.tointeger(tonumber(s))
  assert(n and n >= 1 and n <= 16, "cores: whole numbers 1 to 16, e.g. 1,2,4,8,16")
  ns[#ns + 1] = n
end
local work = "20us"
local irq = p.irq ~= "" and { controller = p.irq } or nil
local base = 0x30000000          -- the shared structure at 768 MiB: the kernel and the booter take memory from the
                                 -- bottom (kernel/boot.c, components/lib/booter.c), a few MiB in this lab

-- user cycles a core spends per round beyond its compute, and coherence
-- transfers per round, over all cores
local function per_round(m, before, n, hz)
  local after = m:counters()
  local u, t = 0, 0
  for i = 1, n do
    u = u + after[i].user_cycles - before[i].user_cycles
    t = t + after[i].peer_transfers - before[i].peer_transfers + after[i].upgrades - before[i].upgrades
  end
  local compute = 20 * hz // 1000000                        -- 20 us in the core's cycles
  return u / (n * rounds) - compute, t / (n * rounds)
end

local function shared(n)
  local m = machine{ preset = p.preset, cores = n, irq = irq }
  local hz = math.tointeger(m:info().frequency_hz)
  local sys = system{ machine = m, policy = "fp" }
  for i = 0, n - 1 do
    sys:task{ name = "core" .. i, core = i, priority = 1, period = "100us", body = function()
      step.compute(m:access(i, base, k * 64, "write"))
      step.compute(work)
    end }
  end
  local before = m:counters()
  sys:run(string.format("%dus", 100 * rounds))
  return per_round(m, before, n, hz)
end

local function replicas(n)
  local m = machine{ preset = p.preset, cores = n, irq = irq }
  local hz = math.tointeger(m:info().frequency_hz)
  local chans = {}
  for i = 0, n - 1 do
    for j = 0, n - 1 do
      if i ~= j then chans[string.format("m%d_%d", i, j)] = { slots = 2, size = 64 } end
    end
  end
  local sys = system{ machine = m, policy = "fp", channels = chans }
  for i = 0, n - 1 do
    local body = { {"touch", 0, k * 64, "write"} }
    for j = 0, n - 1 do
      if j ~= i then body[#body + 1] = {"put", string.format("m%d_%d", i, j)} end
    end
    body[#body + 1] = {"compute", work}
    for j = 0, n - 1 do
      if j ~= i then
        body[#body + 1] = {"get", string.format("m%d_%d", j, i)}
        body[#body + 1] = {"touch", 0, k * 64, "write"}
      end
    end
    sys:task{ name = "core" .. i, core = i, priority = 1, period = "100us", memory = "32K", body = body }
  end
  local before = m:counters()
  sys:run(string.format("%dus", 100 * rounds))
  local waits = 0
  for _, c in pairs(sys:results().channels) do waits = waits + c.empty_waits + c.full_waits end
  local u, t = per_round(m, before, n, hz)
  return u, t, waits
end

local out = { preset = p.preset, lines = k, runs = {}, student = { crossing = student.crossing,
              per_message = student.per_message, transfer = student.transfer } }
local rows, crossing = {}, nil
for _, n in ipairs(ns) do
  local su, st = shared(n)
  local ru, rt, waits = replicas(n)
  local better = ru < su and "replicas" or "shared"
  if better == "shared" and not crossing and #out.runs > 0 and out.runs[#out.runs].better == "replicas" then
    crossing = n
  end
  out.runs[#out.runs + 1] = { cores = n, shared = su, shared_transfers = st, replicas = ru,
                              replica_transfers = rt, waits = waits, better = better }
  rows[#rows + 1] = { n, su, st, ru, rt, waits, better }
end
out.crossing = crossing
print(string.format("%s: every core updates %d lines (%d bytes) a round, then computes %s", p.preset, k, k * 64,
                    work))
print(report.table{ header = { "cores", "shared cyc/round", "transfers", "replicas cyc/round", "transfers",
                               "waits", "cheaper" }, rows = rows })
-- the figure: both curves, one mark per 500 cycles
local top = 0
for _, x in ipairs(out.runs) do top = math.max(top, x.shared, x.replicas) end
local scale = math.max(1, math.ceil(top / 60))
print(string.format("cycles a core spends per round (S shared, R replicas; one mark = %d cycles)", scale))
for _, x in ipairs(out.runs) do
  print(string.format("%3d S %s", x.cores, string.rep("#", math.floor(x.shared / scale + 0.5))))
  print(string.format("    R %s", string.rep("=", math.floor(x.replicas / scale + 0.5))))
end
print(crossing and string.format("replicas cost more than the shared copy from %d cores on", crossing)
      or "the curves do not cross in this sweep")
if student.crossing then
  print(string.format("your prediction: from %s cores on (per message %s cycles, transfer %s)",
                      tostring(student.crossing), tostring(student.per_message), tostring(student.transfer)))
end
return out
