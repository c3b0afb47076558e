/* analysis/gnuplot.h: the one place that writes the parts of a gnuplot
 * program that are not fixed text (the terminal and output, every label)
 * and the one place that runs gnuplot.  The figures (plot.c, plot_trace.c)
 * sit above it and write only their own fixed commands and numbers; this
 * file knows nothing of traces or task sets.
 */
#pragma once

#include <stdint.h>
#include <glib.h>

/* The gnuplot terminal for an output file, chosen by its extension (.png,
 * .svg, .pdf); NULL for any other name. */
const char *an_gp_terminal(const char *out);

/* Start a program that draws into out under the title `title` (a label,
 * see an_gp_label). */
void an_gp_begin(GString *gp, const char *out, const char *title);

/* Append a label: text from a trace, a task set or a file name, as a
 * gnuplot string. */
void an_gp_label(GString *gp, const char *text);

/* "#rrggbb" for task number n: the same in every figure. */
const char *an_gp_colour(int64_t n);

/* Run the program gp (takes it and frees it); the figure goes to out, whose
 * name is printed.  0, 1 (gnuplot failed) or 2 (no gnuplot, no temporary
 * file). */
int an_gp_run(GString *gp, const char *out);
