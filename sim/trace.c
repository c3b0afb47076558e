/* sim/trace.c: SQLite trace writer with a content digest (see trace.h and
 * docs/trace-schema.md; reading a trace back is sim/trace_read.c). */
#include "trace.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sqlite3.h>

#include "cossim-config.h"
#include "tempfile.h"
#include "trace_digest.h"
#include "trace_names.h"
#include "trace_pages.h"

G_DEFINE_QUARK(simtr-error-quark, simtr_error)

#define ROWS_PER_TRANSACTION 65536   /* with the journal off a commit only writes the dirty pages: any size will do */
#define CHUNK_BYTES 8192u            /* a table's rows are hashed and written this many bytes at a time */
#define CHUNK_FIRST 4096u            /* a table's first chunk; it grows as its rows need */
#define PAGE_SIZE 4096u              /* the file's pages (trace_pages.c builds most of them) */

/* A chunk: whole rows of one table, back to back, each value in the
 * digest's encoding (docs/trace-schema.md: a tag, then 8 bytes little-endian
 * for an integer or a real, 4 bytes of length and the bytes for a text,
 * the tag alone for a NULL).  The bytes the digest hashes are the bytes the
 * pages are built from: a value is encoded once, and a table's digest is the
 * SHA-256 of its chunks in order. */
typedef struct chunk {
    simtr_table *t;
    size_t len, cap;
    uint64_t rows;             /* whole rows in it */
    guint8 *data;
} chunk;

struct simtr_table {
    simtr *tr;
    char *name;
    simtr_column *cols;
    unsigned ncols;
    unsigned col;              /* next column of the row being written */
    sqlite3_stmt *insert;      /* the run table: one row from parameters */
    simtp_table *pages;        /* every other table: its rows as pages (trace_pages.h) */
    chunk *cur;                /* the rows being encoded (the simulation thread's) */
    simsha256 sum;             /* of the rows handed over */
    uint64_t rows;
};

/* Each table's rows are encoded into its chunk; a full chunk (CHUNK_BYTES)
 * is hashed into the table's digest and, with a database, written: as
 * pages (trace_pages.h) or, for the run table, through SQLite.  It is
 * done on the simulation's own thread: 8 KiB of rows are still in the
 * core's cache when the writer reads them, and a writer thread (used
 * until the pages replaced SQLite's INSERT) cost more CPU in its hand-offs
 * than it saved (BENCHMARKS.md, "The trace as pages").  Each table's `id`
 * is its rows' order. */
struct simtr {
    sqlite3 *db;
    simtp *pages;              /* the tables' pages, with a database */
    char *path;                /* requested; NULL for no database */
    char *temp;                /* being written */
    GPtrArray *tables;         /* simtr_table *, declaration order */
    simtr_table *run;
    simtr_level level;
    uint64_t pending;          /* rows in the open transaction */
    char *failure;             /* first error, sticky */
};


static chunk *chunk_new(simtr_table *t)
{
    chunk *c = g_new0(chunk, 1);
    c->t = t;
    c->cap = CHUNK_FIRST;
    c->data = g_malloc(c->cap);
    return c;
}

static void chunk_free(chunk *c)
{
    if (c == NULL)
        return;
    g_free(c->data);
    g_free(c);
}

static inline double value_real(const guint8 *p)
{
    uint64_t u = (uint64_t)simtr_value_i64(p);
    double d;
    memcpy(&d, &u, 8);
    return d;
}

static void fail(simtr *tr, const char *what)
{
    if (tr->failure == NULL)
        tr->failure = g_strdup_printf("%s: %s", what, tr->db ? sqlite3_errmsg(tr->db) : "no database");
}

static bool exec(simtr *tr, const char *sql)
{
    if (tr->db == NULL || tr->failure)
        return tr->failure == NULL;
    char *msg = NULL;
    if (sqlite3_exec(tr->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        if (tr->failure == NULL)
            tr->failure = g_strdup_printf("%s: %s", sql, msg ? msg : "error");
        sqlite3_free(msg);
        return false;
    }
    return true;
}

/* ---- writing ---- */

/* Insert one row from p through t->insert; the end of the row. */
static const guint8 *insert_row(simtr *tr, simtr_table *t, const guint8 *p)
{
    sqlite3_stmt *st = t->insert;
    for (unsigned c = 0; c < t->ncols && tr->failure == NULL; c++, p += simtr_value_len(p)) {
        int i = (int)c + 1, rc = SQLITE_OK;
        switch (*p) {
        case 'I': rc = sqlite3_bind_int64(st, i, simtr_value_i64(p)); break;
        case 'F': rc = sqlite3_bind_double(st, i, value_real(p)); break;
        case 'T': rc = sqlite3_bind_text64(st, i, (const char *)p + 5, simtr_value_len(p) - 5, SQLITE_STATIC, SQLITE_UTF8); break;
        case 'N': rc = sqlite3_bind_null(st, i); break;
        default: g_assert_not_reached();
        }
        if (rc != SQLITE_OK)
            fail(tr, t->name);
    }
    if (tr->failure == NULL && sqlite3_step(st) != SQLITE_DONE)
        fail(tr, t->name);
    sqlite3_reset(st);
    return p;
}

static void write_chunk(simtr *tr, const chunk *c)
{
    simtr_table *t = c->t;
    if (tr->failure || c->rows == 0)
        return;
    if (t->pages) {
        char *why = NULL;
        if (!simtp_add_rows(t->pages, c->data, c->len, c->rows, &why) && tr->failure == NULL)
            tr->failure = g_strdup_printf("%s: %s", t->name, why);
        g_free(why);
        return;
    }
    const guint8 *p = c->data;
    for (uint64_t r = 0; r < c->rows && tr->failure == NULL; r++)
        p = insert_row(tr, t, p);
    tr->pending += c->rows;
    if (tr->pending >= ROWS_PER_TRANSACTION) {
        exec(tr, "COMMIT; BEGIN;");
        tr->pending = 0;
    }
}

/* Hash the table's rows so far into its digest and write them (with a
 * database); the table's chunk is then empty. */
static void hand_over(simtr_table *t)
{
    simtr *tr = t->tr;
    chunk *c = t->cur;
    g_assert(t->col == 0);      /* whole rows only */
    if (c->rows == 0)
        return;
    simsha256_update(&t->sum, c->data, c->len);
    if (tr->db)
        write_chunk(tr, c);
    c->len = 0;
    c->rows = 0;
}

/* Every table's rows hashed and written. */
static void drain(simtr *tr)
{
    for (guint i = 0; i < tr->tables->len; i++)
        hand_over(tr->tables->pdata[i]);
}

/* ---- encoding a row ---- */

static G_GNUC_NO_INLINE void grow(chunk *c, size_t n)
{
    c->cap = MAX(c->cap * 2, c->len + n);
    c->data = g_realloc(c->data, c->cap);
}

/* Room for n more bytes in the table's chunk: where they go. */
static inline guint8 *reserve(simtr_table *t, size_t n)
{
    chunk *c = t->cur;
    if (G_UNLIKELY(c->len + n > c->cap))
        grow(c, n);
    return c->data + c->len;
}

static inline void put_u64(simtr_table *t, guint8 tag, uint64_t v)
{
    guint8 *p = reserve(t, 9);
    uint64_t le = GUINT64_TO_LE(v);
    p[0] = tag;
    memcpy(p + 1, &le, 8);
    t->cur->len += 9;
}

static inline void next_col(simtr_table *t, simtr_type type)
{
    g_assert(t->col < t->ncols);
    g_assert(t->cols[t->col].type == type);
    t->col++;
}

void simtr_begin(simtr_table *t)
{
    g_assert(t->col == 0);
}

void simtr_int(simtr_table *t, int64_t v)
{
    next_col(t, SIMTR_INT);
    put_u64(t, 'I', (uint64_t)v);
}

void simtr_real(simtr_table *t, double v)
{
    if (isnan(v)) {
        g_assert(t->col < t->ncols && t->cols[t->col].type == SIMTR_REAL);
        simtr_null(t);
        return;
    }
    next_col(t, SIMTR_REAL);
    if (v == 0)
        v = 0;   /* SQLite keeps -0.0 as 0.0 only sometimes; store one zero */
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    put_u64(t, 'F', bits);
}

void simtr_text(simtr_table *t, const char *s, ssize_t len)
{
    next_col(t, SIMTR_TEXT);
    size_t n = len < 0 ? strlen(s) : (size_t)len;
    g_assert(n <= UINT32_MAX);
    guint8 *p = reserve(t, 5 + n);
    uint32_t le = GUINT32_TO_LE((uint32_t)n);
    p[0] = 'T';
    memcpy(p + 1, &le, 4);
    memcpy(p + 5, s, n);
    t->cur->len += 5 + n;
}

void simtr_null(simtr_table *t)
{
    g_assert(t->col < t->ncols);
    g_assert(!t->cols[t->col].not_null);
    t->col++;
    *reserve(t, 1) = 'N';
    t->cur->len++;
}

void simtr_end(simtr_table *t)
{
    g_assert(t->col == t->ncols);
    t->col = 0;
    t->rows++;
    t->cur->rows++;
    if (t->cur->len >= CHUNK_BYTES)
        hand_over(t);
}

uint64_t simtr_rows(const simtr_table *t)
{
    return t->rows;
}

/* ---- tables ---- */

static const char *type_sql(simtr_type t)
{
    switch (t) {
    case SIMTR_INT: return "INTEGER";
    case SIMTR_REAL: return "REAL";
    case SIMTR_TEXT: return "TEXT";
    }
    g_assert_not_reached();
}

simtr_table *simtr_find(simtr *tr, const char *name)
{
    for (guint i = 0; i < tr->tables->len; i++)
        if (strcmp(((simtr_table *)tr->tables->pdata[i])->name, name) == 0)
            return tr->tables->pdata[i];
    return NULL;
}

/* The run table's statement: one row from parameters. */
static void prepare_insert(simtr *tr, simtr_table *t)
{
    g_autoptr(GString) cols = g_string_new(NULL), params = g_string_new(NULL);
    for (unsigned i = 0; i < t->ncols; i++) {
        g_string_append_printf(cols, "%s%s", i ? ", " : "", t->cols[i].name);
        g_string_append(params, i ? ", ?" : "?");
    }
    g_autofree char *one = g_strdup_printf("INSERT INTO %s(%s) VALUES(%s)", t->name, cols->str, params->str);
    if (sqlite3_prepare_v3(tr->db, one, -1, SQLITE_PREPARE_PERSISTENT, &t->insert, NULL) != SQLITE_OK)
        fail(tr, "prepare");
}

/* Every other table's root page, to build its B-tree on. */
static void start_pages(simtr *tr, simtr_table *t)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(tr->db, "SELECT rootpage FROM sqlite_schema WHERE type = 'table' AND name = ?", -1, &st,
                           NULL) != SQLITE_OK
        || sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW
        || sqlite3_column_int64(st, 0) < 2 || sqlite3_column_int64(st, 0) > UINT32_MAX)
        fail(tr, "root page");
    else
        t->pages = simtp_table_new(tr->pages, t->name, t->ncols, (uint32_t)sqlite3_column_int64(st, 0));
    sqlite3_finalize(st);
}

simtr_table *simtr_define(simtr *tr, const char *name, const simtr_column *cols, unsigned ncols)
{
    g_assert(ncols >= 1);
    for (guint i = 0; i < tr->tables->len; i++)
        g_assert(strcmp(((simtr_table *)tr->tables->pdata[i])->name, name) != 0);
    simtr_table *t = g_new0(simtr_table, 1);
    t->tr = tr;
    t->name = g_strdup(name);
    t->ncols = ncols;
    t->cols = g_new0(simtr_column, ncols);
    simsha256_init(&t->sum);
    for (unsigned i = 0; i < ncols; i++) {
        t->cols[i] = cols[i];
        t->cols[i].name = g_intern_string(cols[i].name);
    }
    t->cur = chunk_new(t);
    drain(tr);      /* every row so far in, before the schema changes */
    g_ptr_array_add(tr->tables, t);
    if (tr->db == NULL)
        return t;

    /* run is declared first, by simtr_open; only it has the digest column */
    bool is_run = tr->tables->len == 1;
    g_autoptr(GString) create = g_string_new(NULL);
    g_string_append_printf(create, "CREATE TABLE %s(id INTEGER PRIMARY KEY", name);
    for (unsigned i = 0; i < ncols; i++)
        g_string_append_printf(create, ", %s %s%s", cols[i].name, type_sql(cols[i].type),
                               cols[i].not_null ? " NOT NULL" : "");
    if (is_run)
        g_string_append(create, ", digest TEXT");
    g_string_append(create, ") STRICT;");
    if (!exec(tr, create->str))
        return t;
    char *reg = sqlite3_mprintf("INSERT INTO trace_tables(position, name) VALUES(%u, %Q);",
                                tr->tables->len, name);
    exec(tr, reg);
    sqlite3_free(reg);
    if (is_run)
        prepare_insert(tr, t);
    else
        start_pages(tr, t);
    return t;
}

/* ---- levels ---- */

static const char *const level_names[] = { [SIMTR_LEVEL_JOBS] = "jobs", [SIMTR_LEVEL_KERNEL] = "kernel",
                                           [SIMTR_LEVEL_ALL] = "all" };

bool simtr_level_parse(const char *name, simtr_level *level)
{
    for (unsigned i = 0; i < G_N_ELEMENTS(level_names); i++)
        if (strcmp(name, level_names[i]) == 0) {
            *level = (simtr_level)i;
            return true;
        }
    return false;
}

const char *simtr_level_name(simtr_level level)
{
    g_assert((unsigned)level < G_N_ELEMENTS(level_names));
    return level_names[level];
}

void simtr_set_level(simtr *tr, simtr_level level)
{
    g_assert((unsigned)level < G_N_ELEMENTS(level_names));
    g_assert(tr->tables->len == 1 && tr->level == SIMTR_LEVEL_ALL);    /* before any table but run */
    tr->level = level;
    if (level == SIMTR_LEVEL_ALL)
        return;     /* the default leaves no mark: its traces are what they always were */
    static const simtr_column cols[] = { { "level", SIMTR_TEXT, true } };
    simtr_table *t = simtr_define(tr, TRN_TRACE_LEVEL, cols, G_N_ELEMENTS(cols));
    simtr_begin(t);
    simtr_text(t, level_names[level], -1);
    simtr_end(t);
}

simtr_level simtr_get_level(const simtr *tr)
{
    return tr->level;
}

bool simtr_keeps_kind(const simtr *tr, const char *name)
{
    if (g_str_has_prefix(name, TRN_KERNEL_KIND_PREFIX))
        return tr->level >= SIMTR_LEVEL_KERNEL;
    if (g_str_has_prefix(name, TRN_USER_KIND_PREFIX))
        return tr->level >= SIMTR_LEVEL_ALL;
    return true;
}

/* ---- the whole trace ---- */

static const simtr_column run_columns[] = {
    { "schema_version", SIMTR_INT, true },
    { "cossim_version", SIMTR_TEXT, true },
    { "scenario", SIMTR_TEXT, true },
    { "scenario_sha256", SIMTR_TEXT, true },
    { "machine", SIMTR_TEXT, true },
    { "seed", SIMTR_INT, true },
    { "until_ps", SIMTR_INT, false },
    { "end_ps", SIMTR_INT, true },
    { "events", SIMTR_INT, true },
};

simtr *simtr_open(const char *path, GError **error)
{
    simtr *tr = g_new0(simtr, 1);
    tr->tables = g_ptr_array_new();
    tr->level = SIMTR_LEVEL_ALL;
    if (path != NULL) {
        tr->path = g_strdup(path);
        simtmp_sweep(path);        /* what killed runs left here */
        int fd = simtmp_create(path, &tr->temp);
        if (fd < 0) {
            int e = errno;
            g_set_error(error, SIMTR_ERROR, SIMTR_ERROR_OPEN, "cannot write trace '%s': %s",
                        path, g_strerror(e));
            simtr_abort(tr);
            return NULL;
        }
        close(fd);
        if (sqlite3_open_v2(tr->temp, &tr->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
            g_set_error(error, SIMTR_ERROR, SIMTR_ERROR_OPEN, "cannot open trace '%s': %s",
                        path, tr->db ? sqlite3_errmsg(tr->db) : "out of memory");
            simtr_abort(tr);
            return NULL;
        }
        g_autofree char *pragmas = g_strdup_printf(
            "PRAGMA page_size=%u; PRAGMA auto_vacuum=NONE;"
            "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA locking_mode=EXCLUSIVE;"
            "PRAGMA temp_store=MEMORY; PRAGMA application_id=%d; PRAGMA user_version=%d;"
            "CREATE TABLE trace_tables(position INTEGER PRIMARY KEY, name TEXT NOT NULL) STRICT;"
            "BEGIN;",
            PAGE_SIZE, 0x636f7373 /* "coss" */, SIMTR_SCHEMA_VERSION);
        GError *err = NULL;
        if (!exec(tr, pragmas) || (tr->pages = simtp_open(tr->temp, PAGE_SIZE, &err)) == NULL) {
            g_set_error(error, SIMTR_ERROR, SIMTR_ERROR_OPEN, "cannot set up trace '%s': %s",
                        path, tr->failure ? tr->failure : err->message);
            g_clear_error(&err);
            simtr_abort(tr);
            return NULL;
        }
    }
    tr->run = simtr_define(tr, TRN_RUN, run_columns, G_N_ELEMENTS(run_columns));
    return tr;
}

const char *simtr_temp_path(const simtr *tr)
{
    return tr ? tr->temp : NULL;
}

const char *simtr_failure(simtr *tr)
{
    drain(tr);
    return tr->failure;
}

static void finalize_statements(simtr *tr)
{
    for (guint i = 0; i < tr->tables->len; i++) {
        simtr_table *t = tr->tables->pdata[i];
        sqlite3_finalize(t->insert);
        t->insert = NULL;
    }
}

static void free_tr(simtr *tr)
{
    finalize_statements(tr);
    for (guint i = 0; i < tr->tables->len; i++) {
        simtr_table *t = tr->tables->pdata[i];
        chunk_free(t->cur);
        g_free(t->cols);
        g_free(t->name);
        g_free(t);
    }
    g_ptr_array_free(tr->tables, TRUE);
    if (tr->db)
        sqlite3_close(tr->db);
    simtp_free(tr->pages);
    g_free(tr->path);
    g_free(tr->temp);
    g_free(tr->failure);
    g_free(tr);
}

void simtr_abort(simtr *tr)
{
    if (tr == NULL)
        return;
    finalize_statements(tr);
    if (tr->db) {
        sqlite3_close(tr->db);
        tr->db = NULL;
    }
    if (tr->temp)
        unlink(tr->temp);
    free_tr(tr);
}

bool simtr_finish(simtr *tr, const simtr_run *run, char digest_hex[SIMTR_DIGEST_HEX], GError **error)
{
    simtr_table *r = tr->run;
    simtr_begin(r);
    simtr_int(r, SIMTR_SCHEMA_VERSION);
    simtr_text(r, COSSIM_VERSION, -1);
    simtr_text(r, run->scenario, -1);
    simtr_text(r, run->scenario_sha256, -1);
    simtr_text(r, run->machine, -1);
    simtr_int(r, (int64_t)run->seed);
    if (run->has_until)
        simtr_int(r, (int64_t)run->until_ps);
    else
        simtr_null(r);
    simtr_int(r, (int64_t)run->end_ps);
    simtr_int(r, (int64_t)run->events);
    simtr_end(r);

    drain(tr);      /* every row hashed and in */
    simsha256 all;
    simsha256_init(&all);
    simsha256_update(&all, SIMTR_DIGEST_MAGIC, strlen(SIMTR_DIGEST_MAGIC));
    for (guint i = 0; i < tr->tables->len; i++) {
        simtr_table *t = tr->tables->pdata[i];
        simtr_digest_combine(&all, t->name, t->rows, &t->sum);
    }
    simtr_digest_finish(&all, digest_hex);

    if (tr->db) {
        char *sql = sqlite3_mprintf("UPDATE run SET digest = %Q; COMMIT;", digest_hex);
        exec(tr, sql);
        sqlite3_free(sql);
        finalize_statements(tr);
        if (tr->failure == NULL && sqlite3_close(tr->db) != SQLITE_OK)
            fail(tr, "close");
        else
            tr->db = NULL;
        char *why = NULL;
        if (tr->failure == NULL && !simtp_assemble(tr->pages, tr->temp, &why))
            tr->failure = why;
        if (tr->failure == NULL && rename(tr->temp, tr->path) != 0)
            tr->failure = g_strdup_printf("cannot rename '%s' to '%s': %s", tr->temp, tr->path,
                                          g_strerror(errno));
        if (tr->failure) {
            g_set_error(error, SIMTR_ERROR, SIMTR_ERROR_WRITE, "trace '%s' not written: %s",
                        tr->path, tr->failure);
            simtr_abort(tr);
            return false;
        }
    }
    free_tr(tr);
    return true;
}
