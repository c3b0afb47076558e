/* analysis/trace.c: a run's trace, per task and per core (see trace.h). */
#include "trace.h"

#include <inttypes.h>
#include <sqlite3.h>
#include "sim/json.h"

#define ERR(...) do { g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, __VA_ARGS__); goto out; } while (0)

static char *col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *s = sqlite3_column_text(st, i);
    return g_strdup(s ? (const char *)s : "");
}

static bool has_table(sqlite3 *db, const char *name)
{
    sqlite3_stmt *st;
    bool yes = false;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", -1, &st, NULL)
        == SQLITE_OK) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        yes = sqlite3_step(st) == SQLITE_ROW;
    }
    sqlite3_finalize(st);
    return yes;
}

bool an_trace_read(const char *path, an_trace_report *out, GError **error)
{
    *out = (an_trace_report){ .tasks = g_array_new(FALSE, TRUE, sizeof(an_trace_task)),
                              .cores = g_array_new(FALSE, TRUE, sizeof(an_trace_core)) };
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    bool ok = false;
    if (!g_file_test(path, G_FILE_TEST_IS_REGULAR))
        ERR("%s: no such trace", path);
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        ERR("%s: cannot open: %s", path, db ? sqlite3_errmsg(db) : "out of memory");
    if (!has_table(db, "run"))
        ERR("%s: not a cossim trace (no run table)", path);
    if (!has_table(db, "tasks") || !has_table(db, "jobs"))
        ERR("%s: no tasks or jobs tables (the run composed no system{...})", path);
    if (sqlite3_prepare_v2(db, "SELECT scenario, end_ps FROM run", -1, &st, NULL) != SQLITE_OK
        || sqlite3_step(st) != SQLITE_ROW)
        ERR("%s: cannot read the run: %s", path, sqlite3_errmsg(db));
    out->scenario = col_text(st, 0);
    out->end_ps = sqlite3_column_int64(st, 1);
    sqlite3_finalize(st);
    /* tasks, with their jobs' aggregates (tasks without jobs too) */
    static const char *const q_tasks =
        "SELECT t.task, t.name, t.core, t.policy, t.priority, t.period_ps, t.deadline_ps, "
        "count(j.job), coalesce(sum(j.missed), 0), coalesce(min(j.response_ps), 0), coalesce(max(j.response_ps), 0), "
        "coalesce(avg(j.response_ps), 0), coalesce(max(j.start_ps - j.release_ps), 0) "
        "FROM tasks t LEFT JOIN jobs j ON j.task = t.task GROUP BY t.task ORDER BY t.task";
    if (sqlite3_prepare_v2(db, q_tasks, -1, &st, NULL) != SQLITE_OK)
        ERR("%s: cannot read the tasks: %s", path, sqlite3_errmsg(db));
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        an_trace_task t = {
            .task = sqlite3_column_int64(st, 0), .name = col_text(st, 1), .core = sqlite3_column_int64(st, 2),
            .policy = col_text(st, 3), .priority = sqlite3_column_int64(st, 4),
            .period_ps = sqlite3_column_int64(st, 5), .deadline_ps = sqlite3_column_int64(st, 6),
            .jobs = sqlite3_column_int64(st, 7), .missed = sqlite3_column_int64(st, 8),
            .best_ps = sqlite3_column_int64(st, 9), .worst_ps = sqlite3_column_int64(st, 10),
            .mean_ps = sqlite3_column_double(st, 11), .start_max_ps = sqlite3_column_int64(st, 12),
        };
        g_array_append_val(out->tasks, t);
    }
    if (rc != SQLITE_DONE)
        ERR("%s: cannot read the tasks: %s", path, sqlite3_errmsg(db));
    sqlite3_finalize(st);
    st = NULL;
    /* cores: each core's last counters row (counts are since the start) */
    if (has_table(db, "counters")) {
        static const char *const q_cores =
            "SELECT c.core, c.kernel_cycles, c.user_cycles, c.interrupts FROM counters c "
            "WHERE c.id = (SELECT max(d.id) FROM counters d WHERE d.core = c.core) ORDER BY c.core";
        if (sqlite3_prepare_v2(db, q_cores, -1, &st, NULL) != SQLITE_OK)
            ERR("%s: cannot read the counters: %s", path, sqlite3_errmsg(db));
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            an_trace_core c = { sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2),
                                sqlite3_column_int64(st, 3) };
            g_array_append_val(out->cores, c);
        }
        if (rc != SQLITE_DONE)
            ERR("%s: cannot read the counters: %s", path, sqlite3_errmsg(db));
    }
    ok = true;
out:
    sqlite3_finalize(st);
    sqlite3_close(db);
    if (!ok)
        an_trace_clear(out);
    return ok;
}

void an_trace_clear(an_trace_report *r)
{
    if (r->tasks) {
        for (guint i = 0; i < r->tasks->len; i++) {
            an_trace_task *t = &g_array_index(r->tasks, an_trace_task, i);
            g_free(t->name);
            g_free(t->policy);
        }
        g_array_free(r->tasks, TRUE);
    }
    if (r->cores)
        g_array_free(r->cores, TRUE);
    g_free(r->scenario);
    *r = (an_trace_report){ 0 };
}

static double us(double ps)
{
    return ps / 1e6;
}

void an_trace_print(const an_trace_report *r, GString *out)
{
    g_string_append_printf(out, "%s: %.3f ms of simulated time\n", r->scenario, (double)r->end_ps / 1e9);
    int w = 4;
    for (guint i = 0; i < r->tasks->len; i++)
        w = MAX(w, (int)strlen(g_array_index(r->tasks, an_trace_task, i).name));
    g_string_append_printf(out, "%-*s  core  jobs  missed     best_us     mean_us    worst_us   jitter_us  start_max_us\n",
                           w, "task");
    for (guint i = 0; i < r->tasks->len; i++) {
        const an_trace_task *t = &g_array_index(r->tasks, an_trace_task, i);
        g_string_append_printf(out, "%-*s  %4" PRId64 "  %4" PRId64 "  %6" PRId64, w, t->name, t->core, t->jobs,
                               t->missed);
        if (t->jobs)
            g_string_append_printf(out, "  %10.3f  %10.3f  %10.3f  %10.3f  %12.3f\n", us((double)t->best_ps),
                                   us(t->mean_ps), us((double)t->worst_ps), us((double)(t->worst_ps - t->best_ps)),
                                   us((double)t->start_max_ps));
        else
            g_string_append(out, "  (no job finished)\n");
    }
    if (r->cores->len) {
        g_string_append(out, "\ncore  kernel_cycles   user_cycles  kernel_share  interrupts\n");
        for (guint i = 0; i < r->cores->len; i++) {
            const an_trace_core *c = &g_array_index(r->cores, an_trace_core, i);
            int64_t busy = c->kernel_cycles + c->user_cycles;
            g_string_append_printf(out, "%4" PRId64 "  %13" PRId64 "  %12" PRId64 "  %11.1f%%  %10" PRId64 "\n", c->core,
                                   c->kernel_cycles, c->user_cycles,
                                   busy ? 100.0 * (double)c->kernel_cycles / (double)busy : 0.0, c->interrupts);
        }
    }
}

static void field_num(GString *out, const char *key, double v, bool first)
{
    g_string_append_printf(out, "%s\"%s\":", first ? "" : ",", key);
    simjson_double(out, v);
}

static void field_int(GString *out, const char *key, int64_t v)
{
    g_string_append_printf(out, ",\"%s\":", key);
    simjson_int(out, v);
}

void an_trace_json(const an_trace_report *r, GString *out)
{
    g_string_append(out, "{\"scenario\":");
    simjson_string(out, r->scenario, -1);
    field_int(out, "end_ps", r->end_ps);
    g_string_append(out, ",\"tasks\":[");
    for (guint i = 0; i < r->tasks->len; i++) {
        const an_trace_task *t = &g_array_index(r->tasks, an_trace_task, i);
        g_string_append(out, i ? ",{\"name\":" : "{\"name\":");
        simjson_string(out, t->name, -1);
        field_int(out, "task", t->task);
        field_int(out, "core", t->core);
        field_int(out, "jobs", t->jobs);
        field_int(out, "missed", t->missed);
        if (t->jobs) {
            g_string_append(out, ",");
            field_num(out, "best_us", us((double)t->best_ps), true);
            g_string_append(out, ",");
            field_num(out, "mean_us", us(t->mean_ps), true);
            g_string_append(out, ",");
            field_num(out, "worst_us", us((double)t->worst_ps), true);
            g_string_append(out, ",");
            field_num(out, "jitter_us", us((double)(t->worst_ps - t->best_ps)), true);
            g_string_append(out, ",");
            field_num(out, "start_max_us", us((double)t->start_max_ps), true);
        }
        g_string_append(out, "}");
    }
    g_string_append(out, "],\"cores\":[");
    for (guint i = 0; i < r->cores->len; i++) {
        const an_trace_core *c = &g_array_index(r->cores, an_trace_core, i);
        g_string_append(out, i ? ",{\"core\":" : "{\"core\":");
        simjson_int(out, c->core);
        field_int(out, "kernel_cycles", c->kernel_cycles);
        field_int(out, "user_cycles", c->user_cycles);
        field_int(out, "interrupts", c->interrupts);
        g_string_append(out, "}");
    }
    g_string_append(out, "]}\n");
}
