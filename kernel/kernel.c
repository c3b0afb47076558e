/* kernel/kernel.c: boot, threads on the engine, scheduling, interrupts (see
 * kernel.h; system calls are in syscall.c, invariants in check.c). */
#include "internal.h"

#include <string.h>

/* The thread whose coroutine is running on this host thread (set only
 * around the switch into it).  Per host thread, so simulations on
 * different host threads do not meet. */
static __thread k_thread *k_self;

#define DEFAULT_QUIESCENCE ((sim_time_t)10 * SIM_US)
#define MAX_IRQS_PER_PATH 64u

/* ---- small helpers ------------------------------------------------------- */

uint64_t k_cycles_now(const k_kernel *k)
{
    return hwtimer_ticks_at(k->h->cfg.freq_hz, 1, sim_now(k->s));
}

/* Whole cycles of a core in ps (rounded down). */
static uint64_t ps_to_cycles(const k_kernel *k, sim_time_t ps)
{
    return hwtimer_ticks_at(k->h->cfg.freq_hz, 1, ps);
}

k_thread *k_thread_of(k_kernel *k, uint64_t obj)
{
    uint32_t id = K_OBJ(k, k_thd_o, obj)->id;
    g_assert(id >= 1 && id <= k->threads->len);
    return g_ptr_array_index(k->threads, id - 1);
}

void k_trace(k_core *c, unsigned kind, int64_t thread, int64_t comp, int64_t a0, int64_t a1, int64_t a2)
{
    k_kernel *k = c->k;
    if (!k->cfg.trace)
        return;
    sim_event(k->s, k->kind[kind], (int64_t)k->h->core_base + c->id, thread, comp, a0, a1, a2, NULL);
}

static int64_t thd_id(k_kernel *k, uint64_t thd)
{
    return thd ? (int64_t)K_OBJ(k, k_thd_o, thd)->id : SIM_NONE;
}

/* ---- reference counts ------------------------------------------------------ */

void k_ref(k_core *c, uint64_t obj)
{
    cos_err e = k_mem_get(&c->k->mem, c->id, obj & ~(uint64_t)(COS_PAGE_SIZE - 1), c->now + hw_ps(c->k->h, c->cycles),
                          &c->cycles);
    g_assert(e == COS_OK);
}

/* The references an object holds, dropped when it ends. */
static void release(k_core *c, uint64_t obj, unsigned kind)
{
    k_kernel *k = c->k;
    switch (kind) {
    case COS_CAP_COMP: {
        k_comp_o *o = K_OBJ(k, k_comp_o, obj);
        k_touch(c, obj, sizeof *o, false);
        uint64_t ct = o->captbl, pt = o->pgtbl;
        o->captbl = o->pgtbl = 0;
        k_unref(c, ct);
        k_unref(c, pt);
        break;
    }
    case COS_CAP_THREAD: {
        k_thd_o *o = K_OBJ(k, k_thd_o, obj);
        if (K_OBJ(k, k_core_o, k->core[o->h.core].page)->cur_thd == obj) {
            /* its last reference went (e.g. with its rcv) while a core runs
             * it: it keeps running, unreachable, on a reference nobody will
             * drop (a leak the kernel accepts rather than free a running
             * thread) */
            k_ref(c, obj);
            k_mem_set_kind(&k->mem, obj & ~(uint64_t)(COS_PAGE_SIZE - 1), COS_CAP_THREAD);
            break;
        }
        k_touch(c, obj, sizeof *o, true);
        /* a thread ends only when nothing refers to it: not current, not
         * queued for its scheduler, not owning a live rcv */
        /* the servers it was inside: inv[1..depth-1] and comp */
        for (uint32_t i = 1; i < o->depth; i++) {
            uint64_t comp = o->inv[i];
            K_OBJ(k, k_comp_o, comp)->active--;
            k_touch(c, comp + offsetof(k_comp_o, active), 8, true);
        }
        if (o->depth) {
            K_OBJ(k, k_comp_o, o->comp)->active--;
            k_touch(c, o->comp + offsetof(k_comp_o, active), 8, true);
        }
        o->depth = 0;
        o->state = K_THD_EXITED;
        k_thread_of(k, obj)->obj = 0;     /* the host record outlives it, dead */
        uint64_t home = o->home, sched = o->sched, tcap = o->tcap;
        o->home = o->sched = o->tcap = o->comp = 0;
        k_unref(c, home);
        if (sched)
            k_unref(c, sched);
        if (tcap)
            k_unref(c, tcap);
        break;
    }
    case COS_CAP_SINV: {
        k_sinv_o *o = K_OBJ(k, k_sinv_o, obj);
        uint64_t comp = o->comp;
        o->comp = 0;
        k_unref(c, comp);
        break;
    }
    case COS_CAP_RCV: {
        k_rcv_o *o = K_OBJ(k, k_rcv_o, obj);
        k_touch(c, obj, sizeof *o, true);
        uint64_t thd = o->thd, tcap = o->tcap, parent = o->parent;
        o->thd = o->tcap = o->parent = 0;
        K_OBJ(k, k_thd_o, thd)->rcv = 0;
        k_unref(c, thd);
        if (tcap)
            k_unref(c, tcap);
        if (parent)
            k_unref(c, parent);
        break;
    }
    case COS_CAP_ASND: {
        k_asnd_o *o = K_OBJ(k, k_asnd_o, obj);
        uint64_t rcv = o->rcv;
        o->rcv = 0;
        k_unref(c, rcv);
        break;
    }
    default:    /* tcaps, page tables, capability tables: nothing counted */
        break;
    }
}

void k_unref(k_core *c, uint64_t obj)
{
    k_kernel *k = c->k;
    uint64_t page = obj & ~(uint64_t)(COS_PAGE_SIZE - 1);
    unsigned kind = k_mem_kind(&k->mem, page);
    cos_err e = k_mem_put(&k->mem, c->id, page, c->now + hw_ps(k->h, c->cycles), &c->cycles);
    g_assert(e == COS_OK);
    if (k_mem_refs(&k->mem, page) == 0 && kind && obj == k_obj_addr(kind, page))
        release(c, obj, kind);
}

/* ---- tcaps --------------------------------------------------------------- */

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

uint64_t k_run_tcap(k_core *c, uint64_t thd, uint64_t rcv)
{
    if (rcv) {
        uint64_t t = K_RD(c, k_rcv_o, rcv, tcap);
        if (t)
            return t;
    }
    uint64_t t = K_RD(c, k_thd_o, thd, tcap);
    return t ? t : K_OBJ(c->k, k_core_o, c->page)->cur_tcap;
}

/* Charge the cycles since the last charge to the current tcap and thread. */
static void account(k_core *c)
{
    k_kernel *k = c->k;
    k_step(c, K_P_ACCT);
    uint64_t ran = ps_to_cycles(k, c->now) - ps_to_cycles(k, c->tcap_since);
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

/* ---- scheduling events and dispatch ------------------------------------------ */

/* Put thd on scheduler rcv's event list with flags (charged). */
static void queue_event(k_core *c, uint64_t rcv, uint64_t thd, uint32_t flags)
{
    k_kernel *k = c->k;
    k_step(c, K_P_EVENT);
    k_thd_o *t = K_OBJ(k, k_thd_o, thd);
    k_touch(c, thd + offsetof(k_thd_o, ev_next), 24, true);
    t->ev_flags |= flags;
    k_rcv_o *r = K_OBJ(k, k_rcv_o, rcv);
    k_touch(c, rcv + offsetof(k_rcv_o, token), 24, true);
    r->token++;
    if (!t->ev_queued) {
        t->ev_queued = 1;
        t->ev_next = 0;
        k_ref(c, thd);
        if (r->ev_tail)
            K_WR(c, k_thd_o, r->ev_tail, ev_next, thd);
        else
            r->ev_head = thd;
        r->ev_tail = thd;
    }
    k->st.events++;
}

/* A scheduler blocked waiting for events on rcv becomes runnable (its
 * call returns the first event); it runs at once if the core has nothing
 * else to do, or, with preempt, if its tcap outranks the current one. */
static void wake_scheduler(k_core *c, uint64_t rcv, bool preempt)
{
    k_kernel *k = c->k;
    uint64_t st = K_RD(c, k_rcv_o, rcv, thd);
    k_thd_o *s = K_OBJ(k, k_thd_o, st);
    if (s->state == K_THD_BLOCKED_SCHED && s->blocked_on == rcv) {
        K_WR(c, k_thd_o, st, state, (uint32_t)K_THD_RUNNABLE);
        s->blocked_on = 0;
        k_sched_woken(c, st, rcv);
        /* a child scheduler that wakes is news for its parent, as any
         * thread that wakes is (a root scheduler has none); the parent
         * hears first, so on an idle core it is the one that runs */
        k_event(c, st, COS_SCHED_EV_WOKEN);
    } else if (!preempt) {
        return;
    }
    if (s->state != K_THD_RUNNABLE || s->h.core != c->id || (c->next && c->next->obj == st))
        return;
    if (c->next == NULL
        || (preempt && k_tcap_higher(c, k_run_tcap(c, st, 0), K_OBJ(k, k_core_o, c->page)->cur_tcap)))
        k_dispatch(c, st);
}

void k_event(k_core *c, uint64_t thd, uint32_t flags)
{
    uint64_t rcv = K_RD(c, k_thd_o, thd, sched);
    if (rcv == 0)
        return;     /* a root scheduler's own thread: nobody to tell */
    queue_event(c, rcv, thd, flags);
    wake_scheduler(c, rcv, false);
}

void k_dispatch(k_core *c, uint64_t thd)
{
    k_kernel *k = c->k;
    k_thread *nt = thd ? k_thread_of(k, thd) : NULL;
    k_core_o *co = K_OBJ(k, k_core_o, c->page);
    uint64_t cur = c->next ? c->next->obj : 0;
    if (nt != c->next) {
        k_step(c, K_P_SWITCH);
        unsigned bytes = k->regs_words * k->word_bytes;
        if (cur)
            k_touch(c, cur + offsetof(k_thd_o, regs), bytes, true);
        if (thd)
            k_touch(c, thd + offsetof(k_thd_o, regs), bytes, false);
        k->st.switches++;
        k_trace(c, K_EV_SWITCH, thd_id(k, cur), SIM_NONE, thd_id(k, thd),
                (int64_t)hw_kernel_cycles(k->h, c->id), (int64_t)hw_cross_cycles(k->h, c->id));
    }
    /* the per-core variables: current thread and tcap (the current thread
     * holds no reference: removing its last capability is refused while it
     * is current, syscall.c) */
    k_touch(c, c->page, sizeof *co, true);
    co->cur_thd = thd;
    co->cur_tcap = thd ? k_run_tcap(c, thd, 0) : 0;
    c->next = nt;
}

/* The next thread to run when `thd` stops: its scheduler's thread if that
 * one can run, else up the scheduler chain, else the core idles. */
static uint64_t scheduler_for(k_core *c, uint64_t thd)
{
    k_kernel *k = c->k;
    uint64_t rcv = K_RD(c, k_thd_o, thd, sched);
    for (unsigned i = 0; rcv && i <= COS_TCAP_DELEGS + 1; i++) {
        uint64_t st = K_RD(c, k_rcv_o, rcv, thd);
        k_thd_o *s = K_OBJ(k, k_thd_o, st);
        if (st != thd && s->state == K_THD_RUNNABLE && s->h.core == c->id) {
            uint64_t tc = k_run_tcap(c, st, 0);
            if (tc == 0 || K_OBJ(k, k_tcap_o, tc)->budget > 0)
                return st;
        }
        rcv = K_RD(c, k_rcv_o, rcv, parent);
    }
    /* the core's root scheduler */
    uint64_t root = K_OBJ(k, k_rcv_o, c->root_rcv)->thd;
    if (root != thd && K_OBJ(k, k_thd_o, root)->state == K_THD_RUNNABLE)
        return root;
    return 0;
}

void k_block_current(k_core *c, uint64_t thd, uint32_t state, uint64_t on)
{
    k_thd_o *t = K_OBJ(c->k, k_thd_o, thd);
    k_touch(c, thd, 64, true);
    t->state = state;
    t->blocked_on = on;
    k_event(c, thd, state == K_THD_EXITED ? COS_SCHED_EV_EXITED : COS_SCHED_EV_BLOCKED);
    if (c->next && c->next->obj == thd)
        k_dispatch(c, scheduler_for(c, thd));
}

void k_activate(k_core *c, uint64_t rcv, bool sender_yields)
{
    k_kernel *k = c->k;
    k_step(c, K_P_SEND);
    k_rcv_o *r = K_OBJ(k, k_rcv_o, rcv);
    k_touch(c, rcv, 64, true);
    r->pending++;
    uint64_t thd = r->thd;
    k_thd_o *t = K_OBJ(k, k_thd_o, thd);
    k_touch(c, thd, 64, false);
    k->st.sends++;
    if (t->state == K_THD_BLOCKED_SCHED && t->blocked_on == rcv) {
        /* a scheduler waiting for events on this endpoint: a send wakes
         * it too (its cos_sched_rcv returns with no event, r[0] = 0) */
        wake_scheduler(c, rcv, false);
        return;
    }
    if (t->state != K_THD_BLOCKED_RCV || t->blocked_on != rcv)
        return;
    t->state = K_THD_RUNNABLE;
    t->blocked_on = 0;
    k_rcv_woken(c, thd, rcv);
    k_event(c, thd, COS_SCHED_EV_WOKEN);
    uint64_t cur = c->next ? c->next->obj : 0;
    uint64_t cur_tcap = K_OBJ(k, k_core_o, c->page)->cur_tcap;
    uint64_t tc = k_run_tcap(c, thd, rcv);
    if (cur == 0 || k_tcap_higher(c, tc, cur_tcap)) {
        if (tc != K_OBJ(k, k_thd_o, thd)->tcap) {
            uint64_t old = t->tcap;
            k_ref(c, tc);
            K_WR(c, k_thd_o, thd, tcap, tc);
            if (old)
                k_unref(c, old);
        }
        k_dispatch(c, thd);
    } else if (sender_yields && cur) {
        k_dispatch(c, scheduler_for(c, cur));
    }
}

/* ---- cross-core sends ----------------------------------------------------------- */

static k_ring *ring_to(k_core *c, unsigned to, uint64_t *addr)
{
    *addr = c->k->core[to].ring + (uint64_t)c->id * sizeof(k_ring);
    return K_OBJ(c->k, k_ring, *addr);
}

/* Put `word` on core to's ring from c and raise its IPI line. */
static cos_err ring_push(k_core *c, unsigned to, uint64_t word)
{
    k_kernel *k = c->k;
    uint64_t ring;
    k_ring *rg = ring_to(c, to, &ring);
    k_step(c, K_P_IPI);
    k_touch(c, ring, 8, false);
    if (rg->tail - rg->head >= K_RING_SLOTS)
        return COS_ENOMEM;
    k_touch(c, ring + offsetof(k_ring, rcv) + (rg->tail % K_RING_SLOTS) * 8, 8, true);
    rg->rcv[rg->tail % K_RING_SLOTS] = word;
    k_touch(c, ring, 8, true);
    rg->tail++;
    k_arch(c, hw_cost(k->h, MODEL_COST_IPI_SEND));
    hwirq_status st = hwirq_ipi(k->h->irq, c->id, HWIRQ_DEST_CORE, to, hw_ipi_line(k->h));
    g_assert(st == HWIRQ_OK || st == HWIRQ_COALESCED);
    k->st.ipis++;
    return COS_OK;
}

cos_err k_send_remote(k_core *c, uint64_t rcv, unsigned to)
{
    return ring_push(c, to, rcv);
}

bool k_ring_room(k_core *c, unsigned to)
{
    uint64_t ring;
    k_ring *rg = ring_to(c, to, &ring);
    k_touch(c, ring, 8, false);
    return rg->tail - rg->head < K_RING_SLOTS;
}

void k_send_shootdown(k_core *c, unsigned to, uint64_t vaddr, uint16_t asid)
{
    cos_err e = ring_push(c, to, k_shootdown_word(vaddr, asid));
    g_assert(e == COS_OK);      /* the caller saw room (k_ring_room) in its decode */
}

static void drain_rings(k_core *c)
{
    k_kernel *k = c->k;
    for (unsigned src = 0; src < k->ncores; src++) {
        uint64_t ring = c->ring + (uint64_t)src * sizeof(k_ring);
        k_ring *rg = K_OBJ(k, k_ring, ring);
        k_touch(c, ring, sizeof *rg, false);
        while (rg->head != rg->tail) {
            uint64_t word = rg->rcv[rg->head % K_RING_SLOTS];
            rg->head++;
            k_touch(c, ring, 8, true);
            if (word & 1) {
                /* a TLB shootdown */
                k_arch(c, hw_tlb_invalidate_page(k->h, c->id, (word >> 13) << 12, (uint16_t)((word >> 1) & 0xfffu)));
                k->st.shootdowns++;
            } else {
                k_activate(c, word, false);
            }
        }
    }
}

/* ---- timers ------------------------------------------------------------------ */

/* Arm the core's timer for the earliest of: the current tcap's budget
 * running out, the root and current schedulers' switch timeouts. */
void k_arm_timer(k_core *c)
{
    k_kernel *k = c->k;
    k_core_o *co = K_OBJ(k, k_core_o, c->page);
    uint64_t end = ps_to_cycles(k, c->now) + c->cycles;    /* cycles at the end of this path */
    uint64_t at = 0;
    if (co->cur_tcap) {
        uint64_t b = K_OBJ(k, k_tcap_o, co->cur_tcap)->budget;
        if (b != COS_BUDGET_INF)
            at = end + b;
    }
    /* timeouts: scheduler rcvs on this core with one set are reached
     * through the current thread's scheduler chain and the root */
    uint64_t rcvs[COS_TCAP_DELEGS + 2];
    unsigned n = 0;
    if (co->cur_thd) {
        uint64_t r = K_OBJ(k, k_thd_o, co->cur_thd)->sched;
        while (r && n < COS_TCAP_DELEGS + 1) {
            rcvs[n++] = r;
            r = K_OBJ(k, k_rcv_o, r)->parent;
        }
    }
    rcvs[n++] = c->root_rcv;
    for (unsigned i = 0; i < n; i++) {
        uint64_t t = K_OBJ(k, k_rcv_o, rcvs[i])->timeout;
        if (t && (at == 0 || t < at))
            at = t;
    }
    if (at == co->timer_at)
        return;
    k_touch(c, c->page, sizeof *co, true);
    co->timer_at = at;
    sim_time_t when = at ? hwtimer_tick_time(k->h->cfg.freq_hz, 1, at) : SIM_TIME_MAX;
    k_arch(c, hw_timer_oneshot(k->h, c->id, when));
}

static void timer_fired(k_core *c)
{
    k_kernel *k = c->k;
    k_core_o *co = K_OBJ(k, k_core_o, c->page);
    uint64_t now = ps_to_cycles(k, c->now);
    k_touch(c, c->page, sizeof *co, true);
    co->timer_at = 0;
    /* budget expiry */
    uint64_t tc = co->cur_tcap;
    if (tc && K_OBJ(k, k_tcap_o, tc)->budget == 0 && c->next) {
        uint64_t thd = c->next->obj;
        k->st.expiries++;
        k_trace(c, K_EV_EXPIRE, thd_id(k, thd), SIM_NONE, 0, 0, 0);
        k_event(c, thd, COS_SCHED_EV_EXPIRED);
        uint64_t owner = K_RD(c, k_tcap_o, tc, owner);
        /* the tcap's owner is a scheduler further up (a parent that
         * delegated it to a child scheduler): it hears of the expiry as an
         * event about its own child, the thread below it on thd's chain */
        uint64_t x = thd;
        for (unsigned i = 0; owner && i <= COS_TCAP_DELEGS; i++) {
            uint64_t r = K_RD(c, k_thd_o, x, sched);
            if (r == 0 || r == owner)
                break;
            x = K_RD(c, k_rcv_o, r, thd);
        }
        if (owner && x != thd && K_OBJ(k, k_thd_o, x)->sched == owner)
            queue_event(c, owner, x, COS_SCHED_EV_EXPIRED);
        uint64_t to = owner ? K_OBJ(k, k_rcv_o, owner)->thd : 0;
        if (to == 0 || to == thd || K_OBJ(k, k_thd_o, to)->state != K_THD_RUNNABLE
            || K_OBJ(k, k_thd_o, to)->h.core != c->id
            || (k_run_tcap(c, to, 0) && K_OBJ(k, k_tcap_o, k_run_tcap(c, to, 0))->budget == 0))
            to = scheduler_for(c, thd);
        k_dispatch(c, to);
    }
    /* switch timeouts on this core's schedulers */
    uint64_t r = c->next ? K_OBJ(k, k_thd_o, c->next->obj)->sched : 0;
    uint64_t chain[COS_TCAP_DELEGS + 2];
    unsigned n = 0;
    while (r && n < COS_TCAP_DELEGS + 1) {
        chain[n++] = r;
        r = K_OBJ(k, k_rcv_o, r)->parent;
    }
    chain[n++] = c->root_rcv;
    for (unsigned i = 0; i < n; i++) {
        k_rcv_o *ro = K_OBJ(k, k_rcv_o, chain[i]);
        if (ro->timeout && ro->timeout <= now) {
            K_WR(c, k_rcv_o, chain[i], timeout, 0);
            k->st.timeouts++;
            uint64_t st = ro->thd;
            k_trace(c, K_EV_TIMEOUT, thd_id(k, st), SIM_NONE, 0, 0, 0);
            /* the scheduler hears of it as an event about itself on its own rcv */
            queue_event(c, chain[i], st, COS_SCHED_EV_TIMEOUT);
            wake_scheduler(c, chain[i], true);
        }
    }
}

/* ---- the engine side: paths, compute, interrupts ----------------------------------- */

static void core_event(void *owner, simq_event *ev);
static void enter_thread(k_core *c);

static void begin_path(k_core *c, unsigned kind)
{
    c->state = K_CORE_KERNEL;
    c->now = sim_now(c->k->s);
    c->cycles = 0;
    c->kind = kind;
    c->p_arch = c->p_instr = c->p_fetch = c->p_accesses = 0;
    c->next = c->cur;
    if (c->ul_dirty) {
        /* a user-level dispatch happened here: the kernel learns the
         * current thread from the word user level rewrote */
        c->ul_dirty = false;
        k_step(c, K_P_REPAIR);
        k_touch(c, c->page + offsetof(k_core_o, cur_thd), 8, false);
        c->k->st.repairs++;
    }
    account(c);
}

static void end_path(k_core *c)
{
    k_kernel *k = c->k;
    /* the next thread runs in its component's address space */
    if (c->next)
        k_switch_pd(c, K_RD(c, k_thd_o, c->next->obj, comp));
    k_arm_timer(c);
    c->cur = c->next;
    k_path_stats *p = &k->paths[c->kind];
    p->n++;
    p->cycles += c->cycles;
    p->arch += c->p_arch;
    p->instructions += c->p_instr;
    p->fetch += c->p_fetch;
    p->data += c->cycles - c->p_arch - c->p_instr - c->p_fetch;
    p->accesses += c->p_accesses;
    p->max = MAX(p->max, c->cycles);
    hw_account(k->h, c->id, c->cycles, true);
    k->st.kernel_cycles += c->cycles;
    sim_schedule(k->s, &c->ev, c->now + hw_ps(k->h, c->cycles), K_EV_PRIO);
    if (k->cfg.check && !k_check(k))
        k->st.check_failures++;
}

static void take_interrupts(k_core *c)
{
    k_kernel *k = c->k;
    hwirq *irq = k->h->irq;
    bool nvic = hwirq_get_kind(irq) == HWIRQ_NVIC;
    begin_path(c, K_PATH_IRQ);
    c->irq_pending = false;
    k_arch(c, hw_cost(k->h, MODEL_COST_IRQ_ENTRY));
    unsigned ipi = hw_ipi_line(k->h);
    for (unsigned n = 0; n < MAX_IRQS_PER_PATH; n++) {
        unsigned line = hwirq_ack(irq, c->id, NULL);
        if (line == HWIRQ_NONE)
            break;
        for (;;) {
            k_step(c, K_P_IRQ);
            hw_interrupt_taken(k->h, c->id);
            k->st.interrupts++;
            k_trace(c, K_EV_IRQ, c->next ? thd_id(k, c->next->obj) : SIM_NONE, SIM_NONE, line, 0, 0);
            if (line == k->h->timer_line) {
                timer_fired(c);
            } else if (line == ipi) {
                drain_rings(c);
            } else if (line < k->nlines) {
                uint64_t slot = k->hwtbl + (uint64_t)line * 8;
                k_touch(c, slot, 8, false);
                uint64_t rcv = *(uint64_t *)k_ram(k, slot);
                if (rcv)
                    k_activate(c, rcv, false);
            }
            if (!nvic) {
                hwirq_eoi(irq, c->id, line);
                break;
            }
            hwirq_ret r = hwirq_return(irq, c->id);
            if (r.kind != HWIRQ_RET_TAIL_CHAIN)
                break;
            k_arch(c, hw_cost(k->h, MODEL_COST_IRQ_TAIL_CHAIN));
            line = r.line;
        }
    }
    k_arch(c, hw_cost(k->h, MODEL_COST_IRQ_EXIT));
    end_path(c);
}

void k_irq_signal(void *kernel, unsigned core, unsigned line)
{
    (void)line;
    k_kernel *k = kernel;
    if (!k->booted)
        return;
    k_core *c = &k->core[core];
    switch (c->state) {
    case K_CORE_KERNEL:
        c->irq_pending = true;
        return;
    case K_CORE_USER: {
        /* preempt the compute: what has run is the thread's, the rest waits */
        sim_deschedule(k->s, &c->ev);
        uint64_t done = ps_to_cycles(k, sim_now(k->s)) - ps_to_cycles(k, c->user_since);
        if (done > c->compute_cycles)
            done = c->compute_cycles;
        c->cur->compute_left = c->compute_cycles - done;
        hw_account(k->h, c->id, done, false);
        k->st.user_cycles += done;
        break;
    }
    case K_CORE_IDLE:
        break;
    }
    take_interrupts(c);
}

static void start_compute(k_core *c, uint64_t cycles)
{
    k_kernel *k = c->k;
    c->state = K_CORE_USER;
    c->user_since = sim_now(k->s);
    c->compute_cycles = cycles;
    /* end at the first picosecond at which the cycle counter has advanced
     * by `cycles` from where it stands now */
    uint64_t end = ps_to_cycles(k, c->user_since) + cycles;
    sim_schedule(k->s, &c->ev, hwtimer_tick_time(k->h->cfg.freq_hz, 1, end), K_EV_PRIO);
}

/* A user memory access by thread t (charged as user time; a fault is a
 * kernel path that turns it into an error). */
static void user_touch(k_core *c, k_thread *t)
{
    k_kernel *k = c->k;
    hw *h = k->h;
    uint64_t vaddr = t->a[0], len = t->a[1];
    bool write = t->a[2] != 0;
    sim_time_t now = sim_now(k->s);
    uint64_t cycles = 0;
    bool fault = len == 0 || len > COS_PAGE_SIZE || vaddr + len < vaddr;
    uint64_t paddr = 0;
    if (!fault && h->cfg.has_mpu) {
        hwmpu_fault f;
        fault = vaddr > UINT32_MAX || vaddr + len - 1 > UINT32_MAX
                || !hwmpu_check(&h->core[c->id].mpu, (uint32_t)vaddr, (uint32_t)len,
                                write ? HWMPU_WRITE : HWMPU_READ, false, &f);
        paddr = vaddr;
    } else if (!fault) {
        /* page by page (an access crossing a page translates twice) */
        uint64_t first = vaddr & ~(uint64_t)(COS_PAGE_SIZE - 1);
        uint64_t last = (vaddr + len - 1) & ~(uint64_t)(COS_PAGE_SIZE - 1);
        for (uint64_t p = first; p <= last && !fault; p += COS_PAGE_SIZE) {
            hwpt_result r;
            uint64_t va = p < vaddr ? vaddr : p;
            cycles += hw_translate(h, c->id, va, (write ? HWPT_ACC_WRITE : 0) | HWPT_ACC_USER, now + hw_ps(h, cycles), &r);
            if (r.fault.kind != HWPT_OK) {
                fault = true;
                break;
            }
            uint64_t end = MIN(vaddr + len, p + COS_PAGE_SIZE);
            cycles += hw_access(h, c->id, r.paddr, end - va, write ? HWMEM_WRITE : HWMEM_READ, now + hw_ps(h, cycles));
        }
    }
    if (!fault && h->cfg.has_mpu) {
        if (paddr + len > h->cfg.mem.size)
            fault = true;
        else
            cycles += hw_access(h, c->id, paddr, len, write ? HWMEM_WRITE : HWMEM_READ, now);
    }
    if (!fault) {
        t->ret = (cos_ret){ .err = COS_OK };
        t->compute_left = cycles ? cycles : 0;
        return;
    }
    /* the fault: exception entry, the kernel turns it into an error */
    begin_path(c, K_PATH_FAULT);
    c->cycles += cycles;
    k_arch(c, hw_cost(h, MODEL_COST_EXCEPTION_ENTRY));
    k_step(c, K_P_FAULT);
    k_arch(c, hw_cost(h, MODEL_COST_EXCEPTION_EXIT));
    k->st.faults++;
    k_trace(c, K_EV_FAULT, t->id, SIM_NONE, (int64_t)vaddr, (int64_t)len, write);
    t->ret = (cos_ret){ .err = COS_EFAULT };
    t->req = K_REQ_NONE;
    end_path(c);
}

static void kernel_path(k_core *c, k_thread *t)
{
    k_kernel *k = c->k;
    begin_path(c, t->req == K_REQ_SRET ? K_PATH_SRET
                  : t->req == K_REQ_EXIT ? K_PATH_EXIT
                  : t->op > 0 && t->op < COS_OPS ? (unsigned)t->op : 0);
    k_arch(c, hw_cost(k->h, MODEL_COST_SYSCALL_ENTRY));
    k_step(c, K_P_ENTRY);
    switch (t->req) {
    case K_REQ_CALL:
        k->st.syscalls++;
        t->ret = k_syscall(c, t);
        if (t->ret.err) {
            k->st.errors++;
            k_trace(c, K_EV_ERROR, t->id, SIM_NONE, t->op, t->ret.err, t->cap);
        }
        break;
    case K_REQ_SRET:
        t->ret = k_sret(c, t, t->a[0]);
        break;
    case K_REQ_EXIT:
        k_trace(c, K_EV_EXIT, t->id, SIM_NONE, 0, 0, 0);
        k_block_current(c, t->obj, K_THD_EXITED, 0);
        break;
    default:
        g_assert_not_reached();
    }
    t->req = K_REQ_NONE;
    k_step(c, K_P_EXIT);
    k_arch(c, hw_cost(k->h, MODEL_COST_SYSCALL_EXIT));
    end_path(c);
}

/* A user-level dispatch from t (cos_ul_switch): checked against what the
 * kernel knows, free of kernel cost (user level did the work); see
 * kernel/abi.h.  Returns the thread to run on. */
static k_thread *ul_switch(k_core *c, k_thread *t)
{
    k_kernel *k = c->k;
    k_thd_o *th = K_OBJ(k, k_thd_o, t->obj);
    k_captbl ct = { .root = K_OBJ(k, k_comp_o, th->comp)->captbl };
    k_slot s;
    cos_err e = k_ct_peek(&k->mem, &ct, (cos_capid)t->a[0], &s);
    if (e == COS_OK && s.type != COS_CAP_THREAD)
        e = COS_EINVAL;
    k_thd_o *to = e == COS_OK ? K_OBJ(k, k_thd_o, s.obj) : NULL;
    if (e == COS_OK && (s.obj == t->obj || to->comp != th->comp || to->state != K_THD_RUNNABLE || to->depth != 0))
        e = COS_EINVAL;
    if (e == COS_OK && to->h.core != c->id)
        e = COS_ECORE;
    k_core_o *co = K_OBJ(k, k_core_o, c->page);
    /* the tcap a dispatch without one would run it under (k_run_tcap,
     * read here without charges: user level did this work) */
    if (e == COS_OK && to->tcap && to->tcap != co->cur_tcap)
        e = COS_EPERM;
    t->ret = (cos_ret){ .err = e };
    if (e)
        return t;
    /* what the kernel's repair will find: the cycles so far are the old
     * thread's (the tcap is the same one), and the new one is current */
    sim_time_t now = sim_now(k->s);
    uint64_t ran = ps_to_cycles(k, now) - ps_to_cycles(k, c->tcap_since);
    c->tcap_since = now;
    if (co->cur_tcap) {
        k_tcap_o *tc = K_OBJ(k, k_tcap_o, co->cur_tcap);
        if (tc->budget != COS_BUDGET_INF)
            tc->budget = tc->budget > ran ? tc->budget - ran : 0;
    }
    th->ev_cycles += ran;
    co->cur_thd = s.obj;
    c->ul_dirty = true;
    k->st.ul_switches++;
    k_thread *nt = k_thread_of(k, s.obj);
    k_trace(c, K_EV_ULSWITCH, t->id, SIM_NONE, nt->id, (int64_t)hw_kernel_cycles(k->h, c->id),
            (int64_t)hw_cross_cycles(k->h, c->id));
    /* the registers saved and loaded at user level: user time, before
     * the new thread's own code goes on */
    nt->compute_left += hw_instructions(k->h, 2u * k->regs_words + K_UL_SWITCH_INSTR);
    c->cur = nt;
    return nt;
}

/* Run the core's current thread until it asks for something that takes
 * time. */
static void enter_thread(k_core *c)
{
    k_kernel *k = c->k;
    k_thread *t = c->cur;
    for (;;) {
        if (t->compute_left) {
            start_compute(c, t->compute_left);
            return;
        }
        if (simctx_finished(t->ctx)) {
            /* only a thread the kernel already saw exit could be here, and
             * the kernel never dispatches an exited thread */
            g_assert_not_reached();
        }
        c->state = K_CORE_USER;
        k_self = t;
        simctx_switch(k->host, t->ctx);
        k_self = NULL;
        switch (t->req) {
        case K_REQ_COMPUTE:
            t->compute_left = t->a[0];
            t->req = K_REQ_NONE;
            continue;
        case K_REQ_ULSWITCH:
            t->req = K_REQ_NONE;
            t = ul_switch(c, t);
            continue;
        case K_REQ_TOUCH:
            t->req = K_REQ_NONE;
            user_touch(c, t);
            if (c->state == K_CORE_KERNEL)
                return;     /* it faulted: a kernel path is under way */
            continue;
        case K_REQ_CALL:
        case K_REQ_SRET:
        case K_REQ_EXIT:
            kernel_path(c, t);
            return;
        case K_REQ_NONE:
            g_assert_not_reached();
        }
    }
}

static void core_event(void *owner, simq_event *ev)
{
    (void)owner;
    k_core *c = (k_core *)((char *)ev - offsetof(k_core, ev));
    k_kernel *k = c->k;
    if (c->state == K_CORE_USER) {
        /* the compute ran to its end */
        hw_account(k->h, c->id, c->compute_cycles, false);
        k->st.user_cycles += c->compute_cycles;
        c->cur->compute_left = 0;
    } else if (c->irq_pending) {
        take_interrupts(c);
        return;
    }
    if (c->cur == NULL) {
        c->state = K_CORE_IDLE;
        return;
    }
    enter_thread(c);
}

/* ---- the user side: what a thread's code calls ---------------------------------- */

static void trap(k_thread *t)
{
    simctx_switch(t->ctx, t->k->host);
}

static k_thread *self(const char *what)
{
    k_thread *t = k_self;
    if (t == NULL)
        g_error("%s called outside a simulated thread", what);
    return t;
}

cos_ret cos_call(cos_op op, cos_capid cap, cos_word a0, cos_word a1, cos_word a2, cos_word a3, cos_word a4)
{
    k_thread *t = self("cos_call");
    t->req = K_REQ_CALL;
    t->op = op;
    t->cap = cap;
    t->a[0] = a0, t->a[1] = a1, t->a[2] = a2, t->a[3] = a3, t->a[4] = a4;
    trap(t);
    while (t->upcall) {
        /* an invocation: run the server's entry here, on this stack */
        t->upcall = false;
        cos_entry_fn fn = t->fn_up;
        cos_thdid caller = t->up_caller;
        cos_word u[4] = { t->up_a[0], t->up_a[1], t->up_a[2], t->up_a[3] };
        cos_word r = fn(caller, u[0], u[1], u[2], u[3]);
        t->req = K_REQ_SRET;
        t->a[0] = r;
        trap(t);
    }
    return t->ret;
}

void cos_compute(uint64_t cycles)
{
    k_thread *t = self("cos_compute");
    if (cycles == 0)
        return;
    t->req = K_REQ_COMPUTE;
    t->a[0] = cycles;
    trap(t);
}

cos_err cos_touch(uint64_t vaddr, uint64_t len, bool write)
{
    k_thread *t = self("cos_touch");
    t->req = K_REQ_TOUCH;
    t->a[0] = vaddr, t->a[1] = len, t->a[2] = write;
    trap(t);
    return t->ret.err;
}

uint64_t cos_cycles(void)
{
    return k_cycles_now(self("cos_cycles")->k);
}

cos_thdid cos_thdid_self(void)
{
    return self("cos_thdid_self")->id;
}

unsigned cos_core(void)
{
    return self("cos_core")->core;
}

void cos_report(const char *key, int64_t value)
{
    k_thread *t = self("cos_report");
    k_report r = { .key = g_strdup(key ? key : ""), .value = value, .at = sim_now(t->k->s), .thread = t->id };
    g_array_append_val(t->k->reports, r);
}

void cos_instructions(uint64_t n)
{
    k_thread *t = self("cos_instructions");
    cos_compute(hw_instructions(t->k->h, n));
}

void cos_trace(const char *kind, int64_t a0, int64_t a1, int64_t a2)
{
    k_thread *t = self("cos_trace");
    k_kernel *k = t->k;
    if (!k->cfg.trace)
        return;
    char name[48];
    g_snprintf(name, sizeof name, "u.%s", kind ? kind : "");
    gpointer v = g_hash_table_lookup(k->ukinds, name);
    if (v == NULL) {
        v = GUINT_TO_POINTER(sim_kind(k->s, name) + 1);
        g_hash_table_insert(k->ukinds, g_strdup(name), v);
    }
    k_thd_o *th = K_OBJ(k, k_thd_o, t->obj);
    sim_event(k->s, GPOINTER_TO_UINT(v) - 1, (int64_t)k->h->core_base + t->core, t->id,
              K_OBJ(k, k_comp_o, th->comp)->id, a0, a1, a2, NULL);
}

void cos_job(const cos_job_rec *j)
{
    k_thread *t = self("cos_job");
    k_kernel *k = t->k;
    k->st.jobs++;
    if (k->t_jobs == NULL) {
        static const simtr_column cols[] = {
            { "task", SIMTR_INT, true },        { "job", SIMTR_INT, true },
            { "core", SIMTR_INT, true },        { "thread", SIMTR_INT, true },
            { "release_ps", SIMTR_INT, true },  { "start_ps", SIMTR_INT, true },
            { "finish_ps", SIMTR_INT, true },   { "deadline_ps", SIMTR_INT, true },
            { "response_ps", SIMTR_INT, true }, { "missed", SIMTR_INT, true },
        };
        k->t_jobs = simtr_find(k->s->trace, "jobs");
        if (k->t_jobs == NULL)
            k->t_jobs = simtr_define(k->s->trace, "jobs", cols, G_N_ELEMENTS(cols));
    }
    sim_time_t rel = hw_ps(k->h, j->release), fin = hw_ps(k->h, j->finish), dl = hw_ps(k->h, j->deadline);
    simtr_table *tb = k->t_jobs;
    simtr_begin(tb);
    simtr_int(tb, j->task);
    simtr_int(tb, (int64_t)j->job);
    simtr_int(tb, (int64_t)(k->h->core_base + t->core));
    simtr_int(tb, t->id);
    simtr_int(tb, (int64_t)rel);
    simtr_int(tb, (int64_t)hw_ps(k->h, j->start));
    simtr_int(tb, (int64_t)fin);
    simtr_int(tb, (int64_t)dl);
    simtr_int(tb, fin >= rel ? (int64_t)(fin - rel) : 0);
    simtr_int(tb, j->finish > j->deadline);
    simtr_end(tb);
}

cos_err cos_ul_switch(cos_capid thd)
{
    k_thread *t = self("cos_ul_switch");
    t->req = K_REQ_ULSWITCH;
    t->a[0] = thd;
    trap(t);
    return t->ret.err;
}

void *cos_boot_data(void)
{
    return self("cos_boot_data")->k->cfg.boot_data;
}

static void thread_main(void *arg)
{
    k_thread *t = arg;
    t->fn(0, t->arg, t->arg2, 0, 0);
    t->req = K_REQ_EXIT;
    /* returning ends the coroutine and comes back to the engine */
}

/* A host record and coroutine for the thread object at obj. */
k_thread *k_thread_new(k_kernel *k, uint64_t obj, unsigned core, cos_entry_fn fn, cos_word arg)
{
    GError *err = NULL;
    k_thread *t = g_new0(k_thread, 1);
    t->k = k;
    t->obj = obj;
    t->core = core;
    t->fn = fn;
    t->arg = arg;
    t->ctx = simctx_new(k->cfg.stack_size, thread_main, t, &err);
    if (t->ctx == NULL)
        g_error("kernel: cannot make a thread stack: %s", err->message);
    g_ptr_array_add(k->threads, t);
    t->id = k->threads->len;
    return t;
}

/* ---- boot ------------------------------------------------------------------------- */

k_kernel *k_new(sim *s, const k_config *cfg)
{
    k_kernel *k = g_new0(k_kernel, 1);
    k->s = s;
    k->cfg = *cfg;
    if (k->cfg.quiescence == 0)
        k->cfg.quiescence = DEFAULT_QUIESCENCE;
    k->threads = g_ptr_array_new();
    k->reports = g_array_new(FALSE, FALSE, sizeof(k_report));
    k->ukinds = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    return k;
}

static const char *const kind_names[K_EV_KINDS] = {
    "k.switch", "k.sinv", "k.sret", "k.send", "k.rcv", "k.irq", "k.expire", "k.timeout", "k.fault", "k.error", "k.exit",
    "k.ulswitch",
};

bool k_boot(k_kernel *k, hw *h, GError **error)
{
    g_assert(!k->booted);
    k->h = h;
    k->ncores = h->cfg.cores;
    if (k->cfg.boot_image >= k->cfg.nimages || k->cfg.boot_entry >= k->cfg.images[k->cfg.boot_image]->nentries) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "kernel: no boot image/entry %u/%u", k->cfg.boot_image,
                    k->cfg.boot_entry);
        return false;
    }
    if (k->ncores > 64) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "kernel: at most 64 cores (the machine has %u)", k->ncores);
        return false;
    }
    bool x86 = h->cfg.arch == MODEL_X86_64;
    k->word_bytes = x86 ? 8 : 4;
    k->regs_words = x86 ? 18 : 17;   /* x86-64: 16 GPRs, RIP, RFLAGS; ARM: R0-R15, xPSR/CPSR */
    for (unsigned i = 0; i < K_EV_KINDS; i++)
        k->kind[i] = sim_kind(k->s, kind_names[i]);
    k_mem_init(&k->mem, h, k->cfg.quiescence);
    k_path_init(k);
    boot_alloc b = { k, k->mem.table_pages * COS_PAGE_SIZE, k->mem.npages * COS_PAGE_SIZE };
    /* the kernel's text */
    uint64_t text_pages = (k_path_text_bytes() + COS_PAGE_SIZE - 1) / COS_PAGE_SIZE;
    for (uint64_t i = 0; i < text_pages; i++) {
        uint64_t p = k_boot_page(&b);
        if (p == 0)
            goto nomem;
        if (i == 0)
            k->text = p;
    }
    /* the interrupt-line table */
    k->nlines = hwirq_nlines(h->irq);
    uint64_t line_pages = ((uint64_t)k->nlines * 8 + COS_PAGE_SIZE - 1) / COS_PAGE_SIZE;
    for (uint64_t i = 0; i < line_pages; i++) {
        uint64_t p = k_boot_page(&b);
        if (p == 0)
            goto nomem;
        memset(k_ram(k, p), 0, COS_PAGE_SIZE);
        if (i == 0)
            k->hwtbl = p;
    }
    /* ASIDs: x86 PCIDs 1..4095, ARM ASIDs 1..255; 0 stays the boot
     * component's */
    k->nasids = x86 ? 4096 : 256;
    k->asid_owner = g_new0(uint64_t, (size_t)k->ncores * k->nasids);
    k->next_asid = 1;
    /* per core */
    k->core = g_new0(k_core, k->ncores);
    k->host = simctx_new_host();
    for (unsigned i = 0; i < k->ncores; i++) {
        k_core *c = &k->core[i];
        c->k = k;
        c->id = i;
        c->ev.fn = core_event;
        c->page = k_boot_page(&b);
        c->ring = k_boot_page(&b);
        if (c->page == 0 || c->ring == 0)
            goto nomem;
        memset(k_ram(k, c->page), 0, COS_PAGE_SIZE);
        memset(k_ram(k, c->ring), 0, COS_PAGE_SIZE);
        c->tcap_since = sim_now(k->s);
    }
    if (!k_boot_objects(k, &k->core[0], &b, error))
        return false;
    k->booted = true;
    /* every init thread runs now */
    for (unsigned i = 0; i < k->ncores; i++) {
        k_core *c = &k->core[i];
        c->state = K_CORE_KERNEL;
        c->next = c->cur;
        sim_schedule(k->s, &c->ev, sim_now(k->s), K_EV_PRIO);
    }
    return true;
nomem:
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOSPC, "kernel: too little memory to boot (%" G_GUINT64_FORMAT " pages)",
                k->mem.npages);
    return false;
}

void k_free(k_kernel *k)
{
    if (k == NULL)
        return;
    if (k->core)
        for (unsigned i = 0; i < k->ncores; i++)
            if (k->core[i].ev.pos)
                sim_deschedule(k->s, &k->core[i].ev);
    for (guint i = 0; i < k->threads->len; i++) {
        k_thread *t = g_ptr_array_index(k->threads, i);
        simctx_free(t->ctx);
        g_free(t);
    }
    g_ptr_array_free(k->threads, TRUE);
    for (guint i = 0; i < k->reports->len; i++)
        g_free(g_array_index(k->reports, k_report, i).key);
    g_array_free(k->reports, TRUE);
    g_hash_table_destroy(k->ukinds);
    if (k->host)
        simctx_free(k->host);
    g_free(k->asid_owner);
    g_free(k->core);
    g_free(k);
}

/* ---- inspection -------------------------------------------------------------------- */

const k_stats *k_get_stats(const k_kernel *k) { return &k->st; }

const k_path_stats *k_get_path_stats(const k_kernel *k, unsigned kind)
{
    g_assert(kind < K_PATHS);
    return &k->paths[kind];
}

const char *k_path_name(unsigned kind)
{
    static const char *const names[K_PATHS] = {
        [0] = "bad-op",
        [COS_OP_SINV] = "sinv", [COS_OP_ASND] = "asnd", [COS_OP_RCV] = "rcv", [COS_OP_ASND_RCV] = "asnd_rcv",
        [COS_OP_SCHED_RCV] = "sched_rcv", [COS_OP_THD_SWITCH] = "thd_switch",
        [COS_OP_TCAP_TRANSFER] = "tcap_transfer", [COS_OP_TCAP_DELEGATE] = "tcap_delegate",
        [COS_OP_TCAP_MERGE] = "tcap_merge", [COS_OP_CAP_COPY] = "cap_copy", [COS_OP_CAP_REMOVE] = "cap_remove",
        [COS_OP_KMEM_NARROW] = "kmem_narrow", [COS_OP_KMEM_RETYPE] = "kmem_retype",
        [COS_OP_CAPTBL_EXPAND] = "captbl_expand", [COS_OP_CAPTBL_ALLOC] = "captbl_alloc",
        [COS_OP_PGTBL_ALLOC] = "pgtbl_alloc", [COS_OP_COMP_ALLOC] = "comp_alloc", [COS_OP_THD_ALLOC] = "thd_alloc",
        [COS_OP_SINV_ALLOC] = "sinv_alloc", [COS_OP_RCV_ALLOC] = "rcv_alloc", [COS_OP_ASND_ALLOC] = "asnd_alloc",
        [COS_OP_TCAP_ALLOC] = "tcap_alloc", [COS_OP_PGTBL_MAP] = "pgtbl_map", [COS_OP_MPU_REGION] = "mpu_region",
        [COS_OP_HW_ATTACH] = "hw_attach", [COS_OP_HW_DETACH] = "hw_detach", [COS_OP_HW_FLUSH] = "hw_flush",
        [COS_OP_TCAP_BUDGET] = "tcap_budget", [COS_OP_PGTBL_UNMAP] = "pgtbl_unmap",
        [COS_OP_KMEM_INFO] = "kmem_info",
        [K_PATH_SRET] = "sret", [K_PATH_IRQ] = "irq", [K_PATH_FAULT] = "fault", [K_PATH_EXIT] = "exit",
    };
    return kind < K_PATHS && names[kind] ? names[kind] : "?";
}
unsigned k_threads(const k_kernel *k) { return k->threads->len; }

void k_write_paths(k_kernel *k)
{
    static const simtr_column cols[] = {
        { "first_core", SIMTR_INT, true }, { "path", SIMTR_TEXT, true },      { "n", SIMTR_INT, true },
        { "cycles", SIMTR_INT, true },     { "max_cycles", SIMTR_INT, true }, { "arch", SIMTR_INT, true },
        { "instructions", SIMTR_INT, true }, { "fetch", SIMTR_INT, true },    { "data", SIMTR_INT, true },
        { "accesses", SIMTR_INT, true },
    };
    simtr_table *tb = simtr_find(k->s->trace, "kernel_paths");
    if (tb == NULL)
        tb = simtr_define(k->s->trace, "kernel_paths", cols, G_N_ELEMENTS(cols));
    for (unsigned kind = 0; kind < K_PATHS; kind++) {
        const k_path_stats *p = &k->paths[kind];
        if (strcmp(k_path_name(kind), "?") == 0)
            continue;       /* every named path, those that never ran too */
        simtr_begin(tb);
        simtr_int(tb, k->h->core_base);
        simtr_text(tb, k_path_name(kind), -1);
        simtr_int(tb, (int64_t)p->n);
        simtr_int(tb, (int64_t)p->cycles);
        simtr_int(tb, (int64_t)p->max);
        simtr_int(tb, (int64_t)p->arch);
        simtr_int(tb, (int64_t)p->instructions);
        simtr_int(tb, (int64_t)p->fetch);
        simtr_int(tb, (int64_t)p->data);
        simtr_int(tb, (int64_t)p->accesses);
        simtr_end(tb);
    }
}
hw *k_hw(const k_kernel *k) { return k->h; }
k_mem *k_kmem(k_kernel *k) { return &k->mem; }
const GArray *k_reports(const k_kernel *k) { return k->reports; }

const char *k_thread_state(const k_kernel *k, cos_thdid id)
{
    if (id < 1 || id > k->threads->len)
        return "none";
    k_thread *t = g_ptr_array_index(k->threads, id - 1);
    switch (K_OBJ(k, k_thd_o, t->obj)->state) {
    case K_THD_RUNNABLE: return "runnable";
    case K_THD_BLOCKED_RCV:
    case K_THD_BLOCKED_SCHED: return "blocked";
    default: return "exited";
    }
}

cos_thdid k_current(const k_kernel *k, unsigned core)
{
    g_assert(core < k->ncores);
    return k->core[core].cur ? k->core[core].cur->id : 0;
}
