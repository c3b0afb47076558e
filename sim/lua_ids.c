/* sim/lua_ids.c: what a script sees of an object's identity.  Lua names a
 * table, function, coroutine or userdata by its host address ("table:
 * 0x55d0c3a0"), which differs from run to run (ASLR, the allocator), and
 * any such text can reach the trace (an event's note, a task's name).  In
 * the sandbox an object is named by the order in which the script first
 * showed it instead ("table: #1", "function: #2"), which is the same on
 * every run; '%p' in string.format, a host address and nothing else, is
 * refused.  Calls no other file of the host (lua_internal.h). */
#include "lua_internal.h"

#include <string.h>

#include <lauxlib.h>
#include <lualib.h>

#define IDS_KEY "simlua.ids"       /* registry: object -> id (weak keys) */

/* The id of the object at idx, given on first use. [-0, +0, m] */
static lua_Integer object_id(lua_State *L, int idx)
{
    idx = lua_absindex(L, idx);
    if (lua_getfield(L, LUA_REGISTRYINDEX, IDS_KEY) != LUA_TTABLE) {
        lua_pop(L, 1);
        lua_newtable(L);
        lua_createtable(L, 0, 1);
        lua_pushliteral(L, "k");
        lua_setfield(L, -2, "__mode");    /* an id does not keep its object alive */
        lua_setmetatable(L, -2);
        lua_pushvalue(L, -1);
        lua_setfield(L, LUA_REGISTRYINDEX, IDS_KEY);
    }
    lua_pushvalue(L, idx);
    lua_Integer id;
    if (lua_rawget(L, -2) == LUA_TNUMBER) {
        id = lua_tointeger(L, -1);
    } else {
        id = (lua_Integer)++simlua_host(L)->next_id;
        lua_pushvalue(L, idx);
        lua_pushinteger(L, id);
        lua_rawset(L, -4);
    }
    lua_pop(L, 2);
    return id;
}

const char *simlua_tolstring(lua_State *L, int idx, size_t *len)
{
    idx = lua_absindex(L, idx);
    if (luaL_callmeta(L, idx, "__tostring")) {
        if (!lua_isstring(L, -1))
            luaL_error(L, "'__tostring' must return a string");
        return lua_tolstring(L, -1, len);
    }
    switch (lua_type(L, idx)) {
    case LUA_TNIL:
    case LUA_TBOOLEAN:
    case LUA_TNUMBER:
    case LUA_TSTRING:
        return luaL_tolstring(L, idx, len);    /* no address in these */
    default: {
        int tt = luaL_getmetafield(L, idx, "__name");
        const char *kind = tt == LUA_TSTRING ? lua_tostring(L, -1) : luaL_typename(L, idx);
        lua_pushfstring(L, "%s: #%I", kind, (LUAI_UACINT)object_id(L, idx));
        if (tt != LUA_TNIL)
            lua_remove(L, -2);
        return lua_tolstring(L, -1, len);
    }
    }
}

/* tostring(v) [-0, +1, e] */
static int l_tostring(lua_State *L)
{
    luaL_checkany(L, 1);
    simlua_tolstring(L, 1, NULL);
    return 1;
}

/* string.format(fmt, ...): upvalue 1 is the library's.  An object given to
 * %s is named by its id first; %p is refused. [-0, +1, e] */
static int l_format(lua_State *L)
{
    size_t n;
    const char *f = luaL_checklstring(L, 1, &n);
    int top = lua_gettop(L), arg = 1;
    for (size_t i = 0; i < n; i++) {
        if (f[i] != '%')
            continue;
        if (++i < n && f[i] == '%')
            continue;
        while (i < n && f[i] != '\0' && strchr("-+ #0123456789.", f[i]))
            i++;
        if (i >= n)
            break;                 /* the library names the bad format */
        arg++;
        if (f[i] == 'p')
            return luaL_error(L, "string.format: '%%p' gives a host address, which differs from run to run "
                                 "(tostring names an object the same way on every run)");
        int t = arg <= top ? lua_type(L, arg) : LUA_TNONE;
        if (f[i] == 's' && t != LUA_TNONE && t != LUA_TNIL && t != LUA_TBOOLEAN && t != LUA_TNUMBER &&
            t != LUA_TSTRING) {
            simlua_tolstring(L, arg, NULL);
            lua_replace(L, arg);
        }
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, top, 1);
    return 1;
}

void simlua_open_ids(lua_State *L)
{
    lua_pushglobaltable(L);
    lua_pushcfunction(L, l_tostring);
    lua_setfield(L, -2, "tostring");
    lua_getfield(L, -1, LUA_STRLIBNAME);
    lua_getfield(L, -1, "format");
    lua_pushcclosure(L, l_format, 1);
    lua_setfield(L, -2, "format");
    lua_pop(L, 2);
}
