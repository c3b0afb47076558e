/* components/implementation/booter/composed/boot.c: the booter of a
 * composed system (the boot component's image, "wl-booter").
 *
 * From the description (composed.h), with system calls only, it builds the
 * app component, the servers, the timer and memory managers, and per core
 * (in the order of the cores: objects belong to the core that makes them)
 * the threads, endpoints, tcaps and interrupt bindings.  Every capability a
 * component needs it copies into that component's table; its own copies
 * stay in the boot component's.  It fixes the start, and each core's init
 * thread then invokes the app's scheduler entry and stays there: the
 * scheduler runs in the app, with the app's capabilities and state.
 *
 * A child scheduler's tasks are made on the child scheduler's own thread (a
 * thread's scheduler is the endpoint of the thread that makes it): that
 * thread, an app thread, invokes the booter's second entry, which builds
 * them in the booter with the booter's capabilities.
 */
#include "components/implementation/wl.h"

#define CHECK(x) do { cos_err e_ = (x); if (e_) { COS_FAIL(&w->boot.fail, e_); return e_; } } while (0)

enum { B_BOOT = 0, B_GROUP = 1 };

static bool uses_timer(const wl_task *t)
{
    for (unsigned k = 0; k < t->nops; k++)
        if (t->ops[k].kind == WL_TIMEOUT || t->ops[k].kind == WL_TICK)
            return true;
    return false;
}

/* Thread i of app->thd (its id known): the app's by-id map. */
static cos_err note_id(wl_desc *w, unsigned i)
{
    wl_app *app = w->boot.app_st;
    cos_thdid id = app->thd[i].id;
    if (id >= app->max_thdid)
        CHECK(COS_ERANGE);
    app->by_id[id] = i + 1;
    return COS_OK;
}

/* Thread i joins scheduler sc's list (its room is the count of its
 * threads, compose/pack.c). */
static cos_err push_thd(wl_desc *w, wl_rt_core *sc, unsigned i)
{
    if (sc->nthd >= sc->cap)
        CHECK(COS_ERANGE);
    w->boot.app_st->thd[i].lpos = sc->nthd;
    sc->thd[sc->nthd++] = i;
    return COS_OK;
}

/* Give added component g->from the capability cap (of the boot table)
 * under g's name, in its table and its header. */
static cos_err grant_cap(wl_desc *w, const wl_grant *g, cos_capid cap)
{
    cos_comp_hdr *h = w->boot.comp_st[g->from];
    if (h->ncaps >= COS_CAPS_MAX)
        CHECK(COS_ENOMEM);
    cos_named_cap *nc = &h->caps[h->ncaps];
    CHECK(bt_give(&w->boot.b, &w->boot.comps[g->from], cap, &nc->cap));
    memcpy(nc->name, g->name, COS_NAME_LEN);
    nc->kind = g->kind;
    h->ncaps++;
    return COS_OK;
}

/* Where the memory of what ref/idx names starts (0: nothing). */
static uint64_t ref_base(const wl_desc *w, uint8_t ref, int64_t idx)
{
    switch (ref) {
    case WL_REF_APP: return w->boot.app.base;
    case WL_REF_SERVER: return idx >= 0 && idx < (int64_t)w->nservers ? w->boot.server[idx].base : 0;
    case WL_REF_COMP: return idx >= 0 && idx < (int64_t)w->ncomps ? w->boot.comps[idx].base : 0;
    default: return 0;
    }
}

/* The components the scenario added: each with its memory and its data
 * block (its header: id, memory, arguments), the app's invocation of those
 * a task invokes, and the invocations granted to them (the sends granted
 * come with each task's endpoint, build_thd). */
static cos_err build_added(wl_desc *w)
{
    wl_app *app = w->boot.app_st;
    bt *b = &w->boot.b;
    for (unsigned i = 0; i < w->ncomps; i++) {
        const wl_comp *d = &w->comp[i];
        const cos_comp_reg *reg = cos_comp_regs[d->reg];
        CHECK(bt_comp_new(b, reg->image, d->pages, &w->boot.comps[i]));
        cos_comp_hdr *h = w->boot.comp_st[i] = cos_comp_load(w->boot.comps[i].comp, reg->state_bytes);
        if (h == NULL)
            CHECK(COS_ENOMEM);
        h->id = w->boot.comps[i].id;
        h->base = w->boot.comps[i].base;
        h->bytes = (uint64_t)d->pages * COS_PAGE_SIZE;
        if (d->invoked)
            CHECK(bt_sinv(b, &w->boot.app, &w->boot.comps[i], 0, &app->csinv[i]));
    }
    for (unsigned i = 0; i < w->ncomps; i++) {       /* arguments: every component exists now */
        const wl_comp *d = &w->comp[i];
        cos_comp_hdr *h = w->boot.comp_st[i];
        h->nargs = d->nargs;
        for (unsigned k = 0; k < d->nargs; k++) {
            memcpy(h->args[k].name, d->args[k].name, COS_NAME_LEN);
            h->args[k].value = d->args[k].ref ? (int64_t)ref_base(w, d->args[k].ref, d->args[k].value) : d->args[k].value;
        }
    }
    for (unsigned g = 0; g < w->ngrants; g++) {
        const wl_grant *gr = &w->grant[g];
        if (gr->kind != COS_GRANT_SINV)
            continue;
        const bt_comp *to = gr->to_ref == WL_REF_SERVER ? &w->boot.server[gr->to] : &w->boot.comps[gr->to];
        cos_capid s;
        CHECK(bt_sinv_own(b, to, gr->entry, &s));
        CHECK(grant_cap(w, gr, s));
    }
    return COS_OK;
}

/* The child schedulers of `core`: an app thread each, its endpoint under
 * the core's root, its tcap (topped up from the start), and a send to its
 * endpoint for the parent.  Each then makes its tasks (group_main in the
 * app, through the booter's B_GROUP entry). */
static cos_err build_groups(wl_desc *w, unsigned core)
{
    wl_app *app = w->boot.app_st;
    bt *b = &w->boot.b;
    bt_comp *ac = &w->boot.app;
    wl_rt_core *pc = &app->core[core];
    for (unsigned g = 0; g < app->ngroups; g++) {
        const wl_group *gr = &app->group[g];
        if (gr->core != core)
            continue;
        unsigned ri = wl_group_thd(app, g);
        wl_rt_thd *r = &app->thd[ri];
        *r = (wl_rt_thd){ .group = true, .idx = g, .sched = core, .waiting = NONE, .state = WL_S_READY,
                          .eff_prio = gr->prio };
        cos_capid thd, tcap, rcv, wake;     /* the booter's */
        CHECK(bt_thd_id(b, ac, E_GROUP, g, &thd, &r->id));
        CHECK(note_id(w, ri));
        CHECK(bt_tcap(b, &tcap));
        CHECK(bt_rcv(b, thd, tcap, COS_BOOT_RCV(core), &rcv));
        CHECK(cos_tcap_transfer(COS_BOOT_TCAP(core), rcv, 1, gr->prio));
        CHECK(bt_asnd(b, rcv, &wake));
        w->boot.group_rcv[g] = rcv;
        CHECK(bt_give(b, ac, thd, &r->thd));
        CHECK(bt_give(b, ac, tcap, &r->tcap));
        CHECK(bt_give(b, ac, rcv, &r->rcv));
        CHECK(bt_give(b, ac, wake, &r->wake));
        wl_rt_core *gc = &app->core[app->ncores + g];
        gc->cur = NONE;
        gc->slice_thd = NONE;
        gc->sched_app = r->thd;
        gc->rcv = r->rcv;
        gc->tcap = r->tcap;
        CHECK(push_thd(w, pc, ri));
        /* let it make its tasks, on the root's budget */
        CHECK(cos_switch(thd, COS_BOOT_TCAP(core), 0, 0, 0, 0));
        if (w->boot.fail.err)
            return w->boot.fail.err;
    }
    return COS_OK;
}

/* The timer thread of `core`, if a task of it uses timers: an app thread
 * under the core's root, asleep until a timer is armed. */
static cos_err build_timer_thd(wl_desc *w, unsigned core)
{
    wl_app *app = w->boot.app_st;
    bool any = false;
    for (unsigned i = 0; i < app->ntasks; i++)
        any = any || (app->task[i].core == core && uses_timer(&app->task[i]));
    if (!any)
        return COS_OK;
    bt *b = &w->boot.b;
    wl_rt_core *c = &app->core[core];
    unsigned ri = wl_timer_thd(app, core);
    wl_rt_thd *r = &app->thd[ri];
    *r = (wl_rt_thd){ .timer = true, .idx = core, .sched = core, .waiting = NONE, .state = WL_S_SLEEP,
                      .wake_at = UINT64_MAX, .replenish_at = UINT64_MAX };
    cos_capid thd, rcv;
    CHECK(bt_thd_id(b, &w->boot.app, E_TIMER, core, &thd, &r->id));
    CHECK(note_id(w, ri));
    CHECK(bt_rcv(b, thd, 0, COS_BOOT_RCV(core), &rcv));
    CHECK(bt_give(b, &w->boot.app, thd, &r->thd));
    return push_thd(w, c, ri);
}

/* Thread i (tasks, then interrupt threads) of `core`, made by its
 * scheduler's thread: the core's init thread, or a child scheduler's (a
 * thread's scheduler is the one that makes it).  The app gets the thread,
 * its tcap, its endpoint and, when others send to it, a send to it. */
static cos_err build_thd(wl_desc *w, unsigned core, unsigned i)
{
    wl_app *app = w->boot.app_st;
    bt *b = &w->boot.b;
    bt_comp *ac = &w->boot.app;
    bool irq = i >= app->ntasks;
    unsigned idx = irq ? i - app->ntasks : i;
    unsigned ri = irq ? wl_irq_thd(app, idx) : idx;
    wl_rt_thd *r = &app->thd[ri];
    unsigned group = irq ? 0 : app->task[idx].group;
    unsigned sched = group ? app->ncores + group - 1 : core;
    cos_capid parent = group ? w->boot.group_rcv[group - 1] : COS_BOOT_RCV(core);
    wl_rt_core *sc = &app->core[sched];
    *r = (wl_rt_thd){ .irq = irq, .idx = idx, .sched = sched, .waiting = NONE, .replenish_at = app->start };
    cos_capid thd, tcap = 0, rcv;      /* the booter's */
    CHECK(bt_thd_id(b, ac, irq ? E_IRQ : E_TASK, idx, &thd, &r->id));
    CHECK(note_id(w, ri));
    bool own = irq || app->task[idx].budget != 0;
    if (own)
        CHECK(bt_tcap(b, &tcap));
    CHECK(bt_rcv(b, thd, tcap, parent, &rcv));
    if (irq) {
        /* unbounded: all of the root's (infinite) budget; bounded: topped up per period */
        CHECK(cos_tcap_transfer(COS_BOOT_TCAP(core), rcv, app->irq[idx].budget, app->irq[idx].prio));
        CHECK(cos_hw_attach(COS_BOOT_HW, app->irq[idx].line, rcv));
        r->state = WL_S_READY;      /* it runs once to reach its wait */
        r->eff_prio = app->irq[idx].prio;
        r->replenish_at = app->irq[idx].budget ? 0 : UINT64_MAX;
    } else {
        wl_task *t = &app->task[idx];
        r->rng = t->seed;
        r->job = 1;
        r->eff_prio = t->prio;
        r->state = WL_S_IDLE;
        r->replenish_at = own ? 0 : UINT64_MAX;     /* set at the start */
        if (own)
            CHECK(cos_tcap_transfer(COS_BOOT_TCAP(core), rcv, 1, t->prio));
    }
    CHECK(bt_give(b, ac, thd, &r->thd));
    if (tcap)
        CHECK(bt_give(b, ac, tcap, &r->tcap));
    CHECK(bt_give(b, ac, rcv, &r->rcv));
    if (!irq && w->boot.recv_target[idx]) {
        cos_capid a;
        CHECK(bt_asnd(b, rcv, &a));
        CHECK(bt_give(b, ac, a, &app->asnd[idx]));
        if (uses_timer(&app->task[idx]))
            CHECK(bt_give(b, &w->boot.timer, a, &w->boot.tm_st->asnd[idx]));
        for (unsigned g = 0; g < w->ngrants; g++)      /* added components that send to it */
            if (w->grant[g].kind == COS_GRANT_ASND && w->grant[g].to == idx)
                CHECK(grant_cap(w, &w->grant[g], a));
    }
    return push_thd(w, sc, ri);
}

/* B_GROUP: child scheduler g's tasks, made on its thread (the caller). */
static cos_word build_group_tasks(cos_thdid caller, cos_word g, cos_word a1, cos_word a2, cos_word a3)
{
    (void)caller, (void)a1, (void)a2, (void)a3;
    wl_desc *w = wl_desc_self();
    wl_app *app = w->boot.app_st;
    if (w->boot.built || g >= app->ngroups)
        return COS_EPERM;       /* only while the booter builds */
    unsigned core = app->group[g].core;
    for (unsigned i = 0; i < app->ntasks; i++)
        if (app->task[i].group == g + 1) {
            cos_err e = build_thd(w, core, i);
            if (e)
                return e;
        }
    return COS_OK;
}

/* The threads of `core`: made by that core (objects belong to the core
 * that makes them). */
static cos_err build_core(wl_desc *w, unsigned core)
{
    wl_app *app = w->boot.app_st;
    bt *b = &w->boot.b;
    bt_comp *ac = &w->boot.app;
    wl_rt_core *c = &app->core[core];
    c->cur = NONE;
    c->slice_thd = NONE;
    CHECK(bt_give(b, ac, COS_BOOT_THD(core), &c->sched_app));
    CHECK(bt_give(b, ac, COS_BOOT_RCV(core), &c->rcv));
    CHECK(bt_give(b, ac, COS_BOOT_TCAP(core), &c->root_tcap));
    CHECK(build_timer_thd(w, core));
    CHECK(build_groups(w, core));
    for (unsigned i = 0; i < app->ntasks + app->nirqs; i++) {
        bool irq = i >= app->ntasks;
        unsigned idx = irq ? i - app->ntasks : i;
        if ((irq ? app->irq[idx].core : app->task[idx].core) != core || (!irq && app->task[idx].group))
            continue;
        CHECK(build_thd(w, core, i));
    }
    return COS_OK;
}

/* Which tasks others send to (they get a send capability to their endpoint). */
static void note_receivers(wl_desc *w)
{
    wl_app *app = w->boot.app_st;
    for (unsigned i = 0; i < app->ntasks; i++)
        for (unsigned k = 0; k < app->task[i].nops; k++)
            if (app->task[i].ops[k].kind == WL_SEND && app->task[i].ops[k].target < app->ntasks)
                w->boot.recv_target[app->task[i].ops[k].target] = true;
    /* ... or an added component sends to (sys:grant{ kind = "asnd" }) */
    for (unsigned g = 0; g < w->ngrants; g++)
        if (w->grant[g].kind == COS_GRANT_ASND && w->grant[g].to < app->ntasks)
            w->boot.recv_target[w->grant[g].to] = true;
    /* timer users are woken by the timer manager's sends */
    for (unsigned i = 0; i < app->ntasks; i++)
        if (uses_timer(&app->task[i]))
            w->boot.recv_target[i] = true;
    /* both ends of a channel may wait for a notification */
    for (unsigned ch = 0; ch < app->nchans; ch++) {
        if (app->chan[ch].producer < app->ntasks)
            w->boot.recv_target[app->chan[ch].producer] = true;
        if (app->chan[ch].consumer < app->ntasks)
            w->boot.recv_target[app->chan[ch].consumer] = true;
    }
}

/* Load component comp's data (`bytes`), from which it starts: its part of
 * the description (`n` bytes at part) first. */
static void *load(wl_desc *w, const bt_comp *comp, const void *part, size_t n, size_t bytes)
{
    void *d = cos_comp_load(comp->comp, bytes);
    if (d == NULL)
        COS_FAIL(&w->boot.fail, COS_ENOMEM);
    else
        memcpy(d, part, n);
    return d;
}

/* The components, and what every core shares. */
static cos_err build_shared(wl_desc *w)
{
    bt *b = &w->boot.b;
    bt_comp self = BT_SELF;
    if (w->app_block == NULL)
        CHECK(COS_EINVAL);
    CHECK(bt_init(b));
    CHECK(bt_comp_new(b, w->workload_image, (unsigned)w->app_pages, &w->boot.app));
    /* the app's block: its header, then its arrays (app.h), moved */
    const wl_app *blk = w->app_block;
    wl_app *app = w->boot.app_st = load(w, &w->boot.app, blk, blk->bytes, blk->bytes);
    if (app == NULL)
        return COS_ENOMEM;
    wl_app_relocate(app, (char *)app - (const char *)blk);
    app->base = w->boot.app.base;
    app->heap_base = wl_heap_base(app->base, w->app_pages * COS_PAGE_SIZE);
    CHECK(bt_sinv_own(b, &w->boot.app, E_SCHED, &w->boot.sched_sinv));
    if (app->ngroups)
        CHECK(bt_sinv(b, &w->boot.app, &self, B_GROUP, &app->boot_sinv));
    for (unsigned i = 0; i < w->nservers; i++) {
        CHECK(bt_comp_new(b, w->server_image, w->server[i].pages, &w->boot.server[i]));
        wl_server *sv = w->boot.server_st[i] = load(w, &w->boot.server[i], &w->server[i], sizeof w->server[i], sizeof w->server[i]);
        if (sv == NULL)
            return COS_ENOMEM;
        sv->base = w->boot.server[i].base;
        CHECK(bt_sinv(b, &w->boot.app, &w->boot.server[i], E_SERVE, &app->sinv[i]));
    }
    if (w->tm.used) {
        /* the timer manager: its table (32 bytes per task) and the per-core earliest */
        unsigned pages = (unsigned)wl_tmrmgr_pages(app->ntasks, app->ncores);
        CHECK(bt_comp_new(b, w->timer_image, pages, &w->boot.timer));
        /* its part, and where its memory is, and each task's core */
        wl_tmrmgr *tm = w->boot.tm_st = load(w, &w->boot.timer, &w->tm, sizeof w->tm,
                                              wl_tmrmgr_block(NULL, app->ntasks, app->ncores));
        if (tm == NULL)
            return COS_ENOMEM;
        tm->base = w->boot.timer.base;
        tm->ncores = app->ncores;
        tm->ntasks = app->ntasks;
        wl_tmrmgr_block(tm, app->ntasks, app->ncores);
        for (unsigned i = 0; i < app->ntasks; i++)
            tm->task_core[i] = app->task[i].core;
        wl_tmrmgr_parts(tm);
        CHECK(bt_sinv(b, &w->boot.app, &w->boot.timer, 0, &app->tm_sinv));
    }
    if (w->mm.used) {
        /* the memory manager: its records; its pool, the booter's next
         * pages (untyped), narrowed into its table; the app's page table */
        unsigned pages = (unsigned)((WL_MM_POOL * 18 + WL_HEAPS * WL_HEAP_PAGES * 2 + COS_PAGE_SIZE - 1) / COS_PAGE_SIZE);
        CHECK(bt_comp_new(b, w->mem_image, pages, &w->boot.mm));
        /* its part, and where its memory is, and each task's heap window */
        wl_memmgr *mm = w->boot.mm_st = load(w, &w->boot.mm, &w->mm, sizeof w->mm, wl_memmgr_block(NULL, app->ntasks));
        if (mm == NULL)
            return COS_ENOMEM;
        mm->base = w->boot.mm.base;
        mm->heap_base = app->heap_base;
        mm->ntasks = app->ntasks;
        wl_memmgr_block(mm, app->ntasks);
        for (unsigned i = 0; i < app->ntasks; i++)
            mm->heap_of[i] = app->task[i].heap;
        CHECK(bt_sinv(b, &w->boot.app, &w->boot.mm, 0, &app->mm_sinv));
        mm->kmem = w->boot.mm.next_slot++;
        CHECK(cos_kmem_narrow(b->kmem, w->boot.mm.captbl, mm->kmem, b->next, mm->pages));
        b->next += mm->pages;
        CHECK(bt_give(b, &w->boot.mm, w->boot.app.pgtbl, &mm->pgtbl));
    } else if (app->lib.on && w->mm.pages) {
        /* the library memory manager: the pool (the booter's next pages,
         * untyped) narrowed into the app's own table, and its own page table */
        app->lib.kmem = w->boot.app.next_slot++;
        CHECK(cos_kmem_narrow(b->kmem, w->boot.app.captbl, app->lib.kmem, b->next, w->mm.pages));
        b->next += w->mm.pages;
        CHECK(bt_give(b, &w->boot.app, w->boot.app.pgtbl, &app->lib.pgtbl));
    }
    CHECK(build_added(w));
    for (unsigned l = 0; l < app->nlocks; l++)
        app->lock_owner[l] = NONE;
    note_receivers(w);
    /* the start signals: one asnd to each core's root rcv */
    for (unsigned c = 0; c < app->ncores; c++)
        CHECK(bt_asnd(b, COS_BOOT_RCV(c), &w->boot.go[c]));
    return COS_OK;
}

/* Every core's threads are made: fix the start and the first arrivals. */
static void start(wl_desc *w)
{
    wl_app *app = w->boot.app_st;
    uint64_t now = cos_cycles();
    uint64_t al = w->start_align ? w->start_align : 1;
    app->start = (now / al + 1) * al;
    for (unsigned i = 0; i < wl_nthd(app); i++) {
        wl_rt_thd *r = &app->thd[i];
        if (r->id == 0)
            continue;
        if (r->group) {
            r->replenish_at = app->start;
        } else if (!r->irq) {
            const wl_task *t = &app->task[r->idx];
            r->arrival = app->start + t->offset;
            r->ready_at = r->arrival + cos_rand_below_incl(&r->rng, t->jitter);
            r->replenish_at = t->budget ? r->arrival : UINT64_MAX;
        } else if (app->irq[r->idx].budget) {
            r->replenish_at = app->start;
        }
    }
    wl_queue_init(app);     /* the schedulers' queues */
    w->boot.built = true;
    cos_report("wl.start", (int64_t)app->start);
}

/* B_BOOT, on every core's init thread: core 0 builds the components, each
 * core its own threads in turn, the last fixes the start; then each init
 * thread becomes its core's scheduler in the app. */
static cos_word boot_main(cos_thdid caller, cos_word core, cos_word arg, cos_word a2, cos_word a3)
{
    (void)caller, (void)arg, (void)a2, (void)a3;
    wl_desc *w = wl_desc_self();
    if (w == NULL || core >= w->app.ncores)
        return 0;
    if (core == 0) {
        if (build_shared(w))
            return 0;
    } else {
        /* wait for the previous core to finish */
        cos_ret r = cos_rcv(COS_BOOT_RCV(core), 0);
        if (r.err || w->boot.fail.err)
            return 0;
    }
    if (build_core(w, (unsigned)core))
        return 0;
    w->boot.cores_built++;
    if (core + 1 < w->app.ncores) {
        CHECK(cos_asnd(w->boot.go[core + 1], false));
        cos_ret r = cos_rcv(COS_BOOT_RCV(core), 0);     /* the go from the last core */
        if (r.err || w->boot.fail.err)
            return 0;
    } else {
        start(w);
        for (unsigned c = 0; c + 1 < w->app.ncores; c++)
            CHECK(cos_asnd(w->boot.go[c], false));
    }
    cos_ret r = cos_sinv(w->boot.sched_sinv, core, 0, 0, 0);     /* for ever, unless it fails */
    CHECK(r.err);
    return 0;
}

static const cos_entry_fn entries[] = { [B_BOOT] = boot_main, [B_GROUP] = build_group_tasks };
const cos_image cos_image_wl_booter = { "wl-booter", entries, 2 };
