/* components/implementation/booter/composed/boot.c: the booter of a
 * composed system: from the description, with system calls only, it
 * builds the app component, the servers, the timer and memory managers,
 * and per core (in the order of the cores: objects belong to the core that
 * makes them) the threads, endpoints, tcaps and interrupt bindings; then it
 * fixes the start and each core's init thread becomes its scheduler. */
#include "components/implementation/wl.h"

/* ---- boot ------------------------------------------------------------------------- */

/* The child schedulers of `core`: a thread of the boot component each, its
 * endpoint under the core's root, its tcap (topped up from the start), and
 * a send to its endpoint for the parent. */
static cos_err build_groups(wl_desc *w, unsigned core)
{
    bt *b = &w->rt.b;
    wl_rt_core *pc = &w->rt.core[core];
    const bt_comp self = { .comp = COS_BOOT_COMP };
    for (unsigned g = 0; g < w->ngroups; g++) {
        const wl_group *gr = &w->group[g];
        if (gr->core != core)
            continue;
        wl_rt_thd *r = &w->rt.thd[G_IDX(g)];
        *r = (wl_rt_thd){ .group = true, .idx = g, .sched = (uint16_t)core, .waiting = NONE, .state = WL_S_READY,
                          .eff_prio = gr->prio };
        CHECK(bt_thd_id(b, &self, E_GROUP, g, &r->thd, &r->id));
        if (r->id >= WL_MAX_THDID)
            CHECK(COS_ERANGE);
        w->rt.by_id[r->id] = (uint16_t)(G_IDX(g) + 1);
        CHECK(bt_tcap(b, &r->tcap));
        CHECK(bt_rcv(b, r->thd, r->tcap, COS_BOOT_RCV(core), &r->rcv));
        CHECK(cos_tcap_transfer(COS_BOOT_TCAP(core), r->rcv, 1, gr->prio));
        CHECK(bt_asnd(b, r->rcv, &r->wake));
        wl_rt_core *gc = &w->rt.core[WL_CORES + g];
        gc->cur = NONE;
        gc->rcv = r->rcv;
        gc->tcap = r->tcap;
        CHECK(bt_give(b, &w->rt.app, r->thd, &gc->sched_app));
        if (pc->nthd < WL_THDS)
            pc->thd[pc->nthd++] = (uint16_t)G_IDX(g);
        /* let it make its tasks, on the root's budget */
        CHECK(cos_switch(r->thd, COS_BOOT_TCAP(core), 0, 0, 0, 0));
        if (w->error)
            return w->error;
    }
    return COS_OK;
}


static bool uses_timer(const wl_task *t)
{
    for (unsigned k = 0; k < t->nops; k++)
        if (t->ops[k].kind == WL_TIMEOUT || t->ops[k].kind == WL_TICK)
            return true;
    return false;
}

/* The timer thread of `core`, if a task of it uses timers: an app thread
 * under the core's root, asleep until a timer is armed. */
static cos_err build_timer_thd(wl_desc *w, unsigned core)
{
    bool any = false;
    for (unsigned i = 0; i < w->ntasks; i++)
        any = any || (w->task[i].core == core && uses_timer(&w->task[i]));
    if (!any)
        return COS_OK;
    bt *b = &w->rt.b;
    wl_rt_core *c = &w->rt.core[core];
    wl_rt_thd *r = &w->rt.thd[T_IDX(core)];
    *r = (wl_rt_thd){ .timer = true, .idx = core, .sched = (uint16_t)core, .waiting = NONE, .state = WL_S_SLEEP,
                      .wake_at = UINT64_MAX, .replenish_at = UINT64_MAX };
    CHECK(bt_thd_id(b, &w->rt.app, E_TIMER, core, &r->thd, &r->id));
    if (r->id >= WL_MAX_THDID)
        CHECK(COS_ERANGE);
    w->rt.by_id[r->id] = (uint16_t)(T_IDX(core) + 1);
    CHECK(bt_rcv(b, r->thd, 0, COS_BOOT_RCV(core), &r->rcv));
    CHECK(bt_give(b, &w->rt.app, r->thd, &r->app_thd));
    if (c->nthd < WL_THDS)
        c->thd[c->nthd++] = (uint16_t)T_IDX(core);
    return COS_OK;
}

/* Thread i (tasks, then interrupt threads) of `core`, made by its
 * scheduler: the core's root, or a group's child scheduler (a thread's
 * scheduler is the one that makes it). */
static cos_err build_thd(wl_desc *w, unsigned core, unsigned i)
{
    bt *b = &w->rt.b;
    bool irq = i >= w->ntasks;
    unsigned idx = irq ? i - w->ntasks : i;
    wl_rt_thd *r = &w->rt.thd[irq ? WL_TASKS + idx : idx];
    unsigned sched = !irq && w->task[idx].group ? WL_CORES + w->task[idx].group - 1 : core;
    wl_rt_core *sc = &w->rt.core[sched];
    *r = (wl_rt_thd){ .irq = irq, .idx = idx, .sched = (uint16_t)sched, .waiting = NONE, .replenish_at = w->start };
    CHECK(bt_thd_id(b, &w->rt.app, irq ? E_IRQ : E_TASK, idx, &r->thd, &r->id));
    if (r->id >= WL_MAX_THDID)
        CHECK(COS_ERANGE);
    w->rt.by_id[r->id] = (uint16_t)((irq ? WL_TASKS + idx : idx) + 1);
    bool own = irq || w->task[idx].budget != 0;
    if (own)
        CHECK(bt_tcap(b, &r->tcap));
    CHECK(bt_rcv(b, r->thd, r->tcap, sc->rcv, &r->rcv));
    if (irq) {
        /* unbounded: all of the root's (infinite) budget; bounded: topped up per period */
        CHECK(cos_tcap_transfer(COS_BOOT_TCAP(core), r->rcv, w->irq[idx].budget, w->irq[idx].prio));
        CHECK(cos_hw_attach(COS_BOOT_HW, w->irq[idx].line, r->rcv));
        r->state = WL_S_READY;      /* it runs once to reach its wait */
        r->eff_prio = w->irq[idx].prio;
        r->replenish_at = w->irq[idx].budget ? 0 : UINT64_MAX;
    } else {
        wl_task *t = &w->task[idx];
        r->rng = t->seed;
        r->job = 1;
        r->eff_prio = t->prio;
        r->state = WL_S_IDLE;
        r->replenish_at = own ? 0 : UINT64_MAX;     /* set at the start */
        if (own)
            CHECK(cos_tcap_transfer(COS_BOOT_TCAP(core), r->rcv, 1, t->prio));
    }
    CHECK(bt_give(b, &w->rt.app, r->thd, &r->app_thd));
    CHECK(bt_give(b, &w->rt.app, r->rcv, &r->app_rcv));
    if (!irq && w->rt.recv_target[idx]) {
        cos_capid a;
        CHECK(bt_asnd(b, r->rcv, &a));
        CHECK(bt_give(b, &w->rt.app, a, &w->rt.asnd[idx]));
        if (uses_timer(&w->task[idx]))
            CHECK(bt_give(b, &w->rt.timer, a, &w->rt.tm_asnd[idx]));
    }
    if (sc->nthd < WL_THDS)
        sc->thd[sc->nthd++] = (uint16_t)(irq ? WL_TASKS + idx : idx);
    return COS_OK;
}

/* A child scheduler: it makes its tasks' threads first, hands the core
 * back to the booter, and from the start schedules them. */
cos_word wl_group_main(cos_thdid caller, cos_word g, cos_word a1, cos_word a2, cos_word a3)
{
    (void)caller, (void)a1, (void)a2, (void)a3;
    wl_desc *w = wl_self();
    unsigned core = w->group[g].core;
    for (unsigned i = 0; i < w->ntasks; i++)
        if (w->task[i].group == g + 1 && build_thd(w, core, i))
            break;
    cos_err e = cos_switch(COS_BOOT_THD(core), 0, 0, 0, 0, 0);
    if (e)
        WL_FAIL(w, e);
    wl_schedule(w, WL_CORES + (unsigned)g);
    return 0;
}

/* The threads of `core`: made by that core (objects belong to the core
 * that makes them). */
static cos_err build_core(wl_desc *w, unsigned core)
{
    bt *b = &w->rt.b;
    wl_rt_core *c = &w->rt.core[core];
    c->cur = NONE;
    c->rcv = COS_BOOT_RCV(core);
    CHECK(bt_give(b, &w->rt.app, COS_BOOT_THD(core), &c->sched_app));
    CHECK(build_timer_thd(w, core));
    CHECK(build_groups(w, core));
    for (unsigned i = 0; i < w->ntasks + w->nirqs; i++) {
        bool irq = i >= w->ntasks;
        unsigned idx = irq ? i - w->ntasks : i;
        if ((irq ? w->irq[idx].core : w->task[idx].core) != core || (!irq && w->task[idx].group))
            continue;
        CHECK(build_thd(w, core, i));
    }
    return COS_OK;
}

static cos_err build_shared(wl_desc *w)
{
    bt *b = &w->rt.b;
    CHECK(bt_init(b));
    CHECK(bt_comp_new(b, w->workload_image, (unsigned)w->app_pages, &w->rt.app));
    w->rt.app_base = w->rt.app.base;
    for (unsigned i = 0; i < w->nservers; i++) {
        CHECK(bt_comp_new(b, w->server_image, w->server[i].pages, &w->rt.server[i]));
        CHECK(bt_sinv(b, &w->rt.app, &w->rt.server[i], E_SERVE, &w->rt.sinv[i]));
    }
    if (w->tm.used) {
        /* the timer manager: its table (32 bytes per task) and the per-core earliest */
        unsigned pages = (unsigned)((WL_TASKS * 32 + WL_CORES * 8 + COS_PAGE_SIZE - 1) / COS_PAGE_SIZE);
        CHECK(bt_comp_new(b, w->timer_image, pages, &w->rt.timer));
        CHECK(bt_sinv(b, &w->rt.app, &w->rt.timer, 0, &w->rt.tm_sinv));
    }
    if (w->mem.used) {
        /* the memory manager: its records; its pool, the booter's next
         * pages (untyped), narrowed into its table; the app's page table */
        unsigned pages = (unsigned)((WL_MM_POOL * 18 + WL_HEAPS * WL_HEAP_PAGES * 2 + COS_PAGE_SIZE - 1) / COS_PAGE_SIZE);
        CHECK(bt_comp_new(b, w->mem_image, pages, &w->rt.mm));
        CHECK(bt_sinv(b, &w->rt.app, &w->rt.mm, 0, &w->rt.mm_sinv));
        w->rt.mm_kmem = w->rt.mm.next_slot++;
        CHECK(cos_kmem_narrow(b->kmem, w->rt.mm.captbl, w->rt.mm_kmem, b->next, w->mem.pages));
        b->next += w->mem.pages;
        CHECK(bt_give(b, &w->rt.mm, w->rt.app.pgtbl, &w->rt.mm_pgtbl));
    }
    for (unsigned l = 0; l < WL_LOCKS; l++)
        w->rt.lock_owner[l] = NONE;
    for (unsigned i = 0; i < w->ntasks; i++)
        for (unsigned k = 0; k < w->task[i].nops; k++)
            if (w->task[i].ops[k].kind == WL_SEND && w->task[i].ops[k].target < w->ntasks)
                w->rt.recv_target[w->task[i].ops[k].target] = true;
    /* timer users are woken by the timer manager's sends */
    for (unsigned i = 0; i < w->ntasks; i++)
        if (uses_timer(&w->task[i]))
            w->rt.recv_target[i] = true;
    /* both ends of a channel may wait for a notification */
    for (unsigned ch = 0; ch < w->nchans; ch++) {
        if (w->chan[ch].producer < w->ntasks)
            w->rt.recv_target[w->chan[ch].producer] = true;
        if (w->chan[ch].consumer < w->ntasks)
            w->rt.recv_target[w->chan[ch].consumer] = true;
    }
    /* the start signals: one asnd to each core's root rcv */
    for (unsigned c = 0; c < w->ncores; c++)
        CHECK(bt_asnd(b, COS_BOOT_RCV(c), &w->rt.core[c].go));
    return COS_OK;
}

/* Every core's threads are made: fix the start and the first arrivals. */
static void start(wl_desc *w)
{
    uint64_t now = cos_cycles();
    uint64_t al = w->start_align ? w->start_align : 1;
    w->start = (now / al + 1) * al;
    for (unsigned i = 0; i < WL_THDS; i++) {
        wl_rt_thd *r = &w->rt.thd[i];
        if (r->id == 0)
            continue;
        if (r->group) {
            r->replenish_at = w->start;
        } else if (!r->irq) {
            const wl_task *t = &w->task[r->idx];
            r->arrival = w->start + t->offset;
            r->ready_at = r->arrival + cos_rand_below_incl(&r->rng, t->jitter);
            r->replenish_at = t->budget ? r->arrival : UINT64_MAX;
        } else if (w->irq[r->idx].budget) {
            r->replenish_at = w->start;
        }
    }
    w->built = true;
    cos_report("wl.start", (int64_t)w->start);
}

cos_word wl_boot_main(cos_thdid caller, cos_word core, cos_word arg, cos_word a2, cos_word a3)
{
    (void)caller, (void)arg, (void)a2, (void)a3;
    wl_desc *w = wl_self();
    if (w == NULL || core >= w->ncores)
        return 0;
    if (core == 0) {
        if (build_shared(w))
            return 0;
    } else {
        /* wait for the previous core to finish */
        cos_ret r = cos_rcv(COS_BOOT_RCV(core), 0);
        if (r.err || w->error)
            return 0;
    }
    if (build_core(w, (unsigned)core))
        return 0;
    w->cores_built++;
    if (core + 1 < w->ncores) {
        CHECK(cos_asnd(w->rt.core[core + 1].go, false));
        cos_ret r = cos_rcv(COS_BOOT_RCV(core), 0);     /* the go from the last core */
        if (r.err || w->error)
            return 0;
    } else {
        start(w);
        for (unsigned c = 0; c + 1 < w->ncores; c++)
            CHECK(cos_asnd(w->rt.core[c].go, false));
    }
    wl_schedule(w, (unsigned)core);
    return 0;
}
