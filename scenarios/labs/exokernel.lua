-- Lab: exokernel: a library memory manager that owns its pages, visible revocation and the abort
--
-- One i7-8700 core, fixed priority.  A task `lib` (priority 2, every 1 ms)
-- allocates 8 pages, writes them (32 KiB), computes 400 us, reads its data
-- and frees the pages.  Its memory comes one of two ways:
--
--   manager  a memory manager component (wl-mem) owns the pool: every alloc
--            and free is an invocation of it (a sinv round trip), and a page
--            it hands out again is retyped back to untyped and to user
--            memory, which the kernel zeroes (it may go to another task).
--   library  the exokernel way (memory = { library = true }): the kernel
--            only protects; the app holds the pool's kmem capability and its
--            own page table, lib's heap owns 8 pages of the pool, and lib's
--            library maps and unmaps them itself, zeroing each once.
--
-- Part 1 (cost): both, with nothing else running: the cycles per page of
-- alloc and free as lib sees them.  Part 2 (revocation): a task `owner`
-- (priority 1, every 5 ms from 2.1 ms) takes memory back.  With the
-- manager the pages simply vanish (revoke: unmapped under lib, which
-- faults).  With the library the revocation is visible: owner asks for 4
-- pages, waits `grace`, and aborts (takes every page by force) if the
-- library has not answered; the library answers at its {"answer"} steps.
-- Part 2's library runs lib's body from the student's file
-- (scenarios/labs/student/exokernel.lua).  --set only=manager|library runs
-- one revocation run alone, for a trace to plot.
local student = require("student.exokernel")
local p = sim.params{
  grace  = { "100us", "how long owner waits for the library's answer before it aborts" },
  only   = { "", "run one revocation run alone (manager or library), for a trace to plot" },
  preset = { "i7-8700", "machine preset (cossim machines)" },
  span   = { "20ms", "simulated time of each run" },
}
local lab_body = { {"alloc", 8}, {"heap", "32KiB", "write"}, {"compute", "400us"}, {"heap", "32KiB", "read"}, {"free"} }
assert(type(student.body) == "table" and #student.body >= 1, "student.exokernel: M.body is lib's list of steps")

local function kib(s)
  local n, u = string.match(tostring(s), "^(%d+)(%a*)$")
  assert(n, "a heap step's size is a number of bytes or KiB, e.g. \"32KiB\"")
  return u == "KiB" and tonumber(n) * 1024 or tonumber(n)
end

-- what lib's body does a job: pages allocated, bytes written, compute (us)
local function work_of(body)
  local w = { pages = 0, written = 0, compute_us = 0 }
  for _, s in ipairs(body) do
    if s[1] == "alloc" then w.pages = w.pages + s[2]
    elseif s[1] == "heap" and s[3] == "write" then w.written = math.max(w.written, kib(s[2]))
    elseif s[1] == "compute" then w.compute_us = w.compute_us + sim.time(s[2]) / sim.time("1us") end
  end
  return w
end

-- one run: memory by the manager or the library; owner revoking or not
local function run(library, body, revoking)
  local m = machine{ preset = p.preset, cores = 1 }
  local sys = system{ machine = m, policy = "fp", memory = { pages = 24, quota = 8, library = library } }
  sys:task{ name = "lib", priority = 2, period = "1ms", body = body }
  if revoking then
    sys:task{ name = "owner", priority = 1, period = "5ms", offset = "2100us",
              body = library and { {"revoke", "lib", 4}, {"sleep", p.grace}, {"abort", "lib"} }
                             or { {"revoke", "lib"} } }
  end
  sys:run(p.span)
  local r = sys:results()
  local t, mm = r.tasks[1], r.memory
  return { jobs = t.jobs, missed = t.missed, worst_us = (t.resp_max_ns or 0) / 1e3,
           alloc = mm.alloc_mean_cycles or 0, free = mm.free_mean_cycles or 0, allocated = mm.allocated,
           zeroed = mm.zeroed, faults = mm.faults, requests = mm.requests or mm.revocations,
           answered = mm.answered, given = mm.given, aborts = mm.aborts, taken = mm.taken or mm.revoked }
end

local function revocation_line(name, x)
  return string.format("%-8s | %4d %6d %8d %6d %8s %6s %6s %6d", name, x.jobs, x.missed, x.requests, x.taken,
                       x.answered and tostring(x.answered) or "-", x.given and tostring(x.given) or "-",
                       x.aborts and tostring(x.aborts) or "-", x.faults)
end

local out = { student = work_of(student.body) }
if p.only ~= "" then
  assert(p.only == "manager" or p.only == "library", "only: manager or library")
  local x = run(p.only == "library", p.only == "library" and student.body or lab_body, true)
  out[p.only] = x
  print(revocation_line(p.only, x))
  return out
end

print(string.format("%s: lib allocates 8 pages, writes 32 KiB, computes 400 us, reads, frees, every 1 ms; %s runs",
                    p.preset, p.span))
print("part 1: what exposing allocation saves (nothing else runs)")
print(string.format("%-8s | %12s %12s %6s %6s", "memory", "alloc cyc/pg", "free cyc/pg", "pages", "zeroed"))
local cost = {}
for _, name in ipairs{ "manager", "library" } do
  local x = run(name == "library", lab_body, false)
  cost[name] = x
  print(string.format("%-8s | %12.1f %12.1f %6d %6s", name, x.alloc, x.free, x.allocated,
                      x.zeroed and tostring(x.zeroed) or "-"))
end
out.cost = cost
print(string.format("saved a page: alloc %.1f, free %.1f cycles", cost.manager.alloc - cost.library.alloc,
                    cost.manager.free - cost.library.free))
print(string.format("part 2: owner takes memory back every 5 ms (library: asks for 4 pages, aborts after %s)", p.grace))
print(string.format("%-8s | %4s %6s %8s %6s %8s %6s %6s %6s", "memory", "jobs", "missed", "requests", "taken",
                    "answered", "given", "aborts", "faults"))
out.manager = run(false, lab_body, true)
print(revocation_line("manager", out.manager))
out.library = run(true, student.body, true)
print(revocation_line("library", out.library))
return out
