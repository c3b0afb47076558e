/* compose/threads.c: sys:task, sys:group and sys:irq: the threads of a
 * composed system with their temporal parameters. */
#include "compose/internal.h"

#include <string.h>

/* sys:group{name=, core=, policy=, priority=, budget=, period=} -> group number:
 * a child scheduler with a budget per period delegated by its core's
 * scheduler (hierarchical scheduling). */
int cmp_l_group(lua_State *L)
{
    static const char *const known[] = { "name", "core", "scheduler", "policy", "priority", "budget", "period", NULL };
    composed *c = cmp_method_args(L, "sys:group", known);
    wl_desc *w = c->w;
    unsigned slot = cmp_new_group(c);     /* first: it may move the array */
    wl_group *g = &w->app.group[slot];
    lua_getfield(L, 2, "name");
    const char *name = lua_tostring(L, -1);
    if (name == NULL)
        return luaL_error(L, "sys:group: give the group a name");
    cmp_check_name(L, "sys:group", name);
    if (cmp_find_name(c->group_names, w->app.ngroups, name) >= 0)
        return luaL_error(L, "sys:group: there is a group '%s' already", name);
    char who[80];
    g_snprintf(who, sizeof who, "sys:group '%s'", name);
    unsigned core = cmp_opt_core(L, c, 2, who, 0);
    g->core = core;
    int sv = lua_getfield(L, 2, "scheduler") == LUA_TNIL ? 0 : lua_gettop(L);
    int pv = lua_getfield(L, 2, "policy") == LUA_TNIL ? 0 : lua_gettop(L);
    g->policy = cmp_read_sched(L, c, sv, pv, who, w->app.ncores + w->app.ngroups);
    lua_pop(L, 2);
    char why[64];
    g_snprintf(why, sizeof why, "core %u schedules by fixed priority", core);
    g->prio = cmp_opt_prio(L, 2, who, w->app.policy[core] == WL_FP ? why : NULL, 1);
    lua_getfield(L, 2, "budget");
    lua_getfield(L, 2, "period");
    if (lua_isnil(L, -1) || lua_isnil(L, -2))
        return luaL_error(L, "%s: give its budget and period (the budget its parent delegates per period)", who);
    lua_pop(L, 2);
    g->budget = cmp_opt_cycles(L, c, 2, "budget", who, 0);
    g->period = cmp_opt_cycles(L, c, 2, "period", who, 0);
    if (g->budget == 0 || g->period == 0)
        return luaL_error(L, "%s: the budget and the period must be at least one cycle", who);
    if (g->budget > g->period)
        return luaL_error(L, "%s: the budget is larger than the period", who);
    g_strlcpy(c->group_names[w->app.ngroups], name, 48);
    w->app.ngroups++;
    lua_pushinteger(L, w->app.ngroups);
    return 1;
}

/* sys:task{name=, core=, priority=, period=, deadline=, budget=, offset=, jitter=,
 *          sporadic=, memory=, group=, body=} -> task number */
int cmp_l_task(lua_State *L)
{
    static const char *const known[] = { "name", "core", "priority", "period", "deadline", "budget", "offset", "jitter",
                                         "sporadic", "memory", "group", "body", "weight", NULL };
    composed *c = cmp_method_args(L, "sys:task", known);
    wl_desc *w = c->w;
    unsigned i = cmp_new_task(c);
    wl_task *t = &w->app.task[i];
    lua_getfield(L, 2, "name");
    const char *name = lua_tostring(L, -1);
    if (name == NULL)
        return luaL_error(L, "sys:task: give the task a name");
    cmp_check_name(L, "sys:task", name);
    if (cmp_find_task(c, name) >= 0)
        return luaL_error(L, "sys:task: there is a task '%s' already", name);
    g_strlcpy(c->names[i], name, 48);
    if (c->task_index == NULL)
        c->task_index = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_hash_table_insert(c->task_index, g_strdup(name), GUINT_TO_POINTER(i + 1));
    lua_pop(L, 1);
    char who[80];
    g_snprintf(who, sizeof who, "sys:task '%s'", name);
    /* a group: its child scheduler, on its core */
    lua_getfield(L, 2, "group");
    const char *gname = lua_tostring(L, -1);
    int gi = gname ? cmp_find_name(c->group_names, w->app.ngroups, gname) : -1;
    if (!lua_isnil(L, -1) && gi < 0)
        return luaL_error(L, "%s: no group '%s' (declare it with sys:group{...} first)", who, gname ? gname : "?");
    lua_pop(L, 1);
    t->group = gi >= 0 ? (unsigned)gi + 1 : 0;
    unsigned core = cmp_opt_core(L, c, 2, who, gi >= 0 ? w->app.group[gi].core : 0);
    if (gi >= 0 && core != w->app.group[gi].core)
        return luaL_error(L, "%s: its group '%s' is on core %d", who, gname, (int)w->app.group[gi].core);
    t->core = core;
    wl_policy policy = gi >= 0 ? w->app.group[gi].policy : w->app.policy[core];
    char why[96];
    if (gi >= 0)
        g_snprintf(why, sizeof why, "group '%s' schedules by fixed priority", gname);
    else
        g_snprintf(why, sizeof why, "core %u schedules by fixed priority", core);
    t->prio = cmp_opt_prio(L, 2, who, policy == WL_FP ? why : NULL, 1);
    lua_getfield(L, 2, "period");
    if (lua_isnil(L, -1))
        return luaL_error(L, "%s: give the period (the minimum inter-arrival time of a sporadic task)", who);
    lua_pop(L, 1);
    t->period = cmp_opt_cycles(L, c, 2, "period", who, 0);
    if (t->period == 0)
        return luaL_error(L, "%s: the period must be at least one cycle", who);
    t->deadline = cmp_opt_cycles(L, c, 2, "deadline", who, t->period);
    t->budget = cmp_opt_cycles(L, c, 2, "budget", who, 0);
    t->offset = cmp_opt_cycles(L, c, 2, "offset", who, 0);
    t->jitter = cmp_opt_cycles(L, c, 2, "jitter", who, 0);
    if (t->deadline == 0)
        return luaL_error(L, "%s: the deadline must be at least one cycle", who);
    if (t->budget > t->period)
        return luaL_error(L, "%s: the budget is larger than the period", who);
    if (t->budget && t->group)
        return luaL_error(L, "%s: a task of a group runs on the group's budget (no budget of its own)", who);
    /* its share under a policy that shares a core in proportion (lottery) */
    lua_getfield(L, 2, "weight");
    lua_Integer weight = lua_isnil(L, -1) ? 1 : lua_isinteger(L, -1) ? lua_tointeger(L, -1) : -1;
    if (weight < 1 || weight > (lua_Integer)UINT32_MAX)
        return luaL_error(L, "%s: weight is a whole number, 1 or more", who);
    t->weight = (uint32_t)weight;
    lua_pop(L, 1);
    int ty = lua_getfield(L, 2, "sporadic");
    if (ty == LUA_TBOOLEAN) {
        t->sporadic = lua_toboolean(L, -1);
        t->extra = t->period;
    } else if (ty == LUA_TTABLE) {
        t->sporadic = true;
        t->extra = cmp_opt_cycles(L, c, lua_gettop(L), "extra", who, t->period);
    } else if (ty != LUA_TNIL) {
        return luaL_error(L, "%s: sporadic = true or { extra = TIME } (the mean extra gap)", who);
    }
    lua_pop(L, 1);
    lua_getfield(L, 2, "memory");
    uint64_t mem = lua_isnil(L, -1) ? 0 : cmp_to_bytes(L, -1, "sys:task: memory");
    lua_pop(L, 1);
    t->mem_len = (mem + 63) & ~(uint64_t)63;
    /* the body */
    ty = lua_getfield(L, 2, "body");
    if (ty == LUA_TFUNCTION) {
        lua_getiuservalue(L, 1, 3);
        lua_pushvalue(L, -2);
        c->program_ref[i] = luaL_ref(L, LUA_REGISTRYINDEX);
        lua_pop(L, 1);
        t->program = cmp_lua_program;
        t->program_ctx = c;
    } else if (ty == LUA_TTABLE) {
        lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
        if (n < 1)
            return luaL_error(L, "%s: the body lists its steps, one at least", who);
        t->ops = g_new0(wl_op, (size_t)n);     /* the task's, from here: freed with it (desc.c) */
        for (lua_Integer k = 1; k <= n; k++) {
            lua_rawgeti(L, -1, k);
            cmp_parse_step(L, c, -1, &t->ops[k - 1], who, false);
            if (t->ops[k - 1].kind == WL_SEND || t->ops[k - 1].kind == WL_REVOKE || t->ops[k - 1].kind == WL_ABORT) {
                lua_rawgeti(L, -1, 2);
                lua_getiuservalue(L, 1, 3);
                /* keep the receiver's (revoked task's) name to resolve at the first run */
                lua_pushfstring(L, "task:%d:%d", (int)i, (int)(k - 1));
                lua_pushvalue(L, -3);
                lua_rawset(L, -3);
                lua_pop(L, 2);
            }
            if (t->ops[k - 1].kind == WL_TOUCH && t->ops[k - 1].a + t->ops[k - 1].b > t->mem_len)
                return luaL_error(L, "%s: step %I touches past the task's memory (%I bytes; give memory = ...)", who, k,
                                  (lua_Integer)t->mem_len);
            lua_pop(L, 1);
        }
        t->nops = (unsigned)n;
    } else {
        return luaL_error(L, "%s: give the body: a list of steps or a function(job)", who);
    }
    lua_pop(L, 1);
    luaL_where(L, 1);
    g_strlcpy(c->where[i], lua_tostring(L, -1), sizeof c->where[i]);
    g_strchomp(c->where[i]);        /* "file:line:", the messages put their own space after it */
    lua_pop(L, 1);
    t->seed = 0;
    w->app.ntasks++;
    lua_pushinteger(L, (lua_Integer)i + 1);
    return 1;
}

/* sys:irq{name=, line=, core=, priority=, work=, budget=, period=} */
int cmp_l_irq(lua_State *L)
{
    static const char *const known[] = { "name", "line", "core", "priority", "work", "budget", "period", NULL };
    composed *c = cmp_method_args(L, "sys:irq", known);
    wl_desc *w = c->w;
    unsigned slot = cmp_new_irq(c);     /* first: it may move the array */
    wl_irq *q = &w->app.irq[slot];
    lua_getfield(L, 2, "name");
    const char *name = lua_tostring(L, -1);
    if (name == NULL)
        return luaL_error(L, "sys:irq: give it a name");
    cmp_check_name(L, "sys:irq", name);
    g_strlcpy(c->irq_names[w->app.nirqs], name, 48);
    lua_getfield(L, 2, "line");
    if (!lua_isinteger(L, -1))
        return luaL_error(L, "sys:irq: give the interrupt line, line = N");
    lua_Integer line = lua_tointeger(L, -1);
    lua_pop(L, 2);
    char who[80];
    g_snprintf(who, sizeof who, "sys:irq '%s'", name);
    q->line = (unsigned)line;
    q->core = cmp_opt_core(L, c, 2, who, 0);
    q->prio = cmp_opt_prio(L, 2, who, NULL, 1);
    lua_getfield(L, 2, "work");
    if (lua_isnil(L, -1))
        return luaL_error(L, "sys:irq: give the work per interrupt (cycles or a time)");
    q->work = cmp_to_cycles(L, c, -1, "sys:irq: work");
    lua_pop(L, 1);
    q->budget = cmp_opt_cycles(L, c, 2, "budget", "sys:irq", 0);
    q->period = cmp_opt_cycles(L, c, 2, "period", "sys:irq", 0);
    if (q->budget && q->period == 0)
        return luaL_error(L, "sys:irq: a budget needs its replenishment period");
    if (q->budget > q->period && q->budget)
        return luaL_error(L, "sys:irq: the budget is larger than the period");
    w->app.nirqs++;
    lua_pushinteger(L, w->app.nirqs);
    return 1;
}
