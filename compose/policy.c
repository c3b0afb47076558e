/* compose/policy.c: the scheduler role of a system or a group, as a
 * scenario fills it: fixed priority or EDF (sched/fpedf), round robin
 * (sched/rr), or a policy written in Lua, which the scheduler's Lua policy
 * (components/implementation/sched/lua) calls through cmp_lua_pick below.
 * docs/systems.md documents the forms. */
#include "compose/internal.h"

#include <string.h>

#define DEFAULT_QUANTUM_PS (1 * SIM_MS)

const char *cmp_policy_name(wl_policy p)
{
    return p < WL_POLICIES ? cos_sched_policies[p]->name : "?";
}

/* fpedf's parameter: "fp" or "edf". [-0, +0, e] */
static wl_policy fp_or_edf(lua_State *L, int idx, const char *who)
{
    const char *p = lua_tostring(L, idx);
    if (p && strcmp(p, "fp") == 0)
        return WL_FP;
    if (p && strcmp(p, "edf") == 0)
        return WL_EDF;
    return (wl_policy)luaL_error(L, "%s: policy is \"fp\" or \"edf\"", who);
}

/* A registered policy a scenario names (not the Lua one: that one is a
 * table with its function). */
static int policy_by_name(const char *name)
{
    for (int i = 0; i < WL_POLICIES; i++)
        if (i != WL_LUA && strcmp(cos_sched_policies[i]->name, name) == 0)
            return i;
    return -1;
}

/* Scheduler s's implementation (a core's, or ncores + a group's): the
 * `scheduler` value at sidx and the `policy` value at pidx (0: absent).
 *   scheduler absent or "fpedf": fixed priority or EDF, as policy says (fp
 *     when it is absent);
 *   NAME or { name = NAME, quantum = T }: a registered policy
 *     (components/scheds.c: "fp", "edf", "rr", ...); one that shares the
 *     core in slices takes a quantum, 1 ms when none is given;
 *   { policy = function(ready, now) ... end, instructions = N, quantum = T }:
 *     a policy written in Lua (sched/lua).
 * Returns the policy's id; its options go to the app's configuration of s.
 * [-0, +0, e] */
wl_policy cmp_read_sched(lua_State *L, composed *c, int sidx, int pidx, const char *who, unsigned s)
{
    wl_sched_cfg *cfg = &c->w->app.sched_cfg[s];
    *cfg = (wl_sched_cfg){ 0 };
    static const char *const usage = "scheduler is \"fpedf\" (with policy = \"fp\" or \"edf\"), a policy's "
                                     "name, { name = NAME, quantum = T } or { policy = function(ready, now) ... "
                                     "end, instructions = N, quantum = T }";
    const char *name = sidx && lua_type(L, sidx) == LUA_TSTRING ? lua_tostring(L, sidx) : NULL;
    if (sidx == 0 || (name && strcmp(name, "fpedf") == 0))
        return pidx ? fp_or_edf(L, pidx, who) : WL_FP;
    if (pidx)
        luaL_error(L, "%s: policy = \"fp\"|\"edf\" goes with scheduler = \"fpedf\" only", who);
    char what[120];
    g_snprintf(what, sizeof what, "%s: scheduler", who);
    if (name) {
        int p = policy_by_name(name);
        if (p < 0)
            luaL_error(L, "%s: no scheduler '%s' (%s)", who, name, usage);
        cfg->quantum = cos_sched_policies[p]->slices ? cmp_ps_cycles(c, DEFAULT_QUANTUM_PS) : 0;
        return (wl_policy)p;
    }
    if (!lua_istable(L, sidx))
        luaL_error(L, "%s: %s", who, usage);
    sidx = lua_absindex(L, sidx);
    if (lua_getfield(L, sidx, "policy") == LUA_TFUNCTION) {
        static const char *const known[] = { "policy", "instructions", "quantum", NULL };
        simlua_check_keys(L, sidx, what, known);
        lua_getiuservalue(L, 1, 3);                 /* keep the function with the system */
        lua_pushvalue(L, -2);
        c->policy_ref[s] = luaL_ref(L, LUA_REGISTRYINDEX);
        lua_pop(L, 2);
        if (lua_getfield(L, sidx, "instructions") != LUA_TNUMBER || !lua_isinteger(L, -1) || lua_tointeger(L, -1) < 0)
            luaL_error(L, "%s: give what a decision costs, instructions = N (user instructions, 0 or more)", what);
        cfg->instructions = (uint64_t)lua_tointeger(L, -1);
        lua_pop(L, 1);
        cfg->quantum = cmp_opt_cycles(L, c, sidx, "quantum", what, 0);
        cfg->pick = cmp_lua_pick;
        cfg->pick_ctx = c;
        return WL_LUA;
    }
    lua_pop(L, 1);
    static const char *const known[] = { "name", "quantum", NULL };
    simlua_check_keys(L, sidx, what, known);
    lua_getfield(L, sidx, "name");
    int p = lua_isstring(L, -1) ? policy_by_name(lua_tostring(L, -1)) : -1;
    if (p < 0)
        luaL_error(L, "%s: %s", who, usage);
    lua_pop(L, 1);
    const sched_policy *pol = cos_sched_policies[p];
    cfg->quantum = cmp_opt_cycles(L, c, sidx, "quantum", what, pol->slices ? cmp_ps_cycles(c, DEFAULT_QUANTUM_PS) : 0);
    if (pol->slices && cfg->quantum == 0)
        luaL_error(L, "%s: the quantum must be at least one cycle", what);
    if (!pol->slices && cfg->quantum)
        luaL_error(L, "%s: \"%s\" takes no quantum", what, pol->name);
    return (wl_policy)p;
}

/* The error of a Lua policy: kept for sys:run to raise, and the run stops. */
static int policy_failed(composed *c, const char *msg)
{
    if (c->body_error[0] == 0)
        g_strlcpy(c->body_error, msg, sizeof c->body_error);
    sim_stop(simlua_sim(c->L), "scheduler policy error");
    return -1;
}

static double cycles_us(const composed *c, uint64_t cycles)
{
    return (double)cycles * 1e6 / (double)c->h->cfg.freq_hz;
}

/* The policy's call, protected: function at 1, ready at 2, now at 3; the
 * chosen task's position in ready (from 0) returned. [-3, +1, e] */
static int call_pick(lua_State *L)
{
    lua_pushvalue(L, 1);
    lua_pushvalue(L, 2);
    lua_pushvalue(L, 3);
    lua_call(L, 2, 1);
    lua_Integer n = (lua_Integer)lua_rawlen(L, 2);
    for (lua_Integer k = 1; k <= n; k++) {
        lua_rawgeti(L, 2, k);
        bool same = lua_rawequal(L, -1, -2);
        lua_pop(L, 1);
        if (same) {
            lua_pushinteger(L, k - 1);
            return 1;
        }
    }
    lua_Debug ar;
    lua_pushvalue(L, 1);
    lua_getinfo(L, ">S", &ar);
    return luaL_error(L, "%s:%d: the scheduler policy returned %s, not one of the ready tasks it was given",
                      ar.short_src, ar.linedefined, luaL_typename(L, -1));
}

/* wl_pick_fn of a Lua policy: the function gets the ready tasks, each a
 * table { name, task, priority, weight, job, release_us, deadline_us,
 * running, slice_left_us }, and the time in microseconds; it returns one
 * of those tables.  `running` marks the task that holds the core (with a
 * quantum: the one whose slice it is, and slice_left_us what is left of
 * it). */
int cmp_lua_pick(void *ctx, unsigned s, const uint32_t *ready, unsigned n, uint64_t now)
{
    composed *c = ctx;
    lua_State *L = c->L;
    if (c->body_error[0])
        return -1;
    int top = lua_gettop(L);
    lua_pushcfunction(L, call_pick);
    lua_rawgeti(L, LUA_REGISTRYINDEX, c->policy_ref[s]);
    lua_createtable(L, (int)n, 0);
    const wl_app *app = cmp_app(c);
    const wl_rt_core *core = &app->core[s];
    uint64_t quantum = app->sched_cfg[s].quantum;
    int holder = quantum ? core->slice_thd : core->cur;
    for (unsigned k = 0; k < n; k++) {
        const wl_rt_thd *r = &app->thd[ready[k]];
        const wl_task *t = &app->task[r->idx];
        lua_createtable(L, 0, 9);
        bool running = holder >= 0 && ready[k] == (unsigned)holder;
        lua_pushboolean(L, running);
        lua_setfield(L, -2, "running");
        lua_pushnumber(L, running && quantum && core->slice_end > now ? cycles_us(c, core->slice_end - now) : 0.0);
        lua_setfield(L, -2, "slice_left_us");
        lua_pushstring(L, c->names[r->idx]);
        lua_setfield(L, -2, "name");
        lua_pushinteger(L, (lua_Integer)r->idx + 1);
        lua_setfield(L, -2, "task");
        lua_pushinteger(L, t->prio);
        lua_setfield(L, -2, "priority");
        lua_pushinteger(L, t->weight);
        lua_setfield(L, -2, "weight");
        lua_pushinteger(L, (lua_Integer)r->job);
        lua_setfield(L, -2, "job");
        lua_pushnumber(L, cycles_us(c, r->arrival));
        lua_setfield(L, -2, "release_us");
        lua_pushnumber(L, cycles_us(c, r->deadline));
        lua_setfield(L, -2, "deadline_us");
        lua_rawseti(L, -2, (lua_Integer)k + 1);
    }
    lua_pushnumber(L, cycles_us(c, now));
    int k = -1;
    if (lua_pcall(L, 3, 1, 0) != LUA_OK)
        k = policy_failed(c, lua_tostring(L, -1) ? lua_tostring(L, -1) : "the scheduler policy failed");
    else
        k = (int)lua_tointeger(L, -1);
    lua_settop(L, top);
    return k;
}
