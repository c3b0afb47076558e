/* analysis/trace.c: a run's trace, per task, per job and per core (see
 * trace.h; the printing is in trace_print.c, the analytic bound in
 * trace_bound.c). */
#include "trace.h"
#include "trace_db.h"
#include "sim/trace_names.h"

#include <inttypes.h>
#include <string.h>
#include <sqlite3.h>

#include "trace_internal.h"
#include "sim/trace.h"

#define ERR(...) do { g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, __VA_ARGS__); goto out; } while (0)

const char *an_bd_name(an_bd b)
{
    static const char *const names[AN_BD_N] = {
        [AN_BD_OWN] = "own", [AN_BD_CROSS] = "cross_core", [AN_BD_PREEMPT] = "preemption",
        [AN_BD_IRQ] = "interrupts", [AN_BD_KERNEL] = "kernel", [AN_BD_SCHED] = "scheduler",
        [AN_BD_LOCK] = "lock", [AN_BD_LOWER] = "lower_priority", [AN_BD_OTHER] = "other_threads",
        [AN_BD_IDLE] = "not_ready",
    };
    return b < AN_BD_N ? names[b] : "?";
}

static char *col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *s = sqlite3_column_text(st, i);
    return g_strdup(s ? (const char *)s : "");
}

/* A trace is read as untrusted input (anyone can edit one with one SQL
 * statement): every number used as an index or in a difference is checked
 * where it is read, and a row out of range stops the read with its table
 * and row named, so nothing below indexes or subtracts unchecked.  The
 * writer never makes such rows. */
#define MAX_CORE 4096               /* cores of a run, as sim/ and model/ allow */

/* ---- what each thread is -------------------------------------------------------------- */

enum { TH_NONE, TH_TASK, TH_SCHED, TH_IRQ };

/* Thread ids are per kernel: a run with several machines has a thread 1
 * on each, so a thread is known by its machine's first core and its id. */
typedef struct thread_info {
    int64_t key;            /* first core << 32 | thread id */
    uint8_t cls;
    int32_t task;
    GArray *locks;          /* int64 pairs: [wait, acquire) intervals, in time order */
    int64_t lock_since;     /* -1: not waiting */
    GArray *inv;            /* int64 pairs: (time, component) of open invocations */
} thread_info;

struct ev_ctx;

typedef struct reader {
    sqlite3 *db;
    struct ev_ctx *ev;      /* the event pass's kinds and open stretches */
    an_trace_report *r;
    GHashTable *threads;    /* &thread_info.key -> thread_info * */
    GArray *machines;       /* int64: each machine's first core, increasing */
    GPtrArray *core_segs;   /* GArray of an_trace_seg per core */
    GPtrArray *core_irqs;   /* GArray of int64 irq times per core */
    GHashTable *inv_by_comp;    /* &(first core << 32 | component) -> index in r->invocations */
    GArray *inv_sum;        /* double sums of invocation time, parallel to r->invocations */
    char *bad;              /* the first row out of range: the read stops there */
} reader;

/* Stop the read at this row (the first reason is kept). */
static void bad_row(reader *rd, const char *table, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static void bad_row(reader *rd, const char *table, const char *fmt, ...)
{
    if (rd->bad)
        return;
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *m = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    rd->bad = g_strdup_printf("the %s table has a row the writer never makes (%s): the trace was edited or is "
                              "damaged", table, m);
}

static bool core_ok(int64_t core)
{
    return core >= 0 && core <= MAX_CORE;
}

/* A time or a count: never negative (so that differences of two fit). */
static bool nonneg(int64_t v)
{
    return v >= 0;
}

static int64_t thread_key(const reader *rd, int64_t core, int64_t id)
{
    int64_t first = 0;
    for (guint i = 0; i < rd->machines->len && g_array_index(rd->machines, int64_t, i) <= core; i++)
        first = g_array_index(rd->machines, int64_t, i);
    return first << 32 | (id & 0xffffffff);
}

/* The thread `id` of the machine of `core`; NULL for idle (0) and bad ids. */
static thread_info *find_thread(const reader *rd, int64_t core, int64_t id)
{
    if (id <= 0 || id > 0xffffffff)
        return NULL;
    int64_t key = thread_key(rd, core, id);
    return g_hash_table_lookup(rd->threads, &key);
}

static thread_info *thread_at(reader *rd, int64_t core, int64_t id)
{
    thread_info *t = find_thread(rd, core, id);
    if (t || id <= 0 || id > 0xffffffff)
        return t;
    t = g_new0(thread_info, 1);
    t->key = thread_key(rd, core, id);
    t->task = -1;
    t->lock_since = -1;
    g_hash_table_insert(rd->threads, &t->key, t);
    return t;
}

static void free_thread(gpointer p)
{
    thread_info *t = p;
    if (t->locks)
        g_array_free(t->locks, TRUE);
    if (t->inv)
        g_array_free(t->inv, TRUE);
    g_free(t);
}

static GArray *per_core(GPtrArray *a, int64_t core, size_t elt)
{
    if (!core_ok(core))
        return NULL;
    while (a->len <= (guint)core)
        g_ptr_array_add(a, g_array_new(FALSE, TRUE, (guint)elt));
    return a->pdata[core];
}

/* Run a query whose rows each call fn; false with the message. */
static bool each_row(sqlite3 *db, const char *q, void (*fn)(reader *, sqlite3_stmt *), reader *rd, GError **error)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, q, -1, &st, NULL) != SQLITE_OK) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s", sqlite3_errmsg(db));
        return false;
    }
    int rc;
    while (rd->bad == NULL && (rc = sqlite3_step(st)) == SQLITE_ROW)
        fn(rd, st);
    bool ok = rd->bad == NULL && rc == SQLITE_DONE;
    if (rd->bad)
        g_set_error_literal(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, rd->bad);
    else if (!ok)
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return ok;
}

static void row_task(reader *rd, sqlite3_stmt *st)
{
    an_trace_task t = {
        .task = sqlite3_column_int64(st, 0), .name = col_text(st, 1), .core = sqlite3_column_int64(st, 2),
        .policy = col_text(st, 3), .priority = sqlite3_column_int64(st, 4),
        .period_ps = sqlite3_column_int64(st, 5), .deadline_ps = sqlite3_column_int64(st, 6),
        .jobs = sqlite3_column_int64(st, 7), .missed = sqlite3_column_int64(st, 8),
        .best_ps = sqlite3_column_int64(st, 9), .worst_ps = sqlite3_column_int64(st, 10),
        .mean_ps = sqlite3_column_double(st, 11), .start_max_ps = sqlite3_column_int64(st, 12),
        .jitter_ps = sqlite3_column_int64(st, 13),
        .wcet_cycles = sqlite3_column_type(st, 14) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 14),
        .worst_job = -1, .grouped = sqlite3_column_type(st, 15) != SQLITE_NULL,
        .budget_ps = sqlite3_column_int64(st, 16),
    };
    if (!core_ok(t.core) || !nonneg(t.period_ps) || !nonneg(t.deadline_ps) || !nonneg(t.jitter_ps) ||
        !nonneg(t.budget_ps) || !nonneg(t.best_ps) || !nonneg(t.worst_ps) || !nonneg(t.start_max_ps))
        bad_row(rd, "tasks", "task %" PRId64 ": a core out of range or a negative time", t.task);
    g_array_append_val(rd->r->tasks, t);
}

static void row_core(reader *rd, sqlite3_stmt *st)
{
    an_trace_core c = { .core = sqlite3_column_int64(st, 0), .kernel_cycles = sqlite3_column_int64(st, 1),
                        .user_cycles = sqlite3_column_int64(st, 2), .interrupts = sqlite3_column_int64(st, 3),
                        .cross_cycles = sqlite3_column_int64(st, 4), .freq_hz = sqlite3_column_int64(st, 5),
                        .user_cross_cycles = sqlite3_column_int64(st, 6), .evict_misses = sqlite3_column_int64(st, 7),
                        .evict_cycles = sqlite3_column_int64(st, 8) };
    if (!core_ok(c.core) || !nonneg(c.kernel_cycles) || !nonneg(c.user_cycles) || !nonneg(c.interrupts) ||
        !nonneg(c.cross_cycles) || !nonneg(c.freq_hz) || !nonneg(c.user_cross_cycles) || !nonneg(c.evict_misses) ||
        !nonneg(c.evict_cycles))
        bad_row(rd, "counters", "core %" PRId64 ": a core out of range or a negative count", c.core);
    g_array_append_val(rd->r->cores, c);
}

static void row_path(reader *rd, sqlite3_stmt *st)
{
    an_trace_path p = { .first_core = sqlite3_column_int64(st, 0), .path = col_text(st, 1),
                        .n = sqlite3_column_int64(st, 2), .cycles = sqlite3_column_int64(st, 3),
                        .max_cycles = sqlite3_column_int64(st, 4) };
    if (!core_ok(p.first_core) || !nonneg(p.n) || !nonneg(p.cycles) || !nonneg(p.max_cycles))
        bad_row(rd, "kernel_paths", "first core %" PRId64 ": a core out of range or a negative count",
                p.first_core);
    g_array_append_val(rd->r->paths, p);
}

static void row_task_thread(reader *rd, sqlite3_stmt *st)
{
    int64_t core = sqlite3_column_int64(st, 0), task = sqlite3_column_int64(st, 2);
    if (!core_ok(core) || task < 0 || task >= (int64_t)rd->r->tasks->len) {
        bad_row(rd, "jobs", "task %" PRId64 " on core %" PRId64 ": no such task or core", task, core);
        return;
    }
    thread_info *t = thread_at(rd, core, sqlite3_column_int64(st, 1));
    if (t) {
        t->cls = TH_TASK;
        t->task = (int32_t)sqlite3_column_int64(st, 2);
    }
}

static void row_sched_thread(reader *rd, sqlite3_stmt *st)
{
    thread_info *t = thread_at(rd, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1));
    if (t && t->cls == TH_NONE)
        t->cls = TH_SCHED;
}

static void row_irq_thread(reader *rd, sqlite3_stmt *st)
{
    thread_info *t = thread_at(rd, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1));
    if (t && t->cls == TH_NONE)
        t->cls = TH_IRQ;
}

/* ---- the events: switches, interrupts, invocations, lock waits ------------------------ */

typedef struct open_seg {
    bool open;
    an_trace_seg s;
} open_seg;

typedef struct ev_ctx {
    int64_t k_switch, k_ulswitch, k_irq, k_sinv, k_sret, u_wait, u_acquire;
    GArray *open;           /* open_seg per core */
    int64_t max_a1;
    int64_t last_t;         /* the previous event's time: the writer's never go back */
} ev_ctx;

static int32_t task_of(reader *rd, int64_t core, int64_t thread)
{
    thread_info *t = find_thread(rd, core, thread);
    return t && t->cls == TH_TASK ? t->task : -1;
}

static void close_seg(reader *rd, open_seg *o, int64_t end, int64_t kc, int64_t xc)
{
    an_trace_seg s = o->s;
    s.end_ps = end;
    s.kernel_cycles = kc >= s.kernel_cycles ? kc - s.kernel_cycles : 0;
    s.cross_cycles = xc >= s.cross_cycles ? xc - s.cross_cycles : 0;
    GArray *a = per_core(rd->core_segs, s.core, sizeof(an_trace_seg));
    if (a && end >= s.start_ps)
        g_array_append_val(a, s);
}

static void row_event(reader *rd, sqlite3_stmt *st)
{
    ev_ctx *e = rd->ev;
    int64_t t = sqlite3_column_int64(st, 0), core = sqlite3_column_int64(st, 1), kind = sqlite3_column_int64(st, 2);
    int64_t thread = sqlite3_column_type(st, 3) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, 3);
    /* times in [0, end] and never going back (the engine's clock), so the
     * stretches of a core are disjoint and any sum of them fits */
    if (!core_ok(core) || t < e->last_t || t > rd->r->end_ps) {
        bad_row(rd, "events", "time %" PRId64 " on core %" PRId64 ": a core out of range, or a time before the "
                "previous event's or after the run's end", t, core);
        return;
    }
    e->last_t = t;
    if (kind == e->k_switch || kind == e->k_ulswitch) {   /* a dispatch by the kernel or at user level */
        int64_t to = sqlite3_column_type(st, 5) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, 5);
        int64_t kc = sqlite3_column_int64(st, 6), xc = sqlite3_column_int64(st, 7);
        e->max_a1 = MAX(e->max_a1, kc);
        if (e->open->len <= (guint)core)
            g_array_set_size(e->open, (guint)core + 1);
        open_seg *o = &g_array_index(e->open, open_seg, core);
        if (!o->open)   /* the core's time before its first switch: the boot */
            o->s = (an_trace_seg){ .start_ps = 0, .thread = -1, .core = (int32_t)core, .task = -1 };
        close_seg(rd, o, t, kc, xc);
        o->open = true;
        o->s = (an_trace_seg){ .start_ps = t, .thread = to, .kernel_cycles = kc, .cross_cycles = xc,
                               .core = (int32_t)core, .task = task_of(rd, core, to) };
    } else if (kind == e->k_irq) {
        GArray *a = per_core(rd->core_irqs, core, sizeof(int64_t));
        g_array_append_val(a, t);
    } else if (kind == e->k_sinv || kind == e->k_sret) {
        thread_info *ti = thread_at(rd, core, thread);
        if (ti == NULL)
            return;
        if (ti->inv == NULL)
            ti->inv = g_array_new(FALSE, FALSE, sizeof(int64_t));
        if (kind == e->k_sinv) {
            int64_t pair[2] = { t, sqlite3_column_int64(st, 4) };
            g_array_append_vals(ti->inv, pair, 2);
        } else if (ti->inv->len >= 2) {
            int64_t since = g_array_index(ti->inv, int64_t, ti->inv->len - 2);
            int64_t comp = g_array_index(ti->inv, int64_t, ti->inv->len - 1);
            g_array_set_size(ti->inv, ti->inv->len - 2);
            gpointer v;
            guint i;
            /* component ids are per kernel too: keyed like threads */
            int64_t key = thread_key(rd, core, comp);
            if (g_hash_table_lookup_extended(rd->inv_by_comp, &key, NULL, &v)) {
                i = GPOINTER_TO_UINT(v);
            } else {
                i = rd->r->invocations->len;
                an_trace_inv z = { .component = comp, .first_core = key >> 32 };
                double zero = 0;
                g_array_append_val(rd->r->invocations, z);
                g_array_append_val(rd->inv_sum, zero);
                int64_t *k = g_new(int64_t, 1);
                *k = key;
                g_hash_table_insert(rd->inv_by_comp, k, GUINT_TO_POINTER(i));
            }
            an_trace_inv *iv = &g_array_index(rd->r->invocations, an_trace_inv, i);
            iv->n++;
            iv->max_ps = MAX(iv->max_ps, t - since);
            g_array_index(rd->inv_sum, double, i) += (double)(t - since);
        }
    } else if (kind == e->u_wait || kind == e->u_acquire) {
        thread_info *ti = thread_at(rd, core, thread);
        if (ti == NULL)
            return;
        if (kind == e->u_wait) {
            ti->lock_since = t;
        } else if (ti->lock_since >= 0) {
            if (ti->locks == NULL)
                ti->locks = g_array_new(FALSE, FALSE, sizeof(int64_t));
            int64_t pair[2] = { ti->lock_since, t };
            g_array_append_vals(ti->locks, pair, 2);
            ti->lock_since = -1;
        }
    }
}

/* ---- per job -------------------------------------------------------------------------- */

/* The mean cost of the kernel's interrupt path on a core's machine (ps). */
static int64_t irq_path_ps(const an_trace_report *r, int64_t core, bool max)
{
    const an_trace_path *best = NULL;
    for (guint i = 0; i < r->paths->len; i++) {
        const an_trace_path *p = &g_array_index(r->paths, an_trace_path, i);
        if (strcmp(p->path, "irq") == 0 && p->first_core <= core && (best == NULL || p->first_core > best->first_core))
            best = p;
    }
    if (best == NULL || best->n == 0)
        return 0;
    return an_trace_ps(max ? best->max_cycles : best->cycles / best->n + (best->cycles % best->n != 0), an_trace_core_freq(r, core));
}

/* First index in a sorted int64 array (or seg array by end) past t. */
static guint first_irq_at(GArray *a, int64_t t)
{
    guint lo = 0, hi = a->len;
    while (lo < hi) {
        guint mid = (lo + hi) / 2;
        if (g_array_index(a, int64_t, mid) < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static guint first_seg_ending_after(GArray *a, int64_t t)
{
    guint lo = 0, hi = a->len;
    while (lo < hi) {
        guint mid = (lo + hi) / 2;
        if (g_array_index(a, an_trace_seg, mid).end_ps <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* How much of [lo, hi) the thread spent waiting for a lock. */
static int64_t lock_overlap(const thread_info *ti, int64_t lo, int64_t hi)
{
    if (ti == NULL || ti->locks == NULL)
        return 0;
    int64_t sum = 0;
    for (guint i = 0; i + 1 < ti->locks->len; i += 2) {
        int64_t a = g_array_index(ti->locks, int64_t, i), b = g_array_index(ti->locks, int64_t, i + 1);
        if (a >= hi)
            break;
        if (b > lo)
            sum += MIN(b, hi) - MAX(a, lo);
    }
    return sum;
}

static int64_t scale(int64_t v, int64_t part, int64_t whole)
{
    return whole > 0 && part < whole ? (int64_t)((__int128)v * part / whole) : v;
}

static void breakdown(reader *rd, an_trace_job *j, int64_t *own_total, int64_t *susp)
{
    an_trace_report *r = rd->r;
    const an_trace_task *me = (guint)j->task < r->tasks->len ? &g_array_index(r->tasks, an_trace_task, j->task) : NULL;
    GArray *segs = j->core < (int64_t)rd->core_segs->len ? rd->core_segs->pdata[j->core] : NULL;
    int64_t freq = an_trace_core_freq(r, j->core);
    const thread_info *mine = find_thread(rd, j->core, j->thread);
    bool edf = me && strcmp(me->policy, "edf") == 0;
    int64_t r0 = j->release_ps, f = j->finish_ps;
    *own_total = 0;
    *susp = 0;
    if (segs == NULL || segs->len == 0) {
        j->bd[AN_BD_OWN] = f - r0;
        *own_total = f - r0;
        return;
    }
    for (guint i = first_seg_ending_after(segs, r0); i < segs->len; i++) {
        const an_trace_seg *s = &g_array_index(segs, an_trace_seg, i);
        if (s->start_ps >= f)
            break;
        int64_t lo = MAX(s->start_ps, r0), hi = MIN(s->end_ps, f), d = hi - lo, len = s->end_ps - s->start_ps;
        if (d <= 0)
            continue;
        int64_t k = MIN(scale(an_trace_ps(s->kernel_cycles, freq), d, len), d);
        int64_t x = MIN(scale(an_trace_ps(s->cross_cycles, freq), d, len), d - k);
        j->bd[AN_BD_KERNEL] += k;
        int64_t rest = d - k;
        if (s->thread == j->thread) {
            j->bd[AN_BD_CROSS] += x;
            j->bd[AN_BD_OWN] += rest - x;
            *own_total += d;
            continue;
        }
        const thread_info *ti = find_thread(rd, s->core, s->thread);
        int cls = ti ? ti->cls : TH_NONE;
        if (cls == TH_SCHED) {
            j->bd[AN_BD_SCHED] += rest;
            continue;
        }
        if (cls == TH_IRQ) {
            j->bd[AN_BD_IRQ] += rest;
            continue;
        }
        bool higher = false;
        if (cls == TH_TASK && (guint)ti->task < r->tasks->len && me) {
            const an_trace_task *o = &g_array_index(r->tasks, an_trace_task, ti->task);
            higher = edf || o->priority <= me->priority;
        }
        if (higher) {
            j->bd[AN_BD_PREEMPT] += rest;
            if (j->preempt == NULL)
                j->preempt = g_new0(int64_t, r->tasks->len);
            j->preempt[ti->task] += rest;
            continue;
        }
        int64_t lk = scale(rest, lock_overlap(mine, lo, hi), d);
        j->bd[AN_BD_LOCK] += lk;
        rest -= lk;
        an_bd where = s->thread == 0 ? AN_BD_IDLE : cls == TH_TASK ? AN_BD_LOWER : AN_BD_OTHER;
        j->bd[where] += rest;
        /* after its start, the job was suspended (or blocked) meanwhile */
        int64_t after = MIN(hi, f) - MAX(lo, j->start_ps);
        if (after > 0)
            *susp += scale(rest, after, d);
    }
    /* the kernel's interrupt paths in the window: count x mean cost, out of
     * the kernel time */
    GArray *irqs = j->core < (int64_t)rd->core_irqs->len ? rd->core_irqs->pdata[j->core] : NULL;
    if (irqs) {
        int64_t n = (int64_t)first_irq_at(irqs, f) - (int64_t)first_irq_at(irqs, r0);
        int64_t est = MIN(an_trace_sat_mul(n, irq_path_ps(r, j->core, false)), j->bd[AN_BD_KERNEL]);
        j->bd[AN_BD_KERNEL] -= est;
        j->bd[AN_BD_IRQ] += est;
    }
}

static void row_job(reader *rd, sqlite3_stmt *st)
{
    an_trace_report *r = rd->r;
    an_trace_job j = {
        .task = sqlite3_column_int64(st, 0), .job = sqlite3_column_int64(st, 1), .core = sqlite3_column_int64(st, 2),
        .thread = sqlite3_column_int64(st, 3), .release_ps = sqlite3_column_int64(st, 4),
        .start_ps = sqlite3_column_int64(st, 5), .finish_ps = sqlite3_column_int64(st, 6),
        .deadline_ps = sqlite3_column_int64(st, 7), .response_ps = sqlite3_column_int64(st, 8),
        .missed = sqlite3_column_int64(st, 9) != 0,
    };
    /* every job the tasks' aggregates counted is kept, so a task with jobs
     * always has a worst one */
    if (j.task < 0 || j.task >= (int64_t)r->tasks->len || !core_ok(j.core) || !nonneg(j.release_ps) ||
        j.start_ps < j.release_ps || j.finish_ps < j.start_ps || j.finish_ps > r->end_ps || !nonneg(j.deadline_ps) ||
        !nonneg(j.response_ps)) {
        bad_row(rd, "jobs", "task %" PRId64 " job %" PRId64 ": no such task or core, or times out of order "
                "(release <= start <= finish <= the run's end)", j.task, j.job);
        return;
    }
    int64_t own_total, susp;
    breakdown(rd, &j, &own_total, &susp);
    if ((guint)j.task < r->tasks->len) {
        an_trace_task *t = &g_array_index(r->tasks, an_trace_task, j.task);
        for (int b = 0; b < AN_BD_N; b++)
            t->bd_mean[b] += (double)j.bd[b];
        if (j.preempt) {
            if (t->preempt_mean == NULL)
                t->preempt_mean = g_new0(double, r->tasks->len);
            for (guint k = 0; k < r->tasks->len; k++)
                t->preempt_mean[k] += (double)j.preempt[k];
        }
        if (t->worst_job < 0 || j.response_ps > g_array_index(r->jobs, an_trace_job, t->worst_job).response_ps)
            t->worst_job = r->jobs->len;
        t->own_max_ps = MAX(t->own_max_ps, own_total);
        t->lock_max_ps = MAX(t->lock_max_ps, j.bd[AN_BD_LOCK]);
        t->susp_max_ps = MAX(t->susp_max_ps, susp);
    }
    g_array_append_val(r->jobs, j);
}

/* ---- per core ------------------------------------------------------------------------- */

static void core_totals(reader *rd)
{
    an_trace_report *r = rd->r;
    for (guint i = 0; i < r->cores->len; i++) {
        an_trace_core *c = &g_array_index(r->cores, an_trace_core, i);
        GArray *segs = c->core < (int64_t)rd->core_segs->len ? rd->core_segs->pdata[c->core] : NULL;
        if (segs == NULL || segs->len == 0) {
            c->utilisation = -1;    /* no timeline */
            continue;
        }
        for (guint k = 0; k < segs->len; k++) {
            const an_trace_seg *s = &g_array_index(segs, an_trace_seg, k);
            int64_t d = s->end_ps - s->start_ps, kp = MIN(an_trace_ps(s->kernel_cycles, c->freq_hz), d), rest = d - kp;
            c->kernel_ps += kp;
            const thread_info *ti = find_thread(rd, s->core, s->thread);
            int cls = ti ? ti->cls : TH_NONE;
            if (s->thread == 0)
                c->idle_ps += rest;
            else if (cls == TH_TASK)
                c->task_ps += rest;
            else if (cls == TH_SCHED)
                c->sched_ps += rest;
            else if (cls == TH_IRQ) {
                c->irq_ps += rest;
                c->irq_thread_ps += rest;
            }
            else
                c->other_ps += rest;
        }
        GArray *irqs = c->core < (int64_t)rd->core_irqs->len ? rd->core_irqs->pdata[c->core] : NULL;
        if (irqs) {
            int64_t est = MIN(an_trace_sat_mul((int64_t)irqs->len, irq_path_ps(r, c->core, false)), c->kernel_ps);
            c->kernel_ps -= est;
            c->irq_ps += est;
        }
        c->utilisation = r->end_ps > 0 ? 1.0 - (double)c->idle_ps / (double)r->end_ps : 0;
    }
}

/* ---- the measured overheads (the bound itself: trace_bound.c) ------------------------- */

static void measure_overheads(reader *rd)
{
    an_trace_report *r = rd->r;
    int64_t sched = 0, irq = 0, ctx = 0;
    for (guint c = 0; c < rd->core_segs->len; c++) {
        GArray *segs = rd->core_segs->pdata[c];
        for (guint k = 0; k < segs->len; k++) {
            const an_trace_seg *s = &g_array_index(segs, an_trace_seg, k);
            /* (not the stretch before a core's first switch: that is the boot) */
            const thread_info *ti = s->start_ps > 0 ? find_thread(rd, s->core, s->thread) : NULL;
            if (ti && ti->cls == TH_SCHED)
                sched = MAX(sched, s->end_ps - s->start_ps);
        }
        irq = MAX(irq, irq_path_ps(r, c, true));
    }
    for (guint i = 0; i < r->paths->len; i++) {
        const an_trace_path *p = &g_array_index(r->paths, an_trace_path, i);
        if (strcmp(p->path, "thd_switch") == 0)
            ctx = MAX(ctx, an_trace_ps(p->max_cycles, an_trace_core_freq(r, p->first_core)));
    }
    r->oh = (an_trace_overheads){ .ctx_switch = ctx, .sched = sched, .irq = an_trace_sat_add(irq, sched) };
}

/* ---- the whole read ------------------------------------------------------------------- */

bool an_trace_read(const char *path, const an_trace_opts *opts, an_trace_report *out, GError **error)
{
    *out = (an_trace_report){ .tasks = g_array_new(FALSE, TRUE, sizeof(an_trace_task)),
                              .cores = g_array_new(FALSE, TRUE, sizeof(an_trace_core)),
                              .jobs = g_array_new(FALSE, TRUE, sizeof(an_trace_job)),
                              .segs = g_array_new(FALSE, TRUE, sizeof(an_trace_seg)),
                              .invocations = g_array_new(FALSE, TRUE, sizeof(an_trace_inv)),
                              .paths = g_array_new(FALSE, TRUE, sizeof(an_trace_path)),
                              .sections = g_array_new(FALSE, TRUE, sizeof(an_trace_section)) };
    reader rd = { .r = out, .threads = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, free_thread),
                  .machines = g_array_new(FALSE, FALSE, sizeof(int64_t)),
                  .core_segs = g_ptr_array_new_with_free_func((GDestroyNotify)g_array_unref),
                  .core_irqs = g_ptr_array_new_with_free_func((GDestroyNotify)g_array_unref),
                  .inv_by_comp = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL), .inv_sum = g_array_new(FALSE, TRUE, sizeof(double)) };
    ev_ctx ev = { .open = g_array_new(FALSE, TRUE, sizeof(open_seg)) };
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    GError *e2 = NULL;
    char *q_sched = NULL, *q_irq = NULL, *q_ev = NULL;
    bool ok = false;
    if (!g_file_test(path, G_FILE_TEST_IS_REGULAR))
        ERR("%s: no such trace", path);
    if ((db = simtr_open_read(path, &e2)) == NULL)
        ERR("%s", e2->message);
    rd.db = db;
    if (!an_db_has_table(db, TRN_RUN))
        ERR("%s: not a cossim trace (no run table)", path);
    if (!an_db_has_table(db, TRN_TASKS) || !an_db_has_table(db, TRN_JOBS))
        ERR("%s: no tasks or jobs tables (the run composed no system{...})", path);
    if (sqlite3_prepare_v2(db, "SELECT scenario, end_ps FROM run", -1, &st, NULL) != SQLITE_OK
        || sqlite3_step(st) != SQLITE_ROW)
        ERR("%s: cannot read the run: %s", path, sqlite3_errmsg(db));
    out->scenario = col_text(st, 0);
    out->end_ps = sqlite3_column_int64(st, 1);
    if (!nonneg(out->end_ps))
        ERR("%s: the run table's end_ps is negative: the trace was edited or is damaged", path);
    sqlite3_finalize(st);
    st = NULL;
    /* the level the trace was written at: all unless it says otherwise */
    out->level = SIMTR_LEVEL_ALL;
    if (an_db_has_table(db, TRN_TRACE_LEVEL)) {
        if (sqlite3_prepare_v2(db, "SELECT level FROM " TRN_TRACE_LEVEL, -1, &st, NULL) != SQLITE_OK ||
            sqlite3_step(st) != SQLITE_ROW || sqlite3_column_type(st, 0) != SQLITE_TEXT ||
            !simtr_level_parse((const char *)sqlite3_column_text(st, 0), &out->level) || sqlite3_step(st) != SQLITE_DONE)
            ERR("%s: the " TRN_TRACE_LEVEL " table does not hold one level (%s): the trace was edited or is damaged",
                path, SIMTR_LEVELS);
        sqlite3_finalize(st);
        st = NULL;
    }
#define Q(q, fn) do { if (!each_row(db, q, fn, &rd, &e2)) ERR("%s: %s", path, e2->message); } while (0)
    /* tasks, with their jobs' aggregates (tasks without jobs too) */
    Q("SELECT t.task, t.name, t.core, t.policy, t.priority, t.period_ps, t.deadline_ps, "
      "count(j.job), coalesce(sum(j.missed), 0), coalesce(min(j.response_ps), 0), coalesce(max(j.response_ps), 0), "
      "coalesce(avg(j.response_ps), 0), coalesce(max(j.start_ps - j.release_ps), 0), t.jitter_ps, t.wcet_cycles, t.group_name, t.budget_ps "
      "FROM " TRN_TASKS " t LEFT JOIN " TRN_JOBS " j ON j.task = t.task GROUP BY t.task ORDER BY t.task", row_task);
    for (guint i = 0; i < out->tasks->len; i++)
        if (g_array_index(out->tasks, an_trace_task, i).task != (int64_t)i)
            ERR("%s: the tasks table does not number its tasks 0, 1, ...", path);
    /* cores: each core's last counters row (counts are since the start);
     * a trace from before the user-mode and eviction columns: the switch
     * events' cross-core stamps were the whole cross_cycles then */
    if (an_db_has_table(db, TRN_COUNTERS))
        Q(an_db_has_column(db, TRN_COUNTERS, "user_cross_cycles")
              ? "SELECT c.core, c.kernel_cycles, c.user_cycles, c.interrupts, c.cross_cycles, c.freq_hz, "
                "c.user_cross_cycles, c.evict_misses, c.evict_cycles FROM counters c "
                "WHERE c.id = (SELECT max(d.id) FROM counters d WHERE d.core = c.core) ORDER BY c.core"
              : "SELECT c.core, c.kernel_cycles, c.user_cycles, c.interrupts, c.cross_cycles, c.freq_hz, "
                "c.cross_cycles, 0, 0 FROM counters c "
                "WHERE c.id = (SELECT max(d.id) FROM counters d WHERE d.core = c.core) ORDER BY c.core", row_core);
    if (an_db_has_table(db, TRN_KERNEL_PATHS))
        Q("SELECT first_core, path, n, cycles, max_cycles FROM " TRN_KERNEL_PATHS " ORDER BY id", row_path);
    /* what each thread is */
    for (guint i = 0; i < out->paths->len; i++) {
        int64_t fc = g_array_index(out->paths, an_trace_path, i).first_core;
        guint n = rd.machines->len;
        if (n == 0 || g_array_index(rd.machines, int64_t, n - 1) < fc)
            g_array_append_val(rd.machines, fc);
    }
    Q("SELECT DISTINCT core, thread, task FROM " TRN_JOBS, row_task_thread);
    int64_t u_sched = an_db_kind_id(db, TRN_U_SCHED), u_irq = an_db_kind_id(db, TRN_U_IRQ_THREAD);
    q_sched = g_strdup_printf("SELECT DISTINCT core, thread FROM events WHERE kind = %" PRId64 " AND thread IS NOT NULL AND core IS NOT NULL", u_sched);
    q_irq = g_strdup_printf("SELECT DISTINCT core, thread FROM events WHERE kind = %" PRId64 " AND thread IS NOT NULL AND core IS NOT NULL", u_irq);
    Q(q_sched, row_sched_thread);
    Q(q_irq, row_irq_thread);
    /* the events, in the run's order */
    ev.k_switch = an_db_kind_id(db, TRN_K_SWITCH);
    ev.k_ulswitch = an_db_kind_id(db, TRN_K_ULSWITCH);
    ev.k_irq = an_db_kind_id(db, TRN_K_IRQ);
    ev.k_sinv = an_db_kind_id(db, TRN_K_SINV);
    ev.k_sret = an_db_kind_id(db, TRN_K_SRET);
    ev.u_wait = an_db_kind_id(db, TRN_U_LOCK_WAIT);
    ev.u_acquire = an_db_kind_id(db, TRN_U_LOCK_ACQUIRE);
    q_ev = g_strdup_printf(
        "SELECT time_ps, core, kind, thread, component, a0, a1, a2 FROM events WHERE kind IN "
        "(%" PRId64 ", %" PRId64 ", %" PRId64 ", %" PRId64 ", %" PRId64 ", %" PRId64 ", %" PRId64 ") AND core IS NOT NULL ORDER BY id",
        ev.k_switch, ev.k_ulswitch, ev.k_irq, ev.k_sinv, ev.k_sret, ev.u_wait, ev.u_acquire);
    rd.ev = &ev;
    Q(q_ev, row_event);
    /* close each core's last stretch at the end of the run, with its final counters */
    for (guint c = 0; c < ev.open->len; c++) {
        open_seg *o = &g_array_index(ev.open, open_seg, c);
        if (!o->open)
            continue;
        int64_t kc = o->s.kernel_cycles, xc = o->s.cross_cycles;
        for (guint i = 0; i < out->cores->len; i++)
            if (g_array_index(out->cores, an_trace_core, i).core == (int64_t)c) {
                kc = g_array_index(out->cores, an_trace_core, i).kernel_cycles;
                xc = g_array_index(out->cores, an_trace_core, i).user_cross_cycles;
            }
        close_seg(&rd, o, out->end_ps, kc, xc);
    }
    out->has_timeline = ev.max_a1 > 0;
    for (guint i = 0; i < out->invocations->len; i++) {
        an_trace_inv *iv = &g_array_index(out->invocations, an_trace_inv, i);
        iv->mean_ps = iv->n ? g_array_index(rd.inv_sum, double, i) / (double)iv->n : 0;
    }
    /* the jobs, each against the timeline */
    Q("SELECT task, job, core, thread, release_ps, start_ps, finish_ps, deadline_ps, response_ps, missed "
      "FROM " TRN_JOBS " ORDER BY id", row_job);
    for (guint i = 0; i < out->tasks->len; i++) {
        an_trace_task *t = &g_array_index(out->tasks, an_trace_task, i);
        for (int b = 0; b < AN_BD_N && t->jobs; b++)
            t->bd_mean[b] /= (double)t->jobs;
        for (guint k = 0; t->preempt_mean && k < out->tasks->len; k++)
            t->preempt_mean[k] /= (double)t->jobs;
    }
    core_totals(&rd);
    measure_overheads(&rd);
    {
        g_autofree char *why = NULL;
        if (!an_trace_read_demand(db, out, &why))
            ERR("%s: %s", path, why);
    }
    an_trace_bounds(out);
    if (opts && opts->segments)
        for (guint c = 0; c < rd.core_segs->len; c++) {
            GArray *a = rd.core_segs->pdata[c];
            g_array_append_vals(out->segs, a->data, a->len);
        }
#undef Q
    ok = true;
out:
    g_clear_error(&e2);
    g_free(q_sched);
    g_free(q_irq);
    g_free(q_ev);
    sqlite3_finalize(st);
    sqlite3_close(db);
    g_hash_table_destroy(rd.threads);
    g_array_free(rd.machines, TRUE);
    g_ptr_array_free(rd.core_segs, TRUE);
    g_ptr_array_free(rd.core_irqs, TRUE);
    g_hash_table_destroy(rd.inv_by_comp);
    g_array_free(rd.inv_sum, TRUE);
    g_array_free(ev.open, TRUE);
    g_free(rd.bad);
    if (!ok)
        an_trace_clear(out);
    return ok;
}

const char *an_trace_level_note(simtr_level level)
{
    switch (level) {
    case SIMTR_LEVEL_JOBS:
        return "the trace was written at --trace-level jobs, without the kernel's and the components' events: "
               "no timeline, no response time breakdown, no invocations and no analytic bound (its overheads, "
               "execution times and blocking are measured from those events)";
    case SIMTR_LEVEL_KERNEL:
        return "the trace was written at --trace-level kernel, without the components' events: the user-level "
               "schedulers and interrupt threads are not told apart from other threads (their time is under "
               "other_threads), lock waits are not known (their time is under the other causes), "
               "and there is no analytic bound (the scheduler's overhead and the blocking come from those events)";
    case SIMTR_LEVEL_ALL:
        break;
    }
    return NULL;
}

void an_trace_clear(an_trace_report *r)
{
    if (r->tasks) {
        for (guint i = 0; i < r->tasks->len; i++) {
            an_trace_task *t = &g_array_index(r->tasks, an_trace_task, i);
            g_free(t->name);
            g_free(t->policy);
            g_free(t->preempt_mean);
            g_free(t->bound_note);
            g_free(t->demand_note);
            g_free(t->safe_note);
        }
        g_array_free(r->tasks, TRUE);
    }
    if (r->jobs) {
        for (guint i = 0; i < r->jobs->len; i++)
            g_free(g_array_index(r->jobs, an_trace_job, i).preempt);
        g_array_free(r->jobs, TRUE);
    }
    if (r->paths) {
        for (guint i = 0; i < r->paths->len; i++)
            g_free(g_array_index(r->paths, an_trace_path, i).path);
        g_array_free(r->paths, TRUE);
    }
    if (r->sections) {
        for (guint i = 0; i < r->sections->len; i++) {
            an_trace_section *x = &g_array_index(r->sections, an_trace_section, i);
            g_free(x->lock);
            g_free(x->protocol);
            g_free(x->note);
        }
        g_array_free(r->sections, TRUE);
    }
    if (r->cores)
        g_array_free(r->cores, TRUE);
    if (r->segs)
        g_array_free(r->segs, TRUE);
    if (r->invocations)
        g_array_free(r->invocations, TRUE);
    g_free(r->scenario);
    *r = (an_trace_report){ 0 };
}
