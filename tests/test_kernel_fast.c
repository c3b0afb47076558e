/* tests/test_kernel_fast.c: each fast-path twin (kernel/fast/fast.c) and the
 * simulated kernel agree.
 *
 * The twins are what the kernel's instruction counts come from
 * (kernel/path_counts.h, scripts/path-counts.py); they count the right
 * thing only while they do what the simulated kernel does.  Built here for
 * the host (KF_HOSTED: a physical address is an offset into the simulated
 * RAM), they run on the simulated kernel's own objects, next to the
 * simulated code they are the twins of, on the x86_64 preset:
 *
 * - capability lookup (k_cap / kf_cap): the same error, slot and object
 *   for a sinv, a thread and the boot capabilities, a wrong type, an empty
 *   slot, an unexpanded level-1 entry and an id past the table;
 * - putting a capability in a slot (k_ct_activate / kf_mgmt): the same
 *   error and the same slot afterwards, free or taken;
 * - invocation and return (k_inv_sinv, k_inv_sret / kf_inv, kf_ret): the
 *   same thread object (depth, invocation stack, component), the same
 *   server `active` count, the same domain loaded and ASID record;
 * - the tcap order (k_tcap_higher / kf_tcap_higher) over delegation
 *   lists that share none, one or two schedulers, in either order, equal
 *   priorities, an empty budget, the same tcap and no tcap;
 * - the thread switch (k_thd_dispatch / kf_switch): the same current
 *   thread and tcap, for a target with and without a tcap of its own;
 * - the dispatch checks (k_thd_switch / kf_dispatch): the same verdict for
 *   an exited, a blocked and a runnable target, an empty tcap, a priority
 *   out of range, a priority with no tcap to hold it, a scheduler's
 *   dispatch with tcap, priority and token, a stale and a current token, a
 *   timeout without the rcv;
 * - receive, send and the scheduling event (k_rcv_receive, k_rcv_activate,
 *   k_thd_queue_event / kf_recv, kf_send, kf_event): the same thread
 *   state, wait, pending count and count handed to the woken thread, the
 *   same event list and token;
 * - accounting (k_tcap_account / kf_acct): the same budget left, cycles
 *   noted for the thread and start of the next charge;
 * - the user-level dispatch (k_thd_ul_switch / kf_ul_dispatch): the same
 *   verdict for the caller itself, a thread of another component, a
 *   blocked one, one with another tcap and one that may run, and the same
 *   current-thread word after;
 * - an interrupt (k_hwcap_irq / kf_irq): the same rcv activated for a bound
 *   line, none for an unbound one or one past the table;
 * - a cross-core send (k_xcore_send / kf_ipi): the same ring afterwards.
 *
 * Each case snapshots the objects involved, runs the twin, keeps what it
 * left, restores the snapshot and runs the simulated code (outside a kernel
 * path: the charges it makes go nowhere), then compares.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>
#include "kernel_fixture.h"
#include "components/lib/booter.h"
#include "kernel/internal.h"
#include "kernel/cap.h"
#include "kernel/inv.h"
#include "kernel/rcv.h"
#include "kernel/tcap.h"
#include "kernel/thd.h"
#include "kernel/hwcap.h"
#include "kernel/xcore.h"
#include "kernel/fast/fast.h"

unsigned char *kf_ram;      /* fast.h: the simulated RAM the twins read */

/* What the booter made (its capabilities in the boot table). */
static struct {
    cos_err err;
    cos_capid sinv, t2, t3, tcap, rcv;
} B;

static cos_word f_idle(cos_thdid caller, cos_word a0, cos_word a1, cos_word a2, cos_word a3)
{
    (void)caller, (void)a0, (void)a1, (void)a2, (void)a3;
    return 0;
}

#define BCHECK(x) do { cos_err e_ = (x); if (e_) { B.err = (cos_err)(e_ << 16 | __LINE__); return 0; } } while (0)

/* A server component, an invocation of it, two threads of the boot
 * component (T2 with an rcv under a tcap of its own, T3), then the booter
 * returns: the machine is idle and the test works on what is there. */
static cos_word f_boot(cos_thdid caller, cos_word core, cos_word a1, cos_word a2, cos_word a3)
{
    (void)caller, (void)a1, (void)a2, (void)a3;
    if (core != 0)
        return 0;
    bt b;
    bt_comp server;
    BCHECK(bt_init(&b));
    BCHECK(bt_comp_new(&b, 0, 1, &server));
    BCHECK(bt_sinv_own(&b, &server, 1, &B.sinv));
    BCHECK(bt_thd(&b, &BT_SELF, 1, 0, &B.t2));
    BCHECK(bt_thd(&b, &BT_SELF, 1, 0, &B.t3));
    BCHECK(bt_tcap(&b, &B.tcap));
    BCHECK(bt_rcv(&b, B.t2, B.tcap, COS_BOOT_RCV(0), &B.rcv));
    BCHECK(cos_tcap_transfer(COS_BOOT_TCAP(0), B.rcv, 50000, 3));
    return 0;
}

static const cos_entry_fn entries[] = { f_boot, f_idle };
static const cos_image image = { "fast-test", entries, 2 };
static const cos_image *const images[] = { &image };

/* ---- the fixture ------------------------------------------------------------ */

typedef struct fx {
    kfx *f;
    k_kernel *k;
    k_core *c;
    uint64_t boot;          /* the boot component's object */
    uint64_t t2, t3, sinv, tcap, rcv, root_tcap;
} fx;

static uint64_t obj_of(fx *x, cos_capid id)
{
    k_captbl ct = { .root = K_OBJ(x->k, k_comp_o, x->boot)->captbl };
    k_slot s;
    assert_int_equal(k_ct_peek(&x->k->mem, &ct, id, &s), COS_OK);
    return s.obj;
}

static int setup(void **state)
{
    memset(&B, 0, sizeof B);
    fx *x = g_new0(fx, 1);
    x->f = kfx_new_mem("x86_64", UINT64_C(16) << 20, images, 1, 0, 0, false);
    kfx_run(x->f, SIM_MS);
    assert_int_equal(B.err, COS_OK);
    x->k = x->f->k;
    x->c = &x->k->core[0];
    kf_ram = hwmem_ram(x->k->h->mem, 0);
    k_thread *booter = g_ptr_array_index(x->k->threads, 0);
    x->boot = K_OBJ(x->k, k_thd_o, booter->obj)->home;
    x->t2 = obj_of(x, B.t2);
    x->t3 = obj_of(x, B.t3);
    x->sinv = obj_of(x, B.sinv);
    x->tcap = obj_of(x, B.tcap);
    x->rcv = obj_of(x, B.rcv);
    x->root_tcap = obj_of(x, COS_BOOT_TCAP(0));
    *state = x;
    return 0;
}

static int teardown(void **state)
{
    fx *x = *state;
    kfx_free(x->f);
    g_free(x);
    return 0;
}

/* The simulated kernel's code runs as if a path began now. */
static k_core *path(fx *x)
{
    k_core *c = x->c;
    c->now = sim_now(x->k->s);
    c->cycles = 0;
    return c;
}

/* The twins' per-core block, from the simulated core's host state. */
static kf_cpu cpu_of(fx *x, kf_word *frame)
{
    k_core *c = x->c;
    return (kf_cpu){ .pd = c->pd, .asid_owner = &x->k->asid_owner[(size_t)c->id * x->k->nasids],
                     .tcap_since = k_cycles_at(x->k, c->tcap_since), .frame = frame, .id = c->id,
                     .hwtbl = x->k->hwtbl, .nlines = x->k->nlines };
}

/* Snapshots of objects (and host words) a case may change. */
#define SNAP_MAX 8
typedef struct snap {
    unsigned n;
    void *at[SNAP_MAX];
    size_t len[SNAP_MAX];
    unsigned char *copy[SNAP_MAX];
} snap;

static void snap_add(snap *s, void *at, size_t len)
{
    assert_true(s->n < SNAP_MAX);
    s->at[s->n] = at;
    s->len[s->n] = len;
    s->copy[s->n] = g_memdup2(at, len);
    s->n++;
}

static void snap_obj(snap *s, fx *x, uint64_t obj, size_t len)
{
    snap_add(s, K_OBJ(x->k, unsigned char, obj), len);
}

static void snap_restore(snap *s)
{
    for (unsigned i = 0; i < s->n; i++)
        memcpy(s->at[i], s->copy[i], s->len[i]);
}

static void snap_free(snap *s)
{
    for (unsigned i = 0; i < s->n; i++)
        g_free(s->copy[i]);
    s->n = 0;
}

/* ---- capability lookup and a capability put in a slot ------------------------ */

static void test_cap(void **state)
{
    fx *x = *state;
    k_comp_o *boot = K_OBJ(x->k, k_comp_o, x->boot);
    const struct { cos_capid id; cos_cap_type type; } cases[] = {
        { B.sinv, COS_CAP_SINV }, { B.sinv, COS_CAP_THREAD }, { B.sinv, COS_CAP_FREE },
        { B.t2, COS_CAP_THREAD }, { B.rcv, COS_CAP_RCV }, { B.tcap, COS_CAP_TCAP },
        { COS_BOOT_CAPTBL, COS_CAP_CAPTBL }, { COS_BOOT_COMP, COS_CAP_COMP }, { COS_BOOT_RCV(0), COS_CAP_RCV },
        { 300, COS_CAP_THREAD },        /* an empty slot */
        { 5 * K_CT_L2 + 1, COS_CAP_FREE },  /* a level-1 entry with no level-2 page */
        { K_CT_MAX, COS_CAP_FREE },     /* past the table */
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        k_slot ks = { 0 }, fs = { 0 };
        cos_err ke = k_cap(path(x), x->boot, cases[i].id, cases[i].type, &ks);
        cos_err fe = kf_cap(boot, cases[i].id, cases[i].type, &fs);
        if (ke != fe || memcmp(&ks, &fs, sizeof ks) != 0)
            fail_msg("capability %u as type %d: kernel %s (type %u, object %#llx), twin %s (type %u, object %#llx)",
                     cases[i].id, cases[i].type, cos_err_name(ke), ks.type, (unsigned long long)ks.obj,
                     cos_err_name(fe), fs.type, (unsigned long long)fs.obj);
    }
}

static void test_mgmt(void **state)
{
    fx *x = *state;
    k_kernel *k = x->k;
    k_comp_o *boot = K_OBJ(k, k_comp_o, x->boot);
    uint64_t l2 = ((uint64_t *)k_ram(k, boot->captbl))[1];  /* slots 256-511 */
    /* free slots 302 and 303 with flags left, freed just now and long ago */
    k_slot *sl = K_OBJ(k, k_slot, l2);
    assert_int_equal(sl[302 - 256].type, COS_CAP_FREE);
    assert_int_equal(sl[303 - 256].type, COS_CAP_FREE);
    sl[302 - 256] = (k_slot){ .flags = 5, .epoch = 2, .obj = sim_now(k->s) };
    sl[303 - 256] = (k_slot){ .flags = 5, .epoch = 2, .obj = 1 };
    /* free, taken, no level-2 page, in quiescence, past it */
    const cos_capid ids[] = { 301, B.t2, 5 * K_CT_L2, 302, 303 };
    const cos_err want[] = { COS_OK, COS_EEXIST, COS_ENOENT, COS_EQUIESCE, COS_OK };
    for (size_t i = 0; i < G_N_ELEMENTS(ids); i++) {
        snap s = { 0 };
        snap_obj(&s, x, l2, COS_PAGE_SIZE);
        k_core *c = path(x);
        uint64_t arg[3] = { x->t3, c->now, k->mem.quiescence };
        cos_err fe = kf_mgmt(boot, ids[i], COS_CAP_THREAD, arg);
        unsigned char *after = g_memdup2(k_ram(k, l2), COS_PAGE_SIZE);
        snap_restore(&s);
        k_captbl ct = { .root = boot->captbl };
        cos_err ke = k_ct_activate(&k->mem, &ct, c->id, ids[i], COS_CAP_THREAD, x->t3, c->now, &c->cycles);
        assert_int_equal(fe, ke);
        assert_int_equal(ke, want[i]);
        assert_memory_equal(after, k_ram(k, l2), COS_PAGE_SIZE);
        snap_restore(&s);
        snap_free(&s);
        g_free(after);
    }
}

/* ---- invocation and return ------------------------------------------------------ */

static void test_inv_ret(void **state)
{
    fx *x = *state;
    k_kernel *k = x->k;
    k_thread *t = k_thread_of(k, x->t2);
    k_thd_o *th = K_OBJ(k, k_thd_o, x->t2);
    uint64_t server = K_OBJ(k, k_sinv_o, x->sinv)->comp;
    uint64_t *owners = &k->asid_owner[(size_t)x->c->id * k->nasids];
    for (unsigned step = 0; step < 2; step++) {     /* the invocation, then the return */
        snap s = { 0 };
        snap_obj(&s, x, x->t2, sizeof(k_thd_o));
        snap_obj(&s, x, server, sizeof(k_comp_o));
        snap_add(&s, owners, k->nasids * sizeof *owners);
        uint64_t pd = x->c->pd;
        kf_cpu cpu = cpu_of(x, NULL);
        uint32_t r = step == 0 ? kf_inv(th, K_OBJ(k, k_sinv_o, x->sinv), &cpu) : kf_ret(th, &cpu);
        k_thd_o twin = *th;
        uint32_t twin_active = K_OBJ(k, k_comp_o, server)->active;
        uint64_t *twin_owners = g_memdup2(owners, k->nasids * sizeof *owners);
        snap_restore(&s);
        x->c->pd = pd;
        if (step == 0) {
            t->cap = B.sinv;
            cos_ret kr = k_inv_sinv(path(x), t, th);
            assert_int_equal(kr.err, COS_OK);
            assert_ptr_equal(t->fn_up, image.entries[r]);     /* the same entry */
            t->upcall = false;
        } else {
            k_inv_sret(path(x), t, 0);
            assert_int_equal(r, 0);                             /* the server was not kept */
        }
        assert_int_equal(twin.depth, th->depth);
        assert_int_equal(twin.comp, th->comp);
        assert_memory_equal(twin.inv, th->inv, sizeof th->inv);
        assert_int_equal(twin_active, K_OBJ(k, k_comp_o, server)->active);
        assert_int_equal(cpu.pd, x->c->pd);
        assert_memory_equal(twin_owners, owners, k->nasids * sizeof *owners);
        snap_free(&s);
        g_free(twin_owners);
    }
    assert_int_equal(th->depth, 0);
}

/* ---- the tcap order ------------------------------------------------------------ */

typedef struct tcase {
    uint64_t budget_a;
    unsigned na, nb;
    uint64_t sa[3], sb[3];      /* schedulers (1, 2, 3 stand for three rcvs) */
    uint32_t pa[3], pb[3];
} tcase;

static void set_tcap(fx *x, uint64_t tc, uint64_t budget, unsigned n, const uint64_t *sched, const uint32_t *prio)
{
    k_tcap_o *o = K_OBJ(x->k, k_tcap_o, tc);
    o->budget = budget;
    o->ndelegs = n;
    for (unsigned i = 0; i < n; i++) {
        o->deleg[i].sched = x->rcv + 64 * sched[i];
        o->deleg[i].prio = prio[i];
    }
}

static void test_tcap_higher(void **state)
{
    fx *x = *state;
    k_kernel *k = x->k;
    const tcase cases[] = {
        { 100, 1, 1, { 1 }, { 1 }, { 3 }, { 5 } },               /* one shared, a ranks higher */
        { 100, 1, 1, { 1 }, { 1 }, { 5 }, { 3 } },               /* one shared, b ranks higher */
        { 100, 1, 1, { 1 }, { 1 }, { 4 }, { 4 } },               /* equal */
        { 100, 1, 1, { 1 }, { 2 }, { 9 }, { 1 } },               /* none shared */
        { 100, 2, 2, { 1, 2 }, { 1, 2 }, { 3, 3 }, { 5, 5 } },   /* two shared */
        { 100, 2, 2, { 1, 2 }, { 2, 1 }, { 3, 9 }, { 1, 5 } },   /* two shared, crossed, one against */
        { 100, 3, 2, { 3, 1, 2 }, { 2, 1 }, { 0, 3, 3 }, { 4, 5 } },
        { 0, 1, 1, { 1 }, { 1 }, { 1 }, { 5 } },                 /* no budget */
    };
    snap s = { 0 };
    snap_obj(&s, x, x->tcap, sizeof(k_tcap_o));
    snap_obj(&s, x, x->root_tcap, sizeof(k_tcap_o));
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        const tcase *tc = &cases[i];
        set_tcap(x, x->tcap, tc->budget_a, tc->na, tc->sa, tc->pa);
        set_tcap(x, x->root_tcap, 100, tc->nb, tc->sb, tc->pb);
        const k_tcap_o *a = K_OBJ(k, k_tcap_o, x->tcap), *b = K_OBJ(k, k_tcap_o, x->root_tcap);
        if (k_tcap_higher(path(x), x->tcap, x->root_tcap) != (kf_tcap_higher(a, b) != 0))
            fail_msg("case %zu: a over b, kernel and twin differ", i);
        if (k_tcap_higher(path(x), x->root_tcap, x->tcap) != (kf_tcap_higher(b, a) != 0))
            fail_msg("case %zu: b over a, kernel and twin differ", i);
        assert_int_equal(k_tcap_higher(path(x), x->tcap, x->tcap), kf_tcap_higher(a, a) != 0);
        assert_int_equal(k_tcap_higher(path(x), x->tcap, 0), kf_tcap_higher(a, NULL) != 0);
        assert_int_equal(k_tcap_higher(path(x), 0, x->tcap), kf_tcap_higher(NULL, a) != 0);
    }
    snap_restore(&s);
    snap_free(&s);
}

/* ---- the thread switch and the dispatch checks ---------------------------------- */

static void test_switch(void **state)
{
    fx *x = *state;
    k_kernel *k = x->k;
    k_core *c = x->c;
    k_thread *was = c->next;
    k_core_o *co = K_OBJ(k, k_core_o, c->page);
    for (unsigned own_tcap = 0; own_tcap < 2; own_tcap++) {
        snap s = { 0 };
        snap_obj(&s, x, c->page, sizeof *co);
        snap_obj(&s, x, x->t2, sizeof(k_thd_o));
        snap_obj(&s, x, x->t3, sizeof(k_thd_o));
        k_thd_dispatch(path(x), x->t2);            /* T2 runs */
        K_OBJ(k, k_thd_o, x->t3)->tcap = own_tcap ? x->tcap : 0;
        k_core_o before = *co;
        kf_word frame[KF_REGS_WORDS] = { 0 };
        kf_cpu cpu = cpu_of(x, frame);
        kf_switch(co, K_OBJ(k, k_thd_o, x->t2), K_OBJ(k, k_thd_o, x->t3), &cpu);
        k_core_o twin = *co;
        *co = before;
        k_thd_dispatch(path(x), x->t3);
        assert_int_equal(twin.cur_thd, co->cur_thd);
        assert_int_equal(twin.cur_tcap, co->cur_tcap);
        assert_int_equal(co->cur_thd, x->t3);
        snap_restore(&s);
        snap_free(&s);
        c->next = was;
    }
}

static void test_dispatch(void **state)
{
    fx *x = *state;
    k_kernel *k = x->k;
    k_core *c = x->c;
    k_thread *was = c->next;
    k_thread *t = k_thread_of(k, x->t2);
    uint64_t token = K_OBJ(k, k_rcv_o, x->rcv)->token;
    const struct { uint32_t state; uint64_t budget; cos_word a[5]; } cases[] = {
        { K_THD_RUNNABLE, 100, { 0 } },
        { K_THD_RUNNABLE, 100, { B.tcap, 0, 0, 0, 0 } },
        { K_THD_RUNNABLE, 0, { B.tcap, 0, 0, 0, 0 } },                  /* an empty tcap */
        { K_THD_RUNNABLE, 100, { 0, COS_PRIO_MIN + 1, 0, 0, 0 } },      /* priority out of range */
        { K_THD_RUNNABLE, 100, { 0, COS_PRIO_MIN, 0, 0, 0 } },          /* a priority for no tcap */
        { K_THD_RUNNABLE, 100, { B.tcap, 3, 0, B.rcv, token } },        /* a scheduler's dispatch */
        { K_THD_RUNNABLE, 100, { B.tcap, 3, 0, 0, 0 } },                /* for the caller's own rcv */
        { K_THD_RUNNABLE, 100, { B.tcap, COS_PRIO_MIN, 0, B.rcv, token } },     /* the lowest priority */
        { K_THD_RUNNABLE, 100, { 0, 0, 0, B.rcv, token } },             /* the current token */
        { K_THD_RUNNABLE, 100, { 0, 0, 0, B.rcv, token + 1 } },         /* a stale one */
        { K_THD_RUNNABLE, 100, { 0, 0, 5000, 0, 0 } },                  /* a timeout with no rcv */
        { K_THD_BLOCKED_RCV, 100, { 0 } },
        { K_THD_EXITED, 100, { 0 } },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        snap s = { 0 };
        snap_obj(&s, x, c->page, sizeof(k_core_o));
        snap_obj(&s, x, x->t2, sizeof(k_thd_o));
        snap_obj(&s, x, x->t3, sizeof(k_thd_o));
        snap_obj(&s, x, x->tcap, sizeof(k_tcap_o));
        snap_obj(&s, x, x->rcv, sizeof(k_rcv_o));
        k_thd_dispatch(path(x), x->t2);            /* T2 runs, and switches to T3 */
        K_OBJ(k, k_thd_o, x->t3)->state = cases[i].state;
        K_OBJ(k, k_tcap_o, x->tcap)->budget = cases[i].budget;
        kf_call call = { .op = COS_OP_THD_SWITCH, .cap = B.t3, .thd = x->t2, .comp = x->boot, .core = c->page };
        memcpy(call.a, cases[i].a, sizeof call.a);
        cos_err fe = kf_dispatch(&call, K_OBJ(k, k_thd_o, x->t3), cases[i].a[0] ? K_OBJ(k, k_tcap_o, x->tcap) : NULL,
                                 cases[i].a[3] ? K_OBJ(k, k_rcv_o, x->rcv) : NULL);
        t->cap = B.t3;
        memcpy(t->a, cases[i].a, sizeof t->a);
        cos_err ke = k_thd_switch(path(x), t, K_OBJ(k, k_thd_o, x->t2)).err;
        if (fe != ke)
            fail_msg("case %zu: kernel %s, twin %s", i, cos_err_name(ke), cos_err_name(fe));
        if (ke == COS_OK)
            assert_int_equal(K_OBJ(k, k_core_o, c->page)->cur_thd, x->t3);
        snap_restore(&s);
        snap_free(&s);
        c->next = was;
    }
}

/* ---- receive, send, the scheduling event ----------------------------------------- */

static void test_recv_send_event(void **state)
{
    fx *x = *state;
    k_kernel *k = x->k;
    k_core *c = x->c;
    k_thread *was = c->next;
    k_thread *t = k_thread_of(k, x->t2);
    k_thd_o *th = K_OBJ(k, k_thd_o, x->t2);
    k_rcv_o *r = K_OBJ(k, k_rcv_o, x->rcv);
    uint64_t sched = th->sched;
    for (unsigned pending = 0; pending < 3; pending += 2) {
        snap s = { 0 };
        snap_obj(&s, x, x->t2, sizeof(k_thd_o));
        snap_obj(&s, x, x->rcv, sizeof(k_rcv_o));
        snap_obj(&s, x, sched, sizeof(k_rcv_o));
        snap_obj(&s, x, c->page, sizeof(k_core_o));
        k_thd_dispatch(path(x), x->t2);
        snap s2 = { 0 };
        snap_obj(&s2, x, x->t2, sizeof(k_thd_o));
        snap_obj(&s2, x, x->rcv, sizeof(k_rcv_o));
        /* receive: with `pending` sends waiting, or block */
        r->pending = pending;
        uint64_t taken = 0;
        uint32_t got = kf_recv(r, th, 0, &taken);
        k_thd_o twin_t = *th;
        k_rcv_o twin_r = *r;
        snap_restore(&s2);
        r->pending = pending;
        cos_ret kr = k_rcv_receive(path(x), t, x->rcv, false);
        assert_int_equal(got, pending != 0);
        if (pending)
            assert_int_equal(kr.r[0], taken);
        assert_int_equal(twin_t.state, th->state);
        assert_int_equal(twin_t.blocked_on, th->blocked_on);
        assert_int_equal(twin_r.pending, r->pending);
        if (pending == 0) {
            /* a send to the blocked T2 wakes it with the count */
            snap s3 = { 0 };
            snap_obj(&s3, x, x->t2, sizeof(k_thd_o));
            snap_obj(&s3, x, x->rcv, sizeof(k_rcv_o));
            r->pending = 1;
            assert_int_equal(kf_send(r), KF_SEND_WOKEN);
            k_thd_o twin_w = *th;
            k_rcv_o twin_wr = *r;
            snap_restore(&s3);
            r->pending = 1;
            k_rcv_activate(path(x), x->rcv, false);
            assert_int_equal(twin_w.state, th->state);
            assert_int_equal(twin_w.blocked_on, th->blocked_on);
            assert_int_equal(twin_wr.pending, r->pending);
            assert_int_equal(((kf_word *)twin_w.regs)[0], t->ret.r[0]);
            assert_int_equal(t->ret.r[0], 2);
            snap_free(&s3);
        }
        snap_restore(&s);
        snap_free(&s);
        snap_free(&s2);
        c->next = was;
    }
    /* the event: T3 appended to its scheduler's list, then noted again */
    uint64_t t3s = K_OBJ(k, k_thd_o, x->t3)->sched;
    for (unsigned round = 0; round < 2; round++) {
        snap s = { 0 };
        snap_obj(&s, x, x->t3, sizeof(k_thd_o));
        snap_obj(&s, x, t3s, sizeof(k_rcv_o));
        k_rcv_o *sr = K_OBJ(k, k_rcv_o, t3s);
        uint64_t tail = sr->ev_tail;
        if (tail)
            snap_obj(&s, x, tail, sizeof(k_thd_o));
        snap s2 = { 0 };
        for (unsigned i = 0; i < s.n; i++)
            snap_add(&s2, s.at[i], s.len[i]);
        kf_event(sr, K_OBJ(k, k_thd_o, x->t3), COS_SCHED_EV_WOKEN);
        k_thd_o twin_t = *K_OBJ(k, k_thd_o, x->t3);
        k_rcv_o twin_r = *sr;
        uint64_t twin_tail_next = tail ? K_OBJ(k, k_thd_o, tail)->ev_next : 0;
        snap_restore(&s2);
        k_thd_queue_event(path(x), t3s, x->t3, COS_SCHED_EV_WOKEN);
        k_thd_o *t3 = K_OBJ(k, k_thd_o, x->t3);
        assert_int_equal(twin_t.ev_flags, t3->ev_flags);
        assert_int_equal(twin_t.ev_queued, t3->ev_queued);
        assert_int_equal(twin_t.ev_next, t3->ev_next);
        assert_int_equal(twin_r.token, sr->token);
        assert_int_equal(twin_r.ev_head, sr->ev_head);
        assert_int_equal(twin_r.ev_tail, sr->ev_tail);
        if (tail)
            assert_int_equal(twin_tail_next, K_OBJ(k, k_thd_o, tail)->ev_next);
        snap_free(&s2);
        if (round == 1) {
            snap_restore(&s);     /* the list's reference stays taken: the retype table is not the twin's */
        }
        snap_free(&s);
    }
}

/* ---- accounting ------------------------------------------------------------------ */

static void test_acct(void **state)
{
    fx *x = *state;
    k_kernel *k = x->k;
    k_core *c = x->c;
    k_thread *was = c->next;
    const uint64_t budgets[] = { 100000, 10, COS_BUDGET_INF };
    for (size_t i = 0; i < G_N_ELEMENTS(budgets); i++) {
        snap s = { 0 };
        snap_obj(&s, x, c->page, sizeof(k_core_o));
        snap_obj(&s, x, x->t2, sizeof(k_thd_o));
        snap_obj(&s, x, x->tcap, sizeof(k_tcap_o));
        K_OBJ(k, k_thd_o, x->t2)->tcap = x->tcap;
        k_thd_dispatch(path(x), x->t2);            /* T2 runs under its tcap */
        K_OBJ(k, k_tcap_o, x->tcap)->budget = budgets[i];
        sim_time_t since = c->tcap_since;
        k_core *p = path(x);
        p->now = since + hw_ps(k->h, 1000);        /* 1,000 cycles later */
        kf_cpu cpu = cpu_of(x, NULL);
        uint64_t now = k_cycles_at(k, p->now);
        uint64_t cycles_before = K_OBJ(k, k_thd_o, x->t2)->ev_cycles;
        kf_acct(K_OBJ(k, k_core_o, c->page), &cpu, &now);
        uint64_t twin_budget = K_OBJ(k, k_tcap_o, x->tcap)->budget;
        uint64_t twin_cycles = K_OBJ(k, k_thd_o, x->t2)->ev_cycles;
        K_OBJ(k, k_tcap_o, x->tcap)->budget = budgets[i];
        K_OBJ(k, k_thd_o, x->t2)->ev_cycles = cycles_before;
        k_tcap_account(p);
        assert_int_equal(twin_cycles - cycles_before, 1000);
        assert_int_equal(twin_budget, K_OBJ(k, k_tcap_o, x->tcap)->budget);
        assert_int_equal(twin_cycles, K_OBJ(k, k_thd_o, x->t2)->ev_cycles);
        assert_int_equal(cpu.tcap_since, k_cycles_at(k, c->tcap_since));
        c->tcap_since = since;
        snap_restore(&s);
        snap_free(&s);
        c->next = was;
    }
}

/* ---- the user-level dispatch ------------------------------------------------------ */

static void test_ul_dispatch(void **state)
{
    fx *x = *state;
    k_kernel *k = x->k;
    k_core *c = x->c;
    k_thread *was = c->next, *was_cur = c->cur;
    uint64_t server = K_OBJ(k, k_sinv_o, x->sinv)->comp;
    enum { SELF, OTHER_COMP, BLOCKED, OTHER_TCAP, OWN_TCAP, FINE, CASES };
    for (unsigned i = 0; i < CASES; i++) {
        snap s = { 0 };
        snap_obj(&s, x, c->page, sizeof(k_core_o));
        snap_obj(&s, x, x->t2, sizeof(k_thd_o));
        snap_obj(&s, x, x->t3, sizeof(k_thd_o));
        k_thd_dispatch(path(x), x->t2);            /* T2 runs, under the root tcap */
        c->cur = c->next;
        k_thd_o *t3 = K_OBJ(k, k_thd_o, x->t3);
        k_core_o *co = K_OBJ(k, k_core_o, c->page);
        co->cur_tcap = x->root_tcap;
        if (i == OTHER_COMP)
            t3->comp = server;
        if (i == BLOCKED)
            t3->state = K_THD_BLOCKED_RCV;
        if (i == OTHER_TCAP || i == OWN_TCAP)
            t3->tcap = i == OTHER_TCAP ? x->tcap : x->root_tcap;
        k_core_o before = *co;
        kf_word frame[KF_REGS_WORDS] = { 0 };
        kf_cpu cpu = cpu_of(x, frame);
        uint32_t ok = kf_ul_dispatch(co, K_OBJ(k, k_thd_o, x->t2), i == SELF ? K_OBJ(k, k_thd_o, x->t2) : t3, &cpu);
        uint64_t twin_cur = co->cur_thd;
        *co = before;
        k_thread *t = k_thread_of(k, x->t2);
        t->a[0] = i == SELF ? B.t2 : B.t3;
        k_thd_ul_switch(c, t);
        if ((t->ret.err == COS_OK) != (ok != 0))
            fail_msg("case %u: kernel %s, twin %s", i, cos_err_name(t->ret.err), ok ? "dispatches" : "refuses");
        assert_int_equal(twin_cur, co->cur_thd);
        assert_int_equal(ok, i == OWN_TCAP || i == FINE);
        c->ul_dirty = false;
        snap_restore(&s);
        snap_free(&s);
        c->next = was;
        c->cur = was_cur;
    }
}

/* ---- an interrupt, a cross-core send ------------------------------------------------- */

static void test_irq_ipi(void **state)
{
    fx *x = *state;
    k_kernel *k = x->k;
    k_core *c = x->c;
    k_thread *was = c->next;
    uint64_t *table = k_ram(k, k->hwtbl);
    k_rcv_o *r = K_OBJ(k, k_rcv_o, x->rcv);
    const unsigned lines[] = { 3, 4, k->nlines };       /* bound, unbound, past the table */
    assert_true((k->nlines + 1) * 8 <= COS_PAGE_SIZE);  /* the LAPIC's 256 vectors: half a page */
    for (size_t i = 0; i < G_N_ELEMENTS(lines); i++) {
        snap s = { 0 };
        snap_add(&s, table, ((size_t)k->nlines + 1) * 8);
        snap_obj(&s, x, x->rcv, sizeof(k_rcv_o));
        snap_obj(&s, x, x->t2, sizeof(k_thd_o));
        snap_obj(&s, x, c->page, sizeof(k_core_o));
        table[3] = x->rcv;
        table[k->nlines] = x->rcv;      /* the word past the table (the same page): never read */
        volatile uint32_t ack = lines[i], eoi = UINT32_MAX;
        kf_cpu cpu = cpu_of(x, NULL);
        cpu.irq_ack = &ack;
        cpu.irq_eoi = &eoi;
        uint64_t got = kf_irq(&cpu);
        assert_int_equal(eoi, lines[i]);
        uint64_t pending = r->pending;
        k_hwcap_irq(path(x), lines[i]);
        assert_int_equal(got, i == 0 ? x->rcv : 0);
        assert_int_equal(r->pending, pending + (got != 0));
        snap_restore(&s);
        snap_free(&s);
        c->next = was;
    }
    /* core 0 -> core 1: the ring's indices and slot */
    uint64_t ring = k->core[1].ring + (uint64_t)c->id * sizeof(k_ring);
    for (unsigned n = 0; n < K_RING_SLOTS + 1; n++) {
        k_ring before = *K_OBJ(k, k_ring, ring);
        volatile uint32_t ipi = 0;
        kf_cpu cpu = cpu_of(x, NULL);
        cpu.ipi_send = &ipi;
        uint64_t word = x->rcv;
        uint32_t put = kf_ipi(K_OBJ(k, k_ring, ring), &word, &cpu, 1);
        k_ring twin = *K_OBJ(k, k_ring, ring);
        *K_OBJ(k, k_ring, ring) = before;
        cos_err room = k_xcore_send_check(path(x), 1);
        if (room == COS_OK)
            k_xcore_send(path(x), 1, x->rcv);
        assert_int_equal(put, room == COS_OK);
        assert_int_equal(put, n < K_RING_SLOTS);       /* six slots, the seventh refused */
        assert_memory_equal(&twin, K_OBJ(k, k_ring, ring), sizeof twin);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_cap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mgmt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_inv_ret, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tcap_higher, setup, teardown),
        cmocka_unit_test_setup_teardown(test_switch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dispatch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_recv_send_event, setup, teardown),
        cmocka_unit_test_setup_teardown(test_acct, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ul_dispatch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_irq_ipi, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
