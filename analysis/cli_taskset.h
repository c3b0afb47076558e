/* analysis/cli_taskset.h: `cossim analyze --taskset FILE`, the job of
 * cossim analyze that judges one task set (cli.c parses the command line
 * and hands this job its options). */
#pragma once

#include <stdbool.h>
#include <glib.h>

typedef struct an_taskset_args {
    const char *path;           /* --taskset: .csv or .lua (tsio.h) */
    const char *policy;         /* --policy fp|edf; NULL: fp */
    const char *assign;         /* --assign dm|rm|audsley; NULL: the priority column */
    const char *partition;      /* --partition ff|bf|wf|ffd|bfd|wfd; NULL: the core column */
    int cores;                  /* --cores; 0: not given */
    bool json;                  /* one JSON object instead of the table */
    const char *supply;         /* --supply P,Q: each core a periodic resource; NULL: the whole core */
} an_taskset_args;

/* Print each task's verdict on standard output.  0 when the whole set is
 * schedulable, 1 when not; 2 on bad options or a bad file, with the reason
 * in error and nothing printed. */
int an_analyze_taskset(const an_taskset_args *a, GError **error);
