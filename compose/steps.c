/* compose/steps.c: the steps of a task's body ({"compute", N},
 * {"touch", off, bytes, "write"}, ...), read into the description's ops. */
#include "compose/internal.h"

#include <string.h>

/* Every kind of step, in the order the messages list them; step.<name>
 * exists in Lua bodies for the kinds a body can take (a body is one
 * coroutine per job: it cannot hold a lock across yields, and what needs
 * the task's endpoint or a manager needs the steps known before the run). */
typedef struct cmp_step_kind {
    const char *name;
    wl_opkind kind;
    const char *not_in_body;     /* why a Lua body cannot take it (NULL: it can) */
} cmp_step_kind;

static const cmp_step_kind kinds[] = {
    { "compute", WL_COMPUTE, NULL },
    { "touch", WL_TOUCH, NULL },
    { "invoke", WL_INVOKE, NULL },
    { "send", WL_SEND, "send" },
    { "recv", WL_RECV, NULL },
    { "lock", WL_LOCK, "lock" },
    { "unlock", WL_UNLOCK, "lock" },
    { "sleep", WL_SLEEP, NULL },
    { "put", WL_PUT, "use a channel" },
    { "get", WL_GET, "use a channel" },
    { "timeout", WL_TIMEOUT, "use the timer manager" },
    { "tick", WL_TICK, "use the timer manager" },
    { "alloc", WL_ALLOC, "use the memory manager" },
    { "free", WL_FREE, "use the memory manager" },
    { "heap", WL_HEAP, "use the memory manager" },
    { "revoke", WL_REVOKE, "use the memory manager" },
    { "answer", WL_ANSWER, "use the memory manager" },
    { "abort", WL_ABORT, "use the memory manager" },
};

/* "compute, touch, ..." on the Lua stack's top, for a message. [-0, +1, m] */
static const char *kind_list(lua_State *L)
{
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (size_t i = 0; i < G_N_ELEMENTS(kinds); i++) {
        luaL_addstring(&b, i ? ", " : "");
        luaL_addstring(&b, kinds[i].name);
    }
    luaL_pushresult(&b);
    return lua_tostring(L, -1);
}

/* One op from the table at idx: {"compute", N}, {"touch", offset, bytes, "read"|"write"[, compute]}, ...
 * (body: the step comes from a Lua body, which cannot take every kind) */
void cmp_parse_step(lua_State *L, composed *c, int idx, wl_op *op, const char *who, bool body)
{
    idx = lua_absindex(L, idx);
    if (!lua_istable(L, idx) || lua_rawgeti(L, idx, 1) != LUA_TSTRING)
        luaL_error(L, "%s: each step is a table such as {\"compute\", 10000}", who);
    const char *k = lua_tostring(L, -1);
    const cmp_step_kind *sk = NULL;
    for (size_t j = 0; j < G_N_ELEMENTS(kinds) && sk == NULL; j++)
        if (strcmp(k, kinds[j].name) == 0)
            sk = &kinds[j];
    if (sk == NULL)
        luaL_error(L, "%s: unknown step '%s' (%s)", who, k, kind_list(L));
    k = sk->name;
    lua_pop(L, 1);
    *op = (wl_op){ .kind = (uint8_t)sk->kind };
    char what[96];
    g_snprintf(what, sizeof what, "%s: %s", who, k);
    switch (sk->kind) {
    case WL_COMPUTE: {
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
        break;
    }
    case WL_TOUCH: {
        lua_rawgeti(L, idx, 2);
        op->a = cmp_to_bytes(L, -1, what);
        lua_rawgeti(L, idx, 3);
        op->b = cmp_to_bytes(L, -1, what);
        lua_rawgeti(L, idx, 4);
        const char *rw = luaL_optstring(L, -1, "read");
        if (strcmp(rw, "read") != 0 && strcmp(rw, "write") != 0)
            luaL_error(L, "%s: the access is \"read\" or \"write\"", what);
        op->target = strcmp(rw, "write") == 0;
        /* the compute the accesses are spread over (model/stream.h) */
        if (lua_rawgeti(L, idx, 5) != LUA_TNIL)
            op->c = cmp_to_cycles(L, c, -1, what);
        lua_pop(L, 4);
        if (op->b == 0)
            luaL_error(L, "%s: touch at least one byte", what);
        break;
    }
    case WL_INVOKE:
    case WL_LOCK:
    case WL_UNLOCK: {
        bool inv = sk->kind == WL_INVOKE;
        lua_rawgeti(L, idx, 2);
        const char *name = lua_tostring(L, -1);
        int i = name ? (inv ? cmp_find_name(c->server_names, c->w->nservers, name)
                            : cmp_find_name(c->lock_names, c->w->app.nlocks, name))
                     : -1;
        int ci = inv && name && i < 0 ? cmp_find_name(c->comp_names, c->w->ncomps, name) : -1;
        if (ci >= 0) {
            /* an added component: entry 0, with the step's optional argument */
            op->target = WL_TARGET_COMP | (uint32_t)ci;
            c->w->comp[ci].invoked = true;
            lua_rawgeti(L, idx, 3);
            if (!lua_isnil(L, -1) && !lua_isinteger(L, -1))
                luaL_error(L, "%s: the argument to '%s' is an integer", what, name);
            op->a = (uint64_t)lua_tointeger(L, -1);
            lua_pop(L, 2);
            break;
        }
        if (i < 0)
            luaL_error(L, "%s: no %s '%s' (declare it in system{%s = ...}%s)", what, inv ? "server" : "lock",
                       name ? name : "?", inv ? "servers" : "locks", inv ? " or with sys:component{...}" : "");
        op->target = (uint16_t)i;
        lua_pop(L, 1);
        break;
    }
    case WL_SEND: {
        lua_rawgeti(L, idx, 2);
        const char *name = lua_tostring(L, -1);
        if (name == NULL)
            luaL_error(L, "%s: name the task to send to", what);
        /* resolved at the first run: the receiver may be declared later */
        op->target = UINT16_MAX;
        lua_pop(L, 1);
        break;
    }
    case WL_PUT:
    case WL_GET: {
        lua_rawgeti(L, idx, 2);
        const char *name = lua_tostring(L, -1);
        int i = name ? cmp_find_name(c->chan_names, c->w->app.nchans, name) : -1;
        if (i < 0)
            luaL_error(L, "%s: no channel '%s' (declare it in system{channels = ...})", what, name ? name : "?");
        op->target = (uint16_t)i;
        lua_pop(L, 1);
        break;
    }
    case WL_TIMEOUT:
    case WL_TICK:
        lua_rawgeti(L, idx, 2);
        op->a = cmp_time_cycles(L, c, -1, what);
        lua_pop(L, 1);
        if (op->a == 0)
            luaL_error(L, "%s: give a time of at least one cycle", what);
        break;
    case WL_ALLOC:
    case WL_FREE: {
        if (c->w->mm.pages == 0)
            luaL_error(L, "%s: %s needs the memory manager (system{memory = { pages = N }})", what, k);
        lua_rawgeti(L, idx, 2);
        lua_Integer n = lua_isnil(L, -1) && op->kind == WL_FREE ? 0 : lua_isinteger(L, -1) ? lua_tointeger(L, -1) : -1;
        if (n < (op->kind == WL_ALLOC) || n > (lua_Integer)WL_HEAP_PAGES)
            luaL_error(L, "%s: %s takes a number of pages, 1 to %d%s", what, k, (int)WL_HEAP_PAGES,
                       op->kind == WL_FREE ? " (none: all)" : "");
        op->a = (uint64_t)n;
        lua_pop(L, 1);
        break;
    }
    case WL_HEAP: {
        if (c->w->mm.pages == 0)
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
        break;
    }
    case WL_REVOKE:
    case WL_ABORT: {
        if (c->w->mm.pages == 0)
            luaL_error(L, "%s: %s needs the memory manager (system{memory = { pages = N }})", what, k);
        if (op->kind == WL_ABORT && !c->w->app.lib.on)
            luaL_error(L, "%s: abort needs the library memory manager (system{memory = { library = true }})", what);
        lua_rawgeti(L, idx, 2);
        if (lua_tostring(L, -1) == NULL)
            luaL_error(L, "%s: name the task whose memory to %s", what, k);
        op->target = UINT16_MAX;    /* resolved at the first run */
        /* library: {"revoke", task, n} asks for n pages back (none: all) */
        lua_rawgeti(L, idx, 3);
        lua_Integer n = lua_isnil(L, -1) ? 0 : lua_isinteger(L, -1) ? lua_tointeger(L, -1) : -1;
        if (op->kind == WL_REVOKE && !lua_isnil(L, -1) && !c->w->app.lib.on)
            luaL_error(L, "%s: the memory manager revokes every page (a number of pages: memory = { library = true })",
                       what);
        if (n < 0 || n > (lua_Integer)WL_HEAP_PAGES || (op->kind == WL_ABORT && !lua_isnil(L, -1)))
            luaL_error(L, "%s: %s", what, op->kind == WL_ABORT ? "abort takes a task's name only"
                                                               : "revoke asks for a number of pages, 1 to 64 (none: all)");
        op->a = (uint64_t)n;
        lua_pop(L, 2);
        break;
    }
    case WL_ANSWER:
        if (!c->w->app.lib.on)
            luaL_error(L, "%s: answer needs the library memory manager (system{memory = { library = true }})", what);
        break;
    case WL_RECV:
        break;
    case WL_SLEEP:
        lua_rawgeti(L, idx, 2);
        op->a = cmp_time_cycles(L, c, -1, what);
        lua_pop(L, 1);
        break;
    default:
        break;
    }
    if (body && sk->not_in_body)
        luaL_error(L, "%s: a Lua body cannot %s (give a list of steps for that)", who, sk->not_in_body);
}

/* step.<kind>(...): inside a task's body function, yield the step
 * {kind, ...} to the task's thread (upvalue 1: the kind). */
static int l_step(lua_State *L)
{
    int n = lua_gettop(L);
    const char *kind = lua_tostring(L, lua_upvalueindex(1));
    if (!lua_isyieldable(L))
        return luaL_error(L, "step.%s: only inside a task's body function (sys:task{body = function(job) ... end})",
                          kind);
    lua_createtable(L, n + 1, 0);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_rawseti(L, -2, 1);
    for (int i = 1; i <= n; i++) {
        lua_pushvalue(L, i);
        lua_rawseti(L, -2, i + 1);
    }
    return lua_yield(L, 1);
}

void cmp_open_steps(lua_State *L)
{
    lua_newtable(L);
    for (size_t i = 0; i < G_N_ELEMENTS(kinds); i++) {
        if (kinds[i].not_in_body)
            continue;
        lua_pushstring(L, kinds[i].name);
        lua_pushcclosure(L, l_step, 1);
        lua_setfield(L, -2, kinds[i].name);
    }
    lua_setglobal(L, "step");
}
