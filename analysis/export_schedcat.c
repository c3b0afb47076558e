/* analysis/export_schedcat.c: the overheads several runs measured, as the
 * CSV SchedCAT's Overheads.from_file reads (export.h, docs/export.md).
 *
 * SchedCAT (brandenburg/schedcat, schedcat/overheads/model.py): the first
 * row names the columns, TASK-COUNT is required, every other recognised
 * column is an overhead in microseconds that SchedCAT turns into a
 * piece-wise linear function of the task count.  One row per task count:
 *   TASK-COUNT  the tasks of the run (tasks table)
 *   SCHEDULE    the longest stretch a user-level scheduler ran from the
 *               run's first job release on (its setup before is not a
 *               decision)
 *   CXS         the longest thd_switch kernel path
 *   RELEASE     the longest irq kernel path (a job is released by the
 *               timer interrupt that wakes its scheduler)
 *   TICK        0: the kernel is tickless (one-shot timers), there is no
 *               periodic tick to charge
 * Each is the worst over the run's cores and machines; runs with the same
 * task count give one row, the worst of each column.  Rows go by task
 * count.  A trace below the `all` level lacks the schedulers' events and
 * is refused.
 */
#include "export.h"

#include <inttypes.h>
#include <string.h>

#include <sqlite3.h>

#include "sim/trace.h"
#include "sim/trace_names.h"
#include "trace.h"
#include "trace_db.h"
#include "trace_internal.h"

typedef struct row {
    int64_t tasks, schedule, cxs, release;
} row;

static int by_tasks(gconstpointer a, gconstpointer b)
{
    int64_t x = ((const row *)a)->tasks, y = ((const row *)b)->tasks;
    return (x > y) - (x < y);
}

/* Picoseconds as microseconds, six decimals (the picosecond). */
static void put_us(FILE *f, int64_t ps)
{
    fprintf(f, "%" PRId64 ".%06" PRId64, ps / 1000000, ps % 1000000);
}

/* The longest stretch a user-level scheduler ran from the run's first job
 * release on: a decision.  (Before it, each scheduler builds its threads,
 * a stretch that grows with the tasks and happens once: not an overhead a
 * job pays.  The analysis's bound charges the longest stretch of all.) */
static bool longest_decision(const char *path, const an_trace_report *tr, int64_t *out, GError **error)
{
    int64_t first = INT64_MAX;
    for (guint k = 0; k < tr->jobs->len; k++)
        first = MIN(first, g_array_index(tr->jobs, an_trace_job, k).release_ps);
    sqlite3 *db = simtr_open_read(path, error);
    if (db == NULL)
        return false;
    g_autoptr(GHashTable) sched = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autofree char *q = g_strdup_printf("SELECT DISTINCT core, thread FROM events WHERE kind = %" PRId64
                                         " AND thread IS NOT NULL AND core IS NOT NULL", an_db_kind_id(db, TRN_U_SCHED));
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db, q, -1, &st, NULL);
    while (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        g_hash_table_add(sched, g_strdup_printf("%" PRId64 "/%" PRId64, (int64_t)sqlite3_column_int64(st, 0),
                                                (int64_t)sqlite3_column_int64(st, 1)));
    sqlite3_finalize(st);
    sqlite3_close(db);
    *out = 0;
    for (guint k = 0; tr->segs && k < tr->segs->len; k++) {
        const an_trace_seg *s = &g_array_index(tr->segs, an_trace_seg, k);
        g_autofree char *key = g_strdup_printf("%d/%" PRId64, (int)s->core, s->thread);
        if (s->start_ps >= first && g_hash_table_contains(sched, key))
            *out = MAX(*out, s->end_ps - s->start_ps);
    }
    return true;
}

bool an_export_schedcat(char **traces, int n, FILE *f, GError **error)
{
    g_autoptr(GArray) rows = g_array_new(FALSE, FALSE, sizeof(row));
    for (int i = 0; i < n; i++) {
        an_trace_report tr;
        an_trace_opts opts = { .segments = true };
        if (!an_trace_read(traces[i], &opts, &tr, error))
            return false;
        if (tr.level != SIMTR_LEVEL_ALL || !tr.has_timeline) {
            g_set_error(error, an_export_error_quark(), 1, "%s: written at trace level %s, without the schedulers' "
                        "events the overheads are measured from (run with --trace-level all)", traces[i],
                        simtr_level_name(tr.level));
            an_trace_clear(&tr);
            return false;
        }
        row r = { .tasks = (int64_t)tr.tasks->len, .cxs = tr.oh.ctx_switch };
        if (!longest_decision(traces[i], &tr, &r.schedule, error)) {
            an_trace_clear(&tr);
            return false;
        }
        for (guint k = 0; k < tr.paths->len; k++) {
            const an_trace_path *p = &g_array_index(tr.paths, an_trace_path, k);
            if (strcmp(p->path, "irq") == 0)
                r.release = MAX(r.release, an_trace_ps(p->max_cycles, an_trace_core_freq(&tr, p->first_core)));
        }
        an_trace_clear(&tr);
        bool merged = false;
        for (guint k = 0; k < rows->len && !merged; k++) {
            row *o = &g_array_index(rows, row, k);
            if (o->tasks == r.tasks) {
                o->schedule = MAX(o->schedule, r.schedule);
                o->cxs = MAX(o->cxs, r.cxs);
                o->release = MAX(o->release, r.release);
                merged = true;
            }
        }
        if (!merged)
            g_array_append_val(rows, r);
    }
    g_array_sort(rows, by_tasks);
    fputs("TASK-COUNT, SCHEDULE, CXS, RELEASE, TICK\n", f);
    for (guint k = 0; k < rows->len; k++) {
        const row *r = &g_array_index(rows, row, k);
        fprintf(f, "%" PRId64 ", ", r->tasks);
        put_us(f, r->schedule);
        fputs(", ", f);
        put_us(f, r->cxs);
        fputs(", ", f);
        put_us(f, r->release);
        fputs(", 0\n", f);
    }
    return true;
}
