/* tests/adversary.c: adversarial components against the kernel (adversary.h
 * names its two drivers).
 *
 * A booter builds NADV components, each with its own capability table,
 * address space (two user pages at addresses of its own on MMU machines, or
 * two MPU regions), a thread with a receive endpoint under the root
 * scheduler, a narrowed range of untyped memory (KMEM_PAGES pages), sends
 * to every adversary's endpoint, an invocation of the next component, and
 * a tcap.  Each adversary then issues system calls with random operation
 * numbers, random capability ids and random arguments (biased towards the
 * small numbers that name real things), from a seeded generator, in bursts,
 * blocking on its endpoint between bursts; the booter, as the root
 * scheduler, drains its events and switches to the adversaries in turn,
 * waking blocked ones with a send.  Also random loads and stores (MMU
 * machines): inside their own two pages they must succeed, outside they
 * must fault.
 *
 * The deep mode (issue 19, item 2: what a thread is inside or waits on)
 * adds to each adversary a chain of NSRV servers of its own, each
 * referenced only by the one sinv that leads to it (the last leads back to
 * the first), each holding the tables of the whole chain, its adversary's
 * rcv and tcap: a thread that enters the chain makes random calls inside
 * each server, above all removals and copies in the chain's tables (the
 * sinvs it came through among them), goes deeper with probability 3/4 (up
 * to the invocation stack's 16), and sometimes waits inside on its own rcv.
 * Each adversary also spawns victims in its own memory (a thread, its rcv
 * under the adversary's, a tcap of infinite budget), copies their rcvs into
 * its servers' tables and runs them: they enter the chain and wait there,
 * or at home; or, running, let go of their tcap and rcv and switch
 * themselves to another tcap, or of their own thread capability and rcv;
 * the adversary removes their rcvs, tcaps and threads while they wait, and
 * the booter always dispatches an adversary under its own tcap.  The seeded
 * test runs it in rounds of KADV_ROUND_CALLS calls, each on a freshly
 * booted kernel (removals wear a world down).  How often each state was
 * reached is counted (kadv_reached): the test prints the figures and
 * requires each at least once.
 *
 * Checked: the kernel's invariant checker after every kernel path (the
 * kernel's check mode; any failure counts), nothing crashes (the sanitizer
 * build runs this too), no load or store reaches memory outside the
 * component's pages, and at the end every capability in an adversary's
 * table (or, in the deep mode, any table of its chain) names an object
 * given to it (to its chain) at boot or made in its own memory, and its
 * memory capabilities lie inside its own range.  And decode, then invoke: a
 * refused call changes nothing (the kernel's state fingerprinted before
 * and after it, tests/kernel_state.h, when no other kernel path ran in
 * between; every stride-th call).
 *
 * The seeded draws (splitmix64) or the fuzzer's bytes (adversary.h) pick
 * every operation, capability and argument; a tape's draws follow the same
 * code paths, so what one driver reaches the other can.
 */
#include "adversary.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "kernel_fixture.h"
#include "kernel/internal.h"
#include "kernel_state.h"
#include "components/lib/booter.h"

#define NADV KADV_NADV
#define NSRV 4u             /* deep: servers on each adversary's chain */
#define VICS 3u             /* deep: victims each adversary has at a time */
#define KMEM_PAGES 24u
#define BURST 24u
#define MEM_SIZE (UINT64_C(16) << 20)

/* slots in each adversary's own table */
enum { A_CAPTBL = 1, A_PGTBL, A_COMP, A_KMEM, A_RCV, A_THD, A_TCAP, A_SINV, A_ASND0,
       A_CHAIN = A_ASND0 + NADV,   /* deep: the sinv to its chain's first server */
       A_SCT0,                     /* deep: its servers' tables */
       A_VIC0 = A_SCT0 + NSRV,     /* deep: victim v's thread at A_VIC0 + 3v, rcv + 1, tcap + 2 */
       A_END = A_VIC0 + 3 * VICS };
/* deep: slots in a chain server's table */
enum { S_CT0 = 1,                  /* the chain's tables: the adversary's, then each server's */
       S_NEXT = S_CT0 + 1 + NSRV,  /* the sinv to the next server */
       S_RCV, S_TCAP,              /* its adversary's rcv and tcap */
       S_VR0,                      /* victim v's rcv */
       S_END = S_VR0 + VICS };
#define SLOTS ((unsigned)A_END > (unsigned)S_END ? (unsigned)A_END : (unsigned)S_END)

typedef struct adv {
    cos_capid thd, rcv, asnd, tcap;     /* in the boot table */
    uint64_t kmem_first;                /* its memory, relative to the booter's kmem */
    uint64_t base;                      /* where its two user pages are (its own range: lib/booter.c) */
    uint64_t rng;
    bool exited;
    bool unmapped, mapped;              /* it unmapped (mapped) a page of its own address space */
    uint64_t srv_ct[NSRV];              /* deep: its servers' tables (objects) */
    unsigned next_page;                 /* deep: where it looks for a free page of its own */
} adv;

/* What an adversary's tables hold after the build (objects). */
typedef struct snap {
    uint64_t objs[256];
    unsigned n;
} snap;

/* A simulated thread as the fuzz knows it (by thread id). */
typedef struct actor {
    uint64_t rng;
    unsigned adv;
    int vic;                            /* its victim slot; -1: the adversary's own thread */
} actor;

typedef kadv_reached reached;

typedef struct fuzz {
    bool mpu, deep, boot_unchecked;
    uint64_t budget, calls, touches, touch_faults;
    uint64_t errors[COS_ERRS + 1];
    uint64_t isolation;                 /* accesses that went where they should not, or failed inside */
    uint64_t boot_error;
    bool booted, done, stalled;
    adv a[NADV];
    k_kernel *k;
    uint64_t stride;                    /* fingerprint every stride-th call */
    uint64_t refused_checked;           /* refused calls compared with the state before them */
    uint64_t refused_changed;           /* ... that changed something anyway */
    int changed_op[8];                  /* the first of them: op, error */
    int changed_err[8];
    GPtrArray *actors;                  /* actor *, by thread id - 1 (deep) */
    reached *r;
    snap sn[NADV];                      /* what each adversary was given */
    const uint8_t *tape;                /* the draws, when they come from bytes (adversary.h) */
    size_t tape_len, tape_pos;
} fuzz;

static fuzz *F;   /* the running test's state (one simulation at a time) */

/* n bytes of the tape, little-endian; once it is spent, zeros, and the
 * budget ends at the calls made so far (every loop of the actors checks
 * it, so the run winds down). */
static uint64_t tape_take(unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++) {
        if (F->tape_pos >= F->tape_len) {
            F->budget = MIN(F->budget, F->calls);
            break;
        }
        v |= (uint64_t)F->tape[F->tape_pos++] << (8 * i);
    }
    return v;
}

static uint64_t next(uint64_t *s)
{
    if (F->tape)
        return tape_take(8);
    /* splitmix64 (Steele, Lea, Flood, OOPSLA 2014) */
    uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static uint64_t below(uint64_t *s, uint64_t n)
{
    if (F->tape)    /* as few bytes as n needs: a mutation of one byte changes one choice */
        return n <= 1 ? 0 : tape_take(n <= 1u << 8 ? 1 : n <= 1u << 16 ? 2 : n <= UINT64_C(1) << 32 ? 4 : 8) % n;
    return next(s) % n;
}

static cos_word arg(uint64_t *s)
{
    switch (below(s, 10)) {
    case 0: case 1: case 2: return below(s, 16);
    case 3: case 4: return below(s, 64);
    case 5: return 0;
    case 6: return next(s);
    case 7: return below(s, 1000000);
    case 8: return BT_USER_BASE + below(s, 16) * COS_PAGE_SIZE;
    default: return (cos_word)1 << below(s, 64);
    }
}

static cos_capid cap(uint64_t *s, unsigned slots)
{
    switch (below(s, 10)) {
    case 0: return (cos_capid)below(s, 600);
    case 1: return (cos_capid)next(s);
    default: return (cos_capid)below(s, slots + 4);
    }
}

/* ---- what a removal takes (the kernel's view, before the call) ----------------------- */

static k_thd_o *thd_obj(cos_thdid id)
{
    k_thread *t = id >= 1 && id <= F->k->threads->len ? g_ptr_array_index(F->k->threads, id - 1) : NULL;
    return t && t->obj ? K_OBJ(F->k, k_thd_o, t->obj) : NULL;
}

static bool runs_under(uint64_t tc)
{
    k_kernel *k = F->k;
    for (unsigned c = 0; c < k->ncores; c++)
        if (K_OBJ(k, k_core_o, k->core[c].page)->cur_tcap == tc)
            return true;
    for (guint i = 0; i < k->threads->len; i++) {
        k_thread *t = g_ptr_array_index(k->threads, i);
        if (t->obj && K_OBJ(k, k_thd_o, t->obj)->tcap == tc)
            return true;
    }
    return false;
}

/* What CAP_REMOVE of slot `slot` in table `ct` (of the caller's current
 * component) would take: one of the rm_* counters to advance if it goes. */
static uint64_t *removal_kind(cos_capid ct, cos_capid slot)
{
    k_kernel *k = F->k;
    k_thd_o *th = thd_obj(cos_thdid_self());
    k_captbl own = { K_OBJ(k, k_comp_o, th->comp)->captbl };
    k_slot s;
    if (k_ct_peek(&k->mem, &own, ct, &s) || s.type != COS_CAP_CAPTBL)
        return NULL;
    k_captbl t = { s.obj };
    if (k_ct_peek(&k->mem, &t, slot, &s))
        return NULL;
    switch (s.type) {
    case COS_CAP_SINV:
        return K_OBJ(k, k_comp_o, K_OBJ(k, k_sinv_o, s.obj)->comp)->active ? &F->r->rm_sinv_inhabited : NULL;
    case COS_CAP_RCV: {
        const k_thd_o *o = K_OBJ(k, k_thd_o, K_OBJ(k, k_rcv_o, s.obj)->thd);
        return (o->state == K_THD_BLOCKED_RCV || o->state == K_THD_BLOCKED_SCHED) && o->blocked_on == s.obj
               ? &F->r->rm_rcv_waited : NULL;
    }
    case COS_CAP_TCAP: return runs_under(s.obj) ? &F->r->rm_tcap_in_use : NULL;
    case COS_CAP_THREAD: return K_OBJ(k, k_thd_o, s.obj)->depth ? &F->r->rm_thd_inside : NULL;
    default: return NULL;
    }
}

/* ---- one system call, checked ---------------------------------------------------------- */

static cos_ret issue(cos_op op, cos_capid c, const cos_word x[5])
{
    F->calls++;
    k_thd_o *th = thd_obj(cos_thdid_self());
    unsigned depth = th ? th->depth : 0;
    uint64_t *kind = F->deep && op == COS_OP_CAP_REMOVE ? removal_kind(c, (cos_capid)x[0]) : NULL;
    /* every `stride`th call between two fingerprints of the kernel's state
     * (tests/kernel_state.h) */
    bool look = F->calls % F->stride == 0;
    kst before, after;
    if (look)
        kst_take(F->k, 0, &before);
    cos_ret r = cos_call(op, c, x[0], x[1], x[2], x[3], x[4]);
    if (look)
        kst_take(F->k, 0, &after);
    if (look && r.err && after.paths == before.paths + 1) {
        /* a refused call, and no other kernel path since: nothing changed */
        F->refused_checked++;
        if (!kst_refused_unchanged(&before, &after)) {
            if (F->refused_changed < 8) {
                F->changed_op[F->refused_changed] = op;
                F->changed_err[F->refused_changed] = r.err;
            }
            F->refused_changed++;
        }
    }
    F->errors[r.err < COS_ERRS ? r.err : COS_ERRS]++;
    if (F->deep) {
        reached *n = F->r;
        n->deep_calls++;
        n->depth[MIN(depth, COS_INV_DEPTH)]++;
        n->depth_max = MAX(n->depth_max, depth);
        n->inside += depth > 0;
        n->edepth += r.err == COS_EDEPTH;
        if (r.err == COS_OK && op == COS_OP_CAP_REMOVE) {
            n->rm_inside += depth > 0;
            if (kind)
                (*kind)++;
        }
    }
    return r;
}

/* A random call: an operation, a capability among the first `slots` of
 * the caller's current table, and arguments. */
static cos_ret random_call(uint64_t *rng, unsigned slots, adv *a)
{
    cos_op op = (cos_op)below(rng, COS_OPS + 2);
    cos_capid c = cap(rng, slots);
    cos_word x[5];
    for (int j = 0; j < 5; j++)
        x[j] = arg(rng);
    if (below(rng, 2)) {
        /* half the calls: capabilities it holds and small numbers, which
         * get past decoding into the deeper paths */
        c = (cos_capid)(1 + below(rng, slots + 8));
        for (int j = 0; j < 5; j++)
            x[j] = below(rng, j < 2 ? 48 : 16);
        if (below(rng, 4) == 0) {
            op = COS_OP_KMEM_RETYPE;     /* memory to make objects in */
            c = A_KMEM;
            x[0] = below(rng, KMEM_PAGES);
            x[1] = below(rng, 3);
            x[2] = below(rng, 3);
        }
    }
    if (op == COS_OP_HW_FLUSH)
        op = COS_OP_SINV;   /* no hw capability is given; keep the ops that can do something */
    if (op == COS_OP_SCHED_RCV)
        x[0] |= COS_RCV_NONBLOCK;   /* blocked for events nobody sends, it would stop the fuzz */
    cos_ret r = issue(op, c, x);
    if (a && r.err == COS_OK && op == COS_OP_PGTBL_UNMAP)
        a->unmapped = true;
    if (a && r.err == COS_OK && (op == COS_OP_PGTBL_MAP || op == COS_OP_MPU_REGION))
        a->mapped = true;
    return r;
}

static cos_err call(cos_op op, cos_capid c, cos_word x0, cos_word x1, cos_word x2, cos_word x3, cos_word x4)
{
    const cos_word x[5] = { x0, x1, x2, x3, x4 };
    return issue(op, c, x).err;
}

static void random_touch(adv *a)
{
    uint64_t off = below(&a->rng, 5 * COS_PAGE_SIZE);
    uint64_t vaddr = a->base - 2 * COS_PAGE_SIZE + off;
    uint64_t len = 1 + below(&a->rng, 64);
    bool write = below(&a->rng, 2);
    cos_err e = cos_touch(vaddr, len, write);
    bool inside = vaddr >= a->base && vaddr + len <= a->base + 2 * COS_PAGE_SIZE;
    F->touches++;
    if (e != COS_OK)
        F->touch_faults++;
    /* inside its pages a touch succeeds, unless it unmapped one itself;
     * outside it faults, unless it mapped memory of its own there */
    if ((e == COS_OK) != inside && !(inside && a->unmapped) && !(!inside && a->mapped))
        F->isolation++;
}

/* ---- the deep mode: chains, victims ------------------------------------------------------ */

static actor *actor_self(void)
{
    cos_thdid id = cos_thdid_self();
    if (id > F->actors->len)
        g_ptr_array_set_size(F->actors, (gint)id);
    actor *x = g_ptr_array_index(F->actors, id - 1);
    if (x == NULL) {
        /* a thread made by a random call, running some entry */
        x = g_new0(actor, 1);
        *x = (actor){ .rng = 0xac70000u + id, .adv = id % NADV, .vic = -2 };
        g_ptr_array_index(F->actors, id - 1) = x;
    }
    return x;
}

/* A call made inside a server of a chain: mostly removals and copies in the
 * chain's tables, else anything. */
static void inside_call(actor *x)
{
    uint64_t *g = &x->rng;
    cos_capid ct = (cos_capid)(S_CT0 + below(g, 1 + NSRV));
    switch (below(g, 10)) {
    case 0: case 1: case 2:
        call(COS_OP_CAP_REMOVE, ct, 1 + below(g, SLOTS), 0, 0, 0, 0);
        break;
    case 3:
        call(COS_OP_CAP_COPY, ct, 1 + below(g, SLOTS + 4), 1 + below(g, S_END), 0, 0, 0);
        break;
    default:
        random_call(g, S_END, NULL);
        break;
    }
}

/* Entry 2: a server (an adversary's component entered through A_SINV, or a
 * chain server).  In the deep mode: calls inside, deeper down the chain,
 * and a wait inside on the caller's own rcv, at random. */
static cos_word server(cos_thdid caller, cos_word a0, cos_word a1, cos_word a2, cos_word a3)
{
    (void)caller, (void)a1, (void)a2, (void)a3;
    if (!F->deep)
        return a0 + 1;
    actor *x = actor_self();
    for (uint64_t n = below(&x->rng, 6); n && F->calls < F->budget; n--)
        inside_call(x);
    if (below(&x->rng, 4) != 0 && F->calls < F->budget)
        call(COS_OP_SINV, S_NEXT, a0 + 1, 0, 0, 0, 0);
    if (below(&x->rng, 6) == 0 && x->vic >= -1 && F->calls < F->budget) {
        F->r->waits_inside++;
        call(COS_OP_RCV, x->vic >= 0 ? S_VR0 + (unsigned)x->vic : S_RCV, 0, 0, 0, 0, 0);
    }
    return a0 + 1;
}

/* Its rcv goes, everywhere it was copied. */
static void drop_rcv(unsigned v)
{
    call(COS_OP_CAP_REMOVE, A_CAPTBL, A_VIC0 + 3 * v + 1, 0, 0, 0, 0);
    for (unsigned s = 0; s < NSRV; s++)
        call(COS_OP_CAP_REMOVE, A_SCT0 + s, S_VR0 + v, 0, 0, 0, 0);
}

/* Entry 3: victim v of adversary a (arg: a | v << 8): enters the chain, or
 * waits at home on its rcv; or lets go of its own tcap and rcv and switches
 * itself to its adversary's tcap (its own kept for the core), or of its own
 * thread capability and rcv (itself kept for the core).  Ends when its rcv
 * is gone (or it is). */
static cos_word victim(cos_thdid caller, cos_word arg0, cos_word a1, cos_word a2, cos_word a3)
{
    (void)caller, (void)a1, (void)a2, (void)a3;
    actor *x = actor_self();
    x->adv = (unsigned)(arg0 & 0xff) % NADV;
    x->vic = (int)((arg0 >> 8) % VICS);
    x->rng = 0x71c70000u + cos_thdid_self();
    unsigned v = (unsigned)x->vic;
    cos_capid base = A_VIC0 + 3 * v;
    for (unsigned n = 0; F->calls < F->budget; n++) {
        for (uint64_t c = below(&x->rng, 4); c && F->calls < F->budget; c--)
            random_call(&x->rng, A_END, NULL);
        switch (below(&x->rng, 6)) {
        case 0:
            call(COS_OP_CAP_REMOVE, A_CAPTBL, base + 2, 0, 0, 0, 0);
            drop_rcv(v);
            call(COS_OP_THD_SWITCH, base, A_TCAP, 0, 0, 0, 0);
            break;
        case 1:
            call(COS_OP_CAP_REMOVE, A_CAPTBL, base, 0, 0, 0, 0);
            drop_rcv(v);
            break;
        case 2: case 3: case 4:
            call(COS_OP_SINV, A_CHAIN, 0, 0, 0, 0, 0);
            break;
        default:
            break;
        }
        if ((n % 3 == 2 || below(&x->rng, 2)) && call(COS_OP_RCV, base + 1, 0, 0, 0, 0, 0) != COS_OK)
            return 0;
    }
    return 0;
}

/* A free page of adversary a's own memory, made kernel memory (0: none found). */
static bool own_page(adv *a, uint64_t *page)
{
    for (unsigned i = 0; i < 4; i++) {
        uint64_t p = a->next_page++ % KMEM_PAGES;
        cos_err e = call(COS_OP_KMEM_RETYPE, A_KMEM, p, COS_MEM_UNTYPED, COS_MEM_KERNEL, 0, 0);
        if (e == COS_OK || e == COS_ETYPE) {
            *page = p;
            return true;
        }
    }
    return false;
}

/* Victim v of adversary i: a thread, a tcap with the infinite budget of the
 * adversary's, an rcv under the adversary's, the rcv copied into every
 * server of the chain; then it runs. */
static void spawn(adv *a, unsigned i, unsigned v)
{
    cos_capid base = A_VIC0 + 3 * v;
    uint64_t p[3];
    for (unsigned j = 0; j < 3; j++)
        if (!own_page(a, &p[j]))
            return;
    if (call(COS_OP_THD_ALLOC, A_KMEM, p[0], base, A_COMP, 3, i | v << 8) != COS_OK)
        return;
    call(COS_OP_TCAP_ALLOC, A_KMEM, p[1], base + 2, 0, 0, 0);
    if (call(COS_OP_RCV_ALLOC, A_KMEM, p[2], base + 1, base, base + 2, A_RCV) != COS_OK)
        call(COS_OP_RCV_ALLOC, A_KMEM, p[2], base + 1, base, 0, A_RCV);
    call(COS_OP_TCAP_TRANSFER, A_TCAP, base + 1, 0, 0, 0, 0);
    for (unsigned s = 0; s < NSRV; s++)
        call(COS_OP_CAP_COPY, A_SCT0 + s, S_VR0 + v, base + 1, 0, 0, 0);
    F->r->victims++;
    call(COS_OP_THD_SWITCH, base, base + 2, 0, 0, 0, 0);
}

/* The adversary's own moves in the deep mode, between random calls. */
static void deep_move(adv *a, unsigned i)
{
    uint64_t *g = &a->rng;
    unsigned v = (unsigned)below(g, VICS);
    cos_capid base = A_VIC0 + 3 * v;
    switch (below(g, 16)) {
    case 0: case 1: case 2: case 3:
        call(COS_OP_SINV, A_CHAIN, 0, 0, 0, 0, 0);
        break;
    case 4:
        spawn(a, i, v);
        break;
    case 5:     /* run a victim again */
        call(COS_OP_THD_SWITCH, base, 0, 0, 0, 0, 0);
        break;
    case 6:     /* its events, so that ended victims can go */
        while (call(COS_OP_SCHED_RCV, A_RCV, COS_RCV_NONBLOCK, 0, 0, 0, 0) == COS_OK && F->calls < F->budget
               && below(g, 8))
            ;
        break;
    case 7:     /* the victim's rcv, everywhere */
        drop_rcv(v);
        break;
    case 8:
        call(COS_OP_CAP_REMOVE, A_CAPTBL, base + below(g, 3), 0, 0, 0, 0);
        break;
    default:
        random_call(g, A_END, a);
        break;
    }
}

/* ---- entry 1: an adversary ------------------------------------------------------------- */

static cos_word adversary(cos_thdid caller, cos_word i, cos_word a1, cos_word a2, cos_word a3)
{
    (void)caller, (void)a1, (void)a2, (void)a3;
    adv *a = &F->a[i % NADV];   /* threads the adversaries make may run this with any argument */
    if (F->deep) {
        actor *x = actor_self();
        x->vic = -1;
        x->adv = (unsigned)(i % NADV);
    }
    while (F->calls < F->budget) {
        for (unsigned n = 0; n < BURST && F->calls < F->budget; n++) {
            if (!F->mpu && below(&a->rng, 8) == 0) {
                random_touch(a);
                continue;
            }
            if (F->deep && below(&a->rng, 3) == 0)
                deep_move(a, (unsigned)(i % NADV));
            else
                random_call(&a->rng, F->deep ? A_END : A_ASND0 + NADV, a);
        }
        cos_rcv(A_RCV, 0);  /* may fail (the adversary may have removed it): then it just goes on */
    }
    return 0;
}

/* ---- the booter ------------------------------------------------------------------------- */

#define CHECK(x) do { cos_err e_ = (x); if (e_) { F->boot_error = (uint64_t)e_ << 16 | __LINE__; return false; } } while (0)

/* Deep: adversary i's chain of servers, each referenced only by the sinv
 * that leads to it (the boot table keeps nothing of them). */
static bool build_chain(bt *b, bt_comp *home, unsigned i)
{
    adv *a = &F->a[i];
    bt_comp s[NSRV];
    cos_capid x;
    for (unsigned j = 0; j < NSRV; j++)
        CHECK(bt_comp_new(b, 0, 1, &s[j]));
    /* every table of the chain to every server; then the sinv to the next */
    for (unsigned j = 0; j < NSRV; j++) {
        CHECK(bt_give(b, &s[j], home->captbl, &x));
        for (unsigned m = 0; m < NSRV; m++)
            CHECK(bt_give(b, &s[j], s[m].captbl, &x));
    }
    for (unsigned j = 0; j < NSRV; j++) {
        cos_capid own;
        CHECK(bt_sinv_own(b, &s[(j + 1) % NSRV], 2, &own));
        CHECK(bt_give(b, &s[j], own, &x));
        CHECK(x == S_NEXT ? COS_OK : COS_EINVAL);
        CHECK(cos_cap_remove(COS_BOOT_CAPTBL, own));
        CHECK(bt_give(b, &s[j], a->rcv, &x));
        CHECK(bt_give(b, &s[j], a->tcap, &x));
        CHECK(x == S_TCAP ? COS_OK : COS_EINVAL);
    }
    cos_capid own;
    CHECK(bt_sinv_own(b, &s[0], 2, &own));
    CHECK(bt_give(b, home, own, &x));
    CHECK(x == A_CHAIN ? COS_OK : COS_EINVAL);
    CHECK(cos_cap_remove(COS_BOOT_CAPTBL, own));
    k_thd_o *me = thd_obj(cos_thdid_self());
    k_captbl boot_ct = { K_OBJ(F->k, k_comp_o, me->comp)->captbl };
    for (unsigned j = 0; j < NSRV; j++) {
        k_slot sl;
        CHECK(k_ct_peek(&F->k->mem, &boot_ct, s[j].captbl, &sl));
        a->srv_ct[j] = sl.obj;      /* for the reach check (the test's view) */
        CHECK(bt_give(b, home, s[j].captbl, &x));
        CHECK(cos_cap_remove(COS_BOOT_CAPTBL, s[j].comp));
        CHECK(cos_cap_remove(COS_BOOT_CAPTBL, s[j].pgtbl));
    }
    return true;
}

static bool build(void)
{
    bt b;
    bt_comp c[NADV];
    CHECK(bt_init(&b));
    F->mpu = b.mpu;
    for (unsigned i = 0; i < NADV; i++)
        CHECK(bt_comp_new(&b, 0, 2, &c[i]));
    for (unsigned i = 0; i < NADV; i++) {
        adv *a = &F->a[i];
        a->base = c[i].base;
        cos_capid s;
        CHECK(bt_thd(&b, &c[i], 1, i, &a->thd));
        CHECK(bt_tcap(&b, &a->tcap));
        /* deep: the thread's rcv holds its tcap, which gets the root's infinite budget */
        CHECK(bt_rcv(&b, a->thd, F->deep ? a->tcap : 0, COS_BOOT_RCV(0), &a->rcv));
        if (F->deep)
            CHECK(cos_tcap_transfer(COS_BOOT_TCAP(0), a->rcv, 0, 0));
        CHECK(bt_asnd(&b, a->rcv, &a->asnd));
        CHECK(bt_give(&b, &c[i], c[i].captbl, &s));
        CHECK(s == A_CAPTBL ? COS_OK : COS_EINVAL);
        CHECK(bt_give(&b, &c[i], c[i].pgtbl, &s));
        CHECK(bt_give(&b, &c[i], c[i].comp, &s));
        /* its own untyped memory, not used by anyone else */
        a->kmem_first = b.next;
        CHECK(cos_kmem_narrow(b.kmem, c[i].captbl, A_KMEM, b.next, KMEM_PAGES));
        c[i].next_slot++;
        b.next += KMEM_PAGES;
        CHECK(bt_give(&b, &c[i], a->rcv, &s));
        CHECK(bt_give(&b, &c[i], a->thd, &s));
        CHECK(bt_give(&b, &c[i], a->tcap, &s));
        CHECK(s == A_TCAP ? COS_OK : COS_EINVAL);
    }
    for (unsigned i = 0; i < NADV; i++) {
        cos_capid s;
        CHECK(bt_sinv(&b, &c[i], &c[(i + 1) % NADV], 2, &s));
        CHECK(s == A_SINV ? COS_OK : COS_EINVAL);
        for (unsigned j = 0; j < NADV; j++)
            CHECK(bt_give(&b, &c[i], F->a[j].asnd, &s));
    }
    for (unsigned i = 0; F->deep && i < NADV; i++)
        if (!build_chain(&b, &c[i], i))
            return false;
    return true;
}

static bool snapshot_all(void);

static cos_word boot(cos_thdid caller, cos_word core, cos_word a1, cos_word a2, cos_word a3)
{
    (void)caller, (void)a1, (void)a2, (void)a3;
    if (core != 0 || F->booted)
        return 0;   /* other cores; or a thread an adversary made to run this entry */
    F->k->cfg.check = !F->boot_unchecked;
    bool built = build();
    F->k->cfg.check = true;
    if (!built)
        return 0;
    if (!snapshot_all()) {
        F->boot_error = 1;
        return 0;
    }
    F->booted = true;
    /* the root scheduler: run the adversaries in turn until the budget is
     * spent (or nothing has moved for 1,000 rounds: reported as a stall) */
    uint64_t last = F->calls, still = 0;
    while (F->calls < F->budget) {
        if (F->calls == last && ++still > 1000) {
            F->stalled = true;
            break;
        }
        if (F->calls != last)
            still = 0;
        last = F->calls;
        for (unsigned i = 0; i < NADV && F->calls < F->budget; i++) {
            cos_ret ev;
            uint64_t token = 0;
            do {
                ev = cos_sched_rcv(COS_BOOT_RCV(0), COS_RCV_NONBLOCK);
                token = ev.r[3];
            } while (ev.err == COS_OK && ev.r[0]);
            /* deep: always under its own tcap (a victim's switch may have changed it) */
            cos_err e = cos_switch(F->a[i].thd, F->deep ? F->a[i].tcap : 0, 0, 0, COS_BOOT_RCV(0), token);
            if (e == COS_EBUSY)
                cos_asnd(F->a[i].asnd, false);      /* blocked: wake it (it may preempt at once) */
            else if (e == COS_EINVAL)
                F->a[i].exited = true;              /* it returned */
        }
        bool any = false;
        for (unsigned i = 0; i < NADV; i++)
            any = any || !F->a[i].exited;
        if (!any)
            break;
    }
    F->done = true;
    return 0;
}

static const cos_entry_fn entries[] = { boot, adversary, server, victim };
static const cos_image image = { "fuzz", entries, 4 };
static const cos_image *const images[] = { &image };

/* ---- after a run: what each adversary (its chain, in the deep mode) can reach ------------ */

/* The tables adversary a's authority covers: its own (its thread's home
 * component's), and in the deep mode its servers' that are still live. */
static unsigned tables(k_kernel *k, const adv *a, uint64_t out[1 + NSRV])
{
    unsigned n = 0;
    for (guint i = 0; i < k->threads->len && n == 0; i++) {
        k_thread *x = g_ptr_array_index(k->threads, i);
        if (x->obj && x->fn == adversary && x->arg == (cos_word)(a - F->a))
            out[n++] = K_OBJ(k, k_comp_o, K_OBJ(k, k_thd_o, x->obj)->home)->captbl;
    }
    for (unsigned j = 0; F->deep && j < NSRV; j++)
        if (a->srv_ct[j] && k_mem_refs(&k->mem, a->srv_ct[j]) && k_mem_kind(&k->mem, a->srv_ct[j]) == COS_CAP_CAPTBL)
            out[n++] = a->srv_ct[j];
    return n;
}

/* What adversary a (its chain) holds, right after the build: false if its
 * thread is not found (user code: no cmocka here). */
static bool take_snapshot(k_kernel *k, const adv *a, snap *sn)
{
    uint64_t root[1 + NSRV];
    unsigned nt = tables(k, a, root);
    sn->n = 0;
    for (unsigned t = 0; t < nt; t++) {
        const uint64_t *l1 = k_ram(k, root[t]);
        for (unsigned i = 0; i < K_CT_L1; i++) {
            if (!l1[i])
                continue;
            const k_slot *s = k_ram(k, l1[i]);
            for (unsigned j = 0; j < K_CT_L2; j++)
                if (s[j].type != COS_CAP_FREE && s[j].type != COS_CAP_KMEM && sn->n < G_N_ELEMENTS(sn->objs))
                    sn->objs[sn->n++] = s[j].obj;
        }
    }
    return nt >= 1;
}

static bool snapshot_all(void)
{
    for (unsigned i = 0; i < NADV; i++)
        if (!take_snapshot(F->k, &F->a[i], &F->sn[i]))
            return false;
    return true;
}

/* A capability an adversary should not hold: counted, the first in words. */
static void violation(kadv_result *res, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void violation(kadv_result *res, const char *fmt, ...)
{
    if (res->reach_violations++ == 0) {
        va_list ap;
        va_start(ap, fmt);
        g_vsnprintf(res->reach_first, sizeof res->reach_first, fmt, ap);
        va_end(ap);
    }
}

static void check_reach(k_kernel *k, const adv *a, const snap *sn, uint64_t kmem_abs_first, kadv_result *res)
{
    uint64_t root[1 + NSRV];
    unsigned nt = tables(k, a, root);
    uint64_t lo = kmem_abs_first * COS_PAGE_SIZE, hi = lo + (uint64_t)KMEM_PAGES * COS_PAGE_SIZE;
    for (unsigned t = 0; t < nt; t++) {
        const uint64_t *l1 = k_ram(k, root[t]);
        for (unsigned i = 0; i < K_CT_L1; i++) {
            if (!l1[i])
                continue;
            const k_slot *s = k_ram(k, l1[i]);
            for (unsigned j = 0; j < K_CT_L2; j++) {
                if (s[j].type == COS_CAP_FREE)
                    continue;
                if (s[j].type == COS_CAP_KMEM) {
                    uint64_t first = s[j].obj >> 32, pages = s[j].obj & 0xFFFFFFFFu;
                    if (first < kmem_abs_first || first + pages > kmem_abs_first + KMEM_PAGES)
                        violation(res, "adversary %td holds memory [%" G_GUINT64_FORMAT ", +%" G_GUINT64_FORMAT
                                  ") outside its own", a - F->a, first, pages);
                    continue;
                }
                bool given = false;
                for (unsigned x = 0; x < sn->n && !given; x++)
                    given = sn->objs[x] == s[j].obj;
                if (!given && !(s[j].obj >= lo && s[j].obj < hi))
                    violation(res, "adversary %td table %u slot %u: type %u object %#" G_GINT64_MODIFIER "x it was not given",
                              a - F->a, t, i * K_CT_L2 + j, s[j].type, s[j].obj);
            }
        }
    }
}
void kadv_run(const kadv_opts *o, kadv_reached *r, kadv_result *out)
{
    memset(out, 0, sizeof *out);
    fuzz st = { .budget = o->budget, .stride = o->stride ? o->stride : 1, .deep = o->deep, .boot_unchecked = o->boot_unchecked, .r = r,
                .actors = g_ptr_array_new_with_free_func(g_free), .tape = o->tape, .tape_len = o->tape_len };
    F = &st;
    for (unsigned i = 0; i < NADV; i++)
        st.a[i].rng = o->seed + i;
    kfx *f = kfx_new_mem(o->preset, MEM_SIZE, images, 1, 0, 0, true);
    st.k = f->k;
    /* boot, then snapshot what each adversary was given */
    while (!st.booted && !st.boot_error)
        kfx_run(f, SIM_US);
    out->boot_error = st.boot_error;
    if (st.boot_error)
        goto end;
    /* the booter's kmem capability: its first page */
    uint64_t boot_ct = K_OBJ(f->k, k_comp_o, K_OBJ(f->k, k_thd_o, ((k_thread *)g_ptr_array_index(f->k->threads, 0))->obj)->home)->captbl;
    k_slot ks;
    uint64_t cyc = 0;
    k_captbl ct = { boot_ct };
    out->kmem_found = k_ct_lookup(&f->k->mem, &ct, 0, COS_BOOT_KMEM, 0, &cyc, &ks, NULL) == COS_OK;
    if (!out->kmem_found)
        goto end;
    uint64_t kbase = ks.obj >> 32;
    for (uint64_t guard = 0; !st.done && guard < 100000; guard++)
        kfx_run(f, SIM_MS);
    const k_stats *s = k_get_stats(f->k);
    out->done = st.done;
    out->stalled = st.stalled;
    out->mpu = st.mpu;
    out->calls = st.calls;
    out->touches = st.touches;
    out->touch_faults = st.touch_faults;
    out->check_failures = s->check_failures;
    out->isolation = st.isolation;
    out->refused_checked = st.refused_checked;
    out->refused_changed = st.refused_changed;
    memcpy(out->changed_op, st.changed_op, sizeof out->changed_op);
    memcpy(out->changed_err, st.changed_err, sizeof out->changed_err);
    memcpy(out->errors, st.errors, sizeof out->errors);
    for (unsigned i = 0; i < NADV; i++)
        check_reach(f->k, &st.a[i], &st.sn[i], kbase + st.a[i].kmem_first, out);
    out->final_check = k_check(f->k);
    r->calls += st.calls;
    r->ok += st.errors[COS_OK];
    r->kept_comps += s->kept_comps;
    r->kept_thds += s->kept_thds;
    r->kept_tcaps += s->kept_tcaps;
    r->ended_waits += s->ended_waits;
    r->rounds++;
end:
    kfx_free(f);
    g_ptr_array_free(st.actors, TRUE);
    F = NULL;
}

const char *kadv_failure(const kadv_result *res)
{
    if (res->boot_error)
        return "the booter's build failed";
    if (!res->kmem_found)
        return "the booter's kmem capability is gone";
    if (!res->done)
        return "the root scheduler did not finish";
    if (res->stalled)
        return "the adversaries stalled (nothing moved for 1,000 rounds)";
    if (res->check_failures)
        return "the kernel's invariant checker failed after a kernel path";
    if (!res->final_check)
        return "the kernel's invariant checker failed at the end";
    if (res->isolation)
        return "a load or store went where it should not (or failed inside its own pages)";
    if (res->refused_changed)
        return "a refused call changed the kernel's state";
    if (res->reach_violations)
        return res->reach_first;
    return NULL;
}
