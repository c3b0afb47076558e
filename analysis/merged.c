/* analysis/merged.c: reading a results database of `cossim merge`
 * (merged.h): per run and across runs, as text, JSON and a figure drawn
 * through gnuplot.c (names and values only ever as labels, L[i]). */
#include "merged.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sqlite3.h>

#include "gnuplot.h"
#include "merge.h"
#include "sim/json.h"
#include "sim/trace.h"

#define MERGED_ERROR (g_quark_from_static_string("an-merged-error"))

bool an_merged_is_file(const char *path)
{
    sqlite3 *db = simtr_open_read(path, NULL);
    bool yes = db && an_merge_is(db);
    sqlite3_close(db);
    return yes;
}

static char *text_or_empty(sqlite3_stmt *st, int c)
{
    const unsigned char *t = sqlite3_column_text(st, c);
    return g_strdup(t ? (const char *)t : "");
}

static void run_clear(gpointer p)
{
    an_merged_run *r = p;
    g_free(r->scenario);
    g_free(r->digest);
    g_free(r->source);
    g_free(r->worst_task);
    g_ptr_array_unref(r->keys);
    g_ptr_array_unref(r->values);
}

static void cell_clear(gpointer p)
{
    g_free(((an_merged_cell *)p)->task);
}

static void value_clear(gpointer p)
{
    an_merged_value *v = p;
    g_free(v->value);
    if (v->cells)
        g_array_unref(v->cells);
}

static void param_clear(gpointer p)
{
    an_merged_param *k = p;
    g_free(k->key);
    g_array_unref(k->values);
}

void an_merged_clear(an_merged *m)
{
    if (m->runs)
        g_array_unref(m->runs);
    if (m->swept)
        g_array_unref(m->swept);
    value_clear(&m->all);
    memset(m, 0, sizeof *m);
}

static bool fail(sqlite3 *db, GError **error, const char *what)
{
    g_set_error(error, MERGED_ERROR, 0, "%s: %s", what, sqlite3_errmsg(db));
    return false;
}

static bool read_runs(sqlite3 *db, an_merged *m, GError **error)
{
    sqlite3_stmt *st = NULL, *p = NULL, *w = NULL;
    bool ok = sqlite3_prepare_v2(db, "SELECT r.run, r.seed, r.scenario, r.digest, r.source, "
                                     "(SELECT count(*) FROM tasks t WHERE t.run = r.run), count(j.run), "
                                     "coalesce(sum(j.missed), 0), coalesce(max(j.response_ps), -1), "
                                     "coalesce(min(j.response_ps), 0), coalesce(min(j.missed), 0) "
                                     "FROM runs r LEFT JOIN jobs j ON j.run = r.run GROUP BY r.run ORDER BY r.run",
                                 -1, &st, NULL) == SQLITE_OK &&
              sqlite3_prepare_v2(db, "SELECT key, value FROM run_params WHERE run = ?1 ORDER BY position", -1, &p,
                                 NULL) == SQLITE_OK &&
              sqlite3_prepare_v2(db, "SELECT t.name FROM jobs j JOIN tasks t ON t.run = j.run AND t.task = j.task "
                                     "WHERE j.run = ?1 ORDER BY j.response_ps DESC, j.id LIMIT 1", -1, &w,
                                 NULL) == SQLITE_OK;
    if (!ok) {
        fail(db, error, "not a results database of cossim merge");
        goto out;
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        an_merged_run r = { .run = sqlite3_column_int64(st, 0), .seed = sqlite3_column_int64(st, 1),
                            .scenario = text_or_empty(st, 2), .digest = text_or_empty(st, 3),
                            .source = text_or_empty(st, 4), .tasks = sqlite3_column_int64(st, 5),
                            .jobs = sqlite3_column_int64(st, 6), .missed = sqlite3_column_int64(st, 7),
                            .worst_ps = sqlite3_column_int64(st, 8),
                            .keys = g_ptr_array_new_with_free_func(g_free),
                            .values = g_ptr_array_new_with_free_func(g_free) };
        bool bad = sqlite3_column_int64(st, 9) < 0 || sqlite3_column_int64(st, 10) < 0 || r.missed < 0;
        sqlite3_bind_int64(p, 1, r.run);
        while (sqlite3_step(p) == SQLITE_ROW) {
            g_ptr_array_add(r.keys, text_or_empty(p, 0));
            g_ptr_array_add(r.values, text_or_empty(p, 1));
        }
        sqlite3_reset(p);
        sqlite3_bind_int64(w, 1, r.run);
        r.worst_task = sqlite3_step(w) == SQLITE_ROW ? text_or_empty(w, 0) : NULL;
        sqlite3_reset(w);
        g_array_append_val(m->runs, r);
        if (bad) {
            g_set_error(error, MERGED_ERROR, 0, "the jobs table has a row merge never makes (run %" PRId64
                        ": a negative response or miss count)", r.run);
            ok = false;
            goto out;
        }
    }
    if (rc != SQLITE_DONE)
        ok = fail(db, error, "reading the runs");
out:
    sqlite3_finalize(st);
    sqlite3_finalize(p);
    sqlite3_finalize(w);
    return ok;
}

/* The cells of one value of key (key NULL: every run). */
static bool read_cells(sqlite3 *db, const char *key, an_merged_value *v, GError **error)
{
    v->cells = g_array_new(FALSE, TRUE, sizeof(an_merged_cell));
    g_array_set_clear_func(v->cells, cell_clear);
    sqlite3_stmt *st = NULL;
    const char *sql =
        "WITH rw AS (SELECT j.run AS run, j.task AS task, count(*) AS n, sum(j.missed) AS m, max(j.response_ps) AS w "
        "FROM jobs j WHERE ?1 IS NULL OR j.run IN (SELECT run FROM run_params WHERE key = ?1 AND value = ?2) "
        "GROUP BY j.run, j.task) "
        "SELECT t.name, count(*), sum(rw.n), sum(rw.m), max(rw.w), avg(rw.w) "
        "FROM rw JOIN tasks t ON t.run = rw.run AND t.task = rw.task GROUP BY t.name ORDER BY min(t.task), t.name";
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return fail(db, error, "reading the jobs");
    if (key) {
        sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, v->value, -1, SQLITE_STATIC);
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        an_merged_cell c = { text_or_empty(st, 0), sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2),
                             sqlite3_column_int64(st, 3), sqlite3_column_int64(st, 4), sqlite3_column_double(st, 5) };
        g_array_append_val(v->cells, c);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE || fail(db, error, "reading the jobs");
}

static bool read_swept(sqlite3 *db, an_merged *m, GError **error)
{
    sqlite3_stmt *k = NULL, *v = NULL;
    bool ok = sqlite3_prepare_v2(db, "SELECT key FROM run_params GROUP BY key HAVING count(DISTINCT value) > 1 "
                                     "ORDER BY min(position), key", -1, &k, NULL) == SQLITE_OK &&
              sqlite3_prepare_v2(db, "SELECT value FROM run_params WHERE key = ?1 GROUP BY value ORDER BY min(run), value",
                                 -1, &v, NULL) == SQLITE_OK;
    if (!ok) {
        fail(db, error, "reading the parameters");
        goto out;
    }
    while (ok && sqlite3_step(k) == SQLITE_ROW) {
        an_merged_param p = { text_or_empty(k, 0), g_array_new(FALSE, TRUE, sizeof(an_merged_value)) };
        g_array_set_clear_func(p.values, value_clear);
        g_array_append_val(m->swept, p);
        an_merged_param *pp = &g_array_index(m->swept, an_merged_param, m->swept->len - 1);
        sqlite3_bind_text(v, 1, pp->key, -1, SQLITE_STATIC);
        while (ok && sqlite3_step(v) == SQLITE_ROW) {
            an_merged_value val = { text_or_empty(v, 0), NULL };
            g_array_append_val(pp->values, val);
            an_merged_value *vv = &g_array_index(pp->values, an_merged_value, pp->values->len - 1);
            ok = read_cells(db, pp->key, vv, error);
        }
        sqlite3_reset(v);
    }
out:
    sqlite3_finalize(k);
    sqlite3_finalize(v);
    return ok;
}

bool an_merged_read(const char *path, an_merged *m, GError **error)
{
    memset(m, 0, sizeof *m);
    m->runs = g_array_new(FALSE, TRUE, sizeof(an_merged_run));
    g_array_set_clear_func(m->runs, run_clear);
    m->swept = g_array_new(FALSE, TRUE, sizeof(an_merged_param));
    g_array_set_clear_func(m->swept, param_clear);
    sqlite3 *db = simtr_open_read(path, error);
    if (db == NULL)
        return false;
    bool ok = an_merge_is(db);
    if (!ok)
        g_set_error(error, MERGED_ERROR, 0, "'%s' is not a results database of cossim merge", path);
    ok = ok && read_runs(db, m, error) && read_cells(db, NULL, &m->all, error) && read_swept(db, m, error);
    sqlite3_close(db);
    if (ok && m->runs->len == 0) {
        g_set_error(error, MERGED_ERROR, 0, "'%s' holds no runs", path);
        ok = false;
    }
    if (!ok)
        an_merged_clear(m);
    return ok;
}

/* ---- text ---- */

static void params_text(const an_merged_run *r, GString *out)
{
    for (guint i = 0; i < r->keys->len; i++) {
        g_autofree char *k = an_gp_visible(r->keys->pdata[i]);
        g_autofree char *v = an_gp_visible(r->values->pdata[i]);
        g_string_append_printf(out, "%s%s=%s", i ? " " : "", k, v);
    }
    if (r->keys->len == 0)
        g_string_append(out, "-");
}

static void cells_text(const an_merged_value *v, const char *first, GString *out)
{
    for (guint c = 0; c < v->cells->len; c++) {
        const an_merged_cell *x = &g_array_index(v->cells, an_merged_cell, c);
        g_autofree char *name = an_gp_visible(x->task);
        g_string_append_printf(out, "%-12s  %-12s %5" PRId64 " %7" PRId64 " %7" PRId64 " %12.3f %14.3f\n",
                               c == 0 ? first : "", name, x->runs, x->jobs, x->missed, x->worst_ps / 1e6,
                               x->mean_worst_ps / 1e6);
    }
}

void an_merged_print(const an_merged *m, GString *out)
{
    const an_merged_run *r0 = &g_array_index(m->runs, an_merged_run, 0);
    g_autofree char *scen = an_gp_visible(r0->scenario);
    bool one = true;
    for (guint i = 1; i < m->runs->len; i++)
        one = one && strcmp(g_array_index(m->runs, an_merged_run, i).scenario, r0->scenario) == 0;
    g_string_append_printf(out, "%u runs of %s%s; swept:", m->runs->len, scen, one ? "" : " and other scenarios");
    for (guint k = 0; k < m->swept->len; k++) {
        const an_merged_param *p = &g_array_index(m->swept, an_merged_param, k);
        g_autofree char *key = an_gp_visible(p->key);
        g_string_append_printf(out, " %s (%u values)%s", key, p->values->len, k + 1 < m->swept->len ? "," : "");
    }
    g_string_append_printf(out, "%s\n\n%5s %6s  %-28s %5s %7s %7s %12s  %s\n", m->swept->len ? "" : " nothing",
                           "run", "seed", "params", "tasks", "jobs", "missed", "worst_us", "worst_task");
    for (guint i = 0; i < m->runs->len; i++) {
        const an_merged_run *r = &g_array_index(m->runs, an_merged_run, i);
        g_autoptr(GString) p = g_string_new(NULL);
        params_text(r, p);
        g_autofree char *wt = r->worst_task ? an_gp_visible(r->worst_task) : g_strdup("-");
        g_string_append_printf(out, "%5" PRId64 " %6" PRId64 "  %-28s %5" PRId64 " %7" PRId64 " %7" PRId64, r->run,
                               r->seed, p->str, r->tasks, r->jobs, r->missed);
        if (r->worst_ps >= 0)
            g_string_append_printf(out, " %12.3f  %s\n", r->worst_ps / 1e6, wt);
        else
            g_string_append_printf(out, " %12s  -\n", "-");
    }
    const char *head = "%-12s  %-12s %5s %7s %7s %12s %14s\n";
    for (guint k = 0; k < m->swept->len; k++) {
        const an_merged_param *p = &g_array_index(m->swept, an_merged_param, k);
        g_autofree char *key = an_gp_visible(p->key);
        g_string_append_printf(out, "\nworst response per %s (over the runs with each value):\n", key);
        g_string_append_printf(out, head, key, "task", "runs", "jobs", "missed", "worst_us", "mean_worst_us");
        for (guint v = 0; v < p->values->len; v++) {
            const an_merged_value *val = &g_array_index(p->values, an_merged_value, v);
            g_autofree char *vis = an_gp_visible(val->value);
            cells_text(val, vis, out);
        }
    }
    g_string_append(out, "\nover all runs:\n");
    g_string_append_printf(out, head, "", "task", "runs", "jobs", "missed", "worst_us", "mean_worst_us");
    cells_text(&m->all, "all", out);
}

/* ---- JSON ---- */

static void cells_json(const an_merged_value *v, GString *out)
{
    g_string_append(out, "[");
    for (guint c = 0; c < v->cells->len; c++) {
        const an_merged_cell *x = &g_array_index(v->cells, an_merged_cell, c);
        g_string_append(out, c ? ",{\"task\":" : "{\"task\":");
        simjson_string(out, x->task, -1);
        g_string_append_printf(out, ",\"runs\":%" PRId64 ",\"jobs\":%" PRId64 ",\"missed\":%" PRId64
                                    ",\"worst_ps\":%" PRId64 ",\"worst_us\":",
                               x->runs, x->jobs, x->missed, x->worst_ps);
        simjson_double(out, x->worst_ps / 1e6);
        g_string_append(out, ",\"mean_worst_us\":");
        simjson_double(out, x->mean_worst_ps / 1e6);
        g_string_append(out, "}");
    }
    g_string_append(out, "]");
}

void an_merged_json(const an_merged *m, GString *out)
{
    g_string_append(out, "{\"runs\":[");
    for (guint i = 0; i < m->runs->len; i++) {
        const an_merged_run *r = &g_array_index(m->runs, an_merged_run, i);
        g_string_append_printf(out, "%s{\"run\":%" PRId64 ",\"scenario\":", i ? "," : "", r->run);
        simjson_string(out, r->scenario, -1);
        g_string_append_printf(out, ",\"seed\":%" PRId64 ",\"params\":{", r->seed);
        for (guint k = 0; k < r->keys->len; k++) {
            if (k)
                g_string_append_c(out, ',');
            simjson_string(out, r->keys->pdata[k], -1);
            g_string_append_c(out, ':');
            simjson_string(out, r->values->pdata[k], -1);
        }
        g_string_append(out, "},\"digest\":");
        simjson_string(out, r->digest, -1);
        g_string_append(out, ",\"source\":");
        simjson_string(out, r->source, -1);
        g_string_append_printf(out, ",\"tasks\":%" PRId64 ",\"jobs\":%" PRId64 ",\"missed\":%" PRId64 ",\"worst_ps\":",
                               r->tasks, r->jobs, r->missed);
        if (r->worst_ps >= 0)
            g_string_append_printf(out, "%" PRId64 ",\"worst_task\":", r->worst_ps);
        else
            g_string_append(out, "null,\"worst_task\":");
        if (r->worst_task)
            simjson_string(out, r->worst_task, -1);
        else
            g_string_append(out, "null");
        g_string_append(out, "}");
    }
    g_string_append(out, "],\"swept\":[");
    for (guint k = 0; k < m->swept->len; k++) {
        const an_merged_param *p = &g_array_index(m->swept, an_merged_param, k);
        g_string_append(out, k ? ",{\"param\":" : "{\"param\":");
        simjson_string(out, p->key, -1);
        g_string_append(out, ",\"values\":[");
        for (guint v = 0; v < p->values->len; v++) {
            const an_merged_value *val = &g_array_index(p->values, an_merged_value, v);
            g_string_append(out, v ? ",{\"value\":" : "{\"value\":");
            simjson_string(out, val->value, -1);
            g_string_append(out, ",\"tasks\":");
            cells_json(val, out);
            g_string_append(out, "}");
        }
        g_string_append(out, "]}");
    }
    g_string_append(out, "],\"all\":");
    cells_json(&m->all, out);
    g_string_append(out, "}\n");
}

/* ---- the figure ---- */

static bool numeric(const char *s, double *v)
{
    char *end = NULL;
    *v = g_ascii_strtod(s, &end);
    return *s && end && *end == '\0' && isfinite(*v);
}

/* RFC 4180: in quotes when it holds a comma, a quote or a line break. */
static void csv_field(GString *out, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        g_string_append(out, s);
        return;
    }
    g_string_append_c(out, '"');
    for (const char *c = s; *c; c++) {
        if (*c == '"')
            g_string_append_c(out, '"');
        g_string_append_c(out, *c);
    }
    g_string_append_c(out, '"');
}

int an_merged_plot(const char *path, const char *key, const char *out, const char *data)
{
    an_merged m;
    g_autoptr(GError) err = NULL;
    if (!an_merged_read(path, &m, &err)) {
        fprintf(stderr, "cossim plot: %s\n", err->message);
        return 2;
    }
    const an_merged_param *p = NULL;
    for (guint k = 0; k < m.swept->len; k++)
        if ((key == NULL && m.swept->len == 1) || (key && strcmp(g_array_index(m.swept, an_merged_param, k).key, key) == 0))
            p = &g_array_index(m.swept, an_merged_param, k);
    if (p == NULL) {
        g_autoptr(GString) names = g_string_new(NULL);
        for (guint k = 0; k < m.swept->len; k++) {
            g_autofree char *vis = an_gp_visible(g_array_index(m.swept, an_merged_param, k).key);
            g_string_append_printf(names, "%s%s", k ? ", " : "", vis);
        }
        g_autofree char *vis = key ? an_gp_visible(key) : NULL;
        fprintf(stderr, "cossim plot: %s%s%s: the swept parameters are: %s\n", key ? "--param " : "which parameter? (--param KEY)",
                key ? vis : "", key ? " is not swept" : "", names->len ? names->str : "none (no parameter has two values)");
        an_merged_clear(&m);
        return 2;
    }
    if (m.all.cells->len == 0) {
        fprintf(stderr, "cossim plot: no job finished in any run of '%s'\n", path);
        an_merged_clear(&m);
        return 2;
    }
    /* x: the values themselves when all are numbers, else their order */
    bool num = true;
    double x;
    for (guint v = 0; v < p->values->len; v++)
        num = num && numeric(g_array_index(p->values, an_merged_value, v).value, &x);
    const an_merged_run *r0 = &g_array_index(m.runs, an_merged_run, 0);
    g_autofree char *title = g_strdup_printf("Worst response per %s: %u runs of %s (the worst over the runs with each value)",
                                             p->key, m.runs->len, r0->scenario);
    an_gp *g = an_gp_new(out);
    GString *gp = an_gp_text(g);
    g_string_append(gp, "set title ");
    an_gp_ref(g, title);
    g_string_append(gp, "\nset grid\nset xlabel ");
    an_gp_ref(g, p->key);
    g_string_append(gp, "\nset ylabel 'Worst response time (us)'\nset key outside right top\nset yrange [0:*]\n");
    if (!num)
        g_string_append_printf(gp, "set xrange [-0.5:%u.5]\n", p->values->len - 1);
    /* one block per task, by name as in the all-runs table: rows x, worst, label of the value */
    GString *plot = g_string_new("plot ");
    GString *d = g_string_new(NULL);
    g_autoptr(GString) csv = g_string_new(NULL);
    csv_field(csv, p->key);
    g_string_append(csv, ",task,worst_ps,worst_us\n");
    for (guint t = 0; t < m.all.cells->len; t++) {
        const char *task = g_array_index(m.all.cells, an_merged_cell, t).task;
        g_string_truncate(d, 0);
        for (guint v = 0; v < p->values->len; v++) {
            const an_merged_value *val = &g_array_index(p->values, an_merged_value, v);
            for (guint c = 0; c < val->cells->len; c++) {
                const an_merged_cell *cell = &g_array_index(val->cells, an_merged_cell, c);
                if (strcmp(cell->task, task) != 0)
                    continue;
                double xv = v;
                if (num)
                    numeric(val->value, &xv);
                g_string_append_printf(d, "%.9g %.6f %d\n", xv, cell->worst_ps / 1e6, an_gp_label(g, val->value));
                csv_field(csv, val->value);
                g_string_append_c(csv, ',');
                csv_field(csv, task);
                g_string_append_printf(csv, ",%" PRId64 ",%.6f\n", cell->worst_ps, cell->worst_ps / 1e6);
            }
        }
        g_autofree char *name = g_strdup_printf("t%u", t);
        an_gp_data(g, name, d->str);
        g_string_append_printf(plot, "%s$t%u using 1:2%s with linespoints lw 2 pt 7 lc rgb '%s' title L[%d]",
                               t ? ", " : "", t, num ? "" : ":xtic(L[int($3)])", an_gp_colour(t), an_gp_label(g, task));
    }
    if (m.all.cells->len > 16)
        g_string_append(gp, "set key off\n");
    g_string_append_printf(gp, "%s\n", plot->str);
    g_string_free(plot, TRUE);
    g_string_free(d, TRUE);
    an_merged_clear(&m);
    GError *e = NULL;
    if (data && !g_file_set_contents(data, csv->str, (gssize)csv->len, &e)) {
        fprintf(stderr, "cossim plot: --data: %s\n", e->message);
        g_error_free(e);
        an_gp_free(g);
        return 2;
    }
    return an_gp_run(g, out);
}
