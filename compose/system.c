/* compose/system.c: system{...}: the machine, the policies, and the named
 * servers, locks and channels of a composed system; and the binding's
 * registration (compose_open). */
#include "compose/internal.h"

#include <string.h>

/* ---- system{...} -------------------------------------------------------------- */


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
    cmp_check_name(L, "system: servers", name);
    static const char *const sk[] = { "work", "touch", "memory", NULL };
    simlua_check_keys(L, t, "system: servers", sk);
    unsigned n = cmp_new_server(c);
    wl_server *s = &w->server[n];
    g_strlcpy(c->server_names[n], name, 48);
    lua_getfield(L, t, "work");
    s->work = lua_isnil(L, -1) ? 0 : cmp_to_cycles(L, c, -1, "system: servers: work");
    lua_getfield(L, t, "touch");
    s->touch = lua_isnil(L, -1) ? 0 : cmp_to_bytes(L, -1, "system: servers: touch");
    lua_getfield(L, t, "memory");
    uint64_t mem = lua_isnil(L, -1) ? s->touch : cmp_to_bytes(L, -1, "system: servers: memory");
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
    cmp_check_name(L, "system: locks", name);
    const char *p = lua_tostring(L, v);
    unsigned slot = cmp_new_lock(c);     /* first: it may move the array */
    wl_lock *l = &w->app.lock[slot];
    if (strcmp(p, "pi") == 0)
        l->protocol = WL_LOCK_PI;
    else if (strcmp(p, "ceiling") == 0)
        l->protocol = WL_LOCK_CEILING;
    else if (strcmp(p, "none") == 0)
        l->protocol = WL_LOCK_NONE;
    else
        luaL_error(L, "system: lock '%s': protocol is \"pi\", \"ceiling\" or \"none\"", name);
    l->ceiling = COS_PRIO_MIN;
    g_strlcpy(c->lock_names[w->app.nlocks], name, 48);
    w->app.nlocks++;
}

/* channels = { name = { slots = N, size = bytes } } */
static void add_channel(lua_State *L, composed *c, const char *name, int t)
{
    wl_desc *w = c->w;
    cmp_check_name(L, "system: channels", name);
    static const char *const ck[] = { "slots", "size", NULL };
    simlua_check_keys(L, t, "system: channels", ck);
    unsigned slot = cmp_new_chan(c);     /* first: it may move the array */
    wl_channel *ch = &w->app.chan[slot];
    lua_getfield(L, t, "slots");
    lua_Integer slots = lua_isnil(L, -1) ? 16 : lua_isinteger(L, -1) ? lua_tointeger(L, -1) : -1;
    if (slots < 1 || slots > (lua_Integer)WL_CHAN_SLOTS)
        luaL_error(L, "system: channel '%s': slots is an integer from 1 to %d", name, (int)WL_CHAN_SLOTS);
    lua_getfield(L, t, "size");
    uint64_t size = lua_isnil(L, -1) ? 64 : cmp_to_bytes(L, -1, "system: channels: size");
    if (size == 0 || size > COS_PAGE_SIZE)
        luaL_error(L, "system: channel '%s': a message is 1 byte to 4 KiB", name);
    ch->slots = (unsigned)slots;
    ch->size = size;
    ch->stride = (size + 7) & ~(uint64_t)7;
    ch->producer = ch->consumer = UINT32_MAX;
    g_strlcpy(c->chan_names[w->app.nchans], name, 48);
    w->app.nchans++;
}

/* The image of the implementation system{} names for `role` at index 1's
 * field of that name (nil: the role's default, the first registered). */
static unsigned role_image(lua_State *L, const char *role)
{
    lua_getfield(L, 1, role);
    bool given = !lua_isnil(L, -1);
    const char *name = lua_tostring(L, -1);
    g_autoptr(GString) known = g_string_new(NULL);
    for (const cos_role_impl *r = cos_roles; r->role; r++) {
        if (strcmp(r->role, role) != 0)
            continue;
        if (!given || (name && strcmp(name, r->name) == 0)) {
            lua_pop(L, 1);
            return r->image;
        }
        g_string_append_printf(known, "%s\"%s\"", known->len ? ", " : "", r->name);
    }
    lua_pushstring(L, known->str);
    return (unsigned)luaL_error(L, "system: %s is %s (the implementations registered in components/comps.c)", role,
                                lua_tostring(L, -1));
}

static int l_system(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    static const char *const known[] = { "machine", "scheduler", "policy", "fastpath", "trace", "check", "servers", "locks",
                                         "channels", "start_align", "memory", "timer", "memmgr", "server", NULL };
    simlua_check_keys(L, 1, "system", known);
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
    simlua_attach(L, c, NULL, cmp_free);
    wl_desc *w = c->w;
    cmp_desc_init(c, h->cfg.cores);
    w->workload_image = COS_IMAGE_WORKLOAD;
    w->server_image = role_image(L, "server");
    w->timer_image = role_image(L, "timer");
    w->mem_image = role_image(L, "memmgr");
    /* the scheduler of each core, and its policy: one for all cores, or a
     * list per core (a Lua policy is a table too, but not a list) */
    int sv = lua_getfield(L, 1, "scheduler") == LUA_TNIL ? 0 : lua_gettop(L);
    int pv = lua_getfield(L, 1, "policy") == LUA_TNIL ? 0 : lua_gettop(L);
    bool slist = sv && lua_istable(L, sv) && lua_rawlen(L, sv) > 0;
    bool plist = pv && lua_istable(L, pv);
    if ((slist && lua_rawlen(L, sv) != w->app.ncores) || (plist && lua_rawlen(L, pv) != w->app.ncores))
        return luaL_error(L, "system: a list of schedulers or policies has one per core (%d)", (int)w->app.ncores);
    for (unsigned i = 0; i < w->app.ncores; i++) {
        int top = lua_gettop(L), si = sv, pi = pv;
        if (slist) {
            lua_rawgeti(L, sv, i + 1);
            si = lua_gettop(L);
        }
        if (plist) {
            lua_rawgeti(L, pv, i + 1);
            pi = lua_gettop(L);
        }
        char who[48];
        g_snprintf(who, sizeof who, w->app.ncores > 1 ? "system: core %u" : "system", i);
        w->app.policy[i] = cmp_read_sched(L, c, si, pi, who, i);
        lua_settop(L, top);
    }
    lua_pop(L, 2);
    lua_getfield(L, 1, "fastpath");
    w->app.fastpath = lua_toboolean(L, -1);
    lua_getfield(L, 1, "trace");
    c->trace = lua_isnil(L, -1) ? true : lua_toboolean(L, -1);
    lua_getfield(L, 1, "check");
    c->check = lua_toboolean(L, -1);
    lua_pop(L, 3);
    w->start_align = cmp_opt_cycles(L, c, 1, "start_align", "system", cmp_ps_cycles(c, SIM_MS));
    each_named(L, c, "servers", "servers = { name = { work = ..., touch = ..., memory = ... } }", LUA_TTABLE,
               add_server);
    each_named(L, c, "locks", "locks = { name = \"pi\" | \"ceiling\" | \"none\" }", LUA_TSTRING, add_lock);
    each_named(L, c, "channels", "channels = { name = { slots = N, size = bytes } }", LUA_TTABLE, add_channel);
    /* memory = { pages = N, quota = M }: the memory manager's pool */
    if (lua_getfield(L, 1, "memory") != LUA_TNIL) {
        if (!lua_istable(L, -1))
            return luaL_error(L, "system: memory = { pages = N, quota = M }");
        static const char *const mk[] = { "pages", "quota", "library", NULL };
        simlua_check_keys(L, lua_gettop(L), "system: memory", mk);
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
        w->mm.pages = (unsigned)pages;
        w->mm.quota = (unsigned)quota;
        lua_getfield(L, -3, "library");
        if (!lua_isnil(L, -1) && !lua_isboolean(L, -1))
            return luaL_error(L, "system: memory: library is true or false");
        w->app.lib.on = lua_toboolean(L, -1);
        w->app.lib.quota = (unsigned)quota;
        lua_pop(L, 3);
    }
    lua_settop(L, 3);
    return 1;
}


int compose_open(lua_State *L)
{
    cmp_open_steps(L);
    static const luaL_Reg methods[] = {
        { "task", cmp_l_task }, { "irq", cmp_l_irq }, { "group", cmp_l_group }, { "run", cmp_l_run },
        { "results", cmp_l_results }, { "kernel", cmp_l_kernel }, { "component", cmp_l_component },
        { "grant", cmp_l_grant },
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
