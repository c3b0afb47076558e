/* tests/test_scale.c: systems beyond the fixed tables cossim once had (8
 * cores, 128 tasks, 24 steps a body, 8 servers, locks, interrupt threads,
 * groups and channels, 8 added components), through the cossim command
 * (suite: scenario), and the limits that remain, each an error at the
 * scenario's line (docs/systems.md, "Limits").  argv: the cossim binary.
 *
 * The scripts are written here, not shipped in scenarios/, so that no
 * bundled scenario's digest moves (tests/data/digests.txt). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "cli_util.h"

/* Some of every kind past the old tables, in one system on two cores of
 * the x86_64 preset (3.2 GHz), run for 10 ms; by hand:
 *  - 300 tasks of period 1 ms, 150 a core, each job 1,000 cycles (0.31 us):
 *    with a few microseconds of kernel and scheduler work per job a core's
 *    150 jobs take well under its 1 ms, so each task completes its 10 jobs
 *    (releases at 0, 1, ..., 9 ms) and misses none;
 *  - a task whose body is 100 steps of 1,000 cycles: each job computes
 *    100,000 cycles, so no response is shorter; 2 jobs (period 5 ms);
 *  - 12 servers invoked in turn by one task, 12 locks taken and given back
 *    by one task: 10 calls and 10 acquisitions each;
 *  - 12 channels, a producer on core 0 putting one message a job and a
 *    consumer on core 1 getting one a job: 10 puts each, and 9 or 10 gets
 *    (the last message may still be in flight at the end);
 *  - 10 groups on core 1, each with 20 us a 1 ms period and a task of
 *    1,000 cycles a job: 10 jobs each;
 *  - 12 interrupt threads on lines 40 to 51, each device firing every 1 ms
 *    from 1 ms of simulated time, which runs from before the build (the
 *    system starts at the first whole millisecond after it): at least the
 *    9 interrupts of the 10 ms after the start, at most one a millisecond
 *    of the whole run. */
static const char many_kinds[] =
    "local m = machine{ preset = 'x86_64', cores = 2 }\n"
    "local servers, locks, chans = {}, {}, {}\n"
    "for k = 1, 12 do\n"
    "  servers['s' .. k] = { work = 100 }\n"
    "  locks['l' .. k] = 'pi'\n"
    "  chans['c' .. k] = { slots = 4 }\n"
    "end\n"
    "local sys = system{ machine = m, servers = servers, locks = locks, channels = chans }\n"
    "for i = 1, 300 do\n"
    "  sys:task{ name = 't' .. i, core = i % 2, priority = 3, period = '1ms', body = { {'compute', 1000} } }\n"
    "end\n"
    "local long = {}\n"
    "for k = 1, 100 do long[k] = {'compute', 1000} end\n"
    "sys:task{ name = 'long', core = 0, priority = 2, period = '5ms', body = long }\n"
    "local chain, locking = {}, {}\n"
    "for k = 1, 12 do\n"
    "  chain[k] = {'invoke', 's' .. k}\n"
    "  locking[2 * k - 1] = {'lock', 'l' .. k}\n"
    "  locking[2 * k] = {'unlock', 'l' .. k}\n"
    "  sys:task{ name = 'p' .. k, core = 0, priority = 1, period = '1ms', body = { {'put', 'c' .. k} } }\n"
    "  sys:task{ name = 'c' .. k, core = 1, priority = 1, period = '1ms', body = { {'get', 'c' .. k} } }\n"
    "  sys:irq{ name = 'q' .. k, line = 39 + k, core = 0, priority = 1, work = 1000 }\n"
    "  m:device{ line = 39 + k, core = 0, periodic = '1ms' }\n"
    "end\n"
    "sys:task{ name = 'chain', core = 1, priority = 2, period = '1ms', body = chain }\n"
    "sys:task{ name = 'locking', core = 1, priority = 2, period = '1ms', body = locking }\n"
    "for g = 1, 10 do\n"
    "  sys:group{ name = 'g' .. g, core = 1, priority = 1, budget = '20us', period = '1ms' }\n"
    "  sys:task{ name = 'gt' .. g, group = 'g' .. g, priority = 1, period = '1ms', body = { {'compute', 1000} } }\n"
    "end\n"
    "sys:run('10ms')\n"
    "local r = sys:results()\n"
    "local out = { bulk_min = math.huge, bulk_max = 0, missed = 0, gt_min = math.huge, gt_max = 0,\n"
    "              calls_min = math.huge, calls_max = 0, acq_min = math.huge, acq_max = 0,\n"
    "              irq_min = math.huge, irq_max = 0, ntasks = #r.tasks, end_ms = sim.now() // sim.ms(1) }\n"
    "for _, t in ipairs(r.tasks) do\n"
    "  if t.name:match('^t%d') then\n"
    "    out.bulk_min = math.min(out.bulk_min, t.jobs); out.bulk_max = math.max(out.bulk_max, t.jobs)\n"
    "    out.missed = out.missed + t.missed\n"
    "  elseif t.name:match('^gt') then\n"
    "    out.gt_min = math.min(out.gt_min, t.jobs); out.gt_max = math.max(out.gt_max, t.jobs)\n"
    "  elseif t.name == 'long' then\n"
    "    out.long_jobs = t.jobs; out.long_resp_min = t.resp_min_cycles\n"
    "  end\n"
    "end\n"
    "for _, s in pairs(r.servers) do\n"
    "  out.calls_min = math.min(out.calls_min, s.calls); out.calls_max = math.max(out.calls_max, s.calls)\n"
    "end\n"
    "for _, l in pairs(r.locks) do\n"
    "  out.acq_min = math.min(out.acq_min, l.acquisitions); out.acq_max = math.max(out.acq_max, l.acquisitions)\n"
    "end\n"
    "for _, q in ipairs(r.irqs) do\n"
    "  out.irq_min = math.min(out.irq_min, q.handled); out.irq_max = math.max(out.irq_max, q.handled)\n"
    "end\n"
    "out.nchans = 0\n"
    "out.puts_min, out.gets_min, out.gets_max = math.huge, math.huge, 0\n"
    "for _, c in pairs(r.channels) do\n"
    "  out.nchans = out.nchans + 1\n"
    "  out.puts_min = math.min(out.puts_min, c.puts)\n"
    "  out.gets_min = math.min(out.gets_min, c.gets); out.gets_max = math.max(out.gets_max, c.gets)\n"
    "end\n"
    "return out\n";

static void test_many_kinds(void **state)
{
    (void)state;
    char *dir = tmpdir();
    result r = run_script_json(dir, "kinds.lua", many_kinds);
    in_band("tasks", JP(r.out, "ntasks"), 300 + 1 + 24 + 2 + 10, 300 + 1 + 24 + 2 + 10);
    in_band("bulk jobs min", JP(r.out, "bulk_min"), 10, 10);
    in_band("bulk jobs max", JP(r.out, "bulk_max"), 10, 10);
    in_band("bulk missed", JP(r.out, "missed"), 0, 0);
    in_band("long jobs", JP(r.out, "long_jobs"), 2, 2);
    in_band("long response", JP(r.out, "long_resp_min"), 100000, 1e9);
    in_band("server calls min", JP(r.out, "calls_min"), 10, 10);
    in_band("server calls max", JP(r.out, "calls_max"), 10, 10);
    in_band("lock acquisitions min", JP(r.out, "acq_min"), 10, 10);
    in_band("lock acquisitions max", JP(r.out, "acq_max"), 10, 10);
    in_band("channels", JP(r.out, "nchans"), 12, 12);
    in_band("puts", JP(r.out, "puts_min"), 10, 10);
    in_band("gets min", JP(r.out, "gets_min"), 9, 10);
    in_band("gets max", JP(r.out, "gets_max"), 9, 10);
    in_band("group task jobs min", JP(r.out, "gt_min"), 10, 10);
    in_band("group task jobs max", JP(r.out, "gt_max"), 10, 10);
    double end_ms = JP(r.out, "end_ms");
    in_band("irq handled min", JP(r.out, "irq_min"), 9, end_ms);
    in_band("irq handled max", JP(r.out, "irq_max"), 9, end_ms);
    result_clear(&r);
    tu_rmtree(dir);
    g_free(dir);
}

/* The timer manager's table past 128 tasks: 200 tasks on one core, each
 * job waiting 100 us through it, period 1 ms, run 10 ms.  By hand: each of
 * the 10 jobs a task starts arms one timer and is woken once, so 2,000
 * arms, expirations and wake-ups, minus those of jobs whose 100 us wait
 * is still running at 10 ms (none: the last jobs are released at 9 ms and
 * the 200 waits expire well before 10 ms, each job's work being short). */
static void test_many_timers(void **state)
{
    (void)state;
    char *dir = tmpdir();
    result r = run_script_json(dir, "timers.lua",
        "local sys = system{ machine = machine{ preset = 'x86_64', cores = 1 } }\n"
        "for i = 1, 200 do\n"
        "  sys:task{ name = 't' .. i, priority = 1, period = '1ms', body = { {'timeout', '100us'}, {'compute', 500} } }\n"
        "end\n"
        "sys:run('10ms')\n"
        "local r = sys:results()\n"
        "local jobs = 0\n"
        "for _, t in ipairs(r.tasks) do jobs = jobs + t.jobs end\n"
        "return { jobs = jobs, timers = r.timers }\n");
    in_band("jobs", JP(r.out, "jobs"), 2000, 2000);
    in_band("arms", JP(r.out, "timers", "arms"), 2000, 2000);
    in_band("wakeups", JP(r.out, "timers", "wakeups"), 2000, 2000);
    result_clear(&r);
    tu_rmtree(dir);
    g_free(dir);
}

/* A 64-core machine (the model's most) boots one system, and every
 * core's scheduler runs its task: scenarios/scale.lua with a task a core,
 * period 1 ms (the first of its periods), 20 ms: by hand 20 jobs each,
 * 1,280 in all, none missed (each core 40% loaded), all 64 cores
 * dispatching. */
static void test_64_cores(void **state)
{
    (void)state;
    char *dir = tmpdir();
    result r = run_in(dir, cossim, "run", "scale", "--set", "tasks=64", "--set", "cores=64", "--json", "--trace",
                      "none", NULL);
    expect_status(&r, 0);
    in_band("jobs", JP(r.out, "report", "jobs"), 1280, 1280);
    in_band("expected", JP(r.out, "report", "expected"), 1280, 1280);
    in_band("missed", JP(r.out, "report", "missed"), 0, 0);
    in_band("cores used", JP(r.out, "report", "cores_used"), 64, 64);
    result_clear(&r);
    tu_rmtree(dir);
    g_free(dir);
}

/* Task memory past the 2 MiB one page-table pool once held, on an x86-64
 * (4-level tables) and an ARMv7-A (short descriptors) machine: a task of 8
 * MiB writes its last page each 1 ms job.  By hand: 5 jobs in 5 ms, no
 * fault (a page left unmapped would fault and end the job's step).  On an
 * MPU machine (cortex-m7) past the 16 KiB of one 4 KiB region a page: a
 * task of 100 KiB writes its last page and its first line, 5 jobs, no
 * fault (its pages are power-of-two blocks, a region each: an address
 * outside them would fault).  With
 * the memory manager beside 16 MiB of task memory the heap windows move
 * past it (they start at 16 MiB otherwise): a task allocating 2 pages,
 * writing them and freeing them each job gets 10 pages in 5 jobs, with no
 * fault. */
static void test_big_memory(void **state)
{
    (void)state;
    char *dir = tmpdir();
    result r = run_script_json(dir, "mem.lua",
        "local out = {}\n"
        "for _, p in ipairs{ 'x86_64', 'cortex-a9' } do\n"
        "  local sys = system{ machine = machine{ preset = p } }\n"
        "  sys:task{ name = 'a', priority = 1, period = '1ms', memory = '8M',\n"
        "            body = { {'touch', 8 * 1024 * 1024 - 4096, 4096, 'write'} } }\n"
        "  sys:run('5ms')\n"
        "  out[p] = { jobs = sys:results().tasks[1].jobs, faults = sys:kernel():stats().faults }\n"
        "end\n"
        "local sys = system{ machine = machine{ preset = 'cortex-m7' } }\n"
        "sys:task{ name = 'a', priority = 1, period = '1ms', memory = '100K',\n"
        "          body = { {'touch', 100 * 1024 - 4096, 4096, 'write'}, {'touch', 0, 64, 'write'} } }\n"
        "sys:run('5ms')\n"
        "out.m7 = { jobs = sys:results().tasks[1].jobs, faults = sys:kernel():stats().faults }\n"
        "local sys = system{ machine = machine{ preset = 'x86_64' }, memory = { pages = 8 } }\n"
        "sys:task{ name = 'h', priority = 1, period = '1ms', memory = '16M',\n"
        "          body = { {'alloc', 2}, {'heap', '8K', 'write'}, {'free'}, {'touch', 0, 64, 'write'} } }\n"
        "sys:run('5ms')\n"
        "local r = sys:results()\n"
        "out.heap = { jobs = r.tasks[1].jobs, allocated = r.memory.allocated, faults = r.memory.faults }\n"
        "return out\n");
    in_band("x86_64 jobs", JP(r.out, "x86_64", "jobs"), 5, 5);
    in_band("x86_64 faults", JP(r.out, "x86_64", "faults"), 0, 0);
    in_band("cortex-a9 jobs", JP(r.out, "cortex-a9", "jobs"), 5, 5);
    in_band("cortex-a9 faults", JP(r.out, "cortex-a9", "faults"), 0, 0);
    in_band("cortex-m7 jobs", JP(r.out, "m7", "jobs"), 5, 5);
    in_band("cortex-m7 faults", JP(r.out, "m7", "faults"), 0, 0);
    in_band("heap jobs", JP(r.out, "heap", "jobs"), 5, 5);
    in_band("heap allocated", JP(r.out, "heap", "allocated"), 10, 10);
    in_band("heap faults", JP(r.out, "heap", "faults"), 0, 0);
    result_clear(&r);
    tu_rmtree(dir);
    g_free(dir);
}

/* A lock's waiters are served by priority, not in the order they came.
 * One core, fixed priority, priority inheritance; l (priority 10) takes
 * the lock at 0 and computes 100 us; h5, h3 and h4 (priorities 5, 3, 4)
 * arrive at 10, 20 and 30 us, each to take the lock, compute 10 us and
 * give it back.  By hand, ignoring the scheduler's and kernel's few
 * microseconds: h5 preempts l and waits (l runs lent 5), h3 preempts l and
 * waits (l runs lent 3), h4 cannot preempt l (4 is below the lent 3).  At
 * 100 us l gives the lock to its first waiter, h3 (first come, first
 * served would pick h5, and h3 would finish at 120), which finishes at
 * 110: response 90.  The lock goes to h5; h4 (ready since 30 us) outranks
 * it, runs, asks for the lock and waits, lending 4 to h5, which computes
 * to 120 and hands the lock to h4, which finishes at 130: response 100;
 * h5 then ends its job at 130: response 120.  Bands of 5 us for the
 * overheads. */
static void test_lock_waiters(void **state)
{
    (void)state;
    char *dir = tmpdir();
    result r = run_script_json(dir, "waiters.lua",
        "local sys = system{ machine = machine{ preset = 'x86_64', cores = 1 }, locks = { l = 'pi' } }\n"
        "sys:task{ name = 'l', priority = 10, period = '1ms', body = { {'lock', 'l'}, {'compute', '100us'}, {'unlock', 'l'} } }\n"
        "for _, t in ipairs{ { 'h5', 5, '10us' }, { 'h3', 3, '20us' }, { 'h4', 4, '30us' } } do\n"
        "  sys:task{ name = t[1], priority = t[2], period = '1ms', offset = t[3],\n"
        "            body = { {'lock', 'l'}, {'compute', '10us'}, {'unlock', 'l'} } }\n"
        "end\n"
        "sys:run('1ms')\n"
        "local out = {}\n"
        "for _, t in ipairs(sys:results().tasks) do out[t.name] = t.resp_max_ns / 1000 end\n"
        "return out\n");
    in_band("h3 response", JP(r.out, "h3"), 90, 95);
    in_band("h4 response", JP(r.out, "h4"), 100, 105);
    in_band("h5 response", JP(r.out, "h5"), 120, 125);
    result_clear(&r);
    tu_rmtree(dir);
    g_free(dir);
}

/* The limits that remain are errors that name the limit, at the line of
 * the scenario that asked (exit code 2). */
static void test_limits(void **state)
{
    (void)state;
    static const struct {
        const char *text, *want;
    } cases[] = {
        { "local sys = system{ machine = machine{ preset = 'x86_64' },\n"
          "  channels = { q = { slots = 65537 } } }\n",
          "lim.lua:1: system: channel 'q': slots is an integer from 1 to 65536" },
        { "local sys = system{ machine = machine{ preset = 'x86_64' }, memory = { pages = 64 } }\n"
          "for i = 1, 17 do\n"
          "  sys:task{ name = 't' .. i, priority = 1, period = '1ms', body = { {'alloc', 1}, {'free'} } }\n"
          "end\n"
          "sys:run('1ms')\n",
          "lim.lua:5: lim.lua:3: sys:task 't17': at most 16 tasks use the memory manager" },
        { "local sys = system{ machine = machine{ preset = 'x86_64' }, memory = { pages = 257 } }\n",
          "lim.lua:1: system: memory: pages is an integer from 1 to 256" },
        { "local sys = system{ machine = machine{ preset = 'x86_64' } }\n"
          "sys:task{ name = 'a', priority = 1, period = '1ms', memory = '5G', body = { {'compute', 1} } }\n"
          "sys:run('1ms')\n",
          "lim.lua:3: sys:run: the tasks' memory and channels' rings need 5120 MiB; at most half the machine's memory "
          "(4096 MiB" },
        { "local sys = system{ machine = machine{ preset = 'cortex-m7', memory = { size = '4M' } } }\n"
          "sys:task{ name = 'a', priority = 1, period = '1ms', memory = '2040K', body = { {'compute', 1} } }\n"
          "sys:run('1ms')\n",
          "lim.lua:3: sys:run: the tasks' memory and channels' rings need 511 pages, which take 9 MPU regions (a "
          "power-of-two block each); this machine's MPU has 8" },
        { "local sys = system{ machine = machine{ preset = 'cortex-m4' } }\n"
          "sys:task{ name = 'a', priority = 1, period = '1ms', memory = '128K', body = { {'compute', 1} } }\n"
          "sys:run('1ms')\n",
          "lim.lua:3: sys:run: building the system failed: kernel error 11" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *dir = tmpdir();
        g_autofree char *path = g_build_filename(dir, "lim.lua", NULL);
        assert_true(g_file_set_contents(path, cases[i].text, -1, NULL));
        result r = run_in(dir, cossim, "run", "lim.lua", "--trace", "none", NULL);
        expect_status(&r, 2);
        if (strstr(r.err, cases[i].want) == NULL)
            fail_msg("case %zu: expected '%s' in:\n%s", i, cases[i].want, r.err);
        result_clear(&r);
        tu_rmtree(dir);
        g_free(dir);
    }
}

/* The slow suite: 10,000 tasks on 64 cores, scale.lua's benchmark, 20 ms.
 * Task i's period is the ((i - 1) / 64 mod 4)-th of 1, 2, 5, 10 ms: 39
 * rounds of 256 tasks and 16 more of 1 ms, so 2,512 tasks of 1 ms and
 * 2,496 of each other period: by hand 2,512 x 20 + 2,496 x (10 + 4 + 2) =
 * 90,176 jobs, none missed (each core 40% loaded), all 64 cores
 * dispatching. */
static void test_10000_tasks(void **state)
{
    (void)state;
    char *dir = tmpdir();
    result r = run_in(dir, cossim, "run", "scale", "--set", "tasks=10000", "--set", "cores=64", "--json", "--trace",
                      "none", NULL);
    expect_status(&r, 0);
    in_band("jobs", JP(r.out, "report", "jobs"), 90176, 90176);
    in_band("expected", JP(r.out, "report", "expected"), 90176, 90176);
    in_band("missed", JP(r.out, "report", "missed"), 0, 0);
    in_band("cores used", JP(r.out, "report", "cores_used"), 64, 64);
    result_clear(&r);
    tu_rmtree(dir);
    g_free(dir);
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[2], "--slow") == 0) {
        cossim = argv[1];
        const struct CMUnitTest slow[] = { cmocka_unit_test(test_10000_tasks) };
        return cmocka_run_group_tests(slow, NULL, NULL);
    }
    if (!cli_args(argc, argv, 2))
        return 2;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_many_kinds),
        cmocka_unit_test(test_many_timers),
        cmocka_unit_test(test_64_cores),
        cmocka_unit_test(test_big_memory),
        cmocka_unit_test(test_lock_waiters),
        cmocka_unit_test(test_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
