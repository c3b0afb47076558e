-- Machine preset: cortex-a9 -- another name for zynq7000 (the Zynq-7000's
-- dual Cortex-A9 at 667 MHz), kept so that scenarios and traces that name
-- cortex-a9 run and read as before.  The figures and their sources are in
-- zynq7000.lua; docs/machines.md describes aliases.
return { name = "cortex-a9", alias = "zynq7000" }
