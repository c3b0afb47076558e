/* kernel/tcap.c: temporal capabilities (see tcap.h).
 *
 * Moving budget merges delegation lists as Composite's delegate does: the
 * destination gets every scheduler of the source, at the weaker of the two
 * priorities where both have one, and the source's owner at what the
 * caller says.  The check and the move each charge their reads and writes
 * of both tcaps, as the kernel would run the list walk twice.
 */
#include "tcap.h"

#include <string.h>
#include "cap.h"
#include "obj.h"

bool k_tcap_higher(k_core *c, uint64_t a, uint64_t b)
{
    k_kernel *k = c->k;
    k_step(c, K_P_TCAP);
    if (a == 0)
        return false;
    k_tcap_o *ta = K_OBJ(k, k_tcap_o, a);
    k_touch(c, a, sizeof *ta, false);
    if (ta->budget == 0)
        return false;
    if (b == 0 || a == b)
        return true;
    k_tcap_o *tb = K_OBJ(k, k_tcap_o, b);
    k_touch(c, b, sizeof *tb, false);
    /* every scheduler the two share must rank a at least as high as b */
    for (uint32_t i = 0; i < ta->ndelegs; i++)
        for (uint32_t j = 0; j < tb->ndelegs; j++)
            if (ta->deleg[i].sched == tb->deleg[j].sched) {
                k_step(c, K_P_TCAP_ENTRY);
                if (ta->deleg[i].prio > tb->deleg[j].prio)
                    return false;
            }
    return true;
}

uint64_t k_tcap_run(k_core *c, uint64_t thd, uint64_t rcv)
{
    if (rcv) {
        uint64_t t = K_RD(c, k_rcv_o, rcv, tcap);
        if (t)
            return t;
    }
    uint64_t t = K_RD(c, k_thd_o, thd, tcap);
    return t ? t : K_OBJ(c->k, k_core_o, c->page)->cur_tcap;
}

void k_tcap_account(k_core *c)
{
    k_kernel *k = c->k;
    k_step(c, K_P_ACCT);
    uint64_t ran = k_cycles_at(k, c->now) - k_cycles_at(k, c->tcap_since);
    c->tcap_since = c->now;
    k_core_o *co = K_OBJ(k, k_core_o, c->page);
    k_touch(c, c->page, sizeof *co, false);
    if (co->cur_tcap) {
        k_tcap_o *t = K_OBJ(k, k_tcap_o, co->cur_tcap);
        k_touch(c, co->cur_tcap + offsetof(k_tcap_o, budget), 8, true);
        if (t->budget != COS_BUDGET_INF)
            t->budget = t->budget > ran ? t->budget - ran : 0;
    }
    if (co->cur_thd) {
        k_thd_o *t = K_OBJ(k, k_thd_o, co->cur_thd);
        k_touch(c, co->cur_thd + offsetof(k_thd_o, ev_cycles), 8, true);
        t->ev_cycles += ran;
    }
}

uint64_t k_tcap_init(k_core *c, uint64_t page, unsigned core, uint64_t owner, uint64_t budget, uint32_t prio)
{
    k_tcap_o *o = k_obj_new(c, page, COS_CAP_TCAP, core, sizeof(k_tcap_o));
    o->budget = budget;
    o->owner = owner;
    if (owner) {
        o->ndelegs = 1;
        o->deleg[0].sched = owner;
        o->deleg[0].prio = prio;
    }
    return k_obj_addr(COS_CAP_TCAP, page);
}

cos_err k_tcap_of(k_core *c, k_thd_o *th, cos_capid cap, uint64_t *tc)
{
    k_slot s;
    K_TRY(k_cap(c, th->comp, cap, COS_CAP_TCAP, &s));
    if (K_RD(c, k_hdr, s.obj, core) != c->id)
        return COS_ECORE;
    *tc = s.obj;
    return COS_OK;
}

cos_err k_tcap_prio_check(k_core *c, uint64_t tc, uint64_t sched)
{
    k_tcap_o *o = K_OBJ(c->k, k_tcap_o, tc);
    k_touch(c, tc, sizeof *o, false);
    for (uint32_t i = 0; i < o->ndelegs; i++)
        if (o->deleg[i].sched == sched)
            return COS_OK;
    return o->ndelegs >= COS_TCAP_DELEGS ? COS_EDEPTH : COS_OK;
}

void k_tcap_prio_set(k_core *c, uint64_t tc, uint64_t sched, uint32_t prio)
{
    k_tcap_o *o = K_OBJ(c->k, k_tcap_o, tc);
    k_touch(c, tc, sizeof *o, true);
    for (uint32_t i = 0; i < o->ndelegs; i++)
        if (o->deleg[i].sched == sched) {
            o->deleg[i].prio = prio;
            return;
        }
    g_assert(o->ndelegs < COS_TCAP_DELEGS);     /* k_tcap_prio_check saw room */
    o->deleg[o->ndelegs].sched = sched;
    o->deleg[o->ndelegs].prio = prio;
    o->ndelegs++;
}

/* ---- moving budget ------------------------------------------------------------ */

/* dst's delegation list after a move from src (n entries, possibly more
 * than a tcap holds): every scheduler of src at the weaker priority where
 * both have it; src's owner at prio (0: src's own). */
static uint32_t merged(const k_tcap_o *so, const k_tcap_o *dn, uint32_t prio, k_deleg list[2 * COS_TCAP_DELEGS])
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < dn->ndelegs; i++)
        list[n++] = dn->deleg[i];
    for (uint32_t i = 0; i < so->ndelegs; i++) {
        uint32_t p = so->deleg[i].prio;
        uint32_t j;
        for (j = 0; j < n; j++)
            if (list[j].sched == so->deleg[i].sched)
                break;
        if (j == n)
            list[n++] = (k_deleg){ .sched = so->deleg[i].sched, .prio = p };
        else if (p > list[j].prio)
            list[j].prio = p;
        /* the delegating scheduler's own entry is what it says, after the merge */
        if (so->deleg[i].sched == so->owner && prio)
            list[j].prio = prio;
    }
    return n;
}

/* Whether `cycles` (0: all) can move from src to dst with src's owner at
 * prio (charged reads of both). */
static cos_err move_decode(k_core *c, uint64_t src, uint64_t dst, uint64_t cycles, uint32_t prio)
{
    k_kernel *k = c->k;
    k_tcap_o *so = K_OBJ(k, k_tcap_o, src), *dn = K_OBJ(k, k_tcap_o, dst);
    k_step(c, K_P_TCAP);
    k_touch(c, src, sizeof *so, false);
    k_touch(c, dst, sizeof *dn, false);
    if (src == dst)
        return COS_EINVAL;
    if (so->h.core != dn->h.core)
        return COS_ECORE;
    if (prio > COS_PRIO_MIN)
        return COS_EINVAL;
    if (so->budget != COS_BUDGET_INF && cycles > so->budget)
        return COS_EINVAL;
    if (so->budget == 0)
        return COS_EPERM;
    k_deleg list[2 * COS_TCAP_DELEGS];
    return merged(so, dn, prio, list) > COS_TCAP_DELEGS ? COS_EDEPTH : COS_OK;
}

static void move_invoke(k_core *c, uint64_t src, uint64_t dst, uint64_t cycles, uint32_t prio)
{
    k_kernel *k = c->k;
    k_tcap_o *so = K_OBJ(k, k_tcap_o, src), *dn = K_OBJ(k, k_tcap_o, dst);
    k_step(c, K_P_TCAP);
    k_touch(c, src, sizeof *so, true);
    k_touch(c, dst, sizeof *dn, true);
    k_deleg list[2 * COS_TCAP_DELEGS];
    uint32_t n = merged(so, dn, prio, list);
    memcpy(dn->deleg, list, n * sizeof list[0]);
    dn->ndelegs = n;
    if (so->budget == COS_BUDGET_INF) {
        if (cycles == 0)
            dn->budget = COS_BUDGET_INF;
        else if (dn->budget != COS_BUDGET_INF)
            dn->budget = dn->budget + cycles < dn->budget ? COS_BUDGET_INF - 1 : dn->budget + cycles;
    } else {
        uint64_t mv = cycles ? cycles : so->budget;
        so->budget -= mv;
        if (dn->budget != COS_BUDGET_INF)
            dn->budget = dn->budget + mv < dn->budget ? COS_BUDGET_INF - 1 : dn->budget + mv;
    }
}

/* ---- TCAP_TRANSFER (and the tcap half of TCAP_DELEGATE) ------------------------ */

cos_err k_tcap_xfer_decode(k_core *c, k_thread *t, k_thd_o *th, bool delegate, k_tcap_xfer *x)
{
    k_slot s;
    K_TRY(k_tcap_of(c, th, t->cap, &x->src));
    K_TRY(k_cap(c, th->comp, (cos_capid)t->a[0], delegate ? COS_CAP_ASND : COS_CAP_RCV, &s));
    x->rcv = delegate ? K_RD(c, k_asnd_o, s.obj, rcv) : s.obj;
    x->dst = K_RD(c, k_rcv_o, x->rcv, tcap);
    if (x->dst == 0)
        return COS_ENOENT;
    x->cycles = t->a[1];
    x->prio = (uint32_t)t->a[2];
    /* the rcv is on src's core: its tcap is on its core (rcv_alloc), and
     * the move checks that the two tcaps share one */
    return move_decode(c, x->src, x->dst, x->cycles, x->prio);
}

void k_tcap_xfer_invoke(k_core *c, const k_tcap_xfer *x)
{
    move_invoke(c, x->src, x->dst, x->cycles, x->prio);
}

cos_ret k_tcap_transfer(k_core *c, k_thread *t, k_thd_o *th)
{
    k_tcap_xfer x;
    cos_err e = k_tcap_xfer_decode(c, t, th, false, &x);
    if (e)
        return K_RET(e);
    k_tcap_xfer_invoke(c, &x);
    return K_RET(COS_OK);
}

/* ---- TCAP_MERGE: tcap a1 of table a0 goes, its budget into `cap` -------------- */

typedef struct merge_args {
    uint64_t dst, src;
    k_captbl ct;
    cos_capid slot;
    bool move;          /* src has budget to move */
} merge_args;

static cos_err merge_decode(k_core *c, k_thread *t, k_thd_o *th, merge_args *a)
{
    k_kernel *k = c->k;
    k_slot cts, rs;
    K_TRY(k_tcap_of(c, th, t->cap, &a->dst));
    K_TRY(k_cap(c, th->comp, (cos_capid)t->a[0], COS_CAP_CAPTBL, &cts));
    a->ct = (k_captbl){ .root = cts.obj };
    a->slot = (cos_capid)t->a[1];
    K_TRY(k_ct_lookup(&k->mem, &a->ct, c->id, a->slot, c->now, &c->cycles, &rs, NULL));
    if (rs.type != COS_CAP_TCAP)
        return COS_ETYPE;
    a->src = rs.obj;
    if (k_mem_refs(&k->mem, a->src) != 1)
        return COS_EBUSY;    /* used by a thread, an rcv or another capability */
    /* a tcap with nothing to move is just removed */
    a->move = K_OBJ(k, k_tcap_o, a->src)->budget != 0;
    return a->move ? move_decode(c, a->src, a->dst, 0, 0) : COS_OK;
}

static void merge_invoke(k_core *c, const merge_args *a)
{
    if (a->move)
        move_invoke(c, a->src, a->dst, 0, 0);
    cos_err e = k_ct_deactivate(&c->k->mem, &a->ct, c->id, a->slot, COS_CAP_TCAP, c->now, &c->cycles);
    g_assert(e == COS_OK);
    k_obj_unref(c, a->src);
}

cos_ret k_tcap_merge(k_core *c, k_thread *t, k_thd_o *th)
{
    merge_args a;
    cos_err e = merge_decode(c, t, th, &a);
    if (e)
        return K_RET(e);
    merge_invoke(c, &a);
    return K_RET(COS_OK);
}

/* ---- TCAP_BUDGET: what tcap `cap` has left ------------------------------------ */

cos_ret k_tcap_budget(k_core *c, k_thread *t, k_thd_o *th)
{
    uint64_t tc;
    cos_err e = k_tcap_of(c, th, t->cap, &tc);
    if (e)
        return K_RET(e);
    /* invoke: read it */
    k_step(c, K_P_TCAP);
    k_touch(c, tc + offsetof(k_tcap_o, budget), 8, false);
    return (cos_ret){ .err = COS_OK, .r = { K_OBJ(c->k, k_tcap_o, tc)->budget } };
}

/* ---- TCAP_ALLOC: a tcap owned by the caller's rcv ------------------------------ */

cos_ret k_tcap_alloc(k_core *c, k_thread *t, k_thd_o *th)
{
    uint64_t page;
    cos_capid slot;
    cos_err e = k_cap_alloc_decode(c, t, th, &page, &slot);
    if (e)
        return K_RET(e);
    uint64_t owner = K_RD(c, k_thd_o, t->obj, rcv);
    if (owner == 0)
        return K_RET(COS_EPERM);    /* only a scheduler (a thread with an rcv) owns tcaps */
    /* invoke: zero budget, the owner at the lowest priority */
    uint64_t tc = k_tcap_init(c, page, c->id, owner, 0, COS_PRIO_MIN);
    k_cap_put(c, th->comp, slot, COS_CAP_TCAP, tc);
    return K_RET(COS_OK);
}
