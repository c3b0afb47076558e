/* analysis/plot.c: gnuplot figures (see plot.h).  The other figures
 * (gantt, response, breakdown, counters) need the job tables and come with
 * them. */
#include "plot.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>

static int usage(const char *msg, const char *arg)
{
    fprintf(stderr, "cossim plot: %s%s%s\n", msg, arg ? " " : "", arg ? arg : "");
    return 2;
}

/* The gnuplot terminal for an output file, by its extension. */
static const char *terminal_for(const char *path)
{
    if (g_str_has_suffix(path, ".png"))
        return "pngcairo size 900,600 font 'Sans,11'";
    if (g_str_has_suffix(path, ".svg"))
        return "svg size 900,600 font 'Sans,11'";
    if (g_str_has_suffix(path, ".pdf"))
        return "pdfcairo size 6in,4in font 'Sans,10'";
    return NULL;
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
    g_string_append_printf(gp, "set terminal %s\nset output '%s'\n", terminal_for(out), out);
    g_string_append(gp, "set title 'Schedulability of random task sets (UUniFast, log-uniform periods)'\n"
                        "set xlabel 'Total utilisation'\nset ylabel 'Fraction of task sets accepted'\n"
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

    g_autofree char *gnuplot = g_find_program_in_path("gnuplot");
    if (gnuplot == NULL) {
        g_string_free(gp, TRUE);
        return usage("gnuplot is not installed (scripts/deps.sh installs it)", NULL);
    }
    char tmpl[] = "/tmp/cossim-plot-XXXXXX.gp";
    int fd = g_mkstemp(tmpl);
    if (fd < 0 || write(fd, gp->str, gp->len) != (ssize_t)gp->len) {
        if (fd >= 0)
            close(fd);
        g_string_free(gp, TRUE);
        return usage("cannot write a temporary gnuplot script", NULL);
    }
    close(fd);
    g_string_free(gp, TRUE);
    char *argv[] = { gnuplot, tmpl, NULL };
    gint status = 0;
    g_autofree char *errout = NULL;
    bool ok = g_spawn_sync(NULL, argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &errout, &status, &err) &&
              g_spawn_check_wait_status(status, NULL);
    g_unlink(tmpl);
    if (!ok) {
        fprintf(stderr, "cossim plot: gnuplot failed: %s\n", err ? err->message : (errout ? errout : ""));
        g_clear_error(&err);
        return 1;
    }
    printf("%s\n", out);
    return 0;
}

int an_cli_plot(int argc, char **argv)
{
    char *output = NULL;
    GOptionEntry entries[] = {
        { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Figure file: .png, .svg or .pdf (default: RESULT.png)", "FILE" },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("schedulability RESULT.csv - draw a figure");
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_autoptr(GError) err = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &err))
        return usage(err->message, NULL);
    if (argc != 3)
        return usage("usage: cossim plot schedulability RESULT.csv [--output FILE]", NULL);
    if (strcmp(argv[1], "schedulability") != 0) {
        g_free(output);
        return usage("figures so far: schedulability (gantt, response, breakdown and counters come with the job tables); not", argv[1]);
    }
    g_autofree char *out = output ? output
                                  : g_strconcat(g_str_has_suffix(argv[2], ".csv") ? g_strndup(argv[2], strlen(argv[2]) - 4) : argv[2], ".png", NULL);
    if (terminal_for(out) == NULL)
        return usage("--output: the figure is .png, .svg or .pdf:", out);
    return plot_schedulability(argv[2], out);
}
