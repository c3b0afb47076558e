/* compose/steps.c: the steps of a task's body ({"compute", N},
 * {"touch", off, bytes, "write"}, ...), read into the description's ops. */
#include "compose/internal.h"

#include <string.h>

/* One op from the table at idx: {"compute", N}, {"touch", offset, bytes, "read"|"write"}, ... */
void cmp_parse_step(lua_State *L, composed *c, int idx, wl_op *op, const char *who)
{
    idx = lua_absindex(L, idx);
    if (!lua_istable(L, idx) || lua_rawgeti(L, idx, 1) != LUA_TSTRING)
        luaL_error(L, "%s: each step is a table such as {\"compute\", 10000}", who);
    const char *k = lua_tostring(L, -1);
    lua_pop(L, 1);
    *op = (wl_op){ 0 };
    char what[96];
    g_snprintf(what, sizeof what, "%s: %s", who, k);
    if (strcmp(k, "compute") == 0) {
        op->kind = WL_COMPUTE;
        int ty = lua_rawgeti(L, idx, 2);
        if (ty == LUA_TTABLE) {
            lua_rawgeti(L, -1, 1);
            const char *d = lua_tostring(L, -1);
            lua_rawgeti(L, -2, 2);
            lua_rawgeti(L, -3, 3);
            if (d && strcmp(d, "uniform") == 0) {
                op->dist = WL_UNIFORM;
                op->a = cmp_to_cycles(L, c, -2, what);
                op->b = cmp_to_cycles(L, c, -1, what);
                if (op->b < op->a)
                    luaL_error(L, "%s: uniform from a to b needs a <= b", what);
            } else if (d && strcmp(d, "exponential") == 0) {
                op->dist = WL_EXP;
                op->a = cmp_to_cycles(L, c, -2, what);
                lua_getfield(L, -4, "max");
                op->b = lua_isnil(L, -1) ? 0 : cmp_to_cycles(L, c, -1, what);
                lua_pop(L, 1);
            } else {
                luaL_error(L, "%s: a distribution is {\"uniform\", a, b} or {\"exponential\", mean, max = m}", what);
            }
            lua_pop(L, 3);
        } else {
            op->dist = WL_FIXED;
            op->a = cmp_to_cycles(L, c, -1, what);
        }
        lua_pop(L, 1);
    } else if (strcmp(k, "touch") == 0) {
        op->kind = WL_TOUCH;
        lua_rawgeti(L, idx, 2);
        op->a = cmp_to_bytes(L, -1, what);
        lua_rawgeti(L, idx, 3);
        op->b = cmp_to_bytes(L, -1, what);
        lua_rawgeti(L, idx, 4);
        const char *rw = luaL_optstring(L, -1, "read");
        if (strcmp(rw, "read") != 0 && strcmp(rw, "write") != 0)
            luaL_error(L, "%s: the access is \"read\" or \"write\"", what);
        op->target = strcmp(rw, "write") == 0;
        lua_pop(L, 3);
        if (op->b == 0)
            luaL_error(L, "%s: touch at least one byte", what);
    } else if (strcmp(k, "invoke") == 0 || strcmp(k, "lock") == 0 || strcmp(k, "unlock") == 0) {
        bool inv = k[0] == 'i';
        op->kind = inv ? WL_INVOKE : k[0] == 'l' ? WL_LOCK : WL_UNLOCK;
        lua_rawgeti(L, idx, 2);
        const char *name = lua_tostring(L, -1);
        int i = name ? (inv ? cmp_find_name(c->server_names, c->w->nservers, name)
                            : cmp_find_name(c->lock_names, c->w->nlocks, name))
                     : -1;
        if (i < 0)
            luaL_error(L, "%s: no %s '%s' (declare it in system{%s = ...})", what, inv ? "server" : "lock",
                       name ? name : "?", inv ? "servers" : "locks");
        op->target = (uint16_t)i;
        lua_pop(L, 1);
    } else if (strcmp(k, "send") == 0) {
        op->kind = WL_SEND;
        lua_rawgeti(L, idx, 2);
        const char *name = lua_tostring(L, -1);
        if (name == NULL)
            luaL_error(L, "%s: name the task to send to", what);
        /* resolved at the first run: the receiver may be declared later */
        op->target = UINT16_MAX;
        lua_pop(L, 1);
    } else if (strcmp(k, "put") == 0 || strcmp(k, "get") == 0) {
        op->kind = k[0] == 'p' ? WL_PUT : WL_GET;
        lua_rawgeti(L, idx, 2);
        const char *name = lua_tostring(L, -1);
        int i = name ? cmp_find_name(c->chan_names, c->w->nchans, name) : -1;
        if (i < 0)
            luaL_error(L, "%s: no channel '%s' (declare it in system{channels = ...})", what, name ? name : "?");
        op->target = (uint16_t)i;
        lua_pop(L, 1);
    } else if (strcmp(k, "timeout") == 0 || strcmp(k, "tick") == 0) {
        op->kind = k[1] == 'i' && k[2] == 'm' ? WL_TIMEOUT : WL_TICK;
        lua_rawgeti(L, idx, 2);
        op->a = cmp_to_cycles(L, c, -1, what);
        lua_pop(L, 1);
        if (op->a == 0)
            luaL_error(L, "%s: give a time of at least one cycle", what);
    } else if (strcmp(k, "alloc") == 0 || strcmp(k, "free") == 0) {
        op->kind = k[0] == 'a' ? WL_ALLOC : WL_FREE;
        if (c->w->mem.pages == 0)
            luaL_error(L, "%s: %s needs the memory manager (system{memory = { pages = N }})", what, k);
        lua_rawgeti(L, idx, 2);
        lua_Integer n = lua_isnil(L, -1) && op->kind == WL_FREE ? 0 : lua_isinteger(L, -1) ? lua_tointeger(L, -1) : -1;
        if (n < (op->kind == WL_ALLOC) || n > (lua_Integer)WL_HEAP_PAGES)
            luaL_error(L, "%s: %s takes a number of pages, 1 to %d%s", what, k, (int)WL_HEAP_PAGES,
                       op->kind == WL_FREE ? " (none: all)" : "");
        op->a = (uint64_t)n;
        lua_pop(L, 1);
    } else if (strcmp(k, "heap") == 0) {
        op->kind = WL_HEAP;
        if (c->w->mem.pages == 0)
            luaL_error(L, "%s: heap needs the memory manager (system{memory = { pages = N }})", what);
        lua_rawgeti(L, idx, 2);
        op->a = cmp_to_bytes(L, -1, what);
        lua_rawgeti(L, idx, 3);
        const char *rw = luaL_optstring(L, -1, "read");
        if (strcmp(rw, "read") != 0 && strcmp(rw, "write") != 0)
            luaL_error(L, "%s: the access is \"read\" or \"write\"", what);
        op->target = strcmp(rw, "write") == 0;
        lua_pop(L, 2);
        if (op->a == 0 || op->a > (uint64_t)WL_HEAP_PAGES * COS_PAGE_SIZE)
            luaL_error(L, "%s: heap touches 1 byte to %d KiB (the heap window)", what,
                       (int)(WL_HEAP_PAGES * COS_PAGE_SIZE / 1024));
    } else if (strcmp(k, "revoke") == 0) {
        op->kind = WL_REVOKE;
        if (c->w->mem.pages == 0)
            luaL_error(L, "%s: revoke needs the memory manager (system{memory = { pages = N }})", what);
        lua_rawgeti(L, idx, 2);
        if (lua_tostring(L, -1) == NULL)
            luaL_error(L, "%s: name the task whose memory to revoke", what);
        op->target = UINT16_MAX;    /* resolved at the first run */
        lua_pop(L, 1);
    } else if (strcmp(k, "recv") == 0) {
        op->kind = WL_RECV;
    } else if (strcmp(k, "sleep") == 0) {
        op->kind = WL_SLEEP;
        lua_rawgeti(L, idx, 2);
        op->a = cmp_to_cycles(L, c, -1, what);
        lua_pop(L, 1);
    } else {
        luaL_error(L, "%s: unknown step (compute, touch, invoke, send, recv, lock, unlock, sleep, put, get, timeout, "
                   "tick, alloc, free, heap, revoke)", what);
    }
}
