/* tests/test_gnuplot.c: unit tests of analysis/gnuplot.h, the one place
 * where outside text becomes gnuplot program text.
 *
 * an_gp_string is checked twice, independently: by a decoder written here
 * from gnuplot's documented string syntax (the literal may hold nothing but
 * letters, spaces and \ooo escapes), and by gnuplot itself, which prints
 * each literal back into a file that must hold the original bytes.  The
 * strings carry every character gnuplot's reader acts on: quotes, the
 * backslash, newline, carriage return, the backquote (command
 * substitution), `@` (macros), `;`, `#`, `$`, `%`, and digits right after
 * an escape (gnuplot reads up to four digits after "\0").  A payload that
 * got through would run `touch X` in the test's folder.
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

#include "analysis/gnuplot.h"
#include "testutil.h"

/* Every byte 1..255 once, in order. */
static char *all_bytes(void)
{
    char *s = g_malloc(256);
    for (int i = 1; i < 256; i++)
        s[i - 1] = (char)i;
    s[255] = '\0';
    return s;
}

static const char *const hostile[] = {
    "a\nsystem 'touch X'\n",
    "e`touch X`f",
    "x\nEOD\nsystem 'touch X'\n",
    "q\" . system(\"touch X\") . \"",
    "r' . system('touch X') . '",
    "s\\\" . system(\"touch X\") . \"",
    "c\r\nsystem 'touch X'\r\n",
    "m@M;n$0 {b}^c_d&e~f <g> 100%s%n #comment",
    "1.000 to 5.000 ms, $0, \0017, \0100",
    "@", "`", "\\", "\\n", "'", "\"", ";", "#", "$1", "%",
    "",
};

/* The literal: a quote, then letters, spaces and three-digit octal
 * escapes, then a quote; decoded here into the bytes it stands for. */
static char *decode_literal(const char *lit)
{
    size_t n = strlen(lit);
    if (n < 2 || lit[0] != '"' || lit[n - 1] != '"')
        fail_msg("not a double-quoted literal: %s", lit);
    GString *out = g_string_new(NULL);
    for (size_t i = 1; i < n - 1; i++) {
        char c = lit[i];
        if (g_ascii_isalpha(c) || c == ' ') {
            g_string_append_c(out, c);
        } else if (c == '\\' && i + 3 < n && strspn(lit + i + 1, "01234567") >= 3 && lit[i + 1] <= '3') {
            g_string_append_c(out, (char)((lit[i + 1] - '0') * 64 + (lit[i + 2] - '0') * 8 + (lit[i + 3] - '0')));
            i += 3;
        } else {
            fail_msg("raw character 0x%02x at %zu of %s", (unsigned char)c, i, lit);
        }
    }
    return g_string_free(out, FALSE);
}

static void expect_round_trip(const char *s)
{
    g_autoptr(GString) lit = g_string_new(NULL);
    an_gp_string(lit, s);
    g_autofree char *back = decode_literal(lit->str);
    if (strcmp(back, s) != 0)
        fail_msg("%s decodes to a different string", lit->str);
}

static void test_string_syntax(void **state)
{
    (void)state;
    for (size_t i = 0; i < G_N_ELEMENTS(hostile); i++)
        expect_round_trip(hostile[i]);
    g_autofree char *all = all_bytes();
    expect_round_trip(all);
    /* by hand: letters and spaces stay, the rest is octal */
    g_autoptr(GString) lit = g_string_new(NULL);
    an_gp_string(lit, "a b'1");
    assert_string_equal(lit->str, "\"a b\\047\\061\"");
}

/* gnuplot reads the literals: `set print` (itself given as a literal, the
 * file name having a quote, a backquote and a newline) then `print` of
 * each string; the file must hold each string and a newline, and no
 * command may have run. */
static void test_string_through_gnuplot(void **state)
{
    (void)state;
    g_autofree char *gnuplot = g_find_program_in_path("gnuplot");
    if (gnuplot == NULL)
        skip();
    char *dir = g_dir_make_tmp("cossim-gp-XXXXXX", NULL);
    assert_non_null(dir);
    g_autofree char *printed = g_build_filename(dir, "p'`touch X`\n\".txt", NULL);
    g_autofree char *prog_path = g_build_filename(dir, "prog.gp", NULL);
    g_autofree char *all = all_bytes();
    GString *prog = g_string_new("set print ");
    GString *want = g_string_new(NULL);
    an_gp_string(prog, printed);
    g_string_append_c(prog, '\n');
    for (size_t i = 0; i <= G_N_ELEMENTS(hostile); i++) {
        const char *s = i < G_N_ELEMENTS(hostile) ? hostile[i] : all;
        g_string_append(prog, "print ");
        an_gp_string(prog, s);
        g_string_append_c(prog, '\n');
        g_string_append_printf(want, "%s\n", s);
    }
    g_string_append(prog, "unset print\n");
    assert_true(g_file_set_contents(prog_path, prog->str, (gssize)prog->len, NULL));
    char *argv[] = { gnuplot, "-d", prog_path, NULL };
    g_autofree char *err = NULL;
    int status = 0;
    assert_true(g_spawn_sync(dir, argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err, &status, NULL));
    if (!g_spawn_check_wait_status(status, NULL))
        fail_msg("gnuplot failed: %s", err);
    g_autofree char *got = NULL;
    gsize len = 0;
    assert_true(g_file_get_contents(printed, &got, &len, NULL));
    assert_int_equal(len, want->len);
    assert_memory_equal(got, want->str, len);
    g_autofree char *x = g_build_filename(dir, "X", NULL);
    assert_false(g_file_test(x, G_FILE_TEST_EXISTS));
    g_string_free(prog, TRUE);
    g_string_free(want, TRUE);
    tu_rmtree(dir);
    g_free(dir);
}

/* What a reader sees, by hand: printable characters as they are, control
 * characters and invisible ones as a Lua scenario would write them. */
static void test_visible(void **state)
{
    (void)state;
    static const struct { const char *in, *out; } cases[] = {
        { "plain name_1", "plain name_1" },
        { "a\nb\r\tc", "a\\nb\\r\\tc" },
        { "\x01\x1f\x7f", "\\x01\\x1f\\x7f" },
        { "back\\slash `q` 'x' \"y\" @z ;$#%{}^_&~", "back\\slash `q` 'x' \"y\" @z ;$#%{}^_&~" },
        { "caf\xc3\xa9 \xce\xbcs", "caf\xc3\xa9 \xce\xbcs" },                  /* UTF-8 stays */
        { "bad \xff end \xc3", "bad \\xff end \\xc3" },                         /* not UTF-8 */
        { "\xc0\xaf", "\\xc0\\xaf" },                                          /* overlong '/' */
        { "rl\xe2\x80\xaeo", "rl\\u{202E}o" },                                 /* right-to-left override */
        { "zero\xe2\x80\x8bwidth", "zero\\u{200B}width" },
        { "line\xe2\x80\xa8sep", "line\\u{2028}sep" },
        { "nel\xc2\x85", "nel\\u{0085}" },                                      /* a C1 control */
        { "", "" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *v = an_gp_visible(cases[i].in);
        if (strcmp(v, cases[i].out) != 0)
            fail_msg("case %zu: [%s], expected [%s]", i, v, cases[i].out);
    }
}

static void test_terminal(void **state)
{
    (void)state;
    static const char *const figures[] = { "f.png", "f.svg", "f.pdf", "a'b\n|c.png" };
    for (size_t i = 0; i < G_N_ELEMENTS(figures); i++) {
        const char *t = an_gp_terminal(figures[i]);
        assert_non_null(t);
        assert_non_null(strstr(t, "noenhanced"));     /* {}^_@&~ are not markup */
    }
    assert_null(an_gp_terminal("f.db"));
    assert_null(an_gp_terminal("f.png.txt"));
    assert_null(an_gp_terminal("png"));
}

static void data_with_a_word(void)
{
    an_gp *g = an_gp_new("f.png");
    an_gp_data(g, "d", "1 2\nEOD\n");
}

static void data_without_newline(void)
{
    an_gp *g = an_gp_new("f.png");
    an_gp_data(g, "d", "1 2");
}

/* Data blocks hold numbers: anything else is a programming error. */
static void test_data_numbers_only(void **state)
{
    (void)state;
    an_gp *g = an_gp_new("f.svg");
    an_gp_data(g, "ok_1", "1.5 -2 3e+07 0x0072B2\n");
    assert_non_null(strstr(an_gp_text(g)->str, "$ok_1 << EOD\n1.5 -2 3e+07 0x0072B2\nEOD\n"));
    an_gp_free(g);
    char buf[64];
    assert_string_equal(tu_run_child(data_with_a_word, buf, sizeof buf), "killed by Aborted");
    assert_string_equal(tu_run_child(data_without_newline, buf, sizeof buf), "killed by Aborted");
}

/* an_gp_run: a figure under any file name; gnuplot's errors (exit 1) and
 * a name that cannot be written (exit 2) leave no file. */
static void test_run(void **state)
{
    (void)state;
    g_autofree char *gnuplot = g_find_program_in_path("gnuplot");
    if (gnuplot == NULL)
        skip();
    char *dir = g_dir_make_tmp("cossim-gp-XXXXXX", NULL);
    assert_non_null(dir);
    g_autofree char *out = g_build_filename(dir, "|touch X #'\n.svg", NULL);
    an_gp *g = an_gp_new(out);
    g_string_append(an_gp_text(g), "set title ");
    an_gp_ref(g, "t`touch X`\n");
    g_string_append(an_gp_text(g), "\nplot x title ");
    an_gp_ref(g, "k@k;%s");
    g_string_append_c(an_gp_text(g), '\n');
    assert_int_equal(an_gp_run(g, out), 0);
    g_autofree char *svg = NULL;
    assert_true(g_file_get_contents(out, &svg, NULL, NULL));
    assert_non_null(strstr(svg, "<text>t`touch X`\\n</text>"));
    assert_non_null(strstr(svg, "<text>k@k;%s</text>"));
    g_autofree char *x = g_build_filename(dir, "X", NULL);
    assert_false(g_file_test(x, G_FILE_TEST_EXISTS));

    g_autofree char *bad = g_build_filename(dir, "bad.png", NULL);
    g = an_gp_new(bad);
    g_string_append(an_gp_text(g), "plot x\nno such command\n");
    assert_int_equal(an_gp_run(g, bad), 1);
    assert_false(g_file_test(bad, G_FILE_TEST_EXISTS));

    g_autofree char *nowhere = g_build_filename(dir, "no", "such.pdf", NULL);
    g = an_gp_new(nowhere);
    g_string_append(an_gp_text(g), "plot x\n");
    assert_int_equal(an_gp_run(g, nowhere), 2);
    g_autofree char *no = g_build_filename(dir, "no", NULL);
    assert_false(g_file_test(no, G_FILE_TEST_EXISTS));
    tu_rmtree(dir);
    g_free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_string_syntax),
        cmocka_unit_test(test_string_through_gnuplot),
        cmocka_unit_test(test_visible),
        cmocka_unit_test(test_terminal),
        cmocka_unit_test(test_data_numbers_only),
        cmocka_unit_test(test_run),
    };
    return cmocka_run_group_tests_name("gnuplot", tests, NULL, NULL);
}
