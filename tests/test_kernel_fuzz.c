/* tests/test_kernel_fuzz.c: adversarial components against the kernel,
 * from seeded draws: the structured adversary (tests/adversary.c says what
 * it builds, does and checks) run for a fixed number of calls on several
 * presets, every property of kadv_failure asserted, and how often each
 * state of issue 19, item 2 was reached printed and required.
 * fuzz/fuzz_kernel.c runs the same adversary on a fuzzer's bytes.
 *
 * System calls in the unit suite: 25,000 on each of three presets
 * (kernel_fuzz), and in the deep mode 15,000 on x86_64 and 10,000 on
 * cortex-a9 and cortex-m7 (kernel_fuzz_deep: --deep); the slow suite runs
 * 1,000,000, and 1,000,000 in the deep mode (COSSIM_FUZZ_CALLS overrides
 * each run's).  The kernel's state is fingerprinted around every call in
 * the unit suite, one in eight in the slow one.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>
#include <glib.h>
#include "adversary.h"

typedef kadv_reached reached;
#define NADV KADV_NADV
#define ROUND_CALLS KADV_ROUND_CALLS

/* One boot: `budget` calls from adversaries seeded with `seed`. */
static void run_once(const char *preset, bool deep, uint64_t budget, uint64_t stride, uint64_t seed, reached *r)
{
    kadv_opts o = { .preset = preset, .deep = deep, .budget = budget, .stride = stride, .seed = seed };
    kadv_result st;
    kadv_run(&o, r, &st);
    assert_int_equal(st.boot_error, 0);
    assert_true(st.kmem_found);
    assert_true(st.done);
    assert_false(st.stalled);
    assert_int_equal(st.check_failures, 0);
    assert_int_equal(st.isolation, 0);
    for (unsigned i = 0; i < st.refused_changed && i < 8; i++)
        print_error("refused call changed the kernel's state: op %d, error %s\n", st.changed_op[i],
                    cos_err_name((cos_err)st.changed_err[i]));
    assert_int_equal(st.refused_changed, 0);
    assert_true(st.refused_checked > budget / stride / 4);
    if (st.reach_violations)
        fail_msg("%s", st.reach_first);
    assert_true(st.final_check);
    assert_null(kadv_failure(&st));
    assert_true(st.calls >= budget);
    if (!st.mpu)
        assert_true(st.touches > 0 && st.touch_faults > 0 && st.touch_faults < st.touches);
}

static uint64_t calls_of(uint64_t budget)
{
    const char *env = g_getenv("COSSIM_FUZZ_CALLS");
    return env ? g_ascii_strtoull(env, NULL, 10) : budget;
}

static void run_fuzz(const char *preset, uint64_t budget, uint64_t stride)
{
    reached r = { 0 };
    budget = calls_of(budget);
    run_once(preset, false, budget, stride, 0x5eed0000u, &r);
    /* the fuzz reached real work, not only decode errors */
    assert_true(r.ok > budget / 200);
    print_message("%s: %" G_GUINT64_FORMAT " calls, %" G_GUINT64_FORMAT " ok\n", preset, r.calls, r.ok);
}

/* The deep mode: rounds of ROUND_CALLS calls on fresh kernels; every
 * state of issue 19, item 2 reached. */
static void run_deep(const char *preset, uint64_t budget, uint64_t stride)
{
    reached r = { 0 };
    budget = calls_of(budget);
    for (uint64_t done = 0, n = 0; done < budget; done += ROUND_CALLS, n++)
        run_once(preset, true, MIN(ROUND_CALLS, budget - done), stride, 0xdee90000u + n * NADV, &r);
    uint64_t deeper = 0;
    for (unsigned d = 4; d <= COS_INV_DEPTH; d++)
        deeper += r.depth[d];
    print_message("%s deep: %" G_GUINT64_FORMAT " calls in %" G_GUINT64_FORMAT " boots, %" G_GUINT64_FORMAT
                  " ok; %" G_GUINT64_FORMAT " inside servers (%" G_GUINT64_FORMAT " at depth 4 or more, deepest %"
                  G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT " EDEPTH), %" G_GUINT64_FORMAT " waits begun inside\n",
                  preset, r.calls, r.rounds, r.ok, r.inside, deeper, r.depth_max, r.edepth, r.waits_inside);
    print_message("%s deep: removals that went from inside servers %" G_GUINT64_FORMAT "; removed: %" G_GUINT64_FORMAT
                  " sinvs to servers with threads inside, %" G_GUINT64_FORMAT " rcvs while waited on, %"
                  G_GUINT64_FORMAT " tcaps in use, %" G_GUINT64_FORMAT " threads inside servers\n",
                  preset, r.rm_inside, r.rm_sinv_inhabited, r.rm_rcv_waited, r.rm_tcap_in_use, r.rm_thd_inside);
    print_message("%s deep: kernel: %" G_GUINT64_FORMAT " components kept for threads inside, %" G_GUINT64_FORMAT
                  " waits ended with their rcv, %" G_GUINT64_FORMAT " tcaps and %" G_GUINT64_FORMAT
                  " threads kept for a core; %" G_GUINT64_FORMAT " victims\n",
                  preset, r.kept_comps, r.ended_waits, r.kept_tcaps, r.kept_thds, r.victims);
    assert_true(r.ok > budget / 20);
    assert_true(r.depth_max >= 8);
    assert_true(r.rm_inside > 0 && r.rm_sinv_inhabited > 0 && r.rm_rcv_waited > 0 && r.rm_tcap_in_use > 0
                && r.rm_thd_inside > 0);
    assert_true(r.kept_comps > 0 && r.ended_waits > 0 && r.kept_tcaps > 0);
}

static void test_fuzz_x86(void **state) { (void)state; run_fuzz("x86_64", 25000, 1); }
static void test_fuzz_m7(void **state) { (void)state; run_fuzz("cortex-m7", 25000, 1); }
static void test_fuzz_m33(void **state) { (void)state; run_fuzz("cortex-m33", 25000, 1); }   /* the v8-M MPU */
static void test_deep_x86(void **state) { (void)state; run_deep("x86_64", 15000, 1); }
static void test_deep_a9(void **state) { (void)state; run_deep("cortex-a9", 10000, 1); }
static void test_deep_m7(void **state) { (void)state; run_deep("cortex-m7", 10000, 1); }

static void test_fuzz_slow(void **state)
{
    (void)state;
    /* the fingerprints on one call in eight: the slow suite is for breadth */
    run_fuzz("x86_64", 600000, 8);
    run_fuzz("cortex-a9", 400000, 8);
    run_deep("x86_64", 400000, 8);
    run_deep("cortex-a9", 300000, 8);
    run_deep("cortex-m7", 300000, 8);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest fast[] = {
        cmocka_unit_test(test_fuzz_x86), cmocka_unit_test(test_fuzz_m33), cmocka_unit_test(test_fuzz_m7),
    };
    const struct CMUnitTest deep[] = {
        cmocka_unit_test(test_deep_x86), cmocka_unit_test(test_deep_a9), cmocka_unit_test(test_deep_m7),
    };
    const struct CMUnitTest slow[] = {
        cmocka_unit_test(test_fuzz_slow),
    };
    if (argc > 1 && strcmp(argv[1], "--slow") == 0)
        return cmocka_run_group_tests(slow, NULL, NULL);
    if (argc > 1 && strcmp(argv[1], "--deep") == 0)
        return cmocka_run_group_tests(deep, NULL, NULL);
    return cmocka_run_group_tests(fast, NULL, NULL);
}
