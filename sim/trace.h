/* sim/trace.h: the trace writer.
 *
 * One SQLite database per run.  Tables are declared by the modules that
 * write them (the engine declares run, run_params, event_kinds and events;
 * later modules add theirs); every table gets an `id INTEGER PRIMARY KEY`
 * numbering its rows in the order written, and is STRICT, so what is read
 * back is exactly what was written.
 *
 * Levels: a trace keeps every row (the default, SIMTR_LEVEL_ALL) or leaves
 * out the events of the kernel and of the components (simtr_set_level);
 * the tables other than events are whole at every level.
 *
 * Durability: the database is written to a temporary file beside the
 * requested one (NAME.tmp-PID-XXXXXX, sim/tempfile.h) and renamed over it
 * only by simtr_finish().  A failed or killed run leaves nothing under the
 * requested name; the temporary file of a run killed outright (SIGKILL) is
 * removed by the next simtr_open in that folder.  SQLite creates the
 * file, its schema and the run row; every other table's rows are written
 * as that table's B-tree pages by sim/trace_pages.c, 8 KiB of encoded rows
 * at a time on the caller's thread, and put into the file when SQLite has
 * closed it (simtr_finish).  Journal and fsync are off: a deterministic
 * trace is regenerated from its seed, not recovered.
 *
 * Digest: every row is also fed, in a canonical byte encoding (the chunks'
 * own), to a SHA-256 per table; the run's digest is a SHA-256 over the tables in declaration
 * order (see docs/trace-schema.md for the exact encoding).  simtr_digest_file()
 * recomputes it from a database, so the stored digest can be checked.  With
 * no database (`--trace none`) the digest is still computed.
 *
 * Errors (SQLite's, or the page file's writes) are sticky: the first one
 * is kept, later rows are dropped, and simtr_finish() reports it and
 * removes the temporary file.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <glib.h>

#define SIMTR_SCHEMA_VERSION 2    /* 2: the task_demand table */
#define SIMTR_DIGEST_HEX 65    /* 64 hex digits and a NUL */

#define SIMTR_ERROR (simtr_error_quark())
GQuark simtr_error_quark(void);
enum { SIMTR_ERROR_OPEN, SIMTR_ERROR_WRITE, SIMTR_ERROR_FORMAT };

typedef enum { SIMTR_INT, SIMTR_REAL, SIMTR_TEXT } simtr_type;

typedef struct simtr_column {
    const char *name;
    simtr_type type;
    bool not_null;
} simtr_column;

typedef struct simtr simtr;
typedef struct simtr_table simtr_table;

/* Start a trace that will end up at `path`; NULL means no database (the
 * digest is still kept).  Fails, writing nothing, if the folder is not
 * writable. */
simtr *simtr_open(const char *path, GError **error);
/* Declare a table of at least one column (name and columns are copied).
 * Declaration order is digest order.  Programming errors (a duplicate
 * name, no column) assert. */
simtr_table *simtr_define(simtr *tr, const char *name, const simtr_column *cols, unsigned ncols);
/* A table defined already, or NULL. */
simtr_table *simtr_find(simtr *tr, const char *name);

/* Write one row: begin, one value per column in declaration order, end.
 * The type of each value must match its column (asserted); NaN is NULL. */
void simtr_begin(simtr_table *t);
void simtr_int(simtr_table *t, int64_t v);
void simtr_real(simtr_table *t, double v);
void simtr_text(simtr_table *t, const char *s, ssize_t len);  /* len < 0: NUL-terminated */
void simtr_null(simtr_table *t);
void simtr_end(simtr_table *t);
uint64_t simtr_rows(const simtr_table *t);

/* The run table: one row, written by simtr_finish. */
typedef struct simtr_run {
    const char *scenario;          /* the script's file name, not its path */
    const char *scenario_sha256;   /* of the script's bytes */
    const char *machine;
    uint64_t seed;
    bool has_until;
    uint64_t until_ps;
    uint64_t end_ps;
    uint64_t events;
} simtr_run;

/* Write the run row, compute the digest into digest_hex, commit, close and
 * rename the temporary file to the requested path.  On failure the
 * temporary file is removed and nothing is left under the path.  Frees tr
 * either way. */
bool simtr_finish(simtr *tr, const simtr_run *run, char digest_hex[SIMTR_DIGEST_HEX], GError **error);
/* Give up: remove the temporary file and free everything. NULL-safe. */
void simtr_abort(simtr *tr);

/* How much of a run the trace keeps (docs/trace-schema.md, "Trace levels").
 * Each level keeps what the ones before it keep.  Only the events table is
 * thinned, by the name of each event's kind: k.* are the kernel's, u.* the
 * components'; kinds of other names (a scenario's sim.event) are kept at
 * every level. */
typedef enum {
    SIMTR_LEVEL_JOBS,       /* no event of the kernel nor of the components */
    SIMTR_LEVEL_KERNEL,     /* the kernel's events (k.*) too */
    SIMTR_LEVEL_ALL,        /* every row: the default */
} simtr_level;
#define SIMTR_LEVELS "jobs|kernel|all"

/* A level by name; false if there is none of that name. */
bool simtr_level_parse(const char *name, simtr_level *level);
const char *simtr_level_name(simtr_level level);
/* Set the level, right after simtr_open (before any table but run is
 * declared).  A level other than all declares the trace_level table and
 * writes its one row, so a trace says what it lacks (and its digest
 * differs); at all the trace is exactly what it was before levels. */
void simtr_set_level(simtr *tr, simtr_level level);
simtr_level simtr_get_level(const simtr *tr);
/* Whether the trace keeps events of the kind named `name` (ask once per
 * kind, not per event). */
bool simtr_keeps_kind(const simtr *tr, const char *name);

/* The temporary file being written, or NULL; for a signal handler that
 * must remove it when the process is interrupted. */
const char *simtr_temp_path(const simtr *tr);
/* The first SQLite error so far, or NULL. */
const char *simtr_failure(simtr *tr);

/* Open a finished trace to read (for the readers of analysis/ too).
 * Nothing in the file is trusted: it is opened read-only, refused if its
 * schema holds anything but tables (a view can recurse without end, a
 * trigger or a virtual table runs what the file's author chose; the writer
 * makes none), and with views and triggers switched off in SQLite as well.
 * Text and blobs longer than SIMTR_READ_MAX_VALUE fail the statement that
 * reads them.  NULL, with the reason naming path, if it cannot be read. */
#define SIMTR_READ_MAX_VALUE (64 << 20)
struct sqlite3;
struct sqlite3 *simtr_open_read(const char *path, GError **error);

/* Recompute the digest of a finished trace from its content, and read the
 * one stored in its run table (stored may be NULL). */
bool simtr_digest_file(const char *path, char computed[SIMTR_DIGEST_HEX],
                       char stored[SIMTR_DIGEST_HEX], GError **error);
