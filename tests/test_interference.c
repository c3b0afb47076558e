/* tests/test_interference.c: one core's memory traffic slowing another,
 * end to end through the command: scenarios/interference.lua (its figures,
 * and the same traffic cut into one touch or a thousand: model/stream.h),
 * and tests/data/evict_pair.lua (lines pushed out of the shared L2 by the
 * other core, counted as cross-core time by `cossim analyze`: model/mem.h). */
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "cli_util.h"

static void test_interference(void **state)
{
    (void)state;
    char *dir = tmpdir();
    result r = run_json(dir, "interference");
    /* Alone, the victim's 256 KiB stays in the 512 KiB shared L2 between
     * jobs: after the first job its L1 misses hit the L2, so its L2 misses
     * on core 1 are the first job's 8192 lines (256 KiB / 32 B) or fewer.
     * With the aggressor writing 384 KiB every 2 ms, 256 + 384 > 512 KiB:
     * the victim's lines are pushed out between jobs and refetched (how
     * many depends on the L2's random replacement: at most all 8192 per
     * job).  More than four jobs' worth in 20 jobs rules out the cold
     * start alone; its response time grows by the memory latency of those
     * misses (over 2x). */
    in_band("alone core1 l2 misses", JP(r.out, "alone", "core1", "l2_misses"), 0, 8192 + 512);
    double l2_alone = JP(r.out, "alone", "core1", "l2_misses");
    double l2_with = JP(r.out, "with_aggressor", "core1", "l2_misses");
    in_band("with core1 l2 misses", l2_with, 4 * 8192, 21 * 8192);
    in_band("slowdown", JP(r.out, "slowdown"), 2, 20);
    /* Every L2 miss of the victim's on a line it had read before happens
     * because the line left the L2, which alone (286 misses, above) it
     * does not: pushed out by the aggressor's fills or by the victim's own
     * while the aggressor's lines held the set's other ways: lost to core
     * 0 (evict_misses).  Only its first touches of a line (at most the
     * first job's 8192) can be misses of its own. */
    in_band("with core1 evict misses", JP(r.out, "with_aggressor", "core1", "evict_misses"),
            l2_with - l2_alone - 8192, l2_with);
    /* The bus: each core has one miss outstanding, so a victim miss waits
     * at most for what is in flight when it comes: the aggressor's read
     * and the posted write-back of the dirty line its fill pushed out, and
     * the victim's own write-back of an aggressor's dirty line its fill
     * pushed out: three transfers of 8 ns (16.008 -> at most 17 cycles at
     * 667 MHz).  (Charging a whole touch at its start made the victim wait
     * behind every line the aggressor had yet to make: 7,164,948 cycles.) */
    double bw_alone = JP(r.out, "alone", "core1", "bus_wait_cycles");
    double bw_with = JP(r.out, "with_aggressor", "core1", "bus_wait_cycles");
    in_band("with core1 bus waits", bw_with, bw_alone, bw_alone + 17 * l2_with);
    result_clear(&r);
    tu_rmtree(dir);
    g_free(dir);
}

/* The acceptance: the victim's slowdown within 2% whether the
 * aggressor's 384 KiB is one touch step or a thousand (12 or 13 lines
 * each).  By the model: the same lines at the same times either way (a
 * touch is a stream of its lines, and a step costs no time between
 * touches); what differs is where a touch starts a new stream, which
 * translates its page again (a TLB hit: no cycles) and starts its lines
 * on the core's cycle grid (within a cycle of where they would be). */
static void test_interference_split(void **state)
{
    (void)state;
    char *dir = tmpdir();
    result one = run_in(dir, cossim, "run", "interference", "--json", "--trace", "none", NULL);
    expect_status(&one, 0);
    result many = run_in(dir, cossim, "run", "interference", "--set", "split=1000", "--json", "--trace", "none", NULL);
    expect_status(&many, 0);
    double a = JP(one.out, "slowdown"), b = JP(many.out, "slowdown");
    if (fabs(b / a - 1) > 0.02)
        fail_msg("victim slowdown x%.4f with one touch, x%.4f with a thousand (%+.2f%%)", a, b, 100 * (b / a - 1));
    result_clear(&one);
    result_clear(&many);
    tu_rmtree(dir);
    g_free(dir);
}

/* The reader's jobs from `cossim analyze --jobs`: own and cross-core us of
 * jobs 1..4 (index job - 1). */
static void reader_jobs(const char *csv, double own[4], double cross[4])
{
    g_auto(GStrv) lines = g_strsplit(csv, "\n", -1);
    unsigned n = 0;
    for (unsigned i = 1; lines[i] && *lines[i]; i++) {
        g_auto(GStrv) f = g_strsplit(lines[i], ",", -1);
        if (g_strv_length(f) < 10 || strcmp(f[0], "reader") != 0)
            continue;
        int job = atoi(f[1]);
        assert_true(job >= 1 && job <= 4);
        own[job - 1] = g_ascii_strtod(f[8], NULL);
        cross[job - 1] = g_ascii_strtod(f[9], NULL);
        n++;
    }
    assert_int_equal(n, 4);
}

static void run_pair(const char *dir, const char *evictor, double own[4], double cross[4])
{
    result r = run_in(dir, cossim, "run", data("evict_pair.lua"), "--set", evictor, "--trace", "pair.db", NULL);
    expect_status(&r, 0);
    result_clear(&r);
    r = run_in(dir, cossim, "analyze", "pair.db", "--jobs", "jobs.csv", NULL);
    expect_status(&r, 0);
    result_clear(&r);
    g_autofree char *path = g_build_filename(dir, "jobs.csv", NULL);
    g_autofree char *csv = NULL;
    assert_true(g_file_get_contents(path, &csv, NULL, NULL));
    reader_jobs(csv, own, cross);
}

/* A hand calculation on two cores (tests/data/evict_pair.lua: cortex-a9
 * at 667 MHz, its L1D and L2 made LRU so that every line's fate follows):
 * - the reader (core 1) reads 64 KiB = 2048 lines of 32 B every 8 ms.
 *   Through the 32 KiB 4-way L1 that is 8 lines per set in order: LRU
 *   misses every one.  Alone, the 512 KiB L2 keeps them: an L2 hit each;
 * - the evictor (core 0, 1 ms later) reads 512 KiB = 16384 lines, its
 *   memory contiguous: 8 to every set of the 8-way L2, so LRU pushes out
 *   each set's 8 older lines, the reader's one among them, by core 0's
 *   fills: the reader's lines are lost to core 0;
 * - so each reader job after the first misses the L2 on all 2048 lines:
 *   the L2's tag check (23 cycles) and memory, 110 ns x 667 MHz = 73.37
 *   -> 74 cycles, with the bus idle (the evictor is done by then).  Beyond
 *   an L2 hit that is 74 cycles a line, 2048 x 74 = 151,552 cycles =
 *   227.214 us of cross-core time per job, and its own time stays what
 *   it is alone.  Its first job misses cold (its lines were never its in
 *   the L2): its own.
 * The analysis shares a thread's stretch out over the job's window in
 * proportion (the stretch runs on to the kernel path after the job's
 * finish, a few hundred cycles of 300 us): 0.1% is allowed below. */
static void test_eviction_breakdown(void **state)
{
    (void)state;
    char *dir = tmpdir();
    double own[4], cross[4], own_alone[4], cross_alone[4];
    run_pair(dir, "evictor=1", own, cross);
    /* the switch events' stamps themselves: the user-mode cross-core
     * cycles of each stretch of the reader's thread on core 1 */
    g_autofree char *db_path = g_build_filename(dir, "pair.db", NULL);
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db,
        "SELECT e.thread, e.a0, e.a2, r.thread FROM events e JOIN event_kinds k ON k.id = e.kind, "
        "(SELECT DISTINCT j.thread FROM jobs j JOIN tasks t ON t.task = j.task WHERE t.name = 'reader') r "
        "WHERE k.name = 'k.switch' AND e.core = 1 ORDER BY e.id", -1, &st, NULL), SQLITE_OK);
    int64_t from = -1;
    unsigned stretches = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        int64_t reader = sqlite3_column_int64(st, 3), a2 = sqlite3_column_int64(st, 2);
        if (sqlite3_column_type(st, 1) != SQLITE_NULL && sqlite3_column_int64(st, 1) == reader) {
            from = a2;
        } else if (sqlite3_column_type(st, 0) != SQLITE_NULL && sqlite3_column_int64(st, 0) == reader) {
            assert_true(from >= 0);
            if (++stretches >= 2 && a2 - from != 151552)
                fail_msg("reader stretch %u: %" PRId64 " cross-core cycles, by hand 151552", stretches, a2 - from);
        }
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    assert_int_equal(stretches, 4);
    run_pair(dir, "evictor=0", own_alone, cross_alone);
    in_band("reader job 1 cross-core us", cross[0], 0, 0);
    for (int j = 1; j < 4; j++) {
        in_band("reader cross-core us", cross[j], 227.214 * 0.999, 227.215);
        in_band("reader own us (against alone)", own[j], own_alone[j] * 0.995, own_alone[j] * 1.005);
        in_band("reader alone cross-core us", cross_alone[j], 0, 0);
    }
    tu_rmtree(dir);
    g_free(dir);
}

int main(int argc, char **argv)
{
    if (!cli_args(argc, argv, 2))
        return 2;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_interference),
        cmocka_unit_test(test_interference_split),
        cmocka_unit_test(test_eviction_breakdown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
