/* sim/lua_gc.c: __gc finalizers under the sandbox's caps.  Lua runs a
 * finalizer with debug hooks off (lgc.c GCTM sets allowhook = 0), so the
 * instruction limit could not stop one that never returns.  Here no object
 * of a script is ever marked for finalization by Lua itself: setmetatable
 * sets a metatable without its __gc field (Lua marks an object only if the
 * field is there at that moment) and gives the object a sentinel instead,
 * a userdata of ours, reachable only through a weak-keyed (ephemeron)
 * table from the object.  When the object becomes garbage so does its
 * sentinel; Lua resurrects both for the sentinel's finalizer, which runs
 * the object's __gc (the field as it is then, as Lua would) on a fresh
 * coroutine, where hooks are on: the instruction limit, the host budgets
 * and the error positions apply as everywhere else, and a finalizer that
 * does not return is stopped and fails the run.  The order of finalizers is
 * Lua's (the reverse of marking), since sentinels are marked when the
 * objects would have been.  Calls lua_error.c (lua_internal.h). */
#include "lua_internal.h"

#include <lauxlib.h>

#define GC_OBJECTS "simlua.gc"            /* registry: object -> its sentinel (weak keys) */
#define GC_SENTINEL "simlua.gc_sentinel"  /* the sentinels' metatable */

/* The failure of a finalizer: its message with a position, then T's
 * traceback. [-0, +0, m] */
static void finalizer_failed(lua_State *L, lua_State *T, int status)
{
    simlua *h = simlua_host(L);
    if (status == LUA_ERRMEM && h->refused) {
        simlua_memory_failure(h);
        return;
    }
    if (status == LUA_YIELD) {
        simlua_push_where(L, T);
        lua_pushliteral(L, "a __gc finalizer cannot wait (it runs outside any process)");
        lua_concat(L, 2);
    } else {
        lua_xmove(T, L, 1);                            /* the error object */
        simlua_push_message(L, -1, T);
        lua_remove(L, -2);
    }
    lua_pushfstring(L, "%s (in a __gc finalizer)", lua_tostring(L, -1));
    luaL_traceback(L, T, lua_tostring(L, -1), 0);
    simlua_set_failure(h, lua_tostring(L, -1));
    lua_pop(L, 3);
}

/* The sentinel's __gc: the object's finalizer, hooks on. [-0, +0, m] */
static int sentinel_gc(lua_State *L)
{
    simlua *h = simlua_host(L);
    lua_settop(L, 1);
    lua_getiuservalue(L, 1, 1);                        /* 2: the object */
    /* forgotten, so that setmetatable marks the object again, as in Lua */
    if (lua_getfield(L, LUA_REGISTRYINDEX, GC_OBJECTS) == LUA_TTABLE) {
        lua_pushvalue(L, 2);
        lua_pushnil(L);
        lua_rawset(L, -3);
    }
    lua_pop(L, 1);
    if (!lua_getmetatable(L, 2))                       /* 3 */
        return 0;
    lua_pushliteral(L, "__gc");
    if (lua_rawget(L, 3) == LUA_TNIL)                  /* 4: the finalizer now */
        return 0;
    lua_State *T = lua_newthread(L);                   /* 5 */
    lua_pushvalue(L, 4);
    lua_pushvalue(L, 2);
    lua_xmove(L, T, 2);
    lua_State *was = h->running;
    h->running = T;
    int nres = 0;
    int status = lua_resume(T, L, 1, &nres);
    h->running = was;
    if (status != LUA_OK && h->failure == NULL)
        finalizer_failed(L, T, status);
    lua_settop(L, 0);
    return 0;
}

/* setmetatable(t, mt) [-0, +1, e] */
static int l_setmetatable(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    int t = lua_type(L, 2);
    luaL_argexpected(L, t == LUA_TNIL || t == LUA_TTABLE, 2, "nil or table");
    if (luaL_getmetafield(L, 1, "__metatable") != LUA_TNIL)
        return luaL_error(L, "cannot change a protected metatable");
    lua_settop(L, 2);
    bool gc = false;
    if (t == LUA_TTABLE) {
        lua_pushliteral(L, "__gc");
        gc = lua_rawget(L, 2) != LUA_TNIL;             /* 3: the field */
        lua_pop(L, 1);
    }
    if (!gc) {
        lua_setmetatable(L, 1);
        return 1;
    }
    /* anchor the record first: nothing may fail once the field is off */
    if (lua_getfield(L, LUA_REGISTRYINDEX, GC_OBJECTS) != LUA_TTABLE) {   /* 3 */
        lua_pop(L, 1);
        lua_newtable(L);
        lua_createtable(L, 0, 1);
        lua_pushliteral(L, "k");
        lua_setfield(L, -2, "__mode");
        lua_setmetatable(L, -2);
        lua_pushvalue(L, -1);
        lua_setfield(L, LUA_REGISTRYINDEX, GC_OBJECTS);
    }
    lua_pushvalue(L, 1);
    bool marked = lua_rawget(L, 3) != LUA_TNIL;
    lua_pop(L, 1);
    if (!marked) {
        lua_newuserdatauv(L, 0, 1);                    /* 4: the sentinel */
        lua_pushvalue(L, 1);
        lua_setiuservalue(L, 4, 1);
        luaL_setmetatable(L, GC_SENTINEL);             /* marked for finalization here */
        lua_pushvalue(L, 1);
        lua_pushvalue(L, 4);
        lua_rawset(L, 3);
        lua_pop(L, 1);
    }
    lua_pushliteral(L, "__gc");
    lua_pushliteral(L, "__gc");
    lua_rawget(L, 2);                                  /* 4, 5: the key and the field */
    lua_pushliteral(L, "__gc");
    lua_pushnil(L);
    lua_rawset(L, 2);                                  /* off: Lua does not mark the object */
    lua_pushvalue(L, 2);
    lua_setmetatable(L, 1);
    lua_rawset(L, 2);                                  /* back on: the script sees its table as it was */
    lua_settop(L, 1);
    return 1;
}

void simlua_open_gc(lua_State *L)
{
    luaL_newmetatable(L, GC_SENTINEL);
    lua_pushcfunction(L, sentinel_gc);
    lua_setfield(L, -2, "__gc");
    lua_pushliteral(L, "cossim");
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 1);
    lua_pushcfunction(L, l_setmetatable);
    lua_setglobal(L, "setmetatable");
}
