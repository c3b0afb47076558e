/* sim/lua_fields.c: the fields of the tables bindings take and give: an
 * option read with its range and type checked (the error names the call
 * and the key, at the script's line), and a benchmark's samples with
 * their statistics.  Plain Lua API only (lua_internal.h). */
#include "lua_internal.h"

#include <limits.h>
#include <stdlib.h>
#include <lauxlib.h>

long long simlua_field_int(lua_State *L, int idx, const char *who, const char *key, long long dflt, long long lo,
                           long long hi)
{
    int ty = lua_getfield(L, idx, key);
    lua_Integer v = (lua_Integer)dflt;
    if (ty != LUA_TNIL) {
        if (!lua_isinteger(L, -1))
            luaL_error(L, "%s: %s must be an integer, not %s", who, key, luaL_tolstring(L, -1, NULL));
        v = lua_tointeger(L, -1);
        if (v < (lua_Integer)lo || v > (lua_Integer)hi)
            luaL_error(L, "%s: %s must be from %I to %I, not %I", who, key, (lua_Integer)lo, (lua_Integer)hi, v);
    }
    lua_pop(L, 1);
    return (long long)v;
}

bool simlua_field_bool(lua_State *L, int idx, const char *who, const char *key, bool dflt)
{
    int ty = lua_getfield(L, idx, key);
    if (ty != LUA_TNIL && ty != LUA_TBOOLEAN)
        luaL_error(L, "%s: %s must be true or false, not a %s", who, key, lua_typename(L, ty));
    bool v = ty == LUA_TNIL ? dflt : lua_toboolean(L, -1);
    lua_pop(L, 1);
    return v;
}

static int cmp_sample(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

void simlua_set_samples(lua_State *L, const uint64_t *v, size_t n)
{
    if (n == 0)
        return;
    uint64_t *sorted = g_memdup2(v, sizeof *v * n);
    qsort(sorted, n, sizeof *sorted, cmp_sample);
    double sum = 0;
    lua_createtable(L, (int)MIN(n, (size_t)INT_MAX), 0);
    for (size_t i = 0; i < n; i++) {
        sum += (double)v[i];
        lua_pushinteger(L, (lua_Integer)v[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, "samples");
    lua_pushnumber(L, sum / (double)n);
    lua_setfield(L, -2, "mean");
    lua_pushinteger(L, (lua_Integer)(n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2));
    lua_setfield(L, -2, "median");
    lua_pushinteger(L, (lua_Integer)sorted[0]);
    lua_setfield(L, -2, "min");
    lua_pushinteger(L, (lua_Integer)sorted[n - 1]);
    lua_setfield(L, -2, "worst");
    lua_pushinteger(L, (lua_Integer)n);
    lua_setfield(L, -2, "n");
    g_free(sorted);
}
