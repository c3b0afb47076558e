/* sim/trace_read.c: reading a finished trace back (see trace.h): opening it
 * as untrusted input, and recomputing its digest from its content. */
#include "trace.h"

#include <string.h>
#include <sqlite3.h>

#include "trace_digest.h"

#define HASH_BUF 4096

/* A table's digest, from its values as they are read back, encoded as the
 * writer encodes them (docs/trace-schema.md, "The digest"). */
typedef struct hasher {
    simsha256 sum;
    uint64_t rows;
    size_t hlen;
    unsigned char hbuf[HASH_BUF];
} hasher;

static void hash_bytes(hasher *t, const void *p, size_t n)
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

static void hash_u64(hasher *t, char tag, uint64_t v)
{
    unsigned char b[9];
    b[0] = (unsigned char)tag;
    for (int i = 0; i < 8; i++)
        b[1 + i] = (unsigned char)(v >> (8 * i));
    hash_bytes(t, b, sizeof b);
}

static void hash_text(hasher *t, const char *s, size_t n)
{
    unsigned char b[5];
    b[0] = 'T';
    g_assert(n <= UINT32_MAX);
    for (int i = 0; i < 4; i++)
        b[1 + i] = (unsigned char)(n >> (8 * i));
    hash_bytes(t, b, sizeof b);
    hash_bytes(t, s, n);
}

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
    hasher t;
    simsha256_init(&t.sum);
    t.rows = 0;
    t.hlen = 0;
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
    simtr_digest_combine(all, name, t.rows, &t.sum);
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
    simsha256_update(&all, SIMTR_DIGEST_MAGIC, strlen(SIMTR_DIGEST_MAGIC));
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
    simtr_digest_finish(&all, computed);
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
