/* analysis/trace_db.h: questions every reader of a trace (analysis/trace.c,
 * the exports) asks its database, opened with simtr_open_read. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct sqlite3;

/* Whether the trace has table `name`. */
bool an_db_has_table(struct sqlite3 *db, const char *name);
/* Whether table `table` has a column `col` (traces written before a
 * column was added lack it). */
bool an_db_has_column(struct sqlite3 *db, const char *table, const char *col);
/* The id of an event kind, -1 if the run never used it. */
int64_t an_db_kind_id(struct sqlite3 *db, const char *name);
