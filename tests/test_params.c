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
 * and NO_COLOR drops the escape sequences.  Skipped without script(1). */
static void test_progress_line(void **state)
{
    (void)state;
    if (!g_file_test("/usr/bin/script", G_FILE_TEST_IS_EXECUTABLE))
        skip();
    char *dir = tmpdir();
    g_autofree char *cmd = g_strdup_printf("%s run many-tasks --trace none --set span=10s", cossim);
    for (int plain = 0; plain < 2; plain++) {
        g_autofree char *sh = g_strdup_printf("%sscript -qec '%s' /dev/null", plain ? "NO_COLOR=1 " : "NO_COLOR= ",
                                              cmd);
        result r = run_in(dir, "/bin/sh", "-c", sh, NULL);
        expect_status(&r, 0);
        expect_in("progress", r.out, "cossim: ");
        expect_in("progress", r.out, " s of 10.001 s (");          /* the run's end: 10 s + its last 1 ms */
        if (plain)
            assert_null(strstr(r.out, "\033["));
        else   /* the script's line comes on a cleared line */
            expect_in("progress", r.out, "\r\033[K100 tasks");
        result_clear(&r);
    }
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
