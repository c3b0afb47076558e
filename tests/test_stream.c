/* tests/test_stream.c: user accesses as streams in time (model/stream.h)
 * on the made-up preset tests/data/presets/tiny.lua with its MMU off
 * (addresses are physical, translation costs nothing): 667 MHz, 32-byte
 * lines, L1D hit 4, L2 hit 25, memory 80 ns, the bus 5 ns per line.
 *
 * Figures used below, by hand:
 *  - a cold line: the L2's tag check and memory, 25 + 80 ns x 667 MHz =
 *    25 + 53.36 -> 54 = 79 cycles;
 *  - cycle n of a stream started at time 0 is the first picosecond at
 *    which the counter reads n: ceil(n x 1e12 / 667e6) ps, so cycle 79 is
 *    118,441 ps, 82 is 122,939, 158 is 236,882, 161 is 241,380. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "model/hw.h"

typedef struct done {
    simq_event ev;
    sim_time_t at;
    unsigned n;
} done;

static void on_done(void *owner, simq_event *ev)
{
    done *d = (done *)((char *)ev - offsetof(done, ev));
    d->at = sim_now(owner);
    d->n++;
}

static hw *make(sim **s)
{
    model_config cfg;
    g_autofree char *path = g_strdup_printf("%s/presets/tiny.lua", g_getenv("COSSIM_TEST_DATA"));
    GError *err = NULL;
    if (!model_config_load(path, &cfg, &err))
        fail_msg("%s", err->message);
    cfg.has_tlb = false;    /* physical addresses */
    *s = sim_new(1, simtr_open(NULL, NULL));
    hw *h = hw_new(*s, &cfg, NULL, NULL, &err);
    assert_non_null(h);
    return h;
}

static void start(hw *h, unsigned core, uint64_t addr, uint64_t len, uint64_t work, done *d)
{
    simq_event_init(&d->ev, on_done);
    hwstream st = { .vaddr = addr, .len = len, .work = work };
    hwstream_start(h, core, &st, &d->ev, 64);
}

/* Alone, a stream costs what its lines cost one after another: the same
 * figure the memory system gives the whole range at once. */
static void test_alone_costs_the_sum(void **state)
{
    (void)state;
    sim *s;
    hw *h = make(&s);
    done d = { 0 };
    start(h, 0, 0x10000, 4096, 0, &d);      /* 128 cold lines */
    sim_run(s, SIM_TIME_MAX, 0);
    hwstream out;
    assert_int_equal(d.n, 1);
    assert_int_equal(hwstream_end(h, 0, &out), 128 * 79);
    assert_false(out.fault);
    assert_int_equal(d.at, hwtimer_tick_time(667000000, 1, 128 * 79));
    hw_free(h);
    sim_free(s);
    h = make(&s);
    assert_int_equal(hwmem_access_range(h->mem, 0, 0x10000, 4096, HWMEM_READ, 0), 128 * 79);
    hw_free(h);
    sim_free(s);
}

/* Two cores each read two cold lines from time 0 (the lower core first at
 * a tie).  Core 0's first takes the idle bus (79); core 1's waits 5 ns
 * behind it: 25 + (5 + 80 ns = 56.695 -> 57) = 82, 4 of them waiting for
 * the other core.  Core 0's second goes at cycle 79 (118,441 ps) on an
 * idle bus: 79, ending at cycle 158.  Core 1's second goes at cycle 82
 * (122,939 ps) while core 0's transfer holds the bus to 123,441: 502 ps
 * more, 25 + (80.502 ns = 53.69 -> 54) = 79, ending at cycle 161; its
 * wait, 0.33 -> 1 cycle, is the other core's.  (Costing each core's
 * touch whole when made, core 1's first line would have waited behind
 * both of core 0's reservations, to 123,441 ps: 83 cycles for that line
 * alone.) */
static void test_two_cores_interleave(void **state)
{
    (void)state;
    sim *s;
    hw *h = make(&s);
    done d0 = { 0 }, d1 = { 0 };
    start(h, 0, 0x10000, 64, 0, &d0);
    start(h, 1, 0x20000, 64, 0, &d1);
    sim_run(s, SIM_TIME_MAX, 0);
    hwstream out;
    assert_int_equal(hwstream_end(h, 0, &out), 158);
    assert_int_equal(hwstream_end(h, 1, &out), 161);
    assert_int_equal(d0.at, 236882);
    assert_int_equal(d1.at, 241380);
    assert_int_equal(h->mem->core[1].n.bus_wait_cycles, 5);
    assert_int_equal(h->mem->core[1].n.cross_cycles, 5);
    assert_int_equal(h->core[1].user_cross_cycles, 5);
    assert_int_equal(h->mem->core[0].n.cross_cycles, 0);
    hw_free(h);
    sim_free(s);
}

/* Stopped part way, a stream keeps the rest, as a compute does: stopped at
 * 50 ns (cycle floor(33.35) = 33) during its first line, it ran 33
 * cycles and has 79 - 33 = 46 of that line left, then its second line.
 * Resumed at 1 us (cycle 667): 46 + 79 more, ending at cycle 792; in all
 * 33 + 125 = 158 cycles, as without the stop.  Work spreads over the
 * lines: 10 cycles over 4 is 2, 3, 2, 3 before each (floor((i + 1) 10 / 4)
 * - floor(i 10 / 4)), the first line going at cycle 2. */
static void test_stop_keeps_the_rest(void **state)
{
    (void)state;
    sim *s;
    hw *h = make(&s);
    done d = { 0 };
    start(h, 0, 0x10000, 64, 0, &d);
    sim_run(s, 50 * SIM_NS, 0);
    hwstream keep;
    assert_int_equal(hwstream_stop(h, 0, &keep), 33);
    assert_int_equal(keep.wait, 46);
    assert_int_equal(keep.pos, 32);
    sim_run(s, SIM_US, 0);
    assert_int_equal(d.n, 0);
    hwstream_start(h, 0, &keep, &d.ev, 64);
    sim_run(s, SIM_TIME_MAX, 0);
    hwstream out;
    assert_int_equal(hwstream_end(h, 0, &out), 125);
    assert_int_equal(d.at, hwtimer_tick_time(667000000, 1, 667 + 125));
    /* work: 4 cold lines and 10 cycles */
    start(h, 1, 0x30000, 128, 10, &d);
    assert_int_equal(h->core[1].stream.next_at, hwtimer_tick_time(667000000, 1, hwtimer_ticks_at(667000000, 1, sim_now(s)) + 2));
    sim_run(s, SIM_TIME_MAX, 0);
    assert_int_equal(hwstream_end(h, 1, &out), 4 * 79 + 10);
    hw_free(h);
    sim_free(s);
}

/* A run that stops at a target has made no line due after it: the counters
 * read then are the machine's at that time. */
static void test_stops_at_the_target(void **state)
{
    (void)state;
    sim *s;
    hw *h = make(&s);
    done d = { 0 };
    start(h, 0, 0x10000, 64, 0, &d);         /* lines at 0 and 118,441 ps */
    sim_run(s, 100 * SIM_NS, 0);
    assert_int_equal(h->mem->core[0].n.accesses[HWMEM_READ], 1);
    sim_run(s, SIM_TIME_MAX, 0);
    assert_int_equal(h->mem->core[0].n.accesses[HWMEM_READ], 2);
    assert_int_equal(d.n, 1);
    hw_free(h);
    sim_free(s);
}

/* A list of words with work and loads then stores (cos_touch_words_rw, a
 * queue operation): two cold lines, the first read, the second written,
 * with 10 cycles of work spread over the two words, 5 before each
 * (floor(1 x 10 / 2) - 0, then 10 - 5).  By hand: 5 + 79 + 5 + 79 = 168
 * cycles, one read and one write in the counters. */
static void test_words_read_then_written(void **state)
{
    (void)state;
    sim *s;
    hw *h = make(&s);
    done d = { 0 };
    static const uint64_t words[] = { 0x10000, 0x20000 };
    simq_event_init(&d.ev, on_done);
    hwstream st = { .words = words, .nwords = 2, .work = 10, .mixed = true, .write_from = 1 };
    hwstream_start(h, 0, &st, &d.ev, 64);
    assert_int_equal(h->core[0].stream.next_at, hwtimer_tick_time(667000000, 1, 5));
    sim_run(s, SIM_TIME_MAX, 0);
    hwstream out;
    assert_int_equal(hwstream_end(h, 0, &out), 168);
    assert_int_equal(h->mem->core[0].n.accesses[HWMEM_READ], 1);
    assert_int_equal(h->mem->core[0].n.accesses[HWMEM_WRITE], 1);
    hw_free(h);
    sim_free(s);
}

/* A stream's start splits base x 10^12 = q f + r by the machine's divider
 * of f, in three 64-bit steps (model/stream.c hwstream_tick_split).  The
 * reference is the definition, one 128-bit division, for the presets'
 * frequencies and odd ones up to the loader's limit (10^11 Hz), at cycle
 * counts 0 to 999, near multiples of f and 2^64 / 10^12 f (the largest
 * base whose time in ps fits 64 bits), and 100,000 from a fixed xorshift. */
static void test_tick_split_exact(void **state)
{
    (void)state;
    static const uint64_t freqs[] = { 1, 7, 32768, 16000000u, 48000000u, 100000000u, 480000000u, 666666666u,
                                      667000000u, 1200000000u, 2400000000u, 3200000000u, 4294967311u,
                                      UINT64_C(99999999977), UINT64_C(100000000000) };
    uint64_t x = UINT64_C(0x2545f4914f6cdd1d);
    for (size_t i = 0; i < G_N_ELEMENTS(freqs); i++) {
        uint64_t f = freqs[i];
        hwdiv d = hwdiv_make(f);
        /* the largest base with base 10^12 / f < 2^64 */
        uint64_t top = (uint64_t)((((unsigned __int128)1 << 64) * f - 1) / UINT64_C(1000000000000));
        for (unsigned k = 0; k < 8000; k++) {
            uint64_t base;
            if (k < 1000)
                base = k;
            else if (k < 1030)
                base = f * (k - 1000) + (k % 3) - 1 + (k == 1000);
            else if (k < 1040)
                base = top - (k - 1030);
            else {
                x ^= x << 13, x ^= x >> 7, x ^= x << 17;
                base = (x >> (x % 64)) % (top + 1);
            }
            unsigned __int128 p = (unsigned __int128)base * UINT64_C(1000000000000);
            uint64_t q, r;
            hwstream_tick_split(&d, base, &q, &r);
            if (q != (uint64_t)(p / f) || r != (uint64_t)(p % f))
                fail_msg("%" G_GUINT64_FORMAT " x 10^12 / %" G_GUINT64_FORMAT ": %" G_GUINT64_FORMAT " r %" G_GUINT64_FORMAT
                         ", not %" G_GUINT64_FORMAT " r %" G_GUINT64_FORMAT, base, f, q, r, (uint64_t)(p / f), (uint64_t)(p % f));
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alone_costs_the_sum),
        cmocka_unit_test(test_two_cores_interleave),
        cmocka_unit_test(test_stop_keeps_the_rest),
        cmocka_unit_test(test_stops_at_the_target),
        cmocka_unit_test(test_words_read_then_written),
        cmocka_unit_test(test_tick_split_exact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
