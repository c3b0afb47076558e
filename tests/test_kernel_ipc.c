/* tests/test_kernel_ipc.c: invocation (kernel/inv.c), asynchronous
 * endpoints (asnd.c, rcv.c) and scheduling events and tokens (thd.c), as
 * user level sees them.  The harness is tests/kernel_body.h.
 */
#include "kernel_body.h"

/* ---- 2. invocation: value, caller, copies, removal -------------------------------- */

static void body_sinv(ts *s)
{
    bt_comp sv = component(s);
    cos_capid inv = sinv(s, sv.comp, E_ADD), copy = slot(s);
    /* the server returns a1 + a2 + a3 */
    cos_ret r = cos_sinv(inv, (cos_word)s, 20, 20, 2);
    EXPECT_ERR(s, r.err, COS_OK);
    EXPECT_EQ(s, r.r[0], 42);
    /* thread migration: the server runs on the caller's thread, and is told so */
    EXPECT_EQ(s, s->seen_caller, s->boot_id);
    EXPECT_EQ(s, s->seen_self, s->boot_id);
    /* a copy invokes the same server; it outlives the original */
    EXPECT_ERR(s, cos_cap_copy(COS_BOOT_CAPTBL, copy, inv), COS_OK);
    EXPECT_EQ(s, cos_sinv(copy, (cos_word)s, 1, 2, 3).r[0], 6);
    EXPECT_ERR(s, cos_cap_remove(COS_BOOT_CAPTBL, inv), COS_OK);
    EXPECT_ERR(s, cos_sinv(inv, (cos_word)s, 0, 0, 0).err, COS_ENOENT);
    r = cos_sinv(copy, (cos_word)s, 5, 0, 0);
    EXPECT_ERR(s, r.err, COS_OK);
    EXPECT_EQ(s, r.r[0], 5);
}

static void test_sinv(void **state)
{
    ts s = { .body = body_sinv };
    kfx *f = run(&s);
    /* three invocations went through, and each returned */
    assert_int_equal(k_get_stats(f->k)->invocations, 3);
    assert_int_equal(k_get_stats(f->k)->returns, 3);
    finish(f, &s);
}

static void body_sinv_depth(ts *s)
{
    bt_comp sv = component(s);
    cos_capid self = 0;
    EXPECT_ERR(s, bt_sinv(&s->b, &sv, &sv, E_RECURSE, &self), COS_OK);
    EXPECT_EQ(s, self, 1);          /* the server's first slot, as e_recurse expects */
    cos_capid inv = sinv(s, sv.comp, E_RECURSE);
    /* the boot thread starts at depth 0; invocation n takes it to depth n
     * and runs level n.  Invocation 17 finds the stack full (depth 16 =
     * COS_INV_DEPTH): level 16 sees EDEPTH and every level returns 16 */
    cos_ret r = cos_sinv(inv, (cos_word)s, 1, 0, 0);
    EXPECT_ERR(s, r.err, COS_OK);
    EXPECT_EQ(s, r.r[0], COS_INV_DEPTH);
    EXPECT_EQ(s, s->level_max, COS_INV_DEPTH);
    EXPECT_EQ(s, s->fail_level, COS_INV_DEPTH);
    EXPECT_ERR(s, s->depth_err, COS_EDEPTH);
    /* the stack unwound completely: the same again */
    s->level_max = 0;
    r = cos_sinv(inv, (cos_word)s, 1, 0, 0);
    EXPECT_EQ(s, r.r[0], COS_INV_DEPTH);
    EXPECT_EQ(s, s->level_max, COS_INV_DEPTH);
}

static void test_sinv_depth(void **state)
{
    ts s = { .body = body_sinv_depth };
    kfx *f = run(&s);
    /* 2 x 16 invocations, each returned; the errors: the two EDEPTH and
     * bt_init's probe (a 1-page page table, refused on an MMU machine) */
    assert_int_equal(k_get_stats(f->k)->invocations, 2 * COS_INV_DEPTH);
    assert_int_equal(k_get_stats(f->k)->returns, 2 * COS_INV_DEPTH);
    assert_int_equal(k_get_stats(f->k)->errors, 3);
    finish(f, &s);
}


/* ---- 2. asynchronous endpoints and scheduling events ------------------------------ */

static void body_asnd_rcv(ts *s)
{
    cos_capid t = thread(s, E_RCVR);
    s->rcv = rcv(s, t, 0);
    s->asnd = asnd(s, s->rcv);
    /* t owns the rcv, not this thread */
    EXPECT_ERR(s, cos_rcv(s->rcv, NB).err, COS_EPERM);
    EXPECT_ERR(s, cos_sched_rcv(s->rcv, NB).err, COS_EPERM);
    EXPECT_ERR(s, cos_asnd_rcv(s->asnd, s->rcv).err, COS_EPERM);
    /* t has not run (runnable, not waiting): three sends just count */
    for (int i = 0; i < 3; i++)
        EXPECT_ERR(s, cos_asnd(s->asnd, false), COS_OK);
    /* t takes the three, then blocks; its scheduler (this thread) runs */
    EXPECT_ERR(s, cos_switch(t, 0, 0, 0, 0, 0), COS_OK);
    /* the first event ever on ROOT (token 1): t blocked, having run */
    cos_ret r = cos_sched_rcv(ROOT, NB);
    EXPECT_EQ(s, r.r[0], s->thd_id);
    EXPECT_EQ(s, r.r[1], COS_SCHED_EV_BLOCKED);
    EXPECT_TRUE(s, r.r[2] > 0);
    EXPECT_EQ(s, r.r[3], 1);
    r = cos_sched_rcv(ROOT, NB);
    EXPECT_EQ(s, r.r[0], 0);        /* nothing more; non-blocking returns */
    EXPECT_EQ(s, r.r[3], 1);
    /* a send wakes t; it runs under the activating tcap, this thread's own
     * (t has none): equal to the running one, so it preempts, runs to its
     * end ('W') before this thread's next statement */
    note(s, 'b');
    EXPECT_ERR(s, cos_asnd(s->asnd, false), COS_OK);
    note(s, 'a');
    /* woken (token 2), then exited (token 3): one entry, both flags */
    r = cos_sched_rcv(ROOT, NB);
    EXPECT_EQ(s, r.r[0], s->thd_id);
    EXPECT_EQ(s, r.r[1], COS_SCHED_EV_WOKEN | COS_SCHED_EV_EXITED);
    EXPECT_EQ(s, r.r[3], 3);
}

static void test_asnd_rcv(void **state)
{
    ts s = { .body = body_asnd_rcv };
    kfx *f = run(&s);
    assert_string_equal(s.log, "TbWa");
    assert_int_equal(k_get_stats(f->k)->sends, 4);   /* the three counted, the one that woke t */
    finish(f, &s);
}

static void body_sched_token(ts *s)
{
    cos_capid t1 = thread(s, E_BLOCK), t2 = thread(s, E_EXIT);
    s->rcv = rcv(s, t1, 0);
    cos_ret r = cos_sched_rcv(ROOT, NB);
    EXPECT_EQ(s, r.r[0], 0);
    uint64_t tok0 = r.r[3];
    EXPECT_EQ(s, tok0, 0);          /* no event yet */
    /* the right token: t1 runs, and blocks on its rcv (event: token 1) */
    EXPECT_ERR(s, cos_switch(t1, 0, 0, 0, ROOT, tok0), COS_OK);
    EXPECT_ERR(s, cos_switch(t2, 0, 0, 0, ROOT, tok0), COS_ESTALE);
    EXPECT_ERR(s, cos_switch(t1, 0, 0, 0, 0, 0), COS_EBUSY);                /* blocked */
    EXPECT_ERR(s, cos_switch(t2, 0, 0, 5000, 0, 0), COS_EINVAL);            /* timeout, no rcv */
    EXPECT_ERR(s, cos_switch(t2, 0, COS_PRIO_MIN + 1, 0, 0, 0), COS_EINVAL);
    EXPECT_ERR(s, cos_switch(t2, COS_BOOT_THD(0), 0, 0, 0, 0), COS_ETYPE);  /* not a tcap */
    EXPECT_ERR(s, cos_switch(t2, 0, 0, 0, s->rcv, 0), COS_EPERM);           /* t1's rcv */
    /* re-read: the event, and the token that goes with it */
    r = cos_sched_rcv(ROOT, NB);
    EXPECT_EQ(s, r.r[0], s->thd_id);
    EXPECT_EQ(s, r.r[1], COS_SCHED_EV_BLOCKED);
    EXPECT_EQ(s, r.r[3], 1);
    EXPECT_ERR(s, cos_switch(t2, 0, 0, 0, ROOT, r.r[3]), COS_OK);
    /* t2 returned: it never runs again */
    EXPECT_ERR(s, cos_switch(t2, 0, 0, 0, 0, 0), COS_EINVAL);
    r = cos_sched_rcv(ROOT, NB);
    EXPECT_EQ(s, r.r[0], s->thd_id);  /* t2's, set when it ran */
    EXPECT_EQ(s, r.r[1], COS_SCHED_EV_EXITED);
    EXPECT_EQ(s, r.r[3], 2);
}

static void test_sched_token(void **state)
{
    ts s = { .body = body_sched_token };
    finish(run(&s), &s);
}


int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sinv),
        cmocka_unit_test(test_sinv_depth),
        cmocka_unit_test(test_asnd_rcv),
        cmocka_unit_test(test_sched_token),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
