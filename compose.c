/* compose.c: the `system` binding: a scenario composes a system of tasks,
 * interrupt threads, servers and locks, and runs it on the kernel with the
 * workload components (components/workload.h).
 *
 * Like cossim.c, this file sits above every layer (it fills the
 * components' description and boots the kernel through kernel/lua.h);
 * nothing below includes it.  docs/scenarios.md documents the calls.
 */
#include "compose.h"

#include <string.h>
#include <lauxlib.h>

#include "sim/lua.h"
#include "sim/simtime.h"
#include "sim/sim.h"
#include "sim/trace.h"
#include "model/lua.h"
#include "model/hw.h"
#include "kernel/lua.h"
#include "components/images.h"
#include "components/workload.h"

#define COMPOSE_MT "cossim.composed"

typedef struct composed {
    wl_desc *w;
    hw *h;
    bool booted;
    char names[WL_TASKS][48];
    char where[WL_TASKS][160];       /* "file:line:" of each sys:task */
    char irq_names[WL_IRQS][48];
    char server_names[WL_SERVERS][48];
    char lock_names[WL_LOCKS][48];
    char group_names[WL_GROUPS][48];
    char chan_names[WL_CHANNELS][48];
    int program_ref[WL_TASKS];       /* registry refs of Lua bodies (LUA_NOREF: none) */
    lua_State *L;
    bool trace, check;
    /* the Lua body being run (a coroutine per task) */
    int thread_ref[WL_TASKS];
    uint64_t thread_job[WL_TASKS];
    char body_error[1024];           /* the first error of a Lua body */
} composed;

/* The userdata holds a pointer: the system's state is the host's, freed
 * when the run ends (its threads refer to it until then, whatever Lua's
 * collector does with the userdata). */
static composed *check_composed(lua_State *L)
{
    composed **c = luaL_checkudata(L, 1, COMPOSE_MT);
    if (!simlua_live(L))
        luaL_error(L, "system: the scenario has ended");
    return *c;
}

static void free_composed(void *p)
{
    composed *c = p;
    g_free(c->w);
    g_free(c);
}

/* ---- values ----------------------------------------------------------------- */

static sim_time_t to_time(lua_State *L, int idx, const char *what)
{
    return simlua_time(L, idx, what);
}

static uint64_t ps_cycles(const composed *c, sim_time_t ps)
{
    /* nearest cycle */
    unsigned __int128 v = (unsigned __int128)ps * c->h->cfg.freq_hz + 500000000000u;
    return (uint64_t)(v / 1000000000000u);
}

/* A time field of table t (nil: def). */
static uint64_t opt_cycles(lua_State *L, composed *c, int t, const char *key, const char *who, uint64_t def)
{
    lua_getfield(L, t, key);
    uint64_t v = def;
    if (!lua_isnil(L, -1)) {
        char what[96];
        g_snprintf(what, sizeof what, "%s: %s", who, key);
        v = ps_cycles(c, to_time(L, -1, what));
    }
    lua_pop(L, 1);
    return v;
}

/* Cycles: an integer count of cycles, or a time. */
static uint64_t to_cycles(lua_State *L, composed *c, int idx, const char *what)
{
    if (lua_isinteger(L, idx)) {
        if (lua_tointeger(L, idx) < 0)
            luaL_error(L, "%s: cycles cannot be negative", what);
        return (uint64_t)lua_tointeger(L, idx);
    }
    if (lua_type(L, idx) == LUA_TNUMBER)
        return (uint64_t)luaL_error(L, "%s: give whole cycles or a time such as \"2ms\"", what);
    return ps_cycles(c, to_time(L, idx, what));
}

/* Bytes: an integer or "16K", "2M", "4KiB". */
static uint64_t to_bytes(lua_State *L, int idx, const char *what)
{
    if (lua_isinteger(L, idx) && lua_tointeger(L, idx) >= 0)
        return (uint64_t)lua_tointeger(L, idx);
    if (lua_type(L, idx) == LUA_TSTRING) {
        const char *s = lua_tostring(L, idx);
        char *end;
        guint64 v = g_ascii_strtoull(s, &end, 10);
        if (end != s) {
            uint64_t m = 1;
            if (*end == 'K' || *end == 'k')
                m = 1024, end++;
            else if (*end == 'M')
                m = 1024 * 1024, end++;
            if (strcmp(end, "") == 0 || strcmp(end, "iB") == 0 || strcmp(end, "B") == 0)
                return v * m;
        }
    }
    return (uint64_t)luaL_error(L, "%s must be a size such as 4096, \"16K\" or \"1M\"", what);
}

static void check_keys(lua_State *L, int t, const char *who, const char *const *known)
{
    lua_pushnil(L);
    while (lua_next(L, t)) {
        lua_pop(L, 1);
        bool ok = false;
        if (lua_type(L, -1) == LUA_TSTRING)
            for (int i = 0; known[i]; i++)
                ok = ok || strcmp(lua_tostring(L, -1), known[i]) == 0;
        if (!ok) {
            luaL_Buffer b;
            luaL_buffinit(L, &b);
            for (int i = 0; known[i]; i++) {
                luaL_addstring(&b, i ? ", " : "");
                luaL_addstring(&b, known[i]);
            }
            luaL_pushresult(&b);
            luaL_error(L, "%s: unknown key '%s' (known: %s)", who, luaL_tolstring(L, -2, NULL), lua_tostring(L, -1));
        }
    }
}

static int find_name(char (*names)[48], unsigned n, const char *name)
{
    for (unsigned i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return (int)i;
    return -1;
}

static void check_name(lua_State *L, const char *who, const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n >= 48)
        luaL_error(L, "%s: a name of 1 to 47 characters", who);
}

/* ---- system{...} -------------------------------------------------------------- */

static wl_policy to_policy(lua_State *L, int idx)
{
    const char *p = lua_tostring(L, idx);
    if (p && strcmp(p, "fp") == 0)
        return WL_FP;
    if (p && strcmp(p, "edf") == 0)
        return WL_EDF;
    return (wl_policy)luaL_error(L, "system: policy is \"fp\" or \"edf\"");
}

/* system{field = { name = value, ... }}: fn for each entry, in the sorted
 * order of the names (what a script names is numbered in that order, never
 * in lua_next's, which Lua seeds per process); values must be of type vt. */
typedef void (*named_fn)(lua_State *L, composed *c, const char *name, int v);
static void each_named(lua_State *L, composed *c, const char *field, const char *usage, int vt, named_fn fn)
{
    int ty = lua_getfield(L, 1, field);
    if (ty != LUA_TTABLE) {
        if (ty != LUA_TNIL)
            luaL_error(L, "system: %s", usage);
        lua_pop(L, 1);
        return;
    }
    int tab = lua_gettop(L);
    simlua_sorted_keys(L, tab);
    for (lua_Integer i = 1; lua_rawgeti(L, tab + 1, i) != LUA_TNIL; i++) {
        lua_pushvalue(L, -1);
        lua_rawget(L, tab);
        if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != vt)
            luaL_error(L, "system: %s", usage);
        fn(L, c, lua_tostring(L, -2), lua_gettop(L));
        lua_settop(L, tab + 1);
    }
    lua_settop(L, tab - 1);
}

/* servers = { name = { work = cycles|time, touch = bytes, memory = bytes } } */
static void add_server(lua_State *L, composed *c, const char *name, int t)
{
    wl_desc *w = c->w;
    if (w->nservers >= WL_SERVERS)
        luaL_error(L, "system: at most %d servers", (int)WL_SERVERS);
    check_name(L, "system: servers", name);
    static const char *const sk[] = { "work", "touch", "memory", NULL };
    check_keys(L, t, "system: servers", sk);
    wl_server *s = &w->server[w->nservers];
    g_strlcpy(c->server_names[w->nservers], name, 48);
    lua_getfield(L, t, "work");
    s->work = lua_isnil(L, -1) ? 0 : to_cycles(L, c, -1, "system: servers: work");
    lua_getfield(L, t, "touch");
    s->touch = lua_isnil(L, -1) ? 0 : to_bytes(L, -1, "system: servers: touch");
    lua_getfield(L, t, "memory");
    uint64_t mem = lua_isnil(L, -1) ? s->touch : to_bytes(L, -1, "system: servers: memory");
    if (s->touch > mem)
        luaL_error(L, "system: server '%s' touches more than its memory", name);
    s->pages = (unsigned)((mem + COS_PAGE_SIZE - 1) / COS_PAGE_SIZE);
    if (s->pages == 0)
        s->pages = 1;
    w->nservers++;
}

/* locks = { name = "pi" | "ceiling" | "none" } */
static void add_lock(lua_State *L, composed *c, const char *name, int v)
{
    wl_desc *w = c->w;
    if (w->nlocks >= WL_LOCKS)
        luaL_error(L, "system: at most %d locks", (int)WL_LOCKS);
    check_name(L, "system: locks", name);
    const char *p = lua_tostring(L, v);
    wl_lock *l = &w->lock[w->nlocks];
    if (strcmp(p, "pi") == 0)
        l->protocol = WL_LOCK_PI;
    else if (strcmp(p, "ceiling") == 0)
        l->protocol = WL_LOCK_CEILING;
    else if (strcmp(p, "none") == 0)
        l->protocol = WL_LOCK_NONE;
    else
        luaL_error(L, "system: lock '%s': protocol is \"pi\", \"ceiling\" or \"none\"", name);
    l->ceiling = COS_PRIO_MIN;
    g_strlcpy(c->lock_names[w->nlocks], name, 48);
    w->nlocks++;
}

/* channels = { name = { slots = N, size = bytes } } */
static void add_channel(lua_State *L, composed *c, const char *name, int t)
{
    wl_desc *w = c->w;
    if (w->nchans >= WL_CHANNELS)
        luaL_error(L, "system: at most %d channels", (int)WL_CHANNELS);
    check_name(L, "system: channels", name);
    static const char *const ck[] = { "slots", "size", NULL };
    check_keys(L, t, "system: channels", ck);
    wl_channel *ch = &w->chan[w->nchans];
    lua_getfield(L, t, "slots");
    lua_Integer slots = lua_isnil(L, -1) ? 16 : lua_isinteger(L, -1) ? lua_tointeger(L, -1) : -1;
    if (slots < 1 || slots > (lua_Integer)WL_CHAN_SLOTS)
        luaL_error(L, "system: channel '%s': slots is an integer from 1 to %d", name, (int)WL_CHAN_SLOTS);
    lua_getfield(L, t, "size");
    uint64_t size = lua_isnil(L, -1) ? 64 : to_bytes(L, -1, "system: channels: size");
    if (size == 0 || size > COS_PAGE_SIZE)
        luaL_error(L, "system: channel '%s': a message is 1 byte to 4 KiB", name);
    ch->slots = (unsigned)slots;
    ch->size = size;
    ch->stride = (size + 7) & ~(uint64_t)7;
    ch->producer = ch->consumer = UINT32_MAX;
    g_strlcpy(c->chan_names[w->nchans], name, 48);
    w->nchans++;
}

static int l_system(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    static const char *const known[] = { "machine", "policy", "fastpath", "trace", "check", "servers", "locks",
                                         "channels", "start_align", "memory", NULL };
    check_keys(L, 1, "system", known);
    lua_getfield(L, 1, "machine");                      /* 2 */
    if (lua_isnil(L, 2))
        return luaL_error(L, "system: give the machine, e.g. system{machine = machine{preset = \"x86_64\"}}");
    hw *h = hwlua_check(L, 2);
    if (h->signal)
        return luaL_error(L, "system: this machine runs a kernel already");
    composed **cp = lua_newuserdatauv(L, sizeof *cp, 3);  /* 3: 1 machine, 2 kernel system, 3 bodies */
    composed *c = *cp = g_new0(composed, 1);
    luaL_setmetatable(L, COMPOSE_MT);
    lua_pushvalue(L, 2);
    lua_setiuservalue(L, 3, 1);
    lua_newtable(L);
    lua_setiuservalue(L, 3, 3);
    c->h = h;
    c->L = L;
    c->w = g_new0(wl_desc, 1);
    simlua_attach(L, c, NULL, free_composed);
    wl_desc *w = c->w;
    w->ncores = h->cfg.cores;
    if (w->ncores > WL_CORES)
        return luaL_error(L, "system: at most %d cores (the machine has %d)", (int)WL_CORES, (int)w->ncores);
    w->workload_image = COS_IMAGE_WORKLOAD;
    w->server_image = COS_IMAGE_WL_SERVER;
    w->timer_image = COS_IMAGE_WL_TIMER;
    w->mem_image = COS_IMAGE_WL_MEM;
    for (unsigned i = 0; i < WL_TASKS; i++)
        c->program_ref[i] = c->thread_ref[i] = LUA_NOREF;
    /* policy: one for all cores, or a list per core */
    int ty = lua_getfield(L, 1, "policy");
    if (ty == LUA_TSTRING) {
        wl_policy p = to_policy(L, -1);
        for (unsigned i = 0; i < WL_CORES; i++)
            w->policy[i] = p;
    } else if (ty == LUA_TTABLE) {
        if (lua_rawlen(L, -1) != w->ncores)
            return luaL_error(L, "system: policy lists one policy per core (%d)", (int)w->ncores);
        for (unsigned i = 0; i < w->ncores; i++) {
            lua_rawgeti(L, -1, i + 1);
            w->policy[i] = to_policy(L, -1);
            lua_pop(L, 1);
        }
    } else if (ty != LUA_TNIL) {
        return luaL_error(L, "system: policy is \"fp\", \"edf\" or a list per core");
    }
    lua_pop(L, 1);
    lua_getfield(L, 1, "fastpath");
    w->fastpath = lua_toboolean(L, -1);
    lua_getfield(L, 1, "trace");
    c->trace = lua_isnil(L, -1) ? true : lua_toboolean(L, -1);
    lua_getfield(L, 1, "check");
    c->check = lua_toboolean(L, -1);
    lua_pop(L, 3);
    w->start_align = opt_cycles(L, c, 1, "start_align", "system", ps_cycles(c, SIM_MS));
    each_named(L, c, "servers", "servers = { name = { work = ..., touch = ..., memory = ... } }", LUA_TTABLE,
               add_server);
    each_named(L, c, "locks", "locks = { name = \"pi\" | \"ceiling\" | \"none\" }", LUA_TSTRING, add_lock);
    each_named(L, c, "channels", "channels = { name = { slots = N, size = bytes } }", LUA_TTABLE, add_channel);
    /* memory = { pages = N, quota = M }: the memory manager's pool */
    if (lua_getfield(L, 1, "memory") != LUA_TNIL) {
        if (!lua_istable(L, -1))
            return luaL_error(L, "system: memory = { pages = N, quota = M }");
        static const char *const mk[] = { "pages", "quota", NULL };
        check_keys(L, lua_gettop(L), "system: memory", mk);
        lua_getfield(L, -1, "pages");
        lua_Integer pages = lua_isinteger(L, -1) ? lua_tointeger(L, -1) : -1;
        if (pages < 1 || pages > (lua_Integer)WL_MM_POOL)
            return luaL_error(L, "system: memory: pages is an integer from 1 to %d", (int)WL_MM_POOL);
        lua_getfield(L, -2, "quota");
        lua_Integer quota = lua_isnil(L, -1) ? WL_HEAP_PAGES : lua_isinteger(L, -1) ? lua_tointeger(L, -1) : -1;
        if (quota < 1 || quota > (lua_Integer)WL_HEAP_PAGES)
            return luaL_error(L, "system: memory: quota (pages per task) is an integer from 1 to %d",
                              (int)WL_HEAP_PAGES);
        if (h->cfg.has_mpu)
            return luaL_error(L, "system: memory: the memory manager maps pages: not on an MPU machine yet");
        w->mem.pages = (unsigned)pages;
        w->mem.quota = (unsigned)quota;
        lua_pop(L, 2);
    }
    lua_settop(L, 3);
    return 1;
}

static void check_not_booted(lua_State *L, composed *c, const char *who)
{
    if (c->booted)
        luaL_error(L, "%s: the system runs already (add everything before the first sys:run)", who);
}

/* ---- a task's body ------------------------------------------------------------ */

/* One op from the table at idx: {"compute", N}, {"touch", offset, bytes, "read"|"write"}, ... */
static void parse_op(lua_State *L, composed *c, int idx, wl_op *op, const char *who)
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
                op->a = to_cycles(L, c, -2, what);
                op->b = to_cycles(L, c, -1, what);
                if (op->b < op->a)
                    luaL_error(L, "%s: uniform from a to b needs a <= b", what);
            } else if (d && strcmp(d, "exponential") == 0) {
                op->dist = WL_EXP;
                op->a = to_cycles(L, c, -2, what);
                lua_getfield(L, -4, "max");
                op->b = lua_isnil(L, -1) ? 0 : to_cycles(L, c, -1, what);
                lua_pop(L, 1);
            } else {
                luaL_error(L, "%s: a distribution is {\"uniform\", a, b} or {\"exponential\", mean, max = m}", what);
            }
            lua_pop(L, 3);
        } else {
            op->dist = WL_FIXED;
            op->a = to_cycles(L, c, -1, what);
        }
        lua_pop(L, 1);
    } else if (strcmp(k, "touch") == 0) {
        op->kind = WL_TOUCH;
        lua_rawgeti(L, idx, 2);
        op->a = to_bytes(L, -1, what);
        lua_rawgeti(L, idx, 3);
        op->b = to_bytes(L, -1, what);
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
        int i = name ? (inv ? find_name(c->server_names, c->w->nservers, name)
                            : find_name(c->lock_names, c->w->nlocks, name))
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
        int i = name ? find_name(c->chan_names, c->w->nchans, name) : -1;
        if (i < 0)
            luaL_error(L, "%s: no channel '%s' (declare it in system{channels = ...})", what, name ? name : "?");
        op->target = (uint16_t)i;
        lua_pop(L, 1);
    } else if (strcmp(k, "timeout") == 0 || strcmp(k, "tick") == 0) {
        op->kind = k[1] == 'i' && k[2] == 'm' ? WL_TIMEOUT : WL_TICK;
        lua_rawgeti(L, idx, 2);
        op->a = to_cycles(L, c, -1, what);
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
        op->a = to_bytes(L, -1, what);
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
        op->a = to_cycles(L, c, -1, what);
        lua_pop(L, 1);
    } else {
        luaL_error(L, "%s: unknown step (compute, touch, invoke, send, recv, lock, unlock, sleep, put, get, timeout, "
                   "tick, alloc, free, heap, revoke)", what);
    }
}

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
    parse_op(L, c, 1, op, who);
    if (op->kind == WL_SEND || op->kind == WL_LOCK || op->kind == WL_UNLOCK || op->kind == WL_PUT
        || op->kind == WL_GET || op->kind == WL_TIMEOUT || op->kind == WL_TICK || op->kind >= WL_ALLOC)
        luaL_error(L, "%s: a Lua body cannot %s (give a list of steps for that)", who,
                   op->kind == WL_SEND                          ? "send"
                   : op->kind == WL_PUT || op->kind == WL_GET   ? "use a channel"
                   : op->kind == WL_TIMEOUT || op->kind == WL_TICK ? "use the timer manager"
                   : op->kind >= WL_ALLOC                       ? "use the memory manager"
                                                                 : "lock");
    if (op->kind == WL_TOUCH && op->a + op->b > c->w->task[task].mem_len)
        luaL_error(L, "%s: touch past the task's memory (%d bytes; give memory = ...)", who,
                   (int)c->w->task[task].mem_len);
    return 0;
}

static void body_error(composed *c, lua_State *from)
{
    if (c->body_error[0] == 0)
        g_strlcpy(c->body_error, lua_tostring(from, -1) ? lua_tostring(from, -1) : "error", sizeof c->body_error);
}

/* The program of a Lua body: the task's coroutine yields steps, one per
 * resume; a new job starts a new coroutine running body(job). */
static bool lua_program(void *ctx, unsigned task, uint64_t job, wl_op *op)
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

/* sys:group{name=, core=, policy=, priority=, budget=, period=} -> group number:
 * a child scheduler with a budget per period delegated by its core's
 * scheduler (hierarchical scheduling). */
static int l_group(lua_State *L)
{
    composed *c = check_composed(L);
    check_not_booted(L, c, "sys:group");
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_settop(L, 2);
    static const char *const known[] = { "name", "core", "policy", "priority", "budget", "period", NULL };
    check_keys(L, 2, "sys:group", known);
    wl_desc *w = c->w;
    if (w->ngroups >= WL_GROUPS)
        return luaL_error(L, "sys:group: at most %d groups", (int)WL_GROUPS);
    wl_group *g = &w->group[w->ngroups];
    *g = (wl_group){ 0 };
    lua_getfield(L, 2, "name");
    const char *name = lua_tostring(L, -1);
    if (name == NULL)
        return luaL_error(L, "sys:group: give the group a name");
    check_name(L, "sys:group", name);
    if (find_name(c->group_names, w->ngroups, name) >= 0)
        return luaL_error(L, "sys:group: there is a group '%s' already", name);
    char who[80];
    g_snprintf(who, sizeof who, "sys:group '%s'", name);
    lua_getfield(L, 2, "core");
    if (!lua_isnil(L, -1) && !lua_isinteger(L, -1))
        return luaL_error(L, "%s: core must be an integer", who);
    lua_Integer core = luaL_optinteger(L, -1, 0);
    if (core < 0 || core >= (lua_Integer)w->ncores)
        return luaL_error(L, "%s: core %I does not exist (the machine has %d)", who, core, (int)w->ncores);
    g->core = (unsigned)core;
    lua_getfield(L, 2, "policy");
    g->policy = lua_isnil(L, -1) ? WL_FP : to_policy(L, -1);
    lua_getfield(L, 2, "priority");
    if (lua_isnil(L, -1) && w->policy[core] == WL_FP)
        return luaL_error(L, "%s: core %d schedules by fixed priority: give the group's priority = N", who, (int)core);
    if (!lua_isnil(L, -1) && !lua_isinteger(L, -1))
        return luaL_error(L, "%s: priority must be an integer", who);
    lua_Integer prio = luaL_optinteger(L, -1, 1);
    if (prio < 1 || prio > COS_PRIO_MIN)
        return luaL_error(L, "%s: priority %I out of range (1 is the highest, up to %d)", who, prio, (int)COS_PRIO_MIN);
    g->prio = (uint32_t)prio;
    lua_pop(L, 3);
    lua_getfield(L, 2, "budget");
    lua_getfield(L, 2, "period");
    if (lua_isnil(L, -1) || lua_isnil(L, -2))
        return luaL_error(L, "%s: give its budget and period (the budget its parent delegates per period)", who);
    lua_pop(L, 2);
    g->budget = opt_cycles(L, c, 2, "budget", who, 0);
    g->period = opt_cycles(L, c, 2, "period", who, 0);
    if (g->budget == 0 || g->period == 0)
        return luaL_error(L, "%s: the budget and the period must be at least one cycle", who);
    if (g->budget > g->period)
        return luaL_error(L, "%s: the budget is larger than the period", who);
    g_strlcpy(c->group_names[w->ngroups], name, 48);
    w->ngroups++;
    lua_pushinteger(L, w->ngroups);
    return 1;
}

/* sys:task{name=, core=, priority=, period=, deadline=, budget=, offset=, jitter=,
 *          sporadic=, memory=, group=, body=} -> task number */
static int l_task(lua_State *L)
{
    composed *c = check_composed(L);
    check_not_booted(L, c, "sys:task");
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_settop(L, 2);
    static const char *const known[] = { "name", "core", "priority", "period", "deadline", "budget", "offset", "jitter",
                                         "sporadic", "memory", "group", "body", NULL };
    check_keys(L, 2, "sys:task", known);
    wl_desc *w = c->w;
    if (w->ntasks >= WL_TASKS)
        return luaL_error(L, "sys:task: at most %d tasks", (int)WL_TASKS);
    unsigned i = w->ntasks;
    wl_task *t = &w->task[i];
    *t = (wl_task){ 0 };
    lua_getfield(L, 2, "name");
    const char *name = lua_tostring(L, -1);
    if (name == NULL)
        return luaL_error(L, "sys:task: give the task a name");
    check_name(L, "sys:task", name);
    if (find_name(c->names, w->ntasks, name) >= 0)
        return luaL_error(L, "sys:task: there is a task '%s' already", name);
    g_strlcpy(c->names[i], name, 48);
    lua_pop(L, 1);
    char who[80];
    g_snprintf(who, sizeof who, "sys:task '%s'", name);
    /* a group: its child scheduler, on its core */
    lua_getfield(L, 2, "group");
    const char *gname = lua_tostring(L, -1);
    int gi = gname ? find_name(c->group_names, w->ngroups, gname) : -1;
    if (!lua_isnil(L, -1) && gi < 0)
        return luaL_error(L, "%s: no group '%s' (declare it with sys:group{...} first)", who, gname ? gname : "?");
    lua_pop(L, 1);
    t->group = gi >= 0 ? (unsigned)gi + 1 : 0;
    lua_getfield(L, 2, "core");
    if (!lua_isnil(L, -1) && !lua_isinteger(L, -1))
        return luaL_error(L, "%s: core must be an integer", who);
    lua_Integer core = luaL_optinteger(L, -1, gi >= 0 ? (lua_Integer)w->group[gi].core : 0);
    if (core < 0 || core >= (lua_Integer)w->ncores)
        return luaL_error(L, "%s: core %I does not exist (the machine has %d)", who, core, (int)w->ncores);
    if (gi >= 0 && (unsigned)core != w->group[gi].core)
        return luaL_error(L, "%s: its group '%s' is on core %d", who, gname, (int)w->group[gi].core);
    t->core = (unsigned)core;
    wl_policy policy = gi >= 0 ? w->group[gi].policy : w->policy[core];
    lua_getfield(L, 2, "priority");
    if (lua_isnil(L, -1) && policy == WL_FP && gi >= 0)
        return luaL_error(L, "%s: group '%s' schedules by fixed priority: give priority = N (1 is the highest)", who,
                          gname);
    if (lua_isnil(L, -1) && policy == WL_FP)
        return luaL_error(L, "%s: core %d schedules by fixed priority: give priority = N (1 is the highest)", who,
                          (int)core);
    if (!lua_isnil(L, -1) && !lua_isinteger(L, -1))
        return luaL_error(L, "%s: priority must be an integer", who);
    lua_Integer prio = luaL_optinteger(L, -1, 1);
    if (prio < 1 || prio > COS_PRIO_MIN)
        return luaL_error(L, "%s: priority %I out of range (1 is the highest, up to %d)", who, prio, (int)COS_PRIO_MIN);
    t->prio = (uint32_t)prio;
    lua_pop(L, 2);
    lua_getfield(L, 2, "period");
    if (lua_isnil(L, -1))
        return luaL_error(L, "%s: give the period (the minimum inter-arrival time of a sporadic task)", who);
    lua_pop(L, 1);
    t->period = opt_cycles(L, c, 2, "period", who, 0);
    if (t->period == 0)
        return luaL_error(L, "%s: the period must be at least one cycle", who);
    t->deadline = opt_cycles(L, c, 2, "deadline", who, t->period);
    t->budget = opt_cycles(L, c, 2, "budget", who, 0);
    t->offset = opt_cycles(L, c, 2, "offset", who, 0);
    t->jitter = opt_cycles(L, c, 2, "jitter", who, 0);
    if (t->deadline == 0)
        return luaL_error(L, "%s: the deadline must be at least one cycle", who);
    if (t->budget > t->period)
        return luaL_error(L, "%s: the budget is larger than the period", who);
    if (t->budget && t->group)
        return luaL_error(L, "%s: a task of a group runs on the group's budget (no budget of its own)", who);
    int ty = lua_getfield(L, 2, "sporadic");
    if (ty == LUA_TBOOLEAN) {
        t->sporadic = lua_toboolean(L, -1);
        t->extra = t->period;
    } else if (ty == LUA_TTABLE) {
        t->sporadic = true;
        t->extra = opt_cycles(L, c, lua_gettop(L), "extra", who, t->period);
    } else if (ty != LUA_TNIL) {
        return luaL_error(L, "%s: sporadic = true or { extra = TIME } (the mean extra gap)", who);
    }
    lua_pop(L, 1);
    lua_getfield(L, 2, "memory");
    uint64_t mem = lua_isnil(L, -1) ? 0 : to_bytes(L, -1, "sys:task: memory");
    lua_pop(L, 1);
    t->mem_len = (mem + 63) & ~(uint64_t)63;
    /* the body */
    ty = lua_getfield(L, 2, "body");
    if (ty == LUA_TFUNCTION) {
        lua_getiuservalue(L, 1, 3);
        lua_pushvalue(L, -2);
        c->program_ref[i] = luaL_ref(L, LUA_REGISTRYINDEX);
        lua_pop(L, 1);
        t->program = lua_program;
        t->program_ctx = c;
    } else if (ty == LUA_TTABLE) {
        lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
        if (n < 1 || n > WL_OPS)
            return luaL_error(L, "%s: the body lists 1 to %d steps", who, (int)WL_OPS);
        for (lua_Integer k = 1; k <= n; k++) {
            lua_rawgeti(L, -1, k);
            parse_op(L, c, -1, &t->ops[k - 1], who);
            if (t->ops[k - 1].kind == WL_SEND || t->ops[k - 1].kind == WL_REVOKE) {
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
    lua_pop(L, 1);
    t->seed = 0;
    w->ntasks++;
    lua_pushinteger(L, (lua_Integer)i + 1);
    return 1;
}

/* sys:irq{name=, line=, core=, priority=, work=, budget=, period=} */
static int l_irq(lua_State *L)
{
    composed *c = check_composed(L);
    check_not_booted(L, c, "sys:irq");
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_settop(L, 2);
    static const char *const known[] = { "name", "line", "core", "priority", "work", "budget", "period", NULL };
    check_keys(L, 2, "sys:irq", known);
    wl_desc *w = c->w;
    if (w->nirqs >= WL_IRQS)
        return luaL_error(L, "sys:irq: at most %d interrupt threads", (int)WL_IRQS);
    wl_irq *q = &w->irq[w->nirqs];
    *q = (wl_irq){ 0 };
    lua_getfield(L, 2, "name");
    const char *name = lua_tostring(L, -1);
    if (name == NULL)
        return luaL_error(L, "sys:irq: give it a name");
    check_name(L, "sys:irq", name);
    g_strlcpy(c->irq_names[w->nirqs], name, 48);
    lua_getfield(L, 2, "line");
    if (!lua_isinteger(L, -1))
        return luaL_error(L, "sys:irq: give the interrupt line, line = N");
    lua_Integer line = lua_tointeger(L, -1);
    lua_getfield(L, 2, "core");
    lua_Integer core = luaL_optinteger(L, -1, 0);
    if (core < 0 || core >= (lua_Integer)w->ncores)
        return luaL_error(L, "sys:irq: core %I does not exist (the machine has %d)", core, (int)w->ncores);
    lua_getfield(L, 2, "priority");
    lua_Integer prio = luaL_optinteger(L, -1, 1);
    if (prio < 1 || prio > COS_PRIO_MIN)
        return luaL_error(L, "sys:irq: priority %I out of range (1 to %d)", prio, (int)COS_PRIO_MIN);
    lua_pop(L, 4);
    q->line = (unsigned)line;
    q->core = (unsigned)core;
    q->prio = (uint32_t)prio;
    lua_getfield(L, 2, "work");
    if (lua_isnil(L, -1))
        return luaL_error(L, "sys:irq: give the work per interrupt (cycles or a time)");
    q->work = to_cycles(L, c, -1, "sys:irq: work");
    lua_pop(L, 1);
    q->budget = opt_cycles(L, c, 2, "budget", "sys:irq", 0);
    q->period = opt_cycles(L, c, 2, "period", "sys:irq", 0);
    if (q->budget && q->period == 0)
        return luaL_error(L, "sys:irq: a budget needs its replenishment period");
    if (q->budget > q->period && q->budget)
        return luaL_error(L, "sys:irq: the budget is larger than the period");
    w->nirqs++;
    lua_pushinteger(L, w->nirqs);
    return 1;
}

/* ---- running ---------------------------------------------------------------------- */

static void define_tasks_table(composed *c, sim *s)
{
    static const simtr_column cols[] = {
        { "task", SIMTR_INT, true },     { "name", SIMTR_TEXT, true },     { "core", SIMTR_INT, true },
        { "policy", SIMTR_TEXT, true },  { "priority", SIMTR_INT, true },  { "period_ps", SIMTR_INT, true },
        { "deadline_ps", SIMTR_INT, true }, { "budget_ps", SIMTR_INT, true }, { "offset_ps", SIMTR_INT, true },
        { "jitter_ps", SIMTR_INT, true }, { "sporadic", SIMTR_INT, true }, { "wcet_cycles", SIMTR_INT, false },
        { "group_name", SIMTR_TEXT, false },
    };
    simtr_table *tb = simtr_find(s->trace, "tasks");
    if (tb == NULL)
        tb = simtr_define(s->trace, "tasks", cols, G_N_ELEMENTS(cols));
    wl_desc *w = c->w;
    /* numbered on from the systems already in the run */
    w->task_base = (uint32_t)simtr_rows(tb);
    for (unsigned i = 0; i < w->ntasks; i++) {
        const wl_task *t = &w->task[i];
        simtr_begin(tb);
        simtr_int(tb, w->task_base + i);
        simtr_text(tb, c->names[i], -1);
        simtr_int(tb, (int64_t)(c->h->core_base + t->core));
        wl_policy pol = t->group ? w->group[t->group - 1].policy : w->policy[t->core];
        simtr_text(tb, pol == WL_EDF ? "edf" : "fp", -1);
        simtr_int(tb, t->prio);
        simtr_int(tb, (int64_t)hw_ps(c->h, t->period));
        simtr_int(tb, (int64_t)hw_ps(c->h, t->deadline));
        simtr_int(tb, (int64_t)hw_ps(c->h, t->budget));
        simtr_int(tb, (int64_t)hw_ps(c->h, t->offset));
        simtr_int(tb, (int64_t)hw_ps(c->h, t->jitter));
        simtr_int(tb, t->sporadic);
        /* the declared compute when every step is fixed (the analysis's C) */
        bool fixed = t->program == NULL;
        uint64_t sum = 0;
        for (unsigned k = 0; k < t->nops && fixed; k++) {
            const wl_op *op = &t->ops[k];
            if (op->kind == WL_COMPUTE)
                sum += op->dist == WL_FIXED ? op->a : op->dist == WL_UNIFORM ? op->b : op->b ? op->b : 0;
            if (op->kind == WL_COMPUTE && op->dist == WL_EXP && op->b == 0)
                fixed = false;
        }
        if (fixed)
            simtr_int(tb, (int64_t)sum);
        else
            simtr_null(tb);
        if (t->group)
            simtr_text(tb, c->group_names[t->group - 1], -1);
        else
            simtr_null(tb);
        simtr_end(tb);
    }
}

/* Everything the first run needs: resolve names, check what spans tasks,
 * lay out memory, boot. */
static void boot(lua_State *L, composed *c)
{
    wl_desc *w = c->w;
    if (w->ntasks == 0)
        luaL_error(L, "sys:run: the system has no tasks (add them with sys:task{...})");
    /* sends: the receiver by name */
    lua_getiuservalue(L, 1, 3);
    int names = lua_gettop(L);
    for (unsigned i = 0; i < w->ntasks; i++)
        for (unsigned k = 0; k < w->task[i].nops; k++) {
            wl_op *op = &w->task[i].ops[k];
            if (op->kind != WL_SEND && op->kind != WL_REVOKE)
                continue;
            lua_pushfstring(L, "task:%d:%d", (int)i, (int)k);
            lua_rawget(L, names);
            int r = find_name(c->names, w->ntasks, lua_tostring(L, -1));
            if (op->kind == WL_REVOKE) {
                if (r < 0)
                    luaL_error(L, "%s sys:task '%s': step %d revokes the memory of '%s', which is no task", c->where[i],
                               c->names[i], (int)k + 1, lua_tostring(L, -1));
                op->target = (uint16_t)r;
                lua_pop(L, 1);
                continue;
            }
            if (r < 0)
                luaL_error(L, "%s sys:task '%s': step %d sends to '%s', which is no task", c->where[i], c->names[i],
                           (int)k + 1, lua_tostring(L, -1));
            bool recv = false;
            for (unsigned j = 0; j < w->task[r].nops; j++)
                recv = recv || w->task[r].ops[j].kind == WL_RECV;
            if (!recv && w->task[r].program == NULL)
                luaL_error(L, "%s sys:task '%s': step %d sends to '%s', which never receives", c->where[i], c->names[i],
                           (int)k + 1, lua_tostring(L, -1));
            op->target = (uint16_t)r;
            lua_pop(L, 1);
        }
    /* locks: users on one core, under one scheduler; the ceiling is the
     * highest priority of its users */
    for (unsigned l = 0; l < w->nlocks; l++) {
        int core = -1, group = -1;
        for (unsigned i = 0; i < w->ntasks; i++)
            for (unsigned k = 0; k < w->task[i].nops; k++) {
                const wl_op *op = &w->task[i].ops[k];
                if (op->kind != WL_LOCK || op->target != l)
                    continue;
                if (core >= 0 && (unsigned)core != w->task[i].core)
                    luaL_error(L, "%s sys:task '%s': lock '%s' is used on cores %d and %d (locks are per core: no "
                               "multi-core protocol is built)", c->where[i], c->names[i], c->lock_names[l], core,
                               (int)w->task[i].core);
                if (group >= 0 && (unsigned)group != w->task[i].group)
                    luaL_error(L, "%s sys:task '%s': lock '%s' is used under two schedulers (tasks of different "
                               "groups, or of a group and of its core: priorities do not compare across them)",
                               c->where[i], c->names[i], c->lock_names[l]);
                core = (int)w->task[i].core;
                group = (int)w->task[i].group;
                if (w->task[i].prio < w->lock[l].ceiling)
                    w->lock[l].ceiling = w->task[i].prio;
            }
    }
    /* every lock a job takes it gives back, in order */
    for (unsigned i = 0; i < w->ntasks; i++) {
        int held[WL_OPS], n = 0;
        for (unsigned k = 0; k < w->task[i].nops; k++) {
            const wl_op *op = &w->task[i].ops[k];
            if (op->kind == WL_LOCK) {
                for (int j = 0; j < n; j++)
                    if (held[j] == op->target)
                        luaL_error(L, "%s sys:task '%s': step %d takes lock '%s' it holds already", c->where[i],
                                   c->names[i], (int)k + 1, c->lock_names[op->target]);
                held[n++] = op->target;
            } else if (op->kind == WL_UNLOCK) {
                if (n == 0 || held[n - 1] != op->target)
                    luaL_error(L, "%s sys:task '%s': step %d releases lock '%s', which is not the last one it took",
                               c->where[i], c->names[i], (int)k + 1, c->lock_names[op->target]);
                n--;
            } else if ((op->kind == WL_RECV || op->kind == WL_SLEEP || op->kind == WL_PUT || op->kind == WL_GET)
                       && n > 0) {
                luaL_error(L, "%s sys:task '%s': step %d blocks while holding lock '%s'", c->where[i], c->names[i],
                           (int)k + 1, c->lock_names[held[n - 1]]);
            }
        }
        if (n)
            luaL_error(L, "%s sys:task '%s': the job ends holding lock '%s'", c->where[i], c->names[i],
                       c->lock_names[held[n - 1]]);
    }
    /* channels: one producer and one consumer task each; a task waits on
     * its endpoint for one thing only: sends (recv), channels, or timers */
    for (unsigned i = 0; i < w->ntasks; i++) {
        bool recv = false, chan = false, timer = false;
        uint64_t tick = 0;
        for (unsigned k = 0; k < w->task[i].nops; k++) {
            const wl_op *op = &w->task[i].ops[k];
            recv = recv || op->kind == WL_RECV;
            timer = timer || op->kind == WL_TIMEOUT || op->kind == WL_TICK;
            if ((op->kind == WL_TICK && tick && tick != op->a) || (op->kind == WL_TICK && tick == UINT64_MAX)
                || (op->kind == WL_TIMEOUT && tick && tick != UINT64_MAX))
                luaL_error(L, "%s sys:task '%s': step %d: a task has one timer: timeouts, or ticks of one period",
                           c->where[i], c->names[i], (int)k + 1);
            if (op->kind == WL_TICK)
                tick = op->a;
            else if (op->kind == WL_TIMEOUT)
                tick = UINT64_MAX;
            if (op->kind != WL_PUT && op->kind != WL_GET)
                continue;
            chan = true;
            wl_channel *ch = &w->chan[op->target];
            unsigned *end = op->kind == WL_PUT ? &ch->producer : &ch->consumer;
            if (*end != UINT32_MAX && *end != i)
                luaL_error(L, "%s sys:task '%s': channel '%s' has a %s already ('%s'): a channel has one producer and "
                           "one consumer", c->where[i], c->names[i], c->chan_names[op->target],
                           op->kind == WL_PUT ? "producer" : "consumer", c->names[*end]);
            *end = i;
        }
        if (recv + chan + timer > 1)
            luaL_error(L, "%s sys:task '%s': a task waits on its one endpoint for one thing: recv, a channel, or the "
                       "timer manager (timeout, tick), not two of them", c->where[i], c->names[i]);
        if (timer)
            w->tm.used = true;
        if (timer && w->task[i].group)
            luaL_error(L, "%s sys:task '%s': a task of a group cannot use the timer manager yet (its timer thread "
                       "is its core's)", c->where[i], c->names[i]);
    }
    for (unsigned ch = 0; ch < w->nchans; ch++)
        if ((w->chan[ch].producer == UINT32_MAX) != (w->chan[ch].consumer == UINT32_MAX))
            luaL_error(L, "sys:run: channel '%s' has a %s but no %s", c->chan_names[ch],
                       w->chan[ch].producer == UINT32_MAX ? "consumer" : "producer",
                       w->chan[ch].producer == UINT32_MAX ? "producer" : "consumer");
    /* heaps: a window each for the tasks that allocate, free or touch one */
    unsigned nheaps = 0;
    for (unsigned i = 0; i < w->ntasks; i++) {
        bool uses = false;
        for (unsigned k = 0; k < w->task[i].nops; k++)
            uses = uses || w->task[i].ops[k].kind == WL_ALLOC || w->task[i].ops[k].kind == WL_FREE
                   || w->task[i].ops[k].kind == WL_HEAP;
        if (!uses)
            continue;
        if (nheaps == WL_HEAPS)
            luaL_error(L, "%s sys:task '%s': at most %d tasks use the memory manager", c->where[i], c->names[i],
                       (int)WL_HEAPS);
        w->task[i].heap = ++nheaps;
    }
    w->mem.used = nheaps > 0;
    for (unsigned i = 0; i < w->ntasks; i++)
        for (unsigned k = 0; k < w->task[i].nops; k++)
            if (w->task[i].ops[k].kind == WL_REVOKE && w->task[w->task[i].ops[k].target].heap == 0)
                luaL_error(L, "%s sys:task '%s': step %d revokes the memory of '%s', which never allocates", c->where[i],
                           c->names[i], (int)k + 1, c->names[w->task[i].ops[k].target]);
    /* interrupt lines exist */
    for (unsigned q = 0; q < w->nirqs; q++)
        if (w->irq[q].line >= hwirq_nlines(c->h->irq) || w->irq[q].line == c->h->timer_line
            || w->irq[q].line == hw_ipi_line(c->h))
            luaL_error(L, "sys:run: interrupt thread '%s': line %d is not a device line of this machine",
                       c->irq_names[q], (int)w->irq[q].line);
    /* memory: the tasks' areas one after another */
    uint64_t off = 0;
    for (unsigned i = 0; i < w->ntasks; i++) {
        w->task[i].mem_off = off;
        off += w->task[i].mem_len;
    }
    /* then the channels' rings, each from a line of its own */
    for (unsigned ch = 0; ch < w->nchans; ch++) {
        off = (off + 63) & ~(uint64_t)63;
        w->chan[ch].mem_off = off;
        off += 64 + w->chan[ch].slots * w->chan[ch].stride;
    }
    w->app_pages = (off + COS_PAGE_SIZE - 1) / COS_PAGE_SIZE;
    if (w->app_pages == 0)
        w->app_pages = 1;
    if (c->h->cfg.has_mpu && w->app_pages > BT_MPU_PAGES)
        luaL_error(L, "sys:run: the tasks' memory needs %d pages; an MPU booter gives at most %d", (int)w->app_pages,
                   (int)BT_MPU_PAGES);
    if (!c->h->cfg.has_mpu && w->app_pages > 512)
        luaL_error(L, "sys:run: the tasks' memory needs %d pages; at most 512 (2 MiB) fit one page-table pool",
                   (int)w->app_pages);
    /* seeds: one stream per task, from the run's seed */
    sim *s = simlua_sim(L);
    for (unsigned i = 0; i < w->ntasks; i++) {
        simrng r;
        char name[80];
        g_snprintf(name, sizeof name, "task.%s", c->names[i]);
        sim_rng(s, name, &r);
        w->task[i].seed = simrng_next(&r);
    }
    define_tasks_table(c, s);
    bool lua_bodies = false;
    for (unsigned i = 0; i < w->ntasks; i++)
        lua_bodies = lua_bodies || w->task[i].program;
    /* a Lua body runs on its thread's stack: give it room */
    k_config cfg = { .images = NULL, .boot_image = COS_IMAGE_WORKLOAD, .boot_entry = 0, .boot_data = w,
                     .trace = c->trace, .check = c->check, .stack_size = lua_bodies ? 512u << 10 : 0 };
    lua_getiuservalue(L, 1, 1);
    klua_boot(L, -1, &cfg);
    lua_setiuservalue(L, 1, 2);
    lua_settop(L, names - 1);
    c->booted = true;
}

static void run_for(lua_State *L, sim_time_t span)
{
    lua_getglobal(L, "sim");
    lua_getfield(L, -1, "run");
    lua_pushinteger(L, (lua_Integer)span);
    lua_call(L, 1, 0);
    lua_pop(L, 1);
}

/* sys:run(span): boot at the first call (and run until the system is
 * built and has started), then run `span` of simulated time from the
 * start (first call) or from now. */
static int l_run(lua_State *L)
{
    composed *c = check_composed(L);
    sim_time_t span = to_time(L, 2, "sys:run: span");
    lua_settop(L, 2);
    sim *s = simlua_sim(L);
    if (!c->booted) {
        boot(L, c);
        sim_time_t limit = sim_now(s) + SIM_S;
        while (!c->w->built && c->w->error == 0) {
            if (sim_now(s) >= limit)
                return luaL_error(L, "sys:run: the system was not built after 1 s of simulated time");
            run_for(L, 100 * SIM_US);
        }
        if (c->w->error)
            return luaL_error(L, "sys:run: building the system failed: kernel error %d (%s line %d)",
                              (int)c->w->error, c->w->error_file, (int)c->w->error_line);
        sim_time_t st = hw_ps(c->h, c->w->start);
        if (st > sim_now(s))
            run_for(L, st - sim_now(s));
    }
    run_for(L, span);
    if (c->body_error[0])
        return luaL_error(L, "sys:run: %s", c->body_error);
    if (c->w->error)
        return luaL_error(L, "sys:run: the system failed: kernel error %d (%s line %d)",
                          (int)c->w->error, c->w->error_file, (int)c->w->error_line);
    return 0;
}

static void set_int(lua_State *L, const char *k, uint64_t v)
{
    lua_pushinteger(L, (lua_Integer)v);
    lua_setfield(L, -2, k);
}

static void set_num(lua_State *L, const char *k, double v)
{
    lua_pushnumber(L, v);
    lua_setfield(L, -2, k);
}

/* sys:results() -> { tasks = { {name, jobs, missed, ...}, ... }, cores = {...}, irqs = {...}, locks = {...} } */
static int l_results(lua_State *L)
{
    composed *c = check_composed(L);
    wl_desc *w = c->w;
    double ns = 1e9 / (double)c->h->cfg.freq_hz;
    lua_newtable(L);
    lua_createtable(L, (int)w->ntasks, 0);
    uint64_t now_cycles = hwmem_ps_to_cycles(sim_now(simlua_sim(L)), c->h->cfg.freq_hz);
    for (unsigned i = 0; i < w->ntasks; i++) {
        const wl_task *t = &w->task[i];
        const wl_stats *st = &t->st;
        const wl_rt_thd *r = &w->rt.thd[i];
        lua_newtable(L);
        lua_pushstring(L, c->names[i]);
        lua_setfield(L, -2, "name");
        if (t->group) {
            lua_pushstring(L, c->group_names[t->group - 1]);
            lua_setfield(L, -2, "group");
        }
        set_int(L, "core", t->core);
        set_int(L, "priority", t->prio);
        set_int(L, "jobs", st->jobs);
        set_int(L, "released", st->released);
        set_int(L, "missed", st->missed);
        /* a released job still unfinished past its deadline is a miss too */
        bool late = c->booted && r->state != WL_S_IDLE && r->state != WL_S_EXITED && r->deadline && now_cycles > r->deadline
                    && st->released > st->jobs;
        set_int(L, "late_unfinished", late);
        set_int(L, "expiries", st->expiries);
        set_num(L, "period_ns", (double)t->period * ns);
        set_num(L, "deadline_ns", (double)t->deadline * ns);
        if (st->jobs) {
            set_int(L, "resp_min_cycles", st->resp_min);
            set_int(L, "resp_max_cycles", st->resp_max);
            set_num(L, "resp_min_ns", (double)st->resp_min * ns);
            set_num(L, "resp_max_ns", (double)st->resp_max * ns);
            set_num(L, "resp_mean_ns", (double)st->resp_sum / (double)st->jobs * ns);
            set_num(L, "start_max_ns", (double)st->start_max * ns);
        }
        set_int(L, "lock_waits", st->lock_waits);
        set_num(L, "lock_wait_max_ns", (double)st->lock_wait_max * ns);
        if (t->heap) {
            set_int(L, "faults", st->faults);
            set_int(L, "heap_pages", w->rt.mm_held[t->heap - 1]);
        }
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, "tasks");
    lua_createtable(L, (int)w->ncores, 0);
    for (unsigned k = 0; k < w->ncores; k++) {
        const wl_rt_core *rc = &w->rt.core[k];
        lua_newtable(L);
        lua_pushstring(L, w->policy[k] == WL_EDF ? "edf" : "fp");
        lua_setfield(L, -2, "policy");
        set_int(L, "dispatches", rc->dispatches);
        set_int(L, "ul_dispatches", rc->ul_dispatches);
        set_int(L, "ul_refused", rc->ul_refused);
        set_int(L, "stale", rc->stale);
        set_int(L, "idles", rc->idles);
        set_int(L, "handoffs", rc->handoffs);
        if (rc->handoffs) {
            set_int(L, "handoff_min_cycles", rc->handoff_min);
            set_int(L, "handoff_max_cycles", rc->handoff_max);
            set_num(L, "handoff_mean_cycles", (double)rc->handoff_sum / (double)rc->handoffs);
        }
        lua_rawseti(L, -2, (lua_Integer)k + 1);
    }
    lua_setfield(L, -2, "cores");
    lua_createtable(L, (int)w->nirqs, 0);
    for (unsigned q = 0; q < w->nirqs; q++) {
        const wl_irq *x = &w->irq[q];
        lua_newtable(L);
        lua_pushstring(L, c->irq_names[q]);
        lua_setfield(L, -2, "name");
        set_int(L, "activations", x->activations);
        set_int(L, "handled", x->handled);
        set_int(L, "expiries", x->expiries);
        lua_rawseti(L, -2, (lua_Integer)q + 1);
    }
    lua_setfield(L, -2, "irqs");
    lua_newtable(L);
    for (unsigned l = 0; l < w->nlocks; l++) {
        lua_newtable(L);
        set_int(L, "acquisitions", w->lock[l].acquisitions);
        set_int(L, "contended", w->lock[l].contended);
        set_int(L, "ceiling", w->lock[l].ceiling);
        lua_setfield(L, -2, c->lock_names[l]);
    }
    lua_setfield(L, -2, "locks");
    lua_newtable(L);
    for (unsigned v = 0; v < w->nservers; v++) {
        lua_newtable(L);
        set_int(L, "calls", w->server[v].calls);
        lua_setfield(L, -2, c->server_names[v]);
    }
    lua_setfield(L, -2, "servers");
    lua_newtable(L);
    for (unsigned g = 0; g < w->ngroups; g++) {
        const wl_group *gr = &w->group[g];
        lua_newtable(L);
        set_int(L, "core", gr->core);
        set_num(L, "budget_ns", (double)gr->budget * ns);
        set_num(L, "period_ns", (double)gr->period * ns);
        set_int(L, "dispatches", gr->dispatches);
        set_int(L, "idles", gr->idles);
        set_int(L, "wakes", gr->wakes);
        set_int(L, "expiries", gr->expiries);
        lua_setfield(L, -2, c->group_names[g]);
    }
    lua_setfield(L, -2, "groups");
    lua_newtable(L);
    for (unsigned k = 0; k < w->nchans; k++) {
        const wl_channel *ch = &w->chan[k];
        lua_newtable(L);
        set_int(L, "puts", ch->puts);
        set_int(L, "gets", ch->gets);
        set_int(L, "full_waits", ch->full_waits);
        set_int(L, "empty_waits", ch->empty_waits);
        set_int(L, "notifies", ch->notifies);
        set_int(L, "max_fill", ch->max_fill);
        if (ch->lat_n) {
            set_int(L, "latency_min_cycles", ch->lat_min);
            set_int(L, "latency_max_cycles", ch->lat_max);
            set_num(L, "latency_mean_cycles", (double)ch->lat_sum / (double)ch->lat_n);
        }
        lua_setfield(L, -2, c->chan_names[k]);
    }
    lua_setfield(L, -2, "channels");
    lua_newtable(L);
    set_int(L, "arms", w->tm.arms);
    set_int(L, "expirations", w->tm.expirations);
    set_int(L, "wakeups", w->tm.wakeups);
    set_int(L, "waits", w->tm.late_n);
    if (w->tm.late_n) {
        set_int(L, "late_min_cycles", w->tm.late_min);
        set_int(L, "late_max_cycles", w->tm.late_max);
        set_num(L, "late_mean_cycles", (double)w->tm.late_sum / (double)w->tm.late_n);
    }
    lua_setfield(L, -2, "timers");
    if (w->mem.pages) {
        const wl_memory *m = &w->mem;
        lua_newtable(L);
        set_int(L, "pages", m->pages);
        set_int(L, "quota", m->quota);
        set_int(L, "allocated", m->allocated);
        set_int(L, "denied", m->denied);
        set_int(L, "freed", m->freed);
        set_int(L, "revoked", m->revoked);
        set_int(L, "revocations", m->revocations);
        set_int(L, "shootdowns", m->shootdowns);
        set_int(L, "reuse_waits", m->reuse_waits);
        set_int(L, "unmap_retries", m->unmap_retries);
        set_int(L, "faults", m->faults);
        if (m->alloc_n) {
            set_num(L, "alloc_mean_cycles", (double)m->alloc_sum / (double)m->alloc_n);
            set_int(L, "alloc_max_cycles", m->alloc_max);
        }
        if (m->free_n) {
            set_num(L, "free_mean_cycles", (double)m->free_sum / (double)m->free_n);
            set_int(L, "free_max_cycles", m->free_max);
        }
        lua_setfield(L, -2, "memory");
    }
    set_num(L, "start_ns", c->booted ? (double)hw_ps(c->h, w->start) / 1000.0 : 0.0);
    return 1;
}

/* sys:kernel() -> the kernel's system object (stats, paths, reports, check), nil before the first run */
static int l_kernel(lua_State *L)
{
    check_composed(L);
    lua_getiuservalue(L, 1, 2);
    return 1;
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

int compose_open(lua_State *L)
{
    static const char *const steps[] = { "compute", "touch", "invoke", "recv", "sleep", NULL };
    lua_newtable(L);
    for (int i = 0; steps[i]; i++) {
        lua_pushstring(L, steps[i]);
        lua_pushcclosure(L, l_step, 1);
        lua_setfield(L, -2, steps[i]);
    }
    lua_setglobal(L, "step");
    static const luaL_Reg methods[] = {
        { "task", l_task }, { "irq", l_irq }, { "group", l_group }, { "run", l_run }, { "results", l_results }, { "kernel", l_kernel },
        { NULL, NULL },
    };
    luaL_newmetatable(L, COMPOSE_MT);
    luaL_newlib(L, methods);
    lua_setfield(L, -2, "__index");
    lua_pushliteral(L, "composed system");
    lua_setfield(L, -2, "__name");
    lua_pop(L, 1);
    lua_pushcfunction(L, l_system);
    lua_setglobal(L, "system");
    return 0;
}
