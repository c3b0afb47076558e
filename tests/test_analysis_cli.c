/* tests/test_analysis_cli.c: cossim analyze, plot and check on real traces
 * and task sets, end to end (suite: scenario).  argv: the cossim binary. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "cli_util.h"

/* One core, fixed priority, a PI lock.  lo (priority 2) is released at
 * t0 = 1 ms (the first period after the boot), computes 50 us, takes the
 * lock and computes 200 us in it.  hi (priority 1, offset 100 us) asks for
 * the lock at t0 + 100 us and computes 100 us under it.  By hand:
 *   hi's first job waits for lo's section: 50 + 200 - 100 = 150 us (plus
 *   lo's lock syscalls, under 2 us); its own work is 100 us (320000 cycles
 *   at 3.2 GHz, plus its few user instructions); nothing preempts it;
 *   lo's job: own 250 us, preempted by hi for hi's 100 us, no lock wait
 *   (it never waits); one core, so no cross-core cycles.
 * The bound (fp.h) for hi: B + C' + the irq term, with B = 150.7 us, C =
 * 100.3 us, C' = C + 2 x 0.22 + 0.50 (context switches, scheduler) and
 * about 1 us per release in the window: 250-255 us, and never below the
 * observed worst.  The parts of every job add up to its response. */
static const char bd_script[] =
    "local m = machine{ preset = 'x86_64', cores = 1 }\n"
    "local sys = system{ machine = m, policy = 'fp', locks = { l = 'pi' } }\n"
    "sys:task{ name = 'hi', priority = 1, period = '1ms', offset = '100us',\n"
    "          body = { {'lock', 'l'}, {'compute', '100us'}, {'unlock', 'l'} } }\n"
    "sys:task{ name = 'lo', priority = 2, period = '2ms',\n"
    "          body = { {'compute', '50us'}, {'lock', 'l'}, {'compute', '200us'}, {'unlock', 'l'} } }\n"
    "sys:run('2ms')\n";

/* cossim analyze TRACE.db: the per-task figures it computes from the
 * trace's jobs rows against the figures the workload's scheduler kept
 * during the run (workload.c's own statistics, which the scenario
 * returns): two independent paths to the same numbers.  Equal counts;
 * times within 0.001 us (the trace keeps picoseconds, the workload
 * cycles: 312.5 ps each at 3.2 GHz, so each side rounds differently). */
static void test_analyze_trace(void **state)
{
    (void)state;
    char *dir = tmpdir();
    result r = run_in(dir, cossim, "run", "quickstart", "--json", "--trace", "t.db", NULL);
    expect_status(&r, 0);
    result a = run_in(dir, cossim, "analyze", "t.db", "--json", NULL);
    expect_status(&a, 0);
    static const char *const names[] = { "control", "telemetry", "logger" };
    static const char *const keys[] = { "jobs", "missed", "best_us", "mean_us", "worst_us" };
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        g_autofree char *at = g_strdup_printf("\"name\":\"%s\"", names[i]);
        const char *p = strstr(a.out, at);
        if (p == NULL)
            fail_msg("no task %s in %s", names[i], a.out);
        for (size_t k = 0; k < G_N_ELEMENTS(keys); k++) {
            double want = JP(r.out, "tasks", names[i], keys[k]), got = JP(p, keys[k]);
            if (!(got >= want - 0.001 && got <= want + 0.001))
                fail_msg("%s %s: trace says %.6f, the run %.6f", names[i], keys[k], got, want);
        }
    }
    /* jitter is worst - best; one core, with its kernel and user cycles */
    const char *c = strstr(a.out, "\"name\":\"logger\"");
    in_band("logger jitter", JP(c, "jitter_us"), JP(c, "worst_us") - JP(c, "best_us") - 0.001,
            JP(c, "worst_us") - JP(c, "best_us") + 0.001);
    if (!(JP(a.out, "cores", "kernel_cycles") > 0 && JP(a.out, "cores", "user_cycles") > 0))
        fail_msg("no cycles per core: %s", a.out);
    result_clear(&a);
    /* bad input: no such file, a file that is not a trace */
    a = run_in(dir, cossim, "analyze", "nope.db", NULL);
    if (a.status != 2 || strstr(a.err, "no such trace") == NULL)
        fail_msg("missing trace: exit %d, %s", a.status, a.err);
    result_clear(&a);
    g_autofree char *junk = g_build_filename(dir, "junk.db", NULL);
    assert_true(g_file_set_contents(junk, "not sqlite at all", -1, NULL));
    a = run_in(dir, cossim, "analyze", "junk.db", NULL);
    if (a.status != 2)
        fail_msg("junk trace: exit %d, %s", a.status, a.err);
    result_clear(&a);
    result_clear(&r);
    tu_rmtree(dir);
    g_free(dir);
}

static void test_analyze_breakdown(void **state)
{
    (void)state;
    char *dir = tmpdir();
    g_autofree char *path = g_build_filename(dir, "bd.lua", NULL);
    assert_true(g_file_set_contents(path, bd_script, -1, NULL));
    result r = run_in(dir, cossim, "run", "bd.lua", "--trace", "bd.db", NULL);
    expect_status(&r, 0);
    result a = run_in(dir, cossim, "analyze", "bd.db", "--json", "--jobs", "jobs.csv", NULL);
    expect_status(&a, 0);
    const char *hi = strstr(a.out, "\"name\":\"hi\""), *lo = strstr(a.out, "\"name\":\"lo\"");
    assert_non_null(hi);
    assert_non_null(lo);
    in_band("hi lock", JP(hi, "breakdown_worst_us", "lock"), 150, 152);
    in_band("hi own", JP(hi, "breakdown_worst_us", "own"), 100, 100.5);
    in_band("hi preemption", JP(hi, "breakdown_worst_us", "preemption"), 0, 0);
    in_band("lo own", JP(lo, "breakdown_worst_us", "own"), 250, 250.5);
    in_band("lo preemption", JP(lo, "breakdown_worst_us", "preemption"), 100, 100.5);
    in_band("lo preemption by hi", JP(lo, "preemption_mean_us", "hi"), 100, 100.5);
    in_band("lo lock", JP(lo, "breakdown_worst_us", "lock"), 0, 0);
    in_band("cross-core", JP(hi, "breakdown_worst_us", "cross_core") + JP(lo, "breakdown_worst_us", "cross_core"), 0, 0);
    in_band("hi bound", JP(hi, "bound_observed_us"), MAX(250, JP(hi, "worst_us")), 255);
    in_band("lo bound", JP(lo, "bound_observed_us"), JP(lo, "worst_us"), JP(lo, "worst_us") + 10);
    in_band("exceeded", JP(a.out, "bound_observed_exceeded"), 0, 0);
    /* the core: tasks ran their user time, 2 x 100 + 250 us by hand (plus a
     * few instructions); the parts of the core's time add up to the run
     * (3 ms: a boot millisecond and the 2 ms of sys:run); utilisation is
     * 1 - idle / run */
    const char *core = strstr(a.out, "\"cores\":");
    assert_non_null(core);
    in_band("tasks time", JP(core, "tasks_us"), 450, 451);
    double parts = JP(core, "idle_us") + JP(core, "tasks_us") + JP(core, "scheduler_us") + JP(core, "interrupts_us")
                   + JP(core, "kernel_us") + JP(core, "other_us");
    in_band("core parts", parts, 3000 - 1e-3, 3000 + 1e-3);
    in_band("utilisation", JP(core, "utilisation"), 1 - JP(core, "idle_us") / 3000 - 1e-6,
            1 - JP(core, "idle_us") / 3000 + 1e-6);
    /* every job's parts add up to its response */
    g_autofree char *csv_path = g_build_filename(dir, "jobs.csv", NULL), *csv = NULL;
    assert_true(g_file_get_contents(csv_path, &csv, NULL, NULL));
    g_auto(GStrv) lines = g_strsplit(csv, "\n", -1);
    int jobs = 0;
    for (int i = 1; lines[i] && lines[i][0]; i++, jobs++) {
        g_auto(GStrv) c = g_strsplit(lines[i], ",", -1);
        assert_int_equal(g_strv_length(c), 18);
        double sum = 0;
        for (int k = 8; k < 18; k++)    /* own .. not_ready */
            sum += g_ascii_strtod(c[k], NULL);
        in_band("parts - response", sum - g_ascii_strtod(c[6], NULL), -1e-5, 1e-5);
    }
    assert_int_equal(jobs, 3);
    result_clear(&a);
    /* a trace whose worst response is above its bound is reported loudly */
    g_autofree char *db_path = g_build_filename(dir, "bd.db", NULL);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "UPDATE jobs SET response_ps = response_ps * 2 WHERE task = 1", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    a = run_in(dir, cossim, "analyze", "bd.db", NULL);
    expect_status(&a, 0);
    if (strstr(a.out, "BOUND EXCEEDED: lo") == NULL || strstr(a.err, "above their analytic bound") == NULL)
        fail_msg("no loud report: %s / %s", a.out, a.err);
    result_clear(&a);
    result_clear(&r);
    tu_rmtree(dir);
    g_free(dir);
}

/* cossim check: the example bounds of docs/examples/quickstart-bounds.lua
 * (their figures are derived there) hold on the quickstart run; a bound
 * tightened below the observed figure fails with exit 1 and says which;
 * a bounds file with a syntax error gets exit 2 and its line. */
static void test_check_bounds(void **state)
{
    (void)state;
    char *dir = tmpdir();
    result r = run_in(dir, cossim, "run", "quickstart", "--trace", "q.db", NULL);
    expect_status(&r, 0);
    result_clear(&r);
    g_autofree char *example = g_build_filename(g_getenv("COSSIM_DOCS"), "examples", "quickstart-bounds.lua", NULL);
    r = run_in(dir, cossim, "check", "q.db", example, NULL);
    expect_status(&r, 0);
    if (strstr(r.out, "12 bounds checked, 0 violated") == NULL)
        fail_msg("%s", r.out);
    result_clear(&r);
    g_autofree char *tight = g_build_filename(dir, "tight.lua", NULL);
    assert_true(g_file_set_contents(tight, "return { tasks = { control = { response = '160us' } },\n"
                                           "         kernel_paths = { irq = 1000 } }\n", -1, NULL));
    r = run_in(dir, cossim, "check", "q.db", "tight.lua", NULL);
    expect_status(&r, 1);
    /* control's worst is 172.6 us (test_quickstart: above 160 by its
     * blocking); the longest irq path is above 1000 cycles */
    if (!strstr(r.out, "control (core 0): worst response") || !strstr(r.out, "FAIL")
        || !strstr(r.out, "2 bounds checked, 2 violated"))
        fail_msg("%s", r.out);
    result_clear(&r);
    assert_true(g_file_set_contents(tight, "return {\n  misses = 0,\n  tasks = { control = { response = } }\n}\n", -1, NULL));
    r = run_in(dir, cossim, "check", "q.db", "tight.lua", NULL);
    if (r.status != 2 || strstr(r.err, "tight.lua:3:") == NULL)
        fail_msg("syntax error: exit %d, %s", r.status, r.err);
    result_clear(&r);
    /* the trace's figures, in each format (gnuplot must write them) */
    static const struct { const char *kind, *file, *magic; } figs[] = {
        { "gantt", "g.png", "\x89PNG" }, { "response", "r.svg", "<?xml" },
        { "breakdown", "b.pdf", "%PDF" }, { "counters", "c.png", "\x89PNG" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(figs); i++) {
        r = run_in(dir, cossim, "plot", figs[i].kind, "q.db", "--output", figs[i].file, NULL);
        expect_status(&r, 0);
        result_clear(&r);
        g_autofree char *fp = g_build_filename(dir, figs[i].file, NULL), *data = NULL;
        gsize len = 0;
        assert_true(g_file_get_contents(fp, &data, &len, NULL));
        if (len < 1000 || memcmp(data, figs[i].magic, strlen(figs[i].magic)) != 0)
            fail_msg("%s: %zu bytes, not a %s file", figs[i].kind, len, figs[i].file);
    }
    r = run_in(dir, cossim, "plot", "gantt", "q.db", "--from", "5ms", "--to", "2ms", NULL);
    expect_status(&r, 2);
    result_clear(&r);
    /* several unknown keys: the first by name is named, in the one format
     * of every key check, on every run (each run is a process of its own,
     * with its own string hash seed) */
    static const struct { const char *text, *want; } unknown[] = {
        { "return { zebra = 1, mango = 2, kiwi = 3, beta = 4, omega = 5, misses = 0 }\n",
          "tight.lua: bounds: unknown key 'beta' (known: tasks, misses, invocation, kernel_paths)" },
        { "return { tasks = { control = { zebra = 1, mango = 2, kiwi = 3, beta = 4, omega = 5 } } }\n",
          "tight.lua: tasks.control: unknown key 'beta' (known: response, misses, within_bound, within_safe_bound)" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(unknown); i++) {
        assert_true(g_file_set_contents(tight, unknown[i].text, -1, NULL));
        for (int run = 0; run < 5; run++) {
            r = run_in(dir, cossim, "check", "q.db", "tight.lua", NULL);
            if (r.status != 2 || strstr(r.err, unknown[i].want) == NULL)
                fail_msg("unknown keys %zu, run %d: exit %d, expected 2 and \"%s\"; stderr: %s", i, run, r.status,
                         unknown[i].want, r.err);
            result_clear(&r);
        }
    }
    assert_true(g_file_set_contents(tight, "return { tasks = { nobody = { response = '1ms' } } }\n", -1, NULL));
    r = run_in(dir, cossim, "check", "q.db", "tight.lua", NULL);
    if (r.status != 2 || strstr(r.err, "no task 'nobody'") == NULL)
        fail_msg("unknown task: exit %d, %s", r.status, r.err);
    result_clear(&r);
    tu_rmtree(dir);
    g_free(dir);
}

/* --trace-level (docs/trace-schema.md): quickstart at each level.  all is
 * the default, digest and all; jobs and kernel give digests of their own,
 * the same from run to run, and keep the events of their level only
 * (quickstart writes 622 k.switch, 126 k.irq, 126 k.timeout, 26 k.sinv,
 * 25 k.sret, 1 k.error: 926 kernel events, and 280 of the components).
 * Every level has the same jobs, so analyze gives the same per-task
 * figures; what needs events is left out and said: no bound below all,
 * and check refuses a bound it cannot check rather than passing it. */
static void test_trace_levels(void **state)
{
    (void)state;
    char *dir = tmpdir();
    static const char *const levels[] = { "jobs", "kernel", "all" };
    static const char *const rows[] = { "(0 event rows, level jobs)", "(926 event rows, level kernel)", "(1206 event rows)" };
    char *digest[3];
    result r = run_in(dir, cossim, "run", "quickstart", "--trace", "default.db", NULL);
    expect_status(&r, 0);
    g_autofree char *plain = digest_of(&r);
    result_clear(&r);
    for (int i = 0; i < 3; i++) {
        g_autofree char *db = g_strdup_printf("%s.db", levels[i]);
        r = run_in(dir, cossim, "run", "quickstart", "--trace", db, "--trace-level", levels[i], NULL);
        expect_status(&r, 0);
        if (strstr(r.out, rows[i]) == NULL)
            fail_msg("level %s: no '%s' in\n%s", levels[i], rows[i], r.out);
        digest[i] = digest_of(&r);
        result_clear(&r);
        r = run_in(dir, cossim, "run", "quickstart", "--trace", "none", "--trace-level", levels[i], NULL);
        expect_status(&r, 0);
        g_autofree char *again = digest_of(&r);
        assert_string_equal(again, digest[i]);
        result_clear(&r);
    }
    assert_string_equal(digest[2], plain);
    assert_string_not_equal(digest[0], digest[1]);
    assert_string_not_equal(digest[1], digest[2]);
    r = run_in(dir, cossim, "run", "quickstart", "--trace-level", "events", NULL);
    if (r.status != 2 || strstr(r.err, "--trace-level: 'events' is not a level (jobs|kernel|all)") == NULL)
        fail_msg("bad level: exit %d, %s", r.status, r.err);
    result_clear(&r);

    /* analyze: the same jobs at every level; the level and its bounds */
    result a[3];
    for (int i = 0; i < 3; i++) {
        g_autofree char *db = g_strdup_printf("%s.db", levels[i]);
        a[i] = run_in(dir, cossim, "analyze", db, "--json", NULL);
        expect_status(&a[i], 0);
        g_autofree char *lv = g_strdup_printf("\"trace_level\":\"%s\"", levels[i]);
        if (strstr(a[i].out, lv) == NULL)
            fail_msg("no %s in %s", lv, a[i].out);
        if ((strstr(a[i].out, "\"bound_observed_us\":null") != NULL) != (i < 2))
            fail_msg("level %s: bounds %s", levels[i], a[i].out);
    }
    static const char *const names[] = { "control", "telemetry", "logger" };
    static const char *const keys[] = { "jobs", "missed", "best_us", "mean_us", "worst_us", "start_max_us" };
    for (size_t n = 0; n < G_N_ELEMENTS(names); n++) {
        g_autofree char *at = g_strdup_printf("\"name\":\"%s\"", names[n]);
        const char *want = strstr(a[2].out, at);
        assert_non_null(want);
        for (int i = 0; i < 2; i++)
            for (size_t k = 0; k < G_N_ELEMENTS(keys); k++) {
                const char *got = strstr(a[i].out, at);
                assert_non_null(got);
                if (JP(got, keys[k]) != JP(want, keys[k]))
                    fail_msg("%s %s differs at level %s", names[n], keys[k], levels[i]);
            }
    }
    for (int i = 0; i < 3; i++)
        result_clear(&a[i]);
    r = run_in(dir, cossim, "analyze", "jobs.db", NULL);
    expect_status(&r, 0);
    if (!strstr(r.out, "note: the trace was written at --trace-level jobs") || !strstr(r.out, "(no bound)") ||
        strstr(r.out, "breakdown, mean per job"))
        fail_msg("%s", r.out);
    result_clear(&r);

    /* check: what the level keeps is checked; what it lacks is an error */
    g_autofree char *b = g_build_filename(dir, "b.lua", NULL);
    static const struct { const char *bounds; int jobs, kernel; const char *why; } checks[] = {
        { "return { misses = 0, tasks = { control = { response = '240us' } } }", 0, 0, NULL },
        { "return { invocation = '25us' }", 2, 0, "b.lua: invocation: the trace was written at --trace-level jobs" },
        { "return { tasks = { control = { within_bound = true } } }", 2, 2,
          "b.lua: tasks.control.within_bound: the trace was written at --trace-level " },
    };
    for (size_t c = 0; c < G_N_ELEMENTS(checks); c++) {
        assert_true(g_file_set_contents(b, checks[c].bounds, -1, NULL));
        for (int i = 0; i < 2; i++) {
            g_autofree char *db = g_strdup_printf("%s.db", levels[i]);
            r = run_in(dir, cossim, "check", db, "b.lua", NULL);
            int want = i ? checks[c].kernel : checks[c].jobs;
            if (r.status != want || (want && strstr(r.err, checks[c].why) == NULL))
                fail_msg("check %zu at %s: exit %d (expected %d)\n%s%s", c, levels[i], r.status, want, r.out, r.err);
            result_clear(&r);
        }
    }
    r = run_in(dir, cossim, "plot", "gantt", "jobs.db", "--output", "g.png", NULL);
    if (r.status != 2 || strstr(r.err, "no switch events, so no timeline to draw (the trace was written at --trace-level jobs)") == NULL)
        fail_msg("gantt of a jobs trace: exit %d, %s", r.status, r.err);
    result_clear(&r);
    for (int i = 0; i < 3; i++)
        g_free(digest[i]);
    tu_rmtree(dir);
    g_free(dir);
}

/* User-level dispatch (the Slite-style fast path) switches threads without
 * a kernel switch; its k.ulswitch events must cut the timeline too.
 * Three tasks of 2000 cycles (0.625 us at 3.2 GHz) released together at
 * priorities 1, 2, 3: c waits for a's and b's jobs, so by hand its own
 * time is 0.625 us and its preemption 0.625 us by each, plus each one's
 * user code at its job's end and the user-level dispatch: the end of job
 * (40 instructions), two updates of the scheduler's queues of three
 * threads (6 + 6 a level each, WL_Q_*) and the records they touch, the
 * dispatch (48): under 320 cycles, 0.1 us. */
static void test_analyze_user_dispatch(void **state)
{
    (void)state;
    char *dir = tmpdir();
    g_autofree char *path = g_build_filename(dir, "fast.lua", NULL);
    assert_true(g_file_set_contents(path,
        "local sys = system{ machine = machine{ preset = 'x86_64', cores = 1 }, policy = 'fp', fastpath = true }\n"
        "for i, name in ipairs{ 'a', 'b', 'c' } do\n"
        "  sys:task{ name = name, priority = i, period = '1ms', body = { {'compute', 2000} } }\n"
        "end\n"
        "sys:run('5ms')\n"
        "assert(sys:results().cores[1].ul_dispatches > 0)\n", -1, NULL));
    result r = run_in(dir, cossim, "run", "fast.lua", "--trace", "f.db", NULL);
    expect_status(&r, 0);
    result a = run_in(dir, cossim, "analyze", "f.db", "--json", NULL);
    expect_status(&a, 0);
    const char *c = strstr(a.out, "\"name\":\"c\"");
    assert_non_null(c);
    in_band("c own", JP(c, "breakdown_mean_us", "own"), 0.625, 0.725);
    in_band("c preempted by a", JP(c, "preemption_mean_us", "a"), 0.625, 0.725);
    in_band("c preempted by b", JP(c, "preemption_mean_us", "b"), 0.625, 0.725);
    result_clear(&a);
    result_clear(&r);
    tu_rmtree(dir);
    g_free(dir);
}

static void test_analyze_taskset(void **state)
{
    (void)state;
    char *dir = tmpdir();
    g_autofree char *three = g_strdup(data("tasksets/three.csv"));
    g_autofree char *full = g_strdup(data("tasksets/full.lua"));
    /* (C, T) = (1, 4), (2, 6), (3, 10) ms, priorities by rate.  By hand:
     * R_a = 1; R_b = 2 + 1 = 3; R_c: 3 + 1 + 2 = 6, 3 + 2*1 + 1*2 = 7,
     * 3 + 2 + 2*2 = 9, 3 + 3 + 2*2 = 10, 3 + 3 + 2*2 = 10: R_c = 10 = D. */
    result r = run_in(dir, cossim, "analyze", "--taskset", three, "--json", NULL);
    expect_status(&r, 0);
    assert_non_null(strstr(r.out, "\"schedulable\":true"));
    assert_non_null(strstr(r.out, "\"name\":\"a\",\"wcrt_ns\":1000000,"));
    assert_non_null(strstr(r.out, "\"name\":\"b\",\"wcrt_ns\":3000000,"));
    assert_non_null(strstr(r.out, "\"name\":\"c\",\"wcrt_ns\":10000000,"));
    result_clear(&r);
    /* U = 1 with (2, 4), (3, 6): EDF meets every deadline (U <= 1, Liu and
     * Layland 1973); fixed priority cannot: with rate-monotonic priorities
     * R_y = 3 + 2 ceil(R/4): 5 -> 7 -> 7 > 6 (exit 1, the set is not
     * schedulable); Audsley's search finds no order either. */
    r = run_in(dir, cossim, "analyze", "--taskset", full, "--policy", "edf", NULL);
    expect_status(&r, 0);
    result_clear(&r);
    r = run_in(dir, cossim, "analyze", "--taskset", full, "--assign", "rm", "--json", NULL);
    expect_status(&r, 1);
    assert_non_null(strstr(r.out, "\"name\":\"y\",\"wcrt_ns\":null,\"schedulable\":false"));
    result_clear(&r);
    r = run_in(dir, cossim, "analyze", "--taskset", full, "--assign", "audsley", NULL);
    expect_status(&r, 1);
    result_clear(&r);
    /* two cores and first fit: each task alone on a core */
    r = run_in(dir, cossim, "analyze", "--taskset", full, "--assign", "dm", "--cores", "2", "--partition", "ff", "--json", NULL);
    expect_status(&r, 0);
    assert_non_null(strstr(r.out, "\"name\":\"y\",\"wcrt_ns\":3000000,\"schedulable\":true,\"core\":1"));
    result_clear(&r);
    /* bad input: exit 2 and one line */
    r = run_in(dir, cossim, "analyze", "--taskset", full, "--policy", "lottery", NULL);
    expect_status(&r, 2);
    result_clear(&r);
    r = run_in(dir, cossim, "analyze", "--taskset", full, NULL);     /* no priorities */
    expect_status(&r, 2);
    assert_non_null(strstr(r.err, "has no priority"));
    result_clear(&r);
    g_autofree char *bad = g_build_filename(dir, "bad.csv", NULL);
    assert_true(g_file_set_contents(bad, "name, period, wcet\nz, 10, 1 fortnight\n", -1, NULL));
    r = run_in(dir, cossim, "analyze", "--taskset", bad, NULL);
    expect_status(&r, 2);
    assert_non_null(strstr(r.err, "bad.csv:2: wcet"));
    result_clear(&r);
    unlink(bad);
    tu_rmtree(dir);
    g_free(dir);
}

static void test_sweep_and_plot(void **state)
{
    (void)state;
    char *dir = tmpdir();
    /* 100 sets of 8 tasks per point.  Dominance, from the theory rather
     * than from the code: a set under the Liu-Layland bound passes exact
     * RTA under RM = DM (implicit deadlines); DM-feasible sets are
     * Audsley-feasible (Audsley's assignment is optimal); fixed-priority
     * feasible sets are EDF-feasible (EDF is optimal on one core).  So per
     * point: ll <= fp-dm <= fp-audsley <= edf, and all accept everything at
     * low utilisation.  Same seed, same file. */
    result r = run_in(dir, cossim, "analyze", "--sweep", "--tasks", "8", "--sets", "100", "--from", "0.1", "--step", "0.1",
                      "--seed", "5", "--csv", "a.csv", NULL);
    expect_status(&r, 0);
    result_clear(&r);
    r = run_in(dir, cossim, "analyze", "--sweep", "--tasks", "8", "--sets", "100", "--from", "0.1", "--step", "0.1",
               "--seed", "5", "--csv", "b.csv", NULL);
    expect_status(&r, 0);
    result_clear(&r);
    g_autofree char *pa = g_build_filename(dir, "a.csv", NULL), *pb = g_build_filename(dir, "b.csv", NULL);
    g_autofree char *ca = NULL, *cb = NULL;
    assert_true(g_file_get_contents(pa, &ca, NULL, NULL));
    assert_true(g_file_get_contents(pb, &cb, NULL, NULL));
    assert_string_equal(ca, cb);
    g_auto(GStrv) lines = g_strsplit(ca, "\n", -1);
    int points = 0;
    for (int i = 1; lines[i] && lines[i][0]; i += 4, points++) {
        double f[4];
        for (int k = 0; k < 4; k++) {
            g_auto(GStrv) c = g_strsplit(lines[i + k], ",", -1);
            assert_int_equal(g_strv_length(c), 5);
            f[k] = g_ascii_strtod(c[4], NULL);
        }
        if (!(f[0] <= f[1] && f[1] <= f[2] && f[2] <= f[3]))
            fail_msg("dominance broken at %s: ll %.3f, dm %.3f, audsley %.3f, edf %.3f", lines[i], f[0], f[1], f[2], f[3]);
        if (points == 0 && f[0] != 1.0)
            fail_msg("at U = 0.1 every test must accept every set");
    }
    assert_int_equal(points, 10);
    /* the figure: a PNG file (its 8-byte signature) */
    r = run_in(dir, cossim, "plot", "schedulability", "a.csv", "--output", "fig.png", NULL);
    expect_status(&r, 0);
    result_clear(&r);
    g_autofree char *fig = g_build_filename(dir, "fig.png", NULL);
    g_autofree char *png = NULL;
    gsize len = 0;
    assert_true(g_file_get_contents(fig, &png, &len, NULL));
    assert_true(len > 1000 && memcmp(png, "\x89PNG\r\n\x1a\n", 8) == 0);
    r = run_in(dir, cossim, "plot", "gantt", "a.csv", NULL);
    expect_status(&r, 2);
    result_clear(&r);
    tu_rmtree(dir);
    g_free(dir);
}

/* --json on the listing and result verbs (issue 18): each prints one JSON
 * value with the figures its text shows.  Expected counts by hand: the
 * scenarios folder holds 17 bundled scenarios (cossim scenarios lists
 * them, one a line) and model/presets 6 machines; quickstart's bounds file
 * (docs/examples/quickstart-bounds.lua) declares 12 bounds, all met. */
static void test_json_verbs(void **state)
{
    (void)state;
    char *dir = tmpdir();
    result r = run_in(dir, cossim, "scenarios", NULL);
    expect_status(&r, 0);
    int lines = 0;
    for (const char *p = r.out; (p = strchr(p, '\n')); p++)
        lines++;
    result_clear(&r);
    r = run_in(dir, cossim, "scenarios", "--json", NULL);
    expect_status(&r, 0);
    int names = 0;
    for (const char *p = r.out; (p = strstr(p, "\"name\":")); p++)
        names++;
    assert_int_equal(names, lines);
    assert_true(r.out[0] == '[');
    assert_non_null(strstr(r.out, "\"name\":\"quickstart\""));
    result_clear(&r);
    r = run_in(dir, cossim, "machines", "--json", NULL);
    expect_status(&r, 0);
    assert_non_null(strstr(r.out, "\"name\":\"cortex-m7\""));
    assert_non_null(strstr(r.out, "\"freq_hz\":216000000"));     /* STM32F767: 216 MHz */
    result_clear(&r);
    r = run_in(dir, cossim, "machines", "x86_64", "--json", NULL);
    expect_status(&r, 0);
    assert_non_null(strstr(r.out, "\"figures\":[{\"path\":"));
    result_clear(&r);
    r = run_in(dir, cossim, "run", "quickstart", "--trace", "q.db", NULL);
    expect_status(&r, 0);
    result_clear(&r);
    g_autofree char *bounds = g_build_filename(g_getenv("COSSIM_DOCS"), "examples", "quickstart-bounds.lua", NULL);
    r = run_in(dir, cossim, "check", "q.db", bounds, "--json", NULL);
    expect_status(&r, 0);
    assert_non_null(strstr(r.out, "{\"checked\":12,\"violated\":0,\"bounds\":[{\"check\":"));
    assert_null(strstr(r.out, "observed  result"));       /* no table mixed in */
    result_clear(&r);
    /* --jobs -: standard output is the CSV alone (a header and one row per
     * job: quickstart's 100 + 25 + 10 jobs, by hand from its periods) */
    r = run_in(dir, cossim, "analyze", "q.db", "--jobs", "-", NULL);
    expect_status(&r, 0);
    assert_true(g_str_has_prefix(r.out, "task,job,core,"));
    int rows = 0;
    for (const char *p = r.out; (p = strchr(p, '\n')); p++)
        rows++;
    assert_int_equal(rows, 1 + 135);
    assert_non_null(strstr(r.err, "control"));       /* the report, on stderr */
    result_clear(&r);
    r = run_in(dir, cossim, "plot", "gantt", "q.db", "-o", "g.svg", "--json", NULL);
    if (r.status == 0)          /* gnuplot present */
        assert_string_equal(r.out, "{\"figure\":\"g.svg\"}\n");
    result_clear(&r);
    tu_rmtree(dir);
    g_free(dir);
}

/* --supply P,Q: each core is the periodic resource Gamma(P, Q) (Shin and
 * Lee, RTSS 2003).  One task, C = 2 ms, T = D = 10 ms, priority 1.  By
 * hand, with sbf(t) = k Q + max(0, t - 2(P - Q) - k P), k = floor((t - (P -
 * Q)) / P):
 *   Gamma(5 ms, 2 ms): blackout 6 ms; sbf(7) = 1, sbf(8) = 2: WCRT 8 ms.
 *   Gamma(5 ms, 1 ms): blackout 8 ms; sbf(10) = 1 + max(0, 10 - 8 - 5) = 1
 *     < 2: unschedulable.
 *   The least Q for P = 5 ms: sbf(10 ms) = Q + max(0, 2Q - 5) >= 2 needs
 *     Q >= 2 ms (below 2.5 ms the second term is 0): 2,000,000 ns. */
static void test_taskset_supply(void **state)
{
    (void)state;
    char *dir = tmpdir();
    g_autofree char *csv = g_build_filename(dir, "one.csv", NULL);
    assert_true(g_file_set_contents(csv, "name,period,wcet,deadline,priority\nt1,10000000,2000000,10000000,1\n", -1,
                                    NULL));
    result r = run_in(dir, cossim, "analyze", "--taskset", "one.csv", "--supply", "5ms,2ms", "--json", NULL);
    expect_status(&r, 0);
    assert_non_null(strstr(r.out, "\"wcrt_ns\":8000000"));
    assert_non_null(strstr(r.out, "\"least_budget_ns\":[2000000]"));
    result_clear(&r);
    r = run_in(dir, cossim, "analyze", "--taskset", "one.csv", "--supply", "5ms,1ms", NULL);
    expect_status(&r, 1);
    assert_non_null(strstr(r.out, "unschedulable"));
    result_clear(&r);
    r = run_in(dir, cossim, "analyze", "--taskset", "one.csv", "--supply", "5000000,1ms", NULL);
    expect_status(&r, 2);
    assert_non_null(strstr(r.err, "with its unit"));
    result_clear(&r);
    tu_rmtree(dir);
    g_free(dir);
}

int main(int argc, char **argv)
{
    if (!cli_args(argc, argv, 2))
        return 2;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_analyze_trace),
        cmocka_unit_test(test_analyze_breakdown),
        cmocka_unit_test(test_check_bounds),
        cmocka_unit_test(test_trace_levels),
        cmocka_unit_test(test_analyze_user_dispatch),
        cmocka_unit_test(test_analyze_taskset),
        cmocka_unit_test(test_sweep_and_plot),
        cmocka_unit_test(test_json_verbs),
        cmocka_unit_test(test_taskset_supply),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
