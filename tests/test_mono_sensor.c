/* tests/test_mono_sensor.c: the monolithic kernel's sensor loop
 * (monolithic.bench measure "sensor", compare/monolithic/sensor.c), on the
 * i7-8700 preset (3.2 GHz, 6 cores).
 *
 * The expectations are counted by hand from the loop's design (bench.h,
 * docs/compare.md "The sensor loop"), not from the code's arithmetic:
 *   - one round is one device interrupt, whose hard handler wakes the
 *     timer interrupt thread; that thread writes once into the timer pipe
 *     (waking stage 1); stage i < S writes once into stage i+1's pipe
 *     (waking it); stage S writes once to the actuator's pipe and reads it
 *     back once; every stage reads its input once;
 *   - user work is COMPUTE requests: a0 cycles at user level, nothing else
 *     running on core 0 in between (the period is far longer);
 *   - the yielders' cores share no run queue with core 0.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>
#include "compare/monolithic/bench.h"
#include "model/machine.h"

typedef struct fx {
    sim *s;
    hw *h;
    mono *k;
    mono_bench *b;
} fx;

static mono_bench_cfg sensor_cfg(unsigned rounds)
{
    mono_bench_cfg c = { .measure = MONO_BENCH_SENSOR, .rounds = rounds, .warmup = 0, .warm = true };
    mono_bench_sensor_defaults(&c);
    c.period = SIM_MS;
    return c;
}

static fx *fx_new(void)
{
    fx *f = g_new0(fx, 1);
    model_config cfg;
    GError *err = NULL;
    if (!model_config_load("i7-8700", &cfg, &err))
        fail_msg("%s", err->message);
    cfg.mem.size = UINT64_C(256) << 20;
    f->s = sim_new(1, simtr_open(NULL, NULL));
    f->h = hw_new(f->s, &cfg, NULL, NULL, &err);
    assert_non_null(f->h);
    model_config_clear(&cfg);
    f->k = mono_new(f->s, f->h, &err);
    assert_non_null(f->k);
    return f;
}

/* Run the benchmark to its end, and a period more (the last stage's
 * drain, the yielders' exits); a failure if it does not end in time. */
static fx *fx_run(const mono_bench_cfg *cfg, bool check)
{
    fx *f = fx_new();
    GError *err = NULL;
    mono_set_check(f->k, check);
    f->b = mono_bench_new(f->k, cfg, &err);
    if (f->b == NULL)
        fail_msg("%s", err->message);
    sim_time_t limit = sim_now(f->s) + 4 * (cfg->rounds + cfg->warmup + 2) * (cfg->period + SIM_MS);
    while (!mono_bench_done(f->b)) {
        assert_true(sim_now(f->s) < limit);
        sim_run(f->s, sim_now(f->s) + SIM_MS, 0);
    }
    sim_run(f->s, sim_now(f->s) + cfg->period, 0);
    assert_int_equal(mono_bench_error(f->b), 0);
    assert_true(mono_check(f->k));
    return f;
}

static void fx_free(fx *f)
{
    mono_bench_free(f->b);
    mono_free(f->k);
    hw_free(f->h);
    sim_free(f->s);
    g_free(f);
}

/* Work W split over the stages makes every round exactly W cycles
 * longer: the same rounds, with W more cycles of user compute between
 * each stage's read and its write, on a core nothing else wants (a 1 ms
 * period is 3,200,000 cycles).  W = 10 over 3 stages is 3 + 3 + 4; W =
 * 90000 is 30000 each; W = 7 over 8 stages leaves seven stages none. */
static void test_work_adds_exactly(void **state)
{
    (void)state;
    static const struct { unsigned stages; uint64_t work; } cases[] = { { 3, 10 }, { 3, 90000 }, { 8, 7 }, { 1, 12345 } };
    for (size_t c = 0; c < G_N_ELEMENTS(cases); c++) {
        mono_bench_cfg cfg = sensor_cfg(12);
        cfg.warmup = 20;
        cfg.stages = cases[c].stages;
        fx *f0 = fx_run(&cfg, false);
        cfg.work = cases[c].work;
        fx *f1 = fx_run(&cfg, false);
        unsigned n0, n1;
        const uint64_t *v0 = mono_bench_samples(f0->b, &n0), *v1 = mono_bench_samples(f1->b, &n1);
        assert_int_equal(n0, 12);
        assert_int_equal(n1, 12);
        for (unsigned i = 0; i < n0; i++)
            assert_int_equal(v1[i] - v0[i], cases[c].work);
        fx_free(f0);
        fx_free(f1);
    }
}

/* What one round does, by hand (S stages): 1 interrupt, 1 interrupt
 * thread woken by it; S + 1 writes (the timer thread's, S - 1 between
 * stages, the actuator's); S + 1 reads (each stage's input, the
 * actuator's drain); S + 1 wakeups (the timer thread, then each stage);
 * S + 1 switches to a thread (idle -> timer thread -> stage 1 -> ... ->
 * stage S; going idle is no switch to a thread); 2S + 1 system calls
 * (the stages' reads and writes and the drain: the timer thread is a
 * kernel thread, its calls are not system calls); no page-table switch
 * (the kernel thread borrows the stages' one: lazy TLB), no IPI.  Setup
 * and the tail cancel in the difference of two runs of R and R + 5
 * rounds. */
static void test_counts_per_round(void **state)
{
    (void)state;
    for (unsigned stages = 1; stages <= 8; stages += 3) {
        mono_stats st[2];
        mono_path_stats wr[2], rd[2];
        for (unsigned r = 0; r < 2; r++) {
            mono_bench_cfg cfg = sensor_cfg(10 + 5 * r);
            cfg.stages = stages;
            fx *f = fx_run(&cfg, false);
            st[r] = *mono_get_stats(f->k);
            wr[r] = *mono_get_path_stats(f->k, MONO_REQ_WRITE);
            rd[r] = *mono_get_path_stats(f->k, MONO_REQ_READ);
            assert_int_equal(mono_bench_overruns(f->b), 0);
            fx_free(f);
        }
        uint64_t s1 = stages + 1;
        assert_int_equal(st[1].interrupts - st[0].interrupts, 5 * 1);
        assert_int_equal(st[1].irq_threads - st[0].irq_threads, 5 * 1);
        assert_int_equal(wr[1].n - wr[0].n, 5 * s1);
        assert_int_equal(rd[1].n - rd[0].n, 5 * s1);
        assert_int_equal(st[1].wakeups - st[0].wakeups, 5 * s1);
        assert_int_equal(st[1].switches - st[0].switches, 5 * s1);
        assert_int_equal(st[1].syscalls - st[0].syscalls, 5 * (2 * stages + 1));
        assert_int_equal(st[1].mm_switches - st[0].mm_switches, 0);
        assert_int_equal(st[1].ipis, 0);
        assert_int_equal(st[1].errors, 0);
    }
}

/* Work longer than the period: a 10 us period is 32,000 cycles; one
 * stage with 90,000 cycles of work makes a warm round last from a raise
 * at 0 to past 90,000 (the work alone) but, with the chain's few thousand
 * cycles, before the raise at 96,000 (the rounds recorded are checked to
 * be so).  The raises at 32,000 and 64,000 come during the round: 2
 * overruns per round, and the next round starts at the raise at 96,000:
 * 3 interrupts per round.  (The first round, cold, runs longer: the
 * difference of runs of 8 and 13 rounds leaves it out.)  The loop ends
 * (no hang), with check on. */
static void test_overruns(void **state)
{
    (void)state;
    uint64_t over[2], irqs[2];
    for (unsigned r = 0; r < 2; r++) {
        mono_bench_cfg cfg = sensor_cfg(8 + 5 * r);
        cfg.warmup = 2;
        cfg.period = 10 * SIM_US;
        cfg.stages = 1;
        cfg.work = 90000;
        fx *f = fx_run(&cfg, true);
        unsigned n;
        const uint64_t *v = mono_bench_samples(f->b, &n);
        assert_int_equal(n, cfg.rounds);
        for (unsigned i = 0; i < n; i++)
            assert_true(v[i] > 90000 && v[i] < 96000);
        over[r] = mono_bench_overruns(f->b);
        irqs[r] = mono_get_stats(f->k)->interrupts;
        assert_int_equal(mono_get_stats(f->k)->check_failures, 0);
        fx_free(f);
    }
    assert_int_equal(over[1] - over[0], 2 * 5);
    assert_int_equal(irqs[1] - irqs[0], 3 * 5);
}

/* Four yielders (cores 1..4 of 6): each core made system calls and spent
 * kernel cycles, core 5 none; only core 0 took interrupts (no timer tick
 * is programmed, the device is routed to core 0, no IPI is sent); the
 * benchmark ends.  And, as the kernel's sched_yield takes only its own
 * core's run-queue lock and touches only its own thread's lines, core 0's
 * rounds are the same, cycle for cycle, as with no yielders
 * (docs/compare.md says so, with the figures). */
static void test_yielders(void **state)
{
    (void)state;
    mono_bench_cfg cfg = sensor_cfg(10);
    cfg.warmup = 5;
    cfg.period = 200 * SIM_US;
    cfg.work = 9000;
    fx *f0 = fx_run(&cfg, false);
    cfg.yielders = 4;
    fx *f4 = fx_run(&cfg, true);
    unsigned ny;
    const uint64_t *y = mono_bench_yields(f4->b, &ny);
    assert_int_equal(ny, 4);
    for (unsigned j = 0; j < 4; j++) {
        assert_true(y[j] > 1000);
        assert_true(f4->h->core[j + 1].kernel_cycles > 0);
        assert_int_equal(f4->h->core[j + 1].interrupts, 0);
    }
    assert_int_equal(f4->h->core[5].kernel_cycles, 0);
    assert_int_equal(f4->h->core[5].user_cycles, 0);
    assert_true(mono_get_stats(f4->k)->syscalls > y[0] + y[1] + y[2] + y[3]);
    assert_int_equal(mono_get_stats(f4->k)->check_failures, 0);
    unsigned n0, n4;
    const uint64_t *v0 = mono_bench_samples(f0->b, &n0), *v4 = mono_bench_samples(f4->b, &n4);
    assert_int_equal(n0, n4);
    assert_memory_equal(v0, v4, n0 * sizeof *v0);
    fx_free(f0);
    fx_free(f4);
}

/* Options out of range: an error naming the option, nothing set up. */
static void test_bad_options(void **state)
{
    (void)state;
    static const struct { const char *name; unsigned stages, bytes, yielders; sim_time_t period; } bad[] = {
        { "stages", 0, 256, 0, SIM_MS }, { "stages", 9, 256, 0, SIM_MS },  { "bytes", 3, 0, 0, SIM_MS },
        { "bytes", 3, MONO_PIPE_BYTES + 1, 0, SIM_MS }, { "yielders", 3, 256, 6, SIM_MS }, { "period", 3, 256, 0, 0 }, { "period", 3, 256, 0, 10 * SIM_US - 1 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        fx *f = fx_new();
        mono_bench_cfg cfg = sensor_cfg(5);
        cfg.stages = bad[i].stages;
        cfg.bytes = bad[i].bytes;
        cfg.yielders = bad[i].yielders;
        cfg.period = bad[i].period;
        GError *err = NULL;
        assert_null(mono_bench_new(f->k, &cfg, &err));
        assert_non_null(err);
        if (strstr(err->message, bad[i].name) == NULL)
            fail_msg("case %zu: '%s' does not name %s", i, err->message, bad[i].name);
        g_error_free(err);
        fx_free(f);
    }
    /* the largest message and the most stages are fine */
    mono_bench_cfg cfg = sensor_cfg(3);
    cfg.stages = 8;
    cfg.bytes = MONO_PIPE_BYTES;
    cfg.yielders = 5;
    fx *f = fx_run(&cfg, true);
    assert_int_equal(mono_get_stats(f->k)->check_failures, 0);
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_work_adds_exactly),
        cmocka_unit_test(test_counts_per_round),
        cmocka_unit_test(test_overruns),
        cmocka_unit_test(test_yielders),
        cmocka_unit_test(test_bad_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
