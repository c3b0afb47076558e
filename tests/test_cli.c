/* tests/test_cli.c: the cossim command, end to end (suite: scenario).
 * argv: the cossim binary, then the same simulator built at -O0 and -O2.
 * Each case runs in a fresh temporary folder so that "nothing written" can
 * be checked by listing it. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>

static const char *cossim, *cossim_o0, *cossim_o2;

typedef struct result {
    int status;          /* exit code, or 128 + signal */
    char *out, *err;
} result;

static void result_clear(result *r)
{
    g_free(r->out);
    g_free(r->err);
    memset(r, 0, sizeof *r);
}

static const char *data(const char *name)
{
    static char buf[4096];
    g_snprintf(buf, sizeof buf, "%s/%s", g_getenv("COSSIM_TEST_DATA"), name);
    return buf;
}

/* Run `bin` with a NULL-terminated argument list in folder `dir`. */
static result run_in(const char *dir, const char *bin, ...)
{
    GPtrArray *argv = g_ptr_array_new();
    g_ptr_array_add(argv, (char *)bin);
    va_list ap;
    va_start(ap, bin);
    const char *a;
    while ((a = va_arg(ap, const char *)))
        g_ptr_array_add(argv, (char *)a);
    va_end(ap);
    g_ptr_array_add(argv, NULL);
    result r = { 0 };
    int wait_status;
    GError *err = NULL;
    if (!g_spawn_sync(dir, (char **)argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &r.out, &r.err,
                      &wait_status, &err))
        fail_msg("cannot run %s: %s", bin, err->message);
    g_ptr_array_free(argv, TRUE);
    if (WIFEXITED(wait_status))
        r.status = WEXITSTATUS(wait_status);
    else
        r.status = 128 + WTERMSIG(wait_status);
    return r;
}

static char *tmpdir(void)
{
    char *d = g_dir_make_tmp("cossim-cli-XXXXXX", NULL);
    assert_non_null(d);
    return d;
}



/* The 64 hex digits after "digest" in a summary. */
static char *digest_of(const result *r)
{
    const char *p = r->out ? strstr(r->out, "\ndigest ") : NULL;
    if (p == NULL)
        fail_msg("no digest line in:\n%s\nstderr:\n%s", r->out, r->err);
    p += strlen("\ndigest ");
    while (*p == ' ')
        p++;
    assert_true(strspn(p, "0123456789abcdef") == 64);
    return g_strndup(p, 64);
}

static void expect_status(const result *r, int status)
{
    if (r->status != status)
        fail_msg("exit status %d, expected %d\nstdout:\n%s\nstderr:\n%s", r->status, status, r->out, r->err);
}

static void test_determinism(void **state)
{
    (void)state;
    char *dir = tmpdir();
    /* Same scenario, seed and parameters: the same digest and the same
     * bytes on disk; with --trace none the same digest again. */
    result a = run_in(dir, cossim, "run", "mm1-queue", "--seed", "3", "--set", "jobs=2000", "--trace", "a.db", NULL);
    result b = run_in(dir, cossim, "run", "mm1-queue", "--seed", "3", "--set", "jobs=2000", "--trace", "b.db", NULL);
    result n = run_in(dir, cossim, "run", "mm1-queue", "--seed", "3", "--set", "jobs=2000", "--trace", "none", NULL);
    expect_status(&a, 0);
    expect_status(&b, 0);
    expect_status(&n, 0);
    g_autofree char *da = digest_of(&a), *db = digest_of(&b), *dn = digest_of(&n);
    assert_string_equal(da, db);
    assert_string_equal(da, dn);
    g_autofree char *pa = g_build_filename(dir, "a.db", NULL), *pb = g_build_filename(dir, "b.db", NULL);
    g_autofree char *ca = NULL, *cb = NULL;
    gsize la, lb;
    assert_true(g_file_get_contents(pa, &ca, &la, NULL));
    assert_true(g_file_get_contents(pb, &cb, &lb, NULL));
    assert_int_equal(la, lb);
    assert_memory_equal(ca, cb, la);

    /* A different seed changes what the scenario draws, so the digest. */
    result c = run_in(dir, cossim, "run", "mm1-queue", "--seed", "4", "--set", "jobs=2000", "--trace", "none", NULL);
    expect_status(&c, 0);
    g_autofree char *dc = digest_of(&c);
    assert_string_not_equal(da, dc);
    /* So does a different parameter. */
    result p = run_in(dir, cossim, "run", "mm1-queue", "--seed", "3", "--set", "jobs=2001", "--trace", "none", NULL);
    g_autofree char *dp = digest_of(&p);
    assert_string_not_equal(da, dp);
    result_clear(&a); result_clear(&b); result_clear(&n); result_clear(&c); result_clear(&p);
    tu_rmtree(dir);
    g_free(dir);
}

static void test_optimisation_levels_agree(void **state)
{
    (void)state;
    char *dir = tmpdir();
    /* The same simulator compiled at -O0 and -O2 (and the default build):
     * floating point (exponential draws, Lua arithmetic, the kernel's
     * instructions x cpi) and event order must not depend on the optimiser;
     * the IPC scenario runs the kernel on three machines with its events
     * traced. */
    const char *bins[] = { cossim, cossim_o0, cossim_o2 };
    char *digests[3];
    for (int i = 0; i < 3; i++) {
        result r = run_in(dir, bins[i], "run", "mm1-queue", "--seed", "11", "--set", "load=0.7",
                          "--set", "jobs=3000", "--trace", "none", NULL);
        expect_status(&r, 0);
        digests[i] = digest_of(&r);
        result_clear(&r);
        result q = run_in(dir, bins[i], "run", data("random_events.lua"), "--trace", "none", NULL);
        expect_status(&q, 0);
        g_autofree char *d = digest_of(&q);
        char *both = g_strconcat(digests[i], d, NULL);
        g_free(digests[i]);
        digests[i] = both;
        result_clear(&q);
        result k = run_in(dir, bins[i], "run", "ipc-roundtrip", "--set", "iterations=30", "--set", "warmup=3",
                          "--trace", "none", NULL);
        expect_status(&k, 0);
        g_autofree char *dk = digest_of(&k);
        both = g_strconcat(digests[i], dk, NULL);
        g_free(digests[i]);
        digests[i] = both;
        result_clear(&k);
        /* composed systems: the user-level scheduler, locks, the fast path */
        static const char *const composed[] = { "quickstart", "fastpath" };
        for (size_t j = 0; j < G_N_ELEMENTS(composed); j++) {
            result cs = run_in(dir, bins[i], "run", composed[j], "--set", "span=20ms", "--trace", "none", NULL);
            expect_status(&cs, 0);
            g_autofree char *dc = digest_of(&cs);
            both = g_strconcat(digests[i], dc, NULL);
            g_free(digests[i]);
            digests[i] = both;
            result_clear(&cs);
        }
    }
    assert_string_equal(digests[0], digests[1]);
    assert_string_equal(digests[0], digests[2]);
    for (int i = 0; i < 3; i++)
        g_free(digests[i]);
    tu_rmtree(dir);
    g_free(dir);
}

static void test_mm1_against_queueing_theory(void **state)
{
    (void)state;
    char *dir = tmpdir();
    /* M/M/1 at load 0.5 with mean service 100us: mean response
     * 1/(mu - lambda) = 100us / (1 - 0.5) = 200us (Kleinrock, Queueing
     * Systems vol. 1, 1975, eq. 3.26).  The simulated mean over 20,000 jobs
     * is a random estimate: over seeds 1..20 its relative error had a
     * standard deviation of 1.8% (measured with this scenario on
     * 2026-11-21), so 10% is more than 5 sigma, while a wrong exponential,
     * a lost job or a time-unit slip is far outside it.  Utilisation must be
     * rho = 0.5 within 0.03. */
    result r = run_in(dir, cossim, "run", "mm1-queue", "--set", "jobs=20000", "--json", "--trace", "none", NULL);
    expect_status(&r, 0);
    const char *m = strstr(r.out, "\"mean_response_ps\":");
    assert_non_null(m);
    double mean = g_ascii_strtod(m + strlen("\"mean_response_ps\":"), NULL);
    const char *u = strstr(r.out, "\"utilisation\":");
    assert_non_null(u);
    double util = g_ascii_strtod(u + strlen("\"utilisation\":"), NULL);
    if (fabs(mean / 200e6 - 1) > 0.10 || fabs(util - 0.5) > 0.03)
        fail_msg("mean response %.0f ps (expected 200e6 +- 10%%), utilisation %.3f (expected 0.5)", mean, util);
    assert_non_null(strstr(r.out, "\"jobs\":20000"));
    /* script output went to stderr, keeping stdout one JSON object */
    assert_true(r.out[0] == '{');
    assert_non_null(strstr(r.err, "M/M/1"));
    result_clear(&r);
    tu_rmtree(dir);
    g_free(dir);
}

static void test_default_trace_name(void **state)
{
    (void)state;
    char *dir = tmpdir();
    result r = run_in(dir, cossim, "run", "mm1-queue", "--set", "jobs=100", NULL);
    expect_status(&r, 0);
    g_autofree char *db = g_build_filename(dir, "mm1-queue.db", NULL);
    assert_true(g_file_test(db, G_FILE_TEST_IS_REGULAR));
    assert_int_equal(tu_count_files(dir), 1);
    assert_non_null(strstr(r.out, "scenario   mm1-queue.lua"));
    assert_non_null(strstr(r.out, "events/s"));
    result_clear(&r);
    tu_rmtree(dir);
    g_free(dir);
}

typedef struct bad_case {
    const char *why;
    const char *args[8];
    const char *stderr_has;
} bad_case;

static void test_bad_input(void **state)
{
    (void)state;
    const bad_case cases[] = {
        { "unknown verb", { "frobnicate" }, "unknown verb 'frobnicate'" },
        { "unknown option", { "run", "mm1-queue", "--frob" }, "Unknown option --frob" },
        { "missing scenario", { "run", "no-such-scenario.lua" }, "'no-such-scenario.lua' not found" },
        { "no scenario", { "run" }, "which scenario" },
        { "unreadable scenario", { "run", "/proc/self/mem" }, "cannot read scenario" },
        { "time without unit", { "run", "mm1-queue", "--until", "10" }, "--until: '10' has no unit" },
        { "bad time unit", { "run", "mm1-queue", "--until", "10 weeks" }, "unknown unit 'weeks'" },
        { "bad --set", { "run", "mm1-queue", "--set", "novalue" }, "--set: 'novalue' is not KEY=VALUE" },
        { "bad seed", { "run", "mm1-queue", "--seed", "-1" }, "--seed: '-1'" },
        { "bad timeout", { "run", "mm1-queue", "--timeout", "-3" }, "--timeout: -3 is negative" },
        { "bad memory cap", { "run", "mm1-queue", "--lua-memory", "-7" }, "--lua-memory: -7" },
        { "unwritable trace", { "run", "mm1-queue", "--trace", "/nonexistent-dir/x.db" }, "cannot write trace '/nonexistent-dir/x.db'" },
        { "script syntax error", { "run", NULL }, "syntax_error.lua:3:" },
        { "script runtime error", { "run", NULL }, "runtime_error.lua:4: attempt to index a nil value" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        char *dir = tmpdir();
        const char *args[10] = { 0 };
        int n = 0;
        for (int k = 0; k < 8 && cases[i].args[k]; k++)
            args[n++] = cases[i].args[k];
        if (i == G_N_ELEMENTS(cases) - 2)
            args[n++] = data("syntax_error.lua");
        if (i == G_N_ELEMENTS(cases) - 1) {
            args[n++] = data("runtime_error.lua");
        }
        result r = run_in(dir, cossim, args[0], args[1], args[2], args[3], args[4], args[5], NULL);
        if (r.status != 2 || r.err == NULL || strstr(r.err, cases[i].stderr_has) == NULL)
            fail_msg("%s: exit %d, expected 2 and stderr containing \"%s\"; stderr:\n%s", cases[i].why,
                     r.status, cases[i].stderr_has, r.err);
        /* command-line mistakes are one line; script errors add a traceback */
        if (i < G_N_ELEMENTS(cases) - 2 && strchr(r.err, '\n') != r.err + strlen(r.err) - 1)
            fail_msg("%s: expected one line on stderr, got:\n%s", cases[i].why, r.err);
        if (tu_count_files(dir) != 0)
            fail_msg("%s: something was written to the working folder", cases[i].why);
        result_clear(&r);
        tu_rmtree(dir);
    g_free(dir);
    }
}

static void test_interrupted_run_leaves_nothing(void **state)
{
    (void)state;
    char *dir = tmpdir();
    char *argv[] = { (char *)cossim, "run", (char *)data("long_run.lua"), "--trace", "long.db", NULL };
    GPid pid;
    GError *err = NULL;
    assert_true(g_spawn_async(dir, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL |
                              G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &pid, &err));
    /* wait (up to 20 s) until the temporary trace exists and has grown */
    for (int i = 0; i < 2000 && tu_count_files(dir) == 0; i++)
        g_usleep(10000);
    assert_int_equal(tu_count_files(dir), 1);
    g_usleep(200000);
    kill(pid, SIGTERM);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
    if (tu_count_files(dir) != 0)
        fail_msg("an interrupted run left %d file(s) behind", tu_count_files(dir));

    /* --timeout: the same, by the host-time limit; exit 2 and one line */
    result r = run_in(dir, cossim, "run", data("long_run.lua"), "--trace", "long.db", "--timeout", "1", NULL);
    expect_status(&r, 2);
    assert_non_null(strstr(r.err, "--timeout"));
    assert_int_equal(tu_count_files(dir), 0);
    result_clear(&r);
    tu_rmtree(dir);
    g_free(dir);
}

static void test_verbs(void **state)
{
    (void)state;
    char *dir = tmpdir();
    result r = run_in(dir, cossim, "version", NULL);
    expect_status(&r, 0);
    assert_true(g_str_has_prefix(r.out, "cossim "));
    result_clear(&r);
    r = run_in(dir, cossim, "help", NULL);
    expect_status(&r, 0);
    assert_non_null(strstr(r.out, "run "));
    assert_non_null(strstr(r.out, "scenarios"));
    result_clear(&r);
    r = run_in(dir, cossim, "help", "run", NULL);
    expect_status(&r, 0);
    assert_non_null(strstr(r.out, "--until"));
    assert_non_null(strstr(r.out, "--set"));
    result_clear(&r);
    r = run_in(dir, cossim, "scenarios", NULL);
    expect_status(&r, 0);
    /* the description is the first comment line of the script */
    assert_non_null(strstr(r.out, "mm1-queue"));
    assert_non_null(strstr(r.out, "Quick start: three periodic tasks"));
    assert_null(strstr(r.out, "report"));   /* lib/ holds helpers, not scenarios */
    result_clear(&r);
    /* --until caps a script's own span */
    r = run_in(dir, cossim, "run", data("long_run.lua"), "--until", "2us", "--trace", "none", NULL);
    expect_status(&r, 0);
    assert_non_null(strstr(r.out, "simulated  2us (2000000 ps)"));
    assert_non_null(strstr(r.out, "2001 event rows"));   /* ticks at 0, 1ns, ..., 2000ns */
    result_clear(&r);
    assert_int_equal(tu_count_files(dir), 0);
    tu_rmtree(dir);
    g_free(dir);
}

static double json_number(const char *json, const char *key)
{
    g_autofree char *k = g_strdup_printf("\"%s\":", key);
    const char *p = strstr(json, k);
    if (p == NULL)
        fail_msg("no %s in %s", key, json);
    return g_ascii_strtod(p + strlen(k), NULL);
}

static void test_cache_interference_lab(void **state)
{
    (void)state;
    char *dir = tmpdir();
    /* On the cortex-a9 preset (L2 hit 23 cycles; a miss to memory is the L2
     * tag check plus 110 ns ~ 74 cycles at 667 MHz: about 97 in all):
     * - alone, core 1's 256 KiB fits the 512 KiB L2 and not the 32 KiB L1,
     *   so it costs an L2 hit, 23 cycles, per access;
     * - core 0 streaming 4 MiB through the shared L2 evicts core 1's lines:
     *   a share of its accesses go to memory, so the mean lies well above 23
     *   and below the all-miss ~97 (+ bus waits);
     * - with the L2's ways split between the cores, core 0 evicts only its
     *   own ways: core 1 is back to L2 hits (no bus use, so no bus waits).
     * The trace's counters table gets the machine's rows at the end. */
    result r = run_in(dir, cossim, "run", "labs/cache-interference", "--json", "--trace", "lab.db", NULL);
    expect_status(&r, 0);
    double alone = json_number(r.out, "alone"), shared = json_number(r.out, "shared"),
           part = json_number(r.out, "partitioned");
    if (!(alone > 22 && alone <= 23) || !(shared > 1.5 * alone && shared < 97 * 1.5) || !(part > 22 && part <= 23))
        fail_msg("alone %.3f, shared %.3f, partitioned %.3f cycles per access", alone, shared, part);
    assert_non_null(strstr(r.out, "\"machine\":\"cortex-a9\""));
    result_clear(&r);
    tu_rmtree(dir);
    g_free(dir);
}

/* The number at the end of a chain of keys, each looked for after the
 * previous one (enough for the nested objects a scenario returns). */
static double json_path(const char *json, const char *const *keys)
{
    const char *p = json;
    for (; *keys; keys++) {
        g_autofree char *k = g_strdup_printf("\"%s\":", *keys);
        const char *q = strstr(p, k);
        if (q == NULL)
            fail_msg("no %s after offset %td in %s", *keys, p - json, json);
        p = q + strlen(k);
    }
    return g_ascii_strtod(p, NULL);
}
#define JP(json, ...) json_path((json), (const char *const[]){ __VA_ARGS__, NULL })

static void test_ipc_roundtrip(void **state)
{
    (void)state;
    char *dir = tmpdir();
    result r = run_in(dir, cossim, "run", "ipc-roundtrip", "--set", "iterations=200", "--set", "warmup=20", "--json",
                      "--trace", "none", NULL);
    expect_status(&r, 0);
    /* The published comparison (issue 4; docs/calibration.md: source paper
     * not yet confirmed): round trips of Composite's thread-migration
     * invocation and of seL4's IPC, in cycles: 741 and 934 on a 3.2 GHz
     * x86, 543 and 630 on a 667 MHz Cortex-A9 (Zynq).  The warm medians
     * must stay within 15% of them.  x86_64 is a prediction (no figure of
     * the preset was fitted to these); cortex-a9's cpi and pt_switch were
     * fitted to its two figures, so this keeps that fit from drifting. */
    static const struct { const char *preset, *path; double published; } pub[] = {
        { "x86_64", "sinv", 741 }, { "x86_64", "ipc", 934 },
        { "cortex-a9", "sinv", 543 }, { "cortex-a9", "ipc", 630 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(pub); i++) {
        double m = JP(r.out, pub[i].preset, pub[i].path, "warm", "median");
        if (fabs(m / pub[i].published - 1) > 0.15)
            fail_msg("%s %s: warm median %.0f, published %.0f (%+.1f%%)", pub[i].preset, pub[i].path, m,
                     pub[i].published, 100 * (m / pub[i].published - 1));
    }
    /* On every machine (cortex-m7 is a prediction with nothing published to
     * compare): the invocation is cheaper than the IPC, for a reason the
     * model's parts show: both make the same mode and page-table switches
     * (two system calls, two address-space switches per round trip: equal
     * `arch`), but the IPC runs more kernel code (a thread switch that
     * saves and loads register files, scheduling events for the blocked
     * and the woken thread, the tcap comparison) and touches more lines.
     * Cold (caches and TLBs flushed before each round) costs more than warm. */
    static const char *const presets[] = { "x86_64", "cortex-a9", "cortex-m7" };
    for (size_t i = 0; i < G_N_ELEMENTS(presets); i++) {
        const char *p = presets[i];
        double s = JP(r.out, p, "sinv", "warm", "median"), c = JP(r.out, p, "ipc", "warm", "median");
        if (!(s < c))
            fail_msg("%s: invocation %.0f not cheaper than IPC %.0f", p, s, c);
        double sa = JP(r.out, p, "sinv", "parts", "arch"), ca = JP(r.out, p, "ipc", "parts", "arch");
        double si = JP(r.out, p, "sinv", "parts", "instructions"), ci = JP(r.out, p, "ipc", "parts", "instructions");
        if (sa != ca || !(si < ci))
            fail_msg("%s: parts: arch %.0f vs %.0f, instructions %.0f vs %.0f", p, sa, ca, si, ci);
        if (!(JP(r.out, p, "sinv", "cold", "median") > s) || !(JP(r.out, p, "ipc", "cold", "median") > c))
            fail_msg("%s: cold not above warm", p);
    }
    result_clear(&r);
    tu_rmtree(dir);
    g_free(dir);
}


/* ---- the composed-system scenarios (issue 5) -------------------------------- */

static result run_json(const char *dir, const char *scenario)
{
    result r = run_in(dir, cossim, "run", scenario, "--json", "--trace", "none", NULL);
    expect_status(&r, 0);
    return r;
}

/* Write a scenario into dir and run it as run_json does. */
static result run_script_json(const char *dir, const char *name, const char *text)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    assert_true(g_file_set_contents(path, text, -1, NULL));
    return run_json(dir, name);
}

static void in_band(const char *what, double v, double lo, double hi)
{
    if (!(v >= lo && v <= hi))
        fail_msg("%s = %.3f, expected %.3f .. %.3f", what, v, lo, hi);
}

static void test_quickstart(void **state)
{
    (void)state;
    char *dir = tmpdir();
    result r = run_json(dir, "quickstart");
    /* Fixed priority, C/T in us: control 150/1000 (10 under the lock),
     * telemetry 420/4000 (300 + the log server's 20 + 100; 50 under the
     * lock; first release 650 us in), logger 2000 + a 32 KiB touch / 10000.
     * Response-time analysis by hand, kernel overheads aside:
     *   control   R = 150 + B, B = telemetry's section, 50: at most 200
     *   telemetry R = 420 + ceil(R/1000) * 150 = 570
     *   logger    R = 2000 + 3*150 + 420 = 2870 (plus the touch)
     * Every job meets its deadline.  The simulated figures add the kernel's
     * and the scheduler's overheads (a few us per preemption here), so the
     * bands are [analytic, analytic + 40 us]; control's worst case must
     * show the blocking (above 160: it waits for telemetry's section once
     * every 4 ms, as the offset arranges) and stay under its bound. */
    in_band("control best", JP(r.out, "tasks", "control", "best_us"), 150, 160);
    in_band("control worst", JP(r.out, "tasks", "control", "worst_us"), 160, 200 + 40);
    in_band("telemetry worst", JP(r.out, "tasks", "telemetry", "worst_us"), 570, 570 + 40);
    in_band("logger worst", JP(r.out, "tasks", "logger", "worst_us"), 2870, 2870 + 40);
    in_band("control jobs", JP(r.out, "tasks", "control", "jobs"), 100, 100);
    in_band("misses", JP(r.out, "tasks", "control", "missed") + JP(r.out, "tasks", "telemetry", "missed")
                      + JP(r.out, "tasks", "logger", "missed"), 0, 0);
    /* priority inheritance: control waits once per telemetry job (25 in
     * 100 ms), for at most the 50 us section */
    in_band("lock contended", JP(r.out, "lock", "contended"), 25, 25);
    in_band("control lock wait", JP(r.out, "lock", "control_wait_max_us"), 1, 50);
    result_clear(&r);
    /* the ceiling protocol: telemetry runs its section at control's
     * priority, so control never finds the lock taken */
    r = run_in(dir, cossim, "run", "quickstart", "--json", "--trace", "none", "--set", "lock=ceiling", NULL);
    expect_status(&r, 0);
    in_band("ceiling: contended", JP(r.out, "lock", "contended"), 0, 0);
    in_band("ceiling: control worst", JP(r.out, "tasks", "control", "worst_us"), 160, 200 + 40);
    result_clear(&r);
    tu_rmtree(dir);
    g_free(dir);
}

static void test_fp_vs_edf(void **state)
{
    (void)state;
    char *dir = tmpdir();
    result r = run_json(dir, "fp-vs-edf");
    /* (C, T) = (2, 5) and (4, 7) ms, U = 0.971 (Buttazzo's example).  EDF:
     * U <= 1, no misses (Liu and Layland).  RM: t2's first response by hand
     * R = 4 + ceil(R/5)*2 -> 6 -> 8 -> 8 ms > 7: it misses; t1 never does.
     * The simulated worst cases add overheads of a few us. */
    in_band("fp t1 missed", JP(r.out, "fp", "t1", "missed"), 0, 0);
    in_band("fp t2 missed", JP(r.out, "fp", "t2", "missed"), 1, 50);
    in_band("fp t2 worst", JP(r.out, "fp", "t2", "worst_us"), 8000, 8050);
    in_band("edf t1 missed", JP(r.out, "edf", "t1", "missed"), 0, 0);
    in_band("edf t2 missed", JP(r.out, "edf", "t2", "missed"), 0, 0);
    in_band("edf t2 worst", JP(r.out, "edf", "t2", "worst_us"), 4000, 7000);
    in_band("edf t1 jobs", JP(r.out, "edf", "t1", "jobs"), 70, 70);    /* 350 ms / 5 ms */
    result_clear(&r);
    tu_rmtree(dir);
    g_free(dir);
}

static void test_hierarchical(void **state)
{
    (void)state;
    char *dir = tmpdir();
    result r = run_json(dir, "hierarchical");
    /* By hand (scenarios/hierarchical.lua): each 5 ms the root runs hi
     * [0, 1] (C = 1 ms), group B [1, 2] (its 1 ms budget), group A [2, 4]
     * (2 ms).  a1 (1 ms, T = 10 ms) runs [2, 3]: R = 3 ms; a2 (2 ms, T = 20
     * ms) runs [3, 4] and [7, 8]: R = 8 ms.  Both under the periodic
     * resource model bounds for A (P = 5, Q = 2; Shin and Lee 2003): 7 and
     * 13 ms.  Overheads add a few us.  b1 wants 8 ms per 10 ms and gets 2:
     * it misses, and B's budget runs out every period (40 in 200 ms, 41
     * with the ~1 ms the first system runs ahead).  Flat, b1 at priority 2
     * takes all but hi's 2 ms of every 10: a1 and a2 never finish a job. */
    in_band("hier hi missed", JP(r.out, "groups", "hi", "missed"), 0, 0);
    in_band("hier a1 missed", JP(r.out, "groups", "a1", "missed"), 0, 0);
    in_band("hier a2 missed", JP(r.out, "groups", "a2", "missed"), 0, 0);
    in_band("hier a1 worst", JP(r.out, "groups", "a1", "worst_us"), 3000, 3030);
    in_band("hier a2 worst", JP(r.out, "groups", "a2", "worst_us"), 8000, 8040);
    in_band("hier a1 jobs", JP(r.out, "groups", "a1", "jobs"), 20, 20);
    in_band("hier b1 missed", JP(r.out, "groups", "b1", "missed"), 3, 20);
    in_band("hier B expiries", JP(r.out, "groups", "group B", "expiries"), 40, 41);
    in_band("hier A wakes", JP(r.out, "groups", "group A", "wakes"), 20, 21);
    in_band("flat a1 jobs", JP(r.out, "flat", "a1", "jobs"), 0, 0);
    in_band("flat a2 jobs", JP(r.out, "flat", "a2", "jobs"), 0, 0);
    in_band("flat a1 missed", JP(r.out, "flat", "a1", "missed"), 1, 1);
    result_clear(&r);
    tu_rmtree(dir);
    g_free(dir);
}

static void test_channels(void **state)
{
    (void)state;
    char *dir = tmpdir();
    result r = run_json(dir, "channels");
    /* scenarios/channels.lua: 4 messages per 1 ms into a 2-slot ring; the
     * filter (priority 1) runs first each period and waits.
     * Same core: every put wakes it at once (one tcap: the send preempts),
     * it takes the message and waits again: every get waits, the ring
     * never fills; 21 periods (this system runs ~1 ms ahead of the other)
     * of 4 = 84.  The latency is a send and a switch: no IPI, so under the
     * preset's 500 ns (1,600 cycles) IPI latency.
     * Two cores: 20 periods, 80 messages; the first get of a period waits
     * (20), the wake-up crosses by IPI so no message arrives sooner than
     * 1,600 cycles after its put; the sensor fills both slots and waits
     * (twice a period: 40), and nothing misses (4 x 10 us of filtering in
     * 1 ms). */
    in_band("same puts", JP(r.out, "same core", "puts"), 84, 84);
    in_band("same gets", JP(r.out, "same core", "gets"), 84, 84);
    in_band("same empty waits", JP(r.out, "same core", "empty_waits"), 84, 84);
    in_band("same full waits", JP(r.out, "same core", "full_waits"), 0, 0);
    in_band("same latency min", JP(r.out, "same core", "latency_min_cycles"), 1, 1599);
    in_band("two puts", JP(r.out, "two cores", "puts"), 80, 80);
    in_band("two gets", JP(r.out, "two cores", "gets"), 80, 80);
    in_band("two empty waits", JP(r.out, "two cores", "empty_waits"), 20, 20);
    in_band("two full waits", JP(r.out, "two cores", "full_waits"), 20, 40);
    in_band("two max fill", JP(r.out, "two cores", "max_fill"), 2, 2);
    in_band("two latency min", JP(r.out, "two cores", "latency_min_cycles"), 1600, 20000);
    in_band("two filter missed", JP(r.out, "two cores", "filter_missed"), 0, 0);
    in_band("two sensor missed", JP(r.out, "two cores", "sensor_missed"), 0, 0);
    result_clear(&r);
    tu_rmtree(dir);
    g_free(dir);
}

static void test_timers(void **state)
{
    (void)state;
    char *dir = tmpdir();
    result r = run_json(dir, "timers");
    /* scenarios/timers.lua.  poll: 50 us + a 200 us wait + 50 us = 300 us
     * by hand, plus wake-up overheads of a few us either way; through the
     * timer manager it must cost more than the scheduler's own sleep (two
     * invocations of another component and a send on top: the x86_64 IPC
     * table's round trip is 866 cycles), but by less than 5 us.  tick:
     * released 500 us into each period, it waits for its 1 ms tick: 500 us
     * + lateness + 10 us; 49 jobs over 50 ms from 500 us.  Every expiry is
     * a wait that ends (50 polls + 49 ticks), none before its time. */
    double s_best = JP(r.out, "sleep", "poll", "best_us"), t_best = JP(r.out, "timeout", "poll", "best_us");
    in_band("sleep poll worst", JP(r.out, "sleep", "poll", "worst_us"), 300, 303);
    in_band("timeout poll worst", JP(r.out, "timeout", "poll", "worst_us"), 300, 305);
    if (!(t_best > s_best && t_best < s_best + 5))
        fail_msg("poll's best response: sleep %.3f us, timer manager %.3f us", s_best, t_best);
    in_band("tick jobs", JP(r.out, "timeout", "tick", "jobs"), 49, 49);
    in_band("tick missed", JP(r.out, "timeout", "tick", "missed"), 0, 0);
    in_band("tick worst", JP(r.out, "timeout", "tick", "worst_us"), 510, 515);
    in_band("expirations", JP(r.out, "timers", "expirations"), 99, 99);
    in_band("waits", JP(r.out, "timers", "waits"), 99, 99);
    in_band("late min", JP(r.out, "timers", "late_min_cycles"), 1, 16000);
    in_band("late max", JP(r.out, "timers", "late_max_cycles"), 1, 16000);
    result_clear(&r);
    tu_rmtree(dir);
    g_free(dir);
}

static void test_memory(void **state)
{
    (void)state;
    char *dir = tmpdir();
    result r = run_json(dir, "memory");
    /* scenarios/memory.lua, 50 ms.  One core: worker allocates and frees 8
     * pages per 1 ms job: 400 each; the app's page table is loaded on no
     * other core, so no shootdowns.  Two cores, by hand: every unmap on
     * core 0 sends one shootdown to core 1, the other core with the table
     * loaded, so shootdowns = freed + revoked, and core 1 takes them all.
     * hog (every 2 ms, +4 pages, quota 12) holds 12 pages (jobs at 0, 2,
     * 4 ms) when each revocation comes, at 4.05, 14.05, ..., 44.05 ms: 5 x
     * 12 = 60 revoked; after each, jobs at +2..+10 ms take 4, 8, 12, then
     * two are refused 4 pages each (jobs at 12/14, 22/24, 32/34, 42/44 ms):
     * 32 denied; hog is given 25 x 4 - 32 = 68 pages, so 400 + 68 = 468.
     * Each revocation lands in hog's 100 us compute, so its read after it
     * faults at the first page: 5 faults, all hog's.  Freed pages wait at
     * least the quiescence period (10 us) before reuse, but the next
     * allocation is 1 ms later: no reuse waits. */
    in_band("1 allocated", JP(r.out, "one core", "memory", "allocated"), 400, 400);
    in_band("1 freed", JP(r.out, "one core", "memory", "freed"), 400, 400);
    in_band("1 shootdowns", JP(r.out, "one core", "memory", "shootdowns"), 0, 0);
    in_band("2 freed", JP(r.out, "two cores", "memory", "freed"), 400, 400);
    in_band("2 revoked", JP(r.out, "two cores", "memory", "revoked"), 60, 60);
    in_band("2 revocations", JP(r.out, "two cores", "memory", "revocations"), 5, 5);
    in_band("2 denied", JP(r.out, "two cores", "memory", "denied"), 32, 32);
    in_band("2 allocated", JP(r.out, "two cores", "memory", "allocated"), 468, 468);
    in_band("2 shootdowns", JP(r.out, "two cores", "memory", "shootdowns"), 460, 460);
    in_band("2 shootdowns taken", JP(r.out, "two cores", "kernel_shootdowns"), 460, 460);
    in_band("2 faults", JP(r.out, "two cores", "memory", "faults"), 5, 5);
    in_band("2 reuse waits", JP(r.out, "two cores", "memory", "reuse_waits"), 0, 0);
    /* a shootdown costs the freeing side an IPI send and the ring's lines:
     * freeing with core 1 to shoot down costs more than without */
    double f1 = JP(r.out, "one core", "memory", "free_mean_cycles"), f2 = JP(r.out, "two cores", "memory", "free_mean_cycles");
    if (!(f2 > f1))
        fail_msg("free per page: %.1f cycles with a shootdown, %.1f without", f2, f1);
    result_clear(&r);
    tu_rmtree(dir);
    g_free(dir);
}

/* Quiescent reuse: a pool of 8 pages; each job allocates 8, frees them,
 * and allocates 8 again.  The second allocation comes a few microseconds
 * after the free (8 unmaps of well under 1,000 cycles each at 3.2 GHz),
 * inside the 10 us quiescence period: the kernel refuses the oldest freed
 * page's retype, the manager stops there (nothing is older), and the 8
 * pages are denied.  The next job, 1 ms later, gets them.  3 jobs: 24
 * given, 24 denied, 3 reuse waits.  With 20 us of compute between the
 * free and the second allocation (> 10 us), every allocation succeeds:
 * 48 given, none denied. */
static void test_memory_reuse(void **state)
{
    (void)state;
    char *dir = tmpdir();
    result r = run_script_json(dir, "reuse.lua",
        "local out = {}\n"
        "for _, gap in ipairs{ 0, 20 } do\n"
        "  local sys = system{ machine = machine{ preset = 'x86_64', cores = 1 }, memory = { pages = 8 } }\n"
        "  local body = { {'alloc', 8}, {'heap', '32KiB', 'write'}, {'free'} }\n"
        "  if gap > 0 then body[#body + 1] = {'compute', gap .. 'us'} end\n"
        "  body[#body + 1] = {'alloc', 8}\n"
        "  body[#body + 1] = {'free'}\n"
        "  sys:task{ name = 'a', priority = 1, period = '1ms', body = body }\n"
        "  sys:run('3ms')\n"
        "  out['gap' .. gap] = sys:results().memory\n"
        "end\n"
        "return out\n");
    in_band("no gap allocated", JP(r.out, "gap0", "allocated"), 24, 24);
    in_band("no gap denied", JP(r.out, "gap0", "denied"), 24, 24);
    in_band("no gap reuse waits", JP(r.out, "gap0", "reuse_waits"), 3, 3);
    in_band("gap allocated", JP(r.out, "gap20", "allocated"), 48, 48);
    in_band("gap denied", JP(r.out, "gap20", "denied"), 0, 0);
    in_band("gap reuse waits", JP(r.out, "gap20", "reuse_waits"), 0, 0);
    result_clear(&r);
    tu_rmtree(dir);
    g_free(dir);
}

/* MPU machines address memory physically: the booter learns where its
 * memory is (KMEM_INFO) and gives each component's base, so a task's
 * touch, a channel's ring, a server's touch and the timer manager's table
 * all work on Cortex-M.  By hand: every task runs once per 1 ms period, so
 * 10 jobs each in 10 ms, 10 messages and 10 timed waits; an access to a
 * wrong address would fault (the kernel's `faults`) and stop the tasks. */
/* A revocation that arrives while its target is inside the manager is
 * carried out by the target's own call.  big (core 1) allocates 64 pages
 * at the start of each 1 ms job; by hand that call lasts at least 9 us:
 * per page two system calls of 60 + 40 cycles (the x86_64 preset's
 * syscall_entry/exit) and the kernel zeroing 64 lines at no less than an
 * L1 hit's 4 cycles each, 456 cycles x 64 = 29,184 cycles at 3.2 GHz.
 * admin (core 0) revokes big's memory 4 us into each period, so inside
 * that call: the manager leaves the revocation to big's call, which
 * revokes all 64 pages before it returns; big's read then faults and its
 * free finds nothing.  3 jobs: 192 given, 192 revoked in 3 revocations,
 * 3 faults, none freed.  (Were the deferred revocation lost: 0 revoked,
 * no faults, 192 freed.) */
static void test_memory_revoke_inside(void **state)
{
    (void)state;
    char *dir = tmpdir();
    result r = run_script_json(dir, "inside.lua",
        "local sys = system{ machine = machine{ preset = 'x86_64', cores = 2 }, memory = { pages = 64 } }\n"
        "sys:task{ name = 'big', core = 1, priority = 1, period = '1ms',\n"
        "          body = { {'alloc', 64}, {'heap', '4K', 'read'}, {'free'} } }\n"
        "sys:task{ name = 'admin', core = 0, priority = 1, period = '1ms', offset = '4us', body = { {'revoke', 'big'} } }\n"
        "sys:run('3ms')\n"
        "return sys:results().memory\n");
    in_band("allocated", JP(r.out, "allocated"), 192, 192);
    in_band("revoked", JP(r.out, "revoked"), 192, 192);
    in_band("revocations", JP(r.out, "revocations"), 3, 3);
    in_band("faults", JP(r.out, "faults"), 3, 3);
    in_band("freed", JP(r.out, "freed"), 0, 0);
    result_clear(&r);
    tu_rmtree(dir);
    g_free(dir);
}

static void test_mpu_memory(void **state)
{
    (void)state;
    char *dir = tmpdir();
    result r = run_script_json(dir, "mpu.lua",
        "local out = {}\n"
        "for _, preset in ipairs{ 'cortex-m4', 'cortex-m7' } do\n"
        "  local sys = system{ machine = machine{ preset = preset }, policy = 'fp',\n"
        "                      channels = { q = { slots = 2, size = 32 } }, servers = { fs = { work = '5us', touch = '2K' } } }\n"
        "  sys:task{ name = 't', priority = 1, period = '1ms', memory = '4K',\n"
        "            body = { {'touch', 0, '4K', 'write'}, {'put', 'q'}, {'invoke', 'fs'} } }\n"
        "  sys:task{ name = 'u', priority = 2, period = '1ms', body = { {'get', 'q'}, {'compute', '10us'} } }\n"
        "  sys:task{ name = 'v', priority = 3, period = '1ms', body = { {'timeout', '100us'}, {'compute', '10us'} } }\n"
        "  sys:run('10ms')\n"
        "  local r = sys:results()\n"
        "  out[preset] = { t = r.tasks[1].jobs, u = r.tasks[2].jobs, v = r.tasks[3].jobs, gets = r.channels.q.gets,\n"
        "                  waits = r.timers.waits, calls = r.servers.fs.calls, faults = sys:kernel():stats().faults }\n"
        "end\n"
        "return out\n");
    static const char *const presets[] = { "cortex-m4", "cortex-m7" };
    for (size_t i = 0; i < G_N_ELEMENTS(presets); i++) {
        in_band("t jobs", JP(r.out, presets[i], "t"), 10, 10);
        in_band("u jobs", JP(r.out, presets[i], "u"), 10, 10);
        in_band("v jobs", JP(r.out, presets[i], "v"), 10, 10);
        in_band("gets", JP(r.out, presets[i], "gets"), 10, 10);
        in_band("waits", JP(r.out, presets[i], "waits"), 10, 10);
        in_band("server calls", JP(r.out, presets[i], "calls"), 10, 10);
        in_band("faults", JP(r.out, presets[i], "faults"), 0, 0);
    }
    result_clear(&r);
    tu_rmtree(dir);
    g_free(dir);
}

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
    in_band("hi bound", JP(hi, "bound_us"), MAX(250, JP(hi, "worst_us")), 255);
    in_band("lo bound", JP(lo, "bound_us"), JP(lo, "worst_us"), JP(lo, "worst_us") + 10);
    in_band("exceeded", JP(a.out, "bound_exceeded"), 0, 0);
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
    assert_true(g_file_set_contents(tight, "return { tasks = { nobody = { response = '1ms' } } }\n", -1, NULL));
    r = run_in(dir, cossim, "check", "q.db", "tight.lua", NULL);
    if (r.status != 2 || strstr(r.err, "no task 'nobody'") == NULL)
        fail_msg("unknown task: exit %d, %s", r.status, r.err);
    result_clear(&r);
    tu_rmtree(dir);
    g_free(dir);
}

/* User-level dispatch (the Slite-style fast path) switches threads without
 * a kernel switch; its k.ulswitch events must cut the timeline too.
 * Three tasks of 2000 cycles (0.625 us at 3.2 GHz) released together at
 * priorities 1, 2, 3: c waits for a's and b's jobs, so by hand its own
 * time is 0.625 us and its preemption 0.625 us by each (plus a few
 * instructions of user code each). */
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
    in_band("c own", JP(c, "breakdown_mean_us", "own"), 0.625, 0.66);
    in_band("c preempted by a", JP(c, "preemption_mean_us", "a"), 0.625, 0.66);
    in_band("c preempted by b", JP(c, "preemption_mean_us", "b"), 0.625, 0.66);
    result_clear(&a);
    result_clear(&r);
    tu_rmtree(dir);
    g_free(dir);
}

static void test_interrupt_threads(void **state)
{
    (void)state;
    char *dir = tmpdir();
    result r = run_json(dir, "interrupt-threads");
    /* The burst asks for 20 us every 25 us (80%); control needs 300 us per
     * 1 ms.  Unbounded at priority 1 the interrupt thread leaves control
     * 200 us per ms during the burst: it must miss.  Bounded at 200 us per
     * ms: control's response is at most 300 + 200 = 500 us plus overheads,
     * and nothing misses.  All 200 interrupts are handled when unbounded;
     * bounded, at most 10 per ms (200 us / 20 us) after the burst starts at
     * 12 ms: by 30 ms at most ~180-200, and the budget must have expired. */
    in_band("unbounded control missed", JP(r.out, "unbounded", "control", "missed"), 1, 30);
    in_band("unbounded handled", JP(r.out, "unbounded", "nic", "handled"), 200, 200);
    in_band("bounded control missed", JP(r.out, "bounded", "control", "missed"), 0, 0);
    in_band("bounded logger missed", JP(r.out, "bounded", "logger", "missed"), 0, 0);
    in_band("bounded control worst", JP(r.out, "bounded", "control", "worst_us"), 500, 560);
    in_band("bounded handled", JP(r.out, "bounded", "nic", "handled"), 150, 200);
    in_band("bounded expiries", JP(r.out, "bounded", "nic", "expiries"), 5, 30);
    result_clear(&r);
    tu_rmtree(dir);
    g_free(dir);
}

static void test_fastpath(void **state)
{
    (void)state;
    char *dir = tmpdir();
    result r = run_json(dir, "fastpath");
    /* Three tasks per 1 ms period, 100 periods: 2 hand-offs per period, 200.
     * The first hand-off of each period needs the scheduler's timer changed
     * (the ended job's next release is the only one pending), so it goes
     * through the kernel; the second is at user level: ~100 of them.
     * Kernel dispatch is two kernel thread switches and two address-space
     * switches (task -> scheduler -> task); the user-level one saves and
     * loads one register file (36 x86 / 34 ARM instructions + 12) plus the
     * policy code, so its minimum must be several times smaller. */
    static const char *const presets[] = { "x86_64", "cortex-a9" };
    for (size_t i = 0; i < G_N_ELEMENTS(presets); i++) {
        const char *p = presets[i];
        in_band("handoffs", JP(r.out, p, "kernel", "handoffs"), 200, 200);
        in_band("user-level dispatches", JP(r.out, p, "fast", "user_dispatches"), 95, 100);
        double k = JP(r.out, p, "kernel", "min"), f = JP(r.out, p, "fast", "min");
        if (!(f * 4 < k) || !(f > 30))
            fail_msg("%s: fast path %.0f cycles, kernel %.0f: expected fast < kernel / 4", p, f, k);
    }
    result_clear(&r);
    tu_rmtree(dir);
    g_free(dir);
}

static void test_interference(void **state)
{
    (void)state;
    char *dir = tmpdir();
    result r = run_json(dir, "interference");
    /* Alone, the victim's 256 KiB stays in the 512 KiB shared L2 between
     * jobs: after the first job its L1 misses hit the L2, so its L2 misses
     * on core 1 are the first job's 8192 lines (256 KiB / 32 B) or fewer.
     * With the aggressor writing 384 KiB every 2 ms, 256 + 384 > 512 KiB:
     * the victim's lines are evicted between jobs and refetched (how many
     * depends on the L2's LRU order of the two streams: at most all 8192
     * per job).  More than four jobs' worth in 20 jobs rules out the cold
     * start alone; its response time grows by the memory latency of those
     * misses (over 2x). */
    in_band("alone core1 l2 misses", JP(r.out, "alone", "core1", "l2_misses"), 0, 8192 + 512);
    in_band("with core1 l2 misses", JP(r.out, "with_aggressor", "core1", "l2_misses"), 4 * 8192, 21 * 8192);
    in_band("slowdown", JP(r.out, "slowdown"), 2, 20);
    if (!(JP(r.out, "with_aggressor", "core1", "bus_wait_cycles") > 10 * JP(r.out, "alone", "core1", "bus_wait_cycles")))
        fail_msg("bus waits on core 1 did not grow");
    result_clear(&r);
    tu_rmtree(dir);
    g_free(dir);
}

/* A scenario's mistakes in composing a system: exit 2, the script's file
 * and line, a message naming the problem. */
static void test_compose_errors(void **state)
{
    (void)state;
    static const struct { const char *body, *msg; } cases[] = {
        { "sys:task{ name = 'a', priority = 1, period = '1ms', body = { {'invoke', 'nope'} } }", "no server 'nope'" },
        { "sys:task{ name = 'a', priority = 1, period = '1ms', budget = '2ms', body = { {'compute', 10} } }",
          "budget is larger than the period" },
        { "sys:task{ name = 'a', priority = 70000, period = '1ms', body = { {'compute', 10} } }", "out of range" },
        { "sys:task{ name = 'a', priority = 1, core = 5, period = '1ms', body = { {'compute', 10} } }",
          "core 5 does not exist" },
        { "sys:task{ name = 'a', period = '1ms', body = { {'compute', 10} } }", "give priority" },
        { "sys:task{ name = 'a', priority = 1, period = '1ms', body = { {'lock', 'nolock'} } }", "no lock 'nolock'" },
        { "sys:task{ name = 'a', priority = 1, period = '1ms', body = { {'frob'} } }", "unknown step" },
        { "sys:task{ name = 'a', priority = 1, period = '1ms', body = { {'send', 'b'} } }\nsys:run('1ms')",
          "sends to 'b', which is no task" },
        { "sys:task{ name = 'a', priority = 1, period = '1ms', memory = 64, body = { {'touch', 0, 128} } }",
          "touches past the task's memory" },
        { "sys:task{ name = 'a', priority = 1, period = '1ms', body = function(job) step.compute(-5) end }\n"
          "sys:run('2ms')", "cycles cannot be negative" },
        { "sys:task{ name = 'a', priority = 1, group = 'g', period = '1ms', body = { {'compute', 10} } }",
          "no group 'g'" },
        { "sys:group{ name = 'g', priority = 2, budget = '2ms', period = '1ms' }", "budget is larger than the period" },
        { "sys:group{ name = 'g', budget = '1ms', period = '2ms' }", "give the group's priority" },
        { "sys:group{ name = 'g', priority = 2, budget = '1ms', period = '2ms' }\n"
          "sys:task{ name = 'a', priority = 1, group = 'g', budget = '1ms', period = '2ms', body = { {'compute', 10} } }",
          "runs on the group's budget" },
        { "sys:group{ name = 'g', priority = 2, budget = '1ms', period = '2ms' }\n"
          "sys:task{ name = 'a', priority = 1, group = 'g', period = '2ms', body = { {'lock', 'l'}, {'unlock', 'l'} } }\n"
          "sys:task{ name = 'b', priority = 1, period = '2ms', body = { {'lock', 'l'}, {'unlock', 'l'} } }\n"
          "sys:run('1ms')", "used under two schedulers" },
        { "sys:task{ name = 'a', priority = 1, period = '1ms', body = { {'put', 'nochan'} } }", "no channel 'nochan'" },
        { "local s2 = system{ machine = machine{ preset = 'x86_64' }, channels = { c = { slots = 2 } } }\n"
          "s2:task{ name = 'a', priority = 1, period = '1ms', body = { {'put', 'c'} } }\n"
          "s2:task{ name = 'b', priority = 1, period = '1ms', body = { {'put', 'c'} } }\n"
          "s2:task{ name = 'c', priority = 1, period = '1ms', body = { {'get', 'c'} } }\n"
          "s2:run('1ms')", "has a producer already" },
        { "local s2 = system{ machine = machine{ preset = 'x86_64' }, channels = { c = { slots = 2 } } }\n"
          "s2:task{ name = 'a', priority = 1, period = '1ms', body = { {'put', 'c'} } }\n"
          "s2:run('1ms')", "has a producer but no consumer" },
        { "local s2 = system{ machine = machine{ preset = 'x86_64' }, channels = { c = { slots = 0 } } }",
          "slots is an integer" },
        { "sys:task{ name = 'a', priority = 1, period = '1ms', body = { {'timeout', '10us'}, {'recv'} } }\n"
          "sys:run('1ms')", "waits on its one endpoint for one thing" },
        { "sys:task{ name = 'a', priority = 1, period = '1ms', body = { {'timeout', '10us'}, {'tick', '100us'} } }\n"
          "sys:run('1ms')", "a task has one timer" },
        { "sys:task{ name = 'a', priority = 1, period = '1ms', body = { {'alloc', 2} } }", "needs the memory manager" },
        { "local s2 = system{ machine = m, memory = { pages = 0 } }", "pages is an integer from 1 to 256" },
        { "local s2 = system{ machine = m, memory = { pages = 8, quota = 65 } }", "quota (pages per task)" },
        { "local s2 = system{ machine = machine{ preset = 'x86_64' }, memory = { pages = 8 } }\n"
          "s2:task{ name = 'a', priority = 1, period = '1ms', body = { {'alloc', 0} } }", "alloc takes a number of pages" },
        { "local s2 = system{ machine = machine{ preset = 'x86_64' }, memory = { pages = 8 } }\n"
          "s2:task{ name = 'a', priority = 1, period = '1ms', body = { {'alloc', 1} } }\n"
          "s2:task{ name = 'b', priority = 2, period = '1ms', body = { {'revoke', 'zz'} } }\n"
          "s2:run('1ms')", "which is no task" },
        { "local s2 = system{ machine = machine{ preset = 'x86_64' }, memory = { pages = 8 } }\n"
          "s2:task{ name = 'a', priority = 1, period = '1ms', body = { {'compute', 10} } }\n"
          "s2:task{ name = 'b', priority = 2, period = '1ms', body = { {'revoke', 'a'} } }\n"
          "s2:run('1ms')", "which never allocates" },
        { "local s2 = system{ machine = machine{ preset = 'cortex-m4' }, memory = { pages = 8 } }",
          "not on an MPU machine yet" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        char *dir = tmpdir();
        g_autofree char *path = g_build_filename(dir, "bad.lua", NULL);
        g_autofree char *text = g_strdup_printf("local m = machine{ preset = 'x86_64', cores = 1 }\n"
                                                "local sys = system{ machine = m, locks = { l = 'pi' } }\n%s\n",
                                                cases[i].body);
        assert_true(g_file_set_contents(path, text, -1, NULL));
        result r = run_in(dir, cossim, "run", path, "--trace", "none", NULL);
        if (r.status != 2 || strstr(r.err, cases[i].msg) == NULL || strstr(r.err, "bad.lua:") == NULL)
            fail_msg("case %zu: exit %d, expected 2 with \"bad.lua:\" and \"%s\"; stderr:\n%s", i, r.status,
                     cases[i].msg, r.err);
        result_clear(&r);
        tu_rmtree(dir);
        g_free(dir);
    }
}

/* Locks (like servers and channels) are numbered in the sorted order of
 * their names, whatever order Lua's per-process string hashing gives the
 * table: with locks zz, aa, mm, zz is number 2 (aa 0, mm 1).  By hand:
 * lo takes zz for 100 us from the start of each 1 ms period, hi wants it
 * 50 us in: one u.lock_wait per period, 3 in 3 ms, each naming lock 2. */
static void test_names_numbered_in_order(void **state)
{
    (void)state;
    char *dir = tmpdir();
    g_autofree char *path = g_build_filename(dir, "num.lua", NULL);
    assert_true(g_file_set_contents(path,
        "local m = machine{ preset = 'x86_64', cores = 1 }\n"
        "local sys = system{ machine = m, policy = 'fp', locks = { zz = 'pi', aa = 'pi', mm = 'none' } }\n"
        "sys:task{ name = 'lo', priority = 2, period = '1ms', body = { {'lock', 'zz'}, {'compute', '100us'}, {'unlock', 'zz'} } }\n"
        "sys:task{ name = 'hi', priority = 1, period = '1ms', offset = '50us', body = { {'lock', 'zz'}, {'unlock', 'zz'} } }\n"
        "sys:run('3ms')\n", -1, NULL));
    result r = run_in(dir, cossim, "run", "num.lua", "--trace", "t.db", NULL);
    expect_status(&r, 0);
    g_autofree char *db_path = g_build_filename(dir, "t.db", NULL);
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db,
        "SELECT count(*), min(e.a0), max(e.a0) FROM events e JOIN event_kinds k ON k.id = e.kind "
        "WHERE k.name = 'u.lock_wait'", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 3);
    assert_int_equal(sqlite3_column_int(st, 1), 2);
    assert_int_equal(sqlite3_column_int(st, 2), 2);
    sqlite3_finalize(st);
    sqlite3_close(db);
    result_clear(&r);
    tu_rmtree(dir);
    g_free(dir);
}

/* The jobs and tasks tables of a run with two composed systems (the
 * fp-vs-edf scenario): tasks are numbered on across systems; each job row
 * is one completed job.  By hand: over 350 ms t1 (T = 5 ms) completes 70
 * jobs under both policies, t2 (T = 7 ms) 50 under EDF (U <= 1: all in
 * time, none missed); under RM t2 misses (its first response is 8 ms > 7). */
static void test_jobs_table(void **state)
{
    (void)state;
    char *dir = tmpdir();
    result r = run_in(dir, cossim, "run", "fp-vs-edf", "--trace", "t.db", NULL);
    expect_status(&r, 0);
    g_autofree char *db_path = g_build_filename(dir, "t.db", NULL);
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db,
        "SELECT t.policy, t.name, count(*), sum(j.missed), min(j.response_ps), "
        "sum(j.response_ps = j.finish_ps - j.release_ps), sum(j.start_ps >= j.release_ps AND j.finish_ps > j.start_ps) "
        "FROM jobs j JOIN tasks t ON t.task = j.task GROUP BY j.task ORDER BY j.task", -1, &st, NULL), SQLITE_OK);
    static const struct { const char *policy, *name; int jobs, missed_lo, missed_hi; } want[] = {
        { "fp", "t1", 70, 0, 0 }, { "fp", "t2", 50, 1, 50 }, { "edf", "t1", 70, 0, 0 }, { "edf", "t2", 50, 0, 0 },
    };
    unsigned n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        assert_true(n < G_N_ELEMENTS(want));
        assert_string_equal((const char *)sqlite3_column_text(st, 0), want[n].policy);
        assert_string_equal((const char *)sqlite3_column_text(st, 1), want[n].name);
        int jobs = sqlite3_column_int(st, 2), missed = sqlite3_column_int(st, 3);
        if (jobs != want[n].jobs || missed < want[n].missed_lo || missed > want[n].missed_hi)
            fail_msg("%s %s: %d jobs, %d missed", want[n].policy, want[n].name, jobs, missed);
        /* a job's response is at least its 2 or 4 ms of compute */
        assert_true(sqlite3_column_int64(st, 4) >= (n % 2 ? 4 : 2) * (sqlite3_int64)1000000000);
        assert_int_equal(sqlite3_column_int(st, 5), jobs);
        assert_int_equal(sqlite3_column_int(st, 6), jobs);
        n++;
    }
    assert_int_equal(n, G_N_ELEMENTS(want));
    sqlite3_finalize(st);
    sqlite3_close(db);
    result_clear(&r);
    tu_rmtree(dir);
    g_free(dir);
}

/* 128 tasks on 4 cores (the most a system takes): the booter needs more
 * than the boot table's first 512 slots (a thread and an endpoint per task
 * from slot 256, plus components and start signals), so it grows the
 * table.  Each core's 32 tasks have U = 0.6 under rate monotonic, below
 * Liu and Layland's bound 32 (2^(1/32) - 1) = 0.70: no deadline may be
 * missed. */
static void test_many_tasks(void **state)
{
    (void)state;
    char *dir = tmpdir();
    result r = run_in(dir, cossim, "run", "many-tasks", "--set", "tasks=128", "--set", "span=200ms", "--json",
                      "--trace", "none", NULL);
    expect_status(&r, 0);
    in_band("missed", JP(r.out, "missed"), 0, 0);
    /* every task has a period of at most 1 s, so in 200 ms at least the
     * 128 first jobs of tasks with periods under 200 ms... at least one
     * job per task whose period is below the span; more than 128 overall */
    if (!(JP(r.out, "jobs") > 128))
        fail_msg("only %.0f jobs", JP(r.out, "jobs"));
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

/* Every ```lua block of docs/scenarios.md is a complete scenario that
 * runs (the doc promises "a runnable example per call"). */
static void test_docs_examples_run(void **state)
{
    (void)state;
    g_autofree char *doc = g_build_filename(g_getenv("COSSIM_DOCS"), "scenarios.md", NULL);
    g_autofree char *text = NULL;
    assert_true(g_file_get_contents(doc, &text, NULL, NULL));
    char *dir = tmpdir();
    int count = 0;
    for (char *p = strstr(text, "```lua\n"); p; p = strstr(p, "```lua\n")) {
        p += strlen("```lua\n");
        char *end = strstr(p, "```");
        assert_non_null(end);
        g_autofree char *code = g_strndup(p, (gsize)(end - p));
        g_autofree char *name = g_strdup_printf("example%d.lua", ++count);
        g_autofree char *path = g_build_filename(dir, name, NULL);
        assert_true(g_file_set_contents(path, code, -1, NULL));
        result r = run_in(dir, cossim, "run", name, "--trace", "none", NULL);
        if (r.status != 0)
            fail_msg("docs/scenarios.md example %d fails (exit %d):\n%s\n%s", count, r.status, code, r.err);
        result_clear(&r);
        unlink(path);
        p = end + 3;
    }
    /* one per call of the engine layer at least */
    assert_true(count >= 10);
    tu_rmtree(dir);
    g_free(dir);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: test_cli COSSIM COSSIM-O0 COSSIM-O2\n");
        return 2;
    }
    cossim = argv[1];
    cossim_o0 = argv[2];
    cossim_o2 = argv[3];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_optimisation_levels_agree),
        cmocka_unit_test(test_mm1_against_queueing_theory),
        cmocka_unit_test(test_default_trace_name),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_interrupted_run_leaves_nothing),
        cmocka_unit_test(test_verbs),
        cmocka_unit_test(test_docs_examples_run),
        cmocka_unit_test(test_cache_interference_lab),
        cmocka_unit_test(test_ipc_roundtrip),
        cmocka_unit_test(test_quickstart),
        cmocka_unit_test(test_fp_vs_edf),
        cmocka_unit_test(test_interrupt_threads),
        cmocka_unit_test(test_hierarchical),
        cmocka_unit_test(test_channels),
        cmocka_unit_test(test_timers),
        cmocka_unit_test(test_memory),
        cmocka_unit_test(test_memory_reuse),
        cmocka_unit_test(test_memory_revoke_inside),
        cmocka_unit_test(test_mpu_memory),
        cmocka_unit_test(test_analyze_trace),
        cmocka_unit_test(test_analyze_breakdown),
        cmocka_unit_test(test_check_bounds),
        cmocka_unit_test(test_analyze_user_dispatch),
        cmocka_unit_test(test_fastpath),
        cmocka_unit_test(test_interference),
        cmocka_unit_test(test_compose_errors),
        cmocka_unit_test(test_jobs_table),
        cmocka_unit_test(test_names_numbered_in_order),
        cmocka_unit_test(test_many_tasks),
        cmocka_unit_test(test_analyze_taskset),
        cmocka_unit_test(test_sweep_and_plot),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
