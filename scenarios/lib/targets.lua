-- The published figures cossim is measured against: the one place in the
-- code and data where they are written (docs/calibration.md; sources in
-- detail in the project's targets record).  `cossim calibrate`
-- (scenarios/calibrate.lua) runs each target's microbenchmark on its
-- machine and compares; scenarios that print a published figure beside
-- their own (ipc-roundtrip) read it from here.
--
-- A target:
--   id         a name of its own;
--   machine    the preset it runs on (the paper's machine, or the nearest);
--   bench      "micro" (components/implementation/bench/micro), "ipc"
--              (components/implementation/bench/ipc), "monolithic" (the
--              Linux-RT-like comparison kernel, compare/monolithic:
--              monolithic.bench, docs/compare.md) or "rtos" (the
--              FreeRTOS-like RTOS of compare/rtos, rtos.bench{}); the paper
--              suite's also "micro-irq" (the micro-bench's irq mode),
--              "flood", "sensor" (Chaos Table VI's loop: `variant` quiet,
--              ratelimit or yield; `ratio` = two targets' ids, the first's
--              figure over the second's; `sensor_fit` the one target that
--              sets the loop's application work) and "preset";
--   measure    what the benchmark reports (micro: null, switch, switch_x,
--              sinv_in, sinv_out, sinv_rt, sinv_same, sinv_q4, sinv_q8,
--              xcore, map, unmap; micro-irq: irq_thd;
--              ipc: sinv, ipc; monolithic: switch, ipc, xcore; rtos:
--              switch, irq, msg and each with _mpu);
--   stat       "mean" or "median" of the warm rounds (what the source
--              reports); "worst" for monolithic (the largest sample);
--   warm       monolithic only: false runs every round from cold caches
--              and TLBs (the model's worst case short of interference);
--   scale      multiplies the measured figure (0.5: a round trip reported
--              one way);
--   set        machine settings of the target's own (machine{} overrides,
--              e.g. tlb = { asid = false });
--   minus      when given, the figure is the measurement less the same
--              measurement with these settings as well (a difference);
--   minus_measure  when given, the figure is the measurement less this
--              other measurement of the same run;
--   published  the figure, in the machine's cycles;
--   source     where it comes from; what: what exactly was measured;
--   fit        for the targets that fit a figure: the preset figure it
--              sets (a path in the preset, e.g. "costs.syscall_exit"; a
--              time is fitted in picoseconds) and the presets it is set
--              for (the same core).  Every other target is a prediction.
--
-- The paper suite (`cossim papers`, scenarios/lib/paperlib.lua) reads
-- these fields as well; a target without `paper` is calibration's alone:
--   paper      "chaos", "ucvm": the reproduction it belongs to
--              (scenarios/papers/<paper>.lua, docs/papers/<paper>.md);
--   ref        the table or figure of the paper it comes from;
--   system     the column: "composite", "sel4", "hardware", "monolithic",
--              "rtos", "rtos-mpu", "vm";
--   tol        an absolute target's band, declared before any run: it holds
--              when |cossim / published - 1| <= tol;
--   shape      a shape target instead (published then a table of the
--              figure's points, and `shape` names the check paperlib.lua
--              declares, with the check's words in `check`);
--   calibrate  false: the paper suite's alone (`cossim calibrate` leaves
--              it out: worst cases, shapes, other systems' columns).
-- A target whose bench is not "micro", "ipc", "flood" or "preset" runs
-- on the system of that name (the Lua global `monolithic`, `rtos`, ...:
-- its bench{...}); while that system is not built, its status is
-- "not built".  So is a micro or ipc target whose measure the benchmark
-- does not report yet.
--
-- At most a third of the targets fit (tests/test_calibrate.c checks), and
-- each fit target is chosen to isolate one figure: a null system call, an
-- IPI, a page-table switch.
local T = {}

local function t(x) T[#T + 1] = x end

-- Chaos (Gadepalli et al., RTAS 2019), Table II: Intel Core i7-8700 at
-- 3.2 GHz, hyper-threading off; averages over 10^6 iterations.
t{ id = "chaos.switch",
   paper = "chaos", ref = "Table II", system = "composite", tol = 0.15, machine = "i7-8700", bench = "micro", measure = "switch", stat = "mean", scale = 0.5,
   published = 307, source = "Chaos (RTAS 2019) Table II, Composite thread switch, average",
   what = "kernel thread switch between two threads of one component, one way (round trip / 2), warm",
   fit = { figure = "costs.syscall_entry", presets = { "i7-8700", "x86_64" } } }
t{ id = "chaos.sinv",
   paper = "chaos", ref = "Table II", system = "composite", tol = 0.15, machine = "i7-8700", bench = "ipc", measure = "sinv", stat = "mean",
   published = 741, source = "Chaos (RTAS 2019) Table II, Composite synchronous IPC round trip, average",
   what = "invocation of an empty server function in another component and its return, warm" }
t{ id = "chaos.xcore",
   paper = "chaos", ref = "Table II", system = "composite", tol = 0.15, machine = "i7-8700", bench = "micro", measure = "xcore", stat = "mean",
   published = 2386, source = "Chaos (RTAS 2019) Table II, Composite cross-core one-way, average",
   what = "asynchronous send to a thread blocked on another core until it runs, one way" }
t{ id = "chaos.sel4_ipc",
   paper = "chaos", ref = "Table II", system = "sel4", tol = 0.15, machine = "i7-8700", bench = "ipc", measure = "ipc", stat = "mean",
   published = 934, source = "Chaos (RTAS 2019) Table II, seL4 synchronous IPC round trip, average",
   what = "L4-style call and reply-and-wait between two threads in two components, warm (sel4bench "
       .. "modified by the Chaos authors not to warm the cache: the model's warm loop is the nearest)" }

-- Linux-RT on the same machine (Chaos Table II; Linux 4.4.148-rt165): the
-- monolithic comparison kernel (compare/monolithic), predictions only.
-- The averages are warm loops; the worst cases are taken as the model's
-- worst round: every round from cold caches and TLBs (the model has no
-- other source of a long round: no interference, no timer ticks).
t{ id = "linuxrt.switch", machine = "i7-8700", bench = "monolithic",
   paper = "chaos", ref = "Table II", system = "monolithic", tol = 0.15, measure = "switch", stat = "mean",
   scale = 0.5, published = 1548, source = "Chaos (RTAS 2019) Table II, Linux-RT thread switch, average",
   what = "two threads of one process on one core ping-pong with sched_yield, one way (round trip / 2), warm" }
t{ id = "linuxrt.switch_w", machine = "i7-8700", bench = "monolithic",
   paper = "chaos", ref = "Table II", system = "monolithic", tol = 0.15, measure = "switch", stat = "worst",
   scale = 0.5, warm = false, published = 9380, source = "Chaos (RTAS 2019) Table II, Linux-RT thread switch, worst",
   what = "the same, one way, the worst round with every round started from cold caches and TLBs" }
t{ id = "linuxrt.ipc", machine = "i7-8700", bench = "monolithic",
   paper = "chaos", ref = "Table II", system = "monolithic", tol = 0.15, measure = "ipc", stat = "mean",
   published = 17801, source = "Chaos (RTAS 2019) Table II, Linux-RT synchronous IPC round trip, average",
   what = "a client and a server process on one core: 8 bytes written into a request pipe, 8 read from a reply "
       .. "pipe, round trip, warm" }
t{ id = "linuxrt.ipc_w", machine = "i7-8700", bench = "monolithic",
   paper = "chaos", ref = "Table II", system = "monolithic", tol = 0.15, measure = "ipc", stat = "worst",
   warm = false, published = 185551, source = "Chaos (RTAS 2019) Table II, Linux-RT synchronous IPC round trip, worst",
   what = "the same round trip, the worst round with every round started from cold caches and TLBs" }
t{ id = "linuxrt.xcore", machine = "i7-8700", bench = "monolithic",
   paper = "chaos", ref = "Table II", system = "monolithic", tol = 0.15, measure = "xcore", stat = "mean",
   published = 8628, source = "Chaos (RTAS 2019) Table II, Linux-RT cross-core one-way, average",
   what = "a pipe write on core 0 waking a reader blocked on core 1 (remote run-queue lock, reschedule IPI), "
       .. "from the write's start to the reader at user level, one way, warm" }
t{ id = "linuxrt.xcore_w", machine = "i7-8700", bench = "monolithic",
   paper = "chaos", ref = "Table II", system = "monolithic", tol = 0.15, measure = "xcore", stat = "worst",
   warm = false, published = 52696, source = "Chaos (RTAS 2019) Table II, Linux-RT cross-core one-way, worst",
   what = "the same one way, the worst round with every round started from cold caches and TLBs" }

-- seL4's sel4bench results (seL4/sel4bench-results), one-way Call +
-- ReplyRecv, summed to a round trip.
t{ id = "sel4bench.skylake", machine = "x86_64", bench = "ipc", measure = "ipc", stat = "mean",
   published = 722 + 578, source = "sel4bench results, Skylake 64-bit: Call 722 + ReplyRecv 578, no Meltdown mitigation",
   what = "L4-style call and reply-and-wait round trip, warm" }
t{ id = "sel4bench.a9", machine = "zynq7000", bench = "ipc", measure = "ipc", stat = "mean",
   published = 368 + 353, source = "sel4bench results, Cortex-A9 (i.MX6): Call 368 + ReplyRecv 353",
   what = "L4-style call and reply-and-wait round trip, warm; the A9 core of an i.MX6 taken for the Zynq's" }
t{ id = "sel4bench.a53", machine = "cortex-a53", bench = "ipc", measure = "ipc", stat = "mean",
   published = 260 + 278, source = "sel4bench results, Cortex-A53: Call 260 + ReplyRecv 278",
   what = "L4-style call and reply-and-wait round trip, warm; the board's A53 taken for the preset's (ZynqMP)" }

-- Composite on a Zynq-7000 (2x Cortex-A9, 667 MHz): the group's 2020 raw
-- data, 10,000 samples.
t{ id = "zynq.sinv", machine = "zynq7000", bench = "ipc", measure = "sinv", stat = "mean",
   published = 540, source = "Composite Zynq-7000 raw data (2020), sinv round trip, mean",
   what = "invocation of an empty server function and its return, warm",
   -- the A9's cycles per instruction: no other published A9 figure isolates
   -- a figure (seL4's fastpath is not the model's ipc path: a cpi fitted to
   -- sel4bench comes out at 0.36, below the dual-issue core's floor of 0.5)
   fit = { figure = "costs.cpi", presets = { "zynq7000", "cortex-a9" } } }
t{ id = "zynq.switch", machine = "zynq7000", bench = "micro", measure = "switch", stat = "mean",
   published = 1617, source = "Composite Zynq-7000 raw data (2020), kernel thread switch, mean",
   what = "kernel thread switch; the data does not say one way or round trip: taken as the round trip A -> B -> A" }

-- uCVM (Pan et al., RTAS 2018): STM32F767, Cortex-M7 at 216 MHz, caches
-- on; averages of 10,000 (read from the paper's figures: +-5%).
t{ id = "ucvm.syscall",
   paper = "ucvm", ref = "hardware ops table", system = "hardware", tol = 0.15, machine = "stm32f767", bench = "micro", measure = "null", stat = "mean",
   published = 90, source = "uCVM (RTAS 2018), hardware operations: system call that returns at once, average",
   what = "a system call the kernel answers at once (entry, the thread's header, exit)",
   fit = { figure = "costs.syscall_exit", presets = { "stm32f767", "cortex-m7" } } }
t{ id = "ucvm.mpu4",
   paper = "ucvm", ref = "hardware ops table", system = "hardware", tol = 0.15, machine = "stm32f767", bench = "micro", measure = "sinv_q4", minus_measure = "sinv_same",
   stat = "mean", scale = 0.5,
   published = 27, source = "uCVM (RTAS 2018), hardware operations: MPU programming, 4 regions, average",
   what = "the MPU reprogrammed for a layout of 4 regions: half the difference between an invocation of a "
       .. "4-region component and one within the caller's layout (each way 4 regions change)",
   fit = { figure = "costs.mpu_region_write", presets = { "stm32f767", "cortex-m7" } } }
t{ id = "ucvm.mpu8",
   paper = "ucvm", ref = "hardware ops table", system = "hardware", tol = 0.15, machine = "stm32f767", bench = "micro", measure = "sinv_q8", minus_measure = "sinv_same",
   stat = "mean", scale = 0.5,
   published = 40, source = "uCVM (RTAS 2018), hardware operations: MPU programming, 8 regions, average",
   what = "the same for a layout of 8 regions" }
t{ id = "ucvm.sinv_entry",
   paper = "ucvm", ref = "Composite ops fig.", system = "composite", tol = 0.15, machine = "stm32f767", bench = "micro", measure = "sinv_in", stat = "mean",
   published = 355, source = "uCVM (RTAS 2018), Composite operations (figure): sinv entry",
   what = "from before an invocation to the server's first instruction" }
t{ id = "ucvm.sinv_return",
   paper = "ucvm", ref = "Composite ops fig.", system = "composite", tol = 0.15, machine = "stm32f767", bench = "micro", measure = "sinv_out", stat = "mean",
   published = 205, source = "uCVM (RTAS 2018), Composite operations (figure): sret",
   what = "from the server's last instruction to the caller's after the return" }
t{ id = "ucvm.switch_intra",
   paper = "ucvm", ref = "Composite ops fig.", system = "composite", tol = 0.15, machine = "stm32f767", bench = "micro", measure = "switch", stat = "mean",
   published = 1310, source = "uCVM (RTAS 2018), Composite operations (figure): intra-component round-trip switch",
   what = "kernel thread switch A -> B -> A, both in one component" }
t{ id = "ucvm.switch_inter",
   paper = "ucvm", ref = "Composite ops fig.", system = "composite", tol = 0.15, machine = "stm32f767", bench = "micro", measure = "switch_x", stat = "mean",
   published = 1355, source = "uCVM (RTAS 2018), Composite operations (figure): inter-component round-trip switch",
   what = "kernel thread switch A -> C -> A, C in another component (an MPU switch each way)" }

-- uCVM (Pan et al., RTAS 2018), the FreeRTOS 9.0.0 columns: the same
-- board (STM32F767, 216 MHz, caches on), read from the paper's figures
-- (+-5%).  The model's FreeRTOS-like RTOS (compare/rtos, docs/compare.md),
-- bench "rtos": predictions only; the MPU variants run FreeRTOS-MPU's
-- design (tasks unprivileged, API calls through an SVC, four task regions
-- written at every switch).
t{ id = "frtos.switch", machine = "stm32f767", bench = "rtos",
   paper = "ucvm", ref = "OS operations table", system = "rtos", tol = 0.15, measure = "switch", stat = "mean",
   published = 395, source = "uCVM (RTAS 2018), OS operations (figure): FreeRTOS round-trip context switch",
   what = "two tasks of one priority yielding to each other: A's yield to A running again (two switches)" }
t{ id = "frtos.switch_mpu", machine = "stm32f767", bench = "rtos",
   paper = "ucvm", ref = "OS operations table", system = "rtos-mpu", tol = 0.15, measure = "switch_mpu", stat = "mean",
   published = 670, source = "uCVM (RTAS 2018), OS operations (figure): FreeRTOS + MPU round-trip context switch",
   what = "the same with FreeRTOS-MPU: yields through SVC, four MPU regions loaded at each switch" }
t{ id = "frtos.irq", machine = "stm32f767", bench = "rtos",
   paper = "ucvm", ref = "OS operations table", system = "rtos", tol = 0.15, measure = "irq", stat = "mean",
   published = 690, source = "uCVM (RTAS 2018), OS operations (figure): FreeRTOS interrupt to handler thread",
   what = "a device interrupt's assertion to the first instruction of the task whose semaphore its ISR gave" }
t{ id = "frtos.irq_mpu", machine = "stm32f767", bench = "rtos",
   paper = "ucvm", ref = "OS operations table", system = "rtos-mpu", tol = 0.15, measure = "irq_mpu", stat = "mean",
   published = 950, source = "uCVM (RTAS 2018), OS operations (figure): FreeRTOS + MPU interrupt to handler thread",
   what = "the same with FreeRTOS-MPU" }
t{ id = "frtos.msg", machine = "stm32f767", bench = "rtos",
   paper = "ucvm", ref = "OS operations table", system = "rtos", tol = 0.15, measure = "msg", stat = "mean",
   published = 1110, source = "uCVM (RTAS 2018), OS operations (figure): FreeRTOS message passing",
   what = "a 4-byte queue send by one task to the receive's return in a higher-priority task waiting on it, one way" }
t{ id = "frtos.msg_mpu", machine = "stm32f767", bench = "rtos",
   paper = "ucvm", ref = "OS operations table", system = "rtos-mpu", tol = 0.15, measure = "msg_mpu", stat = "mean",
   published = 1900, source = "uCVM (RTAS 2018), OS operations (figure): FreeRTOS + MPU message passing",
   what = "the same with FreeRTOS-MPU: both API calls through MPU_ wrappers (SVC), the yield an SVC" }

-- Speck (Wang et al., RTAS 2015): 40 cores, 4 sockets, 2.0 GHz; the
-- benchmark code's constants (per-core averages, all cores active; the
-- model runs one core's benchmark alone).
t{ id = "speck.xcore", machine = "xeon-e7-4850", bench = "micro", measure = "xcore", stat = "mean",
   published = 18122, source = "Speck (RTAS 2015) benchmark constants: cross-core asnd (IPI)",
   what = "asynchronous send to a thread blocked on another core of the same socket until it runs, one way",
   fit = { figure = "irq.ipi_latency", presets = { "xeon-e7-4850" } } }
t{ id = "speck.sinv", machine = "xeon-e7-4850", bench = "ipc", measure = "sinv", stat = "mean",
   published = 638, source = "Speck (RTAS 2015) benchmark constants: IPC round trip",
   what = "invocation of an empty server function and its return, warm" }
t{ id = "speck.switch", machine = "xeon-e7-4850", bench = "micro", measure = "switch", stat = "mean", scale = 0.5,
   published = 463, source = "Speck (RTAS 2015) benchmark constants: thread switch",
   what = "kernel thread switch, one way (round trip / 2)" }
t{ id = "speck.map", machine = "xeon-e7-4850", bench = "micro", measure = "map", stat = "mean",
   published = 2749, source = "Speck (RTAS 2015) benchmark constants: memory map",
   what = "map one user page into a page table (the model: one page-table entry written, no other core mapping)" }
t{ id = "speck.unmap", machine = "xeon-e7-4850", bench = "micro", measure = "unmap", stat = "mean",
   published = 3248, source = "Speck (RTAS 2015) benchmark constants: memory unmap",
   what = "unmap one user page (the model: the entry cleared and the page's TLB entry invalidated on this core)" }

-- ULS (West and Parmer's user-level sandboxing line of work, RTAS 2006;
-- the seed's figures): a Pentium-class x86-32 without a tagged TLB.
t{ id = "uls.upcall", machine = "pentium4", bench = "micro", measure = "sinv_same", stat = "mean",
   published = 2500, source = "ULS (West and Parmer, RTAS 2006 line of work): raw upcall",
   what = "an upcall without an address-space switch: an invocation of a component in the caller's protection "
       .. "domain, round trip" }
t{ id = "uls.upcall_flush", machine = "pentium4", bench = "micro", measure = "sinv_rt", stat = "mean",
   published = 11000, source = "ULS (West and Parmer, RTAS 2006 line of work): upcall with TLB flush and reload",
   what = "an upcall into another address space and back: two CR3 writes, each flushing the TLB, and the refills "
       .. "the path then takes (the model: the resumed code and stack pages)" }
t{ id = "uls.flush_reload", machine = "pentium4", bench = "micro", measure = "sinv_rt", minus_measure = "sinv_same",
   stat = "mean", published = 8500, source = "ULS (West and Parmer, RTAS 2006 line of work): TLB flush and reload",
   what = "the upcall with the address-space switch less the raw upcall: the switches, the flushes and the refills" }

-- The paper suite's own targets (calibrate = false).
--
-- Chaos Table II, worst cases: the worst of the measured rounds.
t{ id = "chaos.switch_worst", machine = "i7-8700", bench = "micro", measure = "switch", stat = "max", scale = 0.5,
   paper = "chaos", ref = "Table II", system = "composite", tol = 0.15, calibrate = false,
   published = 431, source = "Chaos (RTAS 2019) Table II, Composite thread switch, worst",
   what = "the worst round trip of the warm loop, halved" }
t{ id = "chaos.sinv_worst", machine = "i7-8700", bench = "ipc", measure = "sinv", stat = "max",
   paper = "chaos", ref = "Table II", system = "composite", tol = 0.15, calibrate = false,
   published = 6930, source = "Chaos (RTAS 2019) Table II, Composite synchronous IPC round trip, worst",
   what = "the worst invocation round trip of the warm loop" }
t{ id = "chaos.xcore_worst", machine = "i7-8700", bench = "micro", measure = "xcore", stat = "max",
   paper = "chaos", ref = "Table II", system = "composite", tol = 0.15, calibrate = false,
   published = 2716, source = "Chaos (RTAS 2019) Table II, Composite cross-core one-way, worst",
   what = "the worst one-way asynchronous send to a blocked thread on another core" }
t{ id = "chaos.sel4_ipc_worst", machine = "i7-8700", bench = "ipc", measure = "ipc", stat = "max",
   paper = "chaos", ref = "Table II", system = "sel4", tol = 0.15, calibrate = false,
   published = 1428, source = "Chaos (RTAS 2019) Table II, seL4 synchronous IPC round trip, worst",
   what = "the worst L4-style call and reply-and-wait round trip of the warm loop" }
-- Chaos Fig. 2 and Fig. 8: shapes.  published: the figure's points read
-- off the chart (targets record: about +-5%; "livelock" where the task
-- never finished).
t{ id = "chaos.flood", machine = "i7-8700", bench = "flood", measure = "unprotected", shape = "flood_grows",
   paper = "chaos", ref = "Fig. 2", system = "composite", calibrate = false,
   published = { 340, 3369, 84212, "livelock", "livelock" },
   check = "slowdown(3) >= 10 x slowdown(1), and livelock at n = 4 and n = 5",
   source = "Chaos (RTAS 2019) Fig. 2, Composite: maximum slowdown (%) of a 10 us high-priority task, n = 1..5 "
       .. "interfering cores",
   what = "the worst response of a 10 us task at priority 1 on core 0 while n cores send to lower-priority "
       .. "receivers on core 0, over its response alone, less 1, in %" }
t{ id = "chaos.ratelimit", machine = "i7-8700", bench = "flood", measure = "limited", shape = "limit_bounds",
   paper = "chaos", ref = "Fig. 8", system = "composite", calibrate = false,
   published = { [100] = { 7.0, 5.7, 4.2, 3.4, 2.9 }, [10] = { 0.9, nil, nil, nil, 0.55 },
                 [1] = { "0.2-0.3", "0.2-0.3", "0.2-0.3", "0.2-0.3", "0.2-0.3" } },
   check = "every slowdown <= 10%, and for each n the slowdown does not grow as the limit falls 100 -> 10 -> 1 per ms",
   source = "Chaos (RTAS 2019) Fig. 8: slowdown (%) of a 1 ms high-priority job, m = 1..5 flooding cores, "
       .. "aggregate limit 100, 10, 1 IPIs/ms (of the 10/ms curve its ends only; the 1/ms curve stays "
       .. "between 0.2 and 0.3%)",
   what = "the same flood through the ipi-ratelimit component (one forwarder for all senders), a 1 ms job" }

-- Chaos Table VI, the headline: the cFS sensor -> actuator round trip on
-- core 0 (paperlib's sensor loop: docs/papers/chaos.md says how it is
-- modelled).  The application's own work is not published: chaos.rtt sets
-- it (`sensor_fit`: the work is the published mean less the loop's mean
-- with no work), and every other figure is a prediction with that work.
local function rtt(id, system, variant, stat, published, what)
  t{ id = id, machine = "i7-8700", bench = "sensor", system = system, variant = variant, stat = stat,
     paper = "chaos", ref = "Table VI", tol = 0.15, calibrate = false, published = published,
     sensor_fit = id == "chaos.rtt" or nil,
     source = "Chaos (RTAS 2019) Table VI, cFS sensor round-trip time, " .. what, what = what }
end
rtt("chaos.rtt", "composite", "quiet", "mean", 98817, "Chaos w/ NetBSD, average")
rtt("chaos.rtt_w", "composite", "quiet", "max", 124033, "Chaos w/ NetBSD, worst measured")
rtt("chaos.rtt_rl", "composite", "ratelimit", "mean", 98909,
    "Chaos w/ NetBSD w/ IPI RL=1/500ms w/ interference (four cores sending), average")
rtt("chaos.rtt_rl_w", "composite", "ratelimit", "max", 127819,
    "Chaos w/ NetBSD w/ IPI RL=1/500ms w/ interference (four cores sending), worst measured")
rtt("linuxrt.rtt", "monolithic", "quiet", "mean", 85478, "LinuxRT, average")
rtt("linuxrt.rtt_w", "monolithic", "quiet", "max", 247817, "LinuxRT, worst measured")
rtt("linuxrt.rtt_yield", "monolithic", "yield", "mean", 267584,
    "LinuxRT w/ interference (sched_yield loops on four cores), average")
rtt("linuxrt.rtt_yield_w", "monolithic", "yield", "max", 450277,
    "LinuxRT w/ interference (sched_yield loops on four cores), worst measured")
-- the headline's ratios: Linux-RT's round trip under interference over
-- Chaos's, average and worst (the paper: "2.7x" and "3.5x")
for _, r in ipairs{ { "mean", 2.7, "average" }, { "max", 3.5, "worst measured" } } do
  t{ id = "chaos.headline" .. (r[1] == "max" and "_w" or ""), machine = "i7-8700", bench = "sensor",
     system = "both", ratio = { "linuxrt.rtt_yield" .. (r[1] == "max" and "_w" or ""),
                                "chaos.rtt_rl" .. (r[1] == "max" and "_w" or "") },
     paper = "chaos", ref = "Table VI", tol = 0.15, calibrate = false, published = r[2],
     source = "Chaos (RTAS 2019) Table VI and abstract: LinuxRT's slowdown vs Chaos, " .. r[3],
     what = "Linux-RT's round trip with sched_yield interference over Chaos's with rate-limited "
         .. "interference, " .. r[3] }
end

-- uCVM: the hardware interrupt, the Composite column of the operation
-- table, and the VM's column (not built yet; the FreeRTOS columns are the
-- frtos.* records above, which calibrate predicts too).
t{ id = "ucvm.irq", machine = "stm32f767", bench = "preset", measure = "costs.irq_entry+costs.irq_exit", stat = "mean",
   paper = "ucvm", ref = "hardware ops table", system = "hardware", tol = 0.15, calibrate = false,
   published = 35, source = "uCVM (RTAS 2018), hardware operations: interrupt, average",
   what = "an interrupt taken and returned from with an empty handler: the model's entry and exit charges" }
t{ id = "ucvm.op_switch", machine = "stm32f767", bench = "micro", measure = "switch", stat = "mean",
   paper = "ucvm", ref = "OS operations table", system = "composite", tol = 0.15, calibrate = false,
   published = 1325, source = "uCVM (RTAS 2018), OS operations: Composite round-trip context switch",
   what = "kernel thread switch A -> B -> A, both in one component" }
t{ id = "ucvm.op_irq", machine = "stm32f767", bench = "micro-irq", measure = "irq_thd", stat = "mean",
   paper = "ucvm", ref = "OS operations table", system = "composite", tol = 0.15, calibrate = false,
   published = 915, source = "uCVM (RTAS 2018), OS operations: Composite interrupt to handler thread",
   what = "from an interrupt to the first instruction of the thread its line is bound to, preempting a "
       .. "spinning thread (the micro-bench's irq mode)" }
t{ id = "ucvm.op_msg", machine = "stm32f767", bench = "ipc", measure = "ipc", stat = "mean", scale = 0.5,
   paper = "ucvm", ref = "OS operations table", system = "composite", tol = 0.15, calibrate = false,
   published = 965, source = "uCVM (RTAS 2018), OS operations: Composite message passing",
   what = "a message one way between two threads of two components: half the ipc benchmark's round trip "
       .. "(asnd to the other's endpoint and rcv on one's own, in one call, each way)" }
for _, r in ipairs{
  { "switch", 2175, "round-trip context switch" },
  { "irq", 4550, "interrupt to handler thread" },
  { "msg", 1880, "message passing" },
} do
  t{ id = "ucvm.vm_" .. r[1], machine = "stm32f767", bench = "vm", measure = r[1], stat = "mean",
     paper = "ucvm", ref = "OS operations table", system = "vm", tol = 0.15, calibrate = false,
     published = r[2], source = "uCVM (RTAS 2018), OS operations: FreeRTOS in a VM on Composite, " .. r[3],
     what = "the guest RTOS's " .. r[3] .. " inside an MPU-isolated VM" }
end

-- uCVM's memory (§VII-D).  The number of empty VMs the VMM fits beside the
-- kernel and itself (the paper: eight, each in a 32 KB block), and Table
-- II's layout overhead (X - Y) / Y for its five VM configurations with
-- shared regions between each VM and the I/O manager only ("System
-- Only").  The inputs are the paper's own sizes (RAM: .data + .bss), not
-- targets: Table I for the kernel, the VMM's scheduler and the I/O
-- manager, Table III for each VM (MiBench applications compiled with the
-- paravirtualised FreeRTOS), 4096 bytes for each shared region (16
-- packets of 256 bytes, §VII-D).  cossim's layout (paperlib, vm.layout)
-- lays each of them out in power-of-two MPU regions; X is what those cover.
t{ id = "ucvm.vms_empty", machine = "stm32f767", bench = "vm-fit", measure = "vms", stat = "value",
   paper = "ucvm", ref = "text, VII-D", system = "vm", tol = 0.15, calibrate = false, published = 8,
   source = "uCVM (RTAS 2018) §VII-D: eight empty FreeRTOS/VMs fit the STM32F767's 512 KB of SRAM with the "
       .. "kernel and the VMM components",
   what = "empty VMs the VMM makes on the stm32f767 before its SRAM runs out (vm.fit{}.vms)" }
T.ucvm_ram = {
  kernel = 158 + 36816, scheduler = 8192 + 15612, io = 4 + 512,    -- Table I, .data + .bss
  basicmath = 12740 + 17260, dijkstra = 12744 + 57708, gsm = 12932 + 17260,   -- Table III
  pbmsrch = 12744 + 18284, rijndael = 12748 + 17260, big = 12948 + 59244,
  shared = 4096,
}
for i, c in ipairs{
  { 0.528, { "basicmath", "dijkstra", "gsm" } },
  { 0.600, { "basicmath", "dijkstra", "gsm", "big" } },
  { 0.534, { "basicmath", "dijkstra", "gsm", "pbmsrch", "big" } },
  { 0.400, { "basicmath", "dijkstra", "gsm", "pbmsrch", "rijndael" } },
  { 0.487, { "basicmath", "dijkstra", "gsm", "pbmsrch", "rijndael", "big" } },
} do
  t{ id = "ucvm.layout" .. i, machine = "stm32f767", bench = "vm-layout", vms = c[2], stat = "overhead",
     paper = "ucvm", ref = "Table II", system = "vm", tol = 0.15, calibrate = false, published = c[1],
     source = "uCVM (RTAS 2018) Table II, VM configuration " .. i .. ", System Only: (X - Y) / Y",
     what = "the kernel, the VMM's scheduler, the I/O manager, the VMs " .. table.concat(c[2], ", ")
         .. " and a 4 KB region shared by each VM and the I/O manager, each laid out in MPU regions: "
         .. "the bytes the regions cover over the bytes asked, less 1" }
end

return T
