/* tests/test_plan.c: unit tests of analysis/plan.h, the plan of a sweep.
 *
 * an_plan_quote is checked by /bin/sh itself: each quoted word is handed
 * to `sh -c 'printf %s WORD'` (the word spliced in, as a plan line splices
 * it) and what sh prints must be the original bytes.  The strings hold every
 * byte 0x20..0xff (each character sh acts on: quotes, $, `, \, ;, |, &,
 * <, >, (, ), {, }, *, ?, [, ~, #, !, spaces), the payloads `$(touch X)`
 * and backquotes, and random strings drawn from those bytes; a payload
 * that got through would make X in the test's folder.  Then the cross
 * product's order (first parameter outermost, seed innermost), the
 * parsing of \, and \\ in --param, and the refusals.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "analysis/plan.h"

/* What /bin/sh makes of word (run in dir). */
static char *through_sh(const char *word, const char *dir)
{
    g_autoptr(GString) cmd = g_string_new("printf %s ");
    an_plan_quote(cmd, word);
    char *argv[] = { (char *)"/bin/sh", (char *)"-c", cmd->str, NULL };
    char *out = NULL;
    int status = 0;
    assert_true(g_spawn_sync(dir, argv, NULL, 0, NULL, NULL, &out, NULL, &status, NULL));
    assert_int_equal(status, 0);
    return out;
}

static void check_word(const char *word, const char *dir)
{
    g_autofree char *got = through_sh(word, dir);
    if (strcmp(got, word) != 0)
        fail_msg("sh read '%s' back as '%s'", word, got);
}

static void test_quote_sh(void **state)
{
    (void)state;
    g_autofree char *dir = g_dir_make_tmp("cossim-plan-XXXXXX", NULL);
    assert_non_null(dir);
    static const char *const words[] = {
        "plain", "", "two words", "it's", "''", "'", "\\", "\\'", "$(touch X)", "`touch X`", "$HOME", "${x:-y}",
        "a;touch X", "a|touch X", "a&&touch X", ">X", "<X", "*", "?", "[a]", "~", "~root", "#x", "!1", "{a,b}",
        "-n", "--set", "a=b", "%s%n", "\"dq\"", "\xc3\xa9t\xc3\xa9", "\xff\xfe",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(words); i++)
        check_word(words[i], dir);
    char all[256 - 32 + 1];
    for (int b = 32; b < 256; b++)
        all[b - 32] = (char)b;
    all[sizeof all - 1] = '\0';
    check_word(all, dir);
    /* random words over the same bytes (a fixed seed: the same words on every run) */
    GRand *rng = g_rand_new_with_seed(20261207);
    for (int n = 0; n < 200; n++) {
        char w[24];
        int len = g_rand_int_range(rng, 1, (int)sizeof w);
        for (int i = 0; i < len - 1; i++)
            w[i] = (char)g_rand_int_range(rng, 32, 256);
        w[len - 1] = '\0';
        check_word(w, dir);
    }
    g_rand_free(rng);
    g_autofree char *x = g_build_filename(dir, "X", NULL);
    assert_false(g_file_test(x, G_FILE_TEST_EXISTS));
    g_rmdir(dir);
}

static void test_quote_plain(void **state)
{
    (void)state;
    g_autoptr(GString) s = g_string_new(NULL);
    an_plan_quote(s, "/usr/bin/cossim");
    an_plan_quote(s, " ");
    an_plan_quote(s, "lock=pi");
    an_plan_quote(s, "");
    an_plan_quote(s, "it's");
    assert_string_equal(s->str, "/usr/bin/cossim' 'lock=pi'''it'\\''s'");
}

/* 2 x 3 values x 2 seeds: run r is ((i0 * 3) + i1) * 2 + (seed - 1). */
static void test_point(void **state)
{
    (void)state;
    an_plan p;
    an_plan_init(&p);
    assert_true(an_plan_add_param(&p, "a=x,y", NULL));
    assert_true(an_plan_add_param(&p, "b=1,2,3", NULL));
    p.seeds = 2;
    p.nruns = 12;
    for (uint64_t r = 0; r < p.nruns; r++) {
        uint64_t seed;
        size_t idx[2];
        an_plan_point(&p, r, &seed, idx);
        assert_int_equal(seed, r % 2 + 1);
        assert_int_equal(idx[1], (r / 2) % 3);
        assert_int_equal(idx[0], r / 6);
    }
    p.dir = g_strdup("/d");
    p.cossim = g_strdup("/bin/cossim");
    p.scenario = g_strdup("/s/q.lua");
    g_autoptr(GString) m = g_string_new(NULL);
    an_plan_manifest(&p, m);
    g_auto(GStrv) lines = g_strsplit(m->str, "\n", -1);
    assert_string_equal(lines[0], "run,seed,scenario,trace,a,b");
    assert_string_equal(lines[1], "0,1,/s/q.lua,/d/run-0000.db,x,1");
    assert_string_equal(lines[12], "11,2,/s/q.lua,/d/run-0011.db,y,3");
    g_autoptr(GString) t = g_string_new(NULL);
    an_plan_text(&p, t);
    g_auto(GStrv) cmds = g_strsplit(t->str, "\n", -1);
    assert_string_equal(cmds[3], "/bin/cossim run /s/q.lua --set a=x --set b=2 --seed 2 --trace /d/run-0003.db --json "
                                 "> /d/run-0003.json 2> /d/run-0003.log");
    assert_string_equal(cmds[12], "");
    an_plan_clear(&p);
}

static void test_param_syntax(void **state)
{
    (void)state;
    an_plan p;
    an_plan_init(&p);
    assert_true(an_plan_add_param(&p, "k=a\\,b,c\\\\,,d", NULL));
    const an_plan_param *pp = &g_array_index(p.params, an_plan_param, 0);
    assert_int_equal(pp->values->len, 4);
    assert_string_equal(pp->values->pdata[0], "a,b");
    assert_string_equal(pp->values->pdata[1], "c\\");
    assert_string_equal(pp->values->pdata[2], "");
    assert_string_equal(pp->values->pdata[3], "d");
    static const char *const bad[] = { "k=1", "novalue", "=1", "9k=1", "a-b=1", "seed=1", "run=1", "trace=1",
                                       "scenario=1", "n=1,1", "n=a\nb", "n=a\rb", "n=a\tb", "n=\x7f" };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        GError *err = NULL;
        if (an_plan_add_param(&p, bad[i], &err))
            fail_msg("--param '%s' was taken", bad[i]);
        assert_non_null(err);
        g_error_free(err);
    }
    an_plan_clear(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quote_sh),
        cmocka_unit_test(test_quote_plain),
        cmocka_unit_test(test_point),
        cmocka_unit_test(test_param_syntax),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
