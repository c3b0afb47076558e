/* tests/test_trace.c: the trace writer (sim/trace.h): schema, digest,
 * and that a failed or killed run leaves nothing under the requested name. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testutil.h"

#include <signal.h>
#include <math.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sqlite3.h>

#include "cossim-config.h"

#include "sim/sim.h"
#include "sim/trace.h"

static const simtr_column cols[] = {
    { "t", SIMTR_INT, true },
    { "x", SIMTR_REAL, false },
    { "name", SIMTR_TEXT, false },
};

typedef struct fixture {
    char *dir;
} fixture;

static int setup(void **state)
{
    fixture *f = g_new0(fixture, 1);
    f->dir = g_dir_make_tmp("cossim-trace-XXXXXX", NULL);
    assert_non_null(f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    tu_rmtree(f->dir);
    g_free(f->dir);
    g_free(f);
    return 0;
}


static const simtr_run run_meta = { "t.lua", "00", "none", 42, true, 5000, 4000, 3 };

/* Rows (i, i/4, "row i") for i < n; `tweak` changes one value of row 1. */
static void write_rows(simtr *tr, unsigned n, int tweak)
{
    simtr_table *t = simtr_define(tr, "things", cols, G_N_ELEMENTS(cols));
    for (unsigned i = 0; i < n; i++) {
        simtr_begin(t);
        simtr_int(t, (int64_t)i + (tweak == 1 && i == 1));
        simtr_real(t, i / 4.0 + (tweak == 2 && i == 1 ? 1e-9 : 0));
        if (tweak == 3 && i == 1) {
            simtr_null(t);
        } else {
            char buf[32];
            g_snprintf(buf, sizeof buf, "row %u", i);
            simtr_text(t, buf, -1);
        }
        simtr_end(t);
    }
}

static void make_trace(const char *path, unsigned n, int tweak, char digest[SIMTR_DIGEST_HEX])
{
    GError *err = NULL;
    simtr *tr = simtr_open(path, &err);
    assert_non_null(tr);
    write_rows(tr, n, tweak);
    if (!simtr_finish(tr, &run_meta, digest, &err))
        fail_msg("finish: %s", err->message);
}

static void test_schema(void **state)
{
    fixture *f = *state;
    g_autofree char *path = g_build_filename(f->dir, "a.db", NULL);
    char digest[SIMTR_DIGEST_HEX];
    make_trace(path, 3, 0, digest);
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st;
    /* the tables, in declaration order (docs/trace-schema.md) */
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT group_concat(name, ',') FROM (SELECT name FROM trace_tables ORDER BY position)", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "run,things");
    sqlite3_finalize(st);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT group_concat(name || ':' || type, ',') FROM pragma_table_info('run')", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0),
                        "id:INTEGER,schema_version:INTEGER,cossim_version:TEXT,scenario:TEXT,scenario_sha256:TEXT,"
                        "machine:TEXT,seed:INTEGER,until_ps:INTEGER,end_ps:INTEGER,events:INTEGER,digest:TEXT");
    sqlite3_finalize(st);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT seed, until_ps, end_ps, events, digest, schema_version FROM run", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int64(st, 0), 42);
    assert_int_equal(sqlite3_column_int64(st, 1), 5000);
    assert_int_equal(sqlite3_column_int64(st, 2), 4000);
    assert_int_equal(sqlite3_column_int64(st, 3), 3);
    assert_string_equal((const char *)sqlite3_column_text(st, 4), digest);
    assert_int_equal(sqlite3_column_int64(st, 5), SIMTR_SCHEMA_VERSION);
    sqlite3_finalize(st);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT id, t, x, name FROM things ORDER BY id", -1, &st, NULL), SQLITE_OK);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        assert_int_equal(sqlite3_column_int64(st, 0), i + 1);   /* ids from 1 in write order */
        assert_int_equal(sqlite3_column_int64(st, 1), i);
        assert_true(sqlite3_column_double(st, 2) == i / 4.0);
    }
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), SIMTR_SCHEMA_VERSION);
    sqlite3_finalize(st);
    sqlite3_close(db);
    assert_int_equal(tu_count_files(f->dir), 1);   /* no temporary left */
}

/* The digest, written out by hand from docs/trace-schema.md, independently
 * of sim/trace.c. */
static void le64(GChecksum *c, uint64_t v)
{
    unsigned char b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(v >> (8 * i));
    g_checksum_update(c, b, 8);
}
static void val_int(GChecksum *c, int64_t v)
{
    g_checksum_update(c, (const guchar *)"I", 1);
    le64(c, (uint64_t)v);
}
static void val_text(GChecksum *c, const char *s)
{
    unsigned char b[4];
    size_t n = strlen(s);
    for (int i = 0; i < 4; i++)
        b[i] = (unsigned char)(n >> (8 * i));
    g_checksum_update(c, (const guchar *)"T", 1);
    g_checksum_update(c, b, 4);
    g_checksum_update(c, (const guchar *)s, n);
}
static void val_real(GChecksum *c, double d)
{
    uint64_t bits;
    memcpy(&bits, &d, 8);
    g_checksum_update(c, (const guchar *)"F", 1);
    le64(c, bits);
}
static void add_table(GChecksum *all, const char *name, uint64_t rows, GChecksum *t)
{
    guint8 d[32];
    gsize n = 32;
    g_checksum_get_digest(t, d, &n);
    g_checksum_update(all, (const guchar *)name, strlen(name) + 1);
    le64(all, rows);
    g_checksum_update(all, d, 32);
}

static void test_digest_matches_documented_encoding(void **state)
{
    fixture *f = *state;
    g_autofree char *path = g_build_filename(f->dir, "a.db", NULL);
    char digest[SIMTR_DIGEST_HEX];
    make_trace(path, 2, 3, digest);   /* rows: (0, 0.0, "row 0"), (1, 0.25, NULL) */

    GChecksum *run = g_checksum_new(G_CHECKSUM_SHA256);
    val_int(run, SIMTR_SCHEMA_VERSION);
    val_text(run, COSSIM_VERSION);
    val_text(run, "t.lua");
    val_text(run, "00");
    val_text(run, "none");
    val_int(run, 42);
    val_int(run, 5000);
    val_int(run, 4000);
    val_int(run, 3);
    GChecksum *things = g_checksum_new(G_CHECKSUM_SHA256);
    val_int(things, 0);
    val_real(things, 0.0);
    val_text(things, "row 0");
    val_int(things, 1);
    val_real(things, 0.25);
    g_checksum_update(things, (const guchar *)"N", 1);
    GChecksum *all = g_checksum_new(G_CHECKSUM_SHA256);
    g_checksum_update(all, (const guchar *)"cossim-trace-v1\n", 16);
    add_table(all, "run", 1, run);
    add_table(all, "things", 2, things);
    assert_string_equal(digest, g_checksum_get_string(all));
    g_checksum_free(run);
    g_checksum_free(things);
    g_checksum_free(all);
}

static void test_digest_stable_and_recomputable(void **state)
{
    fixture *f = *state;
    g_autofree char *a = g_build_filename(f->dir, "a.db", NULL);
    g_autofree char *b = g_build_filename(f->dir, "b.db", NULL);
    char da[SIMTR_DIGEST_HEX], db_[SIMTR_DIGEST_HEX], dn[SIMTR_DIGEST_HEX];
    /* 200,000 rows: more than one transaction (65,536 rows each) */
    make_trace(a, 200000, 0, da);
    make_trace(b, 200000, 0, db_);
    make_trace(NULL, 200000, 0, dn);
    assert_string_equal(da, db_);
    assert_string_equal(da, dn);   /* --trace none digests the same content */

    /* the files themselves are byte-identical */
    g_autofree char *ca = NULL, *cb = NULL;
    gsize la, lb;
    assert_true(g_file_get_contents(a, &ca, &la, NULL));
    assert_true(g_file_get_contents(b, &cb, &lb, NULL));
    assert_int_equal(la, lb);
    assert_memory_equal(ca, cb, la);

    char computed[SIMTR_DIGEST_HEX], stored[SIMTR_DIGEST_HEX];
    GError *err = NULL;
    assert_true(simtr_digest_file(a, computed, stored, &err));
    assert_string_equal(computed, da);
    assert_string_equal(stored, da);

    /* an edit to the database is detected */
    sqlite3 *db;
    assert_int_equal(sqlite3_open(a, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "UPDATE things SET name = 'edited' WHERE id = 1000", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_true(simtr_digest_file(a, computed, stored, &err));
    assert_string_not_equal(computed, stored);
}

static void test_digest_sensitive(void **state)
{
    (void)state;
    char d0[SIMTR_DIGEST_HEX], d[SIMTR_DIGEST_HEX];
    make_trace(NULL, 10, 0, d0);
    for (int tweak = 1; tweak <= 3; tweak++) {   /* an int, a real by 1e-9, a text to NULL */
        make_trace(NULL, 10, tweak, d);
        assert_string_not_equal(d0, d);
    }
    make_trace(NULL, 11, 0, d);                  /* one more row */
    assert_string_not_equal(d0, d);
}

static void test_abort_leaves_nothing(void **state)
{
    fixture *f = *state;
    g_autofree char *path = g_build_filename(f->dir, "a.db", NULL);
    simtr *tr = simtr_open(path, NULL);
    assert_non_null(tr);
    write_rows(tr, 1000, 0);
    assert_int_equal(tu_count_files(f->dir), 1);   /* the temporary */
    assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
    simtr_abort(tr);
    assert_int_equal(tu_count_files(f->dir), 0);
}

static void test_unwritable_path(void **state)
{
    fixture *f = *state;
    g_autofree char *path = g_build_filename(f->dir, "no-such-folder", "a.db", NULL);
    GError *err = NULL;
    assert_null(simtr_open(path, &err));
    assert_non_null(strstr(err->message, "no-such-folder"));
    g_error_free(err);
    assert_int_equal(tu_count_files(f->dir), 0);
}

static void test_failed_rename_leaves_nothing(void **state)
{
    fixture *f = *state;
    g_autofree char *path = g_build_filename(f->dir, "a.db", NULL);
    simtr *tr = simtr_open(path, NULL);
    write_rows(tr, 10, 0);
    /* a non-empty folder appears under the requested name: rename fails */
    assert_int_equal(mkdir(path, 0700), 0);
    g_autofree char *inner = g_build_filename(path, "x", NULL);
    assert_true(g_file_set_contents(inner, "x", 1, NULL));
    char digest[SIMTR_DIGEST_HEX];
    GError *err = NULL;
    assert_false(simtr_finish(tr, &run_meta, digest, &err));
    assert_non_null(err);
    g_error_free(err);
    unlink(inner);
    rmdir(path);
    assert_int_equal(tu_count_files(f->dir), 0);   /* the temporary is gone too */
}

static void test_killed_writer_leaves_no_trace(void **state)
{
    fixture *f = *state;
    g_autofree char *path = g_build_filename(f->dir, "a.db", NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        simtr *tr = simtr_open(path, NULL);
        write_rows(tr, 100000, 0);
        raise(SIGKILL);
        _exit(0);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    /* Nothing under the requested name; the orphaned temporary is all. */
    assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
}


/* The writer's own paths, each checked against the values written: rows
 * of two tables interleaved over many chunks (each table's chunk is handed
 * over on its own), texts longer than a chunk's first size, -0.0 (one
 * zero) and NaN (a NULL); a table wider than the chunk reader (inserted
 * row by row).  The digest recomputed from
 * the file equals the writer's, and the one without a database. */
#define WIDE 70
static void write_mixed(simtr *tr, unsigned n)
{
    static const simtr_column pair[] = { { "i", SIMTR_INT, true }, { "s", SIMTR_TEXT, false }, { "x", SIMTR_REAL, false } };
    simtr_column wide[WIDE];
    char names[WIDE][8];
    for (unsigned c = 0; c < WIDE; c++) {
        g_snprintf(names[c], sizeof names[c], "c%u", c);
        wide[c] = (simtr_column){ names[c], SIMTR_INT, false };
    }
    simtr_table *a = simtr_define(tr, "a", pair, G_N_ELEMENTS(pair));
    simtr_table *b = simtr_define(tr, "b", pair, G_N_ELEMENTS(pair));
    simtr_table *w = simtr_define(tr, "w", wide, WIDE);
    g_autofree char *long_text = g_strnfill(10000, 'q');
    for (unsigned i = 0; i < n; i++) {
        simtr_begin(a);
        simtr_int(a, -(int64_t)i);
        if (i % 1000 == 7)
            simtr_text(a, long_text, -1);
        else if (i % 3)
            simtr_null(a);
        else
            simtr_text(a, "three", 5);
        simtr_real(a, i % 5 == 0 ? -0.0 : i % 5 == 1 ? NAN : i / 8.0);
        simtr_end(a);
        if (i % 2 == 0) {
            simtr_begin(b);
            simtr_int(b, (int64_t)i * 1000003);
            simtr_text(b, "", 0);
            simtr_null(b);
            simtr_end(b);
        }
        if (i % 100 == 0) {
            simtr_begin(w);
            for (unsigned c = 0; c < WIDE; c++)
                if (c % 2)
                    simtr_null(w);
                else
                    simtr_int(w, (int64_t)(i + c));
            simtr_end(w);
        }
    }
}

static void test_rows_read_back(void **state)
{
    fixture *f = *state;
    g_autofree char *path = g_build_filename(f->dir, "m.db", NULL);
    const unsigned n = 60000;   /* table a: about 1.5 MB, six chunks */
    char digest[SIMTR_DIGEST_HEX], none[SIMTR_DIGEST_HEX];
    GError *err = NULL;
    for (int with_db = 0; with_db < 2; with_db++) {
        simtr *tr = simtr_open(with_db ? path : NULL, &err);
        assert_non_null(tr);
        write_mixed(tr, n);
        if (!simtr_finish(tr, &run_meta, with_db ? digest : none, &err))
            fail_msg("finish: %s", err->message);
    }
    assert_string_equal(digest, none);
    char computed[SIMTR_DIGEST_HEX], stored[SIMTR_DIGEST_HEX];
    assert_true(simtr_digest_file(path, computed, stored, &err));
    assert_string_equal(computed, digest);
    assert_string_equal(stored, digest);

    sqlite3 *db;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT id, i, s, x, typeof(s), typeof(x) FROM a ORDER BY id", -1, &st, NULL), SQLITE_OK);
    unsigned i = 0;
    for (; sqlite3_step(st) == SQLITE_ROW; i++) {
        assert_int_equal(sqlite3_column_int64(st, 0), i + 1);
        assert_int_equal(sqlite3_column_int64(st, 1), -(int64_t)i);
        const char *s = (const char *)sqlite3_column_text(st, 2);
        if (i % 1000 == 7)
            assert_int_equal(sqlite3_column_bytes(st, 2), 10000);
        else if (i % 3)
            assert_string_equal((const char *)sqlite3_column_text(st, 4), "null");
        else
            assert_string_equal(s, "three");
        if (i % 5 == 1) {
            assert_string_equal((const char *)sqlite3_column_text(st, 5), "null");
        } else {
            double x = sqlite3_column_double(st, 3), want = i % 5 == 0 ? 0.0 : i / 8.0;
            assert_true(x == want && !signbit(x));
        }
    }
    sqlite3_finalize(st);
    assert_int_equal(i, n);
    static const char *const counts[][2] = {
        { "SELECT count(*), sum(i = (id - 1) * 2 * 1000003), sum(s = ''), sum(x IS NULL) FROM b", "30000" },
        { "SELECT count(*), sum(c0 = (id - 1) * 100), sum(c69 IS NULL), sum(c68 = (id - 1) * 100 + 68) FROM w", "600" },
    };
    for (size_t q = 0; q < G_N_ELEMENTS(counts); q++) {
        assert_int_equal(sqlite3_prepare_v2(db, counts[q][0], -1, &st, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        for (int c = 0; c < 4; c++)
            if (strcmp((const char *)sqlite3_column_text(st, c), counts[q][1]) != 0)
                fail_msg("%s: column %d is %s, not %s", counts[q][0], c, sqlite3_column_text(st, c), counts[q][1]);
        sqlite3_finalize(st);
    }
    /* the file holds tables only: the writer's chunk reader is not in it */
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master WHERE type != 'table'", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* Levels: names; which kinds each keeps (by the kind's name: k.* the
 * kernel's, u.* the components', any other name always); the events a
 * simulation writes at each; the trace_level table only below all, and
 * the digest then differs, is the same from run to run, and recomputes
 * from the file. */
/* A simulation at `level` (NULL: never set) writing 100 events of each of
 * three kinds; finished into digest. */
static void write_events(simtr *tr, const simtr_level *level, char digest[SIMTR_DIGEST_HEX])
{
    if (level)
        simtr_set_level(tr, *level);
    sim *s = sim_new(1, tr);
    uint32_t k = sim_kind(s, "k.switch"), u = sim_kind(s, "u.sched"), mine = sim_kind(s, "arrive");
    for (int i = 0; i < 100; i++) {
        s->now += 1000;
        sim_event(s, k, 0, i, SIM_NONE, 1, 2, 3, NULL);
        sim_event(s, u, 0, i, 1, 4, SIM_NONE, 6, NULL);
        sim_event(s, mine, SIM_NONE, SIM_NONE, SIM_NONE, i, SIM_NONE, SIM_NONE, "note");
    }
    GError *err = NULL;
    if (!sim_finish(s, &run_meta, digest, &err))
        fail_msg("finish: %s", err->message);
    sim_free(s);
}

static void test_levels(void **state)
{
    fixture *f = *state;
    simtr_level l;
    for (int i = SIMTR_LEVEL_JOBS; i <= SIMTR_LEVEL_ALL; i++) {
        assert_true(simtr_level_parse(simtr_level_name((simtr_level)i), &l));
        assert_int_equal(l, i);
    }
    assert_false(simtr_level_parse("kernel ", &l));
    assert_false(simtr_level_parse("", &l));
    static const struct { const char *kind; bool kept[3]; } kinds[] = {
        { "k.switch", { false, true, true } }, { "u.sched", { false, false, true } },
        { "arrive", { true, true, true } }, { "k", { true, true, true } }, { "uk.x", { true, true, true } },
    };
    char d[3][SIMTR_DIGEST_HEX], again[SIMTR_DIGEST_HEX], plain[SIMTR_DIGEST_HEX];
    static const int64_t rows[3] = { 100, 200, 300 };
    GError *err = NULL;
    for (int lv = SIMTR_LEVEL_JOBS; lv <= SIMTR_LEVEL_ALL; lv++) {
        simtr *tr = simtr_open(NULL, NULL);
        simtr_set_level(tr, (simtr_level)lv);
        assert_int_equal(simtr_get_level(tr), lv);
        for (size_t i = 0; i < G_N_ELEMENTS(kinds); i++)
            if (simtr_keeps_kind(tr, kinds[i].kind) != kinds[i].kept[lv])
                fail_msg("level %s, kind %s: kept %d", simtr_level_name((simtr_level)lv), kinds[i].kind,
                         !kinds[i].kept[lv]);
        simtr_abort(tr);

        g_autofree char *name = g_strdup_printf("l%d.db", lv);
        g_autofree char *path = g_build_filename(f->dir, name, NULL);
        simtr_level level = (simtr_level)lv;
        write_events(simtr_open(path, &err), &level, d[lv]);
        char computed[SIMTR_DIGEST_HEX];
        assert_true(simtr_digest_file(path, computed, NULL, &err));
        assert_string_equal(computed, d[lv]);
        sqlite3 *db;
        sqlite3_stmt *st;
        assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*), (SELECT count(*) FROM event_kinds), "
                                                "(SELECT count(*) FROM sqlite_master WHERE name = 'trace_level') FROM events",
                                            -1, &st, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        assert_int_equal(sqlite3_column_int64(st, 0), rows[lv]);
        assert_int_equal(sqlite3_column_int64(st, 1), 3);     /* every kind is named, kept or not */
        assert_int_equal(sqlite3_column_int64(st, 2), lv != SIMTR_LEVEL_ALL);
        sqlite3_finalize(st);
        if (lv != SIMTR_LEVEL_ALL) {
            assert_int_equal(sqlite3_prepare_v2(db, "SELECT level FROM trace_level", -1, &st, NULL), SQLITE_OK);
            assert_int_equal(sqlite3_step(st), SQLITE_ROW);
            assert_string_equal((const char *)sqlite3_column_text(st, 0), simtr_level_name((simtr_level)lv));
            sqlite3_finalize(st);
        }
        sqlite3_close(db);
        /* the same level again, without a database: the same digest */
        write_events(simtr_open(NULL, NULL), &level, again);
        assert_string_equal(again, d[lv]);
    }
    assert_string_not_equal(d[0], d[1]);
    assert_string_not_equal(d[1], d[2]);
    /* all is what a trace was before levels: no mark, the same digest as
     * never setting one */
    write_events(simtr_open(NULL, NULL), NULL, plain);
    assert_string_equal(plain, d[SIMTR_LEVEL_ALL]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_schema, setup, teardown),
        cmocka_unit_test_setup_teardown(test_digest_matches_documented_encoding, setup, teardown),
        cmocka_unit_test_setup_teardown(test_digest_stable_and_recomputable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_digest_sensitive, setup, teardown),
        cmocka_unit_test_setup_teardown(test_abort_leaves_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unwritable_path, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_rename_leaves_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_killed_writer_leaves_no_trace, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rows_read_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_levels, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
