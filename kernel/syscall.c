/* kernel/syscall.c: the system calls, decode then invoke (see abi.h).
 *
 * Each call first decodes: every capability is looked up in the caller's
 * current component's table (charged: two dependent loads), its type and
 * every argument are checked; any failure returns an error before anything
 * changes.  Only then does it invoke, which cannot fail.
 */
#include "internal.h"

#include <string.h>

#define RET(e) ((cos_ret){ .err = (e) })
#define TRY(x) do { cos_err e_ = (x); if (e_) return RET(e_); } while (0)
#define MAX_POOL_PAGES 64u
#define MAX_REGION_LOG2 20u

/* ---- decoding ------------------------------------------------------------------ */

static k_captbl comp_ct(k_core *c, uint64_t comp)
{
    return (k_captbl){ .root = K_RD(c, k_comp_o, comp, captbl) };
}

cos_err k_cap(k_core *c, uint64_t comp, cos_capid id, cos_cap_type type, k_slot *out)
{
    k_step(c, K_P_CAP);
    k_captbl ct = comp_ct(c, comp);
    cos_err e = k_ct_lookup(&c->k->mem, &ct, c->id, id, c->now, &c->cycles, out, NULL);
    if (e)
        return e;
    if (type != COS_CAP_FREE && out->type != type)
        return COS_ETYPE;
    return COS_OK;
}

/* A KMEM capability's range is packed in its slot: first page << 32 | pages. */
static uint64_t kmem_pack(uint64_t first_page, uint64_t pages) { return first_page << 32 | pages; }
static uint64_t kmem_first(const k_slot *s) { return s->obj >> 32; }
static uint64_t kmem_pages(const k_slot *s) { return s->obj & 0xFFFFFFFFu; }

/* Page `rel` of a kmem capability, as a physical address. */
static cos_err kmem_page(k_core *c, uint64_t comp, cos_capid kmem, cos_word rel, uint64_t *paddr)
{
    k_slot s;
    cos_err e = k_cap(c, comp, kmem, COS_CAP_KMEM, &s);
    if (e)
        return e;
    if (rel >= kmem_pages(&s))
        return COS_ERANGE;
    *paddr = (kmem_first(&s) + rel) * COS_PAGE_SIZE;
    return COS_OK;
}

static cos_err user_page(k_core *c, uint64_t comp, cos_capid kmem, cos_word rel, uint64_t *paddr)
{
    cos_err e = kmem_page(c, comp, kmem, rel, paddr);
    if (e)
        return e;
    return k_mem_type(&c->k->mem, *paddr) == K_PAGE_USER ? COS_OK : COS_ETYPE;
}

static cos_err free_slot(k_core *c, uint64_t comp, cos_capid slot)
{
    k_captbl ct = comp_ct(c, comp);
    return k_ct_check_free(&c->k->mem, &ct, c->id, slot, c->now, &c->cycles);
}

static void put_cap(k_core *c, uint64_t comp, cos_capid slot, cos_cap_type type, uint64_t obj)
{
    k_captbl ct = comp_ct(c, comp);
    cos_err e = k_ct_activate(&c->k->mem, &ct, c->id, slot, type, obj, c->now, &c->cycles);
    g_assert(e == COS_OK);
}

/* ---- object initialisation (also used at boot) -------------------------------------- */

static void *new_obj(k_core *c, uint64_t page, cos_cap_type type, unsigned core, size_t size)
{
    g_assert(size <= K_OBJ_MAX);
    k_ref(c, page);         /* the capability about to name it */
    k_mem_set_kind(&c->k->mem, page, type);
    memset(k_ram(c->k, page), 0, COS_PAGE_SIZE);
    uint64_t obj = k_obj_addr(type, page);
    void *o = k_ram(c->k, obj);
    k_touch(c, obj, size, true);
    ((k_hdr *)o)->type = type;
    ((k_hdr *)o)->core = core;
    return o;
}

typedef struct pool_ctx {
    k_kernel *k;
    uint64_t obj;
} pool_ctx;

/* Page-table memory from a pgtbl's pool: aligned to its size, zeroed. */
static bool pool_alloc(void *ctx, unsigned size, uint64_t *paddr)
{
    pool_ctx *p = ctx;
    k_pgtbl_o *o = K_OBJ(p->k, k_pgtbl_o, p->obj);
    uint64_t at = (o->next + size - 1) & ~(uint64_t)(size - 1);
    if (at + size > o->pool + (uint64_t)o->npages * COS_PAGE_SIZE)
        return false;
    memset(k_ram(p->k, at), 0, size);
    o->next = at + size;
    *paddr = at;
    return true;
}

/* Bytes a map may need from the pool in the worst case, at the pool's
 * alignment rules (x86: three 4K tables; ARM: one 1K second-level table). */
static uint64_t map_worst(const k_kernel *k, const k_pgtbl_o *o, uint64_t *fits)
{
    uint64_t end = o->pool + (uint64_t)o->npages * COS_PAGE_SIZE;
    if (k->h->cfg.arch == MODEL_X86_64) {
        uint64_t at = (o->next + 4095) & ~UINT64_C(4095);
        *fits = at + 3 * 4096 <= end;
        return 3 * 4096;
    }
    uint64_t at = (o->next + 1023) & ~UINT64_C(1023);
    *fits = at + 1024 <= end;
    return 1024;
}

static uint16_t new_asid(k_kernel *k)
{
    uint16_t a = (uint16_t)k->next_asid;
    k->next_asid = k->next_asid + 1 >= k->nasids ? 1 : k->next_asid + 1;
    return a;
}

/* Pool pages [page, page + n) must be unused kernel pages. */
static cos_err check_pool(k_core *c, uint64_t page, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++) {
        cos_err e = k_mem_check_unused_kernel(&c->k->mem, page + i * COS_PAGE_SIZE, c->now);
        if (e)
            return e;
    }
    return COS_OK;
}

static uint64_t pgtbl_init(k_core *c, uint64_t page, uint64_t npages)
{
    k_kernel *k = c->k;
    k_pgtbl_o *o = new_obj(c, page, COS_CAP_PGTBL, 0, sizeof(k_pgtbl_o));
    for (uint64_t i = 1; i < npages; i++)
        k_ref(c, page + i * COS_PAGE_SIZE);     /* held by the pgtbl */
    uint64_t obj = k_obj_addr(COS_CAP_PGTBL, page);
    o->pool = page;
    o->npages = (uint32_t)npages;
    o->next = page + COS_PAGE_SIZE;
    if (k->h->cfg.has_mpu) {
        o->mpu = k->h->core[0].mpu;
        for (unsigned i = 0; i < HWMPU_MAX_REGIONS; i++)
            memset(&o->mpu.r[i], 0, sizeof o->mpu.r[i]);
        o->mpu.ctrl = HWMPU_CTRL_ENABLE | HWMPU_CTRL_PRIVDEFENA;
    } else {
        pool_ctx p = { k, obj };
        unsigned size = k->h->cfg.arch == MODEL_X86_64 ? 4096 : 16384;
        bool ok = pool_alloc(&p, size, &o->root);
        g_assert(ok);   /* checked by the caller */
        o->asid = new_asid(k);
        k_touch(c, o->root, 64, true);
    }
    return k_obj_addr(COS_CAP_PGTBL, page);
}

static uint64_t comp_init(k_core *c, uint64_t page, uint64_t captbl, uint64_t pgtbl, unsigned image)
{
    k_comp_o *o = new_obj(c, page, COS_CAP_COMP, 0, sizeof(k_comp_o));
    o->image = image;
    o->id = ++c->k->next_comp_id;
    o->captbl = captbl;
    o->pgtbl = pgtbl;
    k_ref(c, captbl);
    k_ref(c, pgtbl);
    return k_obj_addr(COS_CAP_COMP, page);
}

static uint64_t thd_init(k_core *c, uint64_t page, uint64_t comp, unsigned entry, cos_word arg, unsigned core,
                         uint64_t sched)
{
    k_kernel *k = c->k;
    k_thd_o *o = new_obj(c, page, COS_CAP_THREAD, core, 128);
    o->home = o->comp = comp;
    o->entry = entry;
    o->arg = arg;
    o->state = K_THD_RUNNABLE;
    k_ref(c, comp);
    if (sched) {
        o->sched = sched;
        k_ref(c, sched);
    }
    const cos_image *img = k->cfg.images[K_OBJ(k, k_comp_o, comp)->image];
    uint64_t obj = k_obj_addr(COS_CAP_THREAD, page);
    k_thread *t = k_thread_new(k, obj, core, img->entries[entry], arg);
    o->id = t->id;
    return obj;
}

static uint64_t tcap_init(k_core *c, uint64_t page, unsigned core, uint64_t owner, uint64_t budget, uint32_t prio)
{
    k_tcap_o *o = new_obj(c, page, COS_CAP_TCAP, core, sizeof(k_tcap_o));
    o->budget = budget;
    o->owner = owner;
    if (owner) {
        o->ndelegs = 1;
        o->deleg[0].sched = owner;
        o->deleg[0].prio = prio;
    }
    return k_obj_addr(COS_CAP_TCAP, page);
}

static uint64_t rcv_init(k_core *c, uint64_t page, uint64_t thd, uint64_t tcap, uint64_t parent)
{
    k_kernel *k = c->k;
    k_thd_o *t = K_OBJ(k, k_thd_o, thd);
    k_rcv_o *o = new_obj(c, page, COS_CAP_RCV, t->h.core, sizeof(k_rcv_o));
    o->thd = thd;
    o->tcap = tcap;
    o->parent = parent;
    o->depth = parent ? K_OBJ(k, k_rcv_o, parent)->depth + 1 : 0;
    k_ref(c, thd);
    if (tcap)
        k_ref(c, tcap);
    if (parent)
        k_ref(c, parent);
    uint64_t obj = k_obj_addr(COS_CAP_RCV, page);
    K_WR(c, k_thd_o, thd, rcv, obj);
    if (parent && t->sched == 0) {
        t->sched = parent;
        k_ref(c, parent);
    }
    return obj;
}

/* ---- protection domains -------------------------------------------------------------- */

/* Make comp's address space the core's (page-table base or MPU regions);
 * components that share a page table switch nothing. */
void k_switch_pd(k_core *c, uint64_t comp)
{
    k_kernel *k = c->k;
    uint64_t pt = K_RD(c, k_comp_o, comp, pgtbl);
    if (pt == c->pd)
        return;
    c->pd = pt;
    k_pgtbl_o *o = K_OBJ(k, k_pgtbl_o, pt);
    if (k->h->cfg.has_mpu) {
        k_touch(c, pt + offsetof(k_pgtbl_o, mpu), sizeof o->mpu, false);
        hwmpu to = o->mpu;
        k_arch(c, hw_mpu_program(k->h, c->id, &to));
        return;
    }
    k_touch(c, pt + offsetof(k_pgtbl_o, asid), 4, false);
    k_touch(c, pt + offsetof(k_pgtbl_o, root), 8, false);
    /* an ASID whose TLB entries on this core belong to another table is
     * flushed (the ASID was recycled) */
    uint64_t *owner = &k->asid_owner[(size_t)c->id * k->nasids + o->asid];
    bool keep = *owner == pt;
    *owner = pt;
    k_arch(c, hw_switch_address_space(k->h, c->id, o->root, (uint16_t)o->asid, keep));
}

/* ---- the calls --------------------------------------------------------------------- */

static cos_ret do_sinv(k_core *c, k_thread *t, k_thd_o *th)
{
    k_kernel *k = c->k;
    k_slot s;
    TRY(k_cap(c, th->comp, t->cap, COS_CAP_SINV, &s));
    uint64_t server = K_RD(c, k_sinv_o, s.obj, comp);
    uint32_t entry = K_OBJ(k, k_sinv_o, s.obj)->entry;
    if (K_RD(c, k_thd_o, t->obj, depth) >= COS_INV_DEPTH)
        return RET(COS_EDEPTH);
    /* invoke */
    k_step(c, K_P_INV);
    k_touch(c, t->obj + offsetof(k_thd_o, inv) + th->depth * 8, 8, true);
    th->inv[th->depth] = th->comp;
    th->depth++;
    th->comp = server;
    k_touch(c, t->obj + offsetof(k_thd_o, depth), 4, true);
    k_comp_o *so = K_OBJ(k, k_comp_o, server);
    k_touch(c, server, sizeof *so, true);
    so->active++;
    k_switch_pd(c, server);
    t->upcall = true;
    t->fn_up = k->cfg.images[so->image]->entries[entry];
    t->up_caller = t->id;
    memcpy(t->up_a, t->a, sizeof t->up_a);
    k->st.invocations++;
    k_trace(c, K_EV_SINV, t->id, so->id, th->depth, 0, 0);
    return RET(COS_OK);
}

cos_ret k_sret(k_core *c, k_thread *t, cos_word value)
{
    k_kernel *k = c->k;
    k_thd_o *th = K_OBJ(k, k_thd_o, t->obj);
    k_step(c, K_P_RET);
    k_touch(c, t->obj + offsetof(k_thd_o, depth), 4, false);
    g_assert(th->depth > 0);   /* only the trampoline returns, after an upcall */
    uint64_t server = th->comp;
    th->depth--;
    k_touch(c, t->obj + offsetof(k_thd_o, inv) + th->depth * 8, 8, false);
    th->comp = th->inv[th->depth];
    th->inv[th->depth] = 0;
    k_touch(c, t->obj + offsetof(k_thd_o, depth), 4, true);
    K_OBJ(k, k_comp_o, server)->active--;
    k_touch(c, server + offsetof(k_comp_o, active), 8, true);
    k_switch_pd(c, th->comp);
    k->st.returns++;
    k_trace(c, K_EV_SRET, t->id, K_OBJ(k, k_comp_o, th->comp)->id, th->depth, 0, 0);
    return (cos_ret){ .err = COS_OK, .r = { value } };
}

/* Take the next scheduling event of rcv into *ret (r[0] = 0 when none). */
static void pop_event(k_core *c, uint64_t rcv, cos_ret *ret)
{
    k_kernel *k = c->k;
    k_rcv_o *r = K_OBJ(k, k_rcv_o, rcv);
    k_touch(c, rcv + offsetof(k_rcv_o, token), 24, true);
    *ret = (cos_ret){ .err = COS_OK, .r = { 0, 0, 0, r->token } };
    uint64_t x = r->ev_head;
    if (x == 0)
        return;
    k_thd_o *xo = K_OBJ(k, k_thd_o, x);
    k_touch(c, x + offsetof(k_thd_o, ev_next), 24, true);
    r->ev_head = xo->ev_next;
    if (r->ev_head == 0)
        r->ev_tail = 0;
    uint32_t flags = xo->ev_flags;
    if (xo->state == K_THD_RUNNABLE)
        flags |= COS_SCHED_EV_RUNNABLE;
    if (r->ev_head)
        flags |= COS_SCHED_EV_MORE;
    ret->r[0] = xo->id;
    ret->r[1] = flags;
    ret->r[2] = xo->ev_cycles;
    xo->ev_flags = 0;
    xo->ev_cycles = 0;
    xo->ev_queued = 0;
    xo->ev_next = 0;
    k_unref(c, x);
}

void k_sched_woken(k_core *c, uint64_t thd, uint64_t rcv)
{
    k_thread *t = k_thread_of(c->k, thd);
    pop_event(c, rcv, &t->ret);
}

void k_rcv_woken(k_core *c, uint64_t thd, uint64_t rcv)
{
    k_thread *t = k_thread_of(c->k, thd);
    k_rcv_o *r = K_OBJ(c->k, k_rcv_o, rcv);
    t->ret = (cos_ret){ .err = COS_OK, .r = { r->pending } };
    r->pending = 0;
}

/* The receive half: take pending sends, or block. */
static cos_ret receive(k_core *c, k_thread *t, uint64_t rcv, bool nonblock)
{
    k_step(c, K_P_RECV);
    k_rcv_o *r = K_OBJ(c->k, k_rcv_o, rcv);
    k_touch(c, rcv + offsetof(k_rcv_o, pending), 8, true);
    c->k->st.receives++;
    if (r->pending || nonblock) {
        cos_ret ret = { .err = COS_OK, .r = { r->pending } };
        r->pending = 0;
        return ret;
    }
    k_trace(c, K_EV_RCV, t->id, SIM_NONE, 0, 0, 0);
    k_block_current(c, t->obj, K_THD_BLOCKED_RCV, rcv);
    return RET(COS_OK);   /* replaced by k_rcv_woken when a send wakes it */
}

static cos_err own_rcv(k_core *c, k_thd_o *th, k_thread *t, cos_capid cap, uint64_t *rcv)
{
    k_slot s;
    cos_err e = k_cap(c, th->comp, cap, COS_CAP_RCV, &s);
    if (e)
        return e;
    if (K_RD(c, k_rcv_o, s.obj, thd) != t->obj)
        return COS_EPERM;
    *rcv = s.obj;
    return COS_OK;
}

/* Send to rcv: here, or through the ring to its core. */
static cos_err send(k_core *c, uint64_t rcv, bool yield)
{
    unsigned core = K_RD(c, k_hdr, rcv, core);
    k_trace(c, K_EV_SEND, c->next ? (int64_t)c->next->id : SIM_NONE, SIM_NONE, (int64_t)core, 0, 0);
    if (core != c->id)
        return k_send_remote(c, rcv, core);
    k_activate(c, rcv, yield);
    return COS_OK;
}

static cos_ret do_asnd(k_core *c, k_thread *t, k_thd_o *th)
{
    k_slot s;
    TRY(k_cap(c, th->comp, t->cap, COS_CAP_ASND, &s));
    uint64_t rcv = K_RD(c, k_asnd_o, s.obj, rcv);
    TRY(send(c, rcv, t->a[0] != 0));
    return RET(COS_OK);
}

static cos_ret do_asnd_rcv(k_core *c, k_thread *t, k_thd_o *th)
{
    k_slot s;
    uint64_t own;
    TRY(k_cap(c, th->comp, t->cap, COS_CAP_ASND, &s));
    TRY(own_rcv(c, th, t, (cos_capid)t->a[0], &own));
    uint64_t rcv = K_RD(c, k_asnd_o, s.obj, rcv);
    if (rcv == own)
        return RET(COS_EINVAL);
    TRY(send(c, rcv, false));
    return receive(c, t, own, false);
}

static cos_ret do_sched_rcv(k_core *c, k_thread *t, k_thd_o *th)
{
    uint64_t rcv;
    TRY(own_rcv(c, th, t, t->cap, &rcv));
    cos_ret ret;
    pop_event(c, rcv, &ret);
    if (ret.r[0] || (t->a[0] & COS_RCV_NONBLOCK))
        return ret;
    k_block_current(c, t->obj, K_THD_BLOCKED_SCHED, rcv);
    return ret;     /* replaced by k_sched_woken when an event wakes it */
}

static cos_err tcap_of(k_core *c, k_thd_o *th, cos_capid cap, uint64_t *tc)
{
    k_slot s;
    cos_err e = k_cap(c, th->comp, cap, COS_CAP_TCAP, &s);
    if (e)
        return e;
    if (K_RD(c, k_hdr, s.obj, core) != c->id)
        return COS_ECORE;
    *tc = s.obj;
    return COS_OK;
}

/* Set scheduler `sched`'s priority in tcap tc (adding the entry if there
 * is room). */
static cos_err set_prio(k_core *c, uint64_t tc, uint64_t sched, uint32_t prio, bool apply)
{
    k_tcap_o *o = K_OBJ(c->k, k_tcap_o, tc);
    k_touch(c, tc, sizeof *o, apply);
    for (uint32_t i = 0; i < o->ndelegs; i++)
        if (o->deleg[i].sched == sched) {
            if (apply)
                o->deleg[i].prio = prio;
            return COS_OK;
        }
    if (o->ndelegs >= COS_TCAP_DELEGS)
        return COS_EDEPTH;
    if (apply) {
        o->deleg[o->ndelegs].sched = sched;
        o->deleg[o->ndelegs].prio = prio;
        o->ndelegs++;
    }
    return COS_OK;
}

static cos_ret do_switch(k_core *c, k_thread *t, k_thd_o *th)
{
    k_kernel *k = c->k;
    k_slot s;
    TRY(k_cap(c, th->comp, t->cap, COS_CAP_THREAD, &s));
    uint64_t target = s.obj;
    k_thd_o *to = K_OBJ(k, k_thd_o, target);
    k_step(c, K_P_DISPATCH);
    k_touch(c, target, 64, false);
    if (to->h.core != c->id)
        return RET(COS_ECORE);
    if (to->state == K_THD_EXITED)
        return RET(COS_EINVAL);
    if (to->state != K_THD_RUNNABLE && target != t->obj)
        return RET(COS_EBUSY);
    uint64_t tc = 0, rcv = 0;
    if (t->a[0]) {
        TRY(tcap_of(c, th, (cos_capid)t->a[0], &tc));
        if (K_OBJ(k, k_tcap_o, tc)->budget == 0)
            return RET(COS_EPERM);
    }
    uint32_t prio = (uint32_t)t->a[1];
    if (t->a[1] > COS_PRIO_MIN)
        return RET(COS_EINVAL);
    if (t->a[3]) {
        TRY(own_rcv(c, th, t, (cos_capid)t->a[3], &rcv));
        k_touch(c, rcv + offsetof(k_rcv_o, token), 8, false);
        if (t->a[4] != K_OBJ(k, k_rcv_o, rcv)->token)
            return RET(COS_ESTALE);
    } else if (t->a[2]) {
        return RET(COS_EINVAL);   /* a timeout needs the scheduler's rcv */
    }
    uint64_t sched = rcv ? rcv : K_OBJ(k, k_thd_o, t->obj)->rcv;
    uint64_t ptc = tc ? tc : (to->tcap ? to->tcap : K_OBJ(k, k_core_o, c->page)->cur_tcap);
    if (prio) {
        if (sched == 0 || ptc == 0)
            return RET(COS_EINVAL);
        TRY(set_prio(c, ptc, sched, prio, false));
    }
    /* invoke */
    if (prio)
        set_prio(c, ptc, sched, prio, true);
    if (tc && tc != to->tcap) {
        uint64_t old = to->tcap;
        k_ref(c, tc);
        K_WR(c, k_thd_o, target, tcap, tc);
        if (old)
            k_unref(c, old);
    }
    if (rcv && to->sched == 0 && target != t->obj) {
        to->sched = rcv;
        k_ref(c, rcv);
    }
    if (rcv)
        K_WR(c, k_rcv_o, rcv, timeout, t->a[2]);
    if (target == t->obj) {
        /* the caller itself: its tcap (or priority) changes now */
        K_OBJ(k, k_core_o, c->page)->cur_tcap = k_run_tcap(c, target, 0);
    } else {
        k_dispatch(c, target);
    }
    return RET(COS_OK);
}

/* Move budget and merge delegation lists (Composite's delegate): dst gets
 * every scheduler of src, at the weaker of the two priorities where both
 * have it; src's owner gets `prio` (0: src's own). */
static cos_err tcap_move(k_core *c, uint64_t src, uint64_t dst, uint64_t cycles, uint32_t prio, bool apply)
{
    k_kernel *k = c->k;
    k_tcap_o *so = K_OBJ(k, k_tcap_o, src), *dn = K_OBJ(k, k_tcap_o, dst);
    k_step(c, K_P_TCAP);
    k_touch(c, src, sizeof *so, apply);
    k_touch(c, dst, sizeof *dn, apply);
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
    if (n > COS_TCAP_DELEGS)
        return COS_EDEPTH;
    if (!apply)
        return COS_OK;
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
    return COS_OK;
}

static cos_ret do_transfer(k_core *c, k_thread *t, k_thd_o *th, bool delegate)
{
    uint64_t src;
    k_slot s;
    TRY(tcap_of(c, th, t->cap, &src));
    TRY(k_cap(c, th->comp, (cos_capid)t->a[0], delegate ? COS_CAP_ASND : COS_CAP_RCV, &s));
    uint64_t rcv = delegate ? K_RD(c, k_asnd_o, s.obj, rcv) : s.obj;
    uint64_t dst = K_RD(c, k_rcv_o, rcv, tcap);
    if (dst == 0)
        return RET(COS_ENOENT);
    TRY(tcap_move(c, src, dst, t->a[1], (uint32_t)t->a[2], false));
    tcap_move(c, src, dst, t->a[1], (uint32_t)t->a[2], true);
    if (delegate) {
        /* the rcv is on src's core (tcap_move checked dst's) */
        k_activate(c, rcv, t->a[3] != 0);
    }
    return RET(COS_OK);
}

static cos_ret do_merge(k_core *c, k_thread *t, k_thd_o *th)
{
    k_kernel *k = c->k;
    uint64_t dst;
    k_slot cts, rs;
    TRY(tcap_of(c, th, t->cap, &dst));
    TRY(k_cap(c, th->comp, (cos_capid)t->a[0], COS_CAP_CAPTBL, &cts));
    k_captbl ct = { .root = cts.obj };
    TRY(k_ct_lookup(&k->mem, &ct, c->id, (cos_capid)t->a[1], c->now, &c->cycles, &rs, NULL));
    if (rs.type != COS_CAP_TCAP)
        return RET(COS_ETYPE);
    uint64_t src = rs.obj;
    if (k_mem_refs(&k->mem, src) != 1)
        return RET(COS_EBUSY);    /* used by a thread, an rcv or another capability */
    if (K_OBJ(k, k_tcap_o, src)->budget == 0) {
        /* nothing to move: just remove it */
    } else {
        TRY(tcap_move(c, src, dst, 0, 0, false));
        tcap_move(c, src, dst, 0, 0, true);
    }
    cos_err e = k_ct_deactivate(&k->mem, &ct, c->id, (cos_capid)t->a[1], COS_CAP_TCAP, c->now, &c->cycles);
    g_assert(e == COS_OK);
    k_unref(c, src);
    return RET(COS_OK);
}

static cos_ret do_budget(k_core *c, k_thread *t, k_thd_o *th)
{
    uint64_t tc;
    TRY(tcap_of(c, th, t->cap, &tc));
    k_step(c, K_P_TCAP);
    k_touch(c, tc + offsetof(k_tcap_o, budget), 8, false);
    cos_ret r = RET(COS_OK);
    r.r[0] = K_OBJ(c->k, k_tcap_o, tc)->budget;
    return r;
}

static bool counted(uint16_t type)
{
    return type != COS_CAP_KMEM && type != COS_CAP_HW;
}

static cos_ret do_copy(k_core *c, k_thread *t, k_thd_o *th)
{
    k_kernel *k = c->k;
    k_slot dst, src;
    TRY(k_cap(c, th->comp, t->cap, COS_CAP_CAPTBL, &dst));
    TRY(k_cap(c, th->comp, (cos_capid)t->a[1], COS_CAP_FREE, &src));
    k_captbl ct = { .root = dst.obj };
    TRY(k_ct_check_free(&k->mem, &ct, c->id, (cos_capid)t->a[0], c->now, &c->cycles));
    cos_err e = k_ct_activate(&k->mem, &ct, c->id, (cos_capid)t->a[0], src.type, src.obj, c->now, &c->cycles);
    g_assert(e == COS_OK);
    if (counted(src.type))
        k_ref(c, src.obj);
    return RET(COS_OK);
}

static cos_ret do_remove(k_core *c, k_thread *t, k_thd_o *th)
{
    k_kernel *k = c->k;
    k_slot cts, s;
    TRY(k_cap(c, th->comp, t->cap, COS_CAP_CAPTBL, &cts));
    k_captbl ct = { .root = cts.obj };
    TRY(k_ct_lookup(&k->mem, &ct, c->id, (cos_capid)t->a[0], c->now, &c->cycles, &s, NULL));
    if (counted(s.type) && k_mem_refs(&k->mem, s.obj & ~(uint64_t)(COS_PAGE_SIZE - 1)) == 1) {
        /* the last reference: the object ends; not while threads run in a
         * component, nor while a core runs the thread */
        if (s.type == COS_CAP_COMP && K_RD(c, k_comp_o, s.obj, active))
            return RET(COS_EBUSY);
        if (s.type == COS_CAP_THREAD) {
            /* not a thread some core is running (its per-core variable;
             * another core's is a shared line, charged as such) */
            unsigned core = K_RD(c, k_hdr, s.obj, core);
            k_touch(c, k->core[core].page, 8, false);
            if (K_OBJ(k, k_core_o, k->core[core].page)->cur_thd == s.obj)
                return RET(COS_EBUSY);
        }
    }
    cos_err e = k_ct_deactivate(&k->mem, &ct, c->id, (cos_capid)t->a[0], (cos_cap_type)s.type, c->now, &c->cycles);
    g_assert(e == COS_OK);
    if (counted(s.type))
        k_unref(c, s.obj);
    return RET(COS_OK);
}

static cos_ret do_narrow(k_core *c, k_thread *t, k_thd_o *th)
{
    k_kernel *k = c->k;
    k_slot km, dst;
    TRY(k_cap(c, th->comp, t->cap, COS_CAP_KMEM, &km));
    TRY(k_cap(c, th->comp, (cos_capid)t->a[0], COS_CAP_CAPTBL, &dst));
    uint64_t first = t->a[2], n = t->a[3];
    if (n == 0 || first >= kmem_pages(&km) || n > kmem_pages(&km) - first)
        return RET(COS_ERANGE);
    k_captbl ct = { .root = dst.obj };
    TRY(k_ct_check_free(&k->mem, &ct, c->id, (cos_capid)t->a[1], c->now, &c->cycles));
    cos_err e = k_ct_activate(&k->mem, &ct, c->id, (cos_capid)t->a[1], COS_CAP_KMEM,
                              kmem_pack(kmem_first(&km) + first, n), c->now, &c->cycles);
    g_assert(e == COS_OK);
    return RET(COS_OK);
}

static cos_ret do_retype(k_core *c, k_thread *t, k_thd_o *th)
{
    uint64_t page;
    TRY(kmem_page(c, th->comp, t->cap, t->a[0], &page));
    if (t->a[1] > COS_MEM_USER || t->a[2] > COS_MEM_USER)
        return RET(COS_EINVAL);
    TRY(k_mem_retype(&c->k->mem, c->id, page, (k_page_type)t->a[1], (k_page_type)t->a[2], c->now, &c->cycles));
    if (t->a[2] != COS_MEM_UNTYPED) {
        memset(k_ram(c->k, page), 0, COS_PAGE_SIZE);   /* new memory reads as zeros */
        k_touch(c, page, COS_PAGE_SIZE, true);
    }
    return RET(COS_OK);
}

static cos_ret do_expand(k_core *c, k_thread *t, k_thd_o *th)
{
    k_slot ct;
    uint64_t page;
    TRY(k_cap(c, th->comp, t->cap, COS_CAP_CAPTBL, &ct));
    TRY(kmem_page(c, th->comp, (cos_capid)t->a[1], t->a[2], &page));
    k_captbl tb = { .root = ct.obj };
    TRY(k_ct_expand(&c->k->mem, &tb, c->id, (uint32_t)MIN(t->a[0], (cos_word)UINT32_MAX), page, c->now, &c->cycles));
    return RET(COS_OK);
}

/* Object creation: kmem page a0 (unused kernel page) and free slot a1. */
static cos_ret do_alloc(k_core *c, k_thread *t, k_thd_o *th)
{
    k_kernel *k = c->k;
    uint64_t page;
    TRY(kmem_page(c, th->comp, t->cap, t->a[0], &page));
    TRY(k_mem_check_unused_kernel(&k->mem, page, c->now));
    cos_capid slot = (cos_capid)t->a[1];
    TRY(free_slot(c, th->comp, slot));
    k_slot s1, s2, s3;
    cos_cap_type type;
    switch (t->op) {
    case COS_OP_CAPTBL_ALLOC: {
        k_captbl ct;
        TRY(k_ct_create(&k->mem, c->id, page, c->now, &c->cycles, &ct));
        put_cap(c, th->comp, slot, COS_CAP_CAPTBL, page);
        return RET(COS_OK);
    }
    case COS_OP_PGTBL_ALLOC: {
        uint64_t n = t->a[2];
        uint64_t need = k->h->cfg.has_mpu ? 1 : (k->h->cfg.arch == MODEL_X86_64 ? 2 : 8);
        if (n < need || n > MAX_POOL_PAGES)
            return RET(COS_EINVAL);
        k_slot km;
        TRY(k_cap(c, th->comp, t->cap, COS_CAP_KMEM, &km));
        if (t->a[0] + n > kmem_pages(&km))
            return RET(COS_ERANGE);
        TRY(check_pool(c, page, n));
        pgtbl_init(c, page, n);
        type = COS_CAP_PGTBL;
        break;
    }
    case COS_OP_COMP_ALLOC:
        TRY(k_cap(c, th->comp, (cos_capid)t->a[2], COS_CAP_CAPTBL, &s1));
        TRY(k_cap(c, th->comp, (cos_capid)t->a[3], COS_CAP_PGTBL, &s2));
        if (t->a[4] >= k->cfg.nimages)
            return RET(COS_ERANGE);
        comp_init(c, page, s1.obj, s2.obj, (unsigned)t->a[4]);
        type = COS_CAP_COMP;
        break;
    case COS_OP_THD_ALLOC: {
        TRY(k_cap(c, th->comp, (cos_capid)t->a[2], COS_CAP_COMP, &s1));
        unsigned image = K_RD(c, k_comp_o, s1.obj, image);
        if (t->a[3] >= k->cfg.images[image]->nentries)
            return RET(COS_ERANGE);
        uint64_t thd = thd_init(c, page, s1.obj, (unsigned)t->a[3], t->a[4], c->id, K_OBJ(k, k_thd_o, t->obj)->rcv);
        put_cap(c, th->comp, slot, COS_CAP_THREAD, thd);
        return (cos_ret){ .err = COS_OK, .r = { K_OBJ(k, k_thd_o, thd)->id } };
    }
    case COS_OP_SINV_ALLOC: {
        TRY(k_cap(c, th->comp, (cos_capid)t->a[2], COS_CAP_COMP, &s1));
        unsigned image = K_RD(c, k_comp_o, s1.obj, image);
        if (t->a[3] >= k->cfg.images[image]->nentries)
            return RET(COS_ERANGE);
        k_sinv_o *o = new_obj(c, page, COS_CAP_SINV, 0, sizeof(k_sinv_o));
        o->comp = s1.obj;
        o->entry = (uint32_t)t->a[3];
        k_ref(c, s1.obj);
        type = COS_CAP_SINV;
        break;
    }
    case COS_OP_RCV_ALLOC: {
        TRY(k_cap(c, th->comp, (cos_capid)t->a[2], COS_CAP_THREAD, &s1));
        k_thd_o *to = K_OBJ(k, k_thd_o, s1.obj);
        if (K_RD(c, k_thd_o, s1.obj, rcv))
            return RET(COS_EEXIST);
        if (to->state == K_THD_EXITED)
            return RET(COS_EINVAL);
        uint64_t tc = 0, parent = 0;
        if (t->a[3]) {
            TRY(k_cap(c, th->comp, (cos_capid)t->a[3], COS_CAP_TCAP, &s2));
            if (K_OBJ(k, k_tcap_o, s2.obj)->h.core != to->h.core)
                return RET(COS_ECORE);
            tc = s2.obj;
        }
        if (t->a[4]) {
            TRY(k_cap(c, th->comp, (cos_capid)t->a[4], COS_CAP_RCV, &s3));
            k_rcv_o *p = K_OBJ(k, k_rcv_o, s3.obj);
            if (p->h.core != to->h.core)
                return RET(COS_ECORE);
            if (p->depth + 1 > COS_TCAP_DELEGS)
                return RET(COS_EDEPTH);
            parent = s3.obj;
        }
        rcv_init(c, page, s1.obj, tc, parent);
        type = COS_CAP_RCV;
        break;
    }
    case COS_OP_ASND_ALLOC: {
        TRY(k_cap(c, th->comp, (cos_capid)t->a[2], COS_CAP_RCV, &s1));
        k_asnd_o *o = new_obj(c, page, COS_CAP_ASND, 0, sizeof(k_asnd_o));
        o->rcv = s1.obj;
        k_ref(c, s1.obj);
        type = COS_CAP_ASND;
        break;
    }
    case COS_OP_TCAP_ALLOC: {
        uint64_t owner = K_RD(c, k_thd_o, t->obj, rcv);
        if (owner == 0)
            return RET(COS_EPERM);    /* only a scheduler (a thread with an rcv) owns tcaps */
        tcap_init(c, page, c->id, owner, 0, COS_PRIO_MIN);
        type = COS_CAP_TCAP;
        break;
    }
    default:
        g_assert_not_reached();
    }
    put_cap(c, th->comp, slot, type, k_obj_addr(type, page));
    return RET(COS_OK);
}

/* A page's address in a user half: aligned, below 2^47 (x86-64) or 2^32. */
static cos_err user_va(const k_kernel *k, uint64_t va)
{
    if (va % COS_PAGE_SIZE)
        return COS_EALIGN;
    return va >= (k->h->cfg.arch == MODEL_X86_64 ? UINT64_C(1) << 47 : UINT64_C(1) << 32) ? COS_ERANGE : COS_OK;
}

static cos_ret do_map(k_core *c, k_thread *t, k_thd_o *th)
{
    k_kernel *k = c->k;
    k_slot pt;
    uint64_t frame;
    TRY(k_cap(c, th->comp, t->cap, COS_CAP_PGTBL, &pt));
    if (k->h->cfg.has_mpu)
        return RET(COS_EINVAL);
    TRY(user_page(c, th->comp, (cos_capid)t->a[1], t->a[2], &frame));
    uint64_t va = t->a[0];
    bool x86 = k->h->cfg.arch == MODEL_X86_64;
    TRY(user_va(k, va));
    if (t->a[3] & ~(cos_word)(COS_MAP_WRITE | COS_MAP_EXEC))
        return RET(COS_EINVAL);
    k_pgtbl_o *o = K_OBJ(k, k_pgtbl_o, pt.obj);
    k_touch(c, pt.obj, 64, false);
    uint64_t fits;
    map_worst(k, o, &fits);
    if (!fits)
        return RET(COS_ENOMEM);
    /* invoke (the one failure left, a page already mapped there, is
     * reported before the leaf is written; tables the walk needed stay) */
    k_step(c, K_P_MGMT);
    pool_ctx p = { k, pt.obj };
    hw_builder b;
    hw_pt_builder(k->h, pool_alloc, &p, &b);
    GError *err = NULL;
    bool ok;
    bool w = t->a[3] & COS_MAP_WRITE, x = t->a[3] & COS_MAP_EXEC;
    if (x86)
        ok = hwpt_x86_map(&b.mem, o->root, va, frame, HWTLB_4K,
                          HWPT_X86_US | (w ? HWPT_X86_RW : 0) | (x ? 0 : HWPT_X86_XD), &err);
    else
        ok = hwpt_arm_map(&b.mem, (uint32_t)o->root, (uint32_t)va, frame, HWTLB_4K,
                          HWPT_ARM_AP(w ? 3 : 2) | HWPT_ARM_NG | (x ? 0 : HWPT_ARM_XN), &err);
    k_touch(c, o->root, 8, true);
    if (!ok) {
        g_error_free(err);
        return RET(COS_EEXIST);
    }
    k_ref(c, frame);
    return RET(COS_OK);
}

/* Unmap a page: clear the leaf, invalidate this core's TLB entry, and send
 * a shootdown to every other core whose TLB may hold the table's entries
 * (it loaded the table under its ASID since the ASID last changed hands
 * there).  The sender does not wait for them: the frame loses the
 * mapping's reference now, and the quiescence rule (kmem.h) keeps it from
 * being retyped, so reused, until every shootdown has been taken.  Until
 * then a core that has not taken its shootdown may still reach the old
 * frame through its TLB (as on hardware before the IPI lands). */
static cos_ret do_unmap(k_core *c, k_thread *t, k_thd_o *th)
{
    k_kernel *k = c->k;
    k_slot pt;
    TRY(k_cap(c, th->comp, t->cap, COS_CAP_PGTBL, &pt));
    if (k->h->cfg.has_mpu)
        return RET(COS_EINVAL);
    uint64_t va = t->a[0];
    bool x86 = k->h->cfg.arch == MODEL_X86_64;
    TRY(user_va(k, va));
    k_pgtbl_o *o = K_OBJ(k, k_pgtbl_o, pt.obj);
    k_touch(c, pt.obj, 64, false);
    /* the cores to shoot down, each with room in its ring */
    uint64_t targets = 0;
    for (unsigned d = 0; d < k->ncores; d++) {
        if (d == c->id || k->asid_owner[(size_t)d * k->nasids + o->asid] != pt.obj)
            continue;
        if (!k_ring_room(c, d))
            return RET(COS_EBUSY);
        targets |= UINT64_C(1) << d;
    }
    /* invoke (a page not mapped there is reported before anything changes) */
    k_step(c, K_P_MGMT);
    pool_ctx p = { k, pt.obj };
    hw_builder b;
    hw_pt_builder(k->h, pool_alloc, &p, &b);
    GError *err = NULL;
    uint64_t frame = 0;
    bool ok = x86 ? hwpt_x86_unmap(&b.mem, o->root, va, HWTLB_4K, &frame, &err)
                  : hwpt_arm_unmap(&b.mem, (uint32_t)o->root, (uint32_t)va, HWTLB_4K, &frame, &err);
    k_touch(c, o->root, 8, true);
    if (!ok) {
        g_error_free(err);
        return RET(COS_ENOENT);
    }
    if (k->asid_owner[(size_t)c->id * k->nasids + o->asid] == pt.obj)
        k_arch(c, hw_tlb_invalidate_page(k->h, c->id, va, (uint16_t)o->asid));
    unsigned sent = 0;
    for (unsigned d = 0; d < k->ncores; d++)
        if (targets >> d & 1) {
            k_send_shootdown(c, d, va, (uint16_t)o->asid);
            sent++;
        }
    k_unref(c, frame);
    return (cos_ret){ .err = COS_OK, .r = { sent } };
}

static cos_ret do_region(k_core *c, k_thread *t, k_thd_o *th)
{
    k_kernel *k = c->k;
    k_slot pt;
    TRY(k_cap(c, th->comp, t->cap, COS_CAP_PGTBL, &pt));
    if (!k->h->cfg.has_mpu)
        return RET(COS_EINVAL);
    k_pgtbl_o *o = K_OBJ(k, k_pgtbl_o, pt.obj);
    k_touch(c, pt.obj, sizeof *o, false);
    unsigned region = (unsigned)MIN(t->a[0], (cos_word)UINT32_MAX);
    if (region >= o->mpu.nregions)
        return RET(COS_ERANGE);
    hwmpu m = o->mpu;
    uint64_t first = 0, pages = 0;
    if (t->a[1]) {
        uint64_t log2 = t->a[3];
        if (log2 < 12 || log2 > MAX_REGION_LOG2 || (t->a[4] & ~(cos_word)(COS_MAP_WRITE | COS_MAP_EXEC)))
            return RET(COS_EINVAL);
        pages = (uint64_t)1 << (log2 - 12);
        TRY(user_page(c, th->comp, (cos_capid)t->a[1], t->a[2], &first));
        uint64_t last;
        TRY(user_page(c, th->comp, (cos_capid)t->a[1], t->a[2] + pages - 1, &last));
        for (uint64_t i = 1; i + 1 < pages; i++)
            if (k_mem_type(&k->mem, first + i * COS_PAGE_SIZE) != K_PAGE_USER)
                return RET(COS_ETYPE);
        if (first % ((uint64_t)1 << log2) || first + ((uint64_t)1 << log2) - 1 > UINT32_MAX)
            return RET(COS_EALIGN);
        bool w = t->a[4] & COS_MAP_WRITE, x = t->a[4] & COS_MAP_EXEC;
        GError *err = NULL;
        bool ok;
        if (m.arch == HWMPU_V7M) {
            hwmpu_v7_region r = { .enable = true, .base = (uint32_t)first, .size = (uint64_t)1 << log2,
                                  .ap = w ? 3 : 2, .xn = !x, .c = true, .b = true };
            ok = hwmpu_set_region_v7(&m, region, &r, &err);
        } else {
            hwmpu_v8_region r = { .enable = true, .base = (uint32_t)first,
                                  .limit = (uint32_t)(first + ((uint64_t)1 << log2) - 1), .ap = w ? 1 : 3, .xn = !x };
            ok = hwmpu_set_region_v8(&m, region, &r, &err);
        }
        if (!ok) {
            g_error_free(err);
            return RET(COS_EINVAL);
        }
    } else {
        memset(&m.r[region], 0, sizeof m.r[region]);
    }
    /* invoke */
    k_step(c, K_P_MGMT);
    for (uint64_t i = 0; i < o->region_pages[region]; i++)
        k_unref(c, o->region_first[region] + i * COS_PAGE_SIZE);
    for (uint64_t i = 0; i < pages; i++)
        k_ref(c, first + i * COS_PAGE_SIZE);
    o->region_first[region] = first;
    o->region_pages[region] = pages;
    o->mpu = m;
    k_touch(c, pt.obj + offsetof(k_pgtbl_o, mpu), sizeof m, true);
    /* the running component's layout takes effect now */
    if (K_OBJ(k, k_comp_o, th->comp)->pgtbl == pt.obj)
        k_arch(c, hw_mpu_program(k->h, c->id, &m));
    return RET(COS_OK);
}

static cos_ret do_hw(k_core *c, k_thread *t, k_thd_o *th)
{
    k_kernel *k = c->k;
    k_slot s;
    TRY(k_cap(c, th->comp, t->cap, COS_CAP_HW, &s));
    if (t->op == COS_OP_HW_FLUSH) {
        k_arch(c, hw_flush_cold(k->h, c->id));
        return RET(COS_OK);
    }
    cos_word line = t->a[0];
    if (line >= k->nlines || hwirq_check_line(k->h->irq, (unsigned)line) != HWIRQ_OK)
        return RET(COS_ERANGE);
    if (line == k->h->timer_line || line == hw_ipi_line(k->h))
        return RET(COS_EBUSY);    /* the kernel's own */
    uint64_t slot = k->hwtbl + line * 8;
    uint64_t rcv = 0;
    if (t->op == COS_OP_HW_ATTACH) {
        k_slot r;
        TRY(k_cap(c, th->comp, (cos_capid)t->a[1], COS_CAP_RCV, &r));
        rcv = r.obj;
    }
    k_step(c, K_P_MGMT);
    k_touch(c, slot, 8, true);
    uint64_t old = *(uint64_t *)k_ram(k, slot);
    *(uint64_t *)k_ram(k, slot) = rcv;
    if (rcv)
        k_ref(c, rcv);
    if (old)
        k_unref(c, old);
    if (rcv && hwirq_get_kind(k->h->irq) == HWIRQ_GIC && line >= 32)
        hwirq_set_target(k->h->irq, (unsigned)line, K_OBJ(k, k_hdr, rcv)->core);
    return RET(COS_OK);
}

cos_ret k_syscall(k_core *c, k_thread *t)
{
    k_kernel *k = c->k;
    k_thd_o *th = K_OBJ(k, k_thd_o, t->obj);
    k_touch(c, t->obj, 64, false);      /* the thread's header: component, depth */
    switch (t->op) {
    case COS_OP_SINV: return do_sinv(c, t, th);
    case COS_OP_ASND: return do_asnd(c, t, th);
    case COS_OP_RCV: {
        uint64_t rcv;
        TRY(own_rcv(c, th, t, t->cap, &rcv));
        return receive(c, t, rcv, t->a[0] & COS_RCV_NONBLOCK);
    }
    case COS_OP_ASND_RCV: return do_asnd_rcv(c, t, th);
    case COS_OP_SCHED_RCV: return do_sched_rcv(c, t, th);
    case COS_OP_THD_SWITCH: return do_switch(c, t, th);
    case COS_OP_TCAP_TRANSFER: return do_transfer(c, t, th, false);
    case COS_OP_TCAP_DELEGATE: return do_transfer(c, t, th, true);
    case COS_OP_TCAP_MERGE: return do_merge(c, t, th);
    case COS_OP_TCAP_BUDGET: return do_budget(c, t, th);
    case COS_OP_CAP_COPY: k_step(c, K_P_MGMT); return do_copy(c, t, th);
    case COS_OP_CAP_REMOVE: k_step(c, K_P_MGMT); return do_remove(c, t, th);
    case COS_OP_KMEM_NARROW: k_step(c, K_P_MGMT); return do_narrow(c, t, th);
    case COS_OP_KMEM_RETYPE: k_step(c, K_P_MGMT); return do_retype(c, t, th);
    case COS_OP_CAPTBL_EXPAND: k_step(c, K_P_MGMT); return do_expand(c, t, th);
    case COS_OP_CAPTBL_ALLOC:
    case COS_OP_PGTBL_ALLOC:
    case COS_OP_COMP_ALLOC:
    case COS_OP_THD_ALLOC:
    case COS_OP_SINV_ALLOC:
    case COS_OP_RCV_ALLOC:
    case COS_OP_ASND_ALLOC:
    case COS_OP_TCAP_ALLOC:
        k_step(c, K_P_MGMT);
        return do_alloc(c, t, th);
    case COS_OP_PGTBL_MAP: return do_map(c, t, th);
    case COS_OP_PGTBL_UNMAP: return do_unmap(c, t, th);
    case COS_OP_KMEM_INFO: {
        k_slot km;
        k_step(c, K_P_MGMT);
        TRY(k_cap(c, th->comp, t->cap, COS_CAP_KMEM, &km));
        return (cos_ret){ .err = COS_OK, .r = { kmem_first(&km) * COS_PAGE_SIZE, kmem_pages(&km) } };
    }
    case COS_OP_MPU_REGION: return do_region(c, t, th);
    case COS_OP_HW_ATTACH:
    case COS_OP_HW_DETACH:
    case COS_OP_HW_FLUSH: return do_hw(c, t, th);
    default: return RET(COS_EINVAL);
    }
}

/* ---- boot ---------------------------------------------------------------------------- */

uint64_t k_boot_page(boot_alloc *b)
{
    if (b->next >= b->end)
        return 0;
    uint64_t cycles = 0;
    cos_err e = k_mem_retype(&b->k->mem, 0, b->next, K_PAGE_UNTYPED, K_PAGE_KERNEL, sim_now(b->k->s), &cycles);
    g_assert(e == COS_OK);
    b->next += COS_PAGE_SIZE;
    return b->next - COS_PAGE_SIZE;
}

bool k_boot_objects(k_kernel *k, k_core *c, boot_alloc *b, GError **error)
{
    /* a path whose cost nobody pays: boot */
    c->now = sim_now(k->s);
    c->cycles = 0;
    unsigned pool = k->h->cfg.has_mpu ? 1 : 8;
    uint64_t need = 3 + pool + 1 + 3 * (uint64_t)k->ncores + 2;
    if ((b->end - b->next) / COS_PAGE_SIZE < need + 1) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOSPC, "kernel: too little memory to boot");
        return false;
    }
    k_captbl ct;
    cos_err e = k_ct_create(&k->mem, c->id, k_boot_page(b), c->now, &c->cycles, &ct);
    g_assert(e == COS_OK);
    for (uint32_t i = 0; i < 2; i++) {
        e = k_ct_expand(&k->mem, &ct, c->id, i, k_boot_page(b), c->now, &c->cycles);
        g_assert(e == COS_OK);
    }
    /* the page-table pool: consecutive pages, the ARM root 16K-aligned */
    if (!k->h->cfg.has_mpu && k->h->cfg.arch != MODEL_X86_64)
        while ((b->next + COS_PAGE_SIZE) % 16384)
            k_boot_page(b);
    uint64_t pool_first = b->next;
    for (unsigned i = 0; i < pool; i++)
        k_boot_page(b);
    uint64_t pt = pgtbl_init(c, pool_first, pool);
    uint64_t comp = comp_init(c, k_boot_page(b), ct.root, pt, k->cfg.boot_image);
    k->asid_owner[0] = 0;
    /* capabilities: the table, page table and component hold one reference each already */
    k_ct_activate(&k->mem, &ct, c->id, COS_BOOT_CAPTBL, COS_CAP_CAPTBL, ct.root, c->now, &c->cycles);
    k_ct_activate(&k->mem, &ct, c->id, COS_BOOT_PGTBL, COS_CAP_PGTBL, pt, c->now, &c->cycles);
    k_ct_activate(&k->mem, &ct, c->id, COS_BOOT_COMP, COS_CAP_COMP, comp, c->now, &c->cycles);
    k_ct_activate(&k->mem, &ct, c->id, COS_BOOT_HW, COS_CAP_HW, k->hwtbl, c->now, &c->cycles);
    for (unsigned i = 0; i < k->ncores; i++) {
        k_core *ci = &k->core[i];
        uint64_t thd = thd_init(c, k_boot_page(b), comp, k->cfg.boot_entry, i, i, 0);
        k_thread_of(k, thd)->arg2 = k->cfg.boot_arg;
        uint64_t tc = tcap_init(c, k_boot_page(b), i, 0, COS_BUDGET_INF, COS_PRIO_MAX);
        uint64_t rcv = rcv_init(c, k_boot_page(b), thd, tc, 0);
        K_OBJ(k, k_tcap_o, tc)->owner = rcv;
        K_OBJ(k, k_tcap_o, tc)->ndelegs = 1;
        K_OBJ(k, k_tcap_o, tc)->deleg[0] = (k_deleg){ .sched = rcv, .prio = COS_PRIO_MAX };
        K_OBJ(k, k_thd_o, thd)->tcap = tc;
        k_ref(c, tc);
        k_ct_activate(&k->mem, &ct, c->id, COS_BOOT_THD(i), COS_CAP_THREAD, thd, c->now, &c->cycles);
        k_ct_activate(&k->mem, &ct, c->id, COS_BOOT_TCAP(i), COS_CAP_TCAP, tc, c->now, &c->cycles);
        k_ct_activate(&k->mem, &ct, c->id, COS_BOOT_RCV(i), COS_CAP_RCV, rcv, c->now, &c->cycles);
        ci->root_rcv = rcv;
        ci->cur = k_thread_of(k, thd);
        k_core_o *co = K_OBJ(k, k_core_o, ci->page);
        co->cur_thd = thd;
        co->cur_tcap = tc;
        /* the core starts in the boot component's address space */
        ci->now = c->now;
        ci->cycles = 0;
        k_switch_pd(ci, comp);
    }
    /* the rest of memory, untyped, to the booter */
    uint64_t first = b->next / COS_PAGE_SIZE, n = b->end / COS_PAGE_SIZE - first;
    k_ct_activate(&k->mem, &ct, c->id, COS_BOOT_KMEM, COS_CAP_KMEM, kmem_pack(first, n), c->now, &c->cycles);
    c->cycles = 0;
    return true;
}
