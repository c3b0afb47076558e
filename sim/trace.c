/* sim/trace.c: SQLite trace writer with a content digest (see trace.h and
 * docs/trace-schema.md). */
#include "trace.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sqlite3.h>

#include "cossim-config.h"
#include "sha256.h"
#include "tempfile.h"
#include <pthread.h>

G_DEFINE_QUARK(simtr-error-quark, simtr_error)

#define ROWS_PER_TRANSACTION 65536
#define CHUNK_BYTES (256u * 1024u)   /* rows are handed to the writer thread this many bytes at a time */
#define HASH_BUF 4096
#define DIGEST_MAGIC "cossim-trace-v1\n"

struct simtr_table {
    simtr *tr;
    char *name;
    simtr_column *cols;
    unsigned ncols;
    unsigned col;              /* next column of the row being written */
    unsigned index;            /* its position in the declaration order */
    sqlite3_stmt *insert;
    simsha256 sum;
    uint64_t rows;
    size_t hlen;
    unsigned char hbuf[HASH_BUF];
};

/* With a database, rows are encoded into chunks (a table index, then each
 * value tagged, then an end mark) that a writer thread binds and inserts,
 * so SQLite's work overlaps the simulation's.  The simulation thread
 * touches the database itself only after drain(), when the writer is idle
 * and every row handed over is in; while the writer runs, it alone uses
 * the connection and `failure`. */
struct simtr {
    sqlite3 *db;
    char *path;                /* requested; NULL for no database */
    char *temp;                /* being written */
    GPtrArray *tables;         /* simtr_table *, declaration order */
    simtr_table *run;
    uint64_t pending;          /* rows in the open transaction (writer) */
    char *failure;             /* first SQLite error, sticky */
    bool writing;              /* the writer thread runs */
    pthread_t writer;
    pthread_mutex_t lock;      /* (pthreads, which thread checkers see) guards the three below */
    pthread_cond_t work, idle;
    GQueue full, empty;        /* chunks to the writer, and back */
    unsigned inflight;         /* chunks handed over and not yet written */
    bool discard;              /* abort: the writer drops what is left */
    struct chunk *cur;         /* the chunk being filled (this thread's) */
};

/* A chunk: rows as bytes; a row is never split between two. */
typedef struct chunk {
    size_t len, cap;
    guint8 *data;
} chunk;

static chunk stop_mark;        /* pushed to end the writer */

static chunk *chunk_new(void)
{
    chunk *c = g_new(chunk, 1);
    c->len = 0;
    c->cap = CHUNK_BYTES + 4096;
    c->data = g_malloc(c->cap);
    return c;
}

static void chunk_free(chunk *c)
{
    g_free(c->data);
    g_free(c);
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

/* ---- the writer thread ---- */

static void write_chunk(simtr *tr, const chunk *c)
{
    const guint8 *p = c->data, *end = c->data + c->len;
    simtr_table *t = NULL;
    int col = 0;
    while (p < end && tr->failure == NULL) {
        guint8 tag = *p++;
        int64_t i;
        double d;
        uint32_t n;
        int rc = SQLITE_OK;
        switch (tag) {
        case 'R':
            memcpy(&n, p, 4);
            p += 4;
            t = tr->tables->pdata[n];
            col = 0;
            break;
        case 'I':
            memcpy(&i, p, 8);
            p += 8;
            rc = sqlite3_bind_int64(t->insert, ++col, i);
            break;
        case 'F':
            memcpy(&d, p, 8);
            p += 8;
            rc = sqlite3_bind_double(t->insert, ++col, d);
            break;
        case 'T':
            memcpy(&n, p, 4);
            p += 4;
            /* a value SQLite refuses (longer than its limit) must fail the
             * trace, not become a NULL that the digest does not describe */
            rc = sqlite3_bind_text64(t->insert, ++col, (const char *)p, n, SQLITE_STATIC, SQLITE_UTF8);
            p += n;
            break;
        case 'N':
            rc = sqlite3_bind_null(t->insert, ++col);
            break;
        case 'E':
            if (sqlite3_step(t->insert) != SQLITE_DONE)
                fail(tr, t->name);
            sqlite3_reset(t->insert);
            if (++tr->pending >= ROWS_PER_TRANSACTION) {
                exec(tr, "COMMIT; BEGIN;");
                tr->pending = 0;
            }
            break;
        default:
            g_assert_not_reached();
        }
        if (rc != SQLITE_OK)
            fail(tr, t->name);
    }
}

static void *writer_main(void *data)
{
    simtr *tr = data;
    pthread_mutex_lock(&tr->lock);
    for (;;) {
        while (g_queue_is_empty(&tr->full))
            pthread_cond_wait(&tr->work, &tr->lock);
        chunk *c = g_queue_pop_head(&tr->full);
        if (c == &stop_mark)
            break;
        bool discard = tr->discard;
        pthread_mutex_unlock(&tr->lock);
        if (!discard)
            write_chunk(tr, c);
        c->len = 0;
        pthread_mutex_lock(&tr->lock);
        g_queue_push_tail(&tr->empty, c);
        tr->inflight--;
        pthread_cond_signal(&tr->idle);
    }
    pthread_mutex_unlock(&tr->lock);
    return NULL;
}

static void push_full(simtr *tr, chunk *c)
{
    pthread_mutex_lock(&tr->lock);
    g_queue_push_tail(&tr->full, c);
    tr->inflight += c != &stop_mark;
    pthread_cond_signal(&tr->work);
    pthread_mutex_unlock(&tr->lock);
}

static void hand_over(simtr *tr)
{
    if (tr->cur->len == 0)
        return;
    if (!tr->writing) {     /* no thread could be started: write here */
        write_chunk(tr, tr->cur);
        tr->cur->len = 0;
        return;
    }
    push_full(tr, tr->cur);
    pthread_mutex_lock(&tr->lock);
    tr->cur = g_queue_pop_head(&tr->empty);
    pthread_mutex_unlock(&tr->lock);
    if (tr->cur == NULL)
        tr->cur = chunk_new();
}

/* Hand over what is buffered and wait until the writer has written it. */
static void drain(simtr *tr)
{
    if (tr->cur == NULL)
        return;
    hand_over(tr);
    if (!tr->writing)
        return;
    pthread_mutex_lock(&tr->lock);
    while (tr->inflight)
        pthread_cond_wait(&tr->idle, &tr->lock);
    pthread_mutex_unlock(&tr->lock);
}

static void stop_writer(simtr *tr, bool discard)
{
    if (tr->cur == NULL)
        return;
    if (!tr->writing) {
        if (!discard)
            drain(tr);
        chunk_free(tr->cur);
        tr->cur = NULL;
        pthread_mutex_destroy(&tr->lock);
        pthread_cond_destroy(&tr->work);
        pthread_cond_destroy(&tr->idle);
        return;
    }
    pthread_mutex_lock(&tr->lock);
    tr->discard = discard;
    pthread_mutex_unlock(&tr->lock);
    drain(tr);
    push_full(tr, &stop_mark);
    pthread_join(tr->writer, NULL);
    tr->writing = false;
    chunk *c;
    while ((c = g_queue_pop_head(&tr->empty)))
        chunk_free(c);
    chunk_free(tr->cur);
    tr->cur = NULL;
    pthread_mutex_destroy(&tr->lock);
    pthread_cond_destroy(&tr->work);
    pthread_cond_destroy(&tr->idle);
}

static void start_writer(simtr *tr)
{
    pthread_mutex_init(&tr->lock, NULL);
    pthread_cond_init(&tr->work, NULL);
    pthread_cond_init(&tr->idle, NULL);
    g_queue_init(&tr->full);
    g_queue_init(&tr->empty);
    tr->cur = chunk_new();
    tr->writing = pthread_create(&tr->writer, NULL, writer_main, tr) == 0;
}

static inline void put_bytes(simtr *tr, const void *p, size_t n)
{
    chunk *c = tr->cur;
    if (c->len + n > c->cap) {      /* a long text value */
        c->cap = MAX(c->cap * 2, c->len + n);
        c->data = g_realloc(c->data, c->cap);
    }
    memcpy(c->data + c->len, p, n);
    c->len += n;
}

static inline void put_tag_u64(simtr *tr, char tag, const void *v8)
{
    guint8 b[9];
    b[0] = (guint8)tag;
    memcpy(b + 1, v8, 8);
    put_bytes(tr, b, sizeof b);
}

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
            "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA locking_mode=EXCLUSIVE;"
            "PRAGMA temp_store=MEMORY; PRAGMA application_id=%d; PRAGMA user_version=%d;"
            "CREATE TABLE trace_tables(position INTEGER PRIMARY KEY, name TEXT NOT NULL) STRICT;"
            "BEGIN;",
            0x636f7373 /* "coss" */, SIMTR_SCHEMA_VERSION);
        if (!exec(tr, pragmas)) {
            g_set_error(error, SIMTR_ERROR, SIMTR_ERROR_OPEN, "cannot set up trace '%s': %s",
                        path, tr->failure);
            simtr_abort(tr);
            return NULL;
        }
    }
    tr->run = simtr_define(tr, "run", run_columns, G_N_ELEMENTS(run_columns));
    if (tr->db)
        start_writer(tr);
    return tr;
}

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

simtr_table *simtr_define(simtr *tr, const char *name, const simtr_column *cols, unsigned ncols)
{
    for (guint i = 0; i < tr->tables->len; i++)
        g_assert(strcmp(((simtr_table *)tr->tables->pdata[i])->name, name) != 0);
    simtr_table *t = g_new0(simtr_table, 1);
    t->tr = tr;
    t->index = tr->tables->len;
    t->name = g_strdup(name);
    t->ncols = ncols;
    t->cols = g_new0(simtr_column, ncols);
    simsha256_init(&t->sum);
    for (unsigned i = 0; i < ncols; i++) {
        t->cols[i] = cols[i];
        t->cols[i].name = g_intern_string(cols[i].name);
    }
    drain(tr);      /* the writer is idle: the table list and the connection are this thread's */
    g_ptr_array_add(tr->tables, t);
    if (tr->db == NULL)
        return t;

    /* run is declared first, by simtr_open; only it has the digest column */
    bool is_run = tr->tables->len == 1;
    g_autoptr(GString) create = g_string_new(NULL);
    g_autoptr(GString) insert = g_string_new(NULL);
    g_string_append_printf(create, "CREATE TABLE %s(id INTEGER PRIMARY KEY", name);
    g_string_append_printf(insert, "INSERT INTO %s(", name);
    for (unsigned i = 0; i < ncols; i++) {
        g_string_append_printf(create, ", %s %s%s", cols[i].name, type_sql(cols[i].type),
                               cols[i].not_null ? " NOT NULL" : "");
        g_string_append_printf(insert, "%s%s", i ? ", " : "", cols[i].name);
    }
    if (is_run)
        g_string_append(create, ", digest TEXT");
    g_string_append(create, ") STRICT;");
    g_string_append(insert, ") VALUES(");
    for (unsigned i = 0; i < ncols; i++)
        g_string_append(insert, i ? ", ?" : "?");
    g_string_append(insert, ")");
    if (!exec(tr, create->str))
        return t;
    char *reg = sqlite3_mprintf("INSERT INTO trace_tables(position, name) VALUES(%u, %Q);",
                                tr->tables->len, name);
    exec(tr, reg);
    sqlite3_free(reg);
    if (sqlite3_prepare_v3(tr->db, insert->str, -1, SQLITE_PREPARE_PERSISTENT, &t->insert, NULL) != SQLITE_OK)
        fail(tr, "prepare");
    return t;
}

static inline void hash_bytes(simtr_table *t, const void *p, size_t n)
{
    if (t->hlen + n > HASH_BUF) {
        simsha256_update(&t->sum, t->hbuf, t->hlen);
        t->hlen = 0;
        if (n > HASH_BUF) {
            simsha256_update(&t->sum, p, n);
            return;
        }
    }
    memcpy(t->hbuf + t->hlen, p, n);
    t->hlen += n;
}

static inline void hash_u64(simtr_table *t, char tag, uint64_t v)
{
    if (t->hlen + 9 > HASH_BUF) {
        simsha256_update(&t->sum, t->hbuf, t->hlen);
        t->hlen = 0;
    }
    unsigned char *b = t->hbuf + t->hlen;
    uint64_t le = GUINT64_TO_LE(v);
    b[0] = (unsigned char)tag;
    memcpy(b + 1, &le, 8);
    t->hlen += 9;
}

static inline void hash_text(simtr_table *t, const char *s, size_t n)
{
    unsigned char b[5];
    b[0] = 'T';
    g_assert(n <= UINT32_MAX);
    for (int i = 0; i < 4; i++)
        b[1 + i] = (unsigned char)(n >> (8 * i));
    hash_bytes(t, b, sizeof b);
    hash_bytes(t, s, n);
}

/* The row's start in the writer's chunk, before its first value. */
static inline void row_start(simtr_table *t)
{
    simtr *tr = t->tr;
    if (t->col == 0 && t->insert) {
        guint8 b[5] = { 'R' };
        uint32_t idx = t->index;
        memcpy(b + 1, &idx, 4);
        put_bytes(tr, b, sizeof b);
    }
}

static inline const simtr_column *next_col(simtr_table *t, simtr_type type)
{
    g_assert(t->col < t->ncols);
    row_start(t);
    const simtr_column *c = &t->cols[t->col++];
    g_assert(c->type == type);
    return c;
}

void simtr_begin(simtr_table *t)
{
    g_assert(t->col == 0);
}

void simtr_int(simtr_table *t, int64_t v)
{
    next_col(t, SIMTR_INT);
    hash_u64(t, 'I', (uint64_t)v);
    if (t->insert)
        put_tag_u64(t->tr, 'I', &v);
}

void simtr_real(simtr_table *t, double v)
{
    if (isnan(v)) {
        next_col(t, SIMTR_REAL);
        t->col--;
        simtr_null(t);
        return;
    }
    next_col(t, SIMTR_REAL);
    if (v == 0)
        v = 0;   /* SQLite keeps -0.0 as 0.0 only sometimes; store one zero */
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    hash_u64(t, 'F', bits);
    if (t->insert)
        put_tag_u64(t->tr, 'F', &v);
}

void simtr_text(simtr_table *t, const char *s, ssize_t len)
{
    next_col(t, SIMTR_TEXT);
    size_t n = len < 0 ? strlen(s) : (size_t)len;
    hash_text(t, s, n);
    if (t->insert) {
        guint8 b[5] = { 'T' };
        uint32_t n32 = (uint32_t)n;
        memcpy(b + 1, &n32, 4);
        put_bytes(t->tr, b, sizeof b);
        put_bytes(t->tr, s, n);
    }
}

void simtr_null(simtr_table *t)
{
    g_assert(t->col < t->ncols);
    row_start(t);
    const simtr_column *c = &t->cols[t->col++];
    g_assert(!c->not_null);
    unsigned char tag = 'N';
    hash_bytes(t, &tag, 1);
    if (t->insert)
        put_bytes(t->tr, &tag, 1);
}

void simtr_end(simtr_table *t)
{
    g_assert(t->col == t->ncols);
    row_start(t);       /* a table without columns */
    t->col = 0;
    t->rows++;
    simtr *tr = t->tr;
    if (t->insert == NULL)
        return;
    guint8 e = 'E';
    put_bytes(tr, &e, 1);
    if (tr->cur->len >= CHUNK_BYTES)
        hand_over(tr);
}

uint64_t simtr_rows(const simtr_table *t)
{
    return t->rows;
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

static void to_hex(const guint8 *d, size_t n, char *out)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex[d[i] >> 4];
        out[2 * i + 1] = hex[d[i] & 15];
    }
    out[2 * n] = '\0';
}

/* The run digest from per-table digests, in declaration order. */
static void combine(simsha256 *all, const char *name, uint64_t rows, simsha256 *table)
{
    unsigned char d[SIMSHA256_LEN];
    unsigned char n[8];
    simsha256_final(table, d);
    simsha256_update(all, name, strlen(name) + 1);
    for (int i = 0; i < 8; i++)
        n[i] = (unsigned char)(rows >> (8 * i));
    simsha256_update(all, n, 8);
    simsha256_update(all, d, sizeof d);
}

static void free_table(simtr_table *t)
{
    if (t->insert)
        sqlite3_finalize(t->insert);
    g_free(t->cols);
    g_free(t->name);
    g_free(t);
}

static void free_tr(simtr *tr)
{
    for (guint i = 0; i < tr->tables->len; i++)
        free_table(tr->tables->pdata[i]);
    g_ptr_array_free(tr->tables, TRUE);
    if (tr->db)
        sqlite3_close(tr->db);
    g_free(tr->path);
    g_free(tr->temp);
    g_free(tr->failure);
    g_free(tr);
}

void simtr_abort(simtr *tr)
{
    if (tr == NULL)
        return;
    stop_writer(tr, true);
    for (guint i = 0; i < tr->tables->len; i++) {
        simtr_table *t = tr->tables->pdata[i];
        if (t->insert) {
            sqlite3_finalize(t->insert);
            t->insert = NULL;
        }
    }
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

    simsha256 all;
    simsha256_init(&all);
    simsha256_update(&all, DIGEST_MAGIC, strlen(DIGEST_MAGIC));
    for (guint i = 0; i < tr->tables->len; i++) {
        simtr_table *t = tr->tables->pdata[i];
        if (t->hlen) {
            simsha256_update(&t->sum, t->hbuf, t->hlen);
            t->hlen = 0;
        }
        combine(&all, t->name, t->rows, &t->sum);
    }
    unsigned char d[SIMSHA256_LEN];
    simsha256_final(&all, d);
    to_hex(d, sizeof d, digest_hex);

    if (tr->db) {
        stop_writer(tr, false);    /* every row is in */
        char *sql = sqlite3_mprintf("UPDATE run SET digest = %Q; COMMIT;", digest_hex);
        exec(tr, sql);
        sqlite3_free(sql);
        for (guint i = 0; i < tr->tables->len; i++) {
            simtr_table *t = tr->tables->pdata[i];
            if (t->insert) {
                sqlite3_finalize(t->insert);
                t->insert = NULL;
            }
        }
        if (tr->failure == NULL && sqlite3_close(tr->db) != SQLITE_OK)
            fail(tr, "close");
        else
            tr->db = NULL;
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

/* ---- reading a trace back ---- */

static bool digest_table(sqlite3 *db, const char *name, simsha256 *all, GError **error)
{
    /* Columns in declaration order, without id (and without run.digest). */
    g_autoptr(GString) sql = g_string_new("SELECT ");
    sqlite3_stmt *info = NULL;
    char *q = sqlite3_mprintf("SELECT name FROM pragma_table_info(%Q) ORDER BY cid", name);
    int rc = sqlite3_prepare_v2(db, q, -1, &info, NULL);
    sqlite3_free(q);
    if (rc != SQLITE_OK)
        goto bad;
    int ncols = 0;
    while (sqlite3_step(info) == SQLITE_ROW) {
        const char *col = (const char *)sqlite3_column_text(info, 0);
        if (strcmp(col, "id") == 0 || (strcmp(name, "run") == 0 && strcmp(col, "digest") == 0))
            continue;
        char *qc = sqlite3_mprintf("%s\"%w\"", ncols ? ", " : "", col);
        g_string_append(sql, qc);
        sqlite3_free(qc);
        ncols++;
    }
    sqlite3_finalize(info);
    if (ncols == 0) {
        g_set_error(error, SIMTR_ERROR, SIMTR_ERROR_FORMAT, "table '%s' is missing or empty of columns", name);
        return false;
    }
    char *from = sqlite3_mprintf(" FROM \"%w\" ORDER BY id", name);
    g_string_append(sql, from);
    sqlite3_free(from);

    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql->str, -1, &st, NULL) != SQLITE_OK)
        goto bad;
    simtr_table t = { 0 };
    simsha256_init(&t.sum);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (int c = 0; c < ncols; c++) {
            switch (sqlite3_column_type(st, c)) {
            case SQLITE_INTEGER:
                hash_u64(&t, 'I', (uint64_t)sqlite3_column_int64(st, c));
                break;
            case SQLITE_FLOAT: {
                double v = sqlite3_column_double(st, c);
                uint64_t bits;
                memcpy(&bits, &v, sizeof bits);
                hash_u64(&t, 'F', bits);
                break;
            }
            case SQLITE_TEXT: {
                const char *s = (const char *)sqlite3_column_text(st, c);
                hash_text(&t, s, (size_t)sqlite3_column_bytes(st, c));
                break;
            }
            case SQLITE_NULL: {
                unsigned char tag = 'N';
                hash_bytes(&t, &tag, 1);
                break;
            }
            default:
                g_set_error(error, SIMTR_ERROR, SIMTR_ERROR_FORMAT, "table '%s' holds a blob", name);
                sqlite3_finalize(st);
                return false;
            }
        }
        t.rows++;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        goto bad;
    if (t.hlen)
        simsha256_update(&t.sum, t.hbuf, t.hlen);
    combine(all, name, t.rows, &t.sum);
    return true;
bad:
    g_set_error(error, SIMTR_ERROR, SIMTR_ERROR_FORMAT, "reading table '%s': %s", name, sqlite3_errmsg(db));
    return false;
}

sqlite3 *simtr_open_read(const char *path, GError **error)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        g_set_error(error, SIMTR_ERROR, SIMTR_ERROR_OPEN, "cannot open trace '%s': %s", path,
                    db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return NULL;
    }
    /* before the schema is read: nothing of it may run */
    sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
    sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
    sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, NULL);
#ifdef SQLITE_DBCONFIG_ENABLE_VIEW
    sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_VIEW, 0, NULL);
#endif
    sqlite3_limit(db, SQLITE_LIMIT_LENGTH, SIMTR_READ_MAX_VALUE);
    /* the writer makes tables only (a user's index to speed a query up
     * runs nothing, so it may stay) */
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, "SELECT type, name FROM sqlite_master WHERE type NOT IN ('table', 'index') "
                                    "OR (type = 'table' AND sql LIKE 'CREATE VIRTUAL%') ORDER BY rowid LIMIT 1",
                                -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const char *type = (const char *)sqlite3_column_text(st, 0), *name = (const char *)sqlite3_column_text(st, 1);
        g_set_error(error, SIMTR_ERROR, SIMTR_ERROR_FORMAT,
                    "'%s' is not a trace cossim wrote: it holds a %s '%s' (a trace holds tables only; "
                    "refusing to read it)", path, type && strcmp(type, "table") == 0 ? "virtual table" : type ? type : "?",
                    name ? name : "?");
    } else if (rc != SQLITE_DONE) {
        g_set_error(error, SIMTR_ERROR, SIMTR_ERROR_FORMAT, "cannot read trace '%s': %s", path, sqlite3_errmsg(db));
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        sqlite3_close(db);
        return NULL;
    }
    return db;
}

bool simtr_digest_file(const char *path, char computed[SIMTR_DIGEST_HEX],
                       char stored[SIMTR_DIGEST_HEX], GError **error)
{
    sqlite3 *db = simtr_open_read(path, error);
    if (db == NULL)
        return false;
    bool ok = false;
    sqlite3_stmt *st = NULL;
    simsha256 all;
    simsha256_init(&all);
    simsha256_update(&all, DIGEST_MAGIC, strlen(DIGEST_MAGIC));
    if (sqlite3_prepare_v2(db, "SELECT name FROM trace_tables ORDER BY position", -1, &st, NULL) != SQLITE_OK) {
        g_set_error(error, SIMTR_ERROR, SIMTR_ERROR_FORMAT, "'%s' is not a cossim trace: %s", path,
                    sqlite3_errmsg(db));
        goto out;
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (!digest_table(db, (const char *)sqlite3_column_text(st, 0), &all, error))
            goto out;
    if (rc != SQLITE_DONE) {
        g_set_error(error, SIMTR_ERROR, SIMTR_ERROR_FORMAT, "'%s': %s", path, sqlite3_errmsg(db));
        goto out;
    }
    unsigned char d[SIMSHA256_LEN];
    simsha256_final(&all, d);
    to_hex(d, sizeof d, computed);
    if (stored) {
        stored[0] = '\0';
        sqlite3_stmt *s2 = NULL;
        if (sqlite3_prepare_v2(db, "SELECT digest FROM run", -1, &s2, NULL) == SQLITE_OK &&
            sqlite3_step(s2) == SQLITE_ROW && sqlite3_column_text(s2, 0))
            g_strlcpy(stored, (const char *)sqlite3_column_text(s2, 0), SIMTR_DIGEST_HEX);
        sqlite3_finalize(s2);
    }
    ok = true;
out:
    sqlite3_finalize(st);
    sqlite3_close(db);
    return ok;
}
