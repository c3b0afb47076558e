/* sim/lua_report.c: the report, what a scenario's script returns, as
 * JSON (cossim prints it and stores it in the trace's run table).  Objects
 * list their keys in the order of simlua_sorted_keys, so the text is the
 * same on every run; a sequence becomes an array.  Calls lua_keys.c
 * (lua_internal.h). */
#include "lua_internal.h"

#include <string.h>

#include <lauxlib.h>

#include "json.h"

#define REPORT_DEPTH 32

static bool to_json(lua_State *L, int idx, GString *out, int depth, GError **error);

/* The report lives in host memory, outside the Lua cap: bound it. */
#define REPORT_MAX ((gsize)16 << 20)

static bool report_fits(GString *out, GError **error)
{
    if (out->len <= REPORT_MAX)
        return true;
    g_set_error(error, SIMLUA_ERROR, SIMLUA_ERROR_SCRIPT,
                "larger than %u MiB as JSON (shared subtables are written out once per use)",
                (unsigned)(REPORT_MAX >> 20));
    return false;
}

/* Raw contents only: __pairs and __index are not consulted, so no script
 * code runs here and no host address can become a key. */
static bool table_json(lua_State *L, int idx, GString *out, int depth, GError **error)
{
    lua_Integer n = (lua_Integer)lua_rawlen(L, idx);
    lua_Integer count = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        count++;
    }
    if (count > 0 && count == n) {   /* a sequence: an array */
        g_string_append_c(out, '[');
        for (lua_Integer i = 1; i <= n; i++) {
            if (i > 1)
                g_string_append_c(out, ',');
            lua_rawgeti(L, idx, i);
            bool ok = to_json(L, lua_gettop(L), out, depth + 1, error);
            lua_pop(L, 1);
            if (!ok || !report_fits(out, error))
                return false;
        }
        g_string_append_c(out, ']');
        return true;
    }
    simlua_sorted_keys(L, idx);
    int keys = lua_gettop(L);
    g_string_append_c(out, '{');
    for (lua_Integer i = 1; i <= count; i++) {
        if (i > 1)
            g_string_append_c(out, ',');
        lua_rawgeti(L, keys, i);
        size_t klen;
        lua_pushvalue(L, -1);
        const char *k = lua_tolstring(L, -1, &klen);   /* a number, a string or... */
        if (k == NULL)
            k = lua_toboolean(L, -2) ? "true" : "false", klen = strlen(k);
        simjson_string(out, k, (ssize_t)klen);
        lua_pop(L, 1);
        g_string_append_c(out, ':');
        lua_rawget(L, idx);
        bool ok = to_json(L, lua_gettop(L), out, depth + 1, error);
        lua_pop(L, 1);
        if (!ok || !report_fits(out, error))
            return false;
    }
    lua_pop(L, 1);
    g_string_append_c(out, '}');
    return true;
}

static bool to_json(lua_State *L, int idx, GString *out, int depth, GError **error)
{
    if (depth > REPORT_DEPTH) {
        g_set_error(error, SIMLUA_ERROR, SIMLUA_ERROR_SCRIPT,
                    "it nests deeper than %d levels (a cycle?)", REPORT_DEPTH);
        return false;
    }
    lua_checkstack(L, 8);
    switch (lua_type(L, idx)) {
    case LUA_TNIL:
        g_string_append(out, "null");
        return true;
    case LUA_TBOOLEAN:
        g_string_append(out, lua_toboolean(L, idx) ? "true" : "false");
        return true;
    case LUA_TNUMBER:
        if (lua_isinteger(L, idx))
            simjson_int(out, lua_tointeger(L, idx));
        else
            simjson_double(out, lua_tonumber(L, idx));
        return true;
    case LUA_TSTRING: {
        size_t len;
        const char *s = lua_tolstring(L, idx, &len);
        simjson_string(out, s, (ssize_t)len);
        return true;
    }
    case LUA_TTABLE:
        return table_json(L, idx, out, depth, error);
    case LUA_TUSERDATA:
        if (simlua_time_value(L, idx, NULL)) {     /* a time: its text, "1.5ms" */
            size_t len;
            const char *s = luaL_tolstring(L, idx, &len);
            simjson_string(out, s, (ssize_t)len);
            lua_pop(L, 1);
            return true;
        }
        /* fall through */
    default:
        g_set_error(error, SIMLUA_ERROR, SIMLUA_ERROR_SCRIPT,
                    "it holds a %s, which has no JSON form", luaL_typename(L, idx));
        return false;
    }
}

/* simlua_report_json(GString *out, GError **error, value) -> ok, run under pcall
 * because converting may raise (an unorderable key, a __tostring).
 * [-0, +1, e] */
int simlua_report_json(lua_State *L)
{
    GString *out = lua_touserdata(L, 1);
    GError **error = lua_touserdata(L, 2);
    lua_pushboolean(L, to_json(L, 3, out, 0, error));
    return 1;
}

