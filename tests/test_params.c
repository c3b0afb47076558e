/* tests/test_params.c: a scenario's parameters through the command line
 * (sim/lua_params.c, docs/scenarios.md "params" and "sim.params"):
 * `cossim run SCENARIO --help` lists them and runs nothing; a --set key a
 * scenario does not declare, or never reads, is an error (exit 2) that
 * names it; a value of another type than its default is an error.  And
 * the progress line a run shows on a terminal. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "cli_util.h"

static void expect_in(const char *what, const char *text, const char *needle)
{
    if (text == NULL || strstr(text, needle) == NULL)
        fail_msg("%s: no '%s' in:\n%s", what, needle, text ? text : "(null)");
}

static result run_script(const char *dir, const char *name, const char *text, const char *a1, const char *a2)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    assert_true(g_file_set_contents(path, text, -1, NULL));
    return run_in(dir, cossim, "run", name, "--trace", "none", a1, a2, NULL);
}

/* --help lists the declaration (every key, its default, its description)
 * and neither runs the scenario nor writes a trace. */
static void test_help_lists_and_runs_nothing(void **state)
{
    (void)state;
    char *dir = tmpdir();
    result r = run_in(dir, cossim, "run", "quickstart", "--help", NULL);
    expect_status(&r, 0);
    expect_in("quickstart --help", r.out, "lock");
    expect_in("quickstart --help", r.out, "pi");
    expect_in("quickstart --help", r.out, "span");
    expect_in("quickstart --help", r.out, "100ms");
    expect_in("quickstart --help", r.out, "machine preset");
    assert_null(strstr(r.out, "digest"));          /* nothing ran */
    result_clear(&r);
    g_autofree char *db = g_build_filename(dir, "quickstart.db", NULL);
    assert_false(g_file_test(db, G_FILE_TEST_EXISTS));
    /* the verb's own help stays the verb's */
    r = run_in(dir, cossim, "run", "--help", NULL);
    expect_status(&r, 0);
    expect_in("run --help", r.out, "--set");
    result_clear(&r);
    /* a script that declares nothing: stopped at its first run, what it read listed */
    r = run_script(dir, "plain.lua", "local a = params.alpha or 1\nsim.run('1ms')\nprint('RAN')\n", "--help", NULL);
    expect_status(&r, 0);
    expect_in("plain --help", r.out, "declares no parameters");
    expect_in("plain --help", r.out, "alpha");
    assert_null(strstr(r.out, "RAN"));
    result_clear(&r);
    tu_rmtree(dir);
    g_free(dir);
}

/* An undeclared key is an error at the declaration's line, naming the
 * declared ones; a time given without its unit is refused. */
static void test_declared_keys_only(void **state)
{
    (void)state;
    char *dir = tmpdir();
    result r = run_in(dir, cossim, "run", "quickstart", "--trace", "none", "--set", "spam=10ms", NULL);
    expect_status(&r, 2);
    expect_in("--set spam", r.err, "quickstart.lua:");
    expect_in("--set spam", r.err, "--set spam: the scenario declares no parameter 'spam'");
    expect_in("--set spam", r.err, "lock, preset, span");
    result_clear(&r);
    r = run_in(dir, cossim, "run", "quickstart", "--trace", "none", "--set", "span=10", NULL);
    expect_status(&r, 2);
    expect_in("--set span=10", r.err, "needs its unit");
    result_clear(&r);
    /* the declared value arrives, typed */
    const char *script = "local p = sim.params{ n = { 3, 'how many' }, name = { 'x', 'a name' }, on = { false, 'a flag' } }\n"
                         "print('N', p.n + 1, 'NAME', p.name, 'ON', tostring(p.on))\n";
    r = run_script(dir, "decl.lua", script, "--set", "n=41");
    expect_status(&r, 0);
    expect_in("decl n=41", r.out, "N\t42\tNAME\tx\tON\tfalse");
    result_clear(&r);
    r = run_script(dir, "decl.lua", script, "--set", "on=true");
    expect_status(&r, 0);
    expect_in("decl on=true", r.out, "N\t4\tNAME\tx\tON\ttrue");
    result_clear(&r);
    r = run_script(dir, "decl.lua", script, "--set", "n=many");
    expect_status(&r, 2);
    expect_in("decl n=many", r.err, "'n' is a number like its default 3");
    result_clear(&r);
    tu_rmtree(dir);
    g_free(dir);
}

/* Without a declaration: a --set key the script never read is an error
 * after the run; one it read (directly or through pairs) is not. */
static void test_unread_keys(void **state)
{
    (void)state;
    char *dir = tmpdir();
    result r = run_script(dir, "reads.lua", "print('A', params.a)\n", "--set", "b=1");
    expect_status(&r, 2);
    expect_in("--set b", r.err, "--set b: the scenario never read it");
    result_clear(&r);
    r = run_script(dir, "reads.lua", "print('A', params.a)\n", "--set", "a=7");
    expect_status(&r, 0);
    expect_in("--set a", r.out, "A\t7");
    result_clear(&r);
    r = run_script(dir, "pairs.lua", "for k, v in pairs(params) do print(k, v) end\n", "--set", "zz=5");
    expect_status(&r, 0);
    expect_in("pairs", r.out, "zz\t5");
    result_clear(&r);
    tu_rmtree(dir);
    g_free(dir);
}

/* On a terminal (script(1) gives the run one), the progress line is
 * cleared before the script's own output, its times have three decimals,
 * and NO_COLOR drops the escape sequences.  Skipped without script(1).
 * The line first shows after 200 ms of host time, so the run is made
 * long enough (~1 s optimised; 10 s simulated took 0.2 s on CI and showed
 * no line at all). */
static void test_progress_line(void **state)
{
    (void)state;
    if (!g_file_test("/usr/bin/script", G_FILE_TEST_IS_EXECUTABLE))
        skip();
    char *dir = tmpdir();
    g_autofree char *cmd = g_strdup_printf("%s run many-tasks --trace none --set span=40s", cossim);
    for (int plain = 0; plain < 2; plain++) {
        g_autofree char *sh = g_strdup_printf("%sscript -qec '%s' /dev/null", plain ? "NO_COLOR=1 " : "NO_COLOR= ",
                                              cmd);
        result r = run_in(dir, "/bin/sh", "-c", sh, NULL);
        expect_status(&r, 0);
        expect_in("progress", r.out, "cossim: ");
        /* the run's end: 40 s after the start, which the boot puts at a
         * whole millisecond (1 or 2 ms, as the presets' figures have it) */
        expect_in("progress", r.out, " s of 40.00");
        if (plain)
            assert_null(strstr(r.out, "\033["));
        else   /* the script's line comes on a cleared line */
            expect_in("progress", r.out, "\r\033[K100 tasks");
        result_clear(&r);
    }
    tu_rmtree(dir);
    g_free(dir);
}

/* machine{ preset = "FILE.lua" }: a user's preset file, read from the
 * scenario's folder and validated like the bundled ones.  The copy of
 * x86_64 here says 6 cores at 3.2 GHz (an i7-8700's core count), so
 * m:info() gives 6; the run is the same, digest and all, from any working
 * folder; a path outside the scenario's folder is refused. */
static void test_user_preset_file(void **state)
{
    (void)state;
    char *dir = tmpdir();
    g_autofree char *src = g_build_filename(g_getenv("COSSIM_SOURCE_ROOT"), "model", "presets", "x86_64.lua", NULL);
    g_autofree char *text = NULL;
    assert_true(g_file_get_contents(src, &text, NULL, NULL));
    char *at = strstr(text, "  cores = 4,");
    assert_non_null(at);
    memcpy(at, "  cores = 6,", 12);
    g_autofree char *sub = g_build_filename(dir, "machines", NULL);
    assert_int_equal(g_mkdir(sub, 0755), 0);
    g_autofree char *mine = g_build_filename(sub, "six.lua", NULL);
    assert_true(g_file_set_contents(mine, text, -1, NULL));
    const char *script = "local m = machine{ preset = 'machines/six.lua' }\nprint('CORES', m:info().cores)\n";
    result a = run_script(dir, "six.lua", script, NULL, NULL);
    expect_status(&a, 0);
    expect_in("preset file", a.out, "CORES\t6");
    g_autofree char *path = g_build_filename(dir, "six.lua", NULL);
    result b = run_in("/", cossim, "run", path, "--trace", "none", NULL);      /* another working folder */
    expect_status(&b, 0);
    g_autofree char *da = digest_of(&a), *db = digest_of(&b);
    assert_string_equal(da, db);
    result_clear(&a);
    result_clear(&b);
    /* a broken copy: the loader's own message, naming the key */
    memcpy(strstr(text, "  cores = 6,"), "  cores = 0,", 12);
    assert_true(g_file_set_contents(mine, text, -1, NULL));
    a = run_script(dir, "six.lua", script, NULL, NULL);
    expect_status(&a, 2);
    expect_in("cores = 0", a.err, "cores");
    result_clear(&a);
    static const char *const outside[] = { "/etc/hostname.lua", "../six.lua", "machines/../six.lua", "a b.lua" };
    for (size_t i = 0; i < G_N_ELEMENTS(outside); i++) {
        g_autofree char *bad = g_strdup_printf("machine{ preset = '%s' }\n", outside[i]);
        a = run_script(dir, "bad.lua", bad, NULL, NULL);
        expect_status(&a, 2);
        expect_in(outside[i], a.err, "a path inside the scenario's folder");
        result_clear(&a);
    }
    tu_rmtree(dir);
    g_free(dir);
}

/* m:counters() returns every column of the trace's counters row (but the
 * row's id, time and core): the trace's own schema is the list. */
static void test_counters_fields_match_the_table(void **state)
{
    (void)state;
    char *dir = tmpdir();
    const char *script = "local m = machine{ preset = 'x86_64' }\nlocal c = m:counters()\n"
                         "local ks = {}\nfor k in pairs(c[1]) do ks[#ks + 1] = k end\ntable.sort(ks)\n"
                         "print('FIELDS ' .. table.concat(ks, ' '))\n";
    g_autofree char *path = g_build_filename(dir, "c.lua", NULL);
    assert_true(g_file_set_contents(path, script, -1, NULL));
    result r = run_in(dir, cossim, "run", "c.lua", "--trace", "c.db", NULL);
    expect_status(&r, 0);
    g_autofree char *db = g_build_filename(dir, "c.db", NULL);
    sqlite3 *h = NULL;
    assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(h, "SELECT name FROM pragma_table_info('counters') ORDER BY name", -1, &st,
                                        NULL), SQLITE_OK);
    int cols = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *col = (const char *)sqlite3_column_text(st, 0);
        if (strcmp(col, "id") == 0 || strcmp(col, "time_ps") == 0 || strcmp(col, "core") == 0)
            continue;
        g_autofree char *word = g_strdup_printf(" %s", col);
        if (strstr(r.out, word) == NULL)
            fail_msg("m:counters() lacks the counters column '%s':\n%s", col, r.out);
        cols++;
    }
    sqlite3_finalize(st);
    sqlite3_close(h);
    assert_true(cols >= 24);        /* the table's 27 columns less id, time_ps and core (trace-schema.md) */
    result_clear(&r);
    tu_rmtree(dir);
    g_free(dir);
}

int main(int argc, char **argv)
{
    if (!cli_args(argc, argv, 2))
        return 2;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_help_lists_and_runs_nothing),
        cmocka_unit_test(test_declared_keys_only),
        cmocka_unit_test(test_unread_keys),
        cmocka_unit_test(test_progress_line),
        cmocka_unit_test(test_user_preset_file),
        cmocka_unit_test(test_counters_fields_match_the_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
