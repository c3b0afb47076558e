/* compose/results.c: sys:results() and sys:kernel(): what the system's
 * components counted, as Lua tables. */
#include "compose/internal.h"

static void set_int(lua_State *L, const char *k, uint64_t v)
{
    lua_pushinteger(L, (lua_Integer)v);
    lua_setfield(L, -2, k);
}

static void set_num(lua_State *L, const char *k, double v)
{
    lua_pushnumber(L, v);
    lua_setfield(L, -2, k);
}

/* sys:results() -> { tasks = { {name, jobs, missed, ...}, ... }, cores = {...}, irqs = {...}, locks = {...} } */
int cmp_l_results(lua_State *L)
{
    composed *c = cmp_check(L);
    wl_desc *w = c->w;
    const wl_app *app = cmp_app(c);
    const wl_tmrmgr *tm = cmp_tm(c);
    const wl_memmgr *mm = cmp_mm(c);
    double ns = 1e9 / (double)c->h->cfg.freq_hz;
    lua_newtable(L);
    lua_createtable(L, (int)app->ntasks, 0);
    uint64_t now_cycles = hwmem_ps_to_cycles(sim_now(simlua_sim(L)), c->h->cfg.freq_hz);
    for (unsigned i = 0; i < app->ntasks; i++) {
        const wl_task *t = &app->task[i];
        const wl_stats *st = &t->st;
        const wl_rt_thd *r = c->booted ? &app->thd[i] : NULL;     /* the threads exist once booted */
        lua_newtable(L);
        lua_pushstring(L, c->names[i]);
        lua_setfield(L, -2, "name");
        if (t->group) {
            lua_pushstring(L, c->group_names[t->group - 1]);
            lua_setfield(L, -2, "group");
        }
        set_int(L, "core", t->core);
        set_int(L, "priority", t->prio);
        set_int(L, "jobs", st->jobs);
        set_int(L, "released", st->released);
        set_int(L, "missed", st->missed);
        /* a released job still unfinished past its deadline is a miss too */
        bool late = r && r->state != WL_S_IDLE && r->state != WL_S_EXITED && r->deadline && now_cycles > r->deadline
                    && st->released > st->jobs;
        set_int(L, "late_unfinished", late);
        set_int(L, "expiries", st->expiries);
        set_num(L, "period_ns", (double)t->period * ns);
        set_num(L, "deadline_ns", (double)t->deadline * ns);
        if (st->jobs) {
            set_int(L, "resp_min_cycles", st->resp_min);
            set_int(L, "resp_max_cycles", st->resp_max);
            set_num(L, "resp_min_ns", (double)st->resp_min * ns);
            set_num(L, "resp_max_ns", (double)st->resp_max * ns);
            set_num(L, "resp_mean_ns", (double)st->resp_sum / (double)st->jobs * ns);
            set_num(L, "start_max_ns", (double)st->start_max * ns);
        }
        set_int(L, "lock_waits", st->lock_waits);
        set_num(L, "lock_wait_max_ns", (double)st->lock_wait_max * ns);
        if (t->heap) {
            set_int(L, "faults", st->faults);
            set_int(L, "heap_pages", mm->held[t->heap - 1]);
        }
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, "tasks");
    lua_createtable(L, (int)app->ncores, 0);
    for (unsigned k = 0; k < app->ncores; k++) {
        static const wl_rt_core none;
        const wl_rt_core *rc = c->booted ? &app->core[k] : &none;
        lua_newtable(L);
        lua_pushstring(L, cmp_policy_name(app->policy[k]));
        lua_setfield(L, -2, "policy");
        set_int(L, "dispatches", rc->dispatches);
        set_int(L, "ul_dispatches", rc->ul_dispatches);
        set_int(L, "ul_refused", rc->ul_refused);
        set_int(L, "stale", rc->stale);
        set_int(L, "idles", rc->idles);
        set_int(L, "handoffs", rc->handoffs);
        if (rc->handoffs) {
            set_int(L, "handoff_min_cycles", rc->handoff_min);
            set_int(L, "handoff_max_cycles", rc->handoff_max);
            set_num(L, "handoff_mean_cycles", (double)rc->handoff_sum / (double)rc->handoffs);
        }
        lua_rawseti(L, -2, (lua_Integer)k + 1);
    }
    lua_setfield(L, -2, "cores");
    lua_createtable(L, (int)app->nirqs, 0);
    for (unsigned q = 0; q < app->nirqs; q++) {
        const wl_irq *x = &app->irq[q];
        lua_newtable(L);
        lua_pushstring(L, c->irq_names[q]);
        lua_setfield(L, -2, "name");
        set_int(L, "activations", x->activations);
        set_int(L, "handled", x->handled);
        set_int(L, "expiries", x->expiries);
        lua_rawseti(L, -2, (lua_Integer)q + 1);
    }
    lua_setfield(L, -2, "irqs");
    lua_newtable(L);
    for (unsigned l = 0; l < app->nlocks; l++) {
        lua_newtable(L);
        set_int(L, "acquisitions", app->lock[l].acquisitions);
        set_int(L, "contended", app->lock[l].contended);
        set_int(L, "ceiling", app->lock[l].ceiling);
        lua_setfield(L, -2, c->lock_names[l]);
    }
    lua_setfield(L, -2, "locks");
    lua_newtable(L);
    for (unsigned v = 0; v < w->nservers; v++) {
        lua_newtable(L);
        set_int(L, "calls", cmp_server(c, v)->calls);
        lua_setfield(L, -2, c->server_names[v]);
    }
    lua_setfield(L, -2, "servers");
    lua_newtable(L);
    for (unsigned g = 0; g < app->ngroups; g++) {
        const wl_group *gr = &app->group[g];
        lua_newtable(L);
        set_int(L, "core", gr->core);
        set_num(L, "budget_ns", (double)gr->budget * ns);
        set_num(L, "period_ns", (double)gr->period * ns);
        set_int(L, "dispatches", gr->dispatches);
        set_int(L, "idles", gr->idles);
        set_int(L, "wakes", gr->wakes);
        set_int(L, "expiries", gr->expiries);
        lua_setfield(L, -2, c->group_names[g]);
    }
    lua_setfield(L, -2, "groups");
    lua_newtable(L);
    for (unsigned k = 0; k < app->nchans; k++) {
        const wl_channel *ch = &app->chan[k];
        lua_newtable(L);
        set_int(L, "puts", ch->puts);
        set_int(L, "gets", ch->gets);
        set_int(L, "full_waits", ch->full_waits);
        set_int(L, "empty_waits", ch->empty_waits);
        set_int(L, "notifies", ch->notifies);
        set_int(L, "max_fill", ch->max_fill);
        if (ch->lat_n) {
            set_int(L, "latency_min_cycles", ch->lat_min);
            set_int(L, "latency_max_cycles", ch->lat_max);
            set_num(L, "latency_mean_cycles", (double)ch->lat_sum / (double)ch->lat_n);
        }
        lua_setfield(L, -2, c->chan_names[k]);
    }
    lua_setfield(L, -2, "channels");
    lua_newtable(L);
    set_int(L, "arms", tm->arms);
    set_int(L, "expirations", tm->expirations);
    set_int(L, "wakeups", tm->wakeups);
    const wl_clients *cl = &app->cl;     /* what the tasks measured */
    set_int(L, "waits", cl->late_n);
    if (cl->late_n) {
        set_int(L, "late_min_cycles", cl->late_min);
        set_int(L, "late_max_cycles", cl->late_max);
        set_num(L, "late_mean_cycles", (double)cl->late_sum / (double)cl->late_n);
    }
    lua_setfield(L, -2, "timers");
    if (mm->pages) {
        const wl_memmgr *m = mm;
        lua_newtable(L);
        set_int(L, "pages", m->pages);
        set_int(L, "quota", m->quota);
        const wl_lib *l = &app->lib;
        if (l->on) {
            /* the library memory manager (memlib.c): its counts, and the visible revocations */
            set_int(L, "library", 1);
            set_int(L, "allocated", l->allocated);
            set_int(L, "denied", l->denied);
            set_int(L, "freed", l->freed);
            set_int(L, "zeroed", l->zeroed);
            set_int(L, "shootdowns", l->shootdowns);
            set_int(L, "reuse_waits", l->reuse_waits);
            set_int(L, "requests", l->requests);
            set_int(L, "answered", l->answered);
            set_int(L, "given", l->given);
            set_int(L, "aborts", l->aborts);
            set_int(L, "taken", l->taken);
        } else {
            set_int(L, "allocated", m->allocated);
            set_int(L, "denied", m->denied);
            set_int(L, "freed", m->freed);
            set_int(L, "revoked", m->revoked);
            set_int(L, "revocations", m->revocations);
            set_int(L, "shootdowns", m->shootdowns);
            set_int(L, "reuse_waits", m->reuse_waits);
            set_int(L, "unmap_retries", m->unmap_retries);
        }
        set_int(L, "faults", cl->faults);
        if (cl->alloc_n) {
            set_num(L, "alloc_mean_cycles", (double)cl->alloc_sum / (double)cl->alloc_n);
            set_int(L, "alloc_max_cycles", cl->alloc_max);
        }
        if (cl->free_n) {
            set_num(L, "free_mean_cycles", (double)cl->free_sum / (double)cl->free_n);
            set_int(L, "free_max_cycles", cl->free_max);
        }
        lua_setfield(L, -2, "memory");
    }
    cmp_comp_results(L, c);
    lua_setfield(L, -2, "components");
    set_num(L, "start_ns", c->booted ? (double)hw_ps(c->h, app->start) / 1000.0 : 0.0);
    return 1;
}

/* sys:kernel() -> the kernel's system object (stats, paths, reports, check), nil before the first run */
int cmp_l_kernel(lua_State *L)
{
    cmp_check(L);
    lua_getiuservalue(L, 1, 2);
    return 1;
}
