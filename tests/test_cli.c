/* tests/test_cli.c: the cossim command, end to end (suite: scenario):
 * determinism (across runs and optimisation levels), bad input, the verbs,
 * the docs' examples and composition errors.
 * argv: the cossim binary, then the same simulator built at -O0 and -O2. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "cli_util.h"
#include "kernel/abi.h"

typedef struct bad_case {
    const char *why;
    const char *args[8];
    const char *stderr_has;
} bad_case;

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
    /* the labs are listed; their starter files (labs/student/) are not */
    assert_non_null(strstr(r.out, "labs/scheduler "));
    assert_non_null(strstr(r.out, "labs/priority-inversion "));
    assert_non_null(strstr(r.out, "labs/cache-partition "));
    assert_null(strstr(r.out, "student"));
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

/* Every ```lua block of docs/scenarios.md and docs/systems.md is a
 * complete scenario that runs (the docs promise "a runnable example per
 * call"). */
/* The words of s up to the first that opens a parenthesis (an aside). */
static char *words_of(const char *s)
{
    g_auto(GStrv) w = g_strsplit_set(s, " \t", -1);
    GString *out = g_string_new(NULL);
    for (char **p = w; *p; p++) {
        if (**p == '\0')
            continue;
        if (**p == '(')
            break;
        g_string_append_printf(out, "%s%s", out->len ? " " : "", *p);
    }
    return g_string_free(out, FALSE);
}

/* Every `print(...)  --> a b c` of an example names a line its run printed
 * (the same words, whitespace aside; a parenthesised aside after them is
 * a comment): the documented output is checked, not only that it runs. */
static void expect_printed(const char *file, int count, const char *code, const char *out)
{
    g_auto(GStrv) lines = g_strsplit(code, "\n", -1);
    g_auto(GStrv) got = g_strsplit(out ? out : "", "\n", -1);
    for (char **l = lines; *l; l++) {
        const char *arrow = strstr(*l, "--> ");
        if (arrow == NULL || strstr(*l, "print(") == NULL)
            continue;
        g_autofree char *want = words_of(arrow + 4);
        bool seen = false;
        for (char **g = got; *g && !seen; g++) {
            g_autofree char *w = words_of(*g);
            seen = strcmp(w, want) == 0;
        }
        if (!seen)
            fail_msg("docs/%s example %d says %s prints '%s'; it printed:\n%s", file, count, *l, want, out);
    }
}

/* The lua blocks of docs/FILE run, each printing what it says; their count. */
static int docs_examples_run(const char *file)
{
    g_autofree char *doc = g_build_filename(g_getenv("COSSIM_DOCS"), file, NULL);
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
            fail_msg("docs/%s example %d fails (exit %d):\n%s\n%s", file, count, r.status, code, r.err);
        expect_printed(file, count, code, r.out);
        result_clear(&r);
        unlink(path);
        p = end + 3;
    }
    tu_rmtree(dir);
    g_free(dir);
    return count;
}

static void test_docs_examples_run(void **state)
{
    (void)state;
    /* one per call of the engine layer at least; one per call of system{} */
    assert_true(docs_examples_run("scenarios.md") >= 10);
    assert_true(docs_examples_run("systems.md") >= 8);
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
        { "sys:group{ name = 'g', budget = '1ms', period = '2ms' }",
          "sys:group 'g': core 0 schedules by fixed priority: give priority = N" },
        /* one reader per field: the same message from every call */
        { "sys:task{ name = 'a', priority = 1, core = 'zero', period = '1ms', body = { {'compute', 10} } }",
          "sys:task 'a': core must be an integer" },
        { "sys:irq{ name = 'q', line = 3, core = 'zero', work = 100 }", "sys:irq 'q': core must be an integer" },
        { "sys:group{ name = 'g', core = 'zero', priority = 2, budget = '1ms', period = '2ms' }",
          "sys:group 'g': core must be an integer" },
        { "sys:irq{ name = 'q', line = 3, priority = 'high', work = 100 }", "sys:irq 'q': priority must be an integer" },
        { "sys:irq{ name = 'q', line = 3, priority = 0, work = 100 }",
          "sys:irq 'q': priority 0 out of range (1 is the highest, up to 65535)" },
        { "sys:task{ name = 'a', priority = 1, period = '1ms', body = { {'frob'} } }",
          "sys:task 'a': unknown step 'frob' (compute, touch, invoke, send, recv, lock, unlock, sleep, put, get, "
          "timeout, tick, alloc, free, heap, revoke, answer, abort)" },
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
        /* machine{} overrides that never end (issue 19, item 8: a memory-limit error with no line before) */
        { "local m2 = machine{ preset = 'x86_64', foo = _G }", "machine: an override nested more than 8 tables deep" },
        /* roles and their implementations */
        { "local s2 = system{ machine = machine{ preset = 'x86_64' }, timer = 'fancy' }",
          "system: timer is \"simple\" (the implementations registered in components/comps.c)" },
        { "local s2 = system{ machine = machine{ preset = 'x86_64' }, server = 'lazy' }", "system: server is \"work\"" },
        /* schedulers */
        { "local s2 = system{ machine = machine{ preset = 'x86_64' }, scheduler = 'rrr' }", "no scheduler 'rrr'" },
        { "local s2 = system{ machine = machine{ preset = 'x86_64' }, scheduler = 'rr', policy = 'edf' }",
          "goes with scheduler = \"fpedf\" only" },
        { "local s2 = system{ machine = machine{ preset = 'x86_64' }, scheduler = { policy = function() end } }",
          "give what a decision costs, instructions = N" },
        { "local s2 = system{ machine = machine{ preset = 'x86_64' }, scheduler = { name = 'rr', quantm = 5 } }",
          "scheduler: unknown key 'quantm' (known: name, quantum)" },
        /* a Lua policy that returns no ready task, or fails: the error names its line */
        { "local s2 = system{ machine = machine{ preset = 'x86_64', cores = 1 },\n"
          "  scheduler = { policy = function(ready, now) return nil end, instructions = 10 } }\n"
          "s2:task{ name = 'a', period = '1ms', body = { {'compute', 10} } }\ns2:run('2ms')",
          "bad.lua:4: the scheduler policy returned nil, not one of the ready tasks" },
        { "local s2 = system{ machine = machine{ preset = 'x86_64', cores = 1 },\n"
          "  scheduler = { policy = function(ready, now) return ready[1] + 1 end, instructions = 10 } }\n"
          "s2:task{ name = 'a', period = '1ms', body = { {'compute', 10} } }\ns2:run('2ms')",
          "bad.lua:4: attempt to perform arithmetic" },
        { "sys:task{ name = 'a', priority = 1, period = '1ms', weight = 0, body = { {'compute', 10} } }",
          "weight is a whole number, 1 or more" },
        /* added components and grants */
        { "sys:component{ name = 'x', image = 'nope' }", "image is one of: rogue, ipi-ratelimit" },
        { "sys:component{ name = 'app', image = 'rogue' }", "'app' names a component already" },
        { "sys:component{ name = 'x', image = 'rogue', args = { t = {} } }", "argument 't' is an integer or a component's name" },
        { "sys:component{ name = 'x', image = 'rogue', args = { target = 'nowhere' } }\n"
          "sys:task{ name = 'a', priority = 1, period = '1ms', body = { {'invoke', 'x'} } }\nsys:run('1ms')",
          "argument 'target' names 'nowhere', which is no component" },
        { "sys:grant{ from = 'x', to = 'y' }", "from = the name of a component added" },
        { "sys:component{ name = 'x', image = 'rogue' }\nsys:grant{ from = 'x', to = 'y' }",
          "no server or added component 'y' to invoke" },
        { "sys:component{ name = 'x', image = 'rogue' }\nsys:component{ name = 'y', image = 'rogue' }\n"
          "sys:grant{ from = 'x', to = 'y', entry = 1 }", "'y' has 1 entries (0 to 0)" },
        { "sys:component{ name = 'x', image = 'ipi-ratelimit' }\nsys:grant{ from = 'x', to = 'a', kind = 'asnd' }\n"
          "sys:task{ name = 'a', priority = 1, period = '1ms', body = { {'compute', 10} } }\nsys:run('1ms')",
          "granted a send to 'a', which never receives" },
        { "sys:task{ name = 'a', priority = 1, period = '1ms', body = { {'invoke', 'zz'} } }",
          "no server 'zz' (declare it in system{servers = ...} or with sys:component{...})" },
        /* the library memory manager's steps need it (system{memory = { library = true }}) */
        { "sys:task{ name = 'a', priority = 1, period = '1ms', body = { {'answer'} } }",
          "answer needs the library memory manager" },
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

/* A table with several unknown keys names the same one, the first by name,
 * on every run: Lua seeds its string hashes per process (from addresses,
 * which ASLR moves, and the time), so lua_next's order differs between
 * runs, and a checker that walked it named whichever key came first.  Five
 * runs of the command per binding, each in its own process; "zebra",
 * "mango", "kiwi", "beta" and "omega" are unknown everywhere, and "beta" is
 * the first of them by name. */
static void test_unknown_keys_named_alike(void **state)
{
    (void)state;
    static const struct { const char *code, *want; } cases[] = {
        { "local x = 1\nkernel.boot{ zebra = 1, mango = 2, kiwi = 3, beta = 4, omega = 5, machine = 1 }\n",
          "bad.lua:2: kernel.boot: unknown key 'beta' (known: machine, booter, arg, trace, check)" },
        { "local x = 1\nsim.event('k', { zebra = 1, mango = 2, kiwi = 3, beta = 4, omega = 5, core = 0 })\n",
          "bad.lua:2: sim.event: unknown key 'beta' (known: core, thread, component, a0, a1, a2, note)" },
        { "local x = 1\nmachine{ preset = 'x86_64', zebra = 1, mango = 2, kiwi = 3, beta = 4, omega = 5 }\n",
          "bad.lua:2: x86_64: unknown key 'beta' (known: name, description, arch, source, cores," },
        { "local x = 1\nmachine{ preset = 'x86_64', l2 = { zebra = 1, mango = 2, kiwi = 3, beta = 4, omega = 5 } }\n",
          "bad.lua:2: x86_64: caches.l2: unknown key 'beta' (known: size, ways, line," },
    };
    char *dir = tmpdir();
    g_autofree char *path = g_build_filename(dir, "bad.lua", NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        assert_true(g_file_set_contents(path, cases[i].code, -1, NULL));
        g_autofree char *first = NULL;
        for (int run = 0; run < 5; run++) {
            result r = run_in(dir, cossim, "run", "bad.lua", "--trace", "none", NULL);
            const char *nl = r.err ? strchr(r.err, '\n') : NULL;
            g_autofree char *line = r.err ? g_strndup(r.err, nl ? (gsize)(nl - r.err) : strlen(r.err)) : g_strdup("");
            if (r.status != 2 || strstr(line, cases[i].want) == NULL)
                fail_msg("case %zu, run %d: exit %d, expected 2 and \"%s\"; stderr:\n%s", i, run, r.status,
                         cases[i].want, r.err);
            if (first == NULL)
                first = g_strdup(line);
            else if (strcmp(first, line) != 0)
                fail_msg("case %zu: run %d says\n%s\nbut run 0 said\n%s", i, run, line, first);
            result_clear(&r);
        }
    }
    tu_rmtree(dir);
    g_free(dir);
}

/* Every bundled scenario's digest at its defaults is the one recorded in
 * tests/data/digests.txt (written by scripts/digests.sh).  A change meant to
 * keep behaviour (a move, a split, a speed-up) must leave every one as it
 * was; a change that moves figures rewrites the file and explains each
 * change in its commit message and docs/calibration.md.  A scenario that
 * is not in the file fails too, so none goes unguarded. */
static void test_shipped_digests(void **state)
{
    (void)state;
    g_autofree char *path = g_build_filename(g_getenv("COSSIM_TEST_DATA"), "digests.txt", NULL);
    g_autofree char *text = NULL;
    assert_true(g_file_get_contents(path, &text, NULL, NULL));
    char *dir = tmpdir();
    result list = run_in(dir, cossim, "scenarios", NULL);
    expect_status(&list, 0);
    g_auto(GStrv) lines = g_strsplit(list.out, "\n", -1);
    int checked = 0;
    GString *wrong = g_string_new(NULL);
    for (char **l = lines; *l && **l; l++) {
        g_autofree char *name = g_strndup(*l, strcspn(*l, " "));
        g_autofree char *key = g_strdup_printf("\n%s ", name);
        g_autofree char *hay = g_strconcat("\n", text, NULL);
        const char *at = strstr(hay, key);
        if (at == NULL) {
            g_string_append_printf(wrong, "%s: not in tests/data/digests.txt\n", name);
            continue;
        }
        g_autofree char *want = g_strndup(at + strlen(key), 64);
        result r = run_in(dir, cossim, "run", name, "--trace", "none", NULL);
        expect_status(&r, 0);
        g_autofree char *got = digest_of(&r);
        if (strcmp(got, want) != 0)
            g_string_append_printf(wrong, "%s: digest %s, recorded %s\n", name, got, want);
        result_clear(&r);
        checked++;
    }
    result_clear(&list);
    if (wrong->len)
        fail_msg("%s(scripts/digests.sh prints the current ones)", wrong->str);
    g_string_free(wrong, TRUE);
    assert_true(checked >= 13);
    assert_int_equal(tu_count_files(dir), 0);
    tu_rmtree(dir);
    g_free(dir);
}

/* README's "A taste" shows `./build/cossim run quickstart` and its output:
 * that output is what the command prints today, line for line but for the
 * host time, so the README's digest and figures can never drift. */
static void test_readme_output(void **state)
{
    (void)state;
    g_autofree char *path = g_build_filename(g_getenv("COSSIM_SOURCE_ROOT"), "README.md", NULL);
    g_autofree char *text = NULL;
    assert_true(g_file_get_contents(path, &text, NULL, NULL));
    const char *cmd = "$ ./build/cossim run quickstart\n";
    const char *p = strstr(text, cmd);
    assert_non_null(p);
    p += strlen(cmd);
    const char *end = strstr(p, "```");
    assert_non_null(end);
    g_autofree char *shown = g_strndup(p, (gsize)(end - p));
    char *dir = tmpdir();
    result r = run_in(dir, cossim, "run", "quickstart", NULL);
    expect_status(&r, 0);
    g_auto(GStrv) a = g_strsplit(shown, "\n", -1), b = g_strsplit(r.out, "\n", -1);
    for (guint i = 0; a[i] || b[i]; i++) {
        if (a[i] && b[i] && g_str_has_prefix(a[i], "host time") && g_str_has_prefix(b[i], "host time"))
            continue;
        if (a[i] == NULL || b[i] == NULL || strcmp(a[i], b[i]) != 0)
            fail_msg("README line %u of the quickstart output:\n  README: %s\n  run:    %s", i + 1,
                     a[i] ? a[i] : "(none)", b[i] ? b[i] : "(none)");
    }
    result_clear(&r);
    tu_rmtree(dir);
    g_free(dir);
}

/* sys:run drives the engine from C: a script that rebinds the global
 * sim.run (which sys:run called before, and then looped for ever on a
 * function that never advanced the clock) runs the same system to the same
 * digest.  And a --until shorter than the system's build (quickstart's
 * build takes more than 100 us: it starts at the first 1 ms boundary after
 * it, docs/scenarios.md) is an error with the scenario's line, exit 2,
 * not a hang (issue 19, item 4). */
static void test_sys_run_from_c(void **state)
{
    (void)state;
    char *dir = tmpdir();
    const char *body = "local m = machine{ preset = 'x86_64', cores = 1 }\n"
                       "local sys = system{ machine = m }\n"
                       "sys:task{ name = 'a', priority = 1, period = '1ms', body = { {'compute', 1000} } }\n";
    g_autofree char *plain = g_build_filename(dir, "plain.lua", NULL);
    g_autofree char *rebound = g_build_filename(dir, "rebound.lua", NULL);
    g_autofree char *t1 = g_strdup_printf("%ssys:run('5ms')\n", body);
    g_autofree char *t2 = g_strdup_printf("%ssim.run = function() end\nsim = nil\nsys:run('5ms')\n", body);
    assert_true(g_file_set_contents(plain, t1, -1, NULL));
    assert_true(g_file_set_contents(rebound, t2, -1, NULL));
    result a = run_in(dir, cossim, "run", plain, "--trace", "jobs_a.db", NULL);
    result b = run_in(dir, cossim, "run", rebound, "--trace", "jobs_b.db", NULL);
    expect_status(&a, 0);
    expect_status(&b, 0);
    /* the digests differ (the script's text is in the run table): compare
     * the jobs each run recorded */
    sqlite3 *da, *db;
    g_autofree char *pa = g_build_filename(dir, "jobs_a.db", NULL), *pb = g_build_filename(dir, "jobs_b.db", NULL);
    assert_int_equal(sqlite3_open(pa, &da), SQLITE_OK);
    assert_int_equal(sqlite3_open(pb, &db), SQLITE_OK);
    const char *q = "SELECT count(*), sum(finish_ps), sum(release_ps) FROM jobs";
    sqlite3_stmt *sa, *sb;
    assert_int_equal(sqlite3_prepare_v2(da, q, -1, &sa, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, q, -1, &sb, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(sa), SQLITE_ROW);
    assert_int_equal(sqlite3_step(sb), SQLITE_ROW);
    assert_true(sqlite3_column_int64(sa, 0) >= 4);      /* 5 ms of 1 ms jobs, from the first boundary */
    for (int i = 0; i < 3; i++)
        assert_int_equal(sqlite3_column_int64(sa, i), sqlite3_column_int64(sb, i));
    sqlite3_finalize(sa);
    sqlite3_finalize(sb);
    sqlite3_close(da);
    sqlite3_close(db);
    result_clear(&a);
    result_clear(&b);
    result c = run_in(dir, cossim, "run", plain, "--until", "100us", "--trace", "none", NULL);
    expect_status(&c, 2);
    assert_non_null(strstr(c.err, "plain.lua:4: sys:run: the run's time ended at 100"));
    result_clear(&c);
    tu_rmtree(dir);
    g_free(dir);
}

/* docs/components.md's tutorial quotes the code that is built: every
 * ```c block of it appears, as is, in a source file under components/. */
static void test_docs_code_is_built(void **state)
{
    (void)state;
    g_autofree char *doc = g_build_filename(g_getenv("COSSIM_DOCS"), "components.md", NULL);
    g_autofree char *text = NULL;
    assert_true(g_file_get_contents(doc, &text, NULL, NULL));
    /* every C file of components/, concatenated */
    GString *all = g_string_new(NULL);
    g_autofree char *root = g_build_filename(g_getenv("COSSIM_SOURCE_ROOT"), "components", NULL);
    GPtrArray *dirs = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(dirs, g_strdup(root));
    for (guint d = 0; d < dirs->len; d++) {
        GDir *dir = g_dir_open(g_ptr_array_index(dirs, d), 0, NULL);
        assert_non_null(dir);
        const char *n;
        while ((n = g_dir_read_name(dir))) {
            char *p = g_build_filename(g_ptr_array_index(dirs, d), n, NULL);
            if (g_file_test(p, G_FILE_TEST_IS_DIR)) {
                g_ptr_array_add(dirs, p);
                continue;
            }
            g_autofree char *src = NULL;
            if ((g_str_has_suffix(n, ".c") || g_str_has_suffix(n, ".h")) && g_file_get_contents(p, &src, NULL, NULL))
                g_string_append(all, src);
            g_free(p);
        }
        g_dir_close(dir);
    }
    g_ptr_array_free(dirs, TRUE);
    int blocks = 0;
    for (char *p = strstr(text, "```c\n"); p; p = strstr(p, "```c\n")) {
        p += strlen("```c\n");
        char *end = strstr(p, "```");
        assert_non_null(end);
        g_autofree char *code = g_strndup(p, (gsize)(end - p));
        if (strstr(all->str, code) == NULL)
            fail_msg("docs/components.md: this block is not in any file under components/:\n%s", code);
        blocks++;
        p = end + 3;
    }
    assert_true(blocks >= 8);
    g_string_free(all, TRUE);
}

/* Issue 19, item 3: every bundled image booted on its own with no
 * description (kernel.boot{ booter = NAME }) runs without crashing: a
 * component whose booter gave it no state does nothing.  And the IPC
 * benchmark refuses more iterations than it keeps samples for (it
 * allocated 2^32 samples unchecked).  Each machine runs 1 ms. */
static void test_images_alone(void **state)
{
    (void)state;
    char *dir = tmpdir();
    g_autofree char *path = g_build_filename(dir, "alone.lua", NULL);
    const char *text =
        "for _, b in ipairs{ 'ipc-bench', 'workload', 'wl-server', 'wl-timer', 'wl-mem', 'wl-booter', 'rogue',\n"
        "                    'ipi-ratelimit' } do\n"
        "  kernel.boot{ machine = machine{ preset = 'x86_64', cores = 1 }, booter = b }\n"
        "end\n"
        "local s = kernel.boot{ machine = machine{ preset = 'x86_64', cores = 1 }, booter = 'ipc-bench', arg = 0xFFFFFFFF }\n"
        "sim.run('1ms')\n"
        "return { refused = s:report('client.error') }\n";
    assert_true(g_file_set_contents(path, text, -1, NULL));
    result r = run_in(dir, cossim, "run", "alone.lua", "--json", "--trace", "none", NULL);
    expect_status(&r, 0);
    g_autofree char *want = g_strdup_printf("\"refused\":%d", (int)COS_EINVAL);
    if (strstr(r.out, want) == NULL)
        fail_msg("the benchmark did not refuse 2^32-1 iterations with COS_EINVAL:\n%s", r.out);
    result_clear(&r);
    tu_rmtree(dir);
    g_free(dir);
}

int main(int argc, char **argv)
{
    if (!cli_args(argc, argv, 4))
        return 2;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_optimisation_levels_agree),
        cmocka_unit_test(test_mm1_against_queueing_theory),
        cmocka_unit_test(test_default_trace_name),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_interrupted_run_leaves_nothing),
        cmocka_unit_test(test_verbs),
        cmocka_unit_test(test_docs_examples_run),
        cmocka_unit_test(test_docs_code_is_built),
        cmocka_unit_test(test_compose_errors),
        cmocka_unit_test(test_names_numbered_in_order),
        cmocka_unit_test(test_unknown_keys_named_alike),
        cmocka_unit_test(test_shipped_digests),
        cmocka_unit_test(test_images_alone),
        cmocka_unit_test(test_sys_run_from_c),
        cmocka_unit_test(test_readme_output),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
