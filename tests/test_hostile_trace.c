/* tests/test_hostile_trace.c: traces and bounds files nobody can trust
 * (issue 19, items 3, 4 and 5), through `cossim analyze`, `plot` and
 * `check`, end to end (suite: scenario).  argv: the cossim binary.
 *
 * One real trace (quickstart) is made once; each case edits a copy with one
 * SQL statement, as anyone can, and every reader must then answer with an
 * error (exit 2, the table named), never a signal or a loop.  Each of these
 * edits crashed (SIGSEGV) or hung a reader before issue 19. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "cli_util.h"

static char *made_dir, *made_trace;

static int make_trace(void **state)
{
    (void)state;
    made_dir = tmpdir();
    result r = run_in(made_dir, cossim, "run", "quickstart", "--trace", "q.db", NULL);
    expect_status(&r, 0);
    result_clear(&r);
    made_trace = g_build_filename(made_dir, "q.db", NULL);
    return 0;
}

static int drop_trace(void **state)
{
    (void)state;
    tu_rmtree(made_dir);
    g_free(made_dir);
    g_free(made_trace);
    return 0;
}

/* A copy of the made trace in a fresh folder, edited by sql. */
static char *edited(const char *sql, char **dir)
{
    *dir = tmpdir();
    char *path = g_build_filename(*dir, "x.db", NULL);
    g_autofree char *bytes = NULL;
    gsize len = 0;
    assert_true(g_file_get_contents(made_trace, &bytes, &len, NULL));
    assert_true(g_file_set_contents(path, bytes, (gssize)len, NULL));
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg);
    sqlite3_close(db);
    return path;
}

/* Every reader of a trace on the edited copy: an error naming `want`, exit
 * 2, within the test's time (a loop would time the test out). */
static void all_readers_refuse(const char *sql, const char *want)
{
    char *dir;
    g_autofree char *path = edited(sql, &dir);
    g_autofree char *bounds = g_build_filename(dir, "b.lua", NULL);
    assert_true(g_file_set_contents(bounds, "return { misses = 0 }\n", -1, NULL));
    static const char *const verbs[][4] = {
        { "analyze", "x.db", NULL, NULL },
        { "analyze", "x.db", "--json", NULL },
        { "analyze", "x.db", "--jobs", "-" },
        { "plot", "gantt", "x.db", NULL },
        { "plot", "response", "x.db", NULL },
        { "plot", "breakdown", "x.db", NULL },
        { "check", "x.db", "b.lua", NULL },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(verbs); i++) {
        result r = run_in(dir, cossim, verbs[i][0], verbs[i][1], verbs[i][2], verbs[i][3], NULL);
        if (r.status != 2 || strstr(r.err, want) == NULL || strstr(r.err, "runtime error"))
            fail_msg("%s: cossim %s %s %s: exit %d (expected 2 naming '%s')\nstderr: %s", sql, verbs[i][0],
                     verbs[i][1], verbs[i][2] ? verbs[i][2] : "", r.status, want, r.err);
        result_clear(&r);
    }
    tu_rmtree(dir);
    g_free(dir);
}

/* finish_ps = 0 puts every job before its release: the readers skipped
 * such jobs while the tasks' counts (SQL) kept them, and the JSON printer
 * read the worst job at index -1 (SIGSEGV). */
static void test_finish_before_release(void **state)
{
    (void)state;
    all_readers_refuse("UPDATE jobs SET finish_ps = 0", "the jobs table");
}

/* counters.core = -1 indexed the per-core timelines at -1 (SIGSEGV). */
static void test_negative_core(void **state)
{
    (void)state;
    all_readers_refuse("UPDATE counters SET core = -1", "the counters table");
    all_readers_refuse("UPDATE jobs SET core = 5000", "the jobs table");
    all_readers_refuse("UPDATE events SET core = 99999 WHERE id = (SELECT min(e.id) FROM events e JOIN event_kinds k "
                       "ON k.id = e.kind WHERE k.name = 'k.switch')", "the events table");
    all_readers_refuse("UPDATE kernel_paths SET first_core = -7", "the kernel_paths table");
}

/* A task number of 2^40 passed a check done in 32 bits ((guint)2^40 is 0)
 * and was then used as a 64-bit index (SIGSEGV in analyze and plot). */
static void test_huge_task_number(void **state)
{
    (void)state;
    all_readers_refuse("UPDATE jobs SET task = 1099511627776", "the jobs table");
    all_readers_refuse("UPDATE jobs SET task = -1 WHERE id = 1", "the jobs table");
}

/* Times out of order or negative. */
static void test_times_out_of_order(void **state)
{
    (void)state;
    all_readers_refuse("UPDATE jobs SET start_ps = release_ps - 1 WHERE id = 2", "the jobs table");
    all_readers_refuse("UPDATE jobs SET response_ps = -7 WHERE id = 2", "a row the writer never makes");
    all_readers_refuse("UPDATE events SET time_ps = -5 WHERE id = 3", "the events table");
    all_readers_refuse("UPDATE run SET end_ps = -1", "end_ps");
    /* the engine's clock never goes back, and nothing happens after the end */
    all_readers_refuse("UPDATE events SET time_ps = 9223372036854775807 WHERE id % 7 = 0", "the events table");
    all_readers_refuse("UPDATE jobs SET finish_ps = 9223372036854775806 WHERE id = 1", "the jobs table");
}

/* Figures a trace may hold that no run reaches (cycles and counts near
 * 2^63): read, and nothing overflows (under the sanitizers, a signed
 * overflow would print "runtime error"). */
static void test_huge_figures_read(void **state)
{
    (void)state;
    static const char *const edits[] = {
        "UPDATE kernel_paths SET cycles = 9223372036854775807, n = 1, max_cycles = 9223372036854775807",
        "UPDATE counters SET freq_hz = 1, kernel_cycles = 9223372036854775807",
        "UPDATE events SET a1 = 9223372036854775807",
        "UPDATE tasks SET wcet_cycles = 9223372036854775807",
        "UPDATE tasks SET period_ps = 1, deadline_ps = 9223372036854775807",
        "UPDATE jobs SET response_ps = 9223372036854775807",
        "UPDATE run SET end_ps = 9223372036854775807",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(edits); i++) {
        char *dir;
        g_autofree char *path = edited(edits[i], &dir);
        static const char *const verbs[][4] = {
            { "analyze", "x.db", "--json", NULL },
            { "analyze", "x.db", "--jobs", "-" },
        };
        for (size_t v = 0; v < G_N_ELEMENTS(verbs); v++) {
            result r = run_in(dir, cossim, verbs[v][0], verbs[v][1], verbs[v][2], verbs[v][3], NULL);
            if (r.status > 2 || strstr(r.err, "runtime error"))
                fail_msg("%s: cossim %s %s %s: exit %d\nstderr: %s", edits[i], verbs[v][0], verbs[v][1], verbs[v][2],
                         r.status, r.err);
            result_clear(&r);
        }
        tu_rmtree(dir);
        g_free(dir);
    }
}

/* A recursive view in place of a table made every reader loop for ever;
 * views, triggers and virtual tables are refused before anything is read. */
static void test_views_and_triggers(void **state)
{
    (void)state;
    all_readers_refuse("DROP TABLE jobs; CREATE VIEW jobs AS WITH RECURSIVE r(task, job, core, thread, release_ps, "
                       "start_ps, finish_ps, deadline_ps, response_ps, missed) AS (SELECT 0, 1, 0, 1, 0, 0, 0, 0, "
                       "0, 0 UNION ALL SELECT task, job + 1, core, thread, 0, 0, 0, 0, 0, 0 FROM r) SELECT * FROM r",
                       "holds a view 'jobs'");
    all_readers_refuse("CREATE VIEW forever AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
                       "SELECT i FROM n", "holds a view 'forever'");
    all_readers_refuse("CREATE TRIGGER t AFTER INSERT ON jobs BEGIN SELECT 1; END", "holds a trigger 't'");
    /* `cossim plot counters` read counters through such a view without end
     * (before issue 19 this case ran until killed) */
    char *dir;
    g_autofree char *path = edited("DROP TABLE counters; CREATE VIEW counters AS WITH RECURSIVE r(id, core) AS "
                                   "(SELECT 1, 0 UNION ALL SELECT id + 1, 0 FROM r) SELECT id, core, 0 AS l1i_misses, "
                                   "0 AS l1d_misses, 0 AS l2_misses, 0 AS l3_misses, 0 AS peer_transfers, "
                                   "0 AS invalidations, 0 AS upgrades, 0 AS mem_reads, 0 AS writebacks, "
                                   "0 AS tlb_misses, 0 AS interrupts FROM r", &dir);
    result r = run_in(dir, cossim, "plot", "counters", "x.db", NULL);
    if (r.status != 2 || strstr(r.err, "holds a view 'counters'") == NULL)
        fail_msg("plot counters through a recursive view: exit %d, %s", r.status, r.err);
    result_clear(&r);
    tu_rmtree(dir);
    g_free(dir);
    /* a user's index runs nothing: still read */
    g_free(path);
    path = edited("CREATE INDEX jobs_by_task ON jobs(task)", &dir);
    r = run_in(dir, cossim, "analyze", "x.db", NULL);
    expect_status(&r, 0);
    result_clear(&r);
    tu_rmtree(dir);
    g_free(dir);
}

/* The made trace itself still reads (the checks refuse nothing the writer
 * makes). */
static void test_unedited_reads(void **state)
{
    (void)state;
    result r = run_in(made_dir, cossim, "analyze", "q.db", "--json", NULL);
    expect_status(&r, 0);
    result_clear(&r);
}

/* `cossim check q.db b.lua` with this bounds file: exit `status`, and
 * stderr holding `want` (NULL: anything). */
static void check_with(const char *bounds_text, int status, const char *want, const char *opt)
{
    char *dir = tmpdir();
    g_autofree char *trace = g_build_filename(dir, "q.db", NULL), *bounds = g_build_filename(dir, "b.lua", NULL);
    g_autofree char *bytes = NULL;
    gsize len = 0;
    assert_true(g_file_get_contents(made_trace, &bytes, &len, NULL));
    assert_true(g_file_set_contents(trace, bytes, (gssize)len, NULL));
    assert_true(g_file_set_contents(bounds, bounds_text, -1, NULL));
    result r = run_in(dir, cossim, "check", "q.db", "b.lua", opt, NULL);
    if (r.status != status || (want && strstr(r.err, want) == NULL))
        fail_msg("bounds file:\n%s\nexit %d (expected %d naming '%s')\nstderr: %s", bounds_text, r.status, status,
                 want ? want : "", r.err);
    result_clear(&r);
    tu_rmtree(dir);
    g_free(dir);
}

/* A bounds file whose table raises from __index: the checker read it
 * with lua_getfield outside any protected call, and Lua aborted ("PANIC:
 * unprotected error", SIGABRT).  Now read raw in protected mode: the
 * metamethod never runs, and the bounds are what the table holds. */
static void test_bounds_index_raises(void **state)
{
    (void)state;
    check_with("return setmetatable({ misses = 0 }, { __index = function() error('boom') end })\n", 0, NULL, NULL);
    check_with("return setmetatable({}, { __index = function() error('boom') end })\n", 2, "no bounds to check", NULL);
    check_with("return { tasks = setmetatable({}, { __index = function() error('boom') end, "
               "__pairs = function() error('boom') end }) }\n", 2, "no bounds to check", NULL);
}

/* A bounds file that loads mutated bytecode: it ran with the whole base
 * library (string.dump, binary load) and corrupted the heap (SIGABRT from
 * malloc, or SIGSEGV inside liblua).  Now the sandbox of scenarios: no
 * string.dump, load takes text only. */
static void test_bounds_bytecode(void **state)
{
    (void)state;
    check_with("local f = function(a, b) local t = { a, b } return t[1] + t[2] end\n"
               "local d = string.dump(f)\n"
               "for i = 30, #d do\n"
               "  for _, c in ipairs({ '\\255', '\\127', '\\0' }) do\n"
               "    local g = load(d:sub(1, i - 1) .. c .. d:sub(i + 1), 'x', 'b')\n"
               "    if g then pcall(g, 1, 2) end\n"
               "  end\n"
               "end\n"
               "return { misses = 0 }\n", 2, "b.lua:2: attempt to call a nil value (field 'dump')", NULL);
    check_with("local g, msg = load('\\27Lua\\84\\0', 'x', 'b')\nreturn { misses = g and 1 or 0 }\n", 2,
               "binary chunks are not allowed", NULL);
    check_with("local g = load('\\27Lua\\84\\0')\nreturn { misses = g and 1 or 0 }\n", 0, NULL, NULL);
}

/* Host files, and the caps: dofile and loadfile read any file of the host
 * (the error message quoted its first line), io and os were there too. */
static void test_bounds_sandboxed(void **state)
{
    (void)state;
    check_with("return { misses = #dofile('/etc/hostname') }\n", 2, "b.lua:1: attempt to call a nil value (global 'dofile')",
               NULL);
    check_with("return { misses = loadfile('/etc/passwd') and 1 or 0 }\n", 2, "(global 'loadfile')", NULL);
    check_with("return { misses = io and 1 or os and 2 or package and 3 or debug and 4 or 0 }\n", 0, NULL, NULL);
    check_with("local t = {}\nfor i = 1, 1e9 do t[i] = i end\n", 2, "b.lua:2: memory limit of 67108864 bytes", NULL);
    check_with("while true do end\n", 2, "b.lua:1: instruction limit of 100000000 exceeded", NULL);
    check_with("for i = 1, 5000 do end\nreturn { misses = 0 }\n", 2,
               "instruction limit of 1000 exceeded (a runaway loop? raise it with --lua-instructions)",
               "--lua-instructions=1000");
    /* C code that never returns to the count hook: the verb's alarm */
    check_with("return { misses = #string.find(string.rep('a', 3000), string.rep('a-', 12) .. 'b') }\n", 2,
               "cossim check: stopped: the host-time budget (--timeout) ran out", "--timeout=1");
}

/* A task set in Lua runs in the same sandbox (it had a bare state: no
 * memory cap, and lua_getfield outside protection). */
static void test_taskset_sandboxed(void **state)
{
    (void)state;
    char *dir = tmpdir();
    static const struct { const char *text, *want; } cases[] = {
        { "local s = 'x'\nfor i = 1, 40 do s = s .. s end\n", "t.lua:2: memory limit of 67108864 bytes" },
        { "return setmetatable({}, { __index = function() error('boom') end })\n", "no tasks" },
        { "return { tasks = { { name = 'a', period = '1ms', wcet = string.dump(print) } } }\n",
          "attempt to call a nil value (field 'dump')" },
        { "return dofile('/etc/hostname')\n", "(global 'dofile')" },
    };
    g_autofree char *path = g_build_filename(dir, "t.lua", NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        assert_true(g_file_set_contents(path, cases[i].text, -1, NULL));
        result r = run_in(dir, cossim, "analyze", "--taskset", "t.lua", NULL);
        if (r.status != 2 || strstr(r.err, cases[i].want) == NULL)
            fail_msg("task set:\n%s\nexit %d (expected 2 naming '%s')\nstderr: %s", cases[i].text, r.status,
                     cases[i].want, r.err);
        result_clear(&r);
    }
    tu_rmtree(dir);
    g_free(dir);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s COSSIM\n", argv[0]);
        return 2;
    }
    cossim = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unedited_reads),
        cmocka_unit_test(test_finish_before_release),
        cmocka_unit_test(test_negative_core),
        cmocka_unit_test(test_huge_task_number),
        cmocka_unit_test(test_times_out_of_order),
        cmocka_unit_test(test_huge_figures_read),
        cmocka_unit_test(test_views_and_triggers),
        cmocka_unit_test(test_bounds_index_raises),
        cmocka_unit_test(test_bounds_bytecode),
        cmocka_unit_test(test_bounds_sandboxed),
        cmocka_unit_test(test_taskset_sandboxed),
    };
    return cmocka_run_group_tests(tests, make_trace, drop_trace);
}
