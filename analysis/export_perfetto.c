/* analysis/export_perfetto.c: a trace as the Trace Event Format (JSON),
 * which Perfetto's UI and chrome://tracing open (export.h, docs/export.md).
 *
 * What goes where (the importer's rules, as Perfetto's JSON parser applies
 * them: complete events `X` carry `dur` and must not overlap on a thread;
 * async `b`/`e` are paired by category and id; counters `C` carry numbers;
 * flows `s`/`f` are paired by category, name and id):
 *   - a process per machine, a thread per simulated core ("core N");
 *   - on a core's thread, an `X` per stretch a thread ran (between two
 *     switches, k.switch or k.ulswitch), named for the thread (its task,
 *     "scheduler", "interrupt thread" or "thread N"), with the stretch's
 *     kernel-mode and cross-core cycles ("boot" before the core's first
 *     switch, as analysis/trace.h counts it); idle stretches are left empty.
 *     Stretches of a core follow each other, so they never overlap;
 *   - `i` instants on the core: interrupts (k.irq) and deadline misses (at
 *     the late job's finish);
 *   - flows: each synchronous invocation (k.sinv to its k.sret, same
 *     thread) and each cross-core send (k.send to the next switch on the
 *     receiving core);
 *   - a counter per core, "core N cycles": its kernel-mode and user
 *     cross-core cycles so far, at each switch (the switch's a1, a2);
 *   - an async track per task (category "job"): each job from release to
 *     finish.  A task's late job may overlap its next: overlapping jobs go
 *     on lanes (ids) of their own, so pairs never cross.
 * Times: microseconds from simulated time zero with three decimals (the
 * nanosecond; picoseconds are cut, both ends of a stretch alike, so
 * neighbours still touch and never overlap).
 *
 * One pass over the events in their order; memory is per core, per thread
 * inside an invocation and per task, never per event.  The trace is
 * untrusted: a core out of range skips its row, a finish before its release
 * skips its job, and nothing read is used as an index unchecked.
 */
#include "export.h"

#include <inttypes.h>
#include <string.h>
#include <sqlite3.h>

#include "sim/json.h"
#include "trace_db.h"
#include "sim/trace.h"
#include "sim/trace_names.h"

#define MAX_CORE 4096       /* as analysis/trace.c reads a trace */
#define MAX_LANES 256       /* overlapping jobs of one task shown apart */

G_DEFINE_QUARK(an-export-error-quark, an_export_error)

typedef struct core_st {
    bool seen, open;
    int64_t start, thread, kc, xc;
    bool has_cycles;
    GArray *sends;          /* int64 flow ids waiting for this core's next switch */
} core_st;

typedef struct px {
    sqlite3 *db;
    FILE *f;
    GError **error;
    bool first;
    GString *s;             /* scratch for JSON strings */
    GArray *machines;       /* int64: each machine's first core, ascending */
    GHashTable *labels;     /* "core/thread" -> label (tasks, schedulers, interrupt threads) */
    GHashTable *cats;       /* "core/thread" -> category */
    GHashTable *stacks;     /* "core/thread" -> GArray of int64 flow ids (open invocations) */
    core_st *cores;         /* [MAX_CORE] */
    int64_t flow;
    int64_t skipped;        /* rows out of range */
} px;

static bool db_fail(px *p, const char *what)
{
    g_set_error(p->error, an_export_error_quark(), 1, "%s: %s", what, sqlite3_errmsg(p->db));
    return false;
}

/* ---- writing ------------------------------------------------------------------------ */

static void put_str(px *p, const char *s)
{
    g_string_truncate(p->s, 0);
    simjson_string(p->s, s ? s : "", -1);
    fwrite(p->s->str, 1, p->s->len, p->f);
}

/* Picoseconds as microseconds with three decimals (cut to the nanosecond). */
static void put_us(px *p, int64_t ps)
{
    int64_t ns = ps / 1000;
    uint64_t m = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
    fprintf(p->f, "%s%" PRIu64 ".%03u", ns < 0 ? "-" : "", m / 1000, (unsigned)(m % 1000));
}

/* The start of an event: {"ph":..,"name":..,"cat":..,"pid":..,"tid":..,"ts":..
 * (tid < 0: none); the caller adds its fields and the closing brace. */
static void ev(px *p, const char *ph, const char *name, const char *cat, int64_t pid, int64_t tid, int64_t ps)
{
    fputs(p->first ? "\n" : ",\n", p->f);
    p->first = false;
    fprintf(p->f, "{\"ph\":\"%s\",\"name\":", ph);
    put_str(p, name);
    if (cat) {
        fputs(",\"cat\":", p->f);
        put_str(p, cat);
    }
    fprintf(p->f, ",\"pid\":%" PRId64, pid);
    if (tid >= 0)
        fprintf(p->f, ",\"tid\":%" PRId64, tid);
    fputs(",\"ts\":", p->f);
    put_us(p, ps);
}

static int64_t pid_of(const px *p, int64_t core)
{
    int64_t pid = 1;
    for (guint i = 0; i < p->machines->len; i++)
        if (g_array_index(p->machines, int64_t, i) <= core)
            pid = (int64_t)i + 1;
    return pid;
}

/* Core c's state, its thread named when first met; NULL out of range. */
static core_st *core_at(px *p, int64_t c)
{
    if (c < 0 || c >= MAX_CORE) {
        p->skipped++;
        return NULL;
    }
    core_st *k = &p->cores[c];
    if (!k->seen) {
        k->seen = true;
        k->sends = g_array_new(FALSE, FALSE, sizeof(int64_t));
        /* until its first switch the core runs the boot (analysis/trace.h) */
        k->open = true, k->start = 0, k->thread = -1, k->kc = k->xc = 0, k->has_cycles = true;
        g_autofree char *name = g_strdup_printf("core %" PRId64, c);
        ev(p, "M", "thread_name", NULL, pid_of(p, c), c + 1, 0);
        fputs(",\"args\":{\"name\":", p->f);
        put_str(p, name);
        fputs("}}", p->f);
        ev(p, "M", "thread_sort_index", NULL, pid_of(p, c), c + 1, 0);
        fprintf(p->f, ",\"args\":{\"sort_index\":%" PRId64 "}}", c);
    }
    return k;
}

/* The core of column col of a row. */
static core_st *core_of(px *p, sqlite3_stmt *st, int col)
{
    if (sqlite3_column_type(st, col) != SQLITE_INTEGER) {
        p->skipped++;
        return NULL;
    }
    return core_at(p, sqlite3_column_int64(st, col));
}

static int64_t core_num(const px *p, const core_st *k)
{
    return (int64_t)(k - p->cores);
}

static char *thread_key(int64_t core, int64_t thread)
{
    return g_strdup_printf("%" PRId64 "/%" PRId64, core, thread);
}

/* ---- what each thread is -------------------------------------------------------------- */

static bool name_threads(px *p, const char *sql, const char *fixed, const char *cat)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(p->db, sql, -1, &st, NULL) != SQLITE_OK)
        return db_fail(p, "reading the threads");
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        char *key = thread_key(sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1));
        const char *label = fixed ? fixed : (const char *)sqlite3_column_text(st, 2);
        g_hash_table_replace(p->labels, g_strdup(key), g_strdup(label ? label : "task"));
        g_hash_table_replace(p->cats, key, g_strdup(cat));
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE || db_fail(p, "reading the threads");
}

static bool read_threads(px *p)
{
    if (an_db_has_table(p->db, TRN_JOBS) && an_db_has_table(p->db, TRN_TASKS)
        && !name_threads(p, "SELECT DISTINCT j.core, j.thread, t.name FROM " TRN_JOBS " j LEFT JOIN " TRN_TASKS
                            " t ON t.task = j.task", NULL, "task"))
        return false;
    int64_t u_sched = an_db_kind_id(p->db, TRN_U_SCHED), u_irq = an_db_kind_id(p->db, TRN_U_IRQ_THREAD);
    g_autofree char *q_sched = g_strdup_printf("SELECT DISTINCT core, thread FROM events WHERE kind = %" PRId64
                                               " AND thread IS NOT NULL AND core IS NOT NULL", u_sched);
    g_autofree char *q_irq = g_strdup_printf("SELECT DISTINCT core, thread FROM events WHERE kind = %" PRId64
                                             " AND thread IS NOT NULL AND core IS NOT NULL", u_irq);
    return name_threads(p, q_sched, "scheduler", "scheduler") && name_threads(p, q_irq, "interrupt thread", "irq");
}

/* ---- the cores' stretches ----------------------------------------------------------- */

static void close_stretch(px *p, core_st *k, int64_t end, int64_t kc, int64_t xc, bool cycles)
{
    if (!k->open)
        return;
    k->open = false;
    if (k->thread == 0 || end / 1000 <= k->start / 1000)
        return;                 /* idle, or shorter than the nanosecond shown */
    int64_t c = core_num(p, k);
    g_autofree char *key = thread_key(c, k->thread);
    const char *label = g_hash_table_lookup(p->labels, key);
    const char *cat = g_hash_table_lookup(p->cats, key);
    g_autofree char *own = label ? NULL : k->thread < 0 ? g_strdup("boot") : g_strdup_printf("thread %" PRId64, k->thread);
    ev(p, "X", label ? label : own, cat ? cat : "thread", pid_of(p, c), c + 1, k->start);
    fputs(",\"dur\":", p->f);
    put_us(p, end / 1000 * 1000 - k->start / 1000 * 1000);
    fprintf(p->f, ",\"args\":{\"thread\":%" PRId64, k->thread);
    if (cycles && k->has_cycles)
        fprintf(p->f, ",\"kernel_cycles\":%" PRId64 ",\"cross_cycles\":%" PRId64,
                (int64_t)((uint64_t)kc - (uint64_t)k->kc), (int64_t)((uint64_t)xc - (uint64_t)k->xc));
    fputs("}}", p->f);
}

static void on_switch(px *p, core_st *k, sqlite3_stmt *st)
{
    int64_t t = sqlite3_column_int64(st, 1), c = core_num(p, k);
    bool cycles = sqlite3_column_type(st, 7) == SQLITE_INTEGER && sqlite3_column_type(st, 8) == SQLITE_INTEGER;
    int64_t kc = sqlite3_column_int64(st, 7), xc = sqlite3_column_int64(st, 8);
    close_stretch(p, k, t, kc, xc, cycles);
    k->open = true;
    k->start = t;
    k->thread = sqlite3_column_type(st, 6) == SQLITE_INTEGER ? sqlite3_column_int64(st, 6) : 0;
    k->kc = kc, k->xc = xc, k->has_cycles = cycles;
    if (cycles) {
        g_autofree char *name = g_strdup_printf("core %" PRId64 " cycles", c);
        ev(p, "C", name, NULL, pid_of(p, c), -1, t);
        fprintf(p->f, ",\"args\":{\"kernel\":%" PRId64 ",\"cross-core\":%" PRId64 "}}", kc, xc);
    }
    /* sends to this core end at its switch */
    for (guint i = 0; i < k->sends->len; i++) {
        ev(p, "f", "send", "send", pid_of(p, c), c + 1, t);
        fprintf(p->f, ",\"bp\":\"e\",\"id\":%" PRId64 "}", g_array_index(k->sends, int64_t, i));
    }
    g_array_set_size(k->sends, 0);
}

typedef struct kinds {
    int64_t sw, ulsw, irq, sinv, sret, send;
} kinds;

static void on_event(px *p, const kinds *kd, sqlite3_stmt *st)
{
    core_st *k = core_of(p, st, 2);
    if (k == NULL)
        return;
    int64_t t = sqlite3_column_int64(st, 1), kind = sqlite3_column_int64(st, 3);
    int64_t thread = sqlite3_column_int64(st, 4), c = core_num(p, k), pid = pid_of(p, c);
    if (kind == kd->sw || kind == kd->ulsw) {
        on_switch(p, k, st);
    } else if (kind == kd->irq) {
        g_autofree char *name = g_strdup_printf("irq %" PRId64, (int64_t)sqlite3_column_int64(st, 6));
        ev(p, "i", name, "irq", pid, c + 1, t);
        fprintf(p->f, ",\"s\":\"t\",\"args\":{\"interrupted\":%" PRId64 "}}", thread);
    } else if (kind == kd->sinv || kind == kd->sret) {
        char *key = thread_key(c, thread);
        GArray *stack = g_hash_table_lookup(p->stacks, key);
        if (kind == kd->sinv) {
            if (stack == NULL) {
                stack = g_array_new(FALSE, FALSE, sizeof(int64_t));
                g_hash_table_insert(p->stacks, key, stack);
                key = NULL;
            }
            int64_t id = ++p->flow;
            g_array_append_val(stack, id);
            ev(p, "s", "invocation", "invocation", pid, c + 1, t);
            fprintf(p->f, ",\"id\":%" PRId64 ",\"args\":{\"server\":%" PRId64 ",\"depth\":%" PRId64 "}}", id,
                    (int64_t)sqlite3_column_int64(st, 5), (int64_t)sqlite3_column_int64(st, 6));
        } else if (stack && stack->len > 0) {
            int64_t id = g_array_index(stack, int64_t, stack->len - 1);
            g_array_set_size(stack, stack->len - 1);
            ev(p, "f", "invocation", "invocation", pid, c + 1, t);
            fprintf(p->f, ",\"bp\":\"e\",\"id\":%" PRId64 "}", id);
        }
        g_free(key);
    } else if (kind == kd->send) {
        core_st *r = core_of(p, st, 6);     /* the receiving core */
        if (r == NULL)
            return;
        int64_t id = ++p->flow;
        ev(p, "s", "send", "send", pid, c + 1, t);
        fprintf(p->f, ",\"id\":%" PRId64 ",\"args\":{\"to_core\":%" PRId64 "}}", id, core_num(p, r));
        g_array_append_val(r->sends, id);
    }
}

static bool write_events(px *p, int64_t end_ps)
{
    kinds kd = { an_db_kind_id(p->db, TRN_K_SWITCH), an_db_kind_id(p->db, TRN_K_ULSWITCH), an_db_kind_id(p->db, TRN_K_IRQ),
                 an_db_kind_id(p->db, TRN_K_SINV), an_db_kind_id(p->db, TRN_K_SRET), an_db_kind_id(p->db, TRN_K_SEND) };
    g_autofree char *q = g_strdup_printf(
        "SELECT id, time_ps, core, kind, thread, component, a0, a1, a2 FROM events WHERE kind IN (%" PRId64 ", %" PRId64
        ", %" PRId64 ", %" PRId64 ", %" PRId64 ", %" PRId64 ") ORDER BY id",
        kd.sw, kd.ulsw, kd.irq, kd.sinv, kd.sret, kd.send);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(p->db, q, -1, &st, NULL) != SQLITE_OK)
        return db_fail(p, "reading the events");
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        on_event(p, &kd, st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return db_fail(p, "reading the events");
    /* each core's last stretch ends with the run, with the core's last
     * counters (as analysis/trace.c closes it) */
    static const char *const last[] = {
        "SELECT core, kernel_cycles, user_cross_cycles FROM " TRN_COUNTERS " c WHERE c.id = "
        "(SELECT max(d.id) FROM " TRN_COUNTERS " d WHERE d.core = c.core)",
        "SELECT core, kernel_cycles, cross_cycles FROM " TRN_COUNTERS " c WHERE c.id = "
        "(SELECT max(d.id) FROM " TRN_COUNTERS " d WHERE d.core = c.core)",    /* traces before the streams */
    };
    for (size_t i = 0; i < G_N_ELEMENTS(last) && an_db_has_table(p->db, TRN_COUNTERS); i++) {
        if (sqlite3_prepare_v2(p->db, last[i], -1, &st, NULL) != SQLITE_OK)
            continue;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            int64_t c = sqlite3_column_int64(st, 0);
            if (c >= 0 && c < MAX_CORE && p->cores[c].seen)
                close_stretch(p, &p->cores[c], end_ps, sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2), true);
        }
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE)
            return db_fail(p, "reading the counters");
        break;
    }
    for (int64_t c = 0; c < MAX_CORE; c++)
        if (p->cores[c].seen)
            close_stretch(p, &p->cores[c], end_ps, 0, 0, false);    /* no counters */
    return true;
}

/* ---- the jobs ----------------------------------------------------------------------- */

static bool write_jobs(px *p)
{
    if (!an_db_has_table(p->db, TRN_JOBS) || !an_db_has_table(p->db, TRN_TASKS))
        return true;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(p->db, "SELECT j.task, j.job, j.core, j.release_ps, j.finish_ps, j.deadline_ps, j.missed, "
                                  "t.name FROM " TRN_JOBS " j LEFT JOIN " TRN_TASKS " t ON t.task = j.task ORDER BY j.id",
                           -1, &st, NULL) != SQLITE_OK)
        return db_fail(p, "reading the jobs");
    /* per task: each lane's last finish; lanes are numbered across the run */
    g_autoptr(GHashTable) lanes = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, (GDestroyNotify)g_array_unref);
    g_autoptr(GHashTable) lane_ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    int64_t next_id = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        core_st *k = core_of(p, st, 2);
        int64_t task = sqlite3_column_int64(st, 0), job = sqlite3_column_int64(st, 1);
        int64_t rel = sqlite3_column_int64(st, 3), fin = sqlite3_column_int64(st, 4), dl = sqlite3_column_int64(st, 5);
        if (k == NULL || fin < rel || rel < 0) {
            p->skipped += k != NULL;
            continue;
        }
        const char *tname = (const char *)sqlite3_column_text(st, 7);
        g_autofree char *own = tname ? NULL : g_strdup_printf("task %" PRId64, task);
        const char *name = tname ? tname : own;
        GArray *ln = g_hash_table_lookup(lanes, &task);
        if (ln == NULL) {
            ln = g_array_new(FALSE, FALSE, sizeof(int64_t));
            g_hash_table_insert(lanes, g_memdup2(&task, sizeof task), ln);
        }
        guint lane = 0;
        while (lane < ln->len && g_array_index(ln, int64_t, lane) > rel)
            lane++;
        if (lane == ln->len) {
            if (ln->len == MAX_LANES) {
                p->skipped++;
                continue;
            }
            g_array_append_val(ln, fin);
        }
        g_array_index(ln, int64_t, lane) = fin;
        g_autofree char *lkey = g_strdup_printf("%" PRId64 "/%u", task, lane);
        gpointer idp = g_hash_table_lookup(lane_ids, lkey);
        if (idp == NULL) {
            idp = GINT_TO_POINTER((int)++next_id);
            g_hash_table_insert(lane_ids, g_steal_pointer(&lkey), idp);
        }
        int64_t id = GPOINTER_TO_INT(idp), c = core_num(p, k), pid = pid_of(p, c);
        bool missed = sqlite3_column_int64(st, 6) != 0;
        ev(p, "b", name, "job", pid, c + 1, rel);
        fprintf(p->f, ",\"id\":%" PRId64 ",\"args\":{\"task\":%" PRId64 ",\"job\":%" PRId64 ",\"deadline_us\":", id,
                task, job);
        put_us(p, dl);
        fprintf(p->f, ",\"missed\":%d}}", missed);
        ev(p, "e", name, "job", pid, c + 1, fin);
        fprintf(p->f, ",\"id\":%" PRId64 "}", id);
        if (missed) {
            g_autofree char *m = g_strdup_printf("deadline miss: %s job %" PRId64, name, job);
            ev(p, "i", m, "miss", pid, c + 1, fin);
            fputs(",\"s\":\"t\",\"args\":{\"deadline_us\":", p->f);
            put_us(p, dl);
            fputs("}}", p->f);
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE || db_fail(p, "reading the jobs");
}

/* ---- the file ----------------------------------------------------------------------- */

static bool write_head(px *p, int64_t *end_ps)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(p->db, "SELECT scenario, machine, seed, end_ps, digest FROM " TRN_RUN " LIMIT 1", -1, &st,
                           NULL) != SQLITE_OK)
        return db_fail(p, "not a cossim trace");
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        g_set_error(p->error, an_export_error_quark(), 1, "not a cossim trace: its run table is empty");
        return false;
    }
    *end_ps = sqlite3_column_int64(st, 3);
    g_autofree char *machine = g_strdup((const char *)sqlite3_column_text(st, 1));
    fputs("{\"displayTimeUnit\":\"ns\",\"otherData\":{\"generator\":\"cossim export\",\"scenario\":", p->f);
    put_str(p, (const char *)sqlite3_column_text(st, 0));
    fputs(",\"machine\":", p->f);
    put_str(p, machine);
    fprintf(p->f, ",\"seed\":%" PRId64 ",\"end_us\":", (int64_t)sqlite3_column_int64(st, 2));
    put_us(p, *end_ps);
    fputs(",\"digest\":", p->f);
    put_str(p, (const char *)sqlite3_column_text(st, 4));
    fputs("},\n\"traceEvents\":[", p->f);
    sqlite3_finalize(st);
    /* the machines: each kernel's first core */
    if (an_db_has_table(p->db, TRN_KERNEL_PATHS)) {
        if (sqlite3_prepare_v2(p->db, "SELECT DISTINCT first_core FROM " TRN_KERNEL_PATHS " ORDER BY first_core", -1,
                               &st, NULL) != SQLITE_OK)
            return db_fail(p, "reading the machines");
        while (sqlite3_step(st) == SQLITE_ROW) {
            int64_t fc = sqlite3_column_int64(st, 0);
            if (fc >= 0 && fc < MAX_CORE)
                g_array_append_val(p->machines, fc);
        }
        sqlite3_finalize(st);
    }
    guint n = p->machines->len ? p->machines->len : 1;
    for (guint i = 0; i < n; i++) {
        g_autofree char *name = g_strdup_printf("machine %u (%s)", i, machine ? machine : "?");
        ev(p, "M", "process_name", NULL, (int64_t)i + 1, -1, 0);
        fputs(",\"args\":{\"name\":", p->f);
        put_str(p, name);
        fputs("}}", p->f);
    }
    return true;
}

bool an_export_perfetto(sqlite3 *db, FILE *f, GError **error)
{
    px p = { .db = db, .f = f, .error = error, .first = true, .s = g_string_new(NULL),
             .machines = g_array_new(FALSE, FALSE, sizeof(int64_t)),
             .labels = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free),
             .cats = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free),
             .stacks = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_array_unref),
             .cores = g_new0(core_st, MAX_CORE) };
    int64_t end_ps = 0;
    bool ok = write_head(&p, &end_ps) && read_threads(&p) && write_events(&p, end_ps) && write_jobs(&p);
    if (ok) {
        fputs("\n]}\n", f);
        if (p.skipped)
            fprintf(stderr, "cossim export: %" PRId64 " rows out of range (a core, a time) left out\n", p.skipped);
    }
    for (int c = 0; c < MAX_CORE; c++)
        if (p.cores[c].sends)
            g_array_unref(p.cores[c].sends);
    g_free(p.cores);
    g_hash_table_destroy(p.stacks);
    g_hash_table_destroy(p.cats);
    g_hash_table_destroy(p.labels);
    g_array_unref(p.machines);
    g_string_free(p.s, TRUE);
    return ok;
}
