-- Lab: IPC in a thread-migrating microkernel, an L4-style microkernel and a monolithic kernel
--
-- On one machine (--set preset=, default the i7-8700 of Chaos) three round
-- trips from a client to a server in another address space, warm, each the
-- median of `iterations` rounds:
--
--   sinv  cossim's thread migration: the client's own thread invokes the
--         server's function (ipc-bench, components/implementation/bench/ipc)
--         and returns: two kernel entries, two page-table switches, no
--         thread switch;
--   ipc   the L4-style path of the same kernel: send to the server thread's
--         endpoint and wait (seL4's Call), the server's reply-and-wait: two
--         kernel entries, two page-table switches, two thread switches;
--   pipe  the monolithic kernel (compare/monolithic): an 8-byte write into a
--         request pipe and a read of the reply, the server's read and write:
--         four system calls, two page-table switches, two context switches.
--
-- Each runs with the address-space ids on (PCID/ASID) and off (tlb = {
-- asid = false }: every page-table switch drops the non-global TLB entries).
-- The model's split of each round trip: cost-table events (mode and
-- page-table switches), instructions x cpi, instruction fetch, data stalls,
-- TLB walks; for the pipe, the counts of system calls and switches (its
-- benchmark gives no finer split).  Then the server reads a working set on
-- every request (`working_sets`, in KiB; sinv and ipc only: the monolithic
-- benchmark's server has no working set to grow).
--
-- The student's hand predictions (scenarios/labs/student/ipc.lua) are
-- printed beside the model's figures; docs/labs/ipc.md derives them.
local student = require("student.ipc")
local p = sim.params{
  iterations   = { 200, "measured round trips per path" },
  preset       = { "i7-8700", "machine preset with an MMU (cossim machines)" },
  warmup       = { 50, "round trips before measuring" },
  working_sets = { "0K,4K,16K,32K,64K,256K,512K", "server working sets to sweep, comma-separated, in K (at most 1023K)" },
}
assert(math.type(p.iterations) == "integer" and p.iterations >= 1 and p.iterations <= 100000,
       "iterations must be an integer from 1 to 100000")
assert(math.type(p.warmup) == "integer" and p.warmup >= 0 and p.warmup < 2^16,
       "warmup must be an integer from 0 to 65535")
local sizes = {}
for s in string.gmatch(p.working_sets, "[^,]+") do
  local k = math.tointeger(tonumber(string.match(s, "^(%d+)K$")))
  assert(k and k <= 1023, "working_sets: each size is a whole number of KiB from 0K to 1023K, e.g. 16K")
  sizes[#sizes + 1] = k
end

-- ipc-bench on a fresh machine: the two medians and the parts of each path
local function ipcbench(asid, ws)
  local m = machine{ preset = p.preset, cores = 1, tlb = { asid = asid } }
  local sys = kernel.boot{ machine = m, booter = "ipc-bench", arg = p.iterations | (p.warmup << 32) | (ws << 49) }
  local limit = sim.now() + sim.time("10s")
  while not sys:report("boot.done") do
    if sim.now() >= limit then error("ipc lab: ipc-bench did not finish in 10 s of simulated time") end
    sim.run("1ms")
  end
  local e = sys:report("boot.error") or sys:report("sinv.error") or sys:report("ipc.error")
         or sys:report("server.error")
  if e then error(string.format("ipc lab: ipc-bench failed with kernel error %d", e)) end
  local paths = sys:paths()
  -- the mean parts of one round trip of each path, and its counts per round
  local function parts(names)
    local t = { arch = 0, instr = 0, fetch = 0, stall = 0, walk = 0, walks = 0 }
    for _, name in ipairs(names) do
      local q = paths[name]
      t.arch = t.arch + q.arch / q.n
      t.instr = t.instr + q.instructions / q.n
      t.fetch = t.fetch + q.fetch / q.n
      t.stall = t.stall + q.data / q.n
      t.walk = t.walk + q.walk / q.n
      t.walks = t.walks + q.walks / q.n
    end
    for k, v in pairs(t) do t[k] = math.floor(v + 0.5) end
    return t
  end
  local r = { sinv = parts{ "sinv", "sret" }, ipc = parts{ "asnd_rcv", "asnd_rcv" } }
  r.sinv.median, r.ipc.median = sys:report("sinv.median"), sys:report("ipc.median")
  -- per round trip, by construction of the two paths (kernel/inv.c, kernel/asnd.c)
  r.sinv.entries, r.sinv.thread_switches, r.sinv.pt_switches = 2, 0, 2
  r.ipc.entries, r.ipc.thread_switches, r.ipc.pt_switches = 2, 2, 2
  return r
end

-- the monolithic kernel's pipe round trip on a fresh machine
local function pipe(asid)
  local m = machine{ preset = p.preset, cores = 1, tlb = { asid = asid } }
  local b = monolithic.bench{ machine = m, measure = "ipc", rounds = p.iterations, warmup = p.warmup }
  local all = p.iterations + p.warmup
  -- the stats count the whole run (warm-up and set-up included): per round
  -- trip, rounded
  return { median = b.median, entries = math.floor(b.stats.syscalls / all + 0.5),
           thread_switches = math.floor(b.stats.switches / all + 0.5),
           pt_switches = math.floor(b.stats.mm_switches / all + 0.5) }
end

local cost = preset(p.preset).costs
local function num(x) return type(x) == "table" and (x[1] or x.value) or x end
local entry_exit = num(cost.syscall_entry) + num(cost.syscall_exit)
local pt_switch = num(cost.pt_switch)

local on, off = ipcbench(true, 0), ipcbench(false, 0)
local base = { sinv = { median = on.sinv.median }, ipc = { median = on.ipc.median } }
local out = { preset = p.preset, paths = {}, ws = {}, student = student,
              costs = { entry_exit = entry_exit, pt_switch = pt_switch } }
for _, name in ipairs{ "sinv", "ipc" } do
  local x = on[name]
  x.on, x.off, x.walks_off, x.walk_off = x.median, off[name].median, off[name].walks, off[name].walk
  x.median = nil
  out.paths[name] = x
end
local pon, poff = pipe(true), pipe(false)
pon.on, pon.off, pon.median = pon.median, poff.median, nil
-- the pipe's cost-table part, from its counts (its benchmark gives no split)
pon.arch = pon.entries * entry_exit + pon.pt_switches * pt_switch
out.paths.pipe = pon

local function hand(x) return x == nil and "-" or tostring(x) end
local arch = student.arch or {}
print(string.format("%s: IPC round trips, warm, median of %d (cycles); entry+exit %d, page-table switch %d",
                    p.preset, p.iterations, entry_exit, pt_switch))
print(string.format("%-18s %6s %6s  %5s %5s %5s %5s %5s  %7s %8s %9s  %10s", "path", "on", "off", "arch", "instr",
                    "fetch", "stall", "walk", "entries", "switches", "pt-switch", "your arch"))
for _, name in ipairs{ "sinv", "ipc", "pipe" } do
  local x = out.paths[name]
  local label = ({ sinv = "sinv (migration)", ipc = "ipc (L4-style)", pipe = "pipe (monolithic)" })[name]
  local function f(v) return v == nil and "-" or tostring(v) end
  print(string.format("%-18s %6d %6d  %5s %5s %5s %5s %5s  %7d %8d %9d  %10s", label, x.on, x.off, f(x.arch),
                      f(x.instr), f(x.fetch), f(x.stall), f(x.walk), x.entries, x.thread_switches, x.pt_switches,
                      hand(arch[name])))
end
print(string.format("ids off: sinv walks %d user pages a round trip (%d cycles), ipc %d (%d cycles)",
                    out.paths.sinv.walks_off, out.paths.sinv.walk_off, out.paths.ipc.walks_off,
                    out.paths.ipc.walk_off))

if #sizes > 0 then
  print()
  print("the server reads a working set on every request (ids on)")
  print(string.format("%-8s %9s %9s  %10s", "ws_KiB", "sinv", "ipc", "your sinv"))
  local yours = student.ws or {}
  for _, k in ipairs(sizes) do
    local r = k == 0 and base or ipcbench(true, k)
    out.ws[#out.ws + 1] = { kib = k, sinv = r.sinv.median, ipc = r.ipc.median }
    print(string.format("%-8d %9d %9d  %10s", k, r.sinv.median, r.ipc.median, hand(yours[k])))
  end
end
return out
