/* compare/monolithic/lua.c: the `monolithic` binding (lua.h). */
#include "lua.h"

#include <math.h>
#include <stdlib.h>
#include <lauxlib.h>

#include "sim/lua.h"
#include "model/lua.h"
#include "model/timer.h"
#include "bench.h"

/* What a bench call leaves behind: its kernel stays on the machine (the
 * machine cannot be given back), and the benchmark's user code with it,
 * freed when the run ends. */
typedef struct held {
    mono *k;
    mono_bench *b;
} held;

static void free_held(void *obj)
{
    held *x = obj;
    mono_bench_free(x->b);
    mono_free(x->k);
    g_free(x);
}

/* A count from 0 to max (monolithic.bench's options). */
static unsigned opt_count(lua_State *L, int t, const char *key, unsigned dflt, unsigned max)
{
    return (unsigned)simlua_field_int(L, t, "monolithic.bench", key, dflt, 0, max);
}

/* A count of the machine's core cycles: an integer, or a time (at the
 * cores' frequency). */
static uint64_t opt_cycles(lua_State *L, int t, const char *key, uint64_t dflt, const hw *h)
{
    int ty = lua_getfield(L, t, key);
    uint64_t v = dflt;
    if (ty == LUA_TNUMBER && lua_isinteger(L, -1)) {
        if (lua_tointeger(L, -1) < 0)
            luaL_error(L, "monolithic.bench: %s must be 0 or more, not %s", key, luaL_tolstring(L, -1, NULL));
        v = (uint64_t)lua_tointeger(L, -1);
    } else if (ty != LUA_TNIL) {
        v = hwtimer_ticks_at(h->cfg.freq_hz, 1, simlua_field_time(L, -1, "monolithic.bench", key));
    }
    lua_pop(L, 1);
    return v;
}

/* The sensor's options (sensor only: an error for another measure). */
static void sensor_opts(lua_State *L, mono_bench_cfg *cfg, const hw *h)
{
    static const char *const keys[] = { "period", "work", "stages", "bytes", "yielders", NULL };
    if (cfg->measure != MONO_BENCH_SENSOR) {
        for (const char *const *key = keys; *key; key++) {
            if (lua_getfield(L, 1, *key) != LUA_TNIL)
                luaL_error(L, "monolithic.bench: %s is an option of measure \"sensor\" only, not \"%s\"", *key,
                           mono_measure_name(cfg->measure));
            lua_pop(L, 1);
        }
        return;
    }
    mono_bench_sensor_defaults(cfg);
    if (lua_getfield(L, 1, "period") != LUA_TNIL) {
        /* a time, or an integer count of the cores' cycles */
        if (lua_isinteger(L, -1) && lua_tointeger(L, -1) > 0)
            cfg->period = hwtimer_tick_time(h->cfg.freq_hz, 1, (uint64_t)lua_tointeger(L, -1));
        else
            cfg->period = simlua_field_time(L, -1, "monolithic.bench", "period");
        if (cfg->period < MONO_SENSOR_MIN_PERIOD)
            luaL_error(L, "monolithic.bench: period must be 10us or more (a time such as \"5ms\", or cycles)");
    }
    lua_pop(L, 1);
    cfg->work = opt_cycles(L, 1, "work", 0, h);
    cfg->stages = opt_count(L, 1, "stages", cfg->stages, 100000);
    if (cfg->stages < 1 || cfg->stages > MONO_SENSOR_STAGES)
        luaL_error(L, "monolithic.bench: stages must be an integer from 1 to %d, not %d", (int)MONO_SENSOR_STAGES,
                   (int)cfg->stages);
    cfg->bytes = opt_count(L, 1, "bytes", cfg->bytes, 1u << 30);
    if (cfg->bytes < 1 || cfg->bytes > MONO_PIPE_BYTES)
        luaL_error(L, "monolithic.bench: bytes must be an integer from 1 to %d, not %d", (int)MONO_PIPE_BYTES,
                   (int)cfg->bytes);
    cfg->yielders = opt_count(L, 1, "yielders", 0, 100000);
    if (cfg->yielders >= h->cfg.cores)
        luaL_error(L, "monolithic.bench: yielders must be an integer from 0 to %d (%s has %d cores), not %d",
                   (int)h->cfg.cores - 1, h->cfg.name, (int)h->cfg.cores, (int)cfg->yielders);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void set_int(lua_State *L, const char *key, uint64_t v)
{
    lua_pushinteger(L, (lua_Integer)v);
    lua_setfield(L, -2, key);
}

/* monolithic.bench{machine =, measure =, rounds =, warmup =, warm =, check =, and for the sensor
 * period =, work =, stages =, bytes =, yielders =} -> result [-0, +1, e] */
static int l_bench(lua_State *L)
{
    if (!simlua_live(L))
        return luaL_error(L, "monolithic: the scenario has ended");
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    static const char *const known[] = { "machine", "measure", "rounds", "warmup", "warm", "check",
                                         "period", "work", "stages", "bytes", "yielders", NULL };
    simlua_check_keys(L, 1, "monolithic.bench", known);
    if (lua_getfield(L, 1, "machine") == LUA_TNIL)      /* 2 */
        return luaL_error(L, "monolithic.bench: give the machine, e.g. monolithic.bench{machine = "
                             "machine{preset = \"i7-8700\"}, measure = \"switch\"}");
    hw *h = hwlua_check(L, 2);
    if (h->signal)
        return luaL_error(L, "monolithic.bench: machine: this machine runs a kernel already (build one per benchmark)");
    mono_bench_cfg cfg = { .warm = true };
    if (lua_getfield(L, 1, "measure") != LUA_TSTRING || !mono_measure_parse(lua_tostring(L, -1), &cfg.measure))
        return luaL_error(L, "monolithic.bench: measure must be \"switch\", \"ipc\", \"xcore\" or \"sensor\", not %s",
                          luaL_tolstring(L, -1, NULL));
    lua_pop(L, 1);
    cfg.rounds = (unsigned)simlua_field_int(L, 1, "monolithic.bench", "rounds", 200, 1, 100000);
    cfg.warmup = opt_count(L, 1, "warmup", 50, 100000);
    cfg.warm = simlua_field_bool(L, 1, "monolithic.bench", "warm", true);
    bool check = simlua_field_bool(L, 1, "monolithic.bench", "check", false);
    sensor_opts(L, &cfg, h);

    GError *err = NULL;
    mono *k = mono_new(simlua_sim(L), h, &err);
    if (k == NULL) {
        lua_pushstring(L, err->message);
        g_error_free(err);
        return luaL_error(L, "%s", lua_tostring(L, -1));
    }
    mono_set_check(k, check);
    held *x = g_new0(held, 1);
    x->k = k;
    simlua_attach(L, x, NULL, free_held);
    x->b = mono_bench_new(k, &cfg, &err);
    if (x->b == NULL) {
        lua_pushstring(L, err->message);
        g_error_free(err);
        return luaL_error(L, "%s", lua_tostring(L, -1));
    }
    sim *s = simlua_sim(L);
    /* the sensor's rounds take a period each, or more when one overruns */
    sim_time_t span = 10 * SIM_S;
    if (cfg.measure == MONO_BENCH_SENSOR) {
        /* saturating: a long period times many rounds stays a time */
        double per = (double)cfg.period + (double)hwtimer_tick_time(h->cfg.freq_hz, 1, cfg.work);
        double more = 2.0 * ((double)cfg.rounds + cfg.warmup + 1) * per;
        span = more < (double)(INT64_MAX / 4) ? span + (sim_time_t)more : INT64_MAX / 4;
    }
    sim_time_t limit = sim_now(s) + span;
    while (!mono_bench_done(x->b)) {
        if (sim_now(s) >= limit)
            return luaL_error(L, "monolithic.bench: %s did not finish in %f s of simulated time",
                              mono_measure_name(cfg.measure), (lua_Number)span / (lua_Number)SIM_S);
        simlua_run_for(L, SIM_MS);
    }
    if (mono_bench_error(x->b))
        return luaL_error(L, "monolithic.bench: %s: a system call failed with error %d", mono_measure_name(cfg.measure),
                          (int)mono_bench_error(x->b));

    unsigned n;
    const uint64_t *v = mono_bench_samples(x->b, &n);
    uint64_t *sorted = g_memdup2(v, sizeof *v * n);
    qsort(sorted, n, sizeof *sorted, cmp_u64);
    uint64_t sum = 0;
    for (unsigned i = 0; i < n; i++)
        sum += v[i];
    lua_createtable(L, 0, 12);
    lua_pushstring(L, mono_measure_name(cfg.measure));
    lua_setfield(L, -2, "measure");
    lua_pushstring(L, cfg.measure == MONO_BENCH_XCORE ? "one way" : "round trip");
    lua_setfield(L, -2, "unit");
    if (cfg.measure == MONO_BENCH_SENSOR) {
        set_int(L, "overruns", mono_bench_overruns(x->b));
        unsigned ny;
        const uint64_t *y = mono_bench_yields(x->b, &ny);
        lua_createtable(L, (int)ny, 0);
        for (unsigned i = 0; i < ny; i++) {
            lua_pushinteger(L, (lua_Integer)y[i]);
            lua_rawseti(L, -2, (lua_Integer)i + 1);
        }
        lua_setfield(L, -2, "yields");
    }
    lua_pushnumber(L, (double)sum / n);
    lua_setfield(L, -2, "mean");
    set_int(L, "worst", sorted[n - 1]);
    set_int(L, "min", sorted[0]);
    set_int(L, "max", sorted[n - 1]);
    set_int(L, "median", sorted[(n - 1) / 2]);
    set_int(L, "rounds", n);
    set_int(L, "n", n);
    lua_createtable(L, (int)n, 0);
    for (unsigned i = 0; i < n; i++) {
        lua_pushinteger(L, (lua_Integer)v[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, "samples");
    g_free(sorted);
    /* what the kernel did over the whole run, warm-up included */
    const mono_stats *st = mono_get_stats(k);
    lua_createtable(L, 0, 8);
    set_int(L, "syscalls", st->syscalls);
    set_int(L, "switches", st->switches);
    set_int(L, "mm_switches", st->mm_switches);
    set_int(L, "wakeups", st->wakeups);
    set_int(L, "ipis", st->ipis);
    set_int(L, "interrupts", st->interrupts);
    set_int(L, "irq_threads", st->irq_threads);
    set_int(L, "errors", st->errors);
    set_int(L, "kernel_cycles", st->kernel_cycles);
    set_int(L, "check_failures", st->check_failures);
    lua_setfield(L, -2, "stats");
    /* per kind of path: n, mean and worst cycles */
    lua_newtable(L);
    for (unsigned i = 0; i < MONO_PATHS; i++) {
        const mono_path_stats *p = mono_get_path_stats(k, i);
        if (p->n == 0)
            continue;
        lua_createtable(L, 0, 3);
        set_int(L, "n", p->n);
        set_int(L, "cycles", p->cycles);
        set_int(L, "max", p->max);
        lua_setfield(L, -2, mono_path_name(i));
    }
    lua_setfield(L, -2, "paths");
    return 1;
}

int monolua_open(lua_State *L)
{
    static const luaL_Reg funcs[] = { { "bench", l_bench }, { NULL, NULL } };
    luaL_newlib(L, funcs);
    lua_setglobal(L, "monolithic");
    return 0;
}
