/* analysis/merge.c: `cossim merge` (merge.h): the results database's
 * schema, and each trace's rows copied into it under the run's key. */
#include "merge.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sqlite3.h>

#include "sim/json.h"
#include "sim/trace.h"
#include "trace_db.h"

static int usage(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static int usage(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *m = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    fprintf(stderr, "cossim merge: %s\n", m);
    return 2;
}

#define TRACE_APP_ID 0x636f7373   /* "coss": sim/trace.c */

/* The tables copied from each trace: their columns here (not the trace's:
 * a name from the file never reaches SQL text), each with the run's key
 * first and the trace's row id as `id` where a table has no key of its
 * own.  A column an older trace lacks is NULL. */
typedef struct copied {
    const char *name;
    const char *key;            /* the primary key after run */
    const char *cols[28];
} copied;

static const copied tables[] = {
    { "tasks", "task", { "task", "name", "core", "policy", "priority", "period_ps", "deadline_ps", "budget_ps",
                         "offset_ps", "jitter_ps", "sporadic", "wcet_cycles", "group_name", NULL } },
    { "jobs", "id", { "id", "task", "job", "core", "thread", "release_ps", "start_ps", "finish_ps", "deadline_ps",
                      "response_ps", "missed", NULL } },
    { "counters", "id", { "id", "time_ps", "core", "kernel_cycles", "user_cycles", "l1i_hits", "l1i_misses", "l1d_hits",
                          "l1d_misses", "l2_hits", "l2_misses", "l3_hits", "l3_misses", "peer_transfers", "mem_reads",
                          "upgrades", "invalidations", "writebacks", "mem_writes", "bus_wait_cycles", "cross_cycles",
                          "user_cross_cycles", "evict_misses", "evict_cycles", "tlb_misses", "interrupts", "freq_hz",
                          NULL } },
    { "task_demand", "id", { "id", "task", "lock", "protocol", "ceiling", "compute_cycles", "lines", "pages",
                             "mem_cycles", "runtime_cycles", "invocations", "cycles", "note", NULL } },
    { "kernel_paths", "id", { "id", "first_core", "path", "n", "cycles", "max_cycles", "arch", "instructions", "fetch",
                              "data", "accesses", "walk", "walks", NULL } },
};

/* Column types in the results database (STRICT: a trace's value of
 * another type is refused). */
static const char *col_type(const char *col)
{
    static const char *const text[] = { "name", "policy", "group_name", "path", "lock", "protocol", "note", NULL };
    return g_strv_contains(text, col) ? "TEXT" : "INTEGER";
}

static const char schema[] =
    "CREATE TABLE runs(run INTEGER PRIMARY KEY, digest TEXT NOT NULL UNIQUE, scenario TEXT NOT NULL, "
    "scenario_sha256 TEXT NOT NULL, machine TEXT NOT NULL, seed INTEGER NOT NULL, params TEXT NOT NULL, "
    "end_ps INTEGER NOT NULL, events INTEGER NOT NULL, trace_level TEXT NOT NULL, cossim_version TEXT NOT NULL, "
    "source TEXT NOT NULL) STRICT;"
    "CREATE TABLE run_params(run INTEGER NOT NULL, position INTEGER NOT NULL, key TEXT NOT NULL, "
    "value TEXT NOT NULL, PRIMARY KEY(run, position)) STRICT;";

static bool exec(sqlite3 *db, const char *sql, GError **error)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK)
        return true;
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "%s", msg ? msg : sqlite3_errmsg(db));
    sqlite3_free(msg);
    return false;
}

static int64_t pragma_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int64_t v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

bool an_merge_is(sqlite3 *db)
{
    return pragma_int(db, "PRAGMA application_id") == AN_MERGE_APP_ID && an_db_has_table(db, "runs");
}

static bool create_schema(sqlite3 *db, GError **error)
{
    g_autoptr(GString) s = g_string_new(NULL);
    g_string_append_printf(s, "PRAGMA application_id=%d; PRAGMA user_version=%d; %s", AN_MERGE_APP_ID, AN_MERGE_VERSION,
                           schema);
    for (size_t t = 0; t < G_N_ELEMENTS(tables); t++) {
        g_string_append_printf(s, "CREATE TABLE %s(run INTEGER NOT NULL", tables[t].name);
        for (const char *const *c = tables[t].cols; *c; c++)
            g_string_append_printf(s, ", %s %s", *c, col_type(*c));
        g_string_append_printf(s, ", PRIMARY KEY(run, %s)) STRICT, WITHOUT ROWID;", tables[t].key);
    }
    return exec(db, s->str, error);
}

/* OUT: a new file, or a results database of ours (and nothing else in its
 * schema but our tables and their indexes).  Returns it open inside its
 * write transaction (BEGIN IMMEDIATE: a second merge into the same file
 * waits), the schema made in that transaction if the file was empty. */
static sqlite3 *open_out(const char *path, bool *fresh, GError **error)
{
    *fresh = false;
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "cannot open '%s': %s", path,
                    db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
    sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
    sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, NULL);
#ifdef SQLITE_DBCONFIG_ENABLE_VIEW
    sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_VIEW, 0, NULL);
#endif
    sqlite3_busy_timeout(db, 10000);
    GError *e = NULL;
    if (!exec(db, "PRAGMA synchronous=FULL; BEGIN IMMEDIATE", &e)) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "'%s': %s", path, e->message);
        g_error_free(e);
        sqlite3_close(db);
        return NULL;
    }
    int64_t objects = pragma_int(db, "SELECT count(*) FROM sqlite_master");
    int64_t foreign = pragma_int(db, "SELECT count(*) FROM sqlite_master WHERE type NOT IN ('table', 'index') OR "
                                     "(type = 'table' AND sql LIKE 'CREATE VIRTUAL%')");
    if (objects < 0) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "'%s' is not an SQLite database: %s", path,
                    sqlite3_errmsg(db));
    } else if (objects == 0) {
        if (create_schema(db, &e)) {
            *fresh = true;
            return db;
        }
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "cannot write '%s': %s", path, e->message);
        g_error_free(e);
    } else if (!an_merge_is(db) || foreign != 0) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "'%s' is not a results database of cossim merge "
                    "(refusing to add to it)", path);
    } else if (pragma_int(db, "PRAGMA user_version") != AN_MERGE_VERSION) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "'%s' is a results database of another version (%" PRId64
                    ", this cossim writes %d)", path, pragma_int(db, "PRAGMA user_version"), AN_MERGE_VERSION);
    } else {
        return db;
    }
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(db);
    return NULL;
}

/* Whether the trace's table list (what its digest covers) names t. */
static bool digested(sqlite3 *in, const char *t)
{
    sqlite3_stmt *st = NULL;
    bool yes = false;
    if (sqlite3_prepare_v2(in, "SELECT 1 FROM trace_tables WHERE name = ?1", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, t, -1, SQLITE_STATIC);
        yes = sqlite3_step(st) == SQLITE_ROW;
    }
    sqlite3_finalize(st);
    return yes;
}

/* Copy table t of the trace in `in` to `out` under run key `run`. */
static bool copy_table(sqlite3 *in, sqlite3 *out, const copied *t, int64_t run, GError **error)
{
    if (!an_db_has_table(in, t->name))
        return true;     /* a run that composed no system has no tasks nor jobs */
    if (!digested(in, t->name)) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "its table %s is not among the tables its digest "
                    "covers (trace_tables): an edited trace", t->name);
        return false;
    }
    g_autoptr(GString) sel = g_string_new("SELECT ");
    g_autoptr(GString) ins = g_string_new(NULL);
    g_string_append_printf(ins, "INSERT INTO %s VALUES (?1", t->name);
    int n = 0;
    for (const char *const *c = t->cols; *c; c++, n++) {
        g_string_append_printf(sel, "%s%s", n ? ", " : "", an_db_has_column(in, t->name, *c) ? *c : "NULL");
        g_string_append_printf(ins, ", ?%d", n + 2);
    }
    g_string_append_printf(sel, " FROM %s ORDER BY id", t->name);
    g_string_append(ins, ")");
    sqlite3_stmt *s = NULL, *w = NULL;
    bool ok = false;
    if (sqlite3_prepare_v2(in, sel->str, -1, &s, NULL) != SQLITE_OK) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "reading its table %s: %s", t->name, sqlite3_errmsg(in));
        goto out;
    }
    if (sqlite3_prepare_v2(out, ins->str, -1, &w, NULL) != SQLITE_OK) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "%s", sqlite3_errmsg(out));
        goto out;
    }
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        sqlite3_bind_int64(w, 1, run);
        for (int c = 0; c < n; c++)
            sqlite3_bind_value(w, c + 2, sqlite3_column_value(s, c));
        if (sqlite3_step(w) != SQLITE_DONE) {
            g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "its table %s has a row the writer never makes: %s",
                        t->name, sqlite3_errmsg(out));
            goto out;
        }
        sqlite3_reset(w);
    }
    if (rc != SQLITE_DONE) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "reading its table %s: %s", t->name, sqlite3_errmsg(in));
        goto out;
    }
    ok = true;
out:
    sqlite3_finalize(s);
    sqlite3_finalize(w);
    return ok;
}

/* What one trace says of its run (the run table, the level, the params). */
typedef struct run_info {
    char *version, *scenario, *sha, *machine, *digest, *level;
    int64_t seed, end_ps, events;
    GPtrArray *keys, *values;
} run_info;

static void run_info_clear(run_info *ri)
{
    g_free(ri->version);
    g_free(ri->scenario);
    g_free(ri->sha);
    g_free(ri->machine);
    g_free(ri->digest);
    g_free(ri->level);
    if (ri->keys)
        g_ptr_array_unref(ri->keys);
    if (ri->values)
        g_ptr_array_unref(ri->values);
}

static char *col_text(sqlite3_stmt *st, int c)
{
    const unsigned char *t = sqlite3_column_text(st, c);
    return g_strdup(t ? (const char *)t : "");
}

static bool read_run(sqlite3 *in, run_info *ri, GError **error)
{
    ri->keys = g_ptr_array_new_with_free_func(g_free);
    ri->values = g_ptr_array_new_with_free_func(g_free);
    if (pragma_int(in, "PRAGMA application_id") != TRACE_APP_ID || !an_db_has_table(in, "run") ||
        !an_db_has_table(in, "trace_tables")) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "not a trace cossim wrote");
        return false;
    }
    sqlite3_stmt *st = NULL;
    bool ok = sqlite3_prepare_v2(in, "SELECT cossim_version, scenario, scenario_sha256, machine, seed, end_ps, events, "
                                     "digest FROM run", -1, &st, NULL) == SQLITE_OK &&
              sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 7) == SQLITE_TEXT;
    if (ok) {
        ri->version = col_text(st, 0);
        ri->scenario = col_text(st, 1);
        ri->sha = col_text(st, 2);
        ri->machine = col_text(st, 3);
        ri->seed = sqlite3_column_int64(st, 4);
        ri->end_ps = sqlite3_column_int64(st, 5);
        ri->events = sqlite3_column_int64(st, 6);
        ri->digest = col_text(st, 7);
        ok = sqlite3_step(st) == SQLITE_DONE;
    }
    sqlite3_finalize(st);
    if (!ok) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "its run table is not the one row of a finished run");
        return false;
    }
    ri->level = g_strdup("all");
    if (an_db_has_table(in, "trace_level") &&
        sqlite3_prepare_v2(in, "SELECT level FROM trace_level", -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW) {
            g_free(ri->level);
            ri->level = col_text(st, 0);
        }
        sqlite3_finalize(st);
    }
    if (sqlite3_prepare_v2(in, "SELECT key, value FROM run_params ORDER BY id", -1, &st, NULL) != SQLITE_OK) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "no run_params table");
        return false;
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
        g_ptr_array_add(ri->keys, col_text(st, 0));
        g_ptr_array_add(ri->values, col_text(st, 1));
    }
    sqlite3_finalize(st);
    return true;
}

static bool merged_already(sqlite3 *out, const char *digest)
{
    sqlite3_stmt *st = NULL;
    bool yes = false;
    if (sqlite3_prepare_v2(out, "SELECT 1 FROM runs WHERE digest = ?1", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, digest, -1, SQLITE_STATIC);
        yes = sqlite3_step(st) == SQLITE_ROW;
    }
    sqlite3_finalize(st);
    return yes;
}

static bool add_run(sqlite3 *out, const run_info *ri, const char *source, int64_t *run, GError **error)
{
    g_autoptr(GString) params = g_string_new("{");
    for (guint i = 0; i < ri->keys->len; i++) {
        if (i)
            g_string_append_c(params, ',');
        simjson_string(params, ri->keys->pdata[i], -1);
        g_string_append_c(params, ':');
        simjson_string(params, ri->values->pdata[i], -1);
    }
    g_string_append_c(params, '}');
    sqlite3_stmt *st = NULL;
    bool ok = sqlite3_prepare_v2(out, "INSERT INTO runs(digest, scenario, scenario_sha256, machine, seed, params, end_ps, "
                                      "events, trace_level, cossim_version, source) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)",
                                 -1, &st, NULL) == SQLITE_OK;
    if (ok) {
        sqlite3_bind_text(st, 1, ri->digest, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, ri->scenario, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, ri->sha, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, ri->machine, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 5, ri->seed);
        sqlite3_bind_text(st, 6, params->str, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 7, ri->end_ps);
        sqlite3_bind_int64(st, 8, ri->events);
        sqlite3_bind_text(st, 9, ri->level, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 10, ri->version, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 11, source, -1, SQLITE_STATIC);
        ok = sqlite3_step(st) == SQLITE_DONE;
    }
    sqlite3_finalize(st);
    *run = sqlite3_last_insert_rowid(out);
    if (ok && sqlite3_prepare_v2(out, "INSERT INTO run_params VALUES (?1, ?2, ?3, ?4)", -1, &st, NULL) == SQLITE_OK) {
        for (guint i = 0; ok && i < ri->keys->len; i++) {
            sqlite3_bind_int64(st, 1, *run);
            sqlite3_bind_int64(st, 2, (int64_t)i + 1);
            sqlite3_bind_text(st, 3, ri->keys->pdata[i], -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 4, ri->values->pdata[i], -1, SQLITE_STATIC);
            ok = sqlite3_step(st) == SQLITE_DONE;
            sqlite3_reset(st);
        }
        sqlite3_finalize(st);
    }
    if (!ok)
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "%s", sqlite3_errmsg(out));
    return ok;
}

/* Merge one trace; *added false when its run was there already. */
static bool merge_one(sqlite3 *out, const char *path, bool *added, GError **error)
{
    *added = false;
    sqlite3 *in = simtr_open_read(path, error);
    if (in == NULL)
        return false;
    run_info ri = { 0 };
    bool ok = read_run(in, &ri, error);
    /* merged already: skipped on its stored digest (were the content
     * edited, skipping it would add nothing either), so a rerun over
     * thousands of traces reads each one's run row only */
    if (ok && merged_already(out, ri.digest)) {
        sqlite3_close(in);
        run_info_clear(&ri);
        return true;
    }
    char computed[SIMTR_DIGEST_HEX];
    if (ok && (ok = simtr_digest_file(path, computed, NULL, error)) && strcmp(computed, ri.digest) != 0) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "'%s': its content does not have the digest it stores "
                    "(an edited or damaged trace)", path);
        ok = false;
    }
    char buf[PATH_MAX];
    const char *source = realpath(path, buf) ? buf : path;
    int64_t run = 0;
    ok = ok && add_run(out, &ri, source, &run, error);
    for (size_t t = 0; ok && t < G_N_ELEMENTS(tables); t++)
        ok = copy_table(in, out, &tables[t], run, error);
    if (!ok && error && *error && !g_str_has_prefix((*error)->message, "'"))
        g_prefix_error(error, "'%s': ", path);
    sqlite3_close(in);
    run_info_clear(&ri);
    *added = ok;
    return ok;
}

int an_cli_merge(int argc, char **argv)
{
    gboolean json = FALSE;
    GOptionEntry entries[] = {
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON object: runs added, skipped, in OUT", NULL },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("OUT.db RUN.db... - gather runs' traces into one results database (docs/sweeps.md)");
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_autoptr(GError) err = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &err))
        return usage("%s", err->message);
    if (argc < 3)
        return usage("usage: cossim merge OUT.db RUN.db...");
    const char *outp = argv[1];
    struct stat o, t;
    bool existed = stat(outp, &o) == 0;
    if (existed) {
        if (!S_ISREG(o.st_mode))
            return usage("'%s' is not a regular file", outp);
        for (int i = 2; i < argc; i++)
            if (stat(argv[i], &t) == 0 && t.st_dev == o.st_dev && t.st_ino == o.st_ino)
                return usage("'%s' is both the output and an input", argv[i]);
    }
    bool fresh;
    sqlite3 *out = open_out(outp, &fresh, &err);
    if (out == NULL) {
        if (!existed && stat(outp, &o) == 0 && o.st_size == 0)
            unlink(outp);           /* the empty file the open made */
        return usage("%s", err->message);
    }
    int64_t added = 0, skipped = 0;
    gint64 t0 = g_get_monotonic_time();
    bool ok = true;
    for (int i = 2; ok && i < argc; i++) {
        bool a;
        ok = merge_one(out, argv[i], &a, &err);
        added += ok && a;
        skipped += ok && !a;
    }
    ok = ok && exec(out, "COMMIT", &err);
    if (!ok) {
        sqlite3_exec(out, "ROLLBACK", NULL, NULL, NULL);
        sqlite3_close(out);
        if (fresh && !existed && stat(outp, &o) == 0 && o.st_size == 0)
            unlink(outp);           /* made by this merge, and empty again */
        fprintf(stderr, "cossim merge: %s\ncossim merge: nothing added to '%s' (%s)\n", err->message, outp,
                fresh ? "not made" : "it is as it was");
        return 2;
    }
    int64_t total = pragma_int(out, "SELECT count(*) FROM runs");
    sqlite3_close(out);
    double secs = (double)(g_get_monotonic_time() - t0) / 1e6;
    if (json) {
        g_autoptr(GString) j = g_string_new("{\"out\":");
        simjson_string(j, outp, -1);
        g_string_append_printf(j, ",\"added\":%" PRId64 ",\"skipped\":%" PRId64 ",\"runs\":%" PRId64 "}\n",
                               added, skipped, total);
        fputs(j->str, stdout);
    } else {
        printf("%s: %" PRId64 " run(s) added, %" PRId64 " merged already (same digest), %" PRId64 " in all (%.2f s)\n",
               outp, added, skipped, total, secs);
    }
    return 0;
}
