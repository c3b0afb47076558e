/* kernel/lua.c: the `kernel` binding for scenarios (see lua.h). */
#include "lua.h"

#include <string.h>
#include <lauxlib.h>

#include "sim/lua.h"
#include "model/lua.h"
#include "kernel.h"

#define SYSTEM_MT "cossim.system"
#define IMAGES_KEY "cossim.kernel.images"

typedef struct images {
    const cos_image *const *v;
    unsigned n;
} images;

static void check_live(lua_State *L)
{
    if (!simlua_live(L))
        luaL_error(L, "kernel: the scenario has ended");
}

static k_kernel *check_system(lua_State *L)
{
    k_kernel **p = luaL_checkudata(L, 1, SYSTEM_MT);
    check_live(L);
    if (*p == NULL)
        luaL_error(L, "kernel: not booted");
    return *p;
}

static void end_kernel(void *obj)
{
    k_write_paths(obj);
}

static void free_kernel(void *obj)
{
    k_free(obj);
}

static bool opt_bool(lua_State *L, int t, const char *key)
{
    int ty = lua_getfield(L, t, key);
    if (ty != LUA_TNIL && ty != LUA_TBOOLEAN)
        luaL_error(L, "kernel.boot: %s must be true or false, not a %s", key, lua_typename(L, ty));
    bool v = lua_toboolean(L, -1);
    lua_pop(L, 1);
    return v;
}

/* kernel.boot{machine = m, booter = NAME, arg = N, trace = bool, check = bool} -> system [-0, +1, e] */
static int l_boot(lua_State *L)
{
    check_live(L);
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    static const char *const known[] = { "machine", "booter", "arg", "trace", "check", NULL };
    simlua_check_keys(L, 1, "kernel.boot", known);
    lua_getfield(L, 1, "machine");                          /* 2 */
    if (lua_isnil(L, 2))
        return luaL_error(L, "kernel.boot: give the machine, e.g. kernel.boot{machine = machine{preset = \"x86_64\"}, ...}");
    hw *h = hwlua_check(L, 2);
    if (h->signal)
        return luaL_error(L, "kernel.boot: this machine runs a kernel already");
    lua_getfield(L, LUA_REGISTRYINDEX, IMAGES_KEY);         /* 3 */
    const images *im = lua_touserdata(L, 3);
    if (lua_getfield(L, 1, "booter") != LUA_TSTRING)        /* 4 */
        return luaL_error(L, "kernel.boot: give the booter image by name (booter = \"%s\")", im->n ? im->v[0]->name : "");
    const char *name = lua_tostring(L, 4);
    unsigned id = im->n;
    for (unsigned i = 0; i < im->n; i++)
        if (strcmp(im->v[i]->name, name) == 0)
            id = i;
    if (id == im->n) {
        luaL_Buffer b;
        luaL_buffinit(L, &b);
        for (unsigned i = 0; i < im->n; i++) {
            luaL_addstring(&b, i ? ", " : "");
            luaL_addstring(&b, im->v[i]->name);
        }
        luaL_pushresult(&b);
        return luaL_error(L, "kernel.boot: no booter image '%s' (there are: %s)", name, lua_tostring(L, -1));
    }
    cos_word arg = 0;
    int t = lua_getfield(L, 1, "arg");                      /* 5 */
    if (t != LUA_TNIL) {
        if (!lua_isinteger(L, 5))
            return luaL_error(L, "kernel.boot: arg must be an integer");
        arg = (cos_word)lua_tointeger(L, 5);
    }
    k_config cfg = { .images = im->v, .nimages = im->n, .boot_image = id, .boot_entry = 0, .boot_arg = arg,
                     .trace = true, .check = opt_bool(L, 1, "check") };
    lua_getfield(L, 1, "trace");
    if (!lua_isnil(L, -1))
        cfg.trace = opt_bool(L, 1, "trace");
    lua_pop(L, 1);
    return klua_boot(L, 2, &cfg);
}

int klua_boot(lua_State *L, int machine, const k_config *config)
{
    machine = lua_absindex(L, machine);
    hw *h = hwlua_check(L, machine);
    if (h->signal)
        return luaL_error(L, "kernel.boot: this machine runs a kernel already");
    lua_getfield(L, LUA_REGISTRYINDEX, IMAGES_KEY);
    const images *im = lua_touserdata(L, -1);
    lua_pop(L, 1);
    k_config cfg = *config;
    if (cfg.images == NULL) {
        cfg.images = im->v;
        cfg.nimages = im->n;
    }
    k_kernel **p = lua_newuserdatauv(L, sizeof *p, 1);
    *p = NULL;
    luaL_setmetatable(L, SYSTEM_MT);
    lua_pushvalue(L, machine);
    lua_setiuservalue(L, -2, 1);     /* keep the machine alive with it */
    k_kernel *k = k_new(simlua_sim(L), &cfg);
    GError *err = NULL;
    hw_set_signal(h, k_irq_signal, k);
    if (!k_boot(k, h, &err)) {
        hw_set_signal(h, NULL, NULL);
        k_free(k);
        lua_pushstring(L, err->message);
        g_error_free(err);
        return lua_error(L);
    }
    simlua_attach(L, k, end_kernel, free_kernel);
    *p = k;
    return 1;
}

k_kernel *klua_check(lua_State *L, int idx)
{
    k_kernel **p = luaL_checkudata(L, idx, SYSTEM_MT);
    check_live(L);
    if (*p == NULL)
        luaL_error(L, "kernel: not booted");
    return *p;
}

/* sys:reports() -> { {key, value, at, thread}, ... } [-0, +1, m] */
static int l_reports(lua_State *L)
{
    k_kernel *k = check_system(L);
    const GArray *r = k_reports(k);
    lua_createtable(L, (int)r->len, 0);
    for (guint i = 0; i < r->len; i++) {
        const k_report *x = &g_array_index(r, k_report, i);
        lua_createtable(L, 0, 4);
        lua_pushstring(L, x->key);
        lua_setfield(L, -2, "key");
        lua_pushinteger(L, x->value);
        lua_setfield(L, -2, "value");
        simlua_push_time(L, (int64_t)x->at);           /* a time value */
        lua_setfield(L, -2, "at");
        lua_pushinteger(L, x->thread);
        lua_setfield(L, -2, "thread");
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

/* sys:report(key) -> the last value reported under key, or nil [-0, +1, -] */
static int l_report(lua_State *L)
{
    k_kernel *k = check_system(L);
    const char *key = luaL_checkstring(L, 2);
    const GArray *r = k_reports(k);
    for (guint i = r->len; i-- > 0;) {
        const k_report *x = &g_array_index(r, k_report, i);
        if (strcmp(x->key, key) == 0) {
            lua_pushinteger(L, x->value);
            return 1;
        }
    }
    lua_pushnil(L);
    return 1;
}

/* sys:stats() -> {syscalls, invocations, ...} [-0, +1, m] */
static int l_stats(lua_State *L)
{
    k_kernel *k = check_system(L);
    const k_stats *s = k_get_stats(k);
    struct { const char *name; uint64_t v; } f[] = {
        { "syscalls", s->syscalls }, { "invocations", s->invocations }, { "returns", s->returns },
        { "switches", s->switches }, { "sends", s->sends }, { "receives", s->receives },
        { "interrupts", s->interrupts }, { "ipis", s->ipis }, { "events", s->events },
        { "shootdowns", s->shootdowns },
        { "expiries", s->expiries }, { "timeouts", s->timeouts }, { "faults", s->faults },
        { "errors", s->errors }, { "kernel_cycles", s->kernel_cycles }, { "user_cycles", s->user_cycles },
        { "check_failures", s->check_failures }, { "threads", k_threads(k) },
    };
    lua_createtable(L, 0, (int)G_N_ELEMENTS(f));
    for (size_t i = 0; i < G_N_ELEMENTS(f); i++) {
        lua_pushinteger(L, (lua_Integer)f[i].v);
        lua_setfield(L, -2, f[i].name);
    }
    return 1;
}

/* sys:paths() -> { name = {n, cycles, arch, instructions, fetch, data, accesses, walk, walks}, ... }
 * (sums over the run; only paths that ran) [-0, +1, m] */
static int l_paths(lua_State *L)
{
    k_kernel *k = check_system(L);
    lua_newtable(L);
    for (unsigned i = 0; i < K_PATHS; i++) {
        const k_path_stats *p = k_get_path_stats(k, i);
        if (p->n == 0)
            continue;
        lua_createtable(L, 0, 9);
        struct { const char *name; uint64_t v; } f[] = {
            { "n", p->n }, { "cycles", p->cycles }, { "arch", p->arch }, { "instructions", p->instructions },
            { "fetch", p->fetch }, { "data", p->data }, { "accesses", p->accesses }, { "walk", p->walk },
            { "walks", p->walks },
        };
        for (size_t j = 0; j < G_N_ELEMENTS(f); j++) {
            lua_pushinteger(L, (lua_Integer)f[j].v);
            lua_setfield(L, -2, f[j].name);
        }
        lua_setfield(L, -2, k_path_name(i));
    }
    return 1;
}

/* sys:check() -> true if every kernel invariant holds [-0, +1, -] */
static int l_check(lua_State *L)
{
    lua_pushboolean(L, k_check(check_system(L)));
    return 1;
}

int klua_open(lua_State *L, const cos_image *const *v, unsigned n)
{
    images *im = lua_newuserdatauv(L, sizeof *im, 0);
    im->v = v;
    im->n = n;
    lua_setfield(L, LUA_REGISTRYINDEX, IMAGES_KEY);
    static const luaL_Reg methods[] = {
        { "reports", l_reports }, { "report", l_report }, { "stats", l_stats }, { "paths", l_paths }, { "check", l_check }, { NULL, NULL },
    };
    luaL_newmetatable(L, SYSTEM_MT);
    luaL_newlib(L, methods);
    lua_setfield(L, -2, "__index");
    lua_pushliteral(L, "system");
    lua_setfield(L, -2, "__name");
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushcfunction(L, l_boot);
    lua_setfield(L, -2, "boot");
    lua_setglobal(L, "kernel");
    return 0;
}
