/* analysis/export.h: `cossim export TRACE.db --format F [-o OUT]`: a run's
 * trace in a format other tools read (docs/export.md).
 *
 *   perfetto   the Trace Event Format (JSON) that Perfetto's UI and
 *              chrome://tracing open: a track per simulated core with what
 *              ran on it, an async track per task with its jobs, instants
 *              for interrupts and deadline misses, flow arrows for
 *              invocations and cross-core sends, counters per core
 *              (export_perfetto.c).
 *   litmus     LITMUS^RT sched_trace binary records, a file per core, for
 *              feather-trace-tools' st-dump and st-job-stats
 *              (export_litmus.c).
 *   ctf        CTF 1.8 (metadata and a stream per core) for babeltrace2
 *              and Trace Compass (export_ctf.c).
 *   schedcat   the overheads of one or more runs (a row per task count) as
 *              the CSV SchedCAT's Overheads.from_file reads
 *              (export_schedcat.c).
 *
 * The trace is read as it is written (one pass over its events, in their
 * order), never held in memory; the output goes to a temporary file beside
 * OUT and is renamed over it only when complete (or to stdout with -o -).
 * Exit 0, or 2 when the trace cannot be read or OUT cannot be written. */
#pragma once

#include <stdbool.h>
#include <stdio.h>
#include <glib.h>

struct sqlite3;

int an_cli_export(int argc, char **argv);

GQuark an_export_error_quark(void);
/* The folder a multi-file format writes into: made if absent; false (and
 * why) if it is something else or cannot be made. */
bool an_export_folder(const char *dir, GError **error);

/* Write the trace open in db to f in the Perfetto/Chrome JSON format;
 * false with the reason on a read error (f is then incomplete). */
bool an_export_perfetto(struct sqlite3 *db, FILE *f, GError **error);
/* Write the trace open in db as LITMUS^RT sched_trace records, one file
 * per core, dir/st-CORE.bin (dir made if absent; each file written to a
 * temporary and renamed when all are complete); false with the reason. */
bool an_export_litmus(struct sqlite3 *db, const char *dir, GError **error);
/* Write the trace open in db as CTF 1.8 in dir (made if absent): metadata
 * and a stream file per core; false with the reason. */
bool an_export_ctf(struct sqlite3 *db, const char *dir, GError **error);
/* Write the overheads the n traces measured as SchedCAT's overhead CSV,
 * a row per task count; false with the reason. */
bool an_export_schedcat(char **traces, int n, FILE *f, GError **error);
