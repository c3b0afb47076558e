/* tests/test_kernel_tcap.c: temporal capabilities (kernel/tcap.c): their
 * errors, preemption by their partial order, budget expiry and switch
 * timeouts on the core's timer (core.c).  The harness is
 * tests/kernel_body.h.
 */
#include "kernel_body.h"
#include "kernel/internal.h"

static void in_band_u64(const char *what, uint64_t v, uint64_t lo, uint64_t hi)
{
    if (v < lo || v > hi)
        fail_msg("%s = %" PRIu64 ", expected %" PRIu64 " .. %" PRIu64, what, v, lo, hi);
}

/* ---- 1. temporal capabilities: errors ---------------------------------------------- */

static void body_tcap_errors(ts *s)
{
    cos_capid ta = tcap(s), tb = tcap(s), tc = tcap(s);
    cos_capid ra = rcv(s, thread(s, E_EXIT), ta), rb = rcv(s, thread(s, E_EXIT), tb);
    cos_capid rn = rcv(s, thread(s, E_EXIT), 0);
    /* a new tcap has no budget: it can give none */
    EXPECT_ERR(s, cos_tcap_transfer(ta, rb, 0, 0), COS_EPERM);
    EXPECT_ERR(s, cos_tcap_transfer(COS_BOOT_TCAP(0), ra, 1000, 0), COS_OK);
    /* ta has 1,000: not 2,000; then exactly all of it; then nothing is left */
    EXPECT_ERR(s, cos_tcap_transfer(ta, rb, 2000, 0), COS_EINVAL);
    EXPECT_ERR(s, cos_tcap_transfer(ta, rb, 1000, 0), COS_OK);
    EXPECT_ERR(s, cos_tcap_transfer(ta, rb, 1, 0), COS_EINVAL);
    EXPECT_ERR(s, cos_tcap_transfer(tb, rn, 10, 0), COS_ENOENT);           /* rn has no tcap */
    EXPECT_ERR(s, cos_tcap_transfer(tb, rb, 10, 0), COS_EINVAL);           /* to itself */
    EXPECT_ERR(s, cos_tcap_transfer(tb, ra, 10, COS_PRIO_MIN + 1), COS_EINVAL);
    /* dispatching under a tcap with no budget */
    EXPECT_ERR(s, cos_switch(COS_BOOT_THD(0), ta, 0, 0, 0, 0), COS_EPERM);
    /* merge: ta is also held by ra; tc (no budget, one capability) goes */
    EXPECT_ERR(s, cos_tcap_merge(tb, COS_BOOT_CAPTBL, ta), COS_EBUSY);
    EXPECT_ERR(s, cos_tcap_merge(tb, COS_BOOT_CAPTBL, COS_BOOT_THD(0)), COS_ETYPE);
    EXPECT_ERR(s, cos_tcap_merge(tb, COS_BOOT_CAPTBL, tc), COS_OK);
    EXPECT_ERR(s, cos_tcap_transfer(tc, rb, 1, 0), COS_ENOENT);
    /* a thread without an rcv is no scheduler: it cannot own a tcap */
    s->page = kpage(s);
    s->spare = slot(s);
    EXPECT_ERR(s, cos_switch(thread(s, E_NO_RCV), 0, 0, 0, 0, 0), COS_OK);
    /* this one can, in the same page and slot */
    EXPECT_ERR(s, cos_tcap_alloc(COS_BOOT_KMEM, s->page, s->spare), COS_OK);
}

static void test_tcap_errors(void **state)
{
    ts s = { .body = body_tcap_errors };
    finish(run(&s), &s);
}


/* ---- 3. preemption by the tcaps' partial order ------------------------------------ *
 *
 * Sender S runs under tcap TS, receiver R waits on rcv RR whose tcap is TR;
 * both tcaps are allocated by the root scheduler (this thread, owner of
 * ROOT), so each has one delegation, {ROOT, priority}, and gets an infinite
 * budget from the root tcap.  The priority for ROOT is set by the switch
 * that first runs each thread under its tcap (a1).  S logs 'S', sends to
 * RR, logs 's' and ends; R logs 'R' each time it wakes and waits again.
 * This thread logs 'B' when its switch to S returns, then runs what is
 * left: S if it has not finished, R if it has not woken.
 *
 * k_tcap_higher(TR, TS): the one shared scheduler is ROOT; TR preempts
 * unless TR's priority number for it is larger than TS's, and never with a
 * zero budget.  When R then waits again, its scheduler (this thread) runs,
 * not S. */

static void body_preempt(ts *s)
{
    cos_capid st = thread(s, E_SENDER), rt = thread(s, E_RECEIVER);
    cos_capid tsnd = tcap(s), trcv = tcap(s);
    cos_capid rs = rcv(s, st, tsnd);
    s->rcv = rcv(s, rt, trcv);
    s->asnd = asnd(s, s->rcv);
    /* cycles 0 from an infinite budget: infinite */
    EXPECT_ERR(s, cos_tcap_transfer(COS_BOOT_TCAP(0), rs, 0, 0), COS_OK);
    EXPECT_ERR(s, cos_tcap_transfer(COS_BOOT_TCAP(0), s->rcv, s->zero_budget ? 1000000 : 0, s->xfer_prio), COS_OK);
    /* R runs under TR (its priority for ROOT set, unless the transfer was
     * to set it) and waits on RR */
    EXPECT_ERR(s, cos_switch(rt, trcv, s->xfer_prio ? 0 : s->prio_r, 0, 0, 0), COS_OK);
    EXPECT_EQ(s, s->nlog, 0);
    if (s->zero_budget)     /* what TR has left goes to TS: TR keeps its priority, not a cycle */
        EXPECT_ERR(s, cos_tcap_transfer(trcv, rs, 0, 0), COS_OK);
    EXPECT_ERR(s, cos_switch(st, tsnd, s->prio_s, 0, 0, 0), COS_OK);
    note(s, 'B');
    if (!s->s_done)
        EXPECT_ERR(s, cos_switch(st, 0, 0, 0, 0, 0), COS_OK);
    if (!s->r_wakes)
        EXPECT_ERR(s, cos_switch(rt, COS_BOOT_TCAP(0), 0, 0, 0, 0), COS_OK);
    EXPECT_EQ(s, s->r_wakes, 1);
}

static void preempt_case(uint32_t prio_r, uint32_t prio_s, bool zero_budget, uint32_t xfer_prio, const char *log)
{
    ts s = { .body = body_preempt, .prio_r = prio_r, .prio_s = prio_s, .zero_budget = zero_budget,
             .xfer_prio = xfer_prio };
    kfx *f = run(&s);
    assert_string_equal(s.log, log);
    finish(f, &s);
}

/* (a) TR = {ROOT, 5}, TS = {ROOT, 10}: 5 <= 10, R preempts S at the send:
 * S, R, then this thread (R waits again), which finishes S. */
static void test_preempt_higher(void **state)
{
    preempt_case(5, 10, false, 0, "SRBs");
}

/* (b) TR = {ROOT, 10}, TS = {ROOT, 5}: 10 > 5, S goes on and ends; its
 * scheduler runs ('B') and dispatches R, which takes the send. */
static void test_preempt_lower(void **state)
{
    preempt_case(10, 5, false, 0, "SsBR");
}

/* (c) TR = {ROOT, 7}, TS = {ROOT, 7}: equal priorities preempt. */
static void test_preempt_equal(void **state)
{
    preempt_case(7, 7, false, 0, "SRBs");
}

/* (d) TR = {ROOT, 1}, TS = {ROOT, 10}: by priority R would preempt, but TR
 * has no budget left (it gave it all to TS), and a tcap with none never
 * preempts: as (b). */
static void test_preempt_no_budget(void **state)
{
    preempt_case(1, 10, true, 0, "SsBR");
}

/* (e) As (a), but TR's priority comes from the transfer's a2 (5, "the
 * priority for src's scheduler", ROOT) instead of a switch: after the
 * lists merge, the delegating scheduler's entry is set to what it gives
 * (as Composite's delegate does), so TR = {ROOT, 5} outranks the sender's
 * {ROOT, 10} and R preempts. */
static void test_preempt_transfer_prio(void **state)
{
    preempt_case(0, 10, false, 5, "SRBs");
}

/* ---- 4. budget expiry and switch timeouts ------------------------------------------ */

static void body_expiry(ts *s)
{
    cos_capid w = thread(s, E_COMPUTE), tw = tcap(s), rw = rcv(s, w, tw);
    EXPECT_ERR(s, cos_tcap_transfer(COS_BOOT_TCAP(0), rw, 10000, 0), COS_OK);
    /* w computes 1,000,000 cycles under 10,000: the timer stops it and the
     * kernel runs TW's owner, this thread, whose switch returns */
    const k_path_stats *sw = k_get_path_stats(s->k, COS_OP_THD_SWITCH);
    uint64_t n0 = sw->n, c0 = sw->cycles;
    EXPECT_ERR(s, cos_switch(w, tw, 0, 0, 0, 0), COS_OK);
    uint64_t path = sw->cycles - c0;         /* the one switch path since: the one that dispatched w */
    EXPECT_EQ(s, sw->n - n0, 1);
    EXPECT_TRUE(s, !s->w_done);
    cos_ret r = cos_sched_rcv(ROOT, 0);     /* the event is there: no blocking */
    EXPECT_EQ(s, r.r[0], s->thd_id);
    EXPECT_EQ(s, r.r[1], COS_SCHED_EV_EXPIRED | COS_SCHED_EV_RUNNABLE);
    /* w computed the whole budget, 10,000 cycles: the timer is armed for
     * it from the end of the switch path that dispatched w, and the charge
     * runs from that path's start, so w and TW are charged the path too
     * (its cycles as the kernel's path record has them), all but the timer's
     * reprogramming, which the path pays after it has set the deadline
     * (the cost table's timer_program) */
    EXPECT_EQ(s, r.r[2], 10000 + path - hw_cost(s->k->h, MODEL_COST_TIMER_PROGRAM));
    /* more budget: w finishes its compute and exits */
    EXPECT_ERR(s, cos_tcap_transfer(COS_BOOT_TCAP(0), rw, 0, 0), COS_OK);
    EXPECT_ERR(s, cos_switch(w, 0, 0, 0, ROOT, r.r[3]), COS_OK);
    EXPECT_TRUE(s, s->w_done);
    r = cos_sched_rcv(ROOT, NB);
    EXPECT_EQ(s, r.r[1], COS_SCHED_EV_EXITED);
}

static void test_budget_expiry(void **state)
{
    ts s = { .body = body_expiry };
    kfx *f = run(&s);
    assert_int_equal(k_get_stats(f->k)->expiries, 1);
    finish(f, &s);
}

/* A touch stopped by the budget part way keeps the rest (model/stream.h):
 * w reads its page's 64 lines of 64 bytes while computing 100,000 cycles
 * (about 1,562 before each line) under 50,000 cycles of budget, so the
 * timer stops it with about half its lines made; the kernel keeps the
 * rest with the thread, and with more budget w goes on from there. */
static uint64_t touch_cycles;       /* what w ran, both parts */

static void body_touch_expiry(ts *s)
{
    bt_comp a = component(s);
    s->page = a.base;
    cos_capid w = 0;
    EXPECT_ERR(s, bt_thd(&s->b, &a, E_TOUCH, (cos_word)s, &w), COS_OK);
    cos_capid tw = tcap(s), rw = rcv(s, w, tw);
    EXPECT_ERR(s, cos_tcap_transfer(COS_BOOT_TCAP(0), rw, 50000, 0), COS_OK);
    EXPECT_ERR(s, cos_switch(w, tw, 0, 0, 0, 0), COS_OK);
    EXPECT_TRUE(s, !s->w_done);
    cos_ret r = cos_sched_rcv(ROOT, 0);
    EXPECT_EQ(s, r.r[1], COS_SCHED_EV_EXPIRED | COS_SCHED_EV_RUNNABLE);
    uint64_t first = r.r[2];
    /* what the kernel kept: a stream part way through the page */
    k_thread *t = g_ptr_array_index(s->k->threads, s->thd_id - 1);
    EXPECT_TRUE(s, t->streaming && t->stream.pos > 0 && t->stream.pos < COS_PAGE_SIZE);
    EXPECT_TRUE(s, t->stream.line * 64 == t->stream.pos);
    EXPECT_ERR(s, cos_tcap_transfer(COS_BOOT_TCAP(0), rw, 0, 0), COS_OK);
    EXPECT_ERR(s, cos_switch(w, 0, 0, 0, ROOT, r.r[3]), COS_OK);
    EXPECT_TRUE(s, s->w_done);
    r = cos_sched_rcv(ROOT, NB);
    EXPECT_EQ(s, r.r[1], COS_SCHED_EV_EXITED);
    touch_cycles = first + r.r[2];
}

static void test_budget_expiry_in_touch(void **state)
{
    ts s = { .body = body_touch_expiry };
    kfx *f = run(&s);
    assert_int_equal(k_get_stats(f->k)->expiries, 1);
    /* w's two parts: its 100,000 cycles of work, its 64 lines (each at
     * least an L1 hit, 4 cycles; at most a miss to memory: 44 + 51 ns at
     * 3.2 GHz = 207 cycles, with a walk of 4 more such reads for the page)
     * and the kernel paths charged to it (the expiry test above: under
     * 2,000 cycles each, three of them) */
    in_band_u64("w's cycles", touch_cycles, 100000 + 64 * 4, 100000 + 68 * 207 + 6000);
    finish(f, &s);
}

static void body_timeout(ts *s)
{
    cos_capid w = thread(s, E_COMPUTE);
    cos_ret r = cos_sched_rcv(ROOT, NB);
    uint64_t t0 = cos_cycles();
    /* w computes 1,000,000 cycles under this thread's tcap; the timeout at
     * t0 + 50,000 is an event to ROOT about this thread itself, whose tcap
     * (the same one) preempts w */
    EXPECT_ERR(s, cos_switch(w, 0, 0, t0 + 50000, ROOT, r.r[3]), COS_OK);
    EXPECT_TRUE(s, cos_cycles() >= t0 + 50000);
    EXPECT_TRUE(s, !s->w_done);
    r = cos_sched_rcv(ROOT, NB);
    EXPECT_EQ(s, r.r[0], s->boot_id);
    EXPECT_EQ(s, r.r[1], COS_SCHED_EV_TIMEOUT | COS_SCHED_EV_RUNNABLE);
}

static void test_switch_timeout(void **state)
{
    ts s = { .body = body_timeout };
    kfx *f = run(&s);
    assert_int_equal(k_get_stats(f->k)->timeouts, 1);
    finish(f, &s);
}


int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tcap_errors),
        cmocka_unit_test(test_preempt_higher),
        cmocka_unit_test(test_preempt_lower),
        cmocka_unit_test(test_preempt_equal),
        cmocka_unit_test(test_preempt_no_budget),
        cmocka_unit_test(test_preempt_transfer_prio),
        cmocka_unit_test(test_budget_expiry),
        cmocka_unit_test(test_budget_expiry_in_touch),
        cmocka_unit_test(test_switch_timeout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
