/* compose/desc.c: the description's arrays.  While a scenario adds to a
 * system, each kind of thing (tasks, locks, ...) is an array of its own
 * that grows by doubling, with its names beside it; at the first run the
 * app's part is packed into one block, its header then its arrays
 * (components/implementation/app/workload/app.h, WL_APP_ARRAYS), which the
 * booter copies into the app's data and moves.  A system holds what the
 * host's memory holds: no count here has a limit of its own. */
#include "compose/internal.h"

#include <stdarg.h>
#include <string.h>

/* Room for one more than n in each array (void **, element bytes) of
 * the NULL-ended list, all of room *cap: when they are full, each grows to
 * twice, its new elements zeroed.  Returns the room they had. */
#define ARR(p) (void **)&(p), sizeof *(p)
static unsigned grow(unsigned n, unsigned *cap, ...)
{
    unsigned old = *cap;
    if (n < old)
        return old;
    /* unreachable within the run's host-memory budget (sim/budget.h) */
    if (old > UINT_MAX / 4)
        g_error("compose: more than %u of one kind in a system", UINT_MAX / 4);
    *cap = old ? old * 2 : 8;
    va_list ap;
    va_start(ap, cap);
    for (void **p; (p = va_arg(ap, void **)) != NULL;) {
        size_t elem = va_arg(ap, size_t);
        *p = g_realloc_n(*p, *cap, elem);
        memset((char *)*p + (size_t)old * elem, 0, (size_t)(*cap - old) * elem);
    }
    va_end(ap);
    return old;
}

void cmp_desc_init(composed *c, unsigned ncores)
{
    wl_app *a = &c->w->app;
    a->ncores = ncores;
    a->policy = g_new0(wl_policy, ncores);
    a->sched_cfg = g_new0(wl_sched_cfg, ncores);
    c->policy_ref = g_new(int, ncores);
    for (unsigned s = 0; s < ncores; s++)
        c->policy_ref[s] = LUA_NOREF;
}

unsigned cmp_new_task(composed *c)
{
    wl_app *a = &c->w->app;
    unsigned n = a->ntasks;
    unsigned old = grow(n, &c->cap_task, ARR(a->task), ARR(c->names), ARR(c->where), ARR(c->program_ref),
                        ARR(c->thread_ref), ARR(c->thread_job), NULL);
    for (unsigned i = old; i < c->cap_task; i++)
        c->program_ref[i] = c->thread_ref[i] = LUA_NOREF;
    /* a call that failed half-way may have left steps here */
    g_free(a->task[n].ops);
    a->task[n] = (wl_task){ 0 };
    return n;
}

unsigned cmp_new_irq(composed *c)
{
    wl_app *a = &c->w->app;
    grow(a->nirqs, &c->cap_irq, ARR(a->irq), ARR(c->irq_names), NULL);
    a->irq[a->nirqs] = (wl_irq){ 0 };
    return a->nirqs;
}

unsigned cmp_new_server(composed *c)
{
    wl_desc *w = c->w;
    grow(w->nservers, &c->cap_server, ARR(w->server), ARR(c->server_names), NULL);
    w->server[w->nservers] = (wl_server){ 0 };
    return w->nservers;
}

unsigned cmp_new_lock(composed *c)
{
    wl_app *a = &c->w->app;
    grow(a->nlocks, &c->cap_lock, ARR(a->lock), ARR(c->lock_names), NULL);
    a->lock[a->nlocks] = (wl_lock){ 0 };
    return a->nlocks;
}

/* A group is a scheduler too: its configuration and its Lua policy's
 * reference follow the cores' (room for ncores + cap_group). */
unsigned cmp_new_group(composed *c)
{
    wl_app *a = &c->w->app;
    unsigned old = grow(a->ngroups, &c->cap_group, ARR(a->group), ARR(c->group_names), NULL);
    if (old != c->cap_group) {
        unsigned from = a->ncores + old, to = a->ncores + c->cap_group;
        a->sched_cfg = g_realloc_n(a->sched_cfg, to, sizeof *a->sched_cfg);
        memset(a->sched_cfg + from, 0, (to - from) * sizeof *a->sched_cfg);
        c->policy_ref = g_realloc_n(c->policy_ref, to, sizeof *c->policy_ref);
        for (unsigned s = from; s < to; s++)
            c->policy_ref[s] = LUA_NOREF;
    }
    a->group[a->ngroups] = (wl_group){ 0 };
    return a->ngroups;
}

unsigned cmp_new_chan(composed *c)
{
    wl_app *a = &c->w->app;
    grow(a->nchans, &c->cap_chan, ARR(a->chan), ARR(c->chan_names), NULL);
    a->chan[a->nchans] = (wl_channel){ 0 };
    return a->nchans;
}

unsigned cmp_new_comp(composed *c)
{
    wl_desc *w = c->w;
    grow(w->ncomps, &c->cap_comp, ARR(w->comp), ARR(c->comp_names), ARR(c->comp_arg_ref), NULL);
    w->comp[w->ncomps] = (wl_comp){ 0 };
    return w->ncomps;
}

unsigned cmp_new_grant(composed *c)
{
    wl_desc *w = c->w;
    grow(w->ngrants, &c->cap_grant, ARR(w->grant), ARR(c->grant_to), NULL);
    w->grant[w->ngrants] = (wl_grant){ 0 };
    return w->ngrants;
}

/* ---- the app's block -------------------------------------------------------------- */

/* How many threads each scheduler has (count[nsched]): a core's timer
 * thread (room for it whether or not it is made), its groups' threads,
 * its tasks outside groups and its interrupt threads; a group's tasks. */
static void sched_counts(const wl_app *a, unsigned *count)
{
    for (unsigned k = 0; k < a->ncores; k++)
        count[k] = 1;
    for (unsigned g = 0; g < a->ngroups; g++) {
        count[a->group[g].core]++;
        count[a->ncores + g] = 0;
    }
    for (unsigned i = 0; i < a->ntasks; i++)
        count[a->task[i].group ? a->ncores + a->task[i].group - 1 : a->task[i].core]++;
    for (unsigned q = 0; q < a->nirqs; q++)
        count[a->irq[q].core]++;
}

unsigned cmp_longest_list(const composed *c)
{
    const wl_app *a = &c->w->app;
    g_autofree unsigned *count = g_new0(unsigned, wl_nsched(a));
    sched_counts(a, count);
    unsigned longest = 0;
    for (unsigned s = 0; s < wl_nsched(a); s++)
        longest = MAX(longest, count[s]);
    return longest;
}

#define ALIGN16(n) (((n) + 15) & ~(size_t)15)

void cmp_pack(lua_State *L, composed *c)
{
    wl_desc *w = c->w;
    const wl_app *d = &w->app;        /* the description as the scenario built it */
    wl_app h = *d;
    h.nservers = w->nservers;
    h.ncomps = w->ncomps;
    h.nops = h.nslots = h.nwq = 0;
    for (unsigned l = 0; l < d->nlocks; l++)
        h.nwq += d->lock[l].wq_room;
    for (unsigned i = 0; i < d->ntasks; i++)
        h.nops += d->task[i].nops;
    for (unsigned ch = 0; ch < d->nchans; ch++)
        h.nslots += d->chan[ch].slots;
    /* thread ids are the kernel's, numbered from 0 as it makes threads:
     * each core's init thread, then the system's (room to spare) */
    h.max_thdid = wl_nthd(&h) + 4 * h.ncores + 64;
    /* the block's layout: the header, then each array from 16 bytes */
    size_t off = ALIGN16(sizeof h);
#define WL_SIZE(m, n)                                                                                                  \
    size_t o_##m = off;                                                                                                \
    off = ALIGN16(off + (size_t)(n) * sizeof *h.m);
    WL_APP_ARRAYS(WL_SIZE, &h)
#undef WL_SIZE
    h.bytes = off;
    if (off > COS_COMP_DATA_MAX)
        luaL_error(L, "sys:run: the app's description and state take %d MiB; a component's data is at most %d MiB "
                   "(kernel/abi.h, COS_COMP_DATA_MAX)", (int)(off >> 20), (int)(COS_COMP_DATA_MAX >> 20));
    char *blk = g_malloc0(off);
    wl_app *a = (wl_app *)blk;
    *a = h;
#define WL_PLACE(m, n) a->m = (void *)(blk + o_##m);
    WL_APP_ARRAYS(WL_PLACE, a)
#undef WL_PLACE
    /* the description's arrays */
    /* (an empty array may have no storage: memcpy's pointers may not be NULL) */
#define COPY(m, n) do { if (n) memcpy(a->m, d->m, (size_t)(n) * sizeof *a->m); } while (0)
    COPY(policy, d->ncores);
    COPY(sched_cfg, wl_nsched(d));
    COPY(task, d->ntasks);
    COPY(lock, d->nlocks);
    COPY(irq, d->nirqs);
    COPY(group, d->ngroups);
    COPY(chan, d->nchans);
#undef COPY
    unsigned k = 0;
    for (unsigned i = 0; i < d->ntasks; i++) {
        a->task[i].ops = a->ops + k;
        if (d->task[i].nops)
            memcpy(a->ops + k, d->task[i].ops, d->task[i].nops * sizeof *a->ops);
        k += d->task[i].nops;
    }
    /* each scheduler's list of threads, room for what it holds */
    g_autofree unsigned *count = g_new0(unsigned, wl_nsched(d));
    sched_counts(d, count);
    k = 0;
    for (unsigned s = 0; s < wl_nsched(a); s++) {
        a->core[s].thd = a->lists + k;
        a->core[s].scratch = a->scratch + k;
        a->core[s].tq = a->tqs + k;
        a->core[s].rq = a->rqs + k;
        a->core[s].due = a->dues + k;
        a->core[s].cap = count[s];
        k += count[s];
    }
    g_assert(k == wl_nthd(a));
    for (unsigned i = 0; i < a->ntasks; i++)
        a->all_tasks[i] = i;
    k = 0;
    for (unsigned l = 0; l < a->nlocks; l++) {
        a->lock[l].wq_first = k;
        k += a->lock[l].wq_room;
    }
    k = 0;
    for (unsigned ch = 0; ch < a->nchans; ch++) {
        a->rchan[ch].put_at = a->put_at + k;
        k += a->chan[ch].slots;
    }
    g_free((void *)w->app_block);
    w->app_block = a;
    /* the booter's arrays */
    wl_boot *b = &w->boot;
    b->server = g_new0(bt_comp, w->nservers);
    b->server_st = g_new0(wl_server *, w->nservers);
    b->go = g_new0(cos_capid, a->ncores);
    b->comps = g_new0(bt_comp, w->ncomps);
    b->comp_st = g_new0(cos_comp_hdr *, w->ncomps);
    b->group_rcv = g_new0(cos_capid, a->ngroups);
    b->recv_target = g_new0(bool, a->ntasks);
}

void cmp_desc_free(composed *c)
{
    wl_desc *w = c->w;
    if (w == NULL)
        return;
    wl_app *a = &w->app;
    for (unsigned i = 0; i < c->cap_task; i++)
        g_free(a->task[i].ops);
    g_free(a->task);
    g_free(a->policy);
    g_free(a->sched_cfg);
    g_free(a->lock);
    g_free(a->irq);
    g_free(a->group);
    g_free(a->chan);
    g_free((void *)w->app_block);
    g_free(w->server);
    g_free(w->comp);
    g_free(w->grant);
    wl_boot *b = &w->boot;
    g_free(b->server);
    g_free(b->server_st);
    g_free(b->go);
    g_free(b->comps);
    g_free(b->comp_st);
    g_free(b->group_rcv);
    g_free(b->recv_target);
    g_free(c->names);
    g_free(c->where);
    g_free(c->program_ref);
    g_free(c->thread_ref);
    g_free(c->thread_job);
    g_free(c->irq_names);
    g_free(c->server_names);
    g_free(c->lock_names);
    g_free(c->group_names);
    g_free(c->policy_ref);
    g_free(c->chan_names);
    g_free(c->comp_names);
    g_free(c->comp_arg_ref);
    g_free(c->grant_to);
    g_free(w);
    c->w = NULL;
}
