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
--              FreeRTOS-like RTOS of compare/rtos, rtos.bench{});
--   measure    what the benchmark reports (micro: null, switch, switch_x,
--              sinv_in, sinv_out, sinv_rt, sinv_same, sinv_q4, sinv_q8,
--              xcore, map, unmap;
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
-- At most a third of the targets fit (tests/test_calibrate.c checks), and
-- each fit target is chosen to isolate one figure: a null system call, an
-- IPI, a page-table switch.
local T = {}

local function t(x) T[#T + 1] = x end

-- Chaos (Gadepalli et al., RTAS 2019), Table II: Intel Core i7-8700 at
-- 3.2 GHz, hyper-threading off; averages over 10^6 iterations.
t{ id = "chaos.switch", machine = "i7-8700", bench = "micro", measure = "switch", stat = "mean", scale = 0.5,
   published = 307, source = "Chaos (RTAS 2019) Table II, Composite thread switch, average",
   what = "kernel thread switch between two threads of one component, one way (round trip / 2), warm",
   fit = { figure = "costs.syscall_entry", presets = { "i7-8700", "x86_64" } } }
t{ id = "chaos.sinv", machine = "i7-8700", bench = "ipc", measure = "sinv", stat = "mean",
   published = 741, source = "Chaos (RTAS 2019) Table II, Composite synchronous IPC round trip, average",
   what = "invocation of an empty server function in another component and its return, warm" }
t{ id = "chaos.xcore", machine = "i7-8700", bench = "micro", measure = "xcore", stat = "mean",
   published = 2386, source = "Chaos (RTAS 2019) Table II, Composite cross-core one-way, average",
   what = "asynchronous send to a thread blocked on another core until it runs, one way" }
t{ id = "chaos.sel4_ipc", machine = "i7-8700", bench = "ipc", measure = "ipc", stat = "mean",
   published = 934, source = "Chaos (RTAS 2019) Table II, seL4 synchronous IPC round trip, average",
   what = "L4-style call and reply-and-wait between two threads in two components, warm (sel4bench "
       .. "modified by the Chaos authors not to warm the cache: the model's warm loop is the nearest)" }

-- Linux-RT on the same machine (Chaos Table II; Linux 4.4.148-rt165): the
-- monolithic comparison kernel (compare/monolithic), predictions only.
-- The averages are warm loops; the worst cases are taken as the model's
-- worst round: every round from cold caches and TLBs (the model has no
-- other source of a long round: no interference, no timer ticks).
t{ id = "linuxrt.switch", machine = "i7-8700", bench = "monolithic", measure = "switch", stat = "mean",
   scale = 0.5, published = 1548, source = "Chaos (RTAS 2019) Table II, Linux-RT thread switch, average",
   what = "two threads of one process on one core ping-pong with sched_yield, one way (round trip / 2), warm" }
t{ id = "linuxrt.switch_w", machine = "i7-8700", bench = "monolithic", measure = "switch", stat = "worst",
   scale = 0.5, warm = false, published = 9380, source = "Chaos (RTAS 2019) Table II, Linux-RT thread switch, worst",
   what = "the same, one way, the worst round with every round started from cold caches and TLBs" }
t{ id = "linuxrt.ipc", machine = "i7-8700", bench = "monolithic", measure = "ipc", stat = "mean",
   published = 17801, source = "Chaos (RTAS 2019) Table II, Linux-RT synchronous IPC round trip, average",
   what = "a client and a server process on one core: 8 bytes written into a request pipe, 8 read from a reply "
       .. "pipe, round trip, warm" }
t{ id = "linuxrt.ipc_w", machine = "i7-8700", bench = "monolithic", measure = "ipc", stat = "worst",
   warm = false, published = 185551, source = "Chaos (RTAS 2019) Table II, Linux-RT synchronous IPC round trip, worst",
   what = "the same round trip, the worst round with every round started from cold caches and TLBs" }
t{ id = "linuxrt.xcore", machine = "i7-8700", bench = "monolithic", measure = "xcore", stat = "mean",
   published = 8628, source = "Chaos (RTAS 2019) Table II, Linux-RT cross-core one-way, average",
   what = "a pipe write on core 0 waking a reader blocked on core 1 (remote run-queue lock, reschedule IPI), "
       .. "from the write's start to the reader at user level, one way, warm" }
t{ id = "linuxrt.xcore_w", machine = "i7-8700", bench = "monolithic", measure = "xcore", stat = "worst",
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
t{ id = "ucvm.syscall", machine = "stm32f767", bench = "micro", measure = "null", stat = "mean",
   published = 90, source = "uCVM (RTAS 2018), hardware operations: system call that returns at once, average",
   what = "a system call the kernel answers at once (entry, the thread's header, exit)",
   fit = { figure = "costs.syscall_exit", presets = { "stm32f767", "cortex-m7" } } }
t{ id = "ucvm.mpu4", machine = "stm32f767", bench = "micro", measure = "sinv_q4", minus_measure = "sinv_same",
   stat = "mean", scale = 0.5,
   published = 27, source = "uCVM (RTAS 2018), hardware operations: MPU programming, 4 regions, average",
   what = "the MPU reprogrammed for a layout of 4 regions: half the difference between an invocation of a "
       .. "4-region component and one within the caller's layout (each way 4 regions change)",
   fit = { figure = "costs.mpu_region_write", presets = { "stm32f767", "cortex-m7" } } }
t{ id = "ucvm.mpu8", machine = "stm32f767", bench = "micro", measure = "sinv_q8", minus_measure = "sinv_same",
   stat = "mean", scale = 0.5,
   published = 40, source = "uCVM (RTAS 2018), hardware operations: MPU programming, 8 regions, average",
   what = "the same for a layout of 8 regions" }
t{ id = "ucvm.sinv_entry", machine = "stm32f767", bench = "micro", measure = "sinv_in", stat = "mean",
   published = 355, source = "uCVM (RTAS 2018), Composite operations (figure): sinv entry",
   what = "from before an invocation to the server's first instruction" }
t{ id = "ucvm.sinv_return", machine = "stm32f767", bench = "micro", measure = "sinv_out", stat = "mean",
   published = 205, source = "uCVM (RTAS 2018), Composite operations (figure): sret",
   what = "from the server's last instruction to the caller's after the return" }
t{ id = "ucvm.switch_intra", machine = "stm32f767", bench = "micro", measure = "switch", stat = "mean",
   published = 1310, source = "uCVM (RTAS 2018), Composite operations (figure): intra-component round-trip switch",
   what = "kernel thread switch A -> B -> A, both in one component" }
t{ id = "ucvm.switch_inter", machine = "stm32f767", bench = "micro", measure = "switch_x", stat = "mean",
   published = 1355, source = "uCVM (RTAS 2018), Composite operations (figure): inter-component round-trip switch",
   what = "kernel thread switch A -> C -> A, C in another component (an MPU switch each way)" }

-- uCVM (Pan et al., RTAS 2018), the FreeRTOS 9.0.0 columns: the same
-- board (STM32F767, 216 MHz, caches on), read from the paper's figures
-- (+-5%).  The model's FreeRTOS-like RTOS (compare/rtos, docs/compare.md),
-- bench "rtos": predictions only; the MPU variants run FreeRTOS-MPU's
-- design (tasks unprivileged, API calls through an SVC, four task regions
-- written at every switch).
t{ id = "frtos.switch", machine = "stm32f767", bench = "rtos", measure = "switch", stat = "mean",
   published = 395, source = "uCVM (RTAS 2018), OS operations (figure): FreeRTOS round-trip context switch",
   what = "two tasks of one priority yielding to each other: A's yield to A running again (two switches)" }
t{ id = "frtos.switch_mpu", machine = "stm32f767", bench = "rtos", measure = "switch_mpu", stat = "mean",
   published = 670, source = "uCVM (RTAS 2018), OS operations (figure): FreeRTOS + MPU round-trip context switch",
   what = "the same with FreeRTOS-MPU: yields through SVC, four MPU regions loaded at each switch" }
t{ id = "frtos.irq", machine = "stm32f767", bench = "rtos", measure = "irq", stat = "mean",
   published = 690, source = "uCVM (RTAS 2018), OS operations (figure): FreeRTOS interrupt to handler thread",
   what = "a device interrupt's assertion to the first instruction of the task whose semaphore its ISR gave" }
t{ id = "frtos.irq_mpu", machine = "stm32f767", bench = "rtos", measure = "irq_mpu", stat = "mean",
   published = 950, source = "uCVM (RTAS 2018), OS operations (figure): FreeRTOS + MPU interrupt to handler thread",
   what = "the same with FreeRTOS-MPU" }
t{ id = "frtos.msg", machine = "stm32f767", bench = "rtos", measure = "msg", stat = "mean",
   published = 1110, source = "uCVM (RTAS 2018), OS operations (figure): FreeRTOS message passing",
   what = "a 4-byte queue send by one task to the receive's return in a higher-priority task waiting on it, one way" }
t{ id = "frtos.msg_mpu", machine = "stm32f767", bench = "rtos", measure = "msg_mpu", stat = "mean",
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

return T
