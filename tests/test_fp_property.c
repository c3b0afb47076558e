/* tests/test_fp_property.c: property tests of the fixed-priority analysis
 * (analysis/fp.h) against an independent discrete-time simulator written
 * here: the simulated worst case of the release pattern the analysis
 * assumes must equal its result exactly, no random sporadic release pattern
 * may beat it, and Audsley's assignment must succeed exactly when some
 * priority order passes the test.  The hand-worked examples are in
 * test_fp.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdbool.h>
#include <string.h>
#include <glib.h>

#include "analysis/fp.h"
#include "fp_util.h"

/* ---- an independent discrete-time simulator ------------------------------ */

/* One job: arrives at `arrival` (its response is measured from there), may
 * start at `release`, needs `exec` units. */
typedef struct sim_job {
    int64_t arrival, release, exec, finish;
} sim_job;

/* Jobs that run one after the other in the order given (a task's jobs, or
 * an interrupt source), at one fixed priority (smaller = higher). */
typedef struct sim_chain {
    int prio;
    GArray *jobs;     /* sim_job */
    guint next;       /* first unfinished job */
    int64_t left;     /* what jobs[next] still needs */
} sim_chain;

static void chain_init(sim_chain *c, int prio)
{
    c->prio = prio;
    c->jobs = g_array_new(FALSE, TRUE, sizeof(sim_job));
    c->next = 0;
    c->left = -1;
}

static void chain_add(sim_chain *c, int64_t arrival, int64_t release, int64_t exec)
{
    sim_job j = { arrival, release, exec, -1 };
    g_array_append_val(c->jobs, j);
}

static int job_release_cmp(gconstpointer a, gconstpointer b)
{
    const sim_job *x = a, *y = b;
    return (x->release > y->release) - (x->release < y->release);
}

/* Preemptive fixed priority, one unit of time per step: run the highest
 * priority chain (lowest index among equals) whose next job is released,
 * until every job is done. */
static void sim_run(sim_chain *c, int nc)
{
    int64_t now = INT64_MAX;
    for (int k = 0; k < nc; k++)
        if (c[k].jobs->len > 0)
            now = MIN(now, g_array_index(c[k].jobs, sim_job, 0).release);
    for (;;) {
        int best = -1;
        int64_t wake = INT64_MAX;
        for (int k = 0; k < nc; k++) {
            if (c[k].next >= c[k].jobs->len)
                continue;
            sim_job *j = &g_array_index(c[k].jobs, sim_job, c[k].next);
            if (j->release > now) {
                wake = MIN(wake, j->release);
                continue;
            }
            if (best < 0 || c[k].prio < c[best].prio)
                best = k;
        }
        if (best < 0) {
            if (wake == INT64_MAX)
                return;
            now = wake;
            continue;
        }
        sim_chain *b = &c[best];
        sim_job *j = &g_array_index(b->jobs, sim_job, b->next);
        if (b->left < 0)
            b->left = j->exec;
        b->left--;
        now++;
        if (b->left == 0) {
            j->finish = now;
            b->next++;
            b->left = -1;
        }
    }
}

static int64_t chain_worst_response(const sim_chain *c)
{
    int64_t worst = 0;
    for (guint k = 0; k < c->jobs->len; k++) {
        const sim_job *j = &g_array_index(c->jobs, sim_job, k);
        assert_true(j->finish >= 0);
        worst = MAX(worst, j->finish - j->arrival);
    }
    return worst;
}

static void chains_free(sim_chain *c, int nc)
{
    for (int k = 0; k < nc; k++)
        g_array_free(c[k].jobs, TRUE);
}

enum { SIM_MAX_CHAINS = 16 };

/* The release pattern the analysis of task i assumes, simulated: at time 0
 * a lower-priority job starts a B_i-long non-preemptible section (a
 * top-priority chain), every task in hp(i) and i itself releases a job that
 * arrived J earlier (so job q arrives at q T - J and is released at
 * max(0, q T - J)), and, with overheads, every release of every task is an
 * irq-long top-priority interrupt.  Jobs of i and hp(i) take C + 2
 * ctx_switch + sched + invocation.  Equal-priority tasks run before i.
 * Releases stop at `horizon`.  Returns the worst response of i's jobs. */
static int64_t sim_critical(const an_taskset *ts, const an_overheads *oh, size_t i, int64_t horizon)
{
    sim_chain c[SIM_MAX_CHAINS];
    int nc = 0;
    int64_t extra = 0, irq = 0;
    if (oh) {
        extra = (int64_t)(2 * oh->ctx_switch + oh->sched + oh->invocation);
        irq = (int64_t)oh->irq;
    }
    int mine = -1;
    for (size_t k = 0; k < ts->n; k++) {
        const an_task *t = &ts->t[k];
        if (k != i && t->priority > ts->t[i].priority)
            continue;
        assert_true(nc < SIM_MAX_CHAINS - 2);
        if (k == i)
            mine = nc;
        chain_init(&c[nc], k == i ? 2 * t->priority + 1 : 2 * t->priority);
        for (int64_t a = -(int64_t)t->jitter; a < horizon; a += (int64_t)t->period)
            chain_add(&c[nc], a, MAX(a, 0), (int64_t)t->wcet + extra);
        nc++;
    }
    if (ts->t[i].blocking > 0) {
        chain_init(&c[nc], -2);
        chain_add(&c[nc], 0, 0, (int64_t)ts->t[i].blocking);
        nc++;
    }
    if (irq > 0) {
        chain_init(&c[nc], -1);
        for (size_t k = 0; k < ts->n; k++) {
            const an_task *t = &ts->t[k];
            for (int64_t a = -(int64_t)t->jitter; a < horizon; a += (int64_t)t->period)
                chain_add(&c[nc], a, MAX(a, 0), irq);
        }
        g_array_sort(c[nc].jobs, job_release_cmp);
        nc++;
    }
    sim_run(c, nc);
    int64_t worst = chain_worst_response(&c[mine]);
    chains_free(c, nc);
    return worst;
}

/* ---- random task sets ------------------------------------------------------ */

/* splitmix64 (Steele, Lea and Flood, OOPSLA 2014): a seeded stream local
 * to this test. */
static uint64_t rnd_next(uint64_t *s)
{
    uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* Uniform in [lo, hi] (the tiny modulo bias does not matter here). */
static uint64_t rnd_range(uint64_t *s, uint64_t lo, uint64_t hi)
{
    return lo + rnd_next(s) % (hi - lo + 1);
}

/* Periods whose lcm is 120: every hyperperiod below is at most 120. */
static const uint64_t periods[] = { 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 24, 30 };
enum { HYPER = 120, MAX_N = 5 };

/* sum (C + extra + irq) / T <= 1, exactly, over the common multiple 120. */
static bool fits(const an_task *t, size_t n, uint64_t extra, uint64_t irq)
{
    uint64_t sum = 0;
    for (size_t k = 0; k < n; k++)
        sum += (t[k].wcet + extra + irq) * (HYPER / t[k].period);
    return sum <= HYPER;
}

/* A random set of 2..MAX_N tasks with U <= 1 (with its overheads): half of
 * the deadlines constrained, half up to 3 T; jitter (up to 1.5 T) and
 * blocking (1..3) on about half the tasks; priorities a random permutation.
 * Overheads of 0 or 1 each on a third of the sets, if they still fit. */
static size_t random_set(uint64_t *s, an_task *t, an_overheads *oh)
{
    size_t n;
    do {
        n = (size_t)rnd_range(s, 2, MAX_N);
        for (size_t k = 0; k < n; k++) {
            uint64_t T = periods[rnd_next(s) % G_N_ELEMENTS(periods)];
            uint64_t C = rnd_range(s, 1, MAX(1, T / 2));
            uint64_t D = rnd_next(s) % 2 ? rnd_range(s, C, T) : rnd_range(s, T + 1, 3 * T);
            uint64_t J = rnd_next(s) % 2 ? rnd_range(s, 0, T + T / 2) : 0;
            uint64_t B = rnd_next(s) % 2 ? rnd_range(s, 1, 3) : 0;
            t[k] = (an_task)TASK(C, T, D, J, B, (int)k);
        }
    } while (!fits(t, n, 0, 0));
    for (size_t k = n; k-- > 1;) {          /* Fisher-Yates on the priorities */
        size_t x = (size_t)(rnd_next(s) % (k + 1));
        int p = t[k].priority;
        t[k].priority = t[x].priority;
        t[x].priority = p;
    }
    *oh = (an_overheads){ 0 };
    if (rnd_next(s) % 3 == 0) {
        an_overheads o = { rnd_next(s) % 2, rnd_next(s) % 2, rnd_next(s) % 2, rnd_next(s) % 2 };
        if (fits(t, n, 2 * o.ctx_switch + o.sched + o.invocation, o.irq))
            *oh = o;
    }
    return n;
}

enum { N_SETS = 1000 };

static void test_property_critical_pattern_matches_simulation(void **state)
{
    (void)state;
    /* For each task of 1000 random sets (seed 1), simulate the release
     * pattern the analysis assumes for it (sim_critical), with jitter,
     * blocking, arbitrary deadlines and overheads, long enough to cover
     * the busy period (U <= 1, hyperperiod <= 120).  A schedulable verdict
     * must give exactly the simulated worst response; an unschedulable one
     * a value that the simulation reaches and that is above D. */
    uint64_t seed = 1;
    int sched = 0, unsched = 0, multi_job = 0;
    for (int set = 0; set < N_SETS; set++) {
        an_task t[MAX_N];
        an_overheads oh;
        size_t n = random_set(&seed, t, &oh);
        an_taskset ts = { t, n };
        an_result out[MAX_N];
        an_fp_rta(&ts, &oh, out);
        for (size_t i = 0; i < n; i++) {
            int64_t horizon = 4 * HYPER + 4 * (int64_t)(t[i].deadline + t[i].jitter) + 200;
            int64_t sim = sim_critical(&ts, &oh, i, horizon);
            assert_true(out[i].wcrt != UINT64_MAX);
            if (out[i].schedulable) {
                if ((int64_t)out[i].wcrt != sim)
                    fail_msg("set %d task %zu: analysis %" PRIu64 ", simulation %" PRId64,
                             set, i, out[i].wcrt, sim);
                sched++;
                multi_job += out[i].wcrt > t[i].period + t[i].jitter;   /* w(0) > T */
            } else {
                if (!(sim > (int64_t)t[i].deadline && sim >= (int64_t)out[i].wcrt))
                    fail_msg("set %d task %zu: analysis says %" PRIu64 " > D = %" PRIu64
                             ", simulation %" PRId64, set, i, out[i].wcrt, t[i].deadline, sim);
                unsched++;
            }
        }
    }
    /* Not vacuous: both verdicts, and busy periods of several jobs. */
    print_message("critical pattern: %d schedulable, %d unschedulable, %d with several jobs\n",
                  sched, unsched, multi_job);
    assert_true(sched > 500 && unsched > 500 && multi_job > 100);
}

static void test_property_synchronous_release_hyperperiod(void **state)
{
    (void)state;
    /* The classic check: J = 0, B = 0, no overheads, all tasks
     * released together at 0 and strictly periodically for two hyperperiods
     * (the synchronous release is the critical instant here, for D > T too:
     * Lehoczky 1990), one simulation for the whole set.  Each task's
     * simulated worst response equals the analysis when schedulable, and
     * exceeds D when not. */
    uint64_t seed = 2;
    int compared = 0;
    for (int set = 0; set < N_SETS; set++) {
        an_task t[MAX_N];
        an_overheads oh;
        size_t n = random_set(&seed, t, &oh);
        for (size_t k = 0; k < n; k++)
            t[k].jitter = t[k].blocking = 0;
        an_taskset ts = { t, n };
        an_result out[MAX_N];
        an_fp_rta(&ts, NULL, out);
        sim_chain c[MAX_N];
        for (size_t k = 0; k < n; k++) {
            chain_init(&c[k], t[k].priority);
            for (int64_t a = 0; a < 2 * HYPER; a += (int64_t)t[k].period)
                chain_add(&c[k], a, a, (int64_t)t[k].wcet);
        }
        sim_run(c, (int)n);
        for (size_t k = 0; k < n; k++) {
            int64_t sim = chain_worst_response(&c[k]);
            if (out[k].schedulable ? (int64_t)out[k].wcrt != sim
                                   : !(sim > (int64_t)t[k].deadline && sim >= (int64_t)out[k].wcrt))
                fail_msg("set %d task %zu: analysis %s %" PRIu64 ", simulation %" PRId64, set, k,
                         out[k].schedulable ? "schedulable" : "unschedulable", out[k].wcrt, sim);
            compared++;
        }
        chains_free(c, (int)n);
    }
    assert_true(compared > 2 * N_SETS);
}

static void test_property_random_releases_never_beat_the_bound(void **state)
{
    (void)state;
    /* Soundness against patterns the analysis does not construct: for each
     * random set, five runs with random first arrivals, random extra gaps
     * between arrivals (sporadic) and random release delays in [0, J] (the
     * extremes half the time), blocking not simulated.  No job of a task
     * the analysis finds schedulable may take longer than its bound. */
    uint64_t seed = 3;
    int jobs = 0, tight = 0;
    for (int set = 0; set < N_SETS; set++) {
        an_task t[MAX_N];
        an_overheads oh;
        size_t n = random_set(&seed, t, &oh);
        an_taskset ts = { t, n };
        an_result out[MAX_N];
        an_fp_rta(&ts, NULL, out);
        for (int run = 0; run < 5; run++) {
            sim_chain c[MAX_N];
            for (size_t k = 0; k < n; k++) {
                const an_task *tk = &t[k];
                chain_init(&c[k], tk->priority);
                int64_t a = (int64_t)(rnd_next(&seed) % tk->period);
                while (a < 4 * HYPER) {
                    uint64_t x = rnd_next(&seed) % 4;
                    int64_t delay = x == 0 ? 0 : x == 1 ? (int64_t)tk->jitter
                                  : (int64_t)rnd_range(&seed, 0, tk->jitter);
                    chain_add(&c[k], a, a + delay, (int64_t)tk->wcet);
                    a += (int64_t)tk->period;
                    if (rnd_next(&seed) % 4 == 0)
                        a += (int64_t)rnd_range(&seed, 1, tk->period);
                }
            }
            sim_run(c, (int)n);
            for (size_t k = 0; k < n; k++) {
                if (!out[k].schedulable)
                    continue;
                int64_t sim = chain_worst_response(&c[k]);
                if (sim > (int64_t)out[k].wcrt)
                    fail_msg("set %d run %d task %zu: simulated %" PRId64 " beats the bound %" PRIu64,
                             set, run, k, sim, out[k].wcrt);
                jobs += (int)c[k].jobs->len;
                tight += sim == (int64_t)out[k].wcrt;
            }
            chains_free(c, (int)n);
        }
    }
    print_message("random releases: %d jobs checked, bound reached in %d task runs\n", jobs, tight);
    assert_true(jobs > 100000);
}

/* All orders of priorities for t[0..n-1]: does any pass the analysis? */
static bool some_order_works(an_task *t, size_t n, const an_overheads *oh)
{
    int perm[MAX_N];
    for (size_t k = 0; k < n; k++)
        perm[k] = (int)k;
    an_taskset ts = { t, n };
    an_result out[MAX_N];
    for (;;) {
        for (size_t k = 0; k < n; k++)
            t[k].priority = perm[k];
        if (an_fp_rta(&ts, oh, out))
            return true;
        /* next permutation, lexicographic */
        size_t a = n - 1;
        while (a > 0 && perm[a - 1] >= perm[a])
            a--;
        if (a == 0)
            return false;
        size_t b = n - 1;
        while (perm[b] <= perm[a - 1])
            b--;
        int x = perm[a - 1];
        perm[a - 1] = perm[b];
        perm[b] = x;
        for (size_t l = a, r = n - 1; l < r; l++, r--) {
            x = perm[l];
            perm[l] = perm[r];
            perm[r] = x;
        }
    }
}

static void test_property_audsley_optimal(void **state)
{
    (void)state;
    /* For 1000 random sets (with jitter, blocking, D > T and overheads):
     * Audsley's assignment succeeds exactly when one of the n! orders
     * passes the analysis, and its order passes; DM never succeeds where
     * it fails. */
    uint64_t seed = 4;
    int feasible = 0, dm_missed = 0;
    for (int set = 0; set < N_SETS; set++) {
        an_task t[MAX_N];
        an_overheads oh;
        size_t n = random_set(&seed, t, &oh);
        an_task copy[MAX_N];
        memcpy(copy, t, n * sizeof *t);
        bool exists = some_order_works(copy, n, &oh);
        an_taskset ts = { t, n };
        an_result out[MAX_N];
        bool opa = an_fp_assign_audsley(&ts, &oh);
        if (opa != exists)
            fail_msg("set %d: Audsley %s, exhaustive search %s", set, opa ? "found" : "failed",
                     exists ? "found" : "failed");
        if (opa) {
            assert_true(an_fp_rta(&ts, &oh, out));
            feasible++;
        }
        an_fp_assign_dm(&ts);
        bool dm = an_fp_rta(&ts, &oh, out);
        assert_true(!dm || opa);
        dm_missed += opa && !dm;
    }
    print_message("Audsley: %d of %d sets feasible, %d of them missed by DM\n", feasible, N_SETS,
                  dm_missed);
    assert_true(feasible > 100 && dm_missed > 0);
}

static void test_property_critical_pattern_example(void **state)
{
    (void)state;
    /* The simulator on the hand examples: Lehoczky's fifth job (118) and
     * the never-ending busy period (3). */
    an_task t[] = { TASK(26, 70, 70, 0, 0, 0), TASK(62, 100, 120, 0, 0, 1) };
    an_taskset ts = TS(t);
    assert_int_equal(sim_critical(&ts, NULL, 1, 1400), 118);
    an_task u[] = { TASK(1, 2, 2, 1, 0, 0), TASK(1, 2, 10, 0, 0, 1) };
    an_taskset us = TS(u);
    assert_int_equal(sim_critical(&us, NULL, 1, 1000), 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_property_critical_pattern_example),
        cmocka_unit_test(test_property_critical_pattern_matches_simulation),
        cmocka_unit_test(test_property_synchronous_release_hyperperiod),
        cmocka_unit_test(test_property_random_releases_never_beat_the_bound),
        cmocka_unit_test(test_property_audsley_optimal),
    };
    return cmocka_run_group_tests_name("fp_property", tests, NULL, NULL);
}
