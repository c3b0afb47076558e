/* analysis/plot.h: `cossim plot` (gnuplot figures).
 *
 * cossim plot gantt|response|breakdown|counters TRACE.db [--output FILE]
 *             [--from T --to T] [--mean]
 * cossim plot schedulability RESULT.csv [--output FILE]
 * cossim plot series FIGURE.csv [--output FILE]   (curves of y over x)
 * The figure's format follows the output's extension: .png, .svg or .pdf.
 * Each task has one colour in every figure (an_gp_colour).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

int an_cli_plot(int argc, char **argv);

typedef struct an_plot_opts {
    int64_t from_ps, to_ps;     /* Gantt window, -1: the default */
    bool mean;                  /* breakdown of the mean job instead of the worst */
} an_plot_opts;

/* Draw figure `kind` of the trace at path into out (plot_trace.c); 0, 1
 * (gnuplot failed) or 2 (bad input). */
int an_plot_trace(const char *kind, const char *path, const char *out, const an_plot_opts *o);
