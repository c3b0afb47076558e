/* analysis/merge.h: `cossim merge OUT.db RUN.db...`: many runs' traces in
 * one results database (docs/sweeps.md has its schema).
 *
 * A row per run in `runs` (its key `run`, scenario, seed, parameters,
 * digest, source file), and the tasks, jobs, counters and kernel_paths rows
 * of every run, each with the run's key.  The events stay in the traces.
 *
 * Each input is untrusted: opened read-only by simtr_open_read (no views,
 * triggers or virtual tables), one at a time on a connection of its own (no
 * ATTACH: the results database never runs anything of an input's schema),
 * its digest recomputed from its content and compared with the one it
 * stores (an edited trace is refused), and its rows inserted into STRICT
 * tables (a value of the wrong type is refused).  A run whose digest is
 * merged already is skipped: merging the same traces again adds nothing.
 *
 * All inputs go in one transaction: a merge that fails or is killed leaves
 * OUT as it was (SQLite's rollback journal), and a refused input refuses
 * the whole merge (exit 2, nothing added).  Exit 0 when every input was
 * merged or skipped. */
#pragma once

#include <stdbool.h>
#include <glib.h>

struct sqlite3;

int an_cli_merge(int argc, char **argv);

/* PRAGMA application_id of a results database ("cosm"; a trace is "coss"). */
#define AN_MERGE_APP_ID 0x636f736d
#define AN_MERGE_VERSION 2    /* 2: task_demand */

/* Whether the database open in db is a results database of cossim merge. */
bool an_merge_is(struct sqlite3 *db);
