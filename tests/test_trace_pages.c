/* tests/test_trace_pages.c: the trace's tables written as SQLite pages
 * without SQLite (sim/trace_pages.c), checked with SQLite: its
 * integrity_check (every page reached once, keys in order, cells and free
 * space adding up, STRICT types and NOT NULL), and every value read back
 * against what the test wrote (the expected values are the test's own
 * inputs, not anything the writer computed). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testutil.h"

#include <float.h>
#include <math.h>
#include <string.h>
#include <unistd.h>
#include <sqlite3.h>

#include "sim/rng.h"
#include "sim/trace.h"

static const simtr_column cols[] = {
    { "i", SIMTR_INT, true },
    { "v", SIMTR_INT, false },
    { "x", SIMTR_REAL, false },
    { "s", SIMTR_TEXT, false },
};

static const simtr_run run_meta = { "t.lua", "00", "none", 1, false, 0, 0, 0 };

typedef struct fixture {
    char *dir;
    char *path;
} fixture;

static int setup(void **state)
{
    fixture *f = g_new0(fixture, 1);
    f->dir = g_dir_make_tmp("cossim-pages-XXXXXX", NULL);
    assert_non_null(f->dir);
    f->path = g_build_filename(f->dir, "t.db", NULL);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    tu_rmtree(f->dir);
    g_free(f->path);
    g_free(f->dir);
    g_free(f);
    return 0;
}

static void finish(simtr *tr)
{
    GError *err = NULL;
    char digest[SIMTR_DIGEST_HEX];
    if (!simtr_finish(tr, &run_meta, digest, &err))
        fail_msg("finish: %s", err->message);
}

static sqlite3 *open_checked(const char *path)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    /* and the digest computed from the file's rows is the one stored */
    char computed[SIMTR_DIGEST_HEX], stored[SIMTR_DIGEST_HEX];
    GError *err = NULL;
    if (!simtr_digest_file(path, computed, stored, &err))
        fail_msg("digest: %s", err->message);
    assert_string_equal(computed, stored);
    return db;
}

static int64_t query_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* A text of n bytes, byte k of it 'a' + (k * 7 + seed) % 26. */
static char *pattern(size_t n, unsigned seed)
{
    char *s = g_malloc(n + 1);
    for (size_t k = 0; k < n; k++)
        s[k] = (char)('a' + (k * 7 + seed) % 26);
    s[n] = 0;
    return s;
}

/* 300,000 small rows: hundreds of leaves and two interior levels (a 4 KiB
 * leaf holds about 150 of these rows, an interior page about 450
 * children, so 2,000 leaves need 5 interior pages and a root above
 * them).  Sums by hand: sum of i for i < n is n (n - 1) / 2. */
static void test_many_rows(void **state)
{
    fixture *f = *state;
    const int64_t n = 300000;
    GError *err = NULL;
    simtr *tr = simtr_open(f->path, &err);
    assert_non_null(tr);
    simtr_table *t = simtr_define(tr, "rows", cols, G_N_ELEMENTS(cols));
    for (int64_t i = 0; i < n; i++) {
        simtr_begin(t);
        simtr_int(t, i);
        simtr_int(t, -37 * i);
        simtr_real(t, (double)i / 8);
        char b[24];
        g_snprintf(b, sizeof b, "r%" G_GINT64_FORMAT, i);
        simtr_text(t, b, -1);
        simtr_end(t);
    }
    finish(tr);
    sqlite3 *db = open_checked(f->path);
    assert_int_equal(query_int(db, "SELECT count(*) FROM rows"), n);
    assert_int_equal(query_int(db, "SELECT sum(i) FROM rows"), n * (n - 1) / 2);
    assert_int_equal(query_int(db, "SELECT sum(v) FROM rows"), -37 * (n * (n - 1) / 2));
    assert_int_equal(query_int(db, "SELECT min(id) FROM rows"), 1);
    assert_int_equal(query_int(db, "SELECT max(id) FROM rows"), n);
    assert_int_equal(query_int(db, "SELECT count(*) FROM rows WHERE id != i + 1 OR s != 'r' || i OR x != i / 8.0"), 0);
    /* lookups by id go down the interior pages */
    assert_int_equal(query_int(db, "SELECT i FROM rows WHERE id = 123457"), 123456);
    assert_int_equal(query_int(db, "SELECT i FROM rows WHERE id = 300000"), 299999);
    /* more than one level of interior pages was built */
    assert_true(query_int(db, "SELECT count(*) FROM dbstat WHERE name = 'rows' AND pagetype = 'internal'") >= 2);
    sqlite3_close(db);
    assert_int_equal(tu_count_files(f->dir), 1);    /* no page file left beside it */
}

/* Every integer size SQLite stores (1, 2, 3, 4, 6, 8 bytes; 0 and 1 in
 * none) at both ends, reals, NULLs. */
static void test_values(void **state)
{
    fixture *f = *state;
    static const int64_t ints[] = {
        0, 1, -1, 2, 127, 128, -128, -129, 32767, 32768, -32768, -32769, 8388607, 8388608, -8388608, -8388609,
        2147483647, 2147483648LL, -2147483648LL, -2147483649LL, 140737488355327LL, 140737488355328LL,
        -140737488355328LL, -140737488355329LL, INT64_MAX, INT64_MIN,
    };
    static const double reals[] = { 0.0, -0.0, 1.5, -1e300, DBL_MIN, DBL_TRUE_MIN, DBL_MAX, 1.0 / 3, NAN };
    GError *err = NULL;
    simtr *tr = simtr_open(f->path, &err);
    simtr_table *t = simtr_define(tr, "vals", cols, G_N_ELEMENTS(cols));
    for (unsigned k = 0; k < G_N_ELEMENTS(ints); k++) {
        simtr_begin(t);
        simtr_int(t, k);
        simtr_int(t, ints[k]);
        simtr_null(t);
        simtr_null(t);
        simtr_end(t);
    }
    for (unsigned k = 0; k < G_N_ELEMENTS(reals); k++) {
        simtr_begin(t);
        simtr_int(t, 100 + k);
        simtr_null(t);
        simtr_real(t, reals[k]);
        simtr_text(t, "", 0);
        simtr_end(t);
    }
    finish(tr);
    sqlite3 *db = open_checked(f->path);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT v, typeof(v), x, typeof(x), s FROM vals ORDER BY id", -1, &st, NULL),
                     SQLITE_OK);
    for (unsigned k = 0; k < G_N_ELEMENTS(ints); k++) {
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        assert_int_equal(sqlite3_column_int64(st, 0), ints[k]);
        assert_string_equal((const char *)sqlite3_column_text(st, 1), "integer");
        assert_string_equal((const char *)sqlite3_column_text(st, 3), "null");
        assert_int_equal(sqlite3_column_type(st, 4), SQLITE_NULL);
    }
    for (unsigned k = 0; k < G_N_ELEMENTS(reals); k++) {
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        if (isnan(reals[k])) {      /* a NaN is written as NULL (trace.h) */
            assert_string_equal((const char *)sqlite3_column_text(st, 3), "null");
        } else {
            assert_string_equal((const char *)sqlite3_column_text(st, 3), "real");
            double d = sqlite3_column_double(st, 2);
            assert_memory_equal(&d, reals[k] == 0 ? &(double){ 0.0 } : &reals[k], sizeof d);   /* -0.0 stored as 0 */
        }
        assert_int_equal(sqlite3_column_type(st, 4), SQLITE_TEXT);
        assert_int_equal(sqlite3_column_bytes(st, 4), 0);
    }
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* Texts around and far past what a leaf keeps, between small rows in two
 * tables written in turn.  By fileformat2.html 1.6 with U = 4,096: X =
 * 4,061, M = 4,084 x 32 / 255 - 23 = 489; a payload P > X keeps K = M + (P
 * - M) % 4,092 bytes on the leaf when K <= X, else M.  K = X exactly at P
 * = 8,153; a row's payload is its text and 11 to 13 bytes more, so every
 * text length from 8,100 to 8,200 (and 4,030 to 4,100 around X) is
 * written: a writer that gets either boundary wrong puts the overflow
 * pointer where SQLite does not look for it. */
static void test_overflow(void **state)
{
    fixture *f = *state;
    GArray *l = g_array_new(FALSE, FALSE, sizeof(size_t));
    static const size_t some[] = { 0, 1, 4000, 10000, 100000, 1 << 20 };
    g_array_append_vals(l, some, G_N_ELEMENTS(some));
    for (size_t n = 4030; n <= 4100; n++)
        g_array_append_val(l, n);
    for (size_t n = 8100; n <= 8200; n++)
        g_array_append_val(l, n);
    const size_t *lens = (const size_t *)(void *)l->data;
    const unsigned nlens = l->len;
    GError *err = NULL;
    simtr *tr = simtr_open(f->path, &err);
    simtr_table *a = simtr_define(tr, "big", cols, G_N_ELEMENTS(cols));
    simtr_table *b = simtr_define(tr, "small", cols, 1);
    for (unsigned k = 0; k < nlens; k++)
        for (unsigned rep = 0; rep < 3; rep++) {
            g_autofree char *s = pattern(lens[k], k + rep);
            simtr_begin(a);
            simtr_int(a, k);
            simtr_int(a, rep);
            simtr_real(a, 0.5);
            simtr_text(a, s, (ssize_t)lens[k]);
            simtr_end(a);
            for (int j = 0; j < 40; j++) {
                simtr_begin(b);
                simtr_int(b, k * 1000 + rep * 100 + j);
                simtr_end(b);
            }
        }
    finish(tr);
    sqlite3 *db = open_checked(f->path);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT i, v, s FROM big ORDER BY id", -1, &st, NULL), SQLITE_OK);
    for (unsigned k = 0; k < nlens; k++)
        for (unsigned rep = 0; rep < 3; rep++) {
            assert_int_equal(sqlite3_step(st), SQLITE_ROW);
            assert_int_equal(sqlite3_column_int64(st, 0), k);
            assert_int_equal(sqlite3_column_int64(st, 1), rep);
            g_autofree char *s = pattern(lens[k], k + rep);
            const void *got = sqlite3_column_text(st, 2);
            assert_int_equal(sqlite3_column_bytes(st, 2), lens[k]);
            assert_memory_equal(got, s, lens[k]);
        }
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    int64_t n = (int64_t)nlens * 3 * 40;
    assert_int_equal(query_int(db, "SELECT count(*) FROM small"), n);
    assert_int_equal(query_int(db, "SELECT count(*) FROM small WHERE i % 100 != (id - 1) % 40"), 0);
    sqlite3_close(db);
    g_array_free(l, TRUE);
}

/* Rows of a 2,000-byte text: two to a leaf (8 + 2 x 2 + 2 x 2,011 bytes of
 * a 4,096-byte page; three would not fit), so leaf j holds rowids up to 2j
 * + 2.  An interior page over them has a 12-byte header and cells of 2 + 4
 * bytes and the key's varint: 1 byte for the 63 keys below 128, 2 bytes
 * after, so 63 x 7 + 455 x 8 = 4,081 <= 4,084 bytes: 518 cells and the
 * right-most child, 519 leaves (1,037 or 1,038 rows) under one interior
 * root.  At 1,039 and 1,040 rows (520 leaves) a greedy fill would leave a
 * second interior page with one child and no cell; the writer moves a
 * child over, so every interior page has a cell. */
static void test_interior_edges(void **state)
{
    fixture *f = *state;
    static const unsigned counts[] = { 1, 2, 3, 1037, 1038, 1039, 1040, 1041, 3000 };
    g_autofree char *s = pattern(2000, 3);
    for (unsigned c = 0; c < G_N_ELEMENTS(counts); c++) {
        unlink(f->path);
        GError *err = NULL;
        simtr *tr = simtr_open(f->path, &err);
        simtr_table *t = simtr_define(tr, "t", cols, G_N_ELEMENTS(cols));
        for (unsigned i = 0; i < counts[c]; i++) {
            simtr_begin(t);
            simtr_int(t, i);
            simtr_null(t);
            simtr_null(t);
            simtr_text(t, s, 2000);
            simtr_end(t);
        }
        finish(tr);
        sqlite3 *db = open_checked(f->path);
        assert_int_equal(query_int(db, "SELECT count(*) FROM t"), counts[c]);
        assert_int_equal(query_int(db, "SELECT count(*) FROM t WHERE i != id - 1 OR length(s) != 2000"), 0);
        assert_int_equal(query_int(db, "SELECT count(*) FROM dbstat WHERE name = 't' AND pagetype = 'leaf'"),
                         counts[c] == 1 ? 1 : (counts[c] + 1) / 2);
        /* 1,500 leaves at 3,000 rows: three interior pages and the root */
        assert_int_equal(query_int(db, "SELECT count(*) FROM dbstat WHERE name = 't' AND pagetype = 'internal'"),
                         counts[c] < 3 ? 0 : counts[c] <= 1038 ? 1 : counts[c] < 3000 ? 3 : 4);
        assert_int_equal(query_int(db, "SELECT count(*) FROM dbstat WHERE name = 't' AND pagetype = 'internal' AND ncell = 0"),
                         0);
        sqlite3_close(db);
    }
}

/* Empty tables, tables defined in the middle of others' rows, and random
 * row sizes from a seeded stream; the same writes twice give the same
 * bytes. */
static void test_mixed_and_repeatable(void **state)
{
    fixture *f = *state;
    g_autofree char *second = g_build_filename(f->dir, "u.db", NULL);
    const char *paths[2] = { f->path, second };
    for (int w = 0; w < 2; w++) {
        GError *err = NULL;
        simtr *tr = simtr_open(paths[w], &err);
        simtr_define(tr, "empty_first", cols, G_N_ELEMENTS(cols));
        simtr_table *r = simtr_define(tr, "random", cols, G_N_ELEMENTS(cols));
        simtr_table *late = NULL;
        simrng rng;
        simrng_init(&rng, 7, "pages");
        for (unsigned i = 0; i < 5000; i++) {
            if (i == 2500) {
                late = simtr_define(tr, "late", cols, 1);
                simtr_define(tr, "empty_late", cols, 2);
            }
            size_t len = (size_t)simrng_below(&rng, 6000);
            g_autofree char *s = pattern(len, i);
            simtr_begin(r);
            simtr_int(r, i);
            simtr_int(r, (int64_t)simrng_next(&rng));
            simtr_real(r, i * 0.25);
            simtr_text(r, s, (ssize_t)len);
            simtr_end(r);
            if (late) {
                simtr_begin(late);
                simtr_int(late, i);
                simtr_end(late);
            }
        }
        finish(tr);
    }
    sqlite3 *db = open_checked(f->path);
    assert_int_equal(query_int(db, "SELECT count(*) FROM empty_first"), 0);
    assert_int_equal(query_int(db, "SELECT count(*) FROM empty_late"), 0);
    assert_int_equal(query_int(db, "SELECT count(*) FROM late"), 2500);
    assert_int_equal(query_int(db, "SELECT count(*) FROM random WHERE i != id - 1 OR x != i * 0.25"), 0);
    /* the lengths again, from the same stream */
    simrng rng;
    simrng_init(&rng, 7, "pages");
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT v, length(s), substr(s, 1, 3) FROM random ORDER BY id", -1, &st,
                                        NULL), SQLITE_OK);
    for (unsigned i = 0; i < 5000; i++) {
        size_t len = (size_t)simrng_below(&rng, 6000);
        int64_t v = (int64_t)simrng_next(&rng);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        assert_int_equal(sqlite3_column_int64(st, 0), v);
        assert_int_equal(sqlite3_column_int64(st, 1), len);
        g_autofree char *s = pattern(MIN(len, 3), i);
        assert_string_equal((const char *)sqlite3_column_text(st, 2), s);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    gchar *a, *b;
    gsize na, nb;
    assert_true(g_file_get_contents(f->path, &a, &na, NULL));
    assert_true(g_file_get_contents(second, &b, &nb, NULL));
    assert_int_equal(na, nb);
    assert_memory_equal(a, b, na);
    g_free(a);
    g_free(b);
    unlink(second);
}

/* A write that fails part way (the file-size limit, as on a full disk):
 * the run's finish reports it, and nothing is left under the name or
 * beside it (the side file is unlinked from the start). */
static const char *limited_path;

static void write_past_limit(void)
{
    struct rlimit lim = { 256 * 1024, 256 * 1024 };
    signal(SIGXFSZ, SIG_IGN);      /* the write fails with EFBIG instead */
    if (setrlimit(RLIMIT_FSIZE, &lim) != 0)
        _exit(5);
    GError *err = NULL;
    simtr *tr = simtr_open(limited_path, &err);
    if (tr == NULL)
        _exit(6);
    simtr_table *t = simtr_define(tr, "rows", cols, G_N_ELEMENTS(cols));
    for (int64_t i = 0; i < 200000; i++) {     /* about 6 MB of pages */
        simtr_begin(t);
        simtr_int(t, i);
        simtr_int(t, -i);
        simtr_real(t, 0.5);
        simtr_text(t, "some text", -1);
        simtr_end(t);
    }
    char digest[SIMTR_DIGEST_HEX];
    if (simtr_finish(tr, &run_meta, digest, &err))
        _exit(4);
    _exit(strstr(err->message, "not written") && strstr(err->message, "File too large") ? 3 : 7);
}

static void test_write_failure(void **state)
{
    fixture *f = *state;
    limited_path = f->path;
    char buf[64];
    assert_string_equal(tu_run_child(write_past_limit, buf, sizeof buf), "exited with status 3");
    assert_int_equal(tu_count_files(f->dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_many_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_overflow, setup, teardown),
        cmocka_unit_test_setup_teardown(test_interior_edges, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mixed_and_repeatable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_failure, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
