/* tests/test_kernel_sched.c: the kernel with a user-level scheduler,
 * device interrupts and cross-core sends, end to end on the x86_64 preset
 * (3.2 GHz: 3,200 cycles per microsecond).
 *
 * 1. Fixed priority with an interrupt thread.  The root scheduler runs
 *    components/sched_fp.c over two threads of one component: H (priority
 *    1, under tcap TH) waits on an endpoint bound to a device line that
 *    fires every 100 us from 50 us, and computes 10,000 cycles per
 *    interrupt, from 500 us (the booter is done by then: about 100 us);
 *    L (priority 5, under TL) computes 3 x 1,000,000 cycles and exits.
 *    Every interrupt must preempt L at once (TH outranks TL for the root
 *    scheduler, the only one they share), so:
 *    - each H activation starts within a few kernel paths of its interrupt
 *      (< 2 us: an interrupt path, a switch, no waiting for L) and its
 *      10,000 cycles run without a break;
 *    - L starts when the booter has made everything (time B, about 100
 *      us) and finishes after its own 3,000,000 cycles (937.5 us) plus H's
 *      work for the interrupts before then (500 .. 1000 us: 6 x 3.125 =
 *      18.75 us) plus kernel paths: between B + 956.25 us and B + 990 us;
 *    - every raise is taken and served (none coalesced).
 * 2. A send to another core: the core-0 booter sends to an endpoint whose
 *    thread runs on core 1; the kernel puts it on core 1's ring and sends
 *    an IPI, so the receiver wakes after the preset's IPI latency (500 ns)
 *    and not before.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include "kernel_fixture.h"
#include "components/lib/booter.h"
#include "components/implementation/sched/fprr/fprr.h"

#define MHZ 3200u                 /* x86_64 preset: 3.2 GHz */
#define LINE 0x40u                /* a LAPIC vector for the device */
#define MAXLOG 64u

typedef struct st {
    uint64_t err;                 /* first error: code << 16 | line */
    uint64_t h_start[MAXLOG], h_end[MAXLOG];
    unsigned h_n;
    uint64_t l_done, sched_start;
    bool sched_done;
    /* cross-core */
    cos_capid remote_rcv;         /* published by core 1's booter (0 until then) */
    uint64_t sent_at, woke_at;
    unsigned woke_core;
} st;

static st *S;

#define CHECK(x) do { cos_err e_ = (x); if (e_ && !S->err) S->err = (uint64_t)e_ << 16 | __LINE__; if (e_) return 0; } while (0)

static cos_word h_thread(cos_thdid caller, cos_word a0, cos_word a1, cos_word a2, cos_word a3)
{
    (void)caller, (void)a0, (void)a1, (void)a2, (void)a3;
    for (;;) {
        if (cos_rcv(1, 0).err)
            return 0;
        if (S->h_n < MAXLOG)
            S->h_start[S->h_n] = cos_cycles();
        cos_compute(10000);
        if (S->h_n < MAXLOG)
            S->h_end[S->h_n] = cos_cycles();
        S->h_n++;
    }
}

static cos_word l_thread(cos_thdid caller, cos_word a0, cos_word a1, cos_word a2, cos_word a3)
{
    (void)caller, (void)a0, (void)a1, (void)a2, (void)a3;
    for (int i = 0; i < 3; i++) {
        cos_compute(1000000);
    }
    S->l_done = cos_cycles();
    return 0;
}

static cos_word boot_fp(cos_thdid caller, cos_word core, cos_word a1, cos_word a2, cos_word a3)
{
    (void)caller, (void)a1, (void)a2, (void)a3;
    if (core != 0)
        return 0;
    bt b;
    bt_comp w;
    cos_capid h, l, th, tl, rh, rl, s;
    cos_thdid hid, lid;
    CHECK(bt_init(&b));
    CHECK(bt_comp_new(&b, 0, 1, &w));
    CHECK(bt_thd_id(&b, &w, 1, 0, &h, &hid));
    CHECK(bt_thd_id(&b, &w, 2, 0, &l, &lid));
    CHECK(bt_tcap(&b, &th));
    CHECK(bt_tcap(&b, &tl));
    CHECK(bt_rcv(&b, h, th, COS_BOOT_RCV(0), &rh));
    CHECK(bt_rcv(&b, l, tl, COS_BOOT_RCV(0), &rl));
    CHECK(bt_give(&b, &w, rh, &s));
    CHECK(s == 1 ? COS_OK : COS_EINVAL);
    /* budgets: all of the root's (infinite), at priorities 1 and 5 for the root scheduler */
    CHECK(cos_tcap_transfer(COS_BOOT_TCAP(0), rh, 0, 1));
    CHECK(cos_tcap_transfer(COS_BOOT_TCAP(0), rl, 0, 5));
    CHECK(cos_hw_attach(COS_BOOT_HW, LINE, rh));
    fp_sched fp;
    fp_init(&fp, COS_BOOT_RCV(0));
    S->sched_start = cos_cycles();
    CHECK(fp_add(&fp, h, hid, 1, th));
    CHECK(fp_add(&fp, l, lid, 5, tl));
    CHECK(fp_run(&fp, UINT64_C(2000) * MHZ));   /* until 2 ms */
    S->sched_done = true;
    return 0;
}

static const cos_entry_fn fp_entries[] = { boot_fp, h_thread, l_thread };
static const cos_image fp_image = { "fp-test", fp_entries, 3 };
static const cos_image *const fp_images[] = { &fp_image };

static void test_fp_with_interrupt_thread(void **state)
{
    (void)state;
    st s = { 0 };
    S = &s;
    kfx *f = kfx_new_mem("x86_64", UINT64_C(16) << 20, fp_images, 1, 0, 0, true);
    GError *err = NULL;
    hwirq_source *dev = hwirq_source_periodic(f->h->irq, 0, LINE, 100 * SIM_US, 500 * SIM_US, &err);
    assert_non_null(dev);
    kfx_run(f, 2050 * SIM_US);
    hwirq_source_stop(dev);
    assert_int_equal(s.err, 0);
    assert_true(s.sched_done);
    assert_int_equal(k_get_stats(f->k)->check_failures, 0);
    /* raises at 500, 600, ..., 2000 us: 16 in the 2.05 ms run, each
     * served (the last after the scheduler stopped at 2 ms: the endpoint
     * and H's tcap need no scheduler to run it) */
    hwirq_source_stats ds = hwirq_source_get_stats(dev);
    assert_int_equal(ds.raised, 16);
    assert_int_equal(ds.coalesced, 0);
    assert_int_equal(s.h_n, 16);
    for (unsigned i = 0; i < s.h_n; i++) {
        uint64_t raised = (500 + 100 * (uint64_t)i) * MHZ;
        if (s.h_start[i] < raised || s.h_start[i] - raised > 2 * MHZ)
            fail_msg("activation %u: started %" G_GUINT64_FORMAT " cycles after its interrupt", i, s.h_start[i] - raised);
        if (s.h_end[i] - s.h_start[i] != 10000)
            fail_msg("activation %u: its 10,000 cycles took %" G_GUINT64_FORMAT " (something ran in between)", i,
                     s.h_end[i] - s.h_start[i]);
    }
    /* L: 937.5 us of its own, 18.75 us of H's, plus kernel paths, from B */
    double b_us = (double)s.sched_start / MHZ, l_us = (double)s.l_done / MHZ - b_us;
    if (!(b_us > 0 && b_us < 500 && l_us >= 956.25 && l_us < 990))
        fail_msg("booted at %.2f us; L finished %.2f us later", b_us, l_us);
    kfx_free(f);
    S = NULL;
}

/* ---- cross-core ------------------------------------------------------------------- */

static cos_word receiver(cos_thdid caller, cos_word a0, cos_word a1, cos_word a2, cos_word a3)
{
    (void)caller, (void)a0, (void)a1, (void)a2, (void)a3;
    /* its rcv is the boot component's slot S->remote_rcv (it runs in the boot component) */
    cos_ret r = cos_rcv(S->remote_rcv, 0);
    if (r.err == COS_OK && r.r[0] == 1) {
        S->woke_at = cos_cycles();
        S->woke_core = cos_core();
    }
    return 0;
}

static cos_word boot_xc(cos_thdid caller, cos_word core, cos_word a1, cos_word a2, cos_word a3)
{
    (void)caller, (void)a1, (void)a2, (void)a3;
    if (core == 1) {
        /* core 1 makes its receiver from memory and slots far from core 0's */
        bt b = { .kmem = COS_BOOT_KMEM, .next = 200, .slot = 400 };
        cos_capid t, r;
        CHECK(bt_thd(&b, &(bt_comp){ .comp = COS_BOOT_COMP }, 1, 0, &t));
        CHECK(bt_rcv(&b, t, 0, COS_BOOT_RCV(1), &r));
        S->remote_rcv = r;
        /* run it: it blocks in its rcv, and this thread runs again */
        CHECK(cos_switch(t, 0, 0, 0, 0, 0));
        return 0;
    }
    if (core != 0)
        return 0;
    while (S->remote_rcv == 0)
        cos_compute(1000);
    cos_compute(10000);       /* let core 1's receiver block */
    bt b = { .kmem = COS_BOOT_KMEM, .next = 0, .slot = COS_BOOT_FREE };
    cos_capid a;
    CHECK(bt_asnd(&b, S->remote_rcv, &a));
    S->sent_at = cos_cycles();
    CHECK(cos_asnd(a, false));
    return 0;
}

static const cos_entry_fn xc_entries[] = { boot_xc, receiver };
static const cos_image xc_image = { "xc-test", xc_entries, 2 };
static const cos_image *const xc_images[] = { &xc_image };

static void test_cross_core_send(void **state)
{
    (void)state;
    st s = { 0 };
    S = &s;
    kfx *f = kfx_new_mem("x86_64", UINT64_C(16) << 20, xc_images, 1, 0, 0, true);
    kfx_run(f, SIM_MS);
    assert_int_equal(s.err, 0);
    assert_int_equal(k_get_stats(f->k)->check_failures, 0);
    assert_int_equal(k_get_stats(f->k)->ipis, 1);
    assert_true(s.woke_at > 0);
    assert_int_equal(s.woke_core, 1);
    /* the x86_64 preset's IPI latency is 500 ns = 1,600 cycles; the wake-up
     * also waits for the sender's path up to the IPI and the receiver's
     * interrupt path, so it lands after 1,600 cycles and, on a quiet core,
     * well within 1,600 + 5,000 */
    uint64_t d = s.woke_at - s.sent_at;
    if (d < 1600 || d > 6600)
        fail_msg("woke %" G_GUINT64_FORMAT " cycles after the send", d);
    kfx_free(f);
    S = NULL;
}

/* ---- a system from a description ---------------------------------------------- *
 * Components A (client) and B (server); thread TA in A (priority 2) invokes
 * B's entry 3 (which returns its argument + 1) and sends to TB's endpoint;
 * thread TB in B (priority 1) waits on its endpoint.  bt_build gives A, in
 * order: TA's endpoint (slot 1), the invocation (slot 2), the send (slot
 * 3); B: TB's endpoint (slot 1).  The FP scheduler runs TB first (it
 * blocks), then TA; TA's send wakes TB, whose tcap (priority 1) outranks
 * TA's (2), so TB runs before TA's next statement. */
static char order[8];
static unsigned norder;

static cos_word d_server(cos_thdid caller, cos_word a0, cos_word a1, cos_word a2, cos_word a3)
{
    (void)caller, (void)a1, (void)a2, (void)a3;
    return a0 + 1;
}

static cos_word d_ta(cos_thdid caller, cos_word a0, cos_word a1, cos_word a2, cos_word a3)
{
    (void)caller, (void)a0, (void)a1, (void)a2, (void)a3;
    cos_ret r = cos_sinv(2, 41, 0, 0, 0);
    if (r.err || r.r[0] != 42)
        S->err = 1;
    order[norder++] = 'a';
    if (cos_asnd(3, false))
        S->err = 2;
    order[norder++] = 'A';
    return 0;
}

static cos_word d_tb(cos_thdid caller, cos_word a0, cos_word a1, cos_word a2, cos_word a3)
{
    (void)caller, (void)a0, (void)a1, (void)a2, (void)a3;
    cos_ret r = cos_rcv(1, 0);
    order[norder++] = r.err == COS_OK && r.r[0] == 1 ? 'B' : 'x';
    return 0;
}

static cos_word boot_desc(cos_thdid caller, cos_word core, cos_word a1, cos_word a2, cos_word a3)
{
    (void)caller, (void)a1, (void)a2, (void)a3;
    if (core != 0)
        return 0;
    static const bt_desc_comp comps[] = { { 0, 1 }, { 0, 1 } };
    static const bt_desc_thd thds[] = { { .comp = 0, .entry = 1, .prio = 2 }, { .comp = 1, .entry = 2, .prio = 1 } };
    static const bt_desc_sinv sinvs[] = { { .client = 0, .server = 1, .entry = 3 } };
    static const bt_desc_asnd asnds[] = { { .from_comp = 0, .to_thd = 1 } };
    static const bt_desc d = { comps, 2, thds, 2, sinvs, 1, asnds, 1 };
    bt_system *sys = malloc(sizeof *sys);
    cos_err e = bt_build(&d, sys);
    if (e || sys->thd_rcv_slot[0] != 1 || sys->sinv_slot[0] != 2 || sys->asnd_slot[0] != 3 || sys->thd_rcv_slot[1] != 1) {
        S->err = (uint64_t)e << 16 | 1;
        free(sys);
        return 0;
    }
    fp_sched fp;
    fp_init(&fp, COS_BOOT_RCV(0));
    fp_add(&fp, sys->thd[0], sys->thd_id[0], 2, sys->tcap[0]);
    fp_add(&fp, sys->thd[1], sys->thd_id[1], 1, sys->tcap[1]);
    free(sys);
    CHECK(fp_run(&fp, 0));
    S->sched_done = true;
    return 0;
}

static const cos_entry_fn desc_entries[] = { boot_desc, d_ta, d_tb, d_server };
static const cos_image desc_image = { "desc-test", desc_entries, 4 };
static const cos_image *const desc_images[] = { &desc_image };

static void test_build_from_description(void **state)
{
    (void)state;
    st s = { 0 };
    S = &s;
    norder = 0;
    kfx *f = kfx_new_mem("cortex-a9", UINT64_C(16) << 20, desc_images, 1, 0, 0, true);
    kfx_run(f, SIM_MS);
    assert_int_equal(s.err, 0);
    assert_true(s.sched_done);
    assert_int_equal(k_get_stats(f->k)->check_failures, 0);
    order[norder] = 0;
    assert_string_equal(order, "aBA");
    kfx_free(f);
    S = NULL;
}

/* 4. The user-level dispatch (cos_ul_switch) and COS_OP_TCAP_BUDGET, on
 * x86_64 (18-word register file, cpi 0.8).  Component A holds threads P
 * and Q (no tcap of their own: they run under the root's), R (its own
 * tcap, given 50,000 cycles; the booter dispatches it once under that
 * tcap, and it switches straight back) and W (blocked in rcv); component
 * B holds U.
 * The booter dispatches P, which tries every refusal (itself, another
 * component's thread, another tcap, a blocked thread, a capability that
 * is no thread, an empty slot) and then switches to Q.  By hand: the
 * switch costs the user-level dispatch's instructions as counted on
 * x86-64 (kernel/path_counts.h, k_path_ul_dispatch: 94, its checks and the
 * 2 x 18 register words) x 0.8 = 75.2, rounded up: Q's first
 * cycle-counter read is exactly 76 cycles after P's last,
 * with no kernel path between (ul_switches 1, and no system call from P
 * in between).  Q's system call is the first kernel entry after it: one
 * repair.  The budget Q reads for R is the 50,000 cycles transferred less
 * what R's one dispatch charged it: R runs no user code, so exactly the
 * kernel path that dispatched it (the tcap current at a path's end pays
 * for the path: kernel/tcap.c), its cycles as the kernel's path record has
 * them (the switch paths' cycles when R first runs, less those before the
 * booter's switch to R); the root tcap's is infinite. */
enum { U_W_RCV = 1, U_P = 2, U_Q = 3, U_R = 4, U_W = 5, U_U = 6, U_RTCAP = 7, U_ROOT = 8, U_BOOT = 9 };
static struct {
    uint64_t err, t_p, t_q, budget_r, budget_root;
    cos_err refused[6];
    bool q_ran;
    k_kernel *k;                    /* to read the kernel's path record */
    uint64_t sw_before, sw_at_r;    /* switch paths' cycles before R's dispatch, and when R first runs */
} U;

static cos_word u_p(cos_thdid caller, cos_word a0, cos_word a1, cos_word a2, cos_word a3)
{
    (void)caller, (void)a0, (void)a1, (void)a2, (void)a3;
    U.refused[0] = cos_ul_switch(U_P);        /* itself */
    U.refused[1] = cos_ul_switch(U_U);        /* another component's */
    U.refused[2] = cos_ul_switch(U_R);        /* runs under another tcap */
    U.refused[3] = cos_ul_switch(U_W);        /* blocked in rcv */
    U.refused[4] = cos_ul_switch(U_W_RCV);    /* not a thread */
    U.refused[5] = cos_ul_switch(400);        /* nothing there */
    U.t_p = cos_cycles();
    if (cos_ul_switch(U_Q) != COS_OK)
        U.err = 1;
    return 0;
}

static cos_word u_q(cos_thdid caller, cos_word a0, cos_word a1, cos_word a2, cos_word a3)
{
    (void)caller, (void)a0, (void)a1, (void)a2, (void)a3;
    U.t_q = cos_cycles();
    U.q_ran = true;
    if (cos_tcap_budget(U_RTCAP, &U.budget_r) || cos_tcap_budget(U_ROOT, &U.budget_root))
        U.err = 2;
    return 0;
}

static cos_word u_w(cos_thdid caller, cos_word a0, cos_word a1, cos_word a2, cos_word a3)
{
    (void)caller, (void)a0, (void)a1, (void)a2, (void)a3;
    cos_rcv(U_W_RCV, 0);
    return 0;
}

static cos_word u_idle(cos_thdid caller, cos_word a0, cos_word a1, cos_word a2, cos_word a3)
{
    (void)caller, (void)a0, (void)a1, (void)a2, (void)a3;
    return 0;
}

/* R: back to the booter each time it is dispatched */
static cos_word u_r(cos_thdid caller, cos_word a0, cos_word a1, cos_word a2, cos_word a3)
{
    (void)caller, (void)a0, (void)a1, (void)a2, (void)a3;
    U.sw_at_r = k_get_path_stats(U.k, COS_OP_THD_SWITCH)->cycles;
    for (;;)
        if (cos_switch(U_BOOT, 0, 0, 0, 0, 0))
            U.err = 3;
    return 0;
}

#define UCHECK(x) do { cos_err e_ = (x); if (e_) { U.err = (uint64_t)e_ << 16 | __LINE__; return 0; } } while (0)

static cos_word u_boot(cos_thdid caller, cos_word core, cos_word a1, cos_word a2, cos_word a3)
{
    (void)caller, (void)a1, (void)a2, (void)a3;
    if (core != 0)
        return 0;
    bt b;
    bt_comp a, bb;
    cos_capid p, q, r, w, u, rt, wr, rr, slot;
    UCHECK(bt_init(&b));
    UCHECK(bt_comp_new(&b, 0, 1, &a));
    UCHECK(bt_comp_new(&b, 0, 1, &bb));
    UCHECK(bt_thd(&b, &a, 1, 0, &p));
    UCHECK(bt_thd(&b, &a, 2, 0, &q));
    UCHECK(bt_thd(&b, &a, 5, 0, &r));
    UCHECK(bt_thd(&b, &a, 3, 0, &w));
    UCHECK(bt_thd(&b, &bb, 4, 0, &u));
    UCHECK(bt_tcap(&b, &rt));
    UCHECK(bt_rcv(&b, w, 0, COS_BOOT_RCV(0), &wr));
    UCHECK(bt_rcv(&b, r, rt, COS_BOOT_RCV(0), &rr));
    UCHECK(cos_tcap_transfer(COS_BOOT_TCAP(0), rr, 50000, 3));
    const cos_capid give[] = { wr, p, q, r, w, u, rt, COS_BOOT_TCAP(0), COS_BOOT_THD(0) };
    for (unsigned i = 0; i < 9; i++) {
        UCHECK(bt_give(&b, &a, give[i], &slot));
        UCHECK(slot == i + 1 ? COS_OK : COS_EINVAL);
    }
    U.sw_before = k_get_path_stats(U.k, COS_OP_THD_SWITCH)->cycles;
    UCHECK(cos_switch(r, rt, 3, 0, 0, 0));    /* R now runs under its own tcap */
    UCHECK(cos_switch(w, 0, 0, 0, 0, 0));     /* W runs until it blocks */
    UCHECK(cos_switch(p, 0, 0, 0, 0, 0));
    return 0;
}

static const cos_entry_fn ul_entries[] = { u_boot, u_p, u_q, u_w, u_idle, u_r };
static const cos_image ul_image = { "ul-test", ul_entries, 6 };
static const cos_image *const ul_images[] = { &ul_image };

static void test_user_level_dispatch(void **state)
{
    (void)state;
    memset(&U, 0, sizeof U);
    kfx *f = kfx_new_mem("x86_64", UINT64_C(16) << 20, ul_images, 1, 0, 0, true);
    U.k = f->k;
    kfx_run(f, SIM_MS);
    if (U.err || !U.q_ran)
        fail_msg("err %#llx, q ran %d, p at %llu, refusals %d %d %d %d %d %d", (unsigned long long)U.err, U.q_ran,
                 (unsigned long long)U.t_p, U.refused[0], U.refused[1], U.refused[2], U.refused[3], U.refused[4],
                 U.refused[5]);
    const cos_err want[6] = { COS_EINVAL, COS_EINVAL, COS_EPERM, COS_EINVAL, COS_EINVAL, COS_ENOENT };
    for (unsigned i = 0; i < 6; i++)
        if (U.refused[i] != want[i])
            fail_msg("refusal %u: %d, expected %d", i, U.refused[i], want[i]);
    assert_int_equal(U.t_q - U.t_p, 76);
    const k_stats *ks = k_get_stats(f->k);
    assert_int_equal(ks->ul_switches, 1);
    assert_int_equal(ks->repairs, 1);
    assert_int_equal(ks->check_failures, 0);
    assert_int_equal(U.budget_r, 50000 - (U.sw_at_r - U.sw_before));
    assert_true(U.budget_root == COS_BUDGET_INF);
    kfx_free(f);
}

/* ---- a child scheduler (hierarchical scheduling) -------------------------------
 * The root (the booter of core 0) makes a child scheduler C, a thread of
 * the boot component with endpoint RC under the root's and tcap TC holding
 * 20,000 cycles at priority 2; C makes its own thread T (so T's events go
 * to RC) and dispatches it under TC.  T computes 1,000,000 cycles:
 *  1. TC runs out under T: C hears T's expiry on RC, and the root, TC's
 *     owner, hears it as an event about C (its own child), not about T;
 *  2. C waits for events on RC: the root hears that C blocked;
 *  3. the root sends to RC: C wakes (its wait returns no event, r[0] = 0)
 *     and the root hears that C woke (runnable) before running it. */
enum { H_C = 0, H_T = 1, H_N = 2 };
static struct {
    uint64_t err;
    bt b;
    cos_capid c, tc, rc, t, tr;
    cos_thdid c_id, t_id;
    cos_ret root_ev[3][4];        /* events the root drained after steps 1, 2 and 3 */
    unsigned root_n[3];
    bool child_saw_t_expire;
    int64_t woke_r0;
    bool woke;
} H;

#define HCHECK(x) do { cos_err e_ = (x); if (e_ && !H.err) H.err = (uint64_t)e_ << 16 | __LINE__; if (e_) return 0; } while (0)

static uint64_t h_drain(cos_capid rcv, cos_ret *out, unsigned *n, unsigned max)
{
    for (;;) {
        cos_ret ev = cos_sched_rcv(rcv, COS_RCV_NONBLOCK);
        if (ev.err || ev.r[0] == 0)
            return ev.r[3];
        if (out && *n < max)
            out[(*n)++] = ev;
        if (rcv == H.rc && ev.r[0] == H.t_id && (ev.r[1] & COS_SCHED_EV_EXPIRED))
            H.child_saw_t_expire = true;
    }
}

static cos_word h_worker(cos_thdid caller, cos_word a0, cos_word a1, cos_word a2, cos_word a3)
{
    (void)caller, (void)a0, (void)a1, (void)a2, (void)a3;
    for (;;)
        cos_compute(1000000);
    return 0;
}

static cos_word h_child(cos_thdid caller, cos_word a0, cos_word a1, cos_word a2, cos_word a3)
{
    (void)caller, (void)a0, (void)a1, (void)a2, (void)a3;
    /* make T: a thread's scheduler is the one that makes it */
    const bt_comp self = { .comp = COS_BOOT_COMP };
    HCHECK(bt_thd_id(&H.b, &self, H_T + 2, 0, &H.t, &H.t_id));
    HCHECK(bt_rcv(&H.b, H.t, 0, H.rc, &H.tr));
    HCHECK(cos_switch(COS_BOOT_THD(0), 0, 0, 0, 0, 0));
    /* run 1: dispatch T under TC */
    uint64_t tok = h_drain(H.rc, NULL, NULL, 0);
    HCHECK(cos_switch(H.t, H.tc, 0, 0, H.rc, tok));
    /* run 2: read T's expiry, then wait for events */
    h_drain(H.rc, NULL, NULL, 0);
    cos_ret r = cos_sched_rcv(H.rc, 0);
    HCHECK(r.err);
    H.woke = true;
    H.woke_r0 = (int64_t)r.r[0];
    for (;;)
        HCHECK(cos_switch(COS_BOOT_THD(0), 0, 0, 0, 0, 0));
    return 0;
}

static cos_word h_boot(cos_thdid caller, cos_word core, cos_word a1, cos_word a2, cos_word a3)
{
    (void)caller, (void)a1, (void)a2, (void)a3;
    if (core != 0)
        return 0;
    const bt_comp self = { .comp = COS_BOOT_COMP };
    cos_capid a_rc;
    HCHECK(bt_init(&H.b));
    HCHECK(bt_thd_id(&H.b, &self, H_C + 2, 0, &H.c, &H.c_id));
    HCHECK(bt_tcap(&H.b, &H.tc));
    HCHECK(bt_rcv(&H.b, H.c, H.tc, COS_BOOT_RCV(0), &H.rc));
    HCHECK(cos_tcap_transfer(COS_BOOT_TCAP(0), H.rc, 20000, 2));
    HCHECK(bt_asnd(&H.b, H.rc, &a_rc));
    HCHECK(cos_switch(H.c, COS_BOOT_TCAP(0), 0, 0, 0, 0));     /* C makes T on the root's budget */
    uint64_t tok = h_drain(COS_BOOT_RCV(0), NULL, NULL, 0);
    HCHECK(cos_switch(H.c, H.tc, 2, 0, COS_BOOT_RCV(0), tok));  /* 1: until TC runs out */
    tok = h_drain(COS_BOOT_RCV(0), H.root_ev[0], &H.root_n[0], 4);
    HCHECK(cos_tcap_transfer(COS_BOOT_TCAP(0), H.rc, 1000000, 2));
    HCHECK(cos_switch(H.c, H.tc, 2, 0, COS_BOOT_RCV(0), tok));  /* 2: C waits */
    h_drain(COS_BOOT_RCV(0), H.root_ev[1], &H.root_n[1], 4);
    HCHECK(cos_asnd(a_rc, false));                              /* 3: wake it */
    tok = h_drain(COS_BOOT_RCV(0), H.root_ev[2], &H.root_n[2], 4);
    HCHECK(cos_switch(H.c, H.tc, 2, 0, COS_BOOT_RCV(0), tok));
    return 0;
}

static const cos_entry_fn h_entries[] = { h_boot, h_worker, h_child, h_worker };
static const cos_image h_image = { "hier-test", h_entries, 4 };
static const cos_image *const h_images[] = { &h_image };

static void test_child_scheduler(void **state)
{
    (void)state;
    memset(&H, 0, sizeof H);
    kfx *f = kfx_new_mem("x86_64", UINT64_C(16) << 20, h_images, 1, 0, 0, true);
    kfx_run(f, SIM_MS);
    if (H.err)
        fail_msg("err %#llx", (unsigned long long)H.err);
    /* 1: exactly one event for the root, about C, an expiry; C saw T's */
    assert_int_equal(H.root_n[0], 1);
    assert_int_equal(H.root_ev[0][0].r[0], H.c_id);
    assert_true(H.root_ev[0][0].r[1] & COS_SCHED_EV_EXPIRED);
    assert_true(H.child_saw_t_expire);
    /* 2: C blocked (not runnable) */
    assert_int_equal(H.root_n[1], 1);
    assert_int_equal(H.root_ev[1][0].r[0], H.c_id);
    assert_false(H.root_ev[1][0].r[1] & COS_SCHED_EV_RUNNABLE);
    /* 3: the send woke C, the root heard it first, C's wait returned no event */
    assert_int_equal(H.root_n[2], 1);
    assert_int_equal(H.root_ev[2][0].r[0], H.c_id);
    assert_true(H.root_ev[2][0].r[1] & COS_SCHED_EV_RUNNABLE);
    assert_true(H.woke);
    assert_int_equal(H.woke_r0, 0);
    assert_int_equal(k_get_stats(f->k)->check_failures, 0);
    kfx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fp_with_interrupt_thread),
        cmocka_unit_test(test_cross_core_send),
        cmocka_unit_test(test_build_from_description),
        cmocka_unit_test(test_user_level_dispatch),
        cmocka_unit_test(test_child_scheduler),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
