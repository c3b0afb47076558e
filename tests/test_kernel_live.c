/* tests/test_kernel_live.c: what a thread is inside or waits on stays alive
 * until it leaves (issue 19, item 2; docs/kernel-design.md, "What a thread
 * is inside or waits on").  Each test removes the last reference of one
 * kind of object while a thread is inside it, waits on it, runs under it,
 * or a core holds it, and checks that nothing dangles: the kernel's checker
 * after every kernel path (kernel_body.h, finish), and the objects' lives
 * as the kernel sees them (read from the test, at no simulated cost).
 *
 *  - a server whose last reference goes while a thread is inside it (the
 *    reproduction of issue 19: S referenced only by a sinv whose one
 *    capability is in the client's table, removed from inside S), on
 *    x86_64, cortex-a9 and cortex-m7; a chain of four servers all losing
 *    their last reference at the deepest; a server whose last reference
 *    was a thread's home, ending with that thread;
 *  - an rcv whose owner waits on it (RCV at depth 0, RCV inside a server,
 *    SCHED_RCV), and a send in flight to another core when its rcv ends;
 *  - the tcap a core runs under, the core's root rcv, a tcap whose owner
 *    ended and whose page holds another object when it expires, and a
 *    core's loaded domain ending while the core idles in it.
 *
 * Before the fix (commit "kernel: what a thread is inside or waits on
 * stays alive until it leaves") the server, chain, thread-end, rcv,
 * in-flight, root, owner and domain cases fail (the checker, a crash, or a
 * dangling record); the tcap case held already (the core's tcap was kept).
 */
#include "kernel_body.h"

#include <string.h>
#include "kernel/internal.h"

#define LEVELS 4u

typedef struct lv {
    ts t;                           /* first: the harness's state (kernel_body.h) */
    uint64_t comp[LEVELS + 1];      /* components' objects, by level (1..LEVELS; 0 for a lone server) */
    uint64_t base[LEVELS + 1];      /* and where their memory is */
    cos_capid inv0;                 /* the boot table's sinv to level 1 */
    cos_capid ct_at_last[LEVELS];   /* in the deepest's table: the tables of levels 1..LEVELS-1 */
    cos_capid vslot;                /* an rcv's capability in a server's table */
    cos_capid thd2, tcap, rcv2;
    uint64_t page, obj;
    cos_capid at;
    unsigned wakes;
} lv;

#define L(s) ((lv *)(s))

/* ---- the kernel's view (the test's, no cost) ------------------------------------ */

/* The object a capability of the boot table names (0: none). */
static uint64_t obj_of(ts *s, cos_capid cap)
{
    k_kernel *k = s->k;
    k_thread *boot = g_ptr_array_index(k->threads, 0);
    k_captbl ct = { K_OBJ(k, k_comp_o, K_OBJ(k, k_thd_o, boot->obj)->home)->captbl };
    k_slot sl;
    return k_ct_peek(&k->mem, &ct, cap, &sl) == COS_OK ? sl.obj : 0;
}

static uint32_t refs(ts *s, uint64_t obj)
{
    return k_mem_refs(&s->k->mem, obj);
}

static bool alive(ts *s, uint64_t obj, unsigned type)
{
    return obj && refs(s, obj) > 0 && k_mem_kind(&s->k->mem, obj) == type;
}

static void drain_events(void)
{
    while (cos_sched_rcv(ROOT, NB).r[0])
        ;
}

/* ---- the image ------------------------------------------------------------------- */

enum { L_BOOT, L_EXIT, L_BLOCK, L_COMPUTE, L_REMOVE, L_CHAIN, L_INVOKER, L_VBLOCK, L_SCHEDW, L_TCAP_U, L_TCAP_V,
       L_TALLOC, L_XLOOP, L_MAKER, L_COUNT };

/* In server S (level 0), whose slot 1 is the client's table: remove
 * s->drop there (the sinv it came through, ...), so S loses its last
 * reference with this thread inside; S is kept, and its table and domain
 * work. */
static cos_word e_remove(cos_thdid caller, cos_word arg, cos_word a1, cos_word a2, cos_word a3)
{
    lv *l = (lv *)arg;
    ts *s = &l->t;
    for (unsigned i = 0; i < G_N_ELEMENTS(s->drop) && s->drop[i]; i++)
        EXPECT_ERR(s, cos_cap_remove(1, s->drop[i]), COS_OK);
    EXPECT_TRUE(s, alive(s, l->comp[0], COS_CAP_COMP));
    EXPECT_EQ(s, K_OBJ(s->k, k_comp_o, l->comp[0])->kept, 1);
    cos_compute(1000);                                          /* still running in S */
    EXPECT_ERR(s, cos_touch(l->base[0], 8, true), COS_OK);      /* its memory, through its domain */
    EXPECT_ERR(s, cos_cap_remove(1, s->drop[0]), COS_ENOENT);   /* a lookup through its table */
    return 7;
}

/* Level `level` of a chain, in its component, whose slot 1 is the boot
 * table and slot 2 its sinv to the next level.  The deepest removes every
 * sinv of the chain (each level's last reference); each level, back from
 * the next, finds that one ended as the thread left it, and itself kept. */
static cos_word e_chain(cos_thdid caller, cos_word arg, cos_word level, cos_word a2, cos_word a3)
{
    lv *l = (lv *)arg;
    ts *s = &l->t;
    if (level < LEVELS) {
        cos_ret r = cos_sinv(2, arg, level + 1, 0, 0);
        EXPECT_ERR(s, r.err, COS_OK);
        EXPECT_TRUE(s, !alive(s, l->comp[level + 1], COS_CAP_COMP));
        EXPECT_TRUE(s, alive(s, l->comp[level], COS_CAP_COMP));
        EXPECT_ERR(s, cos_touch(l->base[level], 8, true), COS_OK);
        return r.r[0] + 1;
    }
    EXPECT_ERR(s, cos_cap_remove(1, l->inv0), COS_OK);
    for (unsigned i = 1; i < LEVELS; i++)
        EXPECT_ERR(s, cos_cap_remove(l->ct_at_last[i], 2), COS_OK);
    for (unsigned i = 1; i <= LEVELS; i++) {
        EXPECT_TRUE(s, alive(s, l->comp[i], COS_CAP_COMP));
        EXPECT_EQ(s, K_OBJ(s->k, k_comp_o, l->comp[i])->kept, 1);
        EXPECT_EQ(s, refs(s, l->comp[i]), 1);   /* the one that stands for this thread */
    }
    cos_compute(1000);
    return 1;
}

/* A thread of the boot component that invokes l->inv0 (and stays there). */
static cos_word e_invoker(cos_thdid caller, cos_word arg, cos_word a1, cos_word a2, cos_word a3)
{
    lv *l = (lv *)arg;
    l->t.thd_id = cos_thdid_self();
    cos_sinv(l->inv0, arg, 0, 0, 0);
    return 0;
}

/* In a server: wait on the thread's rcv, at l->vslot of the server's table. */
static cos_word e_vblock(cos_thdid caller, cos_word arg, cos_word a1, cos_word a2, cos_word a3)
{
    lv *l = (lv *)arg;
    cos_rcv(l->vslot, 0);
    l->t.w_done = true;     /* never: its rcv ends, and the thread with it */
    return 0;
}

/* A child scheduler waiting for events on its rcv (s->rcv). */
static cos_word e_schedw(cos_thdid caller, cos_word arg, cos_word a1, cos_word a2, cos_word a3)
{
    lv *l = (lv *)arg;
    l->t.thd_id = cos_thdid_self();
    cos_sched_rcv(l->t.rcv, 0);
    l->t.w_done = true;     /* never */
    return 0;
}

/* U runs under tcap l->tcap and hands the core to V, which runs under it
 * without a reference of its own (its activator's tcap). */
static cos_word e_tcap_u(cos_thdid caller, cos_word arg, cos_word a1, cos_word a2, cos_word a3)
{
    lv *l = (lv *)arg;
    EXPECT_ERR(&l->t, cos_switch(l->thd2, 0, 0, 0, 0, 0), COS_OK);
    l->t.w_done = true;     /* never: V removes U */
    return 0;
}

/* V: U's rcv, the tcap's capability, then U itself go: the tcap's last
 * reference goes while the core runs under it. */
static cos_word e_tcap_v(cos_thdid caller, cos_word arg, cos_word a1, cos_word a2, cos_word a3)
{
    lv *l = (lv *)arg;
    ts *s = &l->t;
    uint64_t tc = obj_of(s, l->tcap), before = 0, after = 0;
    EXPECT_EQ(s, K_OBJ(s->k, k_core_o, s->k->core[0].page)->cur_tcap, tc);
    EXPECT_ERR(s, cos_cap_remove(COS_BOOT_CAPTBL, l->rcv2), COS_OK);
    EXPECT_ERR(s, cos_cap_remove(COS_BOOT_CAPTBL, l->tcap), COS_OK);
    EXPECT_EQ(s, refs(s, tc), 1);                               /* U's */
    EXPECT_ERR(s, cos_cap_remove(COS_BOOT_CAPTBL, s->spare), COS_OK);     /* U ends */
    EXPECT_TRUE(s, alive(s, tc, COS_CAP_TCAP));                 /* kept for the core */
    EXPECT_EQ(s, s->k->st.kept_tcaps, 1);
    before = K_OBJ(s->k, k_tcap_o, tc)->budget;
    cos_compute(10000);
    EXPECT_ERR(s, cos_cap_remove(COS_BOOT_CAPTBL, 300), COS_ENOENT);  /* a kernel path: it charges the tcap */
    after = K_OBJ(s->k, k_tcap_o, tc)->budget;
    EXPECT_TRUE(s, after + 10000 <= before);
    s->w_done = true;
    return 0;
}

/* A scheduler thread (it has an rcv) making a tcap at l->page, l->at. */
static cos_word e_talloc(cos_thdid caller, cos_word arg, cos_word a1, cos_word a2, cos_word a3)
{
    lv *l = (lv *)arg;
    EXPECT_ERR(&l->t, cos_tcap_alloc(COS_BOOT_KMEM, l->page, l->at), COS_OK);
    return 0;
}

/* In component X, on core 1: wait on its rcv (X's slot l->vslot), again and again. */
static cos_word e_xloop(cos_thdid caller, cos_word arg, cos_word a1, cos_word a2, cos_word a3)
{
    lv *l = (lv *)arg;
    for (;;) {
        if (cos_rcv(l->vslot, 0).err)
            return 0;
        l->wakes++;
    }
}

/* M, on core 1, with no rcv: makes T in X (boot table slot s->comp), with
 * no scheduler, and a root-level rcv for it (boot table l->rcv2, X's table
 * l->vslot), and runs it. */
static cos_word e_maker(cos_thdid caller, cos_word arg, cos_word a1, cos_word a2, cos_word a3)
{
    lv *l = (lv *)arg;
    ts *s = &l->t;
    uint64_t p = kpage(s);
    EXPECT_ERR(s, cos_thd_alloc(COS_BOOT_KMEM, p, l->thd2, s->comp, L_XLOOP, arg), COS_OK);
    l->rcv2 = slot(s);
    EXPECT_ERR(s, cos_rcv_alloc(COS_BOOT_KMEM, l->page, l->rcv2, l->thd2, 0, 0), COS_OK);
    EXPECT_ERR(s, cos_cap_copy(l->at, l->vslot, l->rcv2), COS_OK);
    EXPECT_ERR(s, cos_switch(l->thd2, 0, 0, 0, 0, 0), COS_OK);
    return 0;
}

static const cos_entry_fn live_entries[L_COUNT] = {
    [L_BOOT] = e_boot, [L_EXIT] = e_exit, [L_BLOCK] = e_block, [L_COMPUTE] = e_compute, [L_REMOVE] = e_remove,
    [L_CHAIN] = e_chain, [L_INVOKER] = e_invoker, [L_VBLOCK] = e_vblock, [L_SCHEDW] = e_schedw,
    [L_TCAP_U] = e_tcap_u, [L_TCAP_V] = e_tcap_v, [L_TALLOC] = e_talloc, [L_XLOOP] = e_xloop, [L_MAKER] = e_maker,
};
static const cos_image live_image = { "test-live", live_entries, L_COUNT };
static const cos_image *const live_images[] = { &live_image };

static kfx *run_lv(lv *l)
{
    ts *s = &l->t;
    kfx *f = kfx_new_tuned(s->preset ? s->preset : PRESET, MEM_SIZE, s->tune, live_images, 1, 0, (cos_word)s, true);
    s->k = f->k;
    kfx_run(f, 0);
    s->boot_failures = k_get_stats(f->k)->check_failures;
    assert_int_equal(s->boot_failures, 0);
    kfx_run(f, RUN_SPAN);
    return f;
}

/* ---- components: a server's last reference goes with a thread inside ---------------- */

/* The reproduction: S is referenced only by a sinv, the sinv only by the
 * boot table's capability; the boot thread invokes S and, from inside S,
 * removes that capability. */
static void body_server(ts *s)
{
    lv *l = L(s);
    bt_comp sv = component(s);
    cos_capid inv = sinv(s, sv.comp, L_REMOVE), ct = 0;
    EXPECT_ERR(s, bt_give(&s->b, &sv, COS_BOOT_CAPTBL, &ct), COS_OK);
    EXPECT_EQ(s, ct, 1);
    l->comp[0] = obj_of(s, sv.comp);
    l->base[0] = sv.base;
    uint64_t pt = obj_of(s, sv.pgtbl), tb = obj_of(s, sv.captbl);
    uint32_t pt_refs = refs(s, pt), tb_refs = refs(s, tb);
    EXPECT_ERR(s, cos_cap_remove(COS_BOOT_CAPTBL, sv.comp), COS_OK);
    EXPECT_EQ(s, refs(s, l->comp[0]), 1);       /* the sinv's */
    s->drop[0] = inv;
    cos_ret r = cos_sinv(inv, (cos_word)l, 0, 0, 0);
    EXPECT_ERR(s, r.err, COS_OK);
    EXPECT_EQ(s, r.r[0], 7);
    /* the thread left: S ended with it, letting go of its table and domain */
    EXPECT_TRUE(s, !alive(s, l->comp[0], COS_CAP_COMP));
    EXPECT_EQ(s, refs(s, pt), pt_refs - 1);
    EXPECT_EQ(s, refs(s, tb), tb_refs - 1);
    EXPECT_EQ(s, s->k->st.kept_comps, 1);
    EXPECT_ERR(s, cos_sinv(inv, (cos_word)l, 0, 0, 0).err, COS_ENOENT);
}

static void server_on(const char *preset)
{
    lv l = { .t = { .body = body_server, .preset = preset } };
    finish(run_lv(&l), &l.t);
}

static void test_server_x86(void **state) { server_on("x86_64"); }
static void test_server_a9(void **state) { server_on("cortex-a9"); }
static void test_server_m7(void **state) { server_on("cortex-m7"); }

/* Four levels, each referenced only by its caller's sinv; the deepest
 * removes all four sinvs. */
static void body_chain(ts *s)
{
    lv *l = L(s);
    bt_comp c[LEVELS + 1];
    for (unsigned i = 1; i <= LEVELS; i++) {
        c[i] = component(s);
        l->comp[i] = obj_of(s, c[i].comp);
        l->base[i] = c[i].base;
    }
    for (unsigned i = 1; i <= LEVELS; i++) {
        cos_capid x = 0;
        EXPECT_ERR(s, bt_give(&s->b, &c[i], COS_BOOT_CAPTBL, &x), COS_OK);
        EXPECT_EQ(s, x, 1);
        if (i < LEVELS) {
            /* the sinv to the next level, in this level's table only */
            cos_capid own = sinv(s, c[i + 1].comp, L_CHAIN);
            EXPECT_ERR(s, bt_give(&s->b, &c[i], own, &x), COS_OK);
            EXPECT_EQ(s, x, 2);
            EXPECT_ERR(s, cos_cap_remove(COS_BOOT_CAPTBL, own), COS_OK);
        }
    }
    for (unsigned i = 1; i < LEVELS; i++)
        EXPECT_ERR(s, bt_give(&s->b, &c[LEVELS], c[i].captbl, &l->ct_at_last[i]), COS_OK);
    l->inv0 = sinv(s, c[1].comp, L_CHAIN);
    for (unsigned i = 1; i <= LEVELS; i++)
        EXPECT_ERR(s, cos_cap_remove(COS_BOOT_CAPTBL, c[i].comp), COS_OK);
    cos_ret r = cos_sinv(l->inv0, (cos_word)l, 1, 0, 0);
    EXPECT_ERR(s, r.err, COS_OK);
    EXPECT_EQ(s, r.r[0], LEVELS);
    for (unsigned i = 1; i <= LEVELS; i++)
        EXPECT_TRUE(s, !alive(s, l->comp[i], COS_CAP_COMP));
    EXPECT_EQ(s, s->k->st.kept_comps, LEVELS);
}

static void test_chain(void **state)
{
    lv l = { .t = { .body = body_chain } };
    finish(run_lv(&l), &l.t);
}

static void test_chain_m7(void **state)
{
    lv l = { .t = { .body = body_chain, .preset = "cortex-m7" } };
    finish(run_lv(&l), &l.t);
}

/* X's last reference is a thread's home: that thread ends (its capability
 * removed from inside X) while the boot thread is inside X. */
static void body_home(ts *s)
{
    lv *l = L(s);
    bt_comp x = component(s);
    cos_capid t2 = 0, ct = 0;
    EXPECT_ERR(s, bt_thd(&s->b, &x, L_EXIT, (cos_word)s, &t2), COS_OK);     /* never runs */
    cos_capid inv = sinv(s, x.comp, L_REMOVE);
    EXPECT_ERR(s, bt_give(&s->b, &x, COS_BOOT_CAPTBL, &ct), COS_OK);
    l->comp[0] = obj_of(s, x.comp);
    l->base[0] = x.base;
    EXPECT_ERR(s, cos_cap_remove(COS_BOOT_CAPTBL, x.comp), COS_OK);
    EXPECT_EQ(s, refs(s, l->comp[0]), 2);       /* the sinv, the thread's home */
    s->drop[0] = inv;
    s->drop[1] = t2;
    EXPECT_EQ(s, cos_sinv(inv, (cos_word)l, 0, 0, 0).r[0], 7);
    EXPECT_TRUE(s, !alive(s, l->comp[0], COS_CAP_COMP));
    EXPECT_EQ(s, s->k->st.kept_comps, 1);
}

static void test_home(void **state)
{
    lv l = { .t = { .body = body_home } };
    finish(run_lv(&l), &l.t);
}

/* ---- rcvs: the endpoint a thread waits on ends ---------------------------------------- */

/* W waits in RCV on its rcv; its asnd and capability go. */
static void body_rcv(ts *s)
{
    cos_capid w = thread(s, L_BLOCK);
    s->rcv = rcv(s, w, 0);
    cos_capid a = asnd(s, s->rcv);
    uint64_t r = obj_of(s, s->rcv), wo = obj_of(s, w);
    EXPECT_ERR(s, cos_switch(w, 0, 0, 0, 0, 0), COS_OK);      /* it blocks; back here */
    EXPECT_TRUE(s, strcmp(k_thread_state(s->k, s->thd_id), "blocked") == 0);
    drain_events();
    EXPECT_ERR(s, cos_cap_remove(COS_BOOT_CAPTBL, a), COS_OK);
    EXPECT_ERR(s, cos_cap_remove(COS_BOOT_CAPTBL, s->rcv), COS_OK);
    /* the rcv ended, and W's wait with it: blocked, on nothing, for good */
    EXPECT_TRUE(s, !alive(s, r, COS_CAP_RCV));
    EXPECT_TRUE(s, strcmp(k_thread_state(s->k, s->thd_id), "blocked") == 0);
    EXPECT_EQ(s, K_OBJ(s->k, k_thd_o, wo)->blocked_on, 0);
    EXPECT_EQ(s, s->k->st.ended_waits, 1);
    EXPECT_ERR(s, cos_switch(w, 0, 0, 0, 0, 0), COS_EBUSY);
    EXPECT_ERR(s, cos_cap_remove(COS_BOOT_CAPTBL, w), COS_OK);     /* it ends */
    EXPECT_TRUE(s, !alive(s, wo, COS_CAP_THREAD));
    EXPECT_TRUE(s, strcmp(k_thread_state(s->k, s->thd_id), "exited") == 0);
}

static void test_rcv(void **state)
{
    lv l = { .t = { .body = body_rcv } };
    finish(run_lv(&l), &l.t);
}

/* W waits in RCV inside server V (depth 1); V loses its last reference,
 * then W's rcv ends, then W: V ends with W. */
static void body_rcv_inside(ts *s)
{
    lv *l = L(s);
    bt_comp v = component(s);
    cos_capid w = thread(s, L_INVOKER);
    s->rcv = rcv(s, w, 0);
    l->inv0 = sinv(s, v.comp, L_VBLOCK);
    EXPECT_ERR(s, bt_give(&s->b, &v, s->rcv, &l->vslot), COS_OK);
    l->comp[0] = obj_of(s, v.comp);
    uint64_t r = obj_of(s, s->rcv);
    EXPECT_ERR(s, cos_cap_remove(COS_BOOT_CAPTBL, v.comp), COS_OK);
    EXPECT_ERR(s, cos_switch(w, 0, 0, 0, 0, 0), COS_OK);      /* it invokes V and blocks there */
    EXPECT_EQ(s, K_OBJ(s->k, k_comp_o, l->comp[0])->active, 1);
    drain_events();
    EXPECT_ERR(s, cos_cap_remove(COS_BOOT_CAPTBL, l->inv0), COS_OK);
    EXPECT_TRUE(s, alive(s, l->comp[0], COS_CAP_COMP));       /* kept for W */
    EXPECT_ERR(s, cos_cap_remove(COS_BOOT_CAPTBL, s->rcv), COS_OK);
    EXPECT_ERR(s, cos_cap_remove(v.captbl, l->vslot), COS_OK);
    EXPECT_TRUE(s, !alive(s, r, COS_CAP_RCV));
    EXPECT_EQ(s, s->k->st.ended_waits, 1);
    EXPECT_TRUE(s, alive(s, l->comp[0], COS_CAP_COMP));
    EXPECT_ERR(s, cos_cap_remove(COS_BOOT_CAPTBL, w), COS_OK);     /* W ends, and leaves V */
    EXPECT_TRUE(s, !alive(s, l->comp[0], COS_CAP_COMP));
    EXPECT_EQ(s, s->k->st.kept_comps, 1);
    EXPECT_TRUE(s, !s->w_done);
}

static void test_rcv_inside(void **state)
{
    lv l = { .t = { .body = body_rcv_inside } };
    finish(run_lv(&l), &l.t);
}

/* A child scheduler waits in SCHED_RCV on its rcv, which ends. */
static void body_sched_rcv(ts *s)
{
    cos_capid w = thread(s, L_SCHEDW);
    s->rcv = rcv(s, w, 0);
    uint64_t r = obj_of(s, s->rcv);
    EXPECT_ERR(s, cos_switch(w, 0, 0, 0, 0, 0), COS_OK);
    drain_events();
    EXPECT_ERR(s, cos_cap_remove(COS_BOOT_CAPTBL, s->rcv), COS_OK);
    EXPECT_TRUE(s, !alive(s, r, COS_CAP_RCV));
    EXPECT_EQ(s, s->k->st.ended_waits, 1);
    EXPECT_TRUE(s, strcmp(k_thread_state(s->k, s->thd_id), "blocked") == 0);
    EXPECT_ERR(s, cos_cap_remove(COS_BOOT_CAPTBL, w), COS_OK);
    EXPECT_TRUE(s, strcmp(k_thread_state(s->k, s->thd_id), "exited") == 0);
}

static void test_sched_rcv(void **state)
{
    lv l = { .t = { .body = body_sched_rcv } };
    finish(run_lv(&l), &l.t);
}

/* A send in flight to core 1 (its IPI takes a millisecond) when its rcv
 * ends on core 0: dropped, and its receiver's wait ends. */
static void slow_ipis(model_config *cfg)
{
    cfg->ipi_latency = SIM_MS;
}

static void body1_inflight(ts *s)
{
    wait_step(s, 1);
    cos_capid w = thread(s, L_BLOCK);       /* on core 1, under core 1's root */
    cos_capid r = 0;
    EXPECT_ERR(s, bt_rcv(&s->b, w, 0, COS_BOOT_RCV(1), &r), COS_OK);
    s->rcv = r;
    EXPECT_ERR(s, cos_switch(w, 0, 0, 0, 0, 0), COS_OK);
    s->step = 2;
    wait_step(s, 3);
    EXPECT_TRUE(s, strcmp(k_thread_state(s->k, s->thd_id), "blocked") == 0);    /* nothing woke it */
    s->step = 4;
}

static void body_inflight(ts *s)
{
    s->step = 1;
    wait_step(s, 2);
    uint64_t r = obj_of(s, s->rcv);
    cos_capid a = asnd(s, s->rcv);
    EXPECT_ERR(s, cos_asnd(a, false), COS_OK);                 /* on core 1's ring, its IPI 1 ms away */
    EXPECT_ERR(s, cos_cap_remove(COS_BOOT_CAPTBL, a), COS_OK);
    EXPECT_ERR(s, cos_cap_remove(COS_BOOT_CAPTBL, s->rcv), COS_OK);
    EXPECT_TRUE(s, !alive(s, r, COS_CAP_RCV));
    EXPECT_EQ(s, s->k->st.dropped_sends, 1);
    EXPECT_EQ(s, s->k->st.ended_waits, 1);
    cos_compute(2 * 3200000);                                  /* 2 ms: the IPI is taken */
    EXPECT_EQ(s, s->k->st.ipis, 1);
    s->step = 3;
    wait_step(s, 4);
}

static void test_inflight(void **state)
{
    lv l = { .t = { .body = body_inflight, .body1 = body1_inflight, .tune = slow_ipis } };
    finish(run_lv(&l), &l.t);
}

/* ---- what a core holds: the tcap it runs under, its root rcv, its domain ------------- */

static void body_tcap(ts *s)
{
    lv *l = L(s);
    l->tcap = tcap(s);
    s->spare = thread(s, L_TCAP_U);
    l->thd2 = thread(s, L_TCAP_V);
    l->rcv2 = rcv(s, s->spare, l->tcap);
    EXPECT_ERR(s, cos_tcap_transfer(COS_BOOT_TCAP(0), l->rcv2, 1000000, 0), COS_OK);
    EXPECT_ERR(s, cos_switch(s->spare, l->tcap, 0, 0, 0, 0), COS_OK);     /* U under it, then V */
    EXPECT_TRUE(s, s->w_done);
}

static void test_tcap(void **state)
{
    lv l = { .t = { .body = body_tcap } };
    finish(run_lv(&l), &l.t);
}

/* The boot table's capability to core 0's root rcv is its last reference:
 * the core keeps it, and a thread that stops still finds its scheduler. */
static void body_root(ts *s)
{
    uint64_t r = obj_of(s, ROOT);
    EXPECT_ERR(s, cos_cap_remove(COS_BOOT_CAPTBL, ROOT), COS_OK);
    EXPECT_TRUE(s, alive(s, r, COS_CAP_RCV));
    EXPECT_EQ(s, s->k->st.kept_roots, 1);
    cos_capid w = thread(s, L_EXIT);
    EXPECT_ERR(s, cos_switch(w, 0, 0, 0, 0, 0), COS_OK);      /* it runs, exits, and the root runs again */
    EXPECT_TRUE(s, s->thd_id != 0);
}

static void test_root(void **state)
{
    lv l = { .t = { .body = body_root } };
    finish(run_lv(&l), &l.t);
}

/* Tcap Y is owned by RC, a child scheduler's rcv, which ends; after the
 * quiescence period a thread is made in RC's page.  Y, running a thread
 * scheduled by the root (RC is not on its chain), expires: the kernel must
 * not take that thread for RC. */
static void body_owner(ts *s)
{
    lv *l = L(s);
    cos_capid c = thread(s, L_TALLOC), rc = slot(s);
    uint64_t rc_page = kpage(s);
    EXPECT_ERR(s, cos_rcv_alloc(COS_BOOT_KMEM, rc_page, rc, c, 0, ROOT), COS_OK);
    l->page = kpage(s);
    l->at = slot(s);
    EXPECT_ERR(s, cos_switch(c, 0, 0, 0, 0, 0), COS_OK);      /* it makes Y and exits */
    drain_events();
    uint64_t rco = obj_of(s, rc), y = obj_of(s, l->at);
    EXPECT_EQ(s, K_OBJ(s->k, k_tcap_o, y)->owner, rco);
    EXPECT_ERR(s, cos_cap_remove(COS_BOOT_CAPTBL, rc), COS_OK);
    EXPECT_ERR(s, cos_cap_remove(COS_BOOT_CAPTBL, c), COS_OK);
    EXPECT_TRUE(s, !alive(s, rco, COS_CAP_RCV));
    cos_capid t = thread(s, L_COMPUTE), rt = rcv(s, t, l->at);
    EXPECT_ERR(s, cos_tcap_transfer(COS_BOOT_TCAP(0), rt, 20000, 0), COS_OK);
    cos_compute(QUIESCE_WAIT);
    EXPECT_ERR(s, cos_thd_alloc(COS_BOOT_KMEM, rc_page, slot(s), COS_BOOT_COMP, L_EXIT, (cos_word)s), COS_OK);
    EXPECT_TRUE(s, alive(s, rco, COS_CAP_THREAD));              /* the same address, now a thread */
    uint64_t expiries = s->k->st.expiries;
    EXPECT_ERR(s, cos_switch(t, l->at, 0, 0, 0, 0), COS_OK);   /* 20,000 cycles, then the root again */
    EXPECT_EQ(s, s->k->st.expiries, expiries + 1);
    EXPECT_TRUE(s, !s->w_done);
}

static void test_owner(void **state)
{
    lv l = { .t = { .body = body_owner } };
    finish(run_lv(&l), &l.t);
}

/* Core 1 idles in X's domain (the last thread to run there was in X) when X
 * and its domain end: the core must not keep the dead domain as loaded. */
static void body1_domain(ts *s)
{
    lv *l = L(s);
    wait_step(s, 1);
    /* a thread with no scheduler (made by one with no rcv), waiting in X on
     * a root-level rcv of its own: once this init thread waits too, the
     * core idles after each of its wake-ups, in X's domain */
    cos_capid m = thread(s, L_MAKER);
    l->thd2 = slot(s);
    l->page = kpage(s);
    EXPECT_ERR(s, cos_switch(m, 0, 0, 0, 0, 0), COS_OK);      /* M makes T in X and runs it; T waits */
    s->step = 2;
    EXPECT_ERR(s, cos_rcv(COS_BOOT_RCV(1), 0).err, COS_OK);     /* core 1 idles; core 0 wakes it at the end */
    EXPECT_TRUE(s, s->k->core[1].pd == 0 || alive(s, s->k->core[1].pd, COS_CAP_PGTBL));
    s->step = 4;
}

static void body_domain(ts *s)
{
    lv *l = L(s);
    bt_comp x = component(s);
    s->comp = x.comp;
    l->at = x.captbl;
    l->vslot = x.next_slot;
    uint64_t pt = obj_of(s, x.pgtbl);
    s->step = 1;
    wait_step(s, 2);
    cos_capid a = asnd(s, l->rcv2);
    EXPECT_ERR(s, cos_asnd(a, false), COS_OK);          /* T wakes on core 1, in X, and waits again */
    cos_compute(QUIESCE_WAIT);
    EXPECT_EQ(s, l->wakes, 1);
    EXPECT_EQ(s, s->k->core[1].pd, pt);                 /* core 1 idles in X's domain */
    /* T, its rcv, X and X's domain go */
    EXPECT_ERR(s, cos_cap_remove(COS_BOOT_CAPTBL, a), COS_OK);
    EXPECT_ERR(s, cos_cap_remove(COS_BOOT_CAPTBL, l->rcv2), COS_OK);
    EXPECT_ERR(s, cos_cap_remove(x.captbl, l->vslot), COS_OK);
    EXPECT_ERR(s, cos_cap_remove(COS_BOOT_CAPTBL, l->thd2), COS_OK);
    EXPECT_ERR(s, cos_cap_remove(COS_BOOT_CAPTBL, x.comp), COS_OK);
    EXPECT_ERR(s, cos_cap_remove(COS_BOOT_CAPTBL, x.pgtbl), COS_OK);
    EXPECT_TRUE(s, !alive(s, pt, COS_CAP_PGTBL));
    EXPECT_TRUE(s, s->k->core[1].pd == 0 || alive(s, s->k->core[1].pd, COS_CAP_PGTBL));
    /* wake core 1's init thread */
    cos_capid a1 = asnd(s, COS_BOOT_RCV(1));
    EXPECT_ERR(s, cos_asnd(a1, false), COS_OK);
    wait_step(s, 4);
}

static void test_domain(void **state)
{
    lv l = { .t = { .body = body_domain, .body1 = body1_domain } };
    finish(run_lv(&l), &l.t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_server_x86), cmocka_unit_test(test_server_a9), cmocka_unit_test(test_server_m7),
        cmocka_unit_test(test_chain),      cmocka_unit_test(test_chain_m7),  cmocka_unit_test(test_home),
        cmocka_unit_test(test_rcv),        cmocka_unit_test(test_rcv_inside), cmocka_unit_test(test_sched_rcv),
        cmocka_unit_test(test_inflight),   cmocka_unit_test(test_tcap),      cmocka_unit_test(test_root),
        cmocka_unit_test(test_owner),      cmocka_unit_test(test_domain),
    };
    (void)images;   /* kernel_body.h's image: this file has its own */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
