/* analysis/tsio.h: reading task sets for `cossim analyze --taskset FILE`.
 *
 * Two formats:
 *  - CSV with a header naming the columns: name, period, wcet, deadline,
 *    priority, core, and optionally jitter and blocking.  Times are numbers
 *    of nanoseconds or numbers with a unit (ps, ns, us, ms, s) that come to
 *    whole nanoseconds.  An empty deadline is the period; an empty priority
 *    or core is unset (-1).
 *  - A Lua file returning a list of tasks, or a table { tasks = {...},
 *    overheads = { ctx_switch =, sched =, irq =, invocation = } }; each task
 *    a table with the same keys (times as numbers of ns or strings with
 *    units).  It runs with no libraries and a small instruction budget.
 * Every mistake is a GError naming the file, the line (CSV) or task, and
 * the column or key.
 */
#pragma once

#include <stdbool.h>
#include <glib.h>
#include "taskset.h"

#define AN_TSIO_ERROR (an_tsio_error_quark())
GQuark an_tsio_error_quark(void);
enum { AN_TSIO_ERROR_INPUT };

/* Read `path` (by its extension: .csv or .lua) into *ts (priority -1 when
 * unset) and *oh (zeros unless the Lua form gives overheads). */
bool an_tsio_read(const char *path, an_taskset *ts, an_overheads *oh, GError **error);
/* Free what an_tsio_read allocated. */
void an_tsio_free(an_taskset *ts);
