/* model/lua.c: the `machine` binding for scenarios (see lua.h). */
#include "lua.h"

#include <string.h>
#include <lauxlib.h>

#include "sim/lua.h"
#include "hw.h"

#define MACHINE_MT "cossim.machine"
#define MACHINE_KEY "cossim.machine.instance"

/* Raise a GError as a Lua error: the message is copied to Lua first, since
 * the error is a longjmp. [-0, +0, e] */
static int raise_gerror(lua_State *L, GError *err)
{
    lua_pushstring(L, err->message);
    g_error_free(err);
    return lua_error(L);
}

static void check_live(lua_State *L, const char *what)
{
    if (!simlua_live(L))
        luaL_error(L, "%s: the scenario has ended", what);
}

static hw *check_machine(lua_State *L)
{
    hw **p = luaL_checkudata(L, 1, MACHINE_MT);
    check_live(L, "machine");
    if (*p == NULL)
        luaL_error(L, "machine: not built");
    return *p;
}

static void end_run(void *obj)
{
    hw_write_counters(obj);
}

static void free_hw(void *obj)
{
    hw_free(obj);
}

/* Overrides are figures in a few levels of tables (caches.l2.size is
 * three): deeper is a mistake, and a table that holds itself (foo = _G)
 * would never end. */
#define MAX_OVERRIDE_DEPTH 8

/* Copy table t (recursively, depth levels in already); a table the preset
 * does not have gets the source "set by the scenario", so its figures do
 * not borrow the preset's citations. [-0, +1, e] */
static void copy_table(lua_State *L, int t, int depth)
{
    t = lua_absindex(L, t);
    if (depth >= MAX_OVERRIDE_DEPTH)
        luaL_error(L, "machine: an override nested more than %d tables deep (or a table that holds itself): "
                      "overrides are figures, e.g. caches = { l2 = { size = \"1M\" } }", MAX_OVERRIDE_DEPTH);
    luaL_checkstack(L, 6, "machine");
    lua_newtable(L);
    lua_pushnil(L);
    while (lua_next(L, t)) {
        lua_pushvalue(L, -2);
        if (lua_istable(L, -2))
            copy_table(L, -2, depth + 1);
        else
            lua_pushvalue(L, -2);
        lua_rawset(L, -5);
        lua_pop(L, 1);
    }
}

static const char *const cache_levels[] = { "l1i", "l1d", "l2", "l3", NULL };

static bool is_level(const char *k)
{
    for (int i = 0; cache_levels[i]; i++)
        if (strcmp(k, cache_levels[i]) == 0)
            return true;
    return false;
}

static bool valid_preset_name(const char *n)
{
    if (*n == '\0' || *n == '.')
        return false;
    for (const char *p = n; *p; p++)
        if (!g_ascii_isalnum(*p) && *p != '-' && *p != '_' && *p != '.')
            return false;
    return !g_str_has_suffix(n, ".lua");
}

/* A user's preset file: a path relative to the scenario's folder, of
 * names of letters, digits, '-', '_' and '.', ending in .lua; no absolute
 * path, no "." or ".." step (as require finds modules). */
static bool valid_preset_file(const char *n)
{
    size_t len = strlen(n);
    if (len <= 4 || len >= 256 || !g_str_has_suffix(n, ".lua") || n[0] == '/')
        return false;
    const char *seg = n;
    for (const char *p = n;; p++) {
        if (*p == '/' || *p == '\0') {
            size_t sl = (size_t)(p - seg);
            if (sl == 0 || (sl == 1 && seg[0] == '.') || (sl == 2 && seg[0] == '.' && seg[1] == '.'))
                return false;
            if (*p == '\0')
                return true;
            seg = p + 1;
        } else if (!g_ascii_isalnum(*p) && *p != '-' && *p != '_' && *p != '.') {
            return false;
        }
    }
}

/* machine{preset = NAME or "FILE.lua", ...overrides} -> machine [-0, +1, e] */
static int l_machine(lua_State *L)
{
    check_live(L, "machine");
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    if (lua_getfield(L, 1, "preset") != LUA_TSTRING)
        return luaL_error(L, "machine: give a preset, e.g. machine{preset = \"cortex-a9\"} (see 'cossim machines')");
    /* a file: read from the scenario's folder, named (in the trace, in the
     * run's name) by its file name without .lua, never by its host path */
    char path[4096] = "";
    const char *preset = lua_tostring(L, 2);
    if (g_str_has_suffix(preset, ".lua")) {
        const char *dir = simlua_script_dir(L);
        if (!valid_preset_file(preset))
            return luaL_error(L, "machine: preset file '%s': a path inside the scenario's folder, of letters, digits, "
                                 "'-', '_' and '.', ending in .lua (no absolute path, no '..')", preset);
        if (g_snprintf(path, sizeof path, "%s/%s", dir ? dir : ".", preset) >= (int)sizeof path)
            return luaL_error(L, "machine: preset file '%s': the path is too long", preset);
        const char *base = strrchr(preset, '/');
        base = base ? base + 1 : preset;
        lua_pushlstring(L, base, strlen(base) - 4);
        lua_replace(L, 2);
        if (!valid_preset_name(lua_tostring(L, 2)))
            return luaL_error(L, "machine: preset file '%s': its name is not a preset name", preset);
    } else if (!valid_preset_name(preset)) {
        return luaL_error(L, "machine: '%s' is not a preset name (see 'cossim machines'), nor a file NAME.lua", preset);
    }
    /* 3: the overrides, built in a fixed order: every other key first
     * (keys are distinct, so lua_next's order cannot matter), then the
     * cache levels given at the top, merged into a copy of `caches` */
    lua_newtable(L);
    lua_pushnil(L);
    while (lua_next(L, 1)) {
        const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
        if (k && (strcmp(k, "preset") == 0 || strcmp(k, "caches") == 0 || is_level(k))) {
            lua_pop(L, 1);
            continue;
        }
        lua_pushvalue(L, -2);
        if (lua_istable(L, -2))
            copy_table(L, -2, 1);
        else
            lua_pushvalue(L, -2);
        lua_rawset(L, 3);
        lua_pop(L, 1);
    }
    int t = lua_getfield(L, 1, "caches");                       /* 4 */
    if (t != LUA_TNIL && t != LUA_TTABLE)
        return luaL_error(L, "machine: caches must be a table, not a %s", lua_typename(L, t));
    bool any = t == LUA_TTABLE;
    if (t == LUA_TTABLE)
        copy_table(L, 4, 1);
    else
        lua_newtable(L);                                        /* 5: caches to merge */
    for (int i = 0; cache_levels[i]; i++) {
        if (lua_getfield(L, 1, cache_levels[i]) == LUA_TNIL) {
            lua_pop(L, 1);
            continue;
        }
        if (lua_getfield(L, 5, cache_levels[i]) != LUA_TNIL)
            return luaL_error(L, "machine: give %s at the top or in caches, not both", cache_levels[i]);
        lua_pop(L, 1);
        if (lua_istable(L, -1))
            copy_table(L, -1, 2);
        else
            lua_pushvalue(L, -1);
        lua_setfield(L, 5, cache_levels[i]);
        lua_pop(L, 1);
        any = true;
    }
    if (any) {
        lua_pushvalue(L, 5);
        lua_setfield(L, 3, "caches");
    }
    lua_settop(L, 3);
    GError *err = NULL;
    if (!model_preset_push(L, path[0] ? path : lua_tostring(L, 2), &err))          /* 4 */
        return raise_gerror(L, err);
    model_preset_merge(L, 4, 3);
    /* the userdata first (it may raise), then the machine (nothing raises
     * between building it and handing it to the host) */
    hw **p = lua_newuserdatauv(L, sizeof *p, 0);                /* 5 */
    *p = NULL;
    luaL_setmetatable(L, MACHINE_MT);
    model_config cfg;
    if (!model_config_from_lua(L, 4, lua_tostring(L, 2), &cfg, &err))
        return raise_gerror(L, err);
    hw *h = hw_new(simlua_sim(L), &cfg, NULL, NULL, &err);
    model_config_clear(&cfg);
    if (h == NULL) {
        g_prefix_error(&err, "machine %s: ", lua_tostring(L, 2));
        return raise_gerror(L, err);
    }
    simlua_attach(L, h, end_run, free_hw);
    *p = h;
    /* the run's machines, in order: cores are numbered on from the ones
     * before, and the run is named after all of them */
    if (lua_getfield(L, LUA_REGISTRYINDEX, MACHINE_KEY) != LUA_TTABLE) {   /* 6 */
        lua_pop(L, 1);
        lua_newtable(L);
        lua_pushvalue(L, -1);
        lua_setfield(L, LUA_REGISTRYINDEX, MACHINE_KEY);
    }
    lua_Integer n = luaL_len(L, 6);
    g_autoptr(GString) name = g_string_new(NULL);
    unsigned base = 0;
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, 6, i);
        hw *o = *(hw **)lua_touserdata(L, -1);
        lua_pop(L, 1);
        base += o->cfg.cores;
        g_string_append_printf(name, "%s+", o->cfg.name);
    }
    h->core_base = base;
    g_string_append(name, h->cfg.name);
    lua_pushvalue(L, 5);
    lua_rawseti(L, 6, n + 1);
    simlua_set_machine(L, name->str);
    lua_settop(L, 5);
    return 1;
}

/* m:info() -> {name, arch, cores, sockets, frequency_hz} [-0, +1, m] */
static int l_info(lua_State *L)
{
    hw *h = check_machine(L);
    lua_createtable(L, 0, 5);
    lua_pushstring(L, h->cfg.name);
    lua_setfield(L, -2, "name");
    lua_pushstring(L, model_arch_name(h->cfg.arch));
    lua_setfield(L, -2, "arch");
    lua_pushinteger(L, h->cfg.cores);
    lua_setfield(L, -2, "cores");
    lua_pushinteger(L, h->cfg.sockets);
    lua_setfield(L, -2, "sockets");
    lua_pushinteger(L, (lua_Integer)h->cfg.freq_hz);
    lua_setfield(L, -2, "frequency_hz");
    return 1;
}

static unsigned check_core(lua_State *L, hw *h, int arg)
{
    lua_Integer c = luaL_checkinteger(L, arg);
    if (c < 0 || c >= h->cfg.cores)
        luaL_argerror(L, arg, lua_pushfstring(L, "core %I does not exist (the machine has %d)", c, (int)h->cfg.cores));
    return (unsigned)c;
}

/* m:access(core, paddr, len, "read"|"write"|"fetch") -> cycles, at now: a
 * probe of the memory system (the kernel's and threads' own accesses go
 * through it the same way). [-0, +1, e] */
static int l_access(lua_State *L)
{
    hw *h = check_machine(L);
    unsigned core = check_core(L, h, 2);
    lua_Integer addr = luaL_checkinteger(L, 3), len = luaL_checkinteger(L, 4);
    static const char *const kinds[] = { "read", "write", "fetch", NULL };
    int k = luaL_checkoption(L, 5, "read", kinds);
    if (addr < 0 || len < 1 || !hwmem_in_range(h->mem, (uint64_t)addr, (uint64_t)len))
        return luaL_error(L, "m:access: [%I, %I + %I) is outside the machine's %I bytes of memory",
                          addr, addr, len, (lua_Integer)h->cfg.mem.size);
    uint64_t lines = (((uint64_t)addr + (uint64_t)len - 1) >> h->mem->line_shift) - ((uint64_t)addr >> h->mem->line_shift);
    if (lines > (1u << 20))
        return luaL_error(L, "m:access: at most a million lines per call");
    /* the probe walks every line in C: charged to the script's instruction
     * budget (issue 19) at 40 instructions a line, about the same host time
     * (1M-line probes take 270 ns a line, a VM instruction 6.5 ns) */
    simlua_charge(L, (lines + 1) * 40);
    uint64_t cyc = hw_access(h, core, (uint64_t)addr, (uint64_t)len, (hwmem_kind)k, sim_now(simlua_sim(L)));
    lua_pushinteger(L, (lua_Integer)cyc);
    return 1;
}

/* m:partition(level, core, ways) and m:lock(level, ways): level 1 is the
 * first cache below the L1s (l2), 2 the next. [-0, +0, e] */
static int l_partition(lua_State *L)
{
    hw *h = check_machine(L);
    lua_Integer level = luaL_checkinteger(L, 2);
    unsigned core = check_core(L, h, 3);
    lua_Integer ways = luaL_checkinteger(L, 4);
    GError *err = NULL;
    if (level < 1 || level > 2 || ways < 0 || !hwmem_set_partition(h->mem, (unsigned)level - 1, core, (uint64_t)ways, &err)) {
        if (err == NULL)
            return luaL_error(L, "m:partition: level is 1 or 2, ways a bit mask");
        return raise_gerror(L, err);
    }
    return 0;
}

static int l_lock(lua_State *L)
{
    hw *h = check_machine(L);
    lua_Integer level = luaL_checkinteger(L, 2), ways = luaL_checkinteger(L, 3);
    GError *err = NULL;
    if (level < 1 || level > 2 || ways < 0 || !hwmem_lock_ways(h->mem, (unsigned)level - 1, (uint64_t)ways, &err)) {
        if (err == NULL)
            return luaL_error(L, "m:lock: level is 1 or 2, ways a bit mask");
        return raise_gerror(L, err);
    }
    return 0;
}

#define DEVICE_MT "cossim.device"

/* A time field: a string with a unit or a time value (sim/lua.h). */
static sim_time_t check_time(lua_State *L, int idx, const char *what)
{
    return simlua_field_time(L, idx, "m:device", what);
}

/* m:device{line = N, core = C, periodic = "1ms", phase = "0ms"}
 *   or {line, core, sporadic = { min_gap = T, extra = T, distribution =
 *   "exponential"|"uniform", stream = NAME }, start = T}
 *   or {line, core, times = { T, T, ... }}
 * attaches a device interrupt source to a line of the controller; the
 * kernel, when there is one, takes the interrupts.  -> device with
 * :stats() and :stop(). [-0, +1, e] */
static int l_device(lua_State *L)
{
    hw *h = check_machine(L);
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_settop(L, 2);
    lua_getfield(L, 2, "line");
    lua_getfield(L, 2, "core");
    if (!lua_isinteger(L, 3))
        return luaL_error(L, "m:device: give the interrupt line, line = N");
    lua_Integer line = lua_tointeger(L, 3), core = luaL_optinteger(L, 4, 0);
    if (core < 0 || core >= h->cfg.cores)
        return luaL_error(L, "m:device: core %I does not exist (the machine has %d)", core, (int)h->cfg.cores);
    if (line < 0 || line >= (lua_Integer)hwirq_nlines(h->irq))
        return luaL_error(L, "m:device: line %I does not exist on this controller (0 to %d)", line,
                          (int)hwirq_nlines(h->irq) - 1);
    /* which pattern: exactly one, before anything is created */
    static const char *const patterns[] = { "periodic", "sporadic", "times", NULL };
    int which = -1;
    for (int i = 0; patterns[i]; i++) {
        if (lua_getfield(L, 2, patterns[i]) != LUA_TNIL) {
            if (which >= 0)
                return luaL_error(L, "m:device: give exactly one of periodic, sporadic or times");
            which = i;
        }
        lua_pop(L, 1);
    }
    if (which < 0)
        return luaL_error(L, "m:device: give exactly one of periodic, sporadic or times");
    sim_time_t now = sim_now(simlua_sim(L));
    hwirq_source *src = NULL;
    GError *err = NULL;
    lua_getfield(L, 2, patterns[which]);               /* 5 */
    if (which == 0) {
        sim_time_t period = check_time(L, 5, "periodic");
        lua_getfield(L, 2, "phase");
        sim_time_t phase = lua_isnil(L, -1) ? now : check_time(L, -1, "phase");
        src = hwirq_source_periodic(h->irq, (unsigned)core, (unsigned)line, period, phase, &err);
    } else if (which == 1) {
        luaL_checktype(L, 5, LUA_TTABLE);
        lua_getfield(L, 5, "min_gap");
        sim_time_t gap = check_time(L, -1, "sporadic.min_gap");
        lua_getfield(L, 5, "extra");
        sim_time_t extra = lua_isnil(L, -1) ? 0 : check_time(L, -1, "sporadic.extra");
        lua_getfield(L, 5, "distribution");
        const char *d = luaL_optstring(L, -1, "exponential");
        lua_getfield(L, 5, "stream");
        const char *stream = luaL_optstring(L, -1, "device");
        lua_getfield(L, 2, "start");
        sim_time_t start = lua_isnil(L, -1) ? now : check_time(L, -1, "start");
        if (strcmp(d, "exponential") != 0 && strcmp(d, "uniform") != 0)
            return luaL_error(L, "m:device: sporadic.distribution is \"exponential\" or \"uniform\"");
        src = hwirq_source_sporadic(h->irq, (unsigned)core, (unsigned)line, start, gap,
                                    strcmp(d, "uniform") == 0 ? HWIRQ_EXTRA_UNIFORM : HWIRQ_EXTRA_EXPONENTIAL,
                                    extra, stream, &err);
    } else {
        luaL_checktype(L, 5, LUA_TTABLE);
        lua_Integer n = (lua_Integer)lua_rawlen(L, 5);
        if (n < 1 || n > 1000000)
            return luaL_error(L, "m:device: times holds 1 to 1,000,000 times");
        sim_time_t *t = lua_newuserdatauv(L, (size_t)n * sizeof *t, 0);   /* Lua owns it */
        for (lua_Integer i = 1; i <= n; i++) {
            lua_rawgeti(L, 5, i);
            t[i - 1] = check_time(L, -1, "times");
            lua_pop(L, 1);
        }
        src = hwirq_source_list(h->irq, (unsigned)core, (unsigned)line, t, (size_t)n, &err);
    }
    if (src == NULL)
        return raise_gerror(L, err);
    hwirq_source **p = lua_newuserdatauv(L, sizeof *p, 1);
    *p = src;
    lua_pushvalue(L, 1);                 /* keep the machine reachable */
    lua_setiuservalue(L, -2, 1);
    luaL_setmetatable(L, DEVICE_MT);
    return 1;
}

static int l_device_stats(lua_State *L)
{
    hwirq_source **p = luaL_checkudata(L, 1, DEVICE_MT);
    check_live(L, "device");
    hwirq_source_stats st = hwirq_source_get_stats(*p);
    lua_createtable(L, 0, 4);
    lua_pushinteger(L, (lua_Integer)st.raised);
    lua_setfield(L, -2, "raised");
    lua_pushinteger(L, (lua_Integer)st.coalesced);
    lua_setfield(L, -2, "coalesced");
    lua_pushinteger(L, (lua_Integer)st.dropped);
    lua_setfield(L, -2, "dropped");
    if (st.next <= (sim_time_t)INT64_MAX) {
        simlua_push_time(L, (int64_t)st.next);         /* a time value */
        lua_setfield(L, -2, "next");
    }
    return 1;
}

static int l_device_stop(lua_State *L)
{
    hwirq_source **p = luaL_checkudata(L, 1, DEVICE_MT);
    check_live(L, "device");
    hwirq_source_stop(*p);
    return 0;
}

/* m:pending(core, line) -> whether the line waits at that core */
static int l_pending(lua_State *L)
{
    hw *h = check_machine(L);
    unsigned core = check_core(L, h, 2);
    lua_Integer line = luaL_checkinteger(L, 3);
    luaL_argcheck(L, line >= 0 && line < (lua_Integer)hwirq_nlines(h->irq), 3, "no such line on this controller");
    lua_pushboolean(L, hwirq_is_pending(h->irq, core, (unsigned)line));
    return 1;
}

/* m:ps(cycles) -> picoseconds those cycles of a core take (rounded up)
 * [-0, +1, e] */
static int l_ps(lua_State *L)
{
    hw *h = check_machine(L);
    lua_Integer c = luaL_checkinteger(L, 2);
    luaL_argcheck(L, c >= 0, 2, "cycles cannot be negative");
    sim_time_t ps = hw_ps(h, (uint64_t)c);
    luaL_argcheck(L, ps <= (sim_time_t)INT64_MAX, 2, "too many cycles");
    lua_pushinteger(L, (lua_Integer)ps);
    return 1;
}

/* m:flush(): write back and drop every cache line (a cold start). */
static int l_flush(lua_State *L)
{
    hwmem_flush_all(check_machine(L)->mem);
    return 0;
}

/* m:counters() -> { [core+1] = { l1d_misses = ..., ... } }, and a row per
 * core in the trace's counters table now. [-0, +1, m] */
static int l_counters(lua_State *L)
{
    hw *h = check_machine(L);
    hw_write_counters(h);
    lua_createtable(L, (int)h->cfg.cores, 0);
    for (unsigned c = 0; c < h->cfg.cores; c++) {
        const hwmem_counters *n = &h->mem->core[c].n;
        lua_createtable(L, 0, 24);
#define F(name, v) (lua_pushinteger(L, (lua_Integer)(v)), lua_setfield(L, -2, name))
        F("l1i_hits", n->served[HWMEM_L1I]);
        F("l1i_misses", n->misses[HWMEM_L1I]);
        F("l1d_hits", n->served[HWMEM_L1D]);
        F("l1d_misses", n->misses[HWMEM_L1D]);
        F("l2_hits", n->served[HWMEM_OUTER0]);
        F("l2_misses", n->misses[HWMEM_OUTER0]);
        F("l3_hits", n->served[HWMEM_OUTER1]);
        F("l3_misses", n->misses[HWMEM_OUTER1]);
        F("peer_transfers", n->served[HWMEM_PEER]);
        F("mem_reads", n->served[HWMEM_DRAM]);
        F("writebacks", n->writebacks);
        F("bus_wait_cycles", n->bus_wait_cycles);
        F("cross_cycles", n->cross_cycles);
        F("user_cross_cycles", h->core[c].user_cross_cycles);
        F("evict_misses", n->evict_misses);
        F("evict_cycles", n->evict_cycles);
        /* the rest of the trace's counters row (trace-schema.md) */
        F("kernel_cycles", h->core[c].kernel_cycles);
        F("user_cycles", h->core[c].user_cycles);
        F("upgrades", n->upgrades);
        F("invalidations", n->invalidations);
        F("mem_writes", n->mem_writes);
        F("tlb_misses", h->core[c].tlb_misses);
        F("interrupts", h->core[c].interrupts);
        F("freq_hz", h->cfg.freq_hz);
#undef F
        lua_rawseti(L, -2, (lua_Integer)c + 1);
    }
    return 1;
}

/* preset(NAME) -> the preset's figures as its file gives them (a figure
 * with a source is { value, source = ... }), read-only by copy: what a
 * calibration starts from. [-0, +1, e] */
static int l_preset(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    if (!valid_preset_name(name))
        return luaL_error(L, "preset: '%s' is not a preset name (see 'cossim machines')", name);
    GError *err = NULL;
    if (!model_preset_push(L, name, &err))
        return raise_gerror(L, err);
    return 1;
}

int hwlua_open(lua_State *L)
{
    static const luaL_Reg methods[] = {
        { "info", l_info }, { "access", l_access }, { "partition", l_partition },
        { "lock", l_lock }, { "flush", l_flush }, { "counters", l_counters }, { "ps", l_ps },
        { "device", l_device }, { "pending", l_pending }, { NULL, NULL },
    };
    static const luaL_Reg device_methods[] = {
        { "stats", l_device_stats }, { "stop", l_device_stop }, { NULL, NULL },
    };
    luaL_newmetatable(L, MACHINE_MT);
    luaL_newlib(L, methods);
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);
    luaL_newmetatable(L, DEVICE_MT);
    luaL_newlib(L, device_methods);
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);
    lua_pushcfunction(L, l_machine);
    lua_setglobal(L, "machine");
    lua_pushcfunction(L, l_preset);
    lua_setglobal(L, "preset");
    return 0;
}

hw *hwlua_check(lua_State *L, int idx)
{
    hw **p = luaL_checkudata(L, idx, MACHINE_MT);
    check_live(L, "machine");
    if (*p == NULL)
        luaL_error(L, "machine: not built");
    return *p;
}
