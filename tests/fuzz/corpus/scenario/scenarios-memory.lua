-- The memory manager: pages handed out, given back and revoked, with TLB shootdowns and quiescent reuse
--
-- A component (wl-mem) holds a pool of physical pages and the app
-- component's page table.  Tasks invoke it: {"alloc", n} retypes n pages
-- to user memory (the kernel zeroes each 4 KiB) and maps them at the end
-- of the task's heap window; {"free"} unmaps them (the kernel invalidates
-- this core's TLB entry and sends a shootdown to every other core that has
-- the app's page table loaded) and queues them; a queued page is reused
-- only through a retype back to untyped, which the kernel allows once the
-- quiescence period (10 us) has passed.  {"revoke", task} takes back every
-- page another task holds; {"heap", bytes} touches the heap, and a page no
-- longer mapped faults.
--
-- `one core`: worker (1 ms period) allocates 8 pages, writes 32 KiB,
-- computes 50 us and frees them; nothing else runs the app's page table,
-- so no shootdowns.  `two cores`: the same worker on core 0, and on core 1
-- `hog` (every 2 ms: 4 more pages, never freed, at most `quota` 12 pages,
-- write its first 16 KiB, compute 100 us, read them again); `reclaimer`
-- on core 0 revokes hog's pages every 10 ms, at 4.05 ms into each 10 ms,
-- while hog computes: hog's read after that faults (on core 1: its TLB
-- entry was shot down).  Every page worker frees now also costs an IPI to
-- core 1 (if 6 unmaps in a row found core 1's ring full, the manager would
-- wait and retry: `retries`).  Printed: the manager's counts, the cycles
-- per page of alloc (retype, zeroing, map) and free (unmap, shootdown) as
-- the client sees them, and the shootdowns core 1 took.
-- --set span=50ms, preset=x86_64.
local p = sim.params{
  preset = { "x86_64", "machine preset (cossim machines)" },
  span   = { "50ms", "simulated time to run" },
}
local report = require("report")

local span = p.span
local preset = p.preset

local function build(cores)
  local m = machine{ preset = preset, cores = cores }
  local sys = system{ machine = m, policy = "fp", memory = { pages = 24, quota = 12 } }
  sys:task{ name = "worker", core = 0, priority = 2, period = "1ms",
            body = { {"alloc", 8}, {"heap", "32KiB", "write"}, {"compute", "50us"}, {"free"} } }
  if cores > 1 then
    sys:task{ name = "reclaimer", core = 0, priority = 1, period = "10ms", offset = "4050us",
              body = { {"revoke", "hog"}, {"compute", "10us"} } }
    sys:task{ name = "hog", core = 1, priority = 2, period = "2ms",
              body = { {"alloc", 4}, {"heap", "16KiB", "write"}, {"compute", "100us"}, {"heap", "16KiB", "read"} } }
  end
  sys:run(span)
  return sys:results(), sys:kernel():stats()
end

local out = {}
local rows = {}
for _, cores in ipairs{ 1, 2 } do
  local r, k = build(cores)
  local name = cores == 1 and "one core" or "two cores"
  local mm = r.memory
  out[name] = { tasks = report.tasks(r, name), memory = mm, kernel_shootdowns = k.shootdowns }
  print()
  rows[#rows + 1] = { name, mm.allocated, mm.freed, mm.revoked, mm.denied, mm.shootdowns, mm.unmap_retries,
                      mm.reuse_waits, mm.faults, mm.alloc_mean_cycles or 0, mm.alloc_max_cycles or 0,
                      mm.free_mean_cycles or 0, mm.free_max_cycles or 0 }
end
print(report.table{ header = { "system", "alloc", "freed", "revoked", "denied", "shootdowns", "retries", "reuse waits",
                                "faults", "alloc cyc/page", "max", "free cyc/page", "max" }, rows = rows })
local one, two = out["one core"].memory, out["two cores"].memory
print(string.format("freeing a page: %.0f cycles with no other core, %.0f with core 1 to shoot down (x%.2f); "
                    .. "core 1 took %d shootdowns", one.free_mean_cycles, two.free_mean_cycles,
                    two.free_mean_cycles / one.free_mean_cycles, out["two cores"].kernel_shootdowns))
return out
