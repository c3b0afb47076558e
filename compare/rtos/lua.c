/* compare/rtos/lua.c: the `rtos` table of scenarios (see lua.h). */
#include "lua.h"

#include <string.h>
#include <lauxlib.h>

#include "sim/lua.h"
#include "model/lua.h"
#include "rtos.h"
#include "rtcore/core.h"

/* What a bench holds until it is done; freed at the host's end if a
 * Lua error cut it short. */
typedef struct holder {
    rt_sys *r;
    hwirq_source *src;
    sim_time_t *times;          /* the interrupts' times (measure "irq") */
} holder;

static void free_holder(void *obj)
{
    holder *ho = obj;
    if (ho->src)
        hwirq_source_stop(ho->src);
    rt_free(ho->r);
    g_free(ho->times);
    g_free(ho);
}

/* The error as a Lua error at the script's line (luaL_where). */
static void raise_gerror(lua_State *L, GError *err)
{
    luaL_where(L, 1);
    lua_pushstring(L, err->message);
    g_error_free(err);
    lua_concat(L, 2);
    lua_error(L);
}

typedef enum { M_SWITCH, M_IRQ, M_MSG } measure;
static const char *const measures[] = { "switch", "irq", "msg", NULL };
static const char *const what[] = {
    "round-trip switch: task A's yield to A running again after task B's yield (two switches), both priority 2",
    "interrupt to handler task: the device line's assertion to the first instruction of the priority-3 task "
    "whose semaphore the ISR gave (a priority-1 task computing when it fires)",
    "message, one way: the priority-1 sender before its queue send to the priority-2 receiver after its "
    "receive returns with the item",
};

#define OP(k, a, t, b) { RT_OP_##k, (a), (t), (b) }
#define DEVICE_LINE 22u     /* EXTI0 on the STM32F7 (RM0410 Table 40: position 6), exception 16 + 6 */

/* rtos.bench{machine = m, measure = "switch"|"irq"|"msg", mpu = false,
 *            rounds = 200, warmup = 20, warm = true, size = 4, period = "100us"}
 *   -> {mean, median, min, worst, n, samples = {...}, measure, mpu, what, switches, ...} [-0, +1, e] */
static int l_bench(lua_State *L)
{
    if (!simlua_live(L))
        return luaL_error(L, "rtos: the scenario has ended");
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    static const char *const known[] = { "machine", "measure", "mpu", "rounds", "warmup", "warm", "size", "period",
                                         NULL };
    simlua_check_keys(L, 1, "rtos.bench", known);
    if (lua_getfield(L, 1, "machine") == LUA_TNIL)                  /* 2 */
        return luaL_error(L, "rtos.bench: give the machine, e.g. rtos.bench{machine = machine{preset = \"stm32f767\"}, "
                             "measure = \"switch\"}");
    hw *h = hwlua_check(L, 2);
    if (h->signal)
        return luaL_error(L, "rtos.bench: this machine runs a kernel or an RTOS already");
    if (lua_getfield(L, 1, "measure") != LUA_TSTRING)              /* 3 */
        return luaL_error(L, "rtos.bench: measure must be one of \"switch\", \"irq\", \"msg\"");
    const char *mname = lua_tostring(L, 3);
    int m = -1;
    for (int i = 0; measures[i]; i++)
        if (strcmp(measures[i], mname) == 0)
            m = i;
    if (m < 0)
        return luaL_error(L, "rtos.bench: measure must be one of \"switch\", \"irq\", \"msg\", not \"%s\"", mname);
    bool mpu = simlua_field_bool(L, 1, "rtos.bench", "mpu", false);
    bool warm = simlua_field_bool(L, 1, "rtos.bench", "warm", true);
    lua_Integer rounds = simlua_field_int(L, 1, "rtos.bench", "rounds", 200, 1, 100000);
    lua_Integer warmup = simlua_field_int(L, 1, "rtos.bench", "warmup", 20, 0, 100000);
    lua_Integer size = simlua_field_int(L, 1, "rtos.bench", "size", 4, 4, 64);
    if (size % 4)
        return luaL_error(L, "rtos.bench: size must be a multiple of 4 bytes");
    sim_time_t period = 100 * SIM_US;
    if (lua_getfield(L, 1, "period") != LUA_TNIL)
        period = simlua_field_time(L, 1, "rtos.bench", "period");
    lua_pop(L, 1);
    if (period < SIM_US || period > SIM_S)
        return luaL_error(L, "rtos.bench: period must be from 1us to 1s");

    sim *s = simlua_sim(L);
    GError *err = NULL;
    rt_config cfg = { .mpu = mpu };
    holder *ho = g_new0(holder, 1);
    ho->r = rt_new(s, h, &cfg, &err);
    if (ho->r == NULL) {
        g_free(ho);
        raise_gerror(L, err);
    }
    simlua_attach(L, ho, NULL, free_holder);
    rt_sys *r = ho->r;
    unsigned total = (unsigned)(rounds + warmup);
    /* the tasks; each task's data region: 256 bytes of its own, so every
     * switch loads four regions that differ (FreeRTOS-MPU writes four
     * either way) */
    rt_task_config a = { .prio = 2 }, b = { .prio = 2 };
    int q = -1;
    if (m == M_SWITCH) {
        static const rt_op pa[] = { OP(MARK, 0, 0, 0), OP(YIELD, 0, 0, 0), OP(MARK, 1, 0, 0), OP(JUMP, 0, 0, 0) };
        static const rt_op pac[] = { OP(FLUSH, 0, 0, 0), OP(MARK, 0, 0, 0), OP(YIELD, 0, 0, 0), OP(MARK, 1, 0, 0),
                                     OP(JUMP, 0, 0, 0) };
        static const rt_op pb[] = { OP(YIELD, 0, 0, 0), OP(JUMP, 0, 0, 0) };
        a.ops = warm ? pa : pac;
        a.nops = warm ? G_N_ELEMENTS(pa) : G_N_ELEMENTS(pac);
        b.ops = pb;
        b.nops = G_N_ELEMENTS(pb);
    } else if (m == M_IRQ) {
        q = rt_queue(r, 1, 0, &err);
        static const rt_op ph[] = { OP(TAKE, 0, RT_FOREVER, 0), OP(MARK, 0, 0, 0), OP(JUMP, 0, 0, 0) };
        static const rt_op phc[] = { OP(FLUSH, 0, 0, 0), OP(TAKE, 0, RT_FOREVER, 0), OP(MARK, 0, 0, 0),
                                     OP(JUMP, 0, 0, 0) };
        static const rt_op pl[] = { OP(COMPUTE, 0, 0, UINT64_C(1) << 32), OP(JUMP, 0, 0, 0) };
        a.prio = 3;
        a.ops = warm ? ph : phc;
        a.nops = warm ? G_N_ELEMENTS(ph) : G_N_ELEMENTS(phc);
        b.prio = 1;
        b.ops = pl;
        b.nops = G_N_ELEMENTS(pl);
    } else {
        q = rt_queue(r, 4, (unsigned)size, &err);
        static const rt_op ps[] = { OP(MARK, 0, 0, 0), OP(SEND, 0, RT_FOREVER, 0), OP(JUMP, 0, 0, 0) };
        static const rt_op psc[] = { OP(FLUSH, 0, 0, 0), OP(MARK, 0, 0, 0), OP(SEND, 0, RT_FOREVER, 0),
                                     OP(JUMP, 0, 0, 0) };
        static const rt_op pr[] = { OP(RECV, 0, RT_FOREVER, 0), OP(MARK, 0, 0, 0), OP(JUMP, 0, 0, 0) };
        a.prio = 1;
        a.ops = warm ? ps : psc;
        a.nops = warm ? G_N_ELEMENTS(ps) : G_N_ELEMENTS(psc);
        b.ops = pr;
        b.nops = G_N_ELEMENTS(pr);
    }
    if (q < 0 && m != M_SWITCH)
        raise_gerror(L, err);
    uint32_t data = 0x60000u;       /* above the RTOS's own memory on every M preset (256 KiB and up) */
    a.region[0] = (rt_region){ data, 8, true };
    b.region[0] = (rt_region){ data + 256, 8, true };
    int ta = rt_task(r, &a, &err), tb = ta < 0 ? -1 : rt_task(r, &b, &err);
    if (ta < 0 || tb < 0)
        raise_gerror(L, err);
    sim_time_t *times = NULL;
    if (m == M_IRQ) {
        if (!rt_isr(r, DEVICE_LINE, (unsigned)q, &err))
            raise_gerror(L, err);
        times = ho->times = g_new(sim_time_t, total);
        sim_time_t t0 = sim_now(s) + period / 2;
        for (unsigned i = 0; i < total; i++)
            times[i] = t0 + i * period;
        ho->src = hwirq_source_list(h->irq, 0, DEVICE_LINE, times, total, &err);
        if (ho->src == NULL)
            raise_gerror(L, err);
    }
    rt_start(r);
    /* run until the samples are in (the marks of the last round) */
    unsigned want_task = m == M_MSG ? (unsigned)tb : (unsigned)ta, want_slot = m == M_SWITCH ? 1 : 0, n = 0;
    sim_time_t limit = sim_now(s) + SIM_S;
    while (rt_marks(r, want_task, want_slot, &n), n < total) {
        if (sim_now(s) >= limit)
            return luaL_error(L, "rtos.bench: %s did not finish %u rounds in 1 s of simulated time", mname, total);
        simlua_run_for(L, SIM_S / 1000);
    }
    unsigned n0, n1;
    const sim_time_t *m0 = rt_marks(r, m == M_MSG ? (unsigned)ta : (unsigned)ta, 0, &n0);
    const sim_time_t *m1 = m == M_SWITCH ? rt_marks(r, (unsigned)ta, 1, &n1)
                         : m == M_MSG ? rt_marks(r, (unsigned)tb, 0, &n1) : NULL;
    uint64_t f = h->cfg.freq_hz;
    uint64_t *v = g_new(uint64_t, (size_t)rounds);
    for (unsigned i = 0; i < (unsigned)rounds; i++) {
        unsigned j = (unsigned)warmup + i;
        sim_time_t from = m == M_IRQ ? times[j] : m0[j], to = m == M_IRQ ? m0[j] : m1[j];
        v[i] = (uint64_t)(((unsigned __int128)(to - from) * f + SIM_S / 2) / SIM_S);
    }
    const rt_stats *st = rt_get_stats(r);
    lua_Integer switches = (lua_Integer)st->switches, ints = (lua_Integer)st->interrupts,
                syscalls = (lua_Integer)st->syscalls, mpuw = (lua_Integer)st->mpu_writes;
    /* the machine is free again for another bench */
    if (ho->src)
        hwirq_source_stop(ho->src);
    ho->src = NULL;
    rt_free(r);
    ho->r = NULL;
    lua_createtable(L, 0, 14);
    simlua_set_samples(L, v, (size_t)rounds);
    g_free(v);
    lua_pushstring(L, mname);
    lua_setfield(L, -2, "measure");
    lua_pushboolean(L, mpu);
    lua_setfield(L, -2, "mpu");
    lua_pushstring(L, what[m]);
    lua_setfield(L, -2, "what");
    struct { const char *k; lua_Integer v; } fs[] = {
        { "switches", switches }, { "interrupts", ints }, { "syscalls", syscalls }, { "mpu_writes", mpuw },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(fs); i++) {
        lua_pushinteger(L, fs[i].v);
        lua_setfield(L, -2, fs[i].k);
    }
    return 1;
}

int rtlua_open(lua_State *L)
{
    static const luaL_Reg fns[] = { { "bench", l_bench }, { NULL, NULL } };
    luaL_newlib(L, fns);
    lua_setglobal(L, "rtos");
    return 0;
}
