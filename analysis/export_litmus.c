/* analysis/export_litmus.c: a trace as LITMUS^RT sched_trace records
 * (export.h, docs/export.md), which feather-trace-tools' st-dump and
 * st-job-stats read.
 *
 * The format (LITMUS-RT include/litmus/sched_trace.h, feather-trace-tools
 * include/sched_trace.h): a stream of 24-byte records per CPU, no header,
 * native byte order, times in nanoseconds.  A record is u8 type, u8 cpu,
 * u16 pid, u32 job, then 16 bytes of payload:
 *   1 NAME        char cmd[16]
 *   2 PARAM       u32 wcet, u32 period, u32 phase, u8 partition, u8 class
 *   3 RELEASE     u64 release, u64 deadline
 *   5 SWITCH_TO   u64 when, u32 exec_time
 *   6 SWITCH_AWAY u64 when, u64 exec_time
 *   7 COMPLETION  u64 when, u64 forced:1 | exec_time:63 (forced in bit 0)
 *   8 BLOCK       u64 when
 *   9 RESUME      u64 when
 *  11 SYS_RELEASE u64 when, u64 release
 * One file per core, DIR/st-CORE.bin.  A task is pid task + 1; its records
 * go to its core's file (tasks are partitioned).
 *
 * From the trace: NAME and PARAM per task (wcet from the declared compute,
 * 0 when not declared; period and phase from the task; class 0, hard), a
 * SYS_RELEASE at time zero; RELEASE and COMPLETION per job (jobs); a
 * SWITCH_TO and SWITCH_AWAY for each stretch a task's thread ran (k.switch,
 * k.ulswitch); BLOCK and RESUME around a lock wait (u.lock_wait,
 * u.lock_acquire).  exec_time is the time the task's thread ran for the
 * job: its stretches from max(release, the previous job's finish) to the
 * finish, kept in picoseconds and cut to nanoseconds when written.
 *
 * Three cursors, each in time order (releases, completions, the events),
 * merged; at one time a completion goes first, then a release, then the
 * events.  Memory is per task and per core, never per job or event.
 */
#include "export.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sqlite3.h>

#include "sim/tempfile.h"
#include "sim/trace_names.h"
#include "trace_db.h"
#include "trace_internal.h"

#define MAX_CORE 256        /* the record's cpu is a u8 */
#define MAX_PID 65534       /* the record's pid is a u16; pid = task + 1 */

enum { ST_NAME = 1, ST_PARAM, ST_RELEASE, ST_SWITCH_TO = 5, ST_SWITCH_AWAY, ST_COMPLETION, ST_BLOCK, ST_RESUME,
       ST_SYS_RELEASE = 11 };

typedef struct ltask {
    bool known;
    int64_t core;
    int64_t released, completed;    /* job numbers */
    bool running;                   /* its thread is on its core */
    int64_t count_from;             /* ps from which its run counts for the current job; -1 not counting */
    int64_t exec;                   /* ps run for the current job */
} ltask;

typedef struct lx {
    sqlite3 *db;
    const char *dir;
    GError **error;
    FILE *f[MAX_CORE];
    char *temp[MAX_CORE];
    GArray *tasks;                  /* ltask by task number */
    GHashTable *thread_task;        /* "core/thread" -> task + 1 */
    int64_t running[MAX_CORE];      /* the task whose thread runs on the core, -1 none */
    int64_t skipped;
} lx;

static bool fail_db(lx *x, const char *what)
{
    g_set_error(x->error, an_export_error_quark(), 1, "%s: %s", what, sqlite3_errmsg(x->db));
    return false;
}

/* The core's file, opened (as a temporary) at first use. */
static FILE *file_of(lx *x, int64_t core)
{
    if (x->f[core])
        return x->f[core];
    g_autofree char *path = g_strdup_printf("%s/st-%" PRId64 ".bin", x->dir, core);
    int fd = simtmp_create(path, &x->temp[core]);
    if (fd < 0 || (x->f[core] = fdopen(fd, "w")) == NULL) {
        if (fd >= 0)
            close(fd);
        g_set_error(x->error, an_export_error_quark(), 2, "cannot write '%s': %s", path, g_strerror(errno));
        return NULL;
    }
    return x->f[core];
}

static bool record(lx *x, int64_t core, unsigned type, int64_t task, int64_t job, const void *payload, size_t n)
{
    FILE *f = file_of(x, core);
    if (f == NULL)
        return false;
    unsigned char r[24] = { 0 };
    uint8_t t8 = (uint8_t)type, c8 = (uint8_t)core;
    uint16_t pid = (uint16_t)(task + 1);
    uint32_t j = (uint32_t)job;
    memcpy(r, &t8, 1);
    memcpy(r + 1, &c8, 1);
    memcpy(r + 2, &pid, 2);
    memcpy(r + 4, &j, 4);
    memcpy(r + 8, payload, MIN(n, 16));
    return fwrite(r, 1, 24, f) == 24;
}

static bool rec_2u64(lx *x, int64_t core, unsigned type, int64_t task, int64_t job, uint64_t a, uint64_t b)
{
    uint64_t p[2] = { a, b };
    return record(x, core, type, task, job, p, sizeof p);
}

static uint64_t ns(int64_t ps)
{
    return ps > 0 ? (uint64_t)ps / 1000 : 0;
}

static uint32_t ns32(int64_t ps)
{
    uint64_t v = ns(ps);
    return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

static ltask *task_at(lx *x, int64_t task)
{
    if (task < 0 || task >= (int64_t)x->tasks->len || !g_array_index(x->tasks, ltask, task).known) {
        x->skipped++;
        return NULL;
    }
    return &g_array_index(x->tasks, ltask, task);
}

/* ---- the tasks ---------------------------------------------------------------------- */

static bool read_tasks(lx *x)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(x->db, "SELECT t.task, t.name, t.core, t.period_ps, t.offset_ps, t.wcet_cycles, "
                                  "(SELECT max(c.freq_hz) FROM " TRN_COUNTERS " c WHERE c.core = t.core) FROM "
                                  TRN_TASKS " t ORDER BY t.task", -1, &st, NULL) != SQLITE_OK)
        return fail_db(x, "reading the tasks");
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t task = sqlite3_column_int64(st, 0), core = sqlite3_column_int64(st, 2);
        if (task < 0 || task >= MAX_PID || core < 0 || core >= MAX_CORE) {
            x->skipped++;
            continue;
        }
        if ((int64_t)x->tasks->len <= task)
            g_array_set_size(x->tasks, (guint)task + 1);
        ltask *t = &g_array_index(x->tasks, ltask, task);
        *t = (ltask){ .known = true, .core = core, .count_from = -1 };
        char name[16] = { 0 };
        const char *s = (const char *)sqlite3_column_text(st, 1);
        if (s)
            strncpy(name, s, sizeof name - 1);
        int64_t wcet_ps = sqlite3_column_type(st, 5) == SQLITE_INTEGER
                              ? an_trace_ps(sqlite3_column_int64(st, 5), sqlite3_column_int64(st, 6)) : 0;
        unsigned char param[16] = { 0 };
        uint32_t w = ns32(wcet_ps), per = ns32(sqlite3_column_int64(st, 3)), ph = ns32(sqlite3_column_int64(st, 4));
        uint8_t part = (uint8_t)core;
        memcpy(param, &w, 4);
        memcpy(param + 4, &per, 4);
        memcpy(param + 8, &ph, 4);
        memcpy(param + 12, &part, 1);     /* class 0: RT_CLASS_HARD */
        if (!record(x, core, ST_NAME, task, 0, name, sizeof name) || !record(x, core, ST_PARAM, task, 0, param, 16))
            goto out;
    }
out:
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return fail_db(x, "reading the tasks");
    if (rc == SQLITE_ROW)
        return false;       /* a write failed: error set */
    /* time zero on every core with a task */
    bool done[MAX_CORE] = { false };
    for (guint i = 0; i < x->tasks->len; i++) {
        const ltask *t = &g_array_index(x->tasks, ltask, i);
        if (t->known && !done[t->core]) {
            done[t->core] = true;
            if (!rec_2u64(x, t->core, ST_SYS_RELEASE, -1, 0, 0, 0))
                return false;
        }
    }
    /* which thread is which task's */
    if (sqlite3_prepare_v2(x->db, "SELECT DISTINCT core, thread, task FROM " TRN_JOBS, -1, &st, NULL) != SQLITE_OK)
        return fail_db(x, "reading the jobs' threads");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        g_hash_table_replace(x->thread_task,
                             g_strdup_printf("%" PRId64 "/%" PRId64, (int64_t)sqlite3_column_int64(st, 0),
                                             (int64_t)sqlite3_column_int64(st, 1)),
                             GINT_TO_POINTER((int)MIN(sqlite3_column_int64(st, 2), MAX_PID) + 1));
    sqlite3_finalize(st);
    return rc == SQLITE_DONE || fail_db(x, "reading the jobs' threads");
}

/* ---- the merged streams ------------------------------------------------------------- */

/* The task's run since count_from, added to its job's. */
static void count(ltask *t, int64_t now)
{
    if (t->count_from >= 0 && now > t->count_from)
        t->exec += now - t->count_from;
    if (t->count_from >= 0)
        t->count_from = now;
}

static bool on_release(lx *x, sqlite3_stmt *st)
{
    ltask *t = task_at(x, sqlite3_column_int64(st, 0));
    if (t == NULL)
        return true;
    int64_t task = sqlite3_column_int64(st, 0), job = sqlite3_column_int64(st, 1), rel = sqlite3_column_int64(st, 2);
    t->released = MAX(t->released, job);
    if (t->running && t->completed == job - 1 && t->count_from < 0)
        t->count_from = rel;        /* its thread runs on into the new job */
    return rec_2u64(x, t->core, ST_RELEASE, task, job, ns(rel), ns(sqlite3_column_int64(st, 3)));
}

static bool on_completion(lx *x, sqlite3_stmt *st)
{
    ltask *t = task_at(x, sqlite3_column_int64(st, 0));
    if (t == NULL)
        return true;
    int64_t task = sqlite3_column_int64(st, 0), job = sqlite3_column_int64(st, 1), fin = sqlite3_column_int64(st, 2);
    count(t, fin);
    uint64_t exec = ns(t->exec) & (UINT64_MAX >> 1);
    t->exec = 0;
    t->completed = job;
    /* counting goes on only for a job already released */
    t->count_from = t->running && t->released > job ? fin : -1;
    return rec_2u64(x, t->core, ST_COMPLETION, task, job, ns(fin), exec << 1);   /* forced = 0 */
}

static int64_t task_of_thread(lx *x, int64_t core, int64_t thread)
{
    g_autofree char *key = g_strdup_printf("%" PRId64 "/%" PRId64, core, thread);
    gpointer v = g_hash_table_lookup(x->thread_task, key);
    return v ? GPOINTER_TO_INT(v) - 1 : -1;
}

typedef struct lkinds {
    int64_t sw, ulsw, wait, acquire;
} lkinds;

static bool on_event(lx *x, const lkinds *kd, sqlite3_stmt *st)
{
    int64_t t = sqlite3_column_int64(st, 0), core = sqlite3_column_int64(st, 1), kind = sqlite3_column_int64(st, 2);
    if (core < 0 || core >= MAX_CORE) {
        x->skipped++;
        return true;
    }
    if (kind == kd->wait || kind == kd->acquire) {
        int64_t task = task_of_thread(x, core, sqlite3_column_int64(st, 3));
        ltask *k = task >= 0 ? task_at(x, task) : NULL;
        return k == NULL || rec_2u64(x, k->core, kind == kd->wait ? ST_BLOCK : ST_RESUME, task, k->completed + 1,
                                     ns(t), 0);
    }
    /* a switch: the core's task away, the new thread's task to */
    int64_t away = x->running[core];
    if (away >= 0) {
        ltask *k = &g_array_index(x->tasks, ltask, away);
        count(k, t);
        k->running = false;
        k->count_from = -1;
        x->running[core] = -1;
        if (!rec_2u64(x, k->core, ST_SWITCH_AWAY, away, k->completed + 1, ns(t), ns(k->exec)))
            return false;
    }
    int64_t to = sqlite3_column_type(st, 4) == SQLITE_INTEGER ? task_of_thread(x, core, sqlite3_column_int64(st, 4)) : -1;
    ltask *k = to >= 0 ? task_at(x, to) : NULL;
    if (k == NULL || k->core != core)
        return true;
    k->running = true;
    x->running[core] = to;
    k->count_from = k->released > k->completed ? t : -1;
    uint32_t e32 = ns32(k->exec);
    uint64_t p[2] = { ns(t), e32 };
    return record(x, core, ST_SWITCH_TO, to, k->completed + 1, p, sizeof p);
}

/* Step a cursor; its time in *when (INT64_MAX when done). */
static bool next(lx *x, sqlite3_stmt *st, int col, int64_t *when)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *when = sqlite3_column_int64(st, col);
        return true;
    }
    *when = INT64_MAX;
    return rc == SQLITE_DONE || fail_db(x, "reading the trace");
}

static bool merge(lx *x)
{
    lkinds kd = { an_db_kind_id(x->db, TRN_K_SWITCH), an_db_kind_id(x->db, TRN_K_ULSWITCH),
                  an_db_kind_id(x->db, TRN_U_LOCK_WAIT), an_db_kind_id(x->db, TRN_U_LOCK_ACQUIRE) };
    g_autofree char *q = g_strdup_printf("SELECT time_ps, core, kind, thread, a0 FROM events WHERE core IS NOT NULL AND "
                                         "kind IN (%" PRId64 ", %" PRId64 ", %" PRId64 ", %" PRId64 ") ORDER BY id",
                                         kd.sw, kd.ulsw, kd.wait, kd.acquire);
    sqlite3_stmt *rs = NULL, *cs = NULL, *es = NULL;
    bool ok = sqlite3_prepare_v2(x->db, "SELECT task, job, release_ps, deadline_ps FROM " TRN_JOBS
                                        " ORDER BY release_ps, task, job", -1, &rs, NULL) == SQLITE_OK
              && sqlite3_prepare_v2(x->db, "SELECT task, job, finish_ps FROM " TRN_JOBS " ORDER BY finish_ps, task, job",
                                    -1, &cs, NULL) == SQLITE_OK
              && sqlite3_prepare_v2(x->db, q, -1, &es, NULL) == SQLITE_OK;
    if (!ok) {
        fail_db(x, "reading the trace");
        goto out;
    }
    int64_t tr, tc, te;
    ok = next(x, rs, 2, &tr) && next(x, cs, 2, &tc) && next(x, es, 0, &te);
    while (ok && (tr != INT64_MAX || tc != INT64_MAX || te != INT64_MAX)) {
        if (tc <= tr && tc <= te)
            ok = on_completion(x, cs) && next(x, cs, 2, &tc);
        else if (tr <= te)
            ok = on_release(x, rs) && next(x, rs, 2, &tr);
        else
            ok = on_event(x, &kd, es) && next(x, es, 0, &te);
    }
out:
    sqlite3_finalize(rs);
    sqlite3_finalize(cs);
    sqlite3_finalize(es);
    return ok;
}

/* ---- the files ---------------------------------------------------------------------- */

bool an_export_litmus(sqlite3 *db, const char *dir, GError **error)
{
    if (!an_db_has_table(db, TRN_TASKS) || !an_db_has_table(db, TRN_JOBS) || !an_db_has_table(db, TRN_COUNTERS)) {
        g_set_error(error, an_export_error_quark(), 1, "the trace has no tasks, jobs or counters (a run of a system{})");
        return false;
    }
    if (!an_export_folder(dir, error))
        return false;
    lx *x = g_new0(lx, 1);
    x->db = db, x->dir = dir, x->error = error;
    x->tasks = g_array_new(FALSE, TRUE, sizeof(ltask));
    x->thread_task = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (unsigned c = 0; c < MAX_CORE; c++)
        x->running[c] = -1;
    bool ok = read_tasks(x) && merge(x);
    /* close every file; rename them all only if all are whole */
    for (unsigned c = 0; c < MAX_CORE; c++)
        if (x->f[c]) {
            bool bad = ferror(x->f[c]) != 0;
            if (fclose(x->f[c]) != 0 || bad) {
                if (ok)
                    g_set_error(error, an_export_error_quark(), 2, "cannot write '%s': %s", x->temp[c], g_strerror(errno));
                ok = false;
            }
        }
    for (unsigned c = 0; c < MAX_CORE; c++)
        if (x->temp[c]) {
            g_autofree char *path = g_strdup_printf("%s/st-%u.bin", dir, c);
            if (!ok || rename(x->temp[c], path) != 0) {
                if (ok)
                    g_set_error(error, an_export_error_quark(), 2, "cannot write '%s': %s", path, g_strerror(errno));
                ok = false;
                unlink(x->temp[c]);
            }
            g_free(x->temp[c]);
        }
    if (ok && x->skipped)
        fprintf(stderr, "cossim export: %" PRId64 " rows out of range (a task, a core) left out\n", x->skipped);
    g_array_unref(x->tasks);
    g_hash_table_destroy(x->thread_task);
    g_free(x);
    return ok;
}
