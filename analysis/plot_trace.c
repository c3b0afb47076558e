/* analysis/plot_trace.c: the figures of a run's trace (see plot.h and
 * docs/analysis.md): a Gantt chart, response times per job beside their
 * analytic bounds, the response-time breakdown, and the hardware counters. */
#include "plot.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sqlite3.h>

#include "gnuplot.h"
#include "trace.h"
#include "sim/trace.h"

/* The parts of the breakdown: fixed colours (not the tasks'). */
static const char *bd_colour(an_bd b)
{
    static const char *const c[AN_BD_N] = {
        [AN_BD_OWN] = "#0072B2", [AN_BD_CROSS] = "#56B4E9", [AN_BD_PREEMPT] = "#E69F00", [AN_BD_IRQ] = "#D55E00",
        [AN_BD_KERNEL] = "#555555", [AN_BD_SCHED] = "#999999", [AN_BD_LOCK] = "#CC79A7", [AN_BD_LOWER] = "#F0E442",
        [AN_BD_OTHER] = "#009E73", [AN_BD_IDLE] = "#DDDDDD",
    };
    return c[b];
}

/* A program for out with the frame every figure of a trace has: its
 * title (a label) and a grid. */
static an_gp *header(const char *out, const char *title)
{
    an_gp *g = an_gp_new(out);
    g_string_append(an_gp_text(g), "set title ");
    an_gp_ref(g, title);
    g_string_append(an_gp_text(g), "\nset grid\n");
    return g;
}

static char *task_label(const an_trace_report *r, const an_trace_task *t)
{
    /* a name used on several cores gets its core */
    int same = 0;
    for (guint i = 0; i < r->tasks->len; i++)
        same += strcmp(g_array_index(r->tasks, an_trace_task, i).name, t->name) == 0;
    return same > 1 ? g_strdup_printf("%s (core %" PRId64 ")", t->name, t->core) : g_strdup(t->name);
}

static int gantt(const an_trace_report *r, const char *path, const char *out, const an_plot_opts *o)
{
    if (r->segs->len == 0) {
        fprintf(stderr, "cossim plot: %s: no switch events, so no timeline to draw%s\n", path,
                r->level == SIMTR_LEVEL_JOBS ? " (the trace was written at --trace-level jobs)" : "");
        return 2;
    }
    int64_t from = o->from_ps, to = o->to_ps;
    int64_t first = r->end_ps, shortest = INT64_MAX, longest = 0;
    for (guint i = 0; i < r->jobs->len; i++)
        first = MIN(first, g_array_index(r->jobs, an_trace_job, i).release_ps);
    for (guint i = 0; i < r->tasks->len; i++) {
        const an_trace_task *t = &g_array_index(r->tasks, an_trace_task, i);
        if (t->period_ps > 0) {
            shortest = MIN(shortest, t->period_ps);
            longest = MAX(longest, t->period_ps);
        }
    }
    if (from < 0)
        from = r->jobs->len ? first : 0;
    /* (saturating: a trace's times may reach 2^63 - 1 ps) */
    if (to < 0)
        to = shortest < INT64_MAX ? from + MIN(MAX(shortest > INT64_MAX / 10 ? INT64_MAX : 10 * shortest, longest),
                                               INT64_MAX - from)
                                  : r->end_ps;
    to = MIN(to, r->end_ps);
    if (to <= from) {
        fprintf(stderr, "cossim plot: the window is empty (--from %.3f ms, --to %.3f ms)\n", from / 1e9, to / 1e9);
        return 2;
    }
    /* rows: each task, then per core one row for everything else */
    int64_t ncores = 0;
    for (guint i = 0; i < r->segs->len; i++)
        ncores = MAX(ncores, (int64_t)g_array_index(r->segs, an_trace_seg, i).core + 1);
    int64_t ntasks = r->tasks->len, rows = ntasks + ncores;
    g_autofree char *title = g_strdup_printf("Schedule of %s, %.3f to %.3f ms", r->scenario, from / 1e9, to / 1e9);
    an_gp *g = header(out, title);
    GString *gp = an_gp_text(g);
    g_string_append_printf(gp, "set xlabel 'Time (ms)'\nset xrange [%.6f:%.6f]\nset yrange [-0.7:%" PRId64 ".7]\n"
                               "set grid noytics\nset style fill solid 1.0 noborder\nset key outside right top\n",
                           from / 1e9, to / 1e9, rows - 1);
    /* the rows' names: label number and row, drawn as ytic() of points at
     * x = NaN (tic labels given with `set ytics` would be printf formats) */
    GString *d = g_string_new(NULL);
    for (int64_t i = 0; i < rows; i++) {
        g_autofree char *l = i < ntasks ? task_label(r, &g_array_index(r->tasks, an_trace_task, i))
                                        : g_strdup_printf("core %" PRId64 " other", i - ntasks);
        g_string_append_printf(d, "%d %" PRId64 "\n", an_gp_label(g, l), rows - 1 - i);
    }
    an_gp_data(g, "rows", d->str);
    /* stretches: x y dx dy colour; kernel-heavy ones are all drawn in their thread's colour */
    g_string_truncate(d, 0);
    for (guint i = 0; i < r->segs->len; i++) {
        const an_trace_seg *s = &g_array_index(r->segs, an_trace_seg, i);
        if (s->end_ps <= from || s->start_ps >= to || s->thread == 0)
            continue;
        int64_t a = MAX(s->start_ps, from), b = MIN(s->end_ps, to);
        int64_t row = s->task >= 0 ? s->task : ntasks + s->core;
        const char *col = s->task >= 0 ? an_gp_colour(s->task) : "#999999";
        g_string_append_printf(d, "%.9f %" PRId64 " %.9f 0.35 0x%s\n", a / 2e9 + b / 2e9, rows - 1 - row, (b - a) / 2e9,
                               col + 1);
    }
    an_gp_data(g, "run", d->str);
    g_string_truncate(d, 0);
    GString *miss = g_string_new(NULL);
    for (guint i = 0; i < r->jobs->len; i++) {
        const an_trace_job *j = &g_array_index(r->jobs, an_trace_job, i);
        int64_t row = rows - 1 - j->task;
        if (j->release_ps >= from && j->release_ps <= to)
            g_string_append_printf(d, "%.9f %" PRId64 " 0x%s\n", j->release_ps / 1e9, row,
                                   an_gp_colour(j->task) + 1);
        if (j->missed && j->finish_ps >= from && j->finish_ps <= to)
            g_string_append_printf(miss, "%.9f %" PRId64 "\n", j->finish_ps / 1e9, row);
    }
    an_gp_data(g, "rel", d->str);
    g_string_append(miss, "0 -10\n");
    an_gp_data(g, "miss", miss->str);
    g_string_free(miss, TRUE);
    g_string_free(d, TRUE);
    g_string_append(gp, "plot $run using 1:2:3:4:5 with boxxyerror lc rgb variable title 'running', "
                        "$rel using 1:($2+0.45):3 with points pt 9 ps 1.2 lc rgb variable title 'release', "
                        "$miss using 1:2 with points pt 2 ps 2 lw 2 lc rgb '#D00000' title 'deadline missed', "
                        "$rows using (NaN):2:ytic(L[int($1)]) notitle\n");
    return an_gp_run(g, out);
}

static int response(const an_trace_report *r, const char *out)
{
    if (r->jobs->len == 0) {
        fprintf(stderr, "cossim plot: no job finished in this trace\n");
        return 2;
    }
    g_autofree char *title = g_strdup_printf("Response time of every job in %s (dashed: observed-input bound; dotted: safe bound)", r->scenario);
    an_gp *g = header(out, title);
    GString *gp = an_gp_text(g);
    g_string_append(gp, "set xlabel 'Release time (ms)'\nset ylabel 'Response time (us)'\nset key outside right top\n"
                        "set yrange [0:*]\n");
    if (r->tasks->len > 16)
        g_string_append(gp, "set key off\n");
    /* one data block per task, then the plot command naming each */
    GString *plot = g_string_new("plot ");
    GString *d = g_string_new(NULL);
    int curves = 0;
    for (guint t = 0; t < r->tasks->len; t++) {
        const an_trace_task *task = &g_array_index(r->tasks, an_trace_task, t);
        if (!task->jobs)
            continue;
        g_string_truncate(d, 0);
        for (guint i = 0; i < r->jobs->len; i++) {
            const an_trace_job *j = &g_array_index(r->jobs, an_trace_job, i);
            if (j->task == (int64_t)t)
                g_string_append_printf(d, "%.9f %.6f\n", j->release_ps / 1e9, j->response_ps / 1e6);
        }
        g_autofree char *name = g_strdup_printf("t%u", t);
        an_gp_data(g, name, d->str);
        g_autofree char *l = task_label(r, task);
        g_string_append_printf(plot, "%s$t%u using 1:2 with points pt 7 ps 0.6 lc rgb '%s' title L[%d]",
                               curves++ ? ", " : "", t, an_gp_colour(t), an_gp_label(g, l));
        if (task->has_bound && task->bound_ok)
            g_string_append_printf(plot, ", %.6f with lines dt 2 lw 1.5 lc rgb '%s' notitle", task->bound_ps / 1e6,
                                   an_gp_colour(t));
        if (task->has_safe && task->safe_ok)
            g_string_append_printf(plot, ", %.6f with lines dt 3 lw 1.5 lc rgb '%s' notitle", task->safe_ps / 1e6,
                                   an_gp_colour(t));
    }
    g_string_append_printf(gp, "%s\n", plot->str);
    g_string_free(plot, TRUE);
    g_string_free(d, TRUE);
    return an_gp_run(g, out);
}

static int breakdown(const an_trace_report *r, const char *out, bool mean)
{
    if (r->jobs->len == 0 || !r->has_timeline) {
        fprintf(stderr, "cossim plot: no job or no timeline in this trace%s\n",
                r->level == SIMTR_LEVEL_JOBS ? " (it was written at --trace-level jobs)" : "");
        return 2;
    }
    g_autofree char *title = g_strdup_printf("%s: response time by cause, %s", r->scenario,
                                             mean ? "mean per job" : "each task's worst job");
    an_gp *g = header(out, title);
    GString *gp = an_gp_text(g);
    g_string_append(gp, "set ylabel 'Time (us)'\nset style data histograms\nset style histogram rowstacked\n"
                        "set style fill solid 1.0 border rgb '#333333'\nset boxwidth 0.7\nset key outside right top\n"
                        "set xtics rotate by -30\nset yrange [0:*]\n");
    /* a row per task: its label's number, then its parts */
    GString *d = g_string_new(NULL);
    for (guint t = 0; t < r->tasks->len; t++) {
        const an_trace_task *task = &g_array_index(r->tasks, an_trace_task, t);
        if (!task->jobs || task->worst_job < 0)
            continue;
        g_autofree char *l = task_label(r, task);
        g_string_append_printf(d, "%d", an_gp_label(g, l));
        const an_trace_job *w = &g_array_index(r->jobs, an_trace_job, task->worst_job);
        for (int b = 0; b < AN_BD_N; b++)
            g_string_append_printf(d, " %.6f", (mean ? task->bd_mean[b] : (double)w->bd[b]) / 1e6);
        g_string_append_c(d, '\n');
    }
    an_gp_data(g, "bd", d->str);
    g_string_free(d, TRUE);
    g_string_append(gp, "plot ");
    for (int b = 0; b < AN_BD_N; b++)
        g_string_append_printf(gp, "%s$bd using %d%s lc rgb '%s' title L[%d]", b ? ", " : "", b + 2,
                               b ? "" : ":xtic(L[int($1)])", bd_colour(b), an_gp_label(g, an_bd_name(b)));
    g_string_append_c(gp, '\n');
    return an_gp_run(g, out);
}

static int counters(const char *path, const char *out)
{
    static const char *const names[] = { "l1i_misses", "l1d_misses", "l2_misses", "l3_misses", "peer_transfers",
                                         "invalidations", "upgrades", "mem_reads", "writebacks", "tlb_misses",
                                         "interrupts" };
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    GString *q = g_string_new("SELECT c.core");
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
        g_string_append_printf(q, ", c.%s", names[i]);
    g_string_append(q, ", (SELECT scenario FROM run) FROM counters c "
                       "WHERE c.id = (SELECT max(d.id) FROM counters d WHERE d.core = c.core) ORDER BY c.core");
    int rc = 2;
    int64_t cores = 0;
    char *scenario = NULL, *title = NULL;
    GError *err = NULL;
    if ((db = simtr_open_read(path, &err)) == NULL) {
        fprintf(stderr, "cossim plot: %s\n", err->message);
        g_error_free(err);
        goto out;
    }
    if (sqlite3_prepare_v2(db, q->str, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "cossim plot: %s: no counters table (%s)\n", path, sqlite3_errmsg(db));
        goto out;
    }
    /* one row per counter, one column per core */
    int64_t v[G_N_ELEMENTS(names)][64] = { { 0 } };
    while (sqlite3_step(st) == SQLITE_ROW && cores < 64) {
        for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
            v[i][cores] = sqlite3_column_int64(st, (int)i + 1);
        if (!scenario)
            scenario = g_strdup((const char *)sqlite3_column_text(st, (int)G_N_ELEMENTS(names) + 1));
        cores++;
    }
    if (cores == 0) {
        fprintf(stderr, "cossim plot: %s: the counters table is empty\n", path);
        goto out;
    }
    title = g_strdup_printf("Hardware counters of %s at the end of the run", scenario ? scenario : path);
    an_gp *g = header(out, title);
    GString *gp = an_gp_text(g);
    g_string_append(gp, "set ylabel 'Count (log scale)'\nset logscale y\nset yrange [0.8:*]\n"
                        "set style data histograms\nset style histogram clustered gap 1\n"
                        "set style fill solid 1.0 border rgb '#333333'\nset key outside right top\n"
                        "set xtics rotate by -30\n");
    /* a row per counter: its label's number, then one column per core */
    GString *d = g_string_new(NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        g_string_append_printf(d, "%d", an_gp_label(g, names[i]));
        for (int64_t c = 0; c < cores; c++)
            g_string_append_printf(d, " %" PRId64, v[i][c] > 0 ? v[i][c] : 0);
        g_string_append_c(d, '\n');
    }
    an_gp_data(g, "c", d->str);
    g_string_free(d, TRUE);
    g_string_append(gp, "plot ");
    for (int64_t c = 0; c < cores; c++)
        g_string_append_printf(gp, "%s$c using ($%" PRId64 " > 0 ? $%" PRId64 " : 1/0)%s lc rgb '%s' title 'core %" PRId64 "'",
                               c ? ", " : "", c + 2, c + 2, c ? "" : ":xtic(L[int($1)])", an_gp_colour(c + 6), c);
    g_string_append_c(gp, '\n');
    rc = an_gp_run(g, out);
out:
    g_free(scenario);
    g_free(title);
    g_string_free(q, TRUE);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rc;
}

int an_plot_trace(const char *kind, const char *path, const char *out, const an_plot_opts *o)
{
    if (strcmp(kind, "counters") == 0) {
        if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
            fprintf(stderr, "cossim plot: %s: no such trace\n", path);
            return 2;
        }
        return counters(path, out);
    }
    an_trace_report r;
    GError *err = NULL;
    an_trace_opts ro = { .segments = strcmp(kind, "gantt") == 0 };
    if (!an_trace_read(path, &ro, &r, &err)) {
        fprintf(stderr, "cossim plot: %s\n", err->message);
        g_error_free(err);
        return 2;
    }
    int rc = strcmp(kind, "gantt") == 0      ? gantt(&r, path, out, o)
             : strcmp(kind, "response") == 0 ? response(&r, out)
                                             : breakdown(&r, out, o->mean);
    an_trace_clear(&r);
    return rc;
}
