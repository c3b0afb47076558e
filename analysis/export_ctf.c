/* analysis/export_ctf.c: a trace as CTF 1.8 (the Common Trace Format that
 * babeltrace2 and Trace Compass read; export.h, docs/export.md).
 *
 * A folder: `metadata` (the TSDL text describing the layout) and one
 * stream file per core, `channel_CORE`, each one packet: a packet header
 * (magic 0xC1FC1FC1, stream id 0), a packet context (first and last
 * timestamp, content and packet size in bits, the cpu id), then the
 * core's events, each an event header (id, timestamp) and its fields.
 * Little-endian, every field byte-aligned, timestamps in ns of simulated
 * time on a 1 GHz clock named "sim" (exact: the trace's picoseconds are cut
 * to the nanosecond).  The events, named as LTTng's kernel tracer names
 * them where there is one:
 *   sched_switch      a switch on the core (k.switch, k.ulswitch): prev_tid, next_tid, next_comm
 *   irq_handler_entry an interrupt (k.irq): irq, the thread interrupted
 *   job_release       a job released (jobs.release_ps): task, job, deadline_ns, name
 *   job_completion    a job finished (jobs.finish_ps): task, job, response_ns, missed
 * Thread ids are the kernel's; next_comm is the thread's task name,
 * "scheduler", "irq" or "thread".  Untrusted text (task names) goes only
 * into the stream files as CTF strings, never into the metadata.
 *
 * Three time-ordered cursors (the events, the releases, the completions)
 * merged, so every stream file is in time order; memory per core.  Each
 * file is written to a temporary and renamed when all are complete.
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

#define MAX_CORE 256
#define CTF_MAGIC 0xC1FC1FC1u
#define HEADER_BYTES 44         /* packet header 8 + context 36 */

enum { EV_SWITCH, EV_IRQ, EV_RELEASE, EV_COMPLETION };

typedef struct cx {
    sqlite3 *db;
    const char *dir;
    GError **error;
    FILE *f[MAX_CORE];
    char *temp[MAX_CORE];
    uint64_t first[MAX_CORE], last[MAX_CORE], bytes[MAX_CORE];
    GHashTable *labels;         /* "core/thread" -> label */
    int64_t skipped;
} cx;

static const char *const metadata =
    "/* CTF 1.8 */\n"
    "/* written by cossim export --format ctf (docs/export.md) */\n"
    "typealias integer { size = 8; align = 8; signed = false; } := uint8_t;\n"
    "typealias integer { size = 32; align = 8; signed = false; } := uint32_t;\n"
    "typealias integer { size = 64; align = 8; signed = false; } := uint64_t;\n"
    "typealias integer { size = 64; align = 8; signed = true; } := int64_t;\n"
    "\n"
    "trace {\n"
    "\tmajor = 1;\n"
    "\tminor = 8;\n"
    "\tbyte_order = le;\n"
    "\tpacket.header := struct {\n"
    "\t\tuint32_t magic;\n"
    "\t\tuint32_t stream_id;\n"
    "\t};\n"
    "};\n"
    "\n"
    "env {\n"
    "\ttracer_name = \"cossim\";\n"
    "\tclock_note = \"simulated time, ns from the start of the run\";\n"
    "};\n"
    "\n"
    "clock {\n"
    "\tname = \"sim\";\n"
    "\tdescription = \"cossim simulated time\";\n"
    "\tfreq = 1000000000;\n"
    "\toffset = 0;\n"
    "\tabsolute = false;\n"
    "};\n"
    "\n"
    "typealias integer { size = 64; align = 8; signed = false; map = clock.sim.value; } := sim_clock_t;\n"
    "\n"
    "stream {\n"
    "\tid = 0;\n"
    "\tpacket.context := struct {\n"
    "\t\tsim_clock_t timestamp_begin;\n"
    "\t\tsim_clock_t timestamp_end;\n"
    "\t\tuint64_t content_size;\n"
    "\t\tuint64_t packet_size;\n"
    "\t\tuint32_t cpu_id;\n"
    "\t};\n"
    "\tevent.header := struct {\n"
    "\t\tuint32_t id;\n"
    "\t\tsim_clock_t timestamp;\n"
    "\t};\n"
    "};\n"
    "\n"
    "event {\n\tname = \"sched_switch\";\n\tid = 0;\n\tstream_id = 0;\n"
    "\tfields := struct { int64_t prev_tid; int64_t next_tid; string next_comm; };\n};\n\n"
    "event {\n\tname = \"irq_handler_entry\";\n\tid = 1;\n\tstream_id = 0;\n"
    "\tfields := struct { int64_t irq; int64_t interrupted_tid; };\n};\n\n"
    "event {\n\tname = \"job_release\";\n\tid = 2;\n\tstream_id = 0;\n"
    "\tfields := struct { int64_t task; int64_t job; uint64_t deadline_ns; string name; };\n};\n\n"
    "event {\n\tname = \"job_completion\";\n\tid = 3;\n\tstream_id = 0;\n"
    "\tfields := struct { int64_t task; int64_t job; uint64_t response_ns; uint8_t missed; };\n};\n";

static bool fail_db(cx *x, const char *what)
{
    g_set_error(x->error, an_export_error_quark(), 1, "%s: %s", what, sqlite3_errmsg(x->db));
    return false;
}

static uint64_t ns(int64_t ps)
{
    return ps > 0 ? (uint64_t)ps / 1000 : 0;
}

static void put_u64(FILE *f, uint64_t v)
{
    unsigned char b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(v >> (8 * i));
    fwrite(b, 1, 8, f);
}

static void put_u32(FILE *f, uint32_t v)
{
    unsigned char b[4];
    for (int i = 0; i < 4; i++)
        b[i] = (unsigned char)(v >> (8 * i));
    fwrite(b, 1, 4, f);
}

/* Core c's stream, opened at first use with its packet header and a
 * context to be filled in at the end; NULL (the row left out) past
 * MAX_CORE, or NULL with the error set when it cannot be written. */
static FILE *stream_of(cx *x, int64_t core, bool *failed)
{
    if (core < 0 || core >= MAX_CORE) {
        x->skipped++;
        return NULL;
    }
    if (x->f[core])
        return x->f[core];
    g_autofree char *path = g_strdup_printf("%s/channel_%" PRId64, x->dir, core);
    int fd = simtmp_create(path, &x->temp[core]);
    if (fd < 0 || (x->f[core] = fdopen(fd, "w")) == NULL) {
        if (fd >= 0)
            close(fd);
        g_set_error(x->error, an_export_error_quark(), 2, "cannot write '%s': %s", path, g_strerror(errno));
        *failed = true;
        return NULL;
    }
    FILE *f = x->f[core];
    put_u32(f, CTF_MAGIC);
    put_u32(f, 0);
    for (int i = 0; i < 4; i++)
        put_u64(f, 0);          /* timestamps and sizes: at the end */
    put_u32(f, (uint32_t)core);
    x->bytes[core] = HEADER_BYTES;
    return f;
}

static void put_str(cx *x, int64_t core, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n)
        fwrite(s, 1, n, x->f[core]);
    fputc(0, x->f[core]);
    x->bytes[core] += n + 1;
}

static void event_header(cx *x, int64_t core, uint32_t id, uint64_t t)
{
    if (x->bytes[core] == HEADER_BYTES)
        x->first[core] = t;
    x->last[core] = t;
    put_u32(x->f[core], id);
    put_u64(x->f[core], t);
    x->bytes[core] += 12;
}

static const char *label_of(cx *x, int64_t core, int64_t thread)
{
    if (thread <= 0)
        return thread == 0 ? "idle" : "boot";
    char key[48];
    g_snprintf(key, sizeof key, "%" PRId64 "/%" PRId64, core, thread);
    const char *l = g_hash_table_lookup(x->labels, key);
    return l ? l : "thread";
}

static bool name_threads(cx *x, const char *sql, const char *fixed)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(x->db, sql, -1, &st, NULL) != SQLITE_OK)
        return fail_db(x, "reading the threads");
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *l = fixed ? fixed : (const char *)sqlite3_column_text(st, 2);
        g_hash_table_replace(x->labels, g_strdup_printf("%" PRId64 "/%" PRId64, (int64_t)sqlite3_column_int64(st, 0),
                                                        (int64_t)sqlite3_column_int64(st, 1)),
                             g_strdup(l ? l : "task"));
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE || fail_db(x, "reading the threads");
}

/* ---- the merged cursors ------------------------------------------------------------- */

typedef struct kinds {
    int64_t sw, ulsw, irq;
} kinds;

static bool on_event(cx *x, const kinds *kd, sqlite3_stmt *st, int64_t *running)
{
    bool failed = false;
    int64_t core = sqlite3_column_int64(st, 1), kind = sqlite3_column_int64(st, 2);
    FILE *f = stream_of(x, core, &failed);
    if (f == NULL)
        return !failed;
    uint64_t t = ns(sqlite3_column_int64(st, 0));
    int64_t thread = sqlite3_column_int64(st, 3), a0 = sqlite3_column_int64(st, 4);
    if (kind == kd->irq) {
        event_header(x, core, 1, t);
        put_u64(f, (uint64_t)a0);
        put_u64(f, (uint64_t)thread);
        x->bytes[core] += 16;
        return true;
    }
    int64_t to = sqlite3_column_type(st, 4) == SQLITE_INTEGER ? a0 : 0;
    event_header(x, core, 0, t);
    put_u64(f, (uint64_t)running[core]);
    put_u64(f, (uint64_t)to);
    x->bytes[core] += 16;
    put_str(x, core, label_of(x, core, to));
    running[core] = to;
    return true;
}

static bool on_release(cx *x, sqlite3_stmt *st)
{
    bool failed = false;
    int64_t core = sqlite3_column_int64(st, 2);
    FILE *f = stream_of(x, core, &failed);
    if (f == NULL)
        return !failed;
    event_header(x, core, 2, ns(sqlite3_column_int64(st, 3)));
    put_u64(f, (uint64_t)sqlite3_column_int64(st, 0));
    put_u64(f, (uint64_t)sqlite3_column_int64(st, 1));
    put_u64(f, ns(sqlite3_column_int64(st, 4)));
    x->bytes[core] += 24;
    put_str(x, core, (const char *)sqlite3_column_text(st, 5));
    return true;
}

static bool on_completion(cx *x, sqlite3_stmt *st)
{
    bool failed = false;
    int64_t core = sqlite3_column_int64(st, 2);
    FILE *f = stream_of(x, core, &failed);
    if (f == NULL)
        return !failed;
    int64_t fin = sqlite3_column_int64(st, 3), rel = sqlite3_column_int64(st, 4);
    event_header(x, core, 3, ns(fin));
    put_u64(f, (uint64_t)sqlite3_column_int64(st, 0));
    put_u64(f, (uint64_t)sqlite3_column_int64(st, 1));
    put_u64(f, fin > rel ? ns(fin - rel) : 0);
    fputc(sqlite3_column_int64(st, 5) != 0, f);
    x->bytes[core] += 25;
    return true;
}

static bool next_row(cx *x, sqlite3_stmt *st, int col, int64_t *when)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        int64_t t = sqlite3_column_int64(st, col);
        *when = t < 0 ? 0 : t;
        return true;
    }
    *when = INT64_MAX;
    return rc == SQLITE_DONE || fail_db(x, "reading the trace");
}

static bool merge(cx *x)
{
    kinds kd = { an_db_kind_id(x->db, TRN_K_SWITCH), an_db_kind_id(x->db, TRN_K_ULSWITCH),
                 an_db_kind_id(x->db, TRN_K_IRQ) };
    g_autofree char *q = g_strdup_printf("SELECT time_ps, core, kind, thread, a0 FROM events WHERE core IS NOT NULL "
                                         "AND kind IN (%" PRId64 ", %" PRId64 ", %" PRId64 ") ORDER BY id",
                                         kd.sw, kd.ulsw, kd.irq);
    bool jobs = an_db_has_table(x->db, TRN_JOBS) && an_db_has_table(x->db, TRN_TASKS);
    sqlite3_stmt *es = NULL, *rs = NULL, *cs = NULL;
    bool ok = sqlite3_prepare_v2(x->db, q, -1, &es, NULL) == SQLITE_OK
              && (!jobs || sqlite3_prepare_v2(x->db, "SELECT j.task, j.job, j.core, j.release_ps, j.deadline_ps, t.name "
                                                     "FROM " TRN_JOBS " j LEFT JOIN " TRN_TASKS " t ON t.task = j.task "
                                                     "ORDER BY j.release_ps, j.task, j.job", -1, &rs, NULL) == SQLITE_OK)
              && (!jobs || sqlite3_prepare_v2(x->db, "SELECT task, job, core, finish_ps, release_ps, missed FROM "
                                                     TRN_JOBS " ORDER BY finish_ps, task, job", -1, &cs, NULL)
                               == SQLITE_OK);
    if (!ok) {
        fail_db(x, "reading the trace");
        goto out;
    }
    int64_t *running = g_new0(int64_t, MAX_CORE);
    for (int c = 0; c < MAX_CORE; c++)
        running[c] = -1;        /* the boot, until a core's first switch */
    int64_t te, tr = INT64_MAX, tc = INT64_MAX;
    ok = next_row(x, es, 0, &te) && (!jobs || (next_row(x, rs, 3, &tr) && next_row(x, cs, 3, &tc)));
    /* at one instant: completions, then releases, then the events */
    while (ok && (te != INT64_MAX || tr != INT64_MAX || tc != INT64_MAX)) {
        if (tc <= tr && tc <= te)
            ok = on_completion(x, cs) && next_row(x, cs, 3, &tc);
        else if (tr <= te)
            ok = on_release(x, rs) && next_row(x, rs, 3, &tr);
        else
            ok = on_event(x, &kd, es, running) && next_row(x, es, 0, &te);
    }
    g_free(running);
out:
    sqlite3_finalize(es);
    sqlite3_finalize(rs);
    sqlite3_finalize(cs);
    return ok;
}

/* ---- the folder --------------------------------------------------------------------- */

/* Close every stream with its context filled in; rename them all (and
 * write the metadata) only when all are whole. */
static bool finish(cx *x, bool ok)
{
    for (int c = 0; c < MAX_CORE; c++) {
        FILE *f = x->f[c];
        if (f == NULL)
            continue;
        if (ok) {
            uint64_t bits = x->bytes[c] * 8;
            ok = fseek(f, 8, SEEK_SET) == 0;
            put_u64(f, x->first[c]);
            put_u64(f, x->last[c]);
            put_u64(f, bits);
            put_u64(f, bits);
            ok = ok && !ferror(f);
        }
        if (fclose(f) != 0)
            ok = false;
    }
    g_autofree char *meta = g_build_filename(x->dir, "metadata", NULL);
    GError *e = NULL;
    if (ok && !g_file_set_contents(meta, metadata, -1, &e)) {
        g_set_error(x->error, an_export_error_quark(), 2, "%s", e->message);
        g_error_free(e);
        ok = false;
    }
    for (int c = 0; c < MAX_CORE; c++)
        if (x->temp[c]) {
            g_autofree char *path = g_strdup_printf("%s/channel_%d", x->dir, c);
            if (!ok || rename(x->temp[c], path) != 0) {
                if (ok)
                    g_set_error(x->error, an_export_error_quark(), 2, "cannot write '%s': %s", path, g_strerror(errno));
                ok = false;
                unlink(x->temp[c]);
            }
            g_free(x->temp[c]);
        }
    if (!ok && x->error && *x->error == NULL)
        g_set_error(x->error, an_export_error_quark(), 2, "cannot write the streams in '%s'", x->dir);
    return ok;
}

bool an_export_ctf(sqlite3 *db, const char *dir, GError **error)
{
    if (!an_export_folder(dir, error))
        return false;
    cx *x = g_new0(cx, 1);
    x->db = db, x->dir = dir, x->error = error;
    x->labels = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    int64_t u_sched = an_db_kind_id(db, TRN_U_SCHED), u_irq = an_db_kind_id(db, TRN_U_IRQ_THREAD);
    g_autofree char *q_sched = g_strdup_printf("SELECT DISTINCT core, thread FROM events WHERE kind = %" PRId64
                                               " AND thread IS NOT NULL AND core IS NOT NULL", u_sched);
    g_autofree char *q_irq = g_strdup_printf("SELECT DISTINCT core, thread FROM events WHERE kind = %" PRId64
                                             " AND thread IS NOT NULL AND core IS NOT NULL", u_irq);
    bool ok = (!an_db_has_table(db, TRN_JOBS) || !an_db_has_table(db, TRN_TASKS)
               || name_threads(x, "SELECT DISTINCT j.core, j.thread, t.name FROM " TRN_JOBS " j LEFT JOIN " TRN_TASKS
                                  " t ON t.task = j.task", NULL))
              && name_threads(x, q_sched, "scheduler") && name_threads(x, q_irq, "irq") && merge(x);
    ok = finish(x, ok);
    if (ok && x->skipped)
        fprintf(stderr, "cossim export: %" PRId64 " rows out of range (a core) left out\n", x->skipped);
    g_hash_table_destroy(x->labels);
    g_free(x);
    return ok;
}
