/* analysis/gnuplot.c: writing the variable parts of gnuplot programs and
 * running gnuplot (see gnuplot.h).  Below plot.c and plot_trace.c, which
 * both draw through it and never call each other back.
 */
#include "gnuplot.h"

#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>
#include <glib/gstdio.h>

const char *an_gp_terminal(const char *out)
{
    if (g_str_has_suffix(out, ".png"))
        return "pngcairo size 900,600 font 'Sans,11'";
    if (g_str_has_suffix(out, ".svg"))
        return "svg size 900,600 font 'Sans,11'";
    if (g_str_has_suffix(out, ".pdf"))
        return "pdfcairo size 6in,4in font 'Sans,10'";
    return NULL;
}

void an_gp_begin(GString *gp, const char *out, const char *title)
{
    g_string_append_printf(gp, "set terminal %s\nset output '%s'\nset title ", an_gp_terminal(out), out);
    an_gp_label(gp, title);
    g_string_append_c(gp, '\n');
}

/* gnuplot strings are in double quotes here: escape what would end them */
void an_gp_label(GString *gp, const char *s)
{
    g_string_append_c(gp, '"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            g_string_append_c(gp, '\\');
        if (*s == '_')
            g_string_append(gp, "\\\\");   /* no subscripts in enhanced text */
        g_string_append_c(gp, *s);
    }
    g_string_append_c(gp, '"');
}

/* Okabe and Ito's colour-blind-safe palette, then darker and lighter
 * tones: task n gets colour n mod 12 in every figure. */
const char *an_gp_colour(int64_t n)
{
    static const char *const c[] = { "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00",
                                     "#F0E442", "#000000", "#882255", "#44AA99", "#999933", "#AA4499" };
    return c[(n < 0 ? -n : n) % (int64_t)G_N_ELEMENTS(c)];
}

static int fail(const char *msg)
{
    fprintf(stderr, "cossim plot: %s\n", msg);
    return 2;
}

int an_gp_run(GString *gp, const char *out)
{
    GError *err = NULL;
    g_autofree char *gnuplot = g_find_program_in_path("gnuplot");
    if (gnuplot == NULL) {
        g_string_free(gp, TRUE);
        return fail("gnuplot is not installed (scripts/deps.sh installs it)");
    }
    char tmpl[] = "/tmp/cossim-plot-XXXXXX.gp";
    int fd = g_mkstemp(tmpl);
    if (fd < 0 || write(fd, gp->str, gp->len) != (ssize_t)gp->len) {
        if (fd >= 0)
            close(fd);
        g_string_free(gp, TRUE);
        return fail("cannot write a temporary gnuplot script");
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
