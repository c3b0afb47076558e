/* analysis/plot.c: the `cossim plot` verb (see plot.h): its options, the
 * figure of a schedulability sweep's CSV, and the hand-off of a trace's
 * figures to plot_trace.c.  Both draw through gnuplot.c. */
#include "plot.h"

#include "gnuplot.h"
#include "sim/simtime.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <glib.h>

static int usage(const char *msg, const char *arg)
{
    fprintf(stderr, "cossim plot: %s%s%s\n", msg, arg ? " " : "", arg ? arg : "");
    return 2;
}

static int plot_schedulability(const char *csv_path, const char *out)
{
    g_autofree char *text = NULL;
    GError *err = NULL;
    if (!g_file_get_contents(csv_path, &text, NULL, &err)) {
        fprintf(stderr, "cossim plot: %s\n", err->message);
        g_error_free(err);
        return 2;
    }
    /* rows utilisation,test,accepted,sets,fraction -> one data block per
     * test, in order of first appearance */
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    GPtrArray *tests = g_ptr_array_new_with_free_func(g_free);
    GPtrArray *blocks = g_ptr_array_new();   /* GString *, freed by hand */
    int rows = 0;
    for (int i = 1; lines[i]; i++) {
        if (lines[i][0] == '\0')
            continue;
        g_auto(GStrv) c = g_strsplit(lines[i], ",", -1);
        if (g_strv_length(c) != 5) {
            fprintf(stderr, "cossim plot: %s:%d: expected utilisation,test,accepted,sets,fraction\n", csv_path, i + 1);
            g_ptr_array_free(tests, TRUE);
            for (guint k = 0; k < blocks->len; k++)
                g_string_free(blocks->pdata[k], TRUE);
            g_ptr_array_free(blocks, TRUE);
            return 2;
        }
        guint t;
        for (t = 0; t < tests->len && strcmp(tests->pdata[t], c[1]) != 0; t++)
            ;
        if (t == tests->len) {
            g_ptr_array_add(tests, g_strdup(c[1]));
            g_ptr_array_add(blocks, g_string_new(NULL));
        }
        g_string_append_printf(blocks->pdata[t], "%s %s\n", c[0], c[4]);
        rows++;
    }
    if (rows == 0 || !g_str_has_prefix(lines[0], "utilisation,test")) {
        g_ptr_array_free(tests, TRUE);
        for (guint k = 0; k < blocks->len; k++)
            g_string_free(blocks->pdata[k], TRUE);
        g_ptr_array_free(blocks, TRUE);
        return usage("not a schedulability CSV (from cossim analyze --sweep):", csv_path);
    }
    GString *gp = g_string_new(NULL);
    an_gp_begin(gp, out, "Schedulability of random task sets (UUniFast, log-uniform periods)");
    g_string_append(gp, "set xlabel 'Total utilisation'\nset ylabel 'Fraction of task sets accepted'\n"
                        "set yrange [0:1.05]\nset key bottom left\nset grid\n");
    for (guint t = 0; t < tests->len; t++)
        g_string_append_printf(gp, "$d%u << EOD\n%sEOD\n", t, ((GString *)blocks->pdata[t])->str);
    g_string_append(gp, "plot ");
    for (guint t = 0; t < tests->len; t++)
        g_string_append_printf(gp, "%s$d%u using 1:2 with linespoints lw 2 pt %u title '%s'", t ? ", " : "", t,
                               t + 5, (const char *)tests->pdata[t]);
    g_string_append(gp, "\n");
    for (guint k = 0; k < blocks->len; k++)
        g_string_free(blocks->pdata[k], TRUE);
    g_ptr_array_free(blocks, TRUE);
    g_ptr_array_free(tests, TRUE);
    return an_gp_run(gp, out);
}

int an_cli_plot(int argc, char **argv)
{
    char *output = NULL;
    g_autofree char *from_s = NULL, *to_s = NULL;
    gboolean mean = FALSE;
    GOptionEntry entries[] = {
        { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Figure file: .png, .svg or .pdf (default: TRACE-KIND.png, RESULT.png)", "FILE" },
        { "from", 0, 0, G_OPTION_ARG_STRING, &from_s, "Gantt: start of the window (default: the first release)", "TIME" },
        { "to", 0, 0, G_OPTION_ARG_STRING, &to_s, "Gantt: end of the window (default: 10 shortest periods on, or a longest period)", "TIME" },
        { "mean", 0, 0, G_OPTION_ARG_NONE, &mean, "Breakdown: the mean job's parts (default: each task's worst job)", NULL },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("KIND FILE - draw a figure: gantt|response|breakdown|counters TRACE.db, schedulability RESULT.csv");
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_autoptr(GError) err = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &err))
        return usage(err->message, NULL);
    if (argc != 3) {
        g_free(output);
        return usage("usage: cossim plot gantt|response|breakdown|counters TRACE.db, or schedulability RESULT.csv "
                     "[--output FILE]", NULL);
    }
    static const char *const kinds[] = { "gantt", "response", "breakdown", "counters", NULL };
    bool trace = g_strv_contains(kinds, argv[1]);
    if (!trace && strcmp(argv[1], "schedulability") != 0) {
        g_free(output);
        return usage("figures: gantt, response, breakdown, counters (of a trace) and schedulability (of a sweep); not", argv[1]);
    }
    const char *ext = trace ? ".db" : ".csv";
    g_autofree char *stem = g_str_has_suffix(argv[2], ext) ? g_strndup(argv[2], strlen(argv[2]) - strlen(ext)) : g_strdup(argv[2]);
    g_autofree char *out = output ? output : trace ? g_strconcat(stem, "-", argv[1], ".png", NULL) : g_strconcat(stem, ".png", NULL);
    if (an_gp_terminal(out) == NULL)
        return usage("--output: the figure is .png, .svg or .pdf:", out);
    if (trace) {
        sim_time_t from = 0, to = 0;
        GError *e = NULL;
        if ((from_s && !simt_parse(from_s, &from, &e)) || (to_s && !simt_parse(to_s, &to, &e))) {
            fprintf(stderr, "cossim plot: --from/--to: %s\n", e->message);
            g_error_free(e);
            return 2;
        }
        an_plot_opts o = { .from_ps = from_s ? (int64_t)from : -1, .to_ps = to_s ? (int64_t)to : -1, .mean = mean };
        return an_plot_trace(argv[1], argv[2], out, &o);
    }
    return plot_schedulability(argv[2], out);
}
