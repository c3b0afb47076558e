/* analysis/gnuplot.h: the one place that runs gnuplot and the one way text
 * from outside (task and scenario names, test names of a CSV, file names)
 * gets into a gnuplot program.  The figures (plot.c, plot_trace.c) sit
 * above it; this file knows nothing of traces or task sets.
 *
 * The rule: untrusted text is never spliced into a program.  gnuplot runs
 * backquoted commands inside double-quoted strings, ends a command at a
 * newline or a `;`, expands `@` macros, ends a data block at its terminator
 * line, treats explicit tic labels as printf formats and, on an enhanced
 * terminal, `{}^_@&~` as markup; `set output '|cmd'` opens a pipe.  So:
 *   - a figure writes only its own fixed commands, and numbers in data
 *     blocks (an_gp_data checks that a block holds nothing else);
 *   - a label goes into the program once, as an element of the string
 *     array L, through an_gp_string, the one escaping function (below), and
 *     the figure refers to it as L[i] (titles, key entries, xtic()/ytic(),
 *     which take strings, not formats); terminals are noenhanced;
 *   - gnuplot never sees the output file's name: it writes the figure to
 *     its standard output, a temporary file of ours, and an_gp_run writes
 *     the figure under the name the user gave.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

typedef struct an_gp an_gp;

/* The gnuplot terminal for an output file, chosen by its extension (.png,
 * .svg, .pdf); NULL for any other name. */
const char *an_gp_terminal(const char *out);

/* A program drawing a figure in out's format (an_gp_terminal(out) must not
 * be NULL; only the extension is used). */
an_gp *an_gp_new(const char *out);
void an_gp_free(an_gp *g);

/* The figure's commands, appended after the terminal and the labels: fixed
 * text, numbers and L[i] references only. */
GString *an_gp_text(an_gp *g);

/* Add text as a label and return i: the gnuplot expression L[i] is then a
 * string that reads as text does (an_gp_visible(text)). */
int an_gp_label(an_gp *g, const char *text);

/* Append "L[i]" for a new label of text to the program text. */
void an_gp_ref(an_gp *g, const char *text);

/* Append the data block $name (an identifier of ours) with rows, which
 * hold numbers only: digits, "+-.", hexadecimal "0x..." colours, spaces and
 * newlines (asserted: anything else is a programming error). */
void an_gp_data(an_gp *g, const char *name, const char *rows);

/* Run gnuplot on the program (then frees it); on success the figure is
 * written to out (atomically: a failure leaves no file) and out is printed.
 * 0; 1 when gnuplot failed (its message on stderr); 2 when gnuplot is not
 * installed or the figure cannot be written. */
int an_gp_run(an_gp *g, const char *out);
/* With on, an_gp_run prints {"figure": FILE} instead of the file's name
 * (`cossim plot --json`). */
void an_gp_json(bool on);

/* The escaping function: append to gp a double-quoted gnuplot string
 * literal whose value is s, byte for byte.  ASCII letters and spaces are
 * written as they are, every other byte (digits too) as a three-digit octal
 * escape, so the literal holds no quote, backquote, newline, `@`, `;`,
 * `$`, `#` or `%` that gnuplot's reader could act on. */
void an_gp_string(GString *gp, const char *s);

/* text as a reader should see it on a figure: printable characters as they
 * are (backslash included); newline, carriage return and tab as \n, \r,
 * \t, other control bytes and bytes that are not UTF-8 as \xHH, Unicode
 * format and separator characters (bidirectional overrides, zero-width
 * ones, line separators) as \u{XXXX}: the way a Lua scenario writes them. */
char *an_gp_visible(const char *text);

/* "#rrggbb" for task number n: the same in every figure. */
const char *an_gp_colour(int64_t n);
