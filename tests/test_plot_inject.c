/* tests/test_plot_inject.c: hostile text through every figure of `cossim
 * plot` (issue 19, item 1; suite: scenario).  argv: the cossim binary.
 *
 * Each payload once ran a shell command through gnuplot: a task name with
 * a newline or a backquote, a scenario file name with either, a trace file
 * name with a quote (it landed in `set output '...'`), an output name
 * starting with '|' (gnuplot opens a pipe), a test name or a number of a
 * schedulability CSV; a series name, a label or a number of a series CSV.  Every command a payload carries is `touch X`: the
 * test runs in a fresh folder and checks that no X appears there.  Each
 * label must also read as given: the figures are drawn as SVG, whose text
 * elements hold the labels, and compared with the text a reader should see,
 * written by hand below (printable characters as they are; newline,
 * carriage return, tab and other control characters as the escapes a Lua
 * scenario writes them with).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>

#include <glib/gstdio.h>

#include "cli_util.h"

/* Every failure of a test, so that one run shows every payload that got
 * through, not only the first (the test fails at its end if any did). */
static GString *fails;

static void note(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static void note(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_string_append_vprintf(fails, fmt, ap);
    va_end(ap);
    g_string_append_c(fails, '\n');
}

static int fails_setup(void **state)
{
    (void)state;
    fails = g_string_new(NULL);
    return 0;
}

static int fails_check(void **state)
{
    (void)state;
    bool ok = fails->len == 0;
    if (!ok)
        fprintf(stderr, "%s", fails->str);
    g_string_free(fails, TRUE);
    return ok ? 0 : -1;
}

/* The text of every <text> element of an SVG file, tags inside it (tspan)
 * dropped and XML entities decoded. */
static GPtrArray *svg_texts(const char *path)
{
    g_autofree char *svg = NULL;
    if (!g_file_get_contents(path, &svg, NULL, NULL))
        fail_msg("no figure %s", path);
    GPtrArray *texts = g_ptr_array_new_with_free_func(g_free);
    for (const char *p = strstr(svg, "<text"); p; p = strstr(p, "<text")) {
        p = strchr(p, '>');
        const char *end = p ? strstr(p, "</text>") : NULL;
        if (end == NULL)
            fail_msg("%s: an unterminated text element", path);
        GString *t = g_string_new(NULL);
        for (const char *q = p + 1; q < end; q++) {
            if (*q == '<') {
                q = strchr(q, '>');
            } else if (*q == '&') {
                static const struct { const char *ent; char c; } ents[] = {
                    { "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' }, { "&quot;", '"' }, { "&apos;", '\'' },
                };
                size_t k;
                for (k = 0; k < G_N_ELEMENTS(ents) && strncmp(q, ents[k].ent, strlen(ents[k].ent)) != 0; k++)
                    ;
                if (k < G_N_ELEMENTS(ents)) {
                    g_string_append_c(t, ents[k].c);
                    q += strlen(ents[k].ent) - 1;
                } else if (q[1] == '#') {
                    char *e;
                    gunichar u = (gunichar)(q[2] == 'x' ? strtoul(q + 3, &e, 16) : strtoul(q + 2, &e, 10));
                    g_string_append_unichar(t, u);
                    q = e;
                } else {
                    fail_msg("%s: unknown entity at %.10s", path, q);
                }
            } else {
                g_string_append_c(t, *q);
            }
        }
        g_ptr_array_add(texts, g_string_free(t, FALSE));
        p = end;
    }
    return texts;
}

/* Some text element of the figure is want (exact), or contains it. */
static void expect_label(const char *dir, const char *figure, const char *want, bool exact)
{
    g_autofree char *path = g_build_filename(dir, figure, NULL);
    if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
        note("%s: not drawn, so no label [%s]", figure, want);
        return;
    }
    GPtrArray *texts = svg_texts(path);
    for (guint i = 0; i < texts->len; i++)
        if (exact ? strcmp(texts->pdata[i], want) == 0 : strstr(texts->pdata[i], want) != NULL) {
            g_ptr_array_free(texts, TRUE);
            return;
        }
    GString *all = g_string_new(NULL);
    for (guint i = 0; i < texts->len; i++)
        g_string_append_printf(all, "  [%s]\n", (const char *)texts->pdata[i]);
    note("%s: no label %s[%s]; its texts:\n%s", figure, exact ? "" : "containing ", want, all->str);
    g_string_free(all, TRUE);
    g_ptr_array_free(texts, TRUE);
}

/* Whether the payload's command ran (X exists); removes X for the next. */
static void expect_no_command_ran(const char *dir, const char *what)
{
    g_autofree char *x = g_build_filename(dir, "X", NULL);
    if (g_file_test(x, G_FILE_TEST_EXISTS)) {
        note("%s: the payload's command ran (X exists)", what);
        g_unlink(x);
    }
}

/* The command's exit status is want. */
static void expect_exit(result *r, int want, const char *what)
{
    if (r->status != want)
        note("%s: exit %d (expected %d), %s", what, r->status, want, r->err);
    result_clear(r);
}

/* The file exists and starts with magic. */
static void expect_figure(const char *dir, const char *name, const char *magic)
{
    g_autofree char *path = g_build_filename(dir, name, NULL), *data = NULL;
    gsize len = 0;
    if (!g_file_get_contents(path, &data, &len, NULL))
        note("no figure named [%s]", name);
    else if (len < 1000 || memcmp(data, magic, strlen(magic)) != 0)
        note("[%s]: %zu bytes, not a %s figure", name, len, magic);
}

/* One core, one task called by the Lua expression `name` (10 us every
 * millisecond, so jobs, a timeline and counters exist). */
static void write_scenario(const char *dir, const char *file, const char *name)
{
    g_autofree char *path = g_build_filename(dir, file, NULL);
    g_autofree char *text = g_strdup_printf(
        "local sys = system{ machine = machine{ preset = 'x86_64', cores = 1 }, policy = 'fp' }\n"
        "sys:task{ name = %s, priority = 1, period = '1ms', body = { {'compute', '10us'} } }\n"
        "sys:run('4ms')\n", name);
    assert_true(g_file_set_contents(path, text, -1, NULL));
}

static const char *const kinds[] = { "gantt", "response", "breakdown", "counters" };

/* Task names: a Lua literal, and the label a reader must see. */
static const struct { const char *lua, *label; } task_names[] = {
    /* a newline ended `title "...`: the next line was a command */
    { "\"a\\nsystem 'touch X'\\n\"", "a\\nsystem 'touch X'\\n" },
    /* gnuplot substitutes `...` inside double quotes */
    { "\"e`touch X`f\"", "e`touch X`f" },
    /* the breakdown's names sat in a data block: EOD ended it */
    { "\"x\\nEOD\\nsystem 'touch X'\\n\"", "x\\nEOD\\nsystem 'touch X'\\n" },
    /* quotes and a backslash before a quote, of both kinds */
    { "'q\" . system(\"touch X\") . \"'", "q\" . system(\"touch X\") . \"" },
    { "\"r' . system('touch X') . '\"", "r' . system('touch X') . '" },
    { "'s\\\\\" . system(\"touch X\") . \"'", "s\\\" . system(\"touch X\") . \"" },
    { "\"c\\r\\nsystem 'touch X'\\r\\n\"", "c\\r\\nsystem 'touch X'\\r\\n" },
    /* a macro, a command separator, a column reference, enhanced-text
     * markup and printf formats (explicit tic labels are formats): all
     * must read as given */
    { "\"m@M;n$0 {b}^c_d&e~f <g> 100%s%n\"", "m@M;n$0 {b}^c_d&e~f <g> 100%s%n" },
    /* control and invisible characters are shown, not interpreted */
    { "\"t\\tu\\1v\\u{202E}w\\x7f\"", "t\\tu\\x01v\\u{202E}w\\x7f" },
};

static void test_task_names(void **state)
{
    (void)state;
    for (size_t i = 0; i < G_N_ELEMENTS(task_names); i++) {
        char *dir = tmpdir();
        write_scenario(dir, "s.lua", task_names[i].lua);
        result r = run_in(dir, cossim, "run", "s.lua", "--trace", "t.db", NULL);
        expect_status(&r, 0);
        result_clear(&r);
        for (size_t k = 0; k < G_N_ELEMENTS(kinds); k++) {
            g_autofree char *fig = g_strdup_printf("%s.svg", kinds[k]);
            r = run_in(dir, cossim, "plot", kinds[k], "t.db", "--output", fig, NULL);
            g_autofree char *what = g_strdup_printf("task name %s, %s", task_names[i].lua, kinds[k]);
            expect_no_command_ran(dir, what);
            expect_exit(&r, 0, what);
            if (k < 3)      /* the counters figure names no task */
                expect_label(dir, fig, task_names[i].label, true);
        }
        tu_rmtree(dir);
        g_free(dir);
    }
}

/* The scenario's file name is the trace's run.scenario, in every title. */
static void test_scenario_names(void **state)
{
    (void)state;
    static const struct { const char *file, *label; } names[] = {
        { "a\nsystem 'touch X'\n.lua", "a\\nsystem 'touch X'\\n.lua" },
        { "e`touch X`f.lua", "e`touch X`f.lua" },
        { "q\"; system \"touch X\"; \".lua", "q\"; system \"touch X\"; \".lua" },
        { "r'; system 'touch X'; '.lua", "r'; system 'touch X'; '.lua" },
        { "m@M;n$0 {b}^c_d&e~f 100%s.lua", "m@M;n$0 {b}^c_d&e~f 100%s.lua" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        char *dir = tmpdir();
        write_scenario(dir, names[i].file, "'plain'");
        result r = run_in(dir, cossim, "run", names[i].file, "--trace", "t.db", NULL);
        expect_status(&r, 0);
        result_clear(&r);
        for (size_t k = 0; k < G_N_ELEMENTS(kinds); k++) {
            g_autofree char *fig = g_strdup_printf("%s.svg", kinds[k]);
            r = run_in(dir, cossim, "plot", kinds[k], "t.db", "--output", fig, NULL);
            g_autofree char *what = g_strdup_printf("scenario file %s, %s", names[i].label, kinds[k]);
            expect_no_command_ran(dir, what);
            expect_exit(&r, 0, what);
            expect_label(dir, fig, names[i].label, false);
        }
        tu_rmtree(dir);
        g_free(dir);
    }
}

/* File names: the trace's (the default output is named after it) and the
 * output's.  gnuplot never sees either, so any name a file may have works,
 * and writes a file of exactly that name; a folder that does not exist is
 * an error (exit 2) that names the file. */
static void test_file_names(void **state)
{
    (void)state;
    char *dir = tmpdir();
    write_scenario(dir, "s.lua", "'plain'");
    result r = run_in(dir, cossim, "run", "s.lua", "--trace", "t.db", NULL);
    expect_status(&r, 0);
    result_clear(&r);
    g_autofree char *t = g_build_filename(dir, "t.db", NULL), *trace = NULL;
    gsize len;
    assert_true(g_file_get_contents(t, &trace, &len, NULL));
    static const struct { const char *db, *figure; } traces[] = {
        { "p'; system 'touch X'; y '.db", "p'; system 'touch X'; y '-gantt.png" },
        { "n\n`touch X`\".db", "n\n`touch X`\"-gantt.png" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(traces); i++) {
        g_autofree char *p = g_build_filename(dir, traces[i].db, NULL);
        assert_true(g_file_set_contents(p, trace, (gssize)len, NULL));
        r = run_in(dir, cossim, "plot", "gantt", traces[i].db, NULL);
        expect_no_command_ran(dir, traces[i].db);
        expect_exit(&r, 0, traces[i].db);
        expect_figure(dir, traces[i].figure, "\x89PNG");
    }
    static const struct { const char *out, *magic; } outs[] = {
        { "|touch X #.png", "\x89PNG" },     /* a pipe, to gnuplot's set output */
        { "o'; system 'touch X'; '.svg", "<?xml" },
        { "a\nb`touch X`.pdf", "%PDF" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(outs); i++) {
        for (size_t k = 0; k < G_N_ELEMENTS(kinds); k++) {
            r = run_in(dir, cossim, "plot", kinds[k], "t.db", "--output", outs[i].out, NULL);
            expect_no_command_ran(dir, outs[i].out);
            expect_exit(&r, 0, outs[i].out);
            expect_figure(dir, outs[i].out, outs[i].magic);
        }
    }
    r = run_in(dir, cossim, "plot", "response", "t.db", "--output", "nowhere/fig.png", NULL);
    if (r.status != 2 || strstr(r.err, "nowhere/fig.png") == NULL)
        note("output in a missing folder: exit %d, %s", r.status, r.err);
    result_clear(&r);
    tu_rmtree(dir);
    g_free(dir);
}

/* cossim plot schedulability: the CSV's test names become key entries;
 * its numbers went into a data block as they were. */
static void test_schedulability_csv(void **state)
{
    (void)state;
    static const struct { const char *test, *label; } names[] = {
        { "x'.system('touch X').'", "x'.system('touch X').'" },  /* titles were in single quotes */
        { "e`touch X`f", "e`touch X`f" },
        { "q\".system(\"touch X\").\"", "q\".system(\"touch X\").\"" },
        { "c\rsystem 'touch X'\r", "c\\rsystem 'touch X'\\r" },
        { "m@M;n$0 {b}^c_d&e~f 100%s", "m@M;n$0 {b}^c_d&e~f 100%s" },
    };
    char *dir = tmpdir();
    g_autofree char *csv = g_build_filename(dir, "s.csv", NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        g_autofree char *text = g_strdup_printf("utilisation,test,accepted,sets,fraction\n"
                                                "0.1,%s,10,10,1\n0.2,%s,5,10,0.5\n", names[i].test, names[i].test);
        assert_true(g_file_set_contents(csv, text, -1, NULL));
        result r = run_in(dir, cossim, "plot", "schedulability", "s.csv", "--output", "s.svg", NULL);
        expect_no_command_ran(dir, names[i].label);
        expect_exit(&r, 0, names[i].label);
        expect_label(dir, "s.svg", names[i].label, true);
    }
    /* numbers that are not: the first ended the data block and the second
     * was then a command; refused with the line, before gnuplot runs */
    static const char *const bad[] = {
        "utilisation,test,accepted,sets,fraction\nEOD,x,1,1,1\nsystem,x,1,1,'touch X'\n",
        "utilisation,test,accepted,sets,fraction\n0.1,x,1,1,1\n0.2,x,1,1,nan\n",
        "utilisation,test,accepted,sets,fraction\n0.1,x,1,1,1\n0.2 `touch X`,x,1,1,1\n",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        assert_true(g_file_set_contents(csv, bad[i], -1, NULL));
        result r = run_in(dir, cossim, "plot", "schedulability", "s.csv", "--output", "b.svg", NULL);
        expect_no_command_ran(dir, bad[i]);
        if (r.status != 2 || strstr(r.err, "s.csv:") == NULL)
            note("CSV %zu: exit %d, %s", i, r.status, r.err);
        result_clear(&r);
    }
    tu_rmtree(dir);
    g_free(dir);
}

/* cossim plot series (the paper suite's figures): the series' names become
 * key entries and the #title, #xlabel and #ylabel lines the figure's
 * labels, all as given; numbers that are not are refused with the line. */
static void test_series_csv(void **state)
{
    (void)state;
    static const struct { const char *test, *label; } names[] = {
        { "x'.system('touch X').'", "x'.system('touch X').'" },
        { "e`touch X`f", "e`touch X`f" },
        { "q\".system(\"touch X\").\"", "q\".system(\"touch X\").\"" },
        { "c\rsystem 'touch X'\r", "c\\rsystem 'touch X'\\r" },
        { "m@M;n$0 {b}^c_d&e~f 100%s, 1", "m@M;n$0 {b}^c_d&e~f 100%s, 1" },
    };
    char *dir = tmpdir();
    g_autofree char *csv = g_build_filename(dir, "s.csv", NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        for (unsigned where = 0; where < 4; where++) {
            static const char *const keys[] = { NULL, "#title,", "#xlabel,", "#ylabel," };
            g_autofree char *text = where == 0
                ? g_strdup_printf("series,x,y\n%s,1,10\n%s,2,20\n", names[i].test, names[i].test)
                : g_strdup_printf("series,x,y\n%s%s\n#logy\nplain,1,10\nplain,2,20\n", keys[where], names[i].test);
            assert_true(g_file_set_contents(csv, text, -1, NULL));
            result r = run_in(dir, cossim, "plot", "series", "s.csv", "--output", "s.svg", NULL);
            expect_no_command_ran(dir, names[i].label);
            expect_exit(&r, 0, names[i].label);
            expect_label(dir, "s.svg", names[i].label, true);
        }
    }
    static const char *const bad[] = {
        "series,x,y\nx,EOD,1\nx,system,'touch X'\n",
        "series,x,y\nx,1,1\nx,2,nan\n",
        "series,x,y\nx,1,1\nx,2 `touch X`,1\n",
        "series,x,y\nno commas here\n",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        assert_true(g_file_set_contents(csv, bad[i], -1, NULL));
        result r = run_in(dir, cossim, "plot", "series", "s.csv", "--output", "b.svg", NULL);
        expect_no_command_ran(dir, bad[i]);
        if (r.status != 2 || strstr(r.err, "s.csv:") == NULL)
            note("series CSV %zu: exit %d, %s", i, r.status, r.err);
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
        cmocka_unit_test_setup_teardown(test_task_names, fails_setup, fails_check),
        cmocka_unit_test_setup_teardown(test_scenario_names, fails_setup, fails_check),
        cmocka_unit_test_setup_teardown(test_file_names, fails_setup, fails_check),
        cmocka_unit_test_setup_teardown(test_schedulability_csv, fails_setup, fails_check),
        cmocka_unit_test_setup_teardown(test_series_csv, fails_setup, fails_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
