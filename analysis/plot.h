/* analysis/plot.h: `cossim plot` (gnuplot figures). */
#pragma once

/* cossim plot schedulability RESULT.csv [--output FILE.png|svg|pdf] */
int an_cli_plot(int argc, char **argv);
