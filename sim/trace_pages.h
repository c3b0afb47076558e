/* sim/trace_pages.h: a trace table's rows written as SQLite table B-tree
 * pages, without SQLite (the writer of sim/trace.c).
 *
 * Inserting a row through SQLite runs its virtual machine over the row's
 * columns, its B-tree insert and its page cache: about 3,000 host
 * instructions a row, a fifth of a traced run (BENCHMARKS.md).  A trace's
 * tables are only ever appended to, with rowids 1, 2, 3, ... and no index,
 * so their B-trees can be built directly, as SQLite's file format defines
 * them (https://www.sqlite.org/fileformat2.html, sections 1.6 and 2.1):
 * leaf pages filled in rowid order, then the interior levels above them.
 *
 * The pages go to a side file (unlinked, in the trace's folder) while the
 * run goes on; SQLite itself creates the file, the schema and the run
 * table.  When SQLite has closed the file, simtp_assemble appends the side
 * file's pages after SQLite's last page, puts each table's top page in the
 * table's root page (which CREATE TABLE made, empty), and sets the page
 * count in the file's header.  Pages refer to each other by number; the
 * side file's pages are numbered from 1 in the order written and get their
 * final numbers (SQLite's page count + that) as they are copied.
 *
 * Values come in the digest's encoding (sim/trace.c); a record is what
 * SQLite would store for them: the rowid alias `id` as NULL, integers in
 * the fewest bytes (serial types 1-6, 8 and 9 for 0 and 1), reals in 8,
 * texts as UTF-8 bytes.  A payload too large for its leaf spills to
 * overflow pages as the format says.  tests/test_trace_pages.c checks the
 * result with SQLite's own integrity_check and reads every value back.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

typedef struct simtp simtp;
typedef struct simtp_table simtp_table;

/* A side file in the folder of `near` (a path) for pages of page_size
 * bytes (a power of two, 512 to 65536; no reserved bytes).  NULL and a
 * message on failure. */
simtp *simtp_open(const char *near, unsigned page_size, GError **error);
/* A table of ncols columns besides its id, whose root page is `root`. */
simtp_table *simtp_table_new(simtp *p, const char *name, unsigned ncols, uint32_t root);
/* Append `rows` encoded rows (each ncols values) from data[0, len).  False
 * with *failure (g_free it) set on an I/O error or a row SQLite could not
 * hold. */
bool simtp_add_rows(simtp_table *t, const guint8 *data, size_t len, uint64_t rows, char **failure);
/* Rows appended so far. */
uint64_t simtp_table_rows(const simtp_table *t);
/* Finish every table and write everything into the SQLite database at
 * db_path, which SQLite has closed (no journal, no auto-vacuum, page size
 * as given).  False with *failure set otherwise. */
bool simtp_assemble(simtp *p, const char *db_path, char **failure);
void simtp_free(simtp *p);
