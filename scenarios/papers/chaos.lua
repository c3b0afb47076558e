-- Chaos (RTAS 2019) on the i7-8700: Table II's Composite and seL4-style columns, the IPI flood (Fig. 2) and rate limiting (Fig. 8)
--
-- The targets are scenarios/lib/targets.lua's paper = "chaos" entries; the
-- Linux-RT column is "not built" until a monolithic kernel is.  The flood:
-- a 10 us task at priority 1 on core 0 while n = 1..5 other cores send to
-- lower-priority receivers on core 0, each sender once every cross-core
-- one-way latency of the model; then a 1 ms job with the sends through one
-- ipi-ratelimit component at 100, 10 and 1 sends a millisecond
-- (scenarios/lib/paperlib.lua says how; docs/papers/chaos.md what it
-- leaves out).  --set jobs=N, senders=N, iterations=N, warmup=N.
local lib = require "paperlib"
local p = sim.params(lib.params)
lib.check_params(p)
return lib.run_paper("chaos", p)
