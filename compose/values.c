/* compose/values.c: the values a scenario writes in a system's
 * description (times, cycles, bytes, names, keys), read into C with one
 * message per mistake, the same from every call that reads it. */
#include "compose/internal.h"

#include <string.h>

/* The userdata holds a pointer: the system's state is the host's, freed
 * when the run ends (its threads refer to it until then, whatever Lua's
 * collector does with the userdata). */
composed *cmp_check(lua_State *L)
{
    composed **c = luaL_checkudata(L, 1, COMPOSE_MT);
    if (!simlua_live(L))
        luaL_error(L, "system: the scenario has ended");
    return *c;
}

void cmp_free(void *p)
{
    composed *c = p;
    cmp_desc_free(c);
    g_free(c);
}

/* ---- values ----------------------------------------------------------------- */

uint64_t cmp_ps_cycles(const composed *c, sim_time_t ps)
{
    /* nearest cycle */
    unsigned __int128 v = (unsigned __int128)ps * c->h->cfg.freq_hz + 500000000000u;
    return (uint64_t)(v / 1000000000000u);
}

/* A time field of table t (nil: def). */
uint64_t cmp_opt_cycles(lua_State *L, composed *c, int t, const char *key, const char *who, uint64_t def)
{
    lua_getfield(L, t, key);
    uint64_t v = def;
    if (!lua_isnil(L, -1))
        v = cmp_ps_cycles(c, simlua_field_time(L, -1, who, key));
    lua_pop(L, 1);
    return v;
}

/* Cycles: an integer count of cycles, or a time (a string with a unit or
 * a time value): here, and only here, a bare number is not an error. */
uint64_t cmp_to_cycles(lua_State *L, composed *c, int idx, const char *what)
{
    if (lua_isinteger(L, idx)) {
        if (lua_tointeger(L, idx) < 0)
            luaL_error(L, "%s: cycles cannot be negative", what);
        return (uint64_t)lua_tointeger(L, idx);
    }
    if (lua_type(L, idx) == LUA_TNUMBER)
        return (uint64_t)luaL_error(L, "%s: give whole cycles or a time such as \"2ms\"", what);
    return cmp_ps_cycles(c, simlua_time(L, idx, what));
}

uint64_t cmp_time_cycles(lua_State *L, composed *c, int idx, const char *what)
{
    return cmp_ps_cycles(c, simlua_time(L, idx, what));
}

/* Bytes: an integer or "16K", "2M", "4KiB". */
/* Sizes are at most 2^48 bytes (256 TiB): no sum of them overflows. */
#define MAX_BYTES (UINT64_C(1) << 48)
uint64_t cmp_to_bytes(lua_State *L, int idx, const char *what)
{
    uint64_t v = MAX_BYTES + 1;
    if (lua_isinteger(L, idx) && lua_tointeger(L, idx) >= 0) {
        v = (uint64_t)lua_tointeger(L, idx);
    } else if (lua_type(L, idx) == LUA_TSTRING) {
        const char *s = lua_tostring(L, idx);
        char *end;
        guint64 n = g_ascii_strtoull(s, &end, 10);
        unsigned shift = 0;
        if (end != s && g_ascii_isdigit(*s)) {
            if (*end == 'K' || *end == 'k')
                shift = 10, end++;
            else if (*end == 'M')
                shift = 20, end++;
            else if (*end == 'G')
                shift = 30, end++;
            if ((strcmp(end, "") == 0 || strcmp(end, "iB") == 0 || strcmp(end, "B") == 0) && n <= MAX_BYTES >> shift)
                v = n << shift;
        }
    }
    if (v > MAX_BYTES)
        return (uint64_t)luaL_error(L, "%s must be a size such as 4096, \"16K\", \"1M\" or \"2G\" (at most 256 TiB)",
                                    what);
    return v;
}

int cmp_find_task(const composed *c, const char *name)
{
    gpointer v = c->task_index && name ? g_hash_table_lookup(c->task_index, name) : NULL;
    return v ? (int)GPOINTER_TO_UINT(v) - 1 : -1;
}

int cmp_find_name(const cmp_name *names, unsigned n, const char *name)
{
    for (unsigned i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return (int)i;
    return -1;
}

void cmp_check_name(lua_State *L, const char *who, const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n >= 48)
        luaL_error(L, "%s: a name of 1 to 47 characters", who);
}

void cmp_check_not_booted(lua_State *L, composed *c, const char *who)
{
    if (c->booted)
        luaL_error(L, "%s: the system runs already (add everything before the first sys:run)", who);
}

/* t.core: a core of the machine (nil: def).  The one reader of a core
 * field, so every call says the same of the same mistake. [-0, +0, e] */
unsigned cmp_opt_core(lua_State *L, composed *c, int t, const char *who, unsigned def)
{
    lua_getfield(L, t, "core");
    if (!lua_isnil(L, -1) && !lua_isinteger(L, -1))
        luaL_error(L, "%s: core must be an integer", who);
    lua_Integer core = luaL_optinteger(L, -1, (lua_Integer)def);
    if (core < 0 || core >= (lua_Integer)c->w->app.ncores)
        luaL_error(L, "%s: core %I does not exist (the machine has %d)", who, core, (int)c->w->app.ncores);
    lua_pop(L, 1);
    return (unsigned)core;
}

/* t.priority: 1 (the highest) to COS_PRIO_MIN.  nil: def, or, when
 * `required` names why one is needed, an error "WHO: REQUIRED: give
 * priority = N (1 is the highest)". [-0, +0, e] */
uint32_t cmp_opt_prio(lua_State *L, int t, const char *who, const char *required, uint32_t def)
{
    lua_getfield(L, t, "priority");
    if (lua_isnil(L, -1) && required)
        luaL_error(L, "%s: %s: give priority = N (1 is the highest)", who, required);
    if (!lua_isnil(L, -1) && !lua_isinteger(L, -1))
        luaL_error(L, "%s: priority must be an integer", who);
    lua_Integer prio = luaL_optinteger(L, -1, (lua_Integer)def);
    if (prio < 1 || prio > COS_PRIO_MIN)
        luaL_error(L, "%s: priority %I out of range (1 is the highest, up to %d)", who, prio, (int)COS_PRIO_MIN);
    lua_pop(L, 1);
    return (uint32_t)prio;
}

/* The start of sys:task, sys:irq, sys:group, sys:component and sys:grant:
 * the system (not yet running) and the table of keys at 2, all of them
 * known. [-0, +0, e] */
composed *cmp_method_args(lua_State *L, const char *who, const char *const *known)
{
    composed *c = cmp_check(L);
    cmp_check_not_booted(L, c, who);
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_settop(L, 2);
    simlua_check_keys(L, 2, who, known);
    return c;
}
