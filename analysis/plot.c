/* analysis/plot.c: the `cossim plot` verb (see plot.h): its options, the
 * figure of a schedulability sweep's CSV, and the hand-off of a trace's
 * figures to plot_trace.c.  Both draw through gnuplot.c. */
#include "plot.h"

#include "gnuplot.h"
#include "merged.h"
#include "sim/simtime.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <glib.h>

static int usage(const char *msg, const char *arg)
{
    fprintf(stderr, "cossim plot: %s%s%s\n", msg, arg ? " " : "", arg ? arg : "");
    return 2;
}

/* One test's points in a schedulability CSV: "utilisation fraction" rows. */
typedef struct curve {
    char *test;
    GString *points;
} curve;

static void curve_clear(gpointer p)
{
    curve *c = p;
    g_free(c->test);
    g_string_free(c->points, TRUE);
}

/* A CSV field that is a finite number (gnuplot gets it printed again by
 * us, never the field itself: a field "EOD" would end its data block). */
static bool csv_number(const char *field, double *v)
{
    char *end = NULL;
    *v = g_ascii_strtod(field, &end);
    return end != field && *end == '\0' && isfinite(*v);
}

/* The rows utilisation,test,accepted,sets,fraction of a sweep's CSV, as
 * one curve per test in order of first appearance; false (with the file
 * and line) when it is not such a CSV. */
static bool read_curves(const char *csv_path, GArray *curves)
{
    g_autofree char *text = NULL;
    g_autoptr(GError) err = NULL;
    if (!g_file_get_contents(csv_path, &text, NULL, &err)) {
        fprintf(stderr, "cossim plot: %s\n", err->message);
        return false;
    }
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    if (!g_str_has_prefix(lines[0], "utilisation,test")) {
        usage("not a schedulability CSV (from cossim analyze --sweep):", csv_path);
        return false;
    }
    for (int i = 1; lines[i]; i++) {
        if (lines[i][0] == '\0')
            continue;
        g_auto(GStrv) c = g_strsplit(lines[i], ",", -1);
        double u, f;
        if (g_strv_length(c) != 5) {
            fprintf(stderr, "cossim plot: %s:%d: expected utilisation,test,accepted,sets,fraction\n", csv_path, i + 1);
            return false;
        }
        if (!csv_number(c[0], &u) || !csv_number(c[4], &f)) {
            fprintf(stderr, "cossim plot: %s:%d: the utilisation and the fraction must be numbers\n", csv_path, i + 1);
            return false;
        }
        guint t;
        for (t = 0; t < curves->len && strcmp(g_array_index(curves, curve, t).test, c[1]) != 0; t++)
            ;
        if (t == curves->len) {
            curve n = { g_strdup(c[1]), g_string_new(NULL) };
            g_array_append_val(curves, n);
        }
        g_string_append_printf(g_array_index(curves, curve, t).points, "%.9g %.9g\n", u, f);
    }
    if (curves->len == 0) {
        usage("not a schedulability CSV (from cossim analyze --sweep):", csv_path);
        return false;
    }
    return true;
}

/* The curves as data blocks and one line each (named by their labels),
 * then the figure made. */
static int plot_curves(an_gp *g, GArray *curves, const char *out)
{
    GString *gp = an_gp_text(g);
    for (guint t = 0; t < curves->len; t++) {
        g_autofree char *name = g_strdup_printf("d%u", t);
        an_gp_data(g, name, g_array_index(curves, curve, t).points->str);
    }
    g_string_append(gp, "plot ");
    for (guint t = 0; t < curves->len; t++)
        g_string_append_printf(gp, "%s$d%u using 1:2 with linespoints lw 2 pt %u title L[%d]", t ? ", " : "", t, t + 5,
                               an_gp_label(g, g_array_index(curves, curve, t).test));
    g_string_append(gp, "\n");
    return an_gp_run(g, out);
}

static int plot_schedulability(const char *csv_path, const char *out)
{
    g_autoptr(GArray) curves = g_array_new(FALSE, FALSE, sizeof(curve));
    g_array_set_clear_func(curves, curve_clear);
    if (!read_curves(csv_path, curves))
        return 2;
    an_gp *g = an_gp_new(out);
    GString *gp = an_gp_text(g);
    g_string_append(gp, "set title ");
    an_gp_ref(g, "Schedulability of random task sets (UUniFast, log-uniform periods)");
    g_string_append(gp, "\nset xlabel 'Total utilisation'\nset ylabel 'Fraction of task sets accepted'\n"
                        "set yrange [0:1.05]\nset key bottom left\nset grid\n");
    return plot_curves(g, curves, out);
}

/* `cossim plot series FILE.csv`: curves of y over x, one per series (the
 * paper suite's figures: scripts/papers-figures.py).  Lines: "series,x,y"
 * (the header), then "NAME,X,Y" rows; "#title,TEXT", "#xlabel,TEXT",
 * "#ylabel,TEXT" set the labels and "#logy" a log y axis.  Every name and
 * label goes to gnuplot as a label (an_gp_label), every number printed by
 * us. */
static int plot_series(const char *csv_path, const char *out)
{
    g_autofree char *text = NULL;
    g_autoptr(GError) err = NULL;
    if (!g_file_get_contents(csv_path, &text, NULL, &err)) {
        fprintf(stderr, "cossim plot: %s\n", err->message);
        return 2;
    }
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    if (!g_str_has_prefix(lines[0], "series,x,y"))
        return usage("not a series CSV (a first line series,x,y):", csv_path);
    g_autoptr(GArray) curves = g_array_new(FALSE, FALSE, sizeof(curve));
    g_array_set_clear_func(curves, curve_clear);
    const char *title = "", *xlabel = "x", *ylabel = "y";
    bool logy = false;
    for (int i = 1; lines[i]; i++) {
        const char *l = lines[i];
        if (l[0] == '\0')
            continue;
        if (g_str_has_prefix(l, "#title,"))
            title = l + strlen("#title,");
        else if (g_str_has_prefix(l, "#xlabel,"))
            xlabel = l + strlen("#xlabel,");
        else if (g_str_has_prefix(l, "#ylabel,"))
            ylabel = l + strlen("#ylabel,");
        else if (strcmp(l, "#logy") == 0)
            logy = true;
        else {
            const char *c2 = strrchr(l, ',');
            const char *c1 = c2 ? g_strrstr_len(l, c2 - l, ",") : NULL;
            double x, y;
            g_autofree char *xs = c1 ? g_strndup(c1 + 1, (gsize)(c2 - c1 - 1)) : NULL;
            if (c1 == NULL || !csv_number(xs, &x) || !csv_number(c2 + 1, &y)) {
                fprintf(stderr, "cossim plot: %s:%d: expected series,x,y (x and y numbers)\n", csv_path, i + 1);
                return 2;
            }
            g_autofree char *name = g_strndup(l, (gsize)(c1 - l));
            guint t;
            for (t = 0; t < curves->len && strcmp(g_array_index(curves, curve, t).test, name) != 0; t++)
                ;
            if (t == curves->len) {
                curve n = { g_strdup(name), g_string_new(NULL) };
                g_array_append_val(curves, n);
            }
            g_string_append_printf(g_array_index(curves, curve, t).points, "%.9g %.9g\n", x, y);
        }
    }
    if (curves->len == 0)
        return usage("no points in", csv_path);
    an_gp *g = an_gp_new(out);
    GString *gp = an_gp_text(g);
    g_string_append(gp, "set title ");
    an_gp_ref(g, title);
    g_string_append(gp, "\nset xlabel ");
    an_gp_ref(g, xlabel);
    g_string_append(gp, "\nset ylabel ");
    an_gp_ref(g, ylabel);
    g_string_append(gp, logy ? "\nset logscale y\n" : "\n");
    g_string_append(gp, "set key top left\nset grid\n");
    return plot_curves(g, curves, out);
}

int an_cli_plot(int argc, char **argv)
{
    char *output = NULL;
    g_autofree char *from_s = NULL, *to_s = NULL;
    gboolean mean = FALSE, json = FALSE;
    g_autofree char *param = NULL, *data = NULL;
    GOptionEntry entries[] = {
        { "param", 0, 0, G_OPTION_ARG_STRING, &param, "Sweep: the swept parameter on the x axis (default: the only one)", "KEY" },
        { "data", 0, 0, G_OPTION_ARG_FILENAME, &data, "Sweep: write the figure's points as CSV here too", "FILE" },
        { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Figure file: .png, .svg or .pdf (default: TRACE-KIND.png, RESULT.png)", "FILE" },
        { "from", 0, 0, G_OPTION_ARG_STRING, &from_s, "Gantt: start of the window (default: the first release)", "TIME" },
        { "to", 0, 0, G_OPTION_ARG_STRING, &to_s, "Gantt: end of the window (default: 10 shortest periods on, or a longest period)", "TIME" },
        { "mean", 0, 0, G_OPTION_ARG_NONE, &mean, "Breakdown: the mean job's parts (default: each task's worst job)", NULL },
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print {\"figure\": FILE} instead of the file's name", NULL },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("KIND FILE - draw a figure: gantt|response|breakdown|counters TRACE.db, schedulability RESULT.csv, series FIGURE.csv, sweep MERGED.db");
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_autoptr(GError) err = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &err))
        return usage(err->message, NULL);
    if (argc != 3) {
        g_free(output);
        return usage("usage: cossim plot gantt|response|breakdown|counters TRACE.db, schedulability RESULT.csv, "
                     "or sweep MERGED.db [--param KEY] [--output FILE]", NULL);
    }
    an_gp_json(json);
    static const char *const kinds[] = { "gantt", "response", "breakdown", "counters", NULL };
    bool trace = g_strv_contains(kinds, argv[1]);
    bool merged = strcmp(argv[1], "sweep") == 0;
    bool series = strcmp(argv[1], "series") == 0;
    if (!trace && !merged && !series && strcmp(argv[1], "schedulability") != 0) {
        g_free(output);
        return usage("figures: gantt, response, breakdown, counters (of a trace), schedulability (of analyze --sweep's CSV), "
                     "series (of a series,x,y CSV: the paper suite's figures) and sweep (of a results database of cossim merge); not", argv[1]);
    }
    const char *ext = trace || merged ? ".db" : ".csv";
    g_autofree char *stem = g_str_has_suffix(argv[2], ext) ? g_strndup(argv[2], strlen(argv[2]) - strlen(ext)) : g_strdup(argv[2]);
    g_autofree char *out = output ? output : trace || merged ? g_strconcat(stem, "-", argv[1], ".png", NULL) : g_strconcat(stem, ".png", NULL);
    if (an_gp_terminal(out) == NULL)
        return usage("--output: the figure is .png, .svg or .pdf:", out);
    if (merged)
        return an_merged_plot(argv[2], param, out, data);
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
    if (series)
        return plot_series(argv[2], out);
    return plot_schedulability(argv[2], out);
}
