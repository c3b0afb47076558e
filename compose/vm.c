/* compose/vm.c: the `vm` table of scenarios: µCVM's VMs on cossim's kernel
 * (components/implementation/vmm/ucvm; docs/scenarios.md, "Virtual
 * machines").
 *
 *   vm.layout{ machine = m, guests = { {tasks = 2, heap = "8K"}, {bytes = "20K"} }, regions = nil }
 *     -> the layout of each guest's memory in MPU regions and the mix's overhead (no simulation)
 *   vm.fit{ machine = m, guest = {...}, max = nil }
 *     -> boots the kernel with the VMM, which makes VMs of that guest until the memory runs out
 *
 * Above every layer, like compose.c: it reads the guests' descriptions,
 * calls the VMM's layout (pure C) and boots the kernel through kernel/lua.h. */
#include "compose/vm.h"

#include <string.h>
#include <lauxlib.h>

#include "sim/lua.h"
#include "model/lua.h"
#include "kernel/lua.h"
#include "components/images.h"
#include "components/interface/vmm.h"
#include "components/implementation/vmm/ucvm/vmm.h"

/* An optional size field: an integer of bytes or a string with K/M
 * ("20K"); def when absent. */
static uint64_t opt_bytes(lua_State *L, int t, const char *who, const char *key, uint64_t def, uint64_t max)
{
    int ty = lua_getfield(L, t, key);
    uint64_t v = def;
    if (ty == LUA_TNUMBER && lua_isinteger(L, -1) && lua_tointeger(L, -1) >= 0) {
        v = (uint64_t)lua_tointeger(L, -1);
    } else if (ty == LUA_TSTRING) {
        const char *s = lua_tostring(L, -1);
        char *end;
        unsigned long long n = g_ascii_strtoull(s, &end, 10);
        uint64_t mul = 1;
        if (end == s)
            luaL_error(L, "%s: %s must be bytes (an integer, or \"20K\", \"1M\"), not \"%s\"", who, key, s);
        if (*end == 'K' || *end == 'k')
            mul = 1024, end++;
        else if (*end == 'M' || *end == 'm')
            mul = 1024 * 1024, end++;
        if (*end != '\0')
            luaL_error(L, "%s: %s must be bytes (an integer, or \"20K\", \"1M\"), not \"%s\"", who, key, s);
        v = (uint64_t)n * mul;
    } else if (ty != LUA_TNIL) {
        luaL_error(L, "%s: %s must be bytes (an integer, or \"20K\", \"1M\")", who, key);
    }
    if (v > max)
        luaL_error(L, "%s: %s must be at most %I bytes", who, key, (lua_Integer)max);
    lua_pop(L, 1);
    return v;
}

static unsigned opt_uint(lua_State *L, int t, const char *who, const char *key, unsigned def, unsigned max)
{
    return (unsigned)simlua_field_int(L, t, who, key, def, 0, max);
}

/* A guest's description at t: either a guest of the RTOS (tasks, stack,
 * queues, queue_bytes, heap) or a plain demand (bytes, all heap). */
static vml_demand read_guest(lua_State *L, int t, const char *who, vmg_spec *spec, bool *plain)
{
    t = lua_absindex(L, t);
    luaL_checktype(L, t, LUA_TTABLE);
    static const char *const known[] = { "tasks", "stack", "queues", "queue_bytes", "heap", "bytes", NULL };
    simlua_check_keys(L, t, who, known);
    *spec = (vmg_spec){ 0 };
    lua_getfield(L, t, "bytes");
    *plain = !lua_isnil(L, -1);
    lua_pop(L, 1);
    if (*plain) {
        vml_demand d = { 0 };
        d.bytes[VML_HEAP] = opt_bytes(L, t, who, "bytes", 0, UINT64_C(1) << 30);
        return d;
    }
    spec->tasks = opt_uint(L, t, who, "tasks", 0, VMG_MAX_TASKS - 1);
    spec->stack_bytes = (uint32_t)opt_bytes(L, t, who, "stack", 0, 1u << 20);
    if (spec->stack_bytes && (spec->stack_bytes < 256 || (spec->stack_bytes & (spec->stack_bytes - 1))))
        luaL_error(L, "%s: stack must be a power of two of at least 256 bytes", who);
    spec->queues = opt_uint(L, t, who, "queues", 0, VMG_MAX_QUEUES);
    spec->queue_bytes = (uint32_t)opt_bytes(L, t, who, "queue_bytes", 0, 4095);
    spec->heap_bytes = opt_bytes(L, t, who, "heap", 0, 0xFFFFF);
    return vmg_demand(spec);
}

static hw *check_mpu_machine(lua_State *L, int t, const char *who)
{
    if (lua_getfield(L, t, "machine") == LUA_TNIL)
        luaL_error(L, "%s: give the machine, e.g. %s{machine = machine{preset = \"stm32f767\"}, ...}", who, who);
    hw *h = hwlua_check(L, -1);
    if (!h->cfg.has_mpu)
        luaL_error(L, "%s: machine %s has no MPU (VMs are laid out in MPU regions: an M-profile preset)", who,
                   h->cfg.name);
    return h;
}

static void push_layout(lua_State *L, const vml_layout *l, const vml_demand *d)
{
    lua_createtable(L, 0, 6);
    lua_pushinteger(L, (lua_Integer)l->x);
    lua_setfield(L, -2, "x");
    lua_pushinteger(L, (lua_Integer)l->y);
    lua_setfield(L, -2, "y");
    lua_pushnumber(L, vml_overhead(l->x, l->y));
    lua_setfield(L, -2, "overhead");
    static const char *const kinds[VML_KINDS] = { "kernel", "stacks", "heap" };
    lua_createtable(L, 0, VML_KINDS);
    for (unsigned k = 0; k < VML_KINDS; k++) {
        lua_pushinteger(L, (lua_Integer)d->bytes[k]);
        lua_setfield(L, -2, kinds[k]);
    }
    lua_setfield(L, -2, "demand");
    lua_createtable(L, (int)l->nregions, 0);
    for (unsigned i = 0; i < l->nregions; i++) {
        lua_createtable(L, 0, 2);
        lua_pushinteger(L, (lua_Integer)l->region[i].offset);
        lua_setfield(L, -2, "offset");
        lua_pushinteger(L, (lua_Integer)1 << l->region[i].log2);
        lua_setfield(L, -2, "size");
        lua_rawseti(L, -2, i + 1);
    }
    lua_setfield(L, -2, "regions");
}

/* vm.layout{machine, guests, regions} -> {guests = {...}, x, y, overhead, regions} [-0, +1, e] */
static int l_layout(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    static const char *const known[] = { "machine", "guests", "regions", NULL };
    simlua_check_keys(L, 1, "vm.layout", known);
    hw *h = check_mpu_machine(L, 1, "vm.layout");
    vml_rules r = vml_rules_for(h->cfg.mpu_regions, VMM_RESERVED_REGIONS);
    r.regions = opt_uint(L, 1, "vm.layout", "regions", r.regions, VML_MAX_REGIONS);
    if (r.regions == 0)
        return luaL_error(L, "vm.layout: regions must be at least 1");
    if (lua_getfield(L, 1, "guests") != LUA_TTABLE || luaL_len(L, -1) < 1)   /* 3 */
        return luaL_error(L, "vm.layout: guests must be a list of guests, e.g. guests = { {tasks = 2, heap = \"8K\"} }");
    lua_Integer n = luaL_len(L, 3);
    lua_createtable(L, 0, 5);                                       /* 4: the result */
    lua_createtable(L, (int)n, 0);                                  /* 5: its guests */
    uint64_t x = 0, y = 0;
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, 3, i);
        vmg_spec spec;
        bool plain;
        vml_demand d = read_guest(L, -1, "vm.layout", &spec, &plain);
        lua_pop(L, 1);
        vml_layout l;
        if (!vml_lay_out(&d, &r, &l))
            return luaL_error(L, "vm.layout: guest %d does not fit %d regions of at most 1 MiB", (int)i, (int)r.regions);
        if (l.x > h->cfg.mem.size)
            return luaL_error(L, "vm.layout: guest %d takes %I bytes of regions, more than the machine's %I bytes of memory",
                              (int)i, (lua_Integer)l.x, (lua_Integer)h->cfg.mem.size);
        push_layout(L, &l, &d);
        lua_rawseti(L, 5, i);
        x += l.x;
        y += l.y;
    }
    lua_setfield(L, 4, "guests");
    lua_pushinteger(L, (lua_Integer)x);
    lua_setfield(L, 4, "x");
    lua_pushinteger(L, (lua_Integer)y);
    lua_setfield(L, 4, "y");
    lua_pushnumber(L, vml_overhead(x, y));
    lua_setfield(L, 4, "overhead");
    lua_pushinteger(L, r.regions);
    lua_setfield(L, 4, "regions");
    return 1;
}

/* The last value the VMM reported under key (def: none). */
static int64_t report(k_kernel *k, const char *key, int64_t def)
{
    const GArray *a = k_reports(k);
    for (guint i = a->len; i > 0; i--) {
        const k_report *r = &g_array_index(a, k_report, i - 1);
        if (strcmp(r->key, key) == 0)
            return r->value;
    }
    return def;
}

/* vm.fit{machine, guest = {...}, max} -> {vms, x, y, overhead, regions,
 *   memory, kernel, vmm, per_vm, left, system} [-0, +1, e] */
static int l_fit(lua_State *L)
{
    if (!simlua_live(L))
        return luaL_error(L, "vm: the scenario has ended");
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    static const char *const known[] = { "machine", "guest", "max", NULL };
    simlua_check_keys(L, 1, "vm.fit", known);
    hw *h = check_mpu_machine(L, 1, "vm.fit");                      /* 2 */
    if (h->signal)
        return luaL_error(L, "vm.fit: this machine runs a kernel already (give it a machine of its own)");
    if (h->cfg.mpu_regions != 8 && h->cfg.mpu_regions != 16)
        return luaL_error(L, "vm.fit: the VMM knows MPUs of 8 or 16 regions, not %d", (int)h->cfg.mpu_regions);
    vmg_spec spec = { 0 };
    bool plain = false;
    if (lua_getfield(L, 1, "guest") != LUA_TNIL)                    /* 3 */
        (void)read_guest(L, 3, "vm.fit", &spec, &plain);
    if (plain)
        return luaL_error(L, "vm.fit: a guest of the RTOS (tasks, stack, queues, queue_bytes, heap), not bytes");
    unsigned max = opt_uint(L, 1, "vm.fit", "max", 0, 255);
    k_config cfg = { .boot_image = COS_IMAGE_VMM, .boot_entry = 0,
                     .boot_arg = vmm_arg(VMM_FIT, &spec, max, h->cfg.mpu_regions), .trace = true };
    lua_settop(L, 3);
    klua_boot(L, 2, &cfg);                                          /* 4: the system */
    k_kernel *k = klua_check(L, 4);
    sim_time_t limit = sim_now(simlua_sim(L)) + SIM_S;
    while (report(k, "boot.done", 0) == 0 && report(k, "boot.error", 0) == 0) {
        if (sim_now(simlua_sim(L)) >= limit)
            return luaL_error(L, "vm.fit: the VMM did not finish in 1 s of simulated time");
        simlua_run_for(L, SIM_MS);
    }
    if (report(k, "boot.error", 0))
        return luaL_error(L, "vm.fit: the VMM failed with kernel error %d (line %d of vmm.c)",
                          (int)report(k, "boot.error", 0), (int)report(k, "boot.line", 0));
    uint64_t pages = (uint64_t)report(k, "vmm.pages", 0), mem = h->cfg.mem.size;
    if (report(k, "vmm.vms", 0) == 0)
        return luaL_error(L, "vm.fit: not one VM of this guest fits: its memory takes %I bytes of regions (and its "
                             "kernel objects a page each), and %I bytes were left after the kernel and the VMM",
                          (lua_Integer)report(k, "vmm.x", 0),
                          (lua_Integer)(report(k, "vmm.pages_left", 0) * COS_PAGE_SIZE));
    struct { const char *k; int64_t v; } fs[] = {
        { "vms", report(k, "vmm.vms", 0) },
        { "x", report(k, "vmm.x", 0) },
        { "y", report(k, "vmm.y", 0) },
        { "regions", report(k, "vmm.regions", 0) },
        { "memory", (int64_t)mem },
        { "kernel", (int64_t)(mem - pages * COS_PAGE_SIZE) },
        { "vmm", report(k, "vmm.pages_vmm", 0) * COS_PAGE_SIZE },
        { "per_vm", report(k, "vmm.pages_vm", 0) * COS_PAGE_SIZE },
        { "left", report(k, "vmm.pages_left", 0) * COS_PAGE_SIZE },
    };
    lua_createtable(L, 0, 12);
    for (size_t i = 0; i < G_N_ELEMENTS(fs); i++) {
        lua_pushinteger(L, fs[i].v);
        lua_setfield(L, -2, fs[i].k);
    }
    lua_pushnumber(L, vml_overhead((uint64_t)fs[1].v, (uint64_t)fs[2].v));
    lua_setfield(L, -2, "overhead");
    lua_pushvalue(L, 4);
    lua_setfield(L, -2, "system");
    return 1;
}


#define VM_IRQ_LINE 40u     /* the device line (the kernel's numbering), as the micro-bench's irq mode */

typedef enum { M_SWITCH, M_IRQ, M_MSG } measure;
static const char *const measures[] = { "switch", "irq", "msg", NULL };
static const vmg_app measure_app[] = { VMG_APP_SWITCH, VMG_APP_IRQ, VMG_APP_MSG };
static const char *const what[] = {
    "round-trip switch in VM 0: task A's yield to A running again after task B's yield (two guest "
    "switches, each the kernel's dispatch of the other task's thread), both priority 2",
    "interrupt to handler task: the device line's assertion to the guest's priority-3 task after its "
    "semaphore take returns (the kernel's interrupt path, the VMM's interrupt thread, its send to VM 0's "
    "vCPU, the VMM's scheduler, the guest's virtual interrupt and its dispatch of the handler task's thread), "
    "the guest idle when it fires",
    "message, one way: the guest's priority-1 sender before its queue send to the priority-2 receiver "
    "after its receive returns with the 4-byte item",
};

/* The times (ps) of the reports under key from VM `vm`, in order. */
static GArray *marks(k_kernel *k, const char *key, int64_t vm)
{
    GArray *out = g_array_new(FALSE, FALSE, sizeof(sim_time_t));
    const GArray *a = k_reports(k);
    for (guint i = 0; i < a->len; i++) {
        const k_report *r = &g_array_index(a, k_report, i);
        if (r->value == vm && strcmp(r->key, key) == 0)
            g_array_append_val(out, r->at);
    }
    return out;
}

static unsigned count(k_kernel *k, const char *key, int64_t vm)
{
    GArray *m = marks(k, key, vm);
    unsigned n = m->len;
    g_array_free(m, TRUE);
    return n;
}

typedef struct bench_hold {
    hwirq_source *src, *tick;
    sim_time_t *times;
    GArray *m0, *m1;
    uint64_t *v;
} bench_hold;

static void free_hold(void *obj)
{
    bench_hold *b = obj;
    if (b->src)
        hwirq_source_stop(b->src);
    if (b->tick)
        hwirq_source_stop(b->tick);
    g_free(b->times);
    if (b->m0)
        g_array_free(b->m0, TRUE);
    if (b->m1)
        g_array_free(b->m1, TRUE);
    g_free(b->v);
    g_free(b);
}

/* vm.bench{machine, measure, rounds = 200, warmup = 20, period = "100us", tick = true, rogue = false, mpu = false}
 *   -> {mean, median, min, worst, n, samples, measure, what, faults, switches, interrupts, system} [-0, +1, e] */
static int l_bench(lua_State *L)
{
    if (!simlua_live(L))
        return luaL_error(L, "vm: the scenario has ended");
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    static const char *const known[] = { "machine", "measure", "rounds", "warmup", "period", "tick", "rogue", "mpu",
                                         NULL };
    simlua_check_keys(L, 1, "vm.bench", known);
    hw *h = check_mpu_machine(L, 1, "vm.bench");                    /* 2 */
    if (h->signal)
        return luaL_error(L, "vm.bench: this machine runs a kernel already (give it a machine of its own)");
    if (h->cfg.mpu_regions != 8 && h->cfg.mpu_regions != 16)
        return luaL_error(L, "vm.bench: the VMM knows MPUs of 8 or 16 regions, not %d", (int)h->cfg.mpu_regions);
    if (lua_getfield(L, 1, "measure") != LUA_TSTRING)              /* 3 */
        return luaL_error(L, "vm.bench: measure must be one of \"switch\", \"irq\", \"msg\"");
    const char *mname = lua_tostring(L, 3);
    int m = -1;
    for (int i = 0; measures[i]; i++)
        if (strcmp(measures[i], mname) == 0)
            m = i;
    if (m < 0)
        return luaL_error(L, "vm.bench: measure must be one of \"switch\", \"irq\", \"msg\", not \"%s\"", mname);
    if (simlua_field_bool(L, 1, "vm.bench", "mpu", false))
        return luaL_error(L, "vm.bench: mpu = true has no meaning here: every VM is isolated by the MPU already");
    bool rogue = simlua_field_bool(L, 1, "vm.bench", "rogue", false);
    bool tick = simlua_field_bool(L, 1, "vm.bench", "tick", true);
    lua_Integer rounds = simlua_field_int(L, 1, "vm.bench", "rounds", 200, 1, 100000);
    lua_Integer warmup = simlua_field_int(L, 1, "vm.bench", "warmup", 20, 0, 100000);
    sim_time_t period = 100 * SIM_US;
    if (lua_getfield(L, 1, "period") != LUA_TNIL)
        period = simlua_field_time(L, 1, "vm.bench", "period");
    lua_pop(L, 1);
    if (period < SIM_US || period > SIM_S)
        return luaL_error(L, "vm.bench: period must be from 1us to 1s");
    lua_settop(L, 2);
    sim *s = simlua_sim(L);
    unsigned total = (unsigned)(rounds + warmup);
    k_config cfg = { .boot_image = COS_IMAGE_VMM, .boot_entry = 0, .trace = true,
                     .boot_arg = vmm_bench_arg(measure_app[m], rogue, m == M_IRQ ? VM_IRQ_LINE : 0, tick,
                                               h->cfg.mpu_regions) };
    klua_boot(L, 2, &cfg);                                          /* 3: the system */
    k_kernel *k = klua_check(L, 3);
    bench_hold *ho = g_new0(bench_hold, 1);
    simlua_attach(L, ho, NULL, free_hold);
    sim_time_t limit = sim_now(s) + SIM_S;
    while (report(k, "boot.done", 0) == 0 && report(k, "boot.error", 0) == 0 && sim_now(s) < limit)
        simlua_run_for(L, 10 * SIM_US);
    if (report(k, "boot.error", 0))
        return luaL_error(L, "vm.bench: the VMM failed with kernel error %d (line %d of vmm.c)",
                          (int)report(k, "boot.error", 0), (int)report(k, "boot.line", 0));
    GError *err = NULL;
    if (tick) {     /* the guests' tick, 1 kHz (compare/rtos's SysTick rate), from 1 ms on */
        ho->tick = hwirq_source_periodic(h->irq, 0, VMM_TICK_LINE, SIM_MS, sim_now(s) + SIM_MS, &err);
        if (ho->tick == NULL) {
            lua_pushstring(L, err->message);
            g_error_free(err);
            return lua_error(L);
        }
    }
    if (m == M_IRQ) {
        ho->times = g_new(sim_time_t, total);
        sim_time_t t0 = sim_now(s) + period / 2;
        for (unsigned i = 0; i < total; i++)
            ho->times[i] = t0 + i * period;
        ho->src = hwirq_source_list(h->irq, 0, VM_IRQ_LINE, ho->times, total, &err);
        if (ho->src == NULL) {
            lua_pushstring(L, err->message);
            g_error_free(err);
            return lua_error(L);
        }
    }
    /* run until the samples are in (the marks of the last round) */
    const char *want = m == M_SWITCH ? "vm.m1" : m == M_IRQ ? "vm.m0" : "vm.m1";
    limit = sim_now(s) + SIM_S + (m == M_IRQ ? period * total : 0);
    while (count(k, want, 0) < total) {
        if (report(k, "boot.error", 0))
            return luaL_error(L, "vm.bench: the VMM failed with kernel error %d (line %d of vmm.c)",
                              (int)report(k, "boot.error", 0), (int)report(k, "boot.line", 0));
        if (sim_now(s) >= limit)
            return luaL_error(L, "vm.bench: %s did not finish %u rounds in time", mname, total);
        simlua_run_for(L, SIM_S / 1000);
    }
    if (rogue)      /* let VM 1 have run past its fault (it runs when VM 0 waits) */
        simlua_run_for(L, SIM_S / 1000);
    ho->m0 = marks(k, "vm.m0", 0);
    ho->m1 = m == M_IRQ ? NULL : marks(k, "vm.m1", 0);
    uint64_t f = h->cfg.freq_hz;
    ho->v = g_new(uint64_t, (size_t)rounds);
    uint64_t *v = ho->v;
    for (unsigned i = 0; i < (unsigned)rounds; i++) {
        unsigned j = (unsigned)warmup + i;
        sim_time_t from = m == M_IRQ ? ho->times[j] : g_array_index(ho->m0, sim_time_t, j);
        sim_time_t to = m == M_IRQ ? g_array_index(ho->m0, sim_time_t, j) : g_array_index(ho->m1, sim_time_t, j);
        v[i] = (uint64_t)(((unsigned __int128)(to - from) * f + SIM_S / 2) / SIM_S);
    }
    if (ho->src)
        hwirq_source_stop(ho->src);
    if (ho->tick)
        hwirq_source_stop(ho->tick);
    ho->src = ho->tick = NULL;
    const k_stats *st = k_get_stats(k);
    lua_createtable(L, 0, 14);
    simlua_set_samples(L, v, (size_t)rounds);
    lua_pushstring(L, mname);
    lua_setfield(L, -2, "measure");
    lua_pushboolean(L, false);
    lua_setfield(L, -2, "mpu");
    lua_pushstring(L, what[m]);
    lua_setfield(L, -2, "what");
    lua_pushinteger(L, (lua_Integer)count(k, "vm.fault", 1));
    lua_setfield(L, -2, "faults");
    lua_pushboolean(L, tick);
    lua_setfield(L, -2, "tick");
    lua_pushinteger(L, (lua_Integer)st->switches);
    lua_setfield(L, -2, "switches");
    lua_pushinteger(L, (lua_Integer)st->interrupts);
    lua_setfield(L, -2, "interrupts");
    lua_pushvalue(L, 3);
    lua_setfield(L, -2, "system");
    return 1;
}

int compose_vm_open(lua_State *L)
{
    static const luaL_Reg fns[] = { { "layout", l_layout }, { "fit", l_fit }, { "bench", l_bench }, { NULL, NULL } };
    luaL_newlib(L, fns);
    lua_setglobal(L, "vm");
    return 0;
}
