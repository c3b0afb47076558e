/* tests/test_queue.c: unit tests of the event queue (sim/queue.h).
 *
 * The queue decides the order in which every event of a run is dispatched,
 * so a mistake here shows up as a different trace for the same seed.  These
 * tests pin the ordering key (time, priority, scheduling order), cancelling
 * and moving events, and the assertions that catch misuse; a long randomized
 * run compares the heap against a plain linear-scan reference with explicit
 * keys and calls simq_verify() after every step.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testutil.h"

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/queue.h"

/* An event as an owner embeds it: the queue only sees `ev`. */
typedef struct tev {
    simq_event ev;
    int id;
} tev;

static void never_called(void *owner, simq_event *ev)
{
    (void)owner;
    (void)ev;
    fail_msg("the queue must never call a handler itself");
}

static void tev_init(tev *t, int id)
{
    simq_event_init(&t->ev, never_called);
    t->id = id;
}

static int id_of(const simq_event *ev)
{
    return ((const tev *)((const char *)ev - offsetof(tev, ev)))->id;
}

#define assert_verified(q) \
    do { if (!simq_verify(q)) fail_msg("simq_verify failed (see the warning above)"); } while (0)

/* Pop everything and compare with the expected ids; prints both orders on a
 * difference, since "element 3 differs" alone says little about a heap. */
static void assert_pops(simq *q, const int *want, size_t n)
{
    int got[64];
    size_t k = 0;
    simq_event *ev;
    assert_true(n <= G_N_ELEMENTS(got));
    while ((ev = simq_pop(q)) != NULL) {
        assert_verified(q);
        assert_false(simq_scheduled(ev));
        if (k < G_N_ELEMENTS(got))
            got[k] = id_of(ev);
        k++;
    }
    bool same = k == n;
    for (size_t i = 0; same && i < n; i++)
        same = got[i] == want[i];
    if (!same) {
        char gs[512] = "", ws[512] = "";
        for (size_t i = 0; i < k && i < G_N_ELEMENTS(got); i++)
            g_snprintf(gs + strlen(gs), sizeof gs - strlen(gs), " %d", got[i]);
        for (size_t i = 0; i < n; i++)
            g_snprintf(ws + strlen(ws), sizeof ws - strlen(ws), " %d", want[i]);
        fail_msg("pop order differs\n  got: %s\n want: %s", gs, ws);
    }
}
#define ASSERT_POPS(q, ...) do { \
        static const int want_[] = { __VA_ARGS__ }; \
        assert_pops((q), want_, G_N_ELEMENTS(want_)); \
    } while (0)


static void assert_child_ends(void (*fn)(void), const char *name, const char *want)
{
    char buf[128];
    const char *got = tu_run_child(fn, buf, sizeof buf);
    if (strcmp(got, want) != 0)
        fail_msg("%s: child %s, expected %s", name, got, want);
}
#define ASSERT_ABORTS(fn) do { \
        char w_[128]; \
        g_snprintf(w_, sizeof w_, "killed by %s", strsignal(SIGABRT)); \
        assert_child_ends(fn, #fn, w_); \
    } while (0)
#define ASSERT_EXITS_CLEANLY(fn) assert_child_ends(fn, #fn, "exited with status 0")

/* ---- ordering ---------------------------------------------------------- */

static void test_empty_queue(void **state)
{
    (void)state;
    simq q;
    simq_init(&q);
    assert_true(simq_empty(&q));
    assert_null(simq_peek(&q));
    assert_null(simq_pop(&q));
    assert_true(simq_next_time(&q) == SIM_TIME_MAX);   /* documented in queue.h */
    assert_verified(&q);
    simq_clear(&q);
}

static void test_orders_by_time(void **state)
{
    (void)state;
    simq q;
    simq_init(&q);
    /* Scheduled out of order, with priorities that would give the opposite
     * order if priority were compared before time. */
    static const sim_time_t times[] = { 50, 10, 40, 20, 30 };
    static const unsigned prios[] = { 0, 255, 1, 200, 7 };
    tev e[5];
    for (int i = 0; i < 5; i++) {
        tev_init(&e[i], (int)times[i]);
        simq_schedule(&q, &e[i].ev, times[i], prios[i]);
        assert_verified(&q);
        assert_true(simq_scheduled(&e[i].ev));
        assert_true(e[i].ev.when == times[i]);
    }
    assert_int_equal(simq_size(&q), 5);
    assert_true(simq_next_time(&q) == 10);
    assert_int_equal(id_of(simq_peek(&q)), 10);
    ASSERT_POPS(&q, 10, 20, 30, 40, 50);
    assert_true(simq_empty(&q));
    simq_clear(&q);
}

static void test_ties_by_priority_then_fifo(void **state)
{
    (void)state;
    simq q;
    simq_init(&q);
    /* id: (time, prio) in scheduling order
     *  1: (100, 2)   2: (100, 1)   3: (100, 2)   4: (100, 0)
     *  5: (100, 1)   6: ( 50, 255) 7: (100, 0)
     * By hand: 6 first (earliest time, whatever its priority); then at 100
     * prio 0 in scheduling order 4, 7; prio 1: 2, 5; prio 2: 1, 3. */
    static const sim_time_t t[] = { 100, 100, 100, 100, 100, 50, 100 };
    static const unsigned p[] = { 2, 1, 2, 0, 1, 255, 0 };
    tev e[7];
    for (int i = 0; i < 7; i++) {
        tev_init(&e[i], i + 1);
        simq_schedule(&q, &e[i].ev, t[i], p[i]);
        assert_verified(&q);
    }
    ASSERT_POPS(&q, 6, 4, 7, 2, 5, 1, 3);
    simq_clear(&q);
}

static void test_fifo_among_many_equals(void **state)
{
    (void)state;
    /* 1000 events at one (time, prio): a heap is not stable by itself, so
     * only the sequence number keeps them first-in first-out.  Expected:
     * 0, 1, ..., 999, the scheduling order. */
    enum { N = 1000 };
    simq q;
    simq_init(&q);
    static tev e[N];
    for (int i = 0; i < N; i++) {
        tev_init(&e[i], i);
        simq_schedule(&q, &e[i].ev, 7, 3);
    }
    assert_verified(&q);
    for (int i = 0; i < N; i++) {
        simq_event *ev = simq_pop(&q);
        assert_non_null(ev);
        if (id_of(ev) != i)
            fail_msg("pop %d returned event %d: equal keys are not first-in first-out", i, id_of(ev));
    }
    assert_verified(&q);
    simq_clear(&q);
}

/* ---- cancelling and moving --------------------------------------------- */

static void test_deschedule_head_middle_last(void **state)
{
    (void)state;
    simq q;
    simq_init(&q);
    /* ids equal their times: 10, 20, ..., 120 */
    tev e[12];
    for (int i = 0; i < 12; i++) {
        tev_init(&e[i], (i + 1) * 10);
        simq_schedule(&q, &e[i].ev, (sim_time_t)(i + 1) * 10, 0);
    }
    assert_verified(&q);

    /* the head */
    simq_deschedule(&q, &e[0].ev);
    assert_false(simq_scheduled(&e[0].ev));
    assert_verified(&q);
    assert_int_equal(id_of(simq_peek(&q)), 20);

    /* the entry in the last slot of a bucket (no hole to fill): the
     * highest non-empty bucket */
    simq_bucket *bk = NULL;
    for (unsigned k = 0; k < SIMQ_BUCKETS; k++)
        if (q.b[k].len)
            bk = &q.b[k];
    assert_non_null(bk);
    simq_event *last = bk->v[bk->len - 1].ev;
    int last_id = id_of(last);
    simq_deschedule(&q, last);
    assert_false(simq_scheduled(last));
    assert_verified(&q);

    /* the latest in time, and one in the middle */
    if (last_id != 120) {
        simq_deschedule(&q, &e[11].ev);
        assert_verified(&q);
    }
    int mid = last_id == 60 ? 70 : 60;
    simq_deschedule(&q, &e[mid / 10 - 1].ev);
    assert_false(simq_scheduled(&e[mid / 10 - 1].ev));
    assert_verified(&q);

    /* By hand: 20..110 without mid, without last_id, without 120. */
    int want[12];
    size_t n = 0;
    for (int id = 20; id <= 110; id += 10)
        if (id != mid && id != last_id)
            want[n++] = id;
    assert_pops(&q, want, n);

    /* A cancelled event can be scheduled again, and it is the only one left. */
    simq_schedule(&q, &e[mid / 10 - 1].ev, 200, 0);
    assert_verified(&q);
    assert_pops(&q, &mid, 1);
    simq_clear(&q);
}

static void test_deschedule_only_event(void **state)
{
    (void)state;
    simq q;
    simq_init(&q);
    tev a;
    tev_init(&a, 1);
    simq_schedule(&q, &a.ev, 5, 0);
    simq_deschedule(&q, &a.ev);
    assert_false(simq_scheduled(&a.ev));
    assert_true(simq_empty(&q));
    assert_null(simq_pop(&q));
    assert_verified(&q);
    simq_clear(&q);
}

static void test_reschedule_earlier_and_later(void **state)
{
    (void)state;
    simq q;
    simq_init(&q);
    tev e[4];
    for (int i = 0; i < 4; i++) {
        tev_init(&e[i], i + 1);                 /* 1@10, 2@20, 3@30, 4@40 */
        simq_schedule(&q, &e[i].ev, (sim_time_t)(i + 1) * 10, 0);
    }
    simq_reschedule(&q, &e[3].ev, 5, 0);        /* 4: 40 -> 5, now first */
    assert_verified(&q);
    assert_true(e[3].ev.when == 5);
    assert_int_equal(id_of(simq_peek(&q)), 4);
    simq_reschedule(&q, &e[0].ev, 35, 0);       /* 1: 10 -> 35, now last */
    assert_verified(&q);
    assert_true(e[0].ev.when == 35);
    simq_reschedule(&q, &e[1].ev, 20, 9);       /* 2: same time, new priority */
    assert_verified(&q);
    assert_int_equal(e[1].ev.order >> SIMQ_SEQ_BITS, 9);
    /* By hand: 4@5, 2@20, 3@30, 1@35. */
    ASSERT_POPS(&q, 4, 2, 3, 1);

    /* Rescheduling an unscheduled event schedules it (queue.h). */
    simq_reschedule(&q, &e[2].ev, 100, 0);
    assert_true(simq_scheduled(&e[2].ev));
    assert_verified(&q);
    ASSERT_POPS(&q, 3);
    simq_clear(&q);
}

static void test_reschedule_goes_behind_equals(void **state)
{
    (void)state;
    simq q;
    simq_init(&q);
    tev a, b, c;
    tev_init(&a, 1);
    tev_init(&b, 2);
    tev_init(&c, 3);
    simq_schedule(&q, &a.ev, 100, 1);
    simq_schedule(&q, &b.ev, 100, 1);
    simq_schedule(&q, &c.ev, 50, 1);
    /* c moves to (100, 1): it was scheduled last, but the contract is about
     * the reschedule itself: it goes behind a and b, which were waiting. */
    simq_reschedule(&q, &c.ev, 100, 1);
    assert_verified(&q);
    /* a is "rescheduled" to the key it already had: it too goes behind the
     * events waiting at that key, b and c.  Expected by hand: b, c, a. */
    simq_reschedule(&q, &a.ev, 100, 1);
    assert_verified(&q);
    ASSERT_POPS(&q, 2, 3, 1);
    simq_clear(&q);
}

static void test_clear_unschedules_everything(void **state)
{
    (void)state;
    enum { N = 1000 };   /* more than the first heap allocation (256) */
    simq q;
    simq_init(&q);
    static tev e[N];
    for (int i = 0; i < N; i++) {
        tev_init(&e[i], i);
        simq_schedule(&q, &e[i].ev, (sim_time_t)(i * 7919 % N), (unsigned)(i % 4));
    }
    for (int i = 0; i < 10; i++)
        assert_non_null(simq_pop(&q));
    assert_verified(&q);
    simq_clear(&q);
    assert_true(simq_empty(&q));
    assert_null(simq_peek(&q));
    for (int i = 0; i < N; i++)
        if (simq_scheduled(&e[i].ev))
            fail_msg("event %d is still marked scheduled after simq_clear", i);
    /* The queue and the events are usable again. */
    simq_schedule(&q, &e[0].ev, 2000, 0);
    simq_schedule(&q, &e[1].ev, 1000, 0);
    assert_verified(&q);
    ASSERT_POPS(&q, 1, 0);
    simq_clear(&q);
}

static void test_schedule_at_floor_is_allowed(void **state)
{
    (void)state;
    /* "when >= the last popped time": equal is allowed; an event that
     * schedules another at the current time relies on it. */
    simq q;
    simq_init(&q);
    tev a, b;
    tev_init(&a, 1);
    tev_init(&b, 2);
    simq_schedule(&q, &a.ev, 40, 0);
    assert_ptr_equal(simq_pop(&q), &a.ev);
    simq_schedule(&q, &b.ev, 40, 0);
    simq_reschedule(&q, &a.ev, 40, 0);
    assert_verified(&q);
    ASSERT_POPS(&q, 2, 1);
    simq_clear(&q);
}

/* ---- randomized comparison with a reference ------------------------------ */

/* splitmix64, local to the test so that the fuzz does not depend on the
 * module under test in tests/test_rng.c. */
static uint64_t fuzz_next(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

enum { POOL = 600, OPS = 100000 };

/* The reference: for every event, whether it is scheduled and its explicit
 * key; the minimum is found by a linear scan. */
typedef struct ref_key {
    bool on;
    sim_time_t when;
    unsigned prio;
    uint64_t seq;
} ref_key;

static bool key_less(const ref_key *a, const ref_key *b)
{
    if (a->when != b->when)
        return a->when < b->when;
    if (a->prio != b->prio)
        return a->prio < b->prio;
    return a->seq < b->seq;
}

static int ref_min(const ref_key *k, int n)
{
    int best = -1;
    for (int i = 0; i < n; i++)
        if (k[i].on && (best < 0 || key_less(&k[i], &k[best])))
            best = i;
    return best;
}

/* wide: times spread log-uniformly from 1 ps to 2^47 ps ahead, so that every
 * level of the queue's radix structure and its re-bucketing are exercised;
 * otherwise a narrow window of 64 ps, for many exact ties. */
static void fuzz(uint64_t seed, bool wide)
{
    static tev e[POOL];
    static ref_key ref[POOL];
    simq q;
    simq_init(&q);
    uint64_t rs = seed;                   /* fixed seed: the run is reproducible */
    uint64_t seq = 0;                     /* the reference's own counter */
    sim_time_t floor = 0;
    size_t live = 0;
    unsigned long counts[4] = { 0 };
    for (int i = 0; i < POOL; i++) {
        tev_init(&e[i], i);
        ref[i] = (ref_key){ 0 };
    }

    for (int op = 0; op < OPS; op++) {
        int i = (int)(fuzz_next(&rs) % POOL);
        unsigned kind = (unsigned)(fuzz_next(&rs) % 100);
        /* A narrow window above the floor and 4 priorities give many ties. */
        sim_time_t when = wide ? floor + (fuzz_next(&rs) & ((UINT64_C(1) << (fuzz_next(&rs) % 48)) - 1))
                               : floor + fuzz_next(&rs) % 64;
        unsigned prio = (unsigned)(fuzz_next(&rs) % 4);
        if (kind < 35) {                                    /* schedule */
            if (ref[i].on)
                continue;
            simq_schedule(&q, &e[i].ev, when, prio);
            ref[i] = (ref_key){ true, when, prio, seq++ };
            live++;
            counts[0]++;
        } else if (kind < 50) {                             /* deschedule */
            if (!ref[i].on)
                continue;
            simq_deschedule(&q, &e[i].ev);
            ref[i].on = false;
            live--;
            counts[1]++;
        } else if (kind < 70) {                             /* reschedule */
            simq_reschedule(&q, &e[i].ev, when, prio);
            if (!ref[i].on)
                live++;
            ref[i] = (ref_key){ true, when, prio, seq++ };
            counts[2]++;
        } else {                                            /* pop */
            int want = ref_min(ref, POOL);
            simq_event *ev = simq_pop(&q);
            if (want < 0) {
                assert_null(ev);
            } else {
                if (ev == NULL || id_of(ev) != want)
                    fail_msg("op %d: pop gave %d, reference %d at (%" PRIu64 ", %u, seq %" PRIu64 ")",
                             op, ev ? id_of(ev) : -1, want, ref[want].when, ref[want].prio,
                             ref[want].seq);
                floor = ref[want].when;
                ref[want].on = false;
                live--;
            }
            counts[3]++;
        }
        assert_verified(&q);
        if (simq_size(&q) != live)
            fail_msg("op %d: queue holds %zu events, reference %zu", op, simq_size(&q), live);
        int head = ref_min(ref, POOL);
        /* the earliest without changing anything, then with a refill */
        const simq_event *first = simq_first(&q);
        if ((first == NULL) != (head < 0) || (first && id_of(first) != head))
            fail_msg("op %d: simq_first gave %d, reference %d", op, first ? id_of(first) : -1, head);
        assert_verified(&q);
        assert_true(simq_next_time(&q) == (head < 0 ? SIM_TIME_MAX : ref[head].when));
        assert_true(simq_scheduled(&e[i].ev) == ref[i].on);
    }
    /* Every kind of operation really happened, and many times. */
    for (int k = 0; k < 4; k++)
        assert_true(counts[k] > OPS / 20);

    /* Drain and compare the rest. */
    int want;
    while ((want = ref_min(ref, POOL)) >= 0) {
        simq_event *ev = simq_pop(&q);
        assert_non_null(ev);
        if (id_of(ev) != want)
            fail_msg("drain: pop gave %d, reference %d", id_of(ev), want);
        ref[want].on = false;
        assert_verified(&q);
    }
    assert_null(simq_pop(&q));
    assert_verified(&q);
    simq_clear(&q);
}

static void test_random_against_reference(void **state)
{
    (void)state;
    fuzz(20240601, false);
}

static void test_random_wide_times_against_reference(void **state)
{
    (void)state;
    fuzz(20261121, true);
}

/* ---- misuse is caught ----------------------------------------------------- */

static void misuse_schedule_in_past(void)
{
    simq q;
    simq_init(&q);
    tev a, b;
    tev_init(&a, 1);
    tev_init(&b, 2);
    simq_schedule(&q, &a.ev, 100, 0);
    simq_pop(&q);                       /* floor is now 100 */
    simq_schedule(&q, &b.ev, 99, 0);    /* must abort */
}

static void misuse_reschedule_in_past(void)
{
    simq q;
    simq_init(&q);
    tev a, b;
    tev_init(&a, 1);
    tev_init(&b, 2);
    simq_schedule(&q, &a.ev, 100, 0);
    simq_schedule(&q, &b.ev, 200, 0);
    simq_pop(&q);
    simq_reschedule(&q, &b.ev, 99, 0);  /* must abort */
}

static void misuse_double_schedule(void)
{
    simq q;
    simq_init(&q);
    tev a;
    tev_init(&a, 1);
    simq_schedule(&q, &a.ev, 10, 0);
    simq_schedule(&q, &a.ev, 20, 0);    /* must abort */
}

static void misuse_deschedule_unscheduled(void)
{
    simq q;
    simq_init(&q);
    tev a, b;
    tev_init(&a, 1);
    tev_init(&b, 2);
    simq_schedule(&q, &a.ev, 10, 0);
    simq_deschedule(&q, &b.ev);         /* must abort */
}

static void misuse_priority_too_large(void)
{
    simq q;
    simq_init(&q);
    tev a;
    tev_init(&a, 1);
    simq_schedule(&q, &a.ev, 10, SIMQ_PRIO_MAX + 1);   /* must abort */
}

/* The same steps as misuse_schedule_in_past without the mistake: shows that
 * the child harness does not report an abort for a correct program. */
static void correct_use(void)
{
    simq q;
    simq_init(&q);
    tev a, b;
    tev_init(&a, 1);
    tev_init(&b, 2);
    simq_schedule(&q, &a.ev, 100, 0);
    simq_pop(&q);
    simq_schedule(&q, &b.ev, 100, SIMQ_PRIO_MAX);
    simq_clear(&q);
}

static void test_misuse_aborts(void **state)
{
    (void)state;
    ASSERT_EXITS_CLEANLY(correct_use);
    ASSERT_ABORTS(misuse_schedule_in_past);
    ASSERT_ABORTS(misuse_reschedule_in_past);
    ASSERT_ABORTS(misuse_double_schedule);
    ASSERT_ABORTS(misuse_deschedule_unscheduled);
    ASSERT_ABORTS(misuse_priority_too_large);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_queue),
        cmocka_unit_test(test_orders_by_time),
        cmocka_unit_test(test_ties_by_priority_then_fifo),
        cmocka_unit_test(test_fifo_among_many_equals),
        cmocka_unit_test(test_deschedule_head_middle_last),
        cmocka_unit_test(test_deschedule_only_event),
        cmocka_unit_test(test_reschedule_earlier_and_later),
        cmocka_unit_test(test_reschedule_goes_behind_equals),
        cmocka_unit_test(test_clear_unschedules_everything),
        cmocka_unit_test(test_schedule_at_floor_is_allowed),
        cmocka_unit_test(test_random_against_reference),
        cmocka_unit_test(test_random_wide_times_against_reference),
        cmocka_unit_test(test_misuse_aborts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
