/* compose/run.c: sys:run: check what spans tasks, lay out memory, boot
 * the kernel with the composed booter, and run; the trace's tasks table. */
#include "compose/internal.h"
#include "sim/trace_names.h"

#include <string.h>

/* The trace's tasks table: a row per task of this system, numbered on
 * from the systems already in the run. */
static void define_tasks_table(composed *c, sim *s)
{
    static const simtr_column cols[] = {
        { "task", SIMTR_INT, true },     { "name", SIMTR_TEXT, true },     { "core", SIMTR_INT, true },
        { "policy", SIMTR_TEXT, true },  { "priority", SIMTR_INT, true },  { "period_ps", SIMTR_INT, true },
        { "deadline_ps", SIMTR_INT, true }, { "budget_ps", SIMTR_INT, true }, { "offset_ps", SIMTR_INT, true },
        { "jitter_ps", SIMTR_INT, true }, { "sporadic", SIMTR_INT, true }, { "wcet_cycles", SIMTR_INT, false },
        { "group_name", SIMTR_TEXT, false },
    };
    simtr_table *tb = simtr_find(s->trace, TRN_TASKS);
    if (tb == NULL)
        tb = simtr_define(s->trace, TRN_TASKS, cols, G_N_ELEMENTS(cols));
    wl_desc *w = c->w;
    /* numbered on from the systems already in the run */
    w->app.task_base = (uint32_t)simtr_rows(tb);
    for (unsigned i = 0; i < w->app.ntasks; i++) {
        const wl_task *t = &w->app.task[i];
        simtr_begin(tb);
        simtr_int(tb, w->app.task_base + i);
        simtr_text(tb, c->names[i], -1);
        simtr_int(tb, (int64_t)(c->h->core_base + t->core));
        wl_policy pol = t->group ? w->app.group[t->group - 1].policy : w->app.policy[t->core];
        simtr_text(tb, cmp_policy_name(pol), -1);
        simtr_int(tb, t->prio);
        simtr_int(tb, (int64_t)hw_ps(c->h, t->period));
        simtr_int(tb, (int64_t)hw_ps(c->h, t->deadline));
        simtr_int(tb, (int64_t)hw_ps(c->h, t->budget));
        simtr_int(tb, (int64_t)hw_ps(c->h, t->offset));
        simtr_int(tb, (int64_t)hw_ps(c->h, t->jitter));
        simtr_int(tb, t->sporadic);
        /* the declared compute when every step is fixed (the analysis's C) */
        bool fixed = t->program == NULL;
        uint64_t sum = 0;
        for (unsigned k = 0; k < t->nops && fixed; k++) {
            const wl_op *op = &t->ops[k];
            if (op->kind == WL_COMPUTE)
                sum += op->dist == WL_FIXED ? op->a : op->dist == WL_UNIFORM ? op->b : op->b ? op->b : 0;
            if (op->kind == WL_TOUCH)
                sum += op->c;       /* the compute a touch is spread over */
            if (op->kind == WL_COMPUTE && op->dist == WL_EXP && op->b == 0)
                fixed = false;
        }
        if (fixed)
            simtr_int(tb, (int64_t)sum);
        else
            simtr_null(tb);
        if (t->group)
            simtr_text(tb, c->group_names[t->group - 1], -1);
        else
            simtr_null(tb);
        simtr_end(tb);
    }
}

/* Everything the first run needs: resolve names, check what spans tasks,
 * lay out memory, boot. */
static void boot(lua_State *L, composed *c)
{
    wl_desc *w = c->w;
    if (w->app.ntasks == 0)
        luaL_error(L, "sys:run: the system has no tasks (add them with sys:task{...})");
    /* sends: the receiver by name */
    lua_getiuservalue(L, 1, 3);
    int names = lua_gettop(L);
    for (unsigned i = 0; i < w->app.ntasks; i++)
        for (unsigned k = 0; k < w->app.task[i].nops; k++) {
            wl_op *op = &w->app.task[i].ops[k];
            if (op->kind != WL_SEND && op->kind != WL_REVOKE && op->kind != WL_ABORT)
                continue;
            lua_pushfstring(L, "task:%d:%d", (int)i, (int)k);
            lua_rawget(L, names);
            int r = cmp_find_task(c, lua_tostring(L, -1));
            if (op->kind == WL_REVOKE || op->kind == WL_ABORT) {
                if (r < 0)
                    luaL_error(L, "%s sys:task '%s': step %d revokes the memory of '%s', which is no task", c->where[i],
                               c->names[i], (int)k + 1, lua_tostring(L, -1));
                op->target = (uint32_t)r;
                lua_pop(L, 1);
                continue;
            }
            if (r < 0)
                luaL_error(L, "%s sys:task '%s': step %d sends to '%s', which is no task", c->where[i], c->names[i],
                           (int)k + 1, lua_tostring(L, -1));
            bool recv = false;
            for (unsigned j = 0; j < w->app.task[r].nops; j++)
                recv = recv || w->app.task[r].ops[j].kind == WL_RECV;
            if (!recv && w->app.task[r].program == NULL)
                luaL_error(L, "%s sys:task '%s': step %d sends to '%s', which never receives", c->where[i], c->names[i],
                           (int)k + 1, lua_tostring(L, -1));
            op->target = (uint32_t)r;
            lua_pop(L, 1);
        }
    /* locks: users on one core, under one scheduler; the ceiling is the
     * highest priority of its users; their count is the room of the
     * lock's queue of waiters (a task waits for one lock at a time) */
    int *lcore = lua_newuserdatauv(L, (w->app.nlocks + 1) * 3 * sizeof(int), 0);
    int *lgroup = lcore + w->app.nlocks + 1, *luser = lgroup + w->app.nlocks + 1;
    for (unsigned l = 0; l < w->app.nlocks; l++)
        lcore[l] = lgroup[l] = luser[l] = -1;
    for (unsigned i = 0; i < w->app.ntasks; i++)
        for (unsigned k = 0; k < w->app.task[i].nops; k++) {
            const wl_op *op = &w->app.task[i].ops[k];
            if (op->kind != WL_LOCK)
                continue;
            unsigned l = op->target;
            wl_lock *lk = &w->app.lock[l];
            if (lcore[l] >= 0 && (unsigned)lcore[l] != w->app.task[i].core)
                luaL_error(L, "%s sys:task '%s': lock '%s' is used on cores %d and %d (locks are per core: no "
                           "multi-core protocol is built)", c->where[i], c->names[i], c->lock_names[l], lcore[l],
                           (int)w->app.task[i].core);
            if (lgroup[l] >= 0 && (unsigned)lgroup[l] != w->app.task[i].group)
                luaL_error(L, "%s sys:task '%s': lock '%s' is used under two schedulers (tasks of different "
                           "groups, or of a group and of its core: priorities do not compare across them)",
                           c->where[i], c->names[i], c->lock_names[l]);
            lcore[l] = (int)w->app.task[i].core;
            lgroup[l] = (int)w->app.task[i].group;
            if (w->app.task[i].prio < lk->ceiling)
                lk->ceiling = w->app.task[i].prio;
            if (luser[l] != (int)i) {
                luser[l] = (int)i;
                lk->wq_room++;
            }
        }
    /* every lock a job takes it gives back, in order (the locks held: a
     * stack, in memory Lua collects should an error end this) */
    unsigned most = 1;
    for (unsigned i = 0; i < w->app.ntasks; i++)
        most = MAX(most, w->app.task[i].nops);
    uint32_t *held = lua_newuserdatauv(L, most * sizeof *held, 0);
    for (unsigned i = 0; i < w->app.ntasks; i++) {
        unsigned n = 0;
        for (unsigned k = 0; k < w->app.task[i].nops; k++) {
            const wl_op *op = &w->app.task[i].ops[k];
            if (op->kind == WL_LOCK) {
                for (unsigned j = 0; j < n; j++)
                    if (held[j] == op->target)
                        luaL_error(L, "%s sys:task '%s': step %d takes lock '%s' it holds already", c->where[i],
                                   c->names[i], (int)k + 1, c->lock_names[op->target]);
                held[n++] = op->target;
            } else if (op->kind == WL_UNLOCK) {
                if (n == 0 || held[n - 1] != op->target)
                    luaL_error(L, "%s sys:task '%s': step %d releases lock '%s', which is not the last one it took",
                               c->where[i], c->names[i], (int)k + 1, c->lock_names[op->target]);
                n--;
            } else if ((op->kind == WL_RECV || op->kind == WL_SLEEP || op->kind == WL_PUT || op->kind == WL_GET)
                       && n > 0) {
                luaL_error(L, "%s sys:task '%s': step %d blocks while holding lock '%s'", c->where[i], c->names[i],
                           (int)k + 1, c->lock_names[held[n - 1]]);
            }
        }
        if (n)
            luaL_error(L, "%s sys:task '%s': the job ends holding lock '%s'", c->where[i], c->names[i],
                       c->lock_names[held[n - 1]]);
    }
    /* channels: one producer and one consumer task each; a task waits on
     * its endpoint for one thing only: sends (recv), channels, or timers */
    for (unsigned i = 0; i < w->app.ntasks; i++) {
        bool recv = false, chan = false, timer = false;
        uint64_t tick = 0;
        for (unsigned k = 0; k < w->app.task[i].nops; k++) {
            const wl_op *op = &w->app.task[i].ops[k];
            recv = recv || op->kind == WL_RECV;
            timer = timer || op->kind == WL_TIMEOUT || op->kind == WL_TICK;
            if ((op->kind == WL_TICK && tick && tick != op->a) || (op->kind == WL_TICK && tick == UINT64_MAX)
                || (op->kind == WL_TIMEOUT && tick && tick != UINT64_MAX))
                luaL_error(L, "%s sys:task '%s': step %d: a task has one timer: timeouts, or ticks of one period",
                           c->where[i], c->names[i], (int)k + 1);
            if (op->kind == WL_TICK)
                tick = op->a;
            else if (op->kind == WL_TIMEOUT)
                tick = UINT64_MAX;
            if (op->kind != WL_PUT && op->kind != WL_GET)
                continue;
            chan = true;
            wl_channel *ch = &w->app.chan[op->target];
            unsigned *end = op->kind == WL_PUT ? &ch->producer : &ch->consumer;
            if (*end != UINT32_MAX && *end != i)
                luaL_error(L, "%s sys:task '%s': channel '%s' has a %s already ('%s'): a channel has one producer and "
                           "one consumer", c->where[i], c->names[i], c->chan_names[op->target],
                           op->kind == WL_PUT ? "producer" : "consumer", c->names[*end]);
            *end = i;
        }
        if (recv + chan + timer > 1)
            luaL_error(L, "%s sys:task '%s': a task waits on its one endpoint for one thing: recv, a channel, or the "
                       "timer manager (timeout, tick), not two of them", c->where[i], c->names[i]);
        if (timer)
            w->tm.used = true;
        if (timer && w->app.task[i].group)
            luaL_error(L, "%s sys:task '%s': a task of a group cannot use the timer manager yet (its timer thread "
                       "is its core's)", c->where[i], c->names[i]);
    }
    for (unsigned ch = 0; ch < w->app.nchans; ch++)
        if ((w->app.chan[ch].producer == UINT32_MAX) != (w->app.chan[ch].consumer == UINT32_MAX))
            luaL_error(L, "sys:run: channel '%s' has a %s but no %s", c->chan_names[ch],
                       w->app.chan[ch].producer == UINT32_MAX ? "consumer" : "producer",
                       w->app.chan[ch].producer == UINT32_MAX ? "producer" : "consumer");
    /* heaps: a window each for the tasks that allocate, free or touch one */
    unsigned nheaps = 0;
    for (unsigned i = 0; i < w->app.ntasks; i++) {
        bool uses = false;
        for (unsigned k = 0; k < w->app.task[i].nops; k++)
            uses = uses || w->app.task[i].ops[k].kind == WL_ALLOC || w->app.task[i].ops[k].kind == WL_FREE
                   || w->app.task[i].ops[k].kind == WL_HEAP || w->app.task[i].ops[k].kind == WL_ANSWER;
        if (!uses)
            continue;
        if (nheaps == WL_HEAPS)
            luaL_error(L, "%s sys:task '%s': at most %d tasks use the memory manager", c->where[i], c->names[i],
                       (int)WL_HEAPS);
        w->app.task[i].heap = ++nheaps;
    }
    /* the library memory manager: no manager component; each heap owns `quota` pages of the pool */
    w->mm.used = nheaps > 0 && !w->app.lib.on;
    if (w->app.lib.on && nheaps * w->mm.quota > w->mm.pages)
        luaL_error(L, "sys:run: the library memory manager gives each of the %d tasks with a heap its quota of %d pages: "
                   "%d pages, more than the pool's %d (memory = { pages = ... })", (int)nheaps, (int)w->mm.quota,
                   (int)(nheaps * w->mm.quota), (int)w->mm.pages);
    for (unsigned i = 0; i < w->app.ntasks; i++)
        for (unsigned k = 0; k < w->app.task[i].nops; k++)
            if ((w->app.task[i].ops[k].kind == WL_REVOKE || w->app.task[i].ops[k].kind == WL_ABORT)
                && w->app.task[w->app.task[i].ops[k].target].heap == 0)
                luaL_error(L, "%s sys:task '%s': step %d revokes the memory of '%s', which never allocates", c->where[i],
                           c->names[i], (int)k + 1, c->names[w->app.task[i].ops[k].target]);
    /* interrupt lines exist */
    for (unsigned q = 0; q < w->app.nirqs; q++)
        if (w->app.irq[q].line >= hwirq_nlines(c->h->irq) || w->app.irq[q].line == c->h->timer_line
            || w->app.irq[q].line == hw_ipi_line(c->h))
            luaL_error(L, "sys:run: interrupt thread '%s': line %d is not a device line of this machine",
                       c->irq_names[q], (int)w->app.irq[q].line);
    /* the app's memory: its state (the scheduler's, the threads', the
     * locks'), then the tasks' areas one after another */
    uint64_t off = wl_app_layout(&w->app, cmp_longest_list(c));
    for (unsigned i = 0; i < w->app.ntasks; i++) {
        w->app.task[i].mem_off = off;
        off += w->app.task[i].mem_len;
    }
    /* then the channels' rings, each from a line of its own */
    for (unsigned ch = 0; ch < w->app.nchans; ch++) {
        off = (off + 63) & ~(uint64_t)63;
        w->app.chan[ch].mem_off = off;
        off += 64 + w->app.chan[ch].slots * w->app.chan[ch].stride;
    }
    w->app_pages = (off + COS_PAGE_SIZE - 1) / COS_PAGE_SIZE;
    if (w->app_pages == 0)
        w->app_pages = 1;
    /* MPU: a region per aligned power-of-two block of the app's memory
     * (components/lib/booter.h), as many as the MPU has */
    if (c->h->cfg.has_mpu && bt_mpu_regions((unsigned)w->app_pages) > c->h->cfg.mpu_regions)
        luaL_error(L, "sys:run: the tasks' memory and channels' rings need %d pages, which take %d MPU regions (a "
                   "power-of-two block each); this machine's MPU has %d", (int)w->app_pages,
                   (int)bt_mpu_regions((unsigned)w->app_pages), (int)c->h->cfg.mpu_regions);
    /* MMU: the machine's memory bounds it (the booter's page tables grow
     * with it, components/lib/booter.h); half of it, for the kernel's
     * objects and the other components */
    uint64_t ram = c->h->cfg.mem.size;
    if (!c->h->cfg.has_mpu && w->app_pages > ram / COS_PAGE_SIZE / 2)
        luaL_error(L, "sys:run: the tasks' memory and channels' rings need %d MiB; at most half the machine's memory "
                   "(%d MiB; machine{ memory = { size = ... } })", (int)(w->app_pages >> 8), (int)(ram >> 21));
    /* seeds: one stream per task, from the run's seed */
    sim *s = simlua_sim(L);
    for (unsigned i = 0; i < w->app.ntasks; i++) {
        simrng r;
        char name[80];
        g_snprintf(name, sizeof name, "task.%s", c->names[i]);
        sim_rng(s, name, &r);
        w->app.task[i].seed = simrng_next(&r);
    }
    cmp_resolve_comps(L, c);
    define_tasks_table(c, s);
    cmp_define_demand_table(c, s);
    bool lua_bodies = false;
    for (unsigned i = 0; i < w->app.ntasks; i++)
        lua_bodies = lua_bodies || w->app.task[i].program;
    for (unsigned i = 0; i < wl_nsched(&w->app); i++)
        lua_bodies = lua_bodies || w->app.sched_cfg[i].pick;     /* Lua policies run on the scheduler's stack */
    cmp_pack(L, c);
    /* a Lua body runs on its thread's stack: give it room */
    k_config cfg = { .images = NULL, .boot_image = COS_IMAGE_WL_BOOTER, .boot_entry = 0, .boot_data = w,
                     .trace = c->trace, .check = c->check, .stack_size = lua_bodies ? 512u << 10 : 0 };
    lua_getiuservalue(L, 1, 1);
    klua_boot(L, -1, &cfg);
    lua_setiuservalue(L, 1, 2);
    lua_settop(L, names - 1);
    c->booted = true;
}

/* The first error a component of the system met (NULL: none): the
 * booter's, the app's, then the managers'. */
static const cos_fail *first_fail(const composed *c)
{
    const cos_fail *all[] = { &c->w->boot.fail, &cmp_app(c)->fail, &cmp_tm(c)->fail, &cmp_mm(c)->fail };
    for (size_t i = 0; i < G_N_ELEMENTS(all); i++)
        if (all[i]->err)
            return all[i];
    return NULL;
}

/* sys:run(span): boot at the first call (and run until the system is
 * built and has started), then run `span` of simulated time from the
 * start (first call) or from now. */
int cmp_l_run(lua_State *L)
{
    composed *c = cmp_check(L);
    sim_time_t span = simlua_time(L, 2, "sys:run");
    lua_settop(L, 2);
    sim *s = simlua_sim(L);
    if (!c->booted) {
        boot(L, c);
        /* a booter that never finishes (the host budgets bound the run too):
         * building maps and zeroes every page, some 10 ms a 64 MiB */
        sim_time_t limit = sim_now(s) + 60 * SIM_S;
        while (!c->w->boot.built && first_fail(c) == NULL) {
            if (sim_now(s) >= limit)
                return luaL_error(L, "sys:run: the system was not built after 60 s of simulated time");
            sim_time_t before = sim_now(s);
            /* from C: a script that rebinds sim.run does not change what this runs */
            simlua_run_for(L, 100 * SIM_US);
            if (sim_now(s) == before)   /* the clock is capped (--until) or stopped */
                return luaL_error(L, "sys:run: the run's time ended at %f us, before the system was built (it "
                                  "needs more: raise --until)", (double)sim_now(s) / (double)SIM_US);
        }
        const cos_fail *f = first_fail(c);
        if (f)
            return luaL_error(L, "sys:run: building the system failed: kernel error %d (%s line %d)%s", (int)f->err,
                              f->file, (int)f->line,
                              f->err == COS_ENOMEM ? ": the machine's memory ran out (machine{ memory = { size = ... } }), or the "
                                                       "host's room for threads' stacks (its vm.max_map_count)"
                                                   : "");
        cmp_define_components_table(c, s);
        sim_time_t st = hw_ps(c->h, cmp_app(c)->start);
        if (st > sim_now(s))
            simlua_run_for(L, st - sim_now(s));
    }
    simlua_run_for(L, span);
    if (c->body_error[0])
        return luaL_error(L, "sys:run: %s", c->body_error);
    const cos_fail *f = first_fail(c);
    if (f)
        return luaL_error(L, "sys:run: the system failed: kernel error %d (%s line %d)", (int)f->err, f->file,
                          (int)f->line);
    return 0;
}
