/* compose/body.c: task bodies written in Lua: a coroutine per job yields
 * steps (step.compute(...), ...), each read and checked as a list's steps
 * are; an error in a body becomes the scenario's error. */
#include "compose/internal.h"

#include <string.h>

/* Parse the step at index 1 into the wl_op at 2 (lightuserdata), for
 * the composed system at 3, task number 4: protected, so that a bad step
 * in a Lua body becomes the scenario's error, not a crash. */
static int parse_protected(lua_State *L)
{
    composed *c = lua_touserdata(L, 3);
    wl_op *op = lua_touserdata(L, 2);
    lua_Integer task = lua_tointeger(L, 4);
    char who[80];
    g_snprintf(who, sizeof who, "task '%s'", c->names[task]);
    cmp_parse_step(L, c, 1, op, who, true);
    if (op->kind == WL_TOUCH && op->a + op->b > c->w->app.task[task].mem_len)
        luaL_error(L, "%s: touch past the task's memory (%d bytes; give memory = ...)", who,
                   (int)c->w->app.task[task].mem_len);
    return 0;
}

static void body_error(composed *c, lua_State *from)
{
    if (c->body_error[0] == 0)
        g_strlcpy(c->body_error, lua_tostring(from, -1) ? lua_tostring(from, -1) : "error", sizeof c->body_error);
}

/* The program of a Lua body: the task's coroutine yields steps, one per
 * resume; a new job starts a new coroutine running body(job). */
bool cmp_lua_program(void *ctx, unsigned task, uint64_t job, wl_op *op)
{
    composed *c = ctx;
    lua_State *L = c->L;
    if (c->body_error[0])
        return false;
    int top = lua_gettop(L);
    lua_State *co;
    int nargs = 0;
    if (c->thread_ref[task] == LUA_NOREF || c->thread_job[task] != job) {
        if (c->thread_ref[task] != LUA_NOREF)
            luaL_unref(L, LUA_REGISTRYINDEX, c->thread_ref[task]);
        co = lua_newthread(L);
        c->thread_ref[task] = luaL_ref(L, LUA_REGISTRYINDEX);
        c->thread_job[task] = job;
        lua_rawgeti(L, LUA_REGISTRYINDEX, c->program_ref[task]);
        lua_xmove(L, co, 1);
        lua_pushinteger(co, (lua_Integer)job);
        nargs = 1;
    } else {
        lua_rawgeti(L, LUA_REGISTRYINDEX, c->thread_ref[task]);
        co = lua_tothread(L, -1);
        lua_pop(L, 1);
        if (lua_status(co) != LUA_YIELD) {
            lua_settop(L, top);
            return false;   /* the body returned: the job is done */
        }
    }
    int nres = 0;
    int st = lua_resume(co, L, nargs, &nres);
    bool more = false;
    if (st == LUA_YIELD) {
        if (nres != 1 || !lua_istable(co, -1)) {
            lua_pushfstring(L, "task '%s': a body yields one step, a table such as {\"compute\", 1000}", c->names[task]);
            body_error(c, L);
        } else {
            lua_pushcfunction(L, parse_protected);
            lua_xmove(co, L, 1);
            lua_pushlightuserdata(L, op);
            lua_pushlightuserdata(L, c);
            lua_pushinteger(L, task);
            if (lua_pcall(L, 4, 0, 0) != LUA_OK)
                body_error(c, L);
            else
                more = true;
        }
        lua_settop(co, 0);
    } else if (st != LUA_OK) {
        luaL_traceback(L, co, lua_tostring(co, -1), 0);
        body_error(c, L);
    }
    lua_settop(L, top);
    return more;
}
