/* model/machine.c: reading machine presets (see machine.h, docs/machines.md). */
#include "machine.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <glib/gstdio.h>
#include <lauxlib.h>

#include "cossim-config.h"
#include "sim/lua.h"
#include "irq.h"

G_DEFINE_QUARK(model-error-quark, model_error)

static const char *const cost_names[MODEL_COSTS] = {
    "syscall_entry", "syscall_exit", "exception_entry", "exception_exit",
    "irq_entry", "irq_exit", "irq_tail_chain", "pt_switch",
    "tlb_flush_all", "tlb_flush_asid", "tlb_flush_addr", "mpu_region_write",
    "ipi_send", "timer_program", "fpu_save", "fpu_restore", "atomic_rmw",
};

const char *model_cost_name(model_cost c)
{
    return c < MODEL_COSTS ? cost_names[c] : "?";
}

static const char *const arch_names[] = { "x86_64", "armv7-a", "armv8-a", "armv7-m", "armv7e-m", "armv8-m", "i386", NULL };
static const char *const irq_names[] = { "lapic", "gic", "nvic", "gicv3", NULL };
static const char *const timer_names[] = { "tsc-deadline", "arm-generic", "arm-private", "systick", NULL };
static const char *const mpu_names[] = { "v7m", "v8m", NULL };
static const char *const policy_names[] = { "lru", "pseudo-lru", "fifo", "random", NULL };
static const char *const write_names[] = { "back", "through", "none", NULL };

const char *model_arch_name(model_arch a)
{
    return (unsigned)a < G_N_ELEMENTS(arch_names) - 1 ? arch_names[a] : "?";
}

/* ---- the reader: walks a Lua table against the schema ---- */

typedef struct rd {
    lua_State *L;
    const char *what;          /* the preset, for messages */
    char path[128];            /* the table being read, e.g. "caches.l1d" */
    const char *source;        /* inherited source of the table being read */
    GPtrArray *figures;
    GError **error;
    bool failed;
} rd;

static void fail(rd *r, const char *key, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static void fail(rd *r, const char *key, const char *fmt, ...)
{
    if (r->failed)
        return;
    r->failed = true;
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error(r->error, MODEL_ERROR, MODEL_ERROR_PRESET, "%s: %s%s%s: %s", r->what, r->path,
                r->path[0] && key ? "." : "", key ? key : "", msg);
}

/* Refuse keys of the table at t that are not in `allowed`, naming the
 * first unknown one by name (sim/lua.h: the same key on every run). */
static void check_keys(rd *r, int t, const char *const *allowed)
{
    if (r->failed)
        return;
    g_autofree char *who = r->path[0] ? g_strdup_printf("%s: %s", r->what, r->path) : g_strdup(r->what);
    GError *e = NULL;
    if (!simlua_only_keys(r->L, t, who, allowed, &e)) {
        r->failed = true;
        g_set_error_literal(r->error, MODEL_ERROR, MODEL_ERROR_PRESET, e->message);
        g_error_free(e);
    }
}

/* Enter subtable `key` of the table at t: pushes it and returns its index,
 * or 0 (nothing pushed) when absent.  Sets the path and inherited source. */
typedef struct saved { char path[128]; const char *source; } saved;

static int enter(rd *r, int t, const char *key, saved *sv)
{
    lua_State *L = r->L;
    lua_getfield(L, t, key);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        return 0;
    }
    if (!lua_istable(L, -1)) {
        fail(r, key, "must be a table, not a %s", luaL_typename(L, -1));
        lua_pop(L, 1);
        return 0;
    }
    memcpy(sv->path, r->path, sizeof sv->path);
    sv->source = r->source;
    if (r->path[0])
        g_strlcat(r->path, ".", sizeof r->path);
    g_strlcat(r->path, key, sizeof r->path);
    int idx = lua_gettop(L);
    lua_getfield(L, idx, "source");
    if (lua_type(L, -1) == LUA_TSTRING)
        r->source = lua_tostring(L, -1);     /* anchored by the table */
    lua_pop(L, 1);
    return idx;
}

static void leave(rd *r, int idx, const saved *sv)
{
    memcpy(r->path, sv->path, sizeof r->path);
    r->source = sv->source;
    lua_remove(r->L, idx);
}

/* Push the value of figure `key` (unwrapping { value, source = ... });
 * record it with its source.  Returns false (nothing pushed) if absent. */
static bool figure(rd *r, int t, const char *key, bool required)
{
    lua_State *L = r->L;
    lua_getfield(L, t, key);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        if (required)
            fail(r, key, "is required");
        return false;
    }
    const char *source = r->source;
    bool calibrated = false;
    if (lua_istable(L, -1)) {
        int f = lua_gettop(L);
        static const char *const fig_keys[] = { "source", "calibrated", NULL };
        /* allowed: [1], source, calibrated */
        lua_pushnil(L);
        while (lua_next(L, f)) {
            lua_pop(L, 1);
            bool ok = lua_isinteger(L, -1) && lua_tointeger(L, -1) == 1;
            for (int i = 0; !ok && fig_keys[i]; i++)
                ok = lua_type(L, -1) == LUA_TSTRING && strcmp(lua_tostring(L, -1), fig_keys[i]) == 0;
            if (!ok) {
                lua_pop(L, 2);
                fail(r, key, "a figure is { value, source = \"...\" } or { value, calibrated = \"...\" }");
                return false;
            }
        }
        lua_getfield(L, f, "source");
        lua_getfield(L, f, "calibrated");
        if (lua_type(L, -1) == LUA_TSTRING) {
            source = lua_tostring(L, -1);
            calibrated = true;
        } else if (lua_type(L, -2) == LUA_TSTRING) {
            source = lua_tostring(L, -2);
        }
        lua_pop(L, 2);
        lua_rawgeti(L, f, 1);
        lua_remove(L, f);
        if (lua_isnil(L, -1)) {
            lua_pop(L, 1);
            fail(r, key, "a figure table needs its value first: { value, source = \"...\" }");
            return false;
        }
    }
    if (source == NULL || *source == '\0') {
        lua_pop(L, 1);
        fail(r, key, "has no source (give { value, source = \"...\" } or a source for the table)");
        return false;
    }
    model_figure *fg = g_new0(model_figure, 1);
    fg->path = g_strdup_printf("%s%s%s", r->path, r->path[0] ? "." : "", key);
    if (lua_type(L, -1) == LUA_TNUMBER) {
        if (lua_isinteger(L, -1))
            fg->value = g_strdup_printf("%lld", (long long)lua_tointeger(L, -1));
        else
            fg->value = g_strdup_printf("%.10g", lua_tonumber(L, -1));
    } else if (lua_type(L, -1) == LUA_TBOOLEAN) {
        fg->value = g_strdup(lua_toboolean(L, -1) ? "true" : "false");
    } else {
        fg->value = g_strdup(lua_tostring(L, -1) ? lua_tostring(L, -1) : "?");
    }
    fg->source = g_strdup(source);
    fg->calibrated = calibrated;
    g_ptr_array_add(r->figures, fg);
    return true;
}

static bool whole(lua_State *L, int idx, uint64_t *out)
{
    if (lua_isinteger(L, idx)) {
        lua_Integer v = lua_tointeger(L, idx);
        if (v < 0)
            return false;
        *out = (uint64_t)v;
        return true;
    }
    if (lua_type(L, idx) == LUA_TNUMBER) {
        double d = lua_tonumber(L, idx);
        if (!(d >= 0 && d < 0x1p63 && d == floor(d)))
            return false;
        *out = (uint64_t)d;
        return true;
    }
    return false;
}

/* An integer figure in [lo, hi]. */
static uint64_t get_int(rd *r, int t, const char *key, bool required, uint64_t lo, uint64_t hi, uint64_t dflt)
{
    if (!figure(r, t, key, required))
        return dflt;
    uint64_t v = 0;
    if (!whole(r->L, -1, &v) || v < lo || v > hi)
        fail(r, key, "must be a whole number from %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT, lo, hi);
    lua_pop(r->L, 1);
    return v;
}

/* A size: bytes, or "32K", "512K", "1M", "4G" (binary). */
static uint64_t get_size(rd *r, int t, const char *key, bool required)
{
    if (!figure(r, t, key, required))
        return 0;
    uint64_t v = 0;
    lua_State *L = r->L;
    if (lua_type(L, -1) == LUA_TSTRING) {
        const char *s = lua_tostring(L, -1);
        char *end = NULL;
        guint64 n = g_ascii_strtoull(s, &end, 10);
        int shift = -1;
        if (end != s) {
            if (*end == '\0')
                shift = 0;
            else if (end[1] == '\0' || (end[1] == 'B' && end[2] == '\0') || (end[1] == 'i' && end[2] == 'B' && end[3] == '\0'))
                shift = *end == 'K' ? 10 : *end == 'M' ? 20 : *end == 'G' ? 30 : -1;
        }
        if (shift < 0 || n > (UINT64_MAX >> shift))
            fail(r, key, "'%s' is not a size (bytes, or a number with K, M or G)", s);
        else
            v = n << shift;
    } else if (!whole(L, -1, &v)) {
        fail(r, key, "must be a size (bytes, or a string such as \"32K\")");
    }
    lua_pop(L, 1);
    return v;
}

static sim_time_t get_time(rd *r, int t, const char *key, bool required)
{
    if (!figure(r, t, key, required))
        return 0;
    sim_time_t v = 0;
    int64_t tv;
    GError *e = NULL;
    if (simlua_time_value(r->L, -1, &tv)) {          /* sim.time("80ns") in an override */
        if (tv < 0)
            fail(r, key, "a time cannot be negative");
        v = tv < 0 ? 0 : (sim_time_t)tv;
    } else if (lua_isinteger(r->L, -1)) {
        char hint[128];
        fail(r, key, "%s has no unit (%s)", lua_tostring(r->L, -1),
             simt_unit_hint((int64_t)lua_tointeger(r->L, -1), hint, sizeof hint));
    } else if (lua_type(r->L, -1) == LUA_TNUMBER)
        fail(r, key, "%s has no unit (write e.g. \"%sus\"; units: ps, ns, us, ms, s)",
             lua_tostring(r->L, -1), lua_tostring(r->L, -1));
    else if (lua_type(r->L, -1) != LUA_TSTRING)
        fail(r, key, "must be a time with a unit, e.g. \"80ns\"");
    else if (!simt_parse(lua_tostring(r->L, -1), &v, &e)) {
        fail(r, key, "%s", e->message);
        g_error_free(e);
    }
    lua_pop(r->L, 1);
    return v;
}

static double get_real(rd *r, int t, const char *key, bool required, double lo, double hi)
{
    if (!figure(r, t, key, required))
        return 0;
    double v = lua_tonumber(r->L, -1);
    if (lua_type(r->L, -1) != LUA_TNUMBER || !(v >= lo && v <= hi))
        fail(r, key, "must be a number from %g to %g", lo, hi);
    lua_pop(r->L, 1);
    return v;
}

static int get_enum(rd *r, int t, const char *key, bool required, const char *const *names, int dflt)
{
    if (!figure(r, t, key, required))
        return dflt;
    const char *s = lua_type(r->L, -1) == LUA_TSTRING ? lua_tostring(r->L, -1) : "";
    int found = -1;
    for (int i = 0; names[i]; i++)
        if (strcmp(names[i], s) == 0)
            found = i;
    if (found < 0) {
        g_autoptr(GString) all = g_string_new(NULL);
        for (int i = 0; names[i]; i++)
            g_string_append_printf(all, "%s%s", i ? ", " : "", names[i]);
        fail(r, key, "'%s' is not one of %s", s, all->str);
        found = dflt;
    }
    lua_pop(r->L, 1);
    return found;
}

/* Push field `key`, unwrapping a { value, source = ... } table (a
 * scenario's override of a setting arrives that way). */
static void get_plain(rd *r, int t, const char *key)
{
    lua_getfield(r->L, t, key);
    if (lua_istable(r->L, -1)) {
        lua_rawgeti(r->L, -1, 1);
        lua_remove(r->L, -2);
    }
}

static bool get_bool(rd *r, int t, const char *key, bool dflt)
{
    get_plain(r, t, key);
    bool v = dflt;
    if (lua_isboolean(r->L, -1))
        v = lua_toboolean(r->L, -1);
    else if (!lua_isnil(r->L, -1))
        fail(r, key, "must be true or false");
    lua_pop(r->L, 1);
    return v;
}

static char *get_string(rd *r, int t, const char *key, bool required)
{
    get_plain(r, t, key);
    char *v = NULL;
    if (lua_type(r->L, -1) == LUA_TSTRING)
        v = g_strdup(lua_tostring(r->L, -1));
    else if (!lua_isnil(r->L, -1) || required)
        fail(r, key, lua_isnil(r->L, -1) ? "is required" : "must be a string");
    lua_pop(r->L, 1);
    return v;
}

/* ---- sections ---- */

static void read_cache(rd *r, int t, const char *key, hwcache_config *c, bool *present, bool *shared, bool *per_socket)
{
    saved sv;
    int s = enter(r, t, key, &sv);
    *present = s != 0;
    if (!s)
        return;
    static const char *const keys[] = { "size", "ways", "line", "hit_cycles", "replacement", "write", "shared", "source", NULL };
    check_keys(r, s, keys);
    c->size = get_size(r, s, "size", true);
    c->ways = (unsigned)get_int(r, s, "ways", true, 1, 64, 1);
    c->line = (unsigned)get_int(r, s, "line", true, 4, 4096, 64);
    c->hit_cycles = (unsigned)get_int(r, s, "hit_cycles", true, 0, 100000, 1);
    c->policy = (hwcache_policy)get_enum(r, s, "replacement", true, policy_names, 0);
    int w = get_enum(r, s, "write", false, write_names, 0);
    c->write_back = w == 0;
    if (w == 2 && strcmp(key, "l1i") != 0)
        fail(r, "write", "\"none\" is for an instruction cache; a data cache writes back or through");
    if (shared) {
        /* true: one for every core; "socket": one per socket (cluster) */
        get_plain(r, s, "shared");
        *shared = lua_toboolean(r->L, -1);
        *per_socket = lua_type(r->L, -1) == LUA_TSTRING && strcmp(lua_tostring(r->L, -1), "socket") == 0;
        if (*per_socket)
            *shared = true;
        else if (!lua_isboolean(r->L, -1) && !lua_isnil(r->L, -1))
            fail(r, "shared", "must be true, false or \"socket\" (one per socket or cluster)");
        lua_pop(r->L, 1);
    }
    if (!r->failed) {
        GError *e = NULL;
        if (!hwcache_config_check(c, r->path, &e)) {
            r->failed = true;
            g_set_error(r->error, MODEL_ERROR, MODEL_ERROR_PRESET, "%s: %s", r->what, e->message);
            g_error_free(e);
        }
    }
    leave(r, s, &sv);
}

static void read_tlb_level(rd *r, int t, const char *key, model_tlb_level *l)
{
    saved sv;
    int s = enter(r, t, key, &sv);
    if (!s)
        return;
    static const char *const keys[] = { "entries", "ways", "source", NULL };
    check_keys(r, s, keys);
    l->entries = (unsigned)get_int(r, s, "entries", true, 1, 1 << 16, 1);
    l->ways = (unsigned)get_int(r, s, "ways", true, 1, 1 << 16, 1);
    if (!r->failed && (l->entries % l->ways || (l->entries / l->ways & (l->entries / l->ways - 1))))
        fail(r, "ways", "%u entries in %u ways is not a power-of-two number of sets", l->entries, l->ways);
    leave(r, s, &sv);
}

static void read_config(rd *r, int top, model_config *cfg)
{
    static const char *const top_keys[] = { "name", "description", "arch", "source", "cores", "sockets", "frequency_hz",
                                            "memory", "caches", "tlb", "mpu", "irq", "timer", "costs", NULL };
    check_keys(r, top, top_keys);
    lua_getfield(r->L, top, "source");
    if (lua_type(r->L, -1) == LUA_TSTRING)
        r->source = lua_tostring(r->L, -1);
    lua_pop(r->L, 1);
    cfg->name = get_string(r, top, "name", true);
    cfg->description = get_string(r, top, "description", false);
    cfg->arch = (model_arch)get_enum(r, top, "arch", true, arch_names, 0);
    cfg->cores = (unsigned)get_int(r, top, "cores", true, 1, HWMEM_MAX_CORES, 1);
    cfg->sockets = (unsigned)get_int(r, top, "sockets", false, 1, HWMEM_MAX_SOCKETS, 1);
    if (!r->failed && cfg->cores % cfg->sockets != 0)
        fail(r, "sockets", "%u does not divide the %u cores (every socket has as many)", cfg->sockets, cfg->cores);
    cfg->freq_hz = get_int(r, top, "frequency_hz", true, 1, UINT64_C(100000000000), 1);
    bool m_profile = cfg->arch == MODEL_ARMV7M || cfg->arch == MODEL_ARMV7EM || cfg->arch == MODEL_ARMV8M;
    hwmem_config *m = &cfg->mem;
    m->cores = cfg->cores;
    m->sockets = cfg->sockets;
    m->freq_hz = cfg->freq_hz;

    saved sv;
    int s = enter(r, top, "memory", &sv);
    if (!s) {
        fail(r, "memory", "is required");
    } else {
        static const char *const keys[] = { "size", "dram_latency", "bus", "coherence_transfer_cycles",
                                            "socket_transfer_cycles", "source", NULL };
        check_keys(r, s, keys);
        m->size = get_size(r, s, "size", true);
        m->mem_latency = get_time(r, s, "dram_latency", true);
        if (m->mem_latency > SIM_MS)
            fail(r, "dram_latency", "more than 1ms is not a memory latency");
        m->coherence_cycles = (unsigned)get_int(r, s, "coherence_transfer_cycles", cfg->cores > 1, 0, 100000, 0);
        m->socket_cycles = (unsigned)get_int(r, s, "socket_transfer_cycles", cfg->sockets > 1, 0, 100000, 0);
        saved sb;
        int b = enter(r, s, "bus", &sb);
        if (b) {
            static const char *const bkeys[] = { "line_transfer", "source", NULL };
            check_keys(r, b, bkeys);
            m->bus_line = get_time(r, b, "line_transfer", true);
            if (m->bus_line > SIM_MS)
                fail(r, "line_transfer", "more than 1ms is not a line transfer");
            leave(r, b, &sb);
        }
        leave(r, s, &sv);
    }

    s = enter(r, top, "caches", &sv);
    if (s) {
        static const char *const keys[] = { "l1i", "l1d", "l2", "l3", "source", NULL };
        check_keys(r, s, keys);
        bool has_i = false, has_d = false;
        read_cache(r, s, "l1i", &m->l1i, &has_i, NULL, NULL);
        read_cache(r, s, "l1d", &m->l1d, &has_d, NULL, NULL);
        if (has_i != has_d)
            fail(r, has_i ? "l1d" : "l1i", "l1i and l1d come together");
        m->has_l1 = has_i && has_d;
        static const char *const outer[] = { "l2", "l3" };
        for (int k = 0; k < 2; k++) {
            bool present = false, shared = false, per_socket = false;
            hwcache_config c = { 0 };
            read_cache(r, s, outer[k], &c, &present, &shared, &per_socket);
            if (!present)
                continue;
            if (k == 1 && m->nouter == 0)
                fail(r, "l3", "an l3 needs an l2");
            hwmem_outer_config *o = &m->outer[m->nouter++];
            o->cache = c;
            o->shared = shared;
            o->per_socket = per_socket;
            g_strlcpy(o->name, outer[k], sizeof o->name);
        }
        leave(r, s, &sv);
    }

    s = enter(r, top, "tlb", &sv);
    cfg->has_tlb = s != 0;
    if (s) {
        if (m_profile)
            fail(r, NULL, "a Cortex-M has no MMU, so no TLB");
        static const char *const keys[] = { "itlb", "dtlb", "l2tlb", "asid", "source", NULL };
        check_keys(r, s, keys);
        read_tlb_level(r, s, "itlb", &cfg->itlb);
        read_tlb_level(r, s, "dtlb", &cfg->dtlb);
        read_tlb_level(r, s, "l2tlb", &cfg->l2tlb);
        cfg->asid = get_bool(r, s, "asid", true);
        if (!r->failed && cfg->asid && cfg->arch == MODEL_I386)
            fail(r, "asid", "32-bit paging has no PCIDs (SDM vol. 3A 4.10.1: CR4.PCIDE needs IA-32e mode)");
        leave(r, s, &sv);
    } else if (!m_profile) {
        fail(r, "tlb", "is required for %s", model_arch_name(cfg->arch));
    }

    s = enter(r, top, "mpu", &sv);
    cfg->has_mpu = s != 0;
    if (s) {
        if (!m_profile)
            fail(r, NULL, "only the M profile has an MPU in this model");
        static const char *const keys[] = { "arch", "regions", "source", NULL };
        check_keys(r, s, keys);
        cfg->mpu_kind = (model_mpu_kind)get_enum(r, s, "arch", true, mpu_names, 0);
        if (!r->failed && (cfg->mpu_kind == MODEL_MPU_V8M) != (cfg->arch == MODEL_ARMV8M))
            fail(r, "arch", "a %s core has the %s MPU", model_arch_name(cfg->arch),
                 cfg->arch == MODEL_ARMV8M ? "v8m" : "v7m");
        unsigned most = cfg->mpu_kind == MODEL_MPU_V7M ? 16 : 16;
        cfg->mpu_regions = (unsigned)get_int(r, s, "regions", true, 0, most, 8);
        if (!r->failed && cfg->mpu_regions != 0 && cfg->mpu_regions != 8 && cfg->mpu_regions != 16)
            fail(r, "regions", "%u regions: the architecture allows 0, 8 or 16", cfg->mpu_regions);
        leave(r, s, &sv);
    }

    s = enter(r, top, "irq", &sv);
    if (!s) {
        fail(r, "irq", "is required");
    } else {
        static const char *const keys[] = { "controller", "lines", "ipi_latency", "priority_bits", "source", NULL };
        check_keys(r, s, keys);
        cfg->irq = (model_irq_kind)get_enum(r, s, "controller", true, irq_names, 0);
        cfg->irq_lines = (unsigned)get_int(r, s, "lines", true, 1, 1024, 1);
        cfg->ipi_latency = get_time(r, s, "ipi_latency", cfg->cores > 1);
        if (cfg->ipi_latency > SIM_S)
            fail(r, "ipi_latency", "more than 1s is not an IPI latency");
        cfg->irq_prio_bits = (unsigned)get_int(r, s, "priority_bits", false, 1, 8, 0);
        if (!r->failed && (cfg->irq == MODEL_IRQ_NVIC) != m_profile)
            fail(r, "controller", "%s does not go with %s", irq_names[cfg->irq], model_arch_name(cfg->arch));
        if (!r->failed && cfg->irq == MODEL_IRQ_GIC && cfg->cores > HWIRQ_GIC_MAX_CORES)
            fail(r, "controller", "a GICv2 (\"gic\") has at most %u CPU interfaces, and the machine has %u cores: "
                 "irq = { controller = \"gicv3\" } has one redistributor per core", HWIRQ_GIC_MAX_CORES, cfg->cores);
        leave(r, s, &sv);
    }

    s = enter(r, top, "timer", &sv);
    if (!s) {
        fail(r, "timer", "is required");
    } else {
        static const char *const keys[] = { "kind", "frequency_hz", "source", NULL };
        check_keys(r, s, keys);
        cfg->timer = (model_timer_kind)get_enum(r, s, "kind", true, timer_names, 0);
        cfg->timer_freq_hz = get_int(r, s, "frequency_hz", true, 1, UINT64_C(100000000000), 1);
        leave(r, s, &sv);
    }

    s = enter(r, top, "costs", &sv);
    if (!s) {
        fail(r, "costs", "is required");
    } else {
        const char *keys[MODEL_COSTS + 3];
        for (int i = 0; i < MODEL_COSTS; i++)
            keys[i] = cost_names[i];
        keys[MODEL_COSTS] = "cpi";
        keys[MODEL_COSTS + 1] = "source";
        keys[MODEL_COSTS + 2] = NULL;
        check_keys(r, s, keys);
        cfg->cpi = get_real(r, s, "cpi", true, 0.05, 100);
        for (int i = 0; i < MODEL_COSTS; i++) {
            bool required = i == MODEL_COST_SYSCALL_ENTRY || i == MODEL_COST_SYSCALL_EXIT ||
                            i == MODEL_COST_IRQ_ENTRY || i == MODEL_COST_IRQ_EXIT;
            cfg->cost[i] = get_int(r, s, cost_names[i], required, 0, 10000000, 0);
        }
        leave(r, s, &sv);
    }

    if (!r->failed) {
        GError *e = NULL;
        if (!hwmem_config_check(m, &e)) {
            r->failed = true;
            g_set_error(r->error, MODEL_ERROR, MODEL_ERROR_PRESET, "%s: %s", r->what, e->message);
            g_error_free(e);
        }
    }
}

static void free_figure(gpointer p)
{
    model_figure *f = p;
    g_free(f->path);
    g_free(f->value);
    g_free(f->source);
    g_free(f);
}

void model_config_clear(model_config *cfg)
{
    g_free(cfg->name);
    g_free(cfg->description);
    if (cfg->figures)
        g_ptr_array_free(cfg->figures, TRUE);
    memset(cfg, 0, sizeof *cfg);
}

bool model_config_from_lua(lua_State *L, int idx, const char *what, model_config *cfg, GError **error)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->figures = g_ptr_array_new_with_free_func(free_figure);
    idx = lua_absindex(L, idx);
    if (!lua_istable(L, idx)) {
        g_set_error(error, MODEL_ERROR, MODEL_ERROR_PRESET, "%s: a machine is a table", what);
        return false;
    }
    rd r = { .L = L, .what = what, .figures = cfg->figures, .error = error };
    int top = lua_gettop(L);
    read_config(&r, idx, cfg);
    lua_settop(L, top);
    if (r.failed) {
        model_config_clear(cfg);
        return false;
    }
    return true;
}

/* ---- finding and loading presets ---- */

const char *model_preset_dir(void)
{
    const char *env = g_getenv("COSSIM_PRESETS");
    if (env && *env)
        return env;
    if (g_file_test(COSSIM_SOURCE_PRESETS, G_FILE_TEST_IS_DIR))
        return COSSIM_SOURCE_PRESETS;
    return COSSIM_INSTALLED_PRESETS;
}

char **model_preset_names(void)
{
    GPtrArray *names = g_ptr_array_new();
    GDir *d = g_dir_open(model_preset_dir(), 0, NULL);
    const char *n;
    while (d && (n = g_dir_read_name(d)))
        if (g_str_has_suffix(n, ".lua"))
            g_ptr_array_add(names, g_strndup(n, strlen(n) - 4));
    if (d)
        g_dir_close(d);
    for (guint i = 1; i < names->len; i++)
        for (guint j = i; j > 0 && strcmp(names->pdata[j - 1], names->pdata[j]) > 0; j--) {
            gpointer x = names->pdata[j];
            names->pdata[j] = names->pdata[j - 1];
            names->pdata[j - 1] = x;
        }
    g_ptr_array_add(names, NULL);
    return (char **)g_ptr_array_free(names, FALSE);
}

/* A preset is data: it runs with an empty environment and a small
 * instruction budget. */
static void preset_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    luaL_error(L, "a preset is data: it ran too long");
}

static bool is_alias(lua_State *L, int t)
{
    bool yes = lua_getfield(L, t, "alias") == LUA_TSTRING;
    lua_pop(L, 1);
    return yes;
}

/* Run one preset file and push the table it returns [-0, +1 on success]. */
static bool push_file(lua_State *L, const char *name, GError **error)
{
    g_autofree char *path = NULL;
    if (g_str_has_suffix(name, ".lua") || strchr(name, '/'))
        path = g_strdup(name);
    else
        path = g_strdup_printf("%s/%s.lua", model_preset_dir(), name);
    g_autofree char *text = NULL;
    gsize len = 0;
    GStatBuf st;
    /* a preset is a small regular file (not a device, not a pipe) */
    bool ok_file = g_stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size <= (1 << 20);
    if (!ok_file || !g_file_get_contents(path, &text, &len, NULL)) {
        g_auto(GStrv) names = model_preset_names();
        g_autofree char *list = g_strjoinv(", ", names);
        g_set_error(error, MODEL_ERROR, MODEL_ERROR_PRESET, "no machine preset '%s' (presets: %s)", name, list);
        return false;
    }
    g_autofree char *chunk = g_strconcat("@", path, NULL);
    int top = lua_gettop(L);
    if (luaL_loadbufferx(L, text, len, chunk, "t") != LUA_OK) {
        g_set_error(error, MODEL_ERROR, MODEL_ERROR_PRESET, "%s", lua_tostring(L, -1));
        lua_settop(L, top);
        return false;
    }
    lua_newtable(L);                       /* the environment: nothing */
    lua_setupvalue(L, -2, 1);
    /* a state of our own gets a budget; a scenario's keeps its own hook */
    bool own_hook = lua_gethook(L) == NULL;
    if (own_hook)
        lua_sethook(L, preset_hook, LUA_MASKCOUNT, 1000000);
    int rc = lua_pcall(L, 0, 1, 0);
    if (own_hook)
        lua_sethook(L, NULL, 0, 0);
    if (rc != LUA_OK || !lua_istable(L, -1)) {
        g_set_error(error, MODEL_ERROR, MODEL_ERROR_PRESET, "%s: %s", path,
                    rc != LUA_OK ? lua_tostring(L, -1) : "a preset must return a table");
        lua_settop(L, top);
        return false;
    }
    return true;
}

/* A preset may be another's second name: `return { name = "cortex-a9",
 * alias = "zynq7000" }` (and nothing else) is preset zynq7000's table
 * with its name replaced, so a run on the old name is named, and traced,
 * as before.  An alias of an alias is refused. */
bool model_preset_push(lua_State *L, const char *name, GError **error)
{
    if (!push_file(L, name, error))
        return false;
    int t = lua_gettop(L);
    if (!is_alias(L, t))
        return true;
    lua_pushnil(L);
    while (lua_next(L, t)) {
        const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "";
        if (strcmp(k, "name") != 0 && strcmp(k, "alias") != 0) {
            g_set_error(error, MODEL_ERROR, MODEL_ERROR_PRESET,
                        "preset %s: an alias has a name and an alias only ('%s' is extra)", name, k);
            lua_settop(L, t - 1);
            return false;
        }
        lua_pop(L, 1);
    }
    lua_getfield(L, t, "name");
    lua_getfield(L, t, "alias");
    g_autofree char *target = g_strdup(lua_tostring(L, -1));
    bool named = lua_type(L, -2) == LUA_TSTRING;
    if (!named || strchr(target, '/') || g_str_has_suffix(target, ".lua")) {
        g_set_error(error, MODEL_ERROR, MODEL_ERROR_PRESET,
                    "preset %s: an alias needs a name and the name of a preset in the same folder", name);
        lua_settop(L, t - 1);
        return false;
    }
    /* the target sits beside the alias: in the preset folder, or in the
     * folder of an alias given by path */
    g_autofree char *tpath = NULL;
    if (g_str_has_suffix(name, ".lua") || strchr(name, '/')) {
        g_autofree char *d = g_path_get_dirname(name);
        tpath = g_strdup_printf("%s/%s.lua", d, target);
    }
    if (!push_file(L, tpath ? tpath : target, error)) {
        lua_settop(L, t - 1);
        return false;
    }
    if (is_alias(L, -1)) {
        g_set_error(error, MODEL_ERROR, MODEL_ERROR_PRESET, "preset %s: %s is an alias itself", name, target);
        lua_settop(L, t - 1);
        return false;
    }
    lua_pushvalue(L, -3);                  /* the alias's name */
    lua_setfield(L, -2, "name");
    lua_getfield(L, -1, "description");    /* listed as what it is */
    lua_pushfstring(L, "another name for %s: %s", target, lua_isstring(L, -1) ? lua_tostring(L, -1) : "");
    lua_setfield(L, -3, "description");
    lua_pop(L, 1);
    lua_replace(L, t);                     /* the target's table, renamed, where the alias's was */
    lua_settop(L, t);
    return true;
}

/* Mark a table a scenario added (and the tables in it) as the scenario's. */
static void mark_scenario(lua_State *L, int t)
{
    t = lua_absindex(L, t);
    luaL_checkstack(L, 4, "model_preset_merge");
    if (lua_getfield(L, t, "source") == LUA_TNIL && lua_getfield(L, t, "calibrated") == LUA_TNIL) {
        lua_pushliteral(L, "set by the scenario");
        lua_setfield(L, t, "source");
    } else if (lua_rawlen(L, t) == 0) {
        /* a settings table with its own source: keep it */
    }
    lua_settop(L, t);
    lua_pushnil(L);
    while (lua_next(L, t)) {
        if (lua_istable(L, -1) && lua_rawlen(L, -1) == 0)
            mark_scenario(L, -1);
        lua_pop(L, 1);
    }
}

/* Keys whose values are text about the machine, not figures. */
static bool is_prose(lua_State *L, int k)
{
    if (lua_type(L, k) != LUA_TSTRING)
        return false;
    const char *s = lua_tostring(L, k);
    return strcmp(s, "source") == 0 || strcmp(s, "name") == 0 || strcmp(s, "description") == 0 ||
           strcmp(s, "calibrated") == 0;
}

static void merge(lua_State *L, int base, int over);

/* A whole number from a figure, plain or { n, source = ... }; 0 if none. */
static lua_Integer figure_int(lua_State *L, int t, const char *key)
{
    lua_getfield(L, t, key);
    if (lua_istable(L, -1)) {
        lua_rawgeti(L, -1, 1);
        lua_remove(L, -2);
    }
    lua_Integer v = lua_isinteger(L, -1) ? lua_tointeger(L, -1) : 0;
    lua_pop(L, 1);
    return v;
}

void model_preset_merge(lua_State *L, int base, int over)
{
    base = lua_absindex(L, base);
    over = lua_absindex(L, over);
    luaL_checkstack(L, 8, "model_preset_merge");
    /* A scenario that sets cores but not sockets on a preset of several
     * sockets (xeon-e7-4850) keeps the preset's cores per socket: cores /
     * per sockets when that divides, else one socket (a smaller machine of
     * the same part), rather than an error for every scenario that asks
     * for one core. */
    lua_getfield(L, over, "cores");
    lua_getfield(L, over, "sockets");
    bool fix = !lua_isnil(L, -2) && lua_isnil(L, -1);
    lua_pop(L, 2);
    lua_Integer c0 = figure_int(L, base, "cores"), s0 = figure_int(L, base, "sockets");
    merge(L, base, over);
    if (!fix || s0 <= 1 || c0 % s0 != 0)
        return;
    lua_Integer per = c0 / s0, n = figure_int(L, base, "cores");
    lua_Integer s = n > 0 && n % per == 0 ? n / per : 1;
    lua_createtable(L, 1, 1);
    lua_pushinteger(L, s);
    lua_rawseti(L, -2, 1);
    lua_pushfstring(L, "derived: the scenario's %I cores at the preset's %I cores per socket "
                       "(one socket when they do not fill whole sockets)", (LUAI_UACINT)n, (LUAI_UACINT)per);
    lua_setfield(L, -2, "source");
    lua_setfield(L, base, "sockets");
}

static void merge(lua_State *L, int base, int over)
{
    base = lua_absindex(L, base);
    over = lua_absindex(L, over);
    luaL_checkstack(L, 8, "model_preset_merge");
    lua_pushnil(L);
    while (lua_next(L, over)) {
        /* key at -2, value at -1 */
        lua_pushvalue(L, -2);
        lua_rawget(L, base);                    /* the base's value */
        if (lua_istable(L, -1) && lua_istable(L, -2) && lua_rawlen(L, -2) == 0) {
            /* a table of settings over a table: merge (a figure written as
             * { value, source = ... } replaces instead) */
            merge(L, -1, -2);
            lua_pop(L, 2);
            continue;
        }
        bool absent = lua_isnil(L, -1);
        lua_pop(L, 1);
        lua_pushvalue(L, -2);
        lua_pushvalue(L, -2);
        if (lua_type(L, -1) == LUA_TTABLE) {
            if (absent && lua_rawlen(L, -1) == 0)
                mark_scenario(L, -1);           /* a new section: the scenario's figures */
        } else if (!is_prose(L, -2)) {
            /* a plain value from a scenario: it carries its own source */
            lua_createtable(L, 1, 1);
            lua_insert(L, -2);
            lua_rawseti(L, -2, 1);
            lua_pushliteral(L, "set by the scenario");
            lua_setfield(L, -2, "source");
        }
        lua_rawset(L, base);
        lua_pop(L, 1);
    }
}

bool model_config_load(const char *name, model_config *cfg, GError **error)
{
    lua_State *L = luaL_newstate();
    if (L == NULL) {
        g_set_error(error, MODEL_ERROR, MODEL_ERROR_PRESET, "out of memory");
        return false;
    }
    bool ok = model_preset_push(L, name, error) && model_config_from_lua(L, -1, name, cfg, error);
    lua_close(L);
    return ok;
}

/* ---- `cossim machines` ---- */
