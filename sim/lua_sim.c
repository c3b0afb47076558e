/* sim/lua_sim.c: the `sim` table that scenarios see (docs/scenarios.md):
 * times and units, callbacks at a time (sim.at, sim.after), processes
 * (sim.spawn, sim.wait: Lua coroutines that wait in simulated time),
 * running the engine (sim.run, which bindings reach through simlua_run_to
 * and simlua_run_for), sim.stop, sim.stats, trace events (sim.event) and
 * random streams (sim.rng).  Lua code costs no simulated time.  Calls
 * lua_sandbox.c, lua_error.c and lua_keys.c (lua_internal.h). */
#include "lua_internal.h"

#include <math.h>
#include <string.h>

#include <lauxlib.h>

#define LUA_EVENT_PRIO 128       /* Lua callbacks and processes, among engine events */
#define SIMLUA_MAX_NOTE 65536
#define SIMLUA_MAX_KINDS 65536

#define CALL_MT "cossim.timer"
#define RNG_MT "cossim.rng"

/* A Lua function to call at a time.  Records are recycled; a handle
 * (userdata) names one by pointer and generation, so a stale handle is
 * recognised instead of cancelling somebody else's event. */
struct simlua_call {
    simq_event ev;
    simlua *h;
    int fn_ref;
    uint64_t gen;
    simlua_call *prev, *next;    /* in h->calls while scheduled; next in free list */
};

/* A process: a Lua coroutine that waits in simulated time. */
struct simlua_proc {
    simq_event ev;
    simlua_thread t;
    simlua *h;
    lua_State *co;
    int thread_ref;
    uint64_t id;
    char *name;
    int nargs;                   /* arguments for the first resume */
    simlua_proc *prev, *next;
};

/* ---- time arguments ---- */

/* A time argument: "10ms", a time value or 0 (lua_time.c). [-0, +0, e] */
static sim_time_t check_time(lua_State *L, int arg, const char *what)
{
    return simlua_time(L, arg, what);
}

static void push_time(lua_State *L, sim_time_t t)
{
    g_assert(t <= SIMLUA_TIME_MAX);
    simlua_push_time(L, (int64_t)t);
}

/* now + delay, refused past the end of scenario time. [-0, +0, e] */
static sim_time_t later(lua_State *L, sim_time_t delay, const char *what)
{
    sim_time_t now = sim_now(simlua_host(L)->s);
    if (delay > SIMLUA_TIME_MAX - now) {
        char a[SIMT_FMT_LEN];
        luaL_error(L, "%s: %s from now is past the end of scenario time (2^63-1 ps, about 106 days)",
                   what, simt_format(delay, a, sizeof a));
    }
    return now + delay;
}

/* Calls that act on the simulation are refused once the scenario is over
 * (e.g. from a __gc finalizer run when the state is closed). [-0, +0, e] */
static void check_live(lua_State *L, const char *what)
{
    if (simlua_host(L)->ended)
        luaL_error(L, "%s: the scenario has ended", what);
}

/* sim.time(x) -> time value [-0, +1, e] */
static int l_time(lua_State *L)
{
    push_time(L, check_time(L, 1, "sim.time"));
    return 1;
}

static int unit_conv(lua_State *L, sim_time_t unit)
{
    if (lua_isinteger(L, 1)) {
        lua_Integer v = lua_tointeger(L, 1);
        luaL_argcheck(L, v >= 0 && v <= (lua_Integer)(SIMLUA_TIME_MAX / unit), 1, "time out of range");
        push_time(L, (sim_time_t)v * unit);
        return 1;
    }
    lua_Number v = luaL_checknumber(L, 1);
    lua_Number ps = v * (lua_Number)unit;
    luaL_argcheck(L, ps >= 0 && ps < 0x1p63, 1, "time out of range");
    push_time(L, (sim_time_t)llround(ps));
    return 1;
}
static int l_ps(lua_State *L) { return unit_conv(L, SIM_PS); }
static int l_ns(lua_State *L) { return unit_conv(L, SIM_NS); }
static int l_us(lua_State *L) { return unit_conv(L, SIM_US); }
static int l_ms(lua_State *L) { return unit_conv(L, SIM_MS); }
static int l_s(lua_State *L) { return unit_conv(L, SIM_S); }

/* sim.format(t) -> "1.5ms" [-0, +1, e] */
static int l_format(lua_State *L)
{
    int64_t ps;
    if (simlua_time_value(L, 1, &ps) && ps < 0) {   /* a difference */
        luaL_tolstring(L, 1, NULL);
        return 1;
    }
    char buf[SIMT_FMT_LEN];
    lua_pushstring(L, simt_format(check_time(L, 1, "sim.format"), buf, sizeof buf));
    return 1;
}

/* sim.now() -> time value [-0, +1, m] */
static int l_now(lua_State *L)
{
    push_time(L, sim_now(simlua_host(L)->s));
    return 1;
}

/* ---- timers: sim.at / sim.after ---- */

typedef struct timer_handle {
    simlua_call *c;
    uint64_t gen;
} timer_handle;

static void unlink_call(simlua *h, simlua_call *c)
{
    if (c->prev)
        c->prev->next = c->next;
    else
        h->calls = c->next;
    if (c->next)
        c->next->prev = c->prev;
    luaL_unref(h->L, LUA_REGISTRYINDEX, c->fn_ref);
    c->fn_ref = LUA_NOREF;
    c->gen++;
    c->prev = NULL;
    c->next = h->free_calls;
    h->free_calls = c;
}

static void call_fire(void *owner, simq_event *ev)
{
    simlua_call *c = (simlua_call *)ev;
    simlua *h = c->h;
    (void)owner;
    lua_State *L = h->L;
    lua_rawgeti(L, LUA_REGISTRYINDEX, c->fn_ref);
    unlink_call(h, c);
    simlua_protected_call(h, L, 0);
}

static int schedule_call(lua_State *L, sim_time_t when)
{
    simlua *h = simlua_host(L);
    check_live(L, "sim.at");
    luaL_checktype(L, 2, LUA_TFUNCTION);
    if (when < sim_now(h->s)) {
        char a[SIMT_FMT_LEN], b[SIMT_FMT_LEN];
        return luaL_error(L, "sim.at: %s is in the past (now is %s)", simt_format(when, a, sizeof a),
                          simt_format(sim_now(h->s), b, sizeof b));
    }
    timer_handle *th = lua_newuserdatauv(L, sizeof *th, 0);
    luaL_setmetatable(L, CALL_MT);
    lua_pushvalue(L, 2);
    int ref = luaL_ref(L, LUA_REGISTRYINDEX);   /* may raise: before the host allocation */
    simlua_call *c = h->free_calls;
    if (c)
        h->free_calls = c->next;
    else {
        c = g_new0(simlua_call, 1);
        c->h = h;
    }
    simq_event_init(&c->ev, call_fire);
    c->fn_ref = ref;
    c->prev = NULL;
    c->next = h->calls;
    if (h->calls)
        h->calls->prev = c;
    h->calls = c;
    th->c = c;
    th->gen = c->gen;
    sim_schedule(h->s, &c->ev, when, LUA_EVENT_PRIO);
    return 1;
}

/* sim.at(time, fn) -> timer [-0, +1, e] */
static int l_at(lua_State *L)
{
    return schedule_call(L, check_time(L, 1, "sim.at"));
}

/* sim.after(delay, fn) -> timer [-0, +1, e] */
static int l_after(lua_State *L)
{
    return schedule_call(L, later(L, check_time(L, 1, "sim.after"), "sim.after"));
}

/* timer:cancel() -> true if it was still pending [-0, +1, e] */
static int l_timer_cancel(lua_State *L)
{
    timer_handle *th = luaL_checkudata(L, 1, CALL_MT);
    simlua *h = simlua_host(L);
    bool pending = th->c->gen == th->gen && simq_scheduled(&th->c->ev);
    if (pending) {
        sim_deschedule(h->s, &th->c->ev);
        unlink_call(h, th->c);
    }
    lua_pushboolean(L, pending);
    return 1;
}

/* timer:pending() [-0, +1, e] */
static int l_timer_pending(lua_State *L)
{
    timer_handle *th = luaL_checkudata(L, 1, CALL_MT);
    lua_pushboolean(L, th->c->gen == th->gen && simq_scheduled(&th->c->ev));
    return 1;
}

/* ---- processes: sim.spawn / sim.wait ---- */

static void proc_free(simlua *h, simlua_proc *p)
{
    if (p->prev)
        p->prev->next = p->next;
    else
        h->procs = p->next;
    if (p->next)
        p->next->prev = p->prev;
    if (simq_scheduled(&p->ev))
        sim_deschedule(h->s, &p->ev);
    luaL_unref(h->L, LUA_REGISTRYINDEX, p->thread_ref);
    g_free(p->name);
    g_free(p);
}

/* format_process_error(error, thread, name) -> message with position and
 * traceback; run under lua_pcall. [-0, +1, e] */
static int format_process_error(lua_State *L)
{
    lua_State *co = lua_tothread(L, 2);
    const char *msg = simlua_push_message(L, 1, co);
    luaL_traceback(L, co, msg, 0);
    lua_pushfstring(L, "\n\t(in process '%s')", (const char *)lua_touserdata(L, 3));
    lua_concat(L, 2);
    return 1;
}

static void proc_fire(void *owner, simq_event *ev)
{
    simlua_proc *p = (simlua_proc *)ev;
    simlua *h = p->h;
    (void)owner;
    int nres = 0, nargs = p->nargs;
    p->nargs = 0;
    lua_State *was = h->running;
    h->running = p->co;
    int status = lua_resume(p->co, h->L, nargs, &nres);
    h->running = was;
    if (status == LUA_YIELD) {
        lua_pop(p->co, nres);
        if (!simq_scheduled(&p->ev) && !h->fatal) {
            simlua_set_failure(h, "process yielded without waiting (use sim.wait)");
        }
        return;
    }
    if (status != LUA_OK) {
        if (status == LUA_ERRMEM && h->refused) {
            simlua_memory_failure(h);
        } else if (h->failure == NULL) {
            /* Formatting can run script code (__tostring) and can fail:
             * do it under pcall; nothing here may raise unprotected. */
            lua_State *L = h->L;
            if (!lua_checkstack(L, 8)) {
                simlua_set_failure(h, "a process failed, and there was no stack left to report why");
            } else {
                lua_pushcfunction(L, format_process_error);
                lua_xmove(p->co, L, 1);                            /* the error object */
                lua_rawgeti(L, LUA_REGISTRYINDEX, p->thread_ref);  /* the thread */
                lua_pushlightuserdata(L, p->name);
                if (lua_pcall(L, 3, 1, 0) == LUA_OK) {
                    simlua_set_failure(h, lua_tostring(L, -1));
                } else {
                    g_autofree char *m = g_strdup_printf(
                        "%s: process '%s' failed, and printing its error failed too (%s)\nstack traceback:\n\t(unavailable)",
                        h->script_path, p->name,
                        lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "no message");
                    simlua_set_failure(h, m);
                }
                lua_pop(L, 1);
            }
        }
    }
    proc_free(h, p);
}

/* sim.spawn(name, fn, ...) -> id; the process starts now, after what is
 * already due now. [-0, +1, e] */
static int l_spawn(lua_State *L)
{
    simlua *h = simlua_host(L);
    size_t nlen;
    const char *name = luaL_checklstring(L, 1, &nlen);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    check_live(L, "sim.spawn");
    /* a new thread's own count starts afresh, so charge the hook's
     * granularity up front: short processes are not free; and the copy of
     * the name, host memory the Lua cap does not see (one shared name
     * copied per process reached gigabytes: the host-memory budget stops
     * that, this makes it cost its time) */
    simlua_charge(L, SIMLUA_HOOK_EVERY + nlen / SIMLUA_ALLOC_BYTES);
    int nargs = lua_gettop(L) - 2;
    /* everything that can raise comes before the host allocation */
    luaL_checkstack(L, nargs + 4, "sim.spawn: too many arguments");
    lua_State *co = lua_newthread(L);
    lua_sethook(co, simlua_count_hook, LUA_MASKCOUNT, SIMLUA_HOOK_EVERY);   /* only the count, whatever L watches */
    if (!lua_checkstack(co, nargs + 1))
        return luaL_error(L, "sim.spawn: too many arguments");
    lua_pushvalue(L, -1);
    int ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_pop(L, 1);
    simlua_proc *p = g_new0(simlua_proc, 1);
    p->h = h;
    p->id = ++h->next_proc;
    p->name = g_strdup(name);
    p->co = co;
    p->t.h = h;
    p->t.p = p;
    *(simlua_thread **)lua_getextraspace(p->co) = &p->t;
    p->thread_ref = ref;
    for (int i = 2; i <= nargs + 2; i++)
        lua_pushvalue(L, i);
    lua_xmove(L, p->co, nargs + 1);
    p->nargs = nargs;
    p->next = h->procs;
    if (h->procs)
        h->procs->prev = p;
    h->procs = p;
    simq_event_init(&p->ev, proc_fire);
    sim_schedule(h->s, &p->ev, sim_now(h->s), LUA_EVENT_PRIO);
    lua_pushinteger(L, (lua_Integer)p->id);
    return 1;
}

static simlua_proc *current_proc(lua_State *L, const char *what)
{
    simlua_proc *p = simlua_thread_of(L)->p;
    if (p == NULL)
        luaL_error(L, "%s can only be called inside a process (see sim.spawn)", what);
    return p;
}

static int wait_k(lua_State *L, int status, lua_KContext ctx)
{
    (void)status;
    (void)ctx;
    push_time(L, sim_now(simlua_host(L)->s));
    return 1;
}

static int wait_at(lua_State *L, sim_time_t when, const char *what)
{
    simlua *h = simlua_host(L);
    check_live(L, what);
    simlua_proc *p = current_proc(L, what);
    if (!lua_isyieldable(L))
        return luaL_error(L, "%s cannot wait here (inside a metamethod or require)", what);
    sim_schedule(h->s, &p->ev, when, LUA_EVENT_PRIO);
    return lua_yieldk(L, 0, 0, wait_k);
}

/* sim.wait(delay) -> now, in a process [-0, +1, e] */
static int l_wait(lua_State *L)
{
    return wait_at(L, later(L, check_time(L, 1, "sim.wait"), "sim.wait"), "sim.wait");
}

/* sim.wait_until(time) -> now, in a process [-0, +1, e] */
static int l_wait_until(lua_State *L)
{
    sim_time_t t = check_time(L, 1, "sim.wait_until"), now = sim_now(simlua_host(L)->s);
    return wait_at(L, t < now ? now : t, "sim.wait_until");
}

/* sim.self() -> name, id of the running process, or nil [-0, +1|2, -] */
static int l_self(lua_State *L)
{
    simlua_proc *p = simlua_thread_of(L)->p;
    if (p == NULL) {
        lua_pushnil(L);
        return 1;
    }
    lua_pushstring(L, p->name);
    lua_pushinteger(L, (lua_Integer)p->id);
    return 2;
}

/* ---- running ---- */

/* The engine runs one sim_run at a time. [-0, +0, e] */
static void check_can_run(lua_State *L)
{
    check_live(L, "sim.run");
    if (simlua_host(L)->s->running)
        luaL_error(L, "sim.run cannot be called from inside the simulation (an event or a process)");
}

const char *simlua_run_to(lua_State *L, sim_time_t target)
{
    simlua *h = simlua_host(L);
    check_can_run(L);
    simlua_params_help_at_run(L);
    sim_time_t now = sim_now(h->s);
    if (h->has_until && target > h->until)
        target = h->until;
    if (target < now)
        target = now;
    h->ran = true;
    sim_stop_reason why = sim_run(h->s, target, 0);
    if (why == SIM_STOP_HOST && h->failure == NULL) {
        char buf[256];
        simlua_push_where(L, L);
        lua_pushstring(L, simbudget_message(h->s->budget, buf, sizeof buf));
        lua_concat(L, 2);
        simlua_set_failure(h, lua_tostring(L, -1));
    }
    if (h->failure)
        simlua_raise_failure(L);
    return sim_stop_name(why);
}

const char *simlua_run_for(lua_State *L, sim_time_t span)
{
    sim_time_t now = sim_now(simlua_host(L)->s);
    /* a span past the end of scenario time runs to its end */
    return simlua_run_to(L, span > SIMLUA_TIME_MAX - now ? SIMLUA_TIME_MAX : now + span);
}

/* sim.run([span]) -> reason [-0, +1, e] */
static int l_run(lua_State *L)
{
    simlua *h = simlua_host(L);
    check_can_run(L);
    if (lua_isnoneornil(L, 1)) {
        if (!h->has_until)
            return luaL_error(L, "sim.run needs a span, e.g. sim.run(\"10ms\"), or --until on the command line");
        lua_pushstring(L, simlua_run_to(L, h->until));
    } else {
        lua_pushstring(L, simlua_run_for(L, check_time(L, 1, "sim.run")));
    }
    return 1;
}

/* sim.stop([note]) [-0, +0, e] */
static int l_stop(lua_State *L)
{
    check_live(L, "sim.stop");
    sim_stop(simlua_host(L)->s, luaL_optstring(L, 1, NULL));
    return 0;
}

/* sim.stats() -> {now=, events=, pending=, lua_memory=} [-0, +1, m] */
static int l_stats(lua_State *L)
{
    simlua *h = simlua_host(L);
    lua_createtable(L, 0, 4);
    push_time(L, sim_now(h->s));
    lua_setfield(L, -2, "now");
    lua_pushinteger(L, (lua_Integer)h->s->dispatched);
    lua_setfield(L, -2, "events");
    lua_pushinteger(L, (lua_Integer)simq_size(&h->s->queue));
    lua_setfield(L, -2, "pending");
    lua_pushinteger(L, (lua_Integer)h->mem);
    lua_setfield(L, -2, "lua_memory");
    return 1;
}

/* ---- trace events ---- */

/* sim.event(kind [, {core=, thread=, component=, a0=, a1=, a2=, note=}])
 * writes one row of the events table at the current time. [-0, +0, e] */
static int l_event(lua_State *L)
{
    simlua *h = simlua_host(L);
    check_live(L, "sim.event");
    size_t klen;
    const char *kind = luaL_checklstring(L, 1, &klen);
    luaL_argcheck(L, klen > 0, 1, "empty event kind");
    luaL_argcheck(L, strlen(kind) == klen, 1, "an event kind cannot contain a NUL byte");
    if (h->s->kinds->len >= SIMLUA_MAX_KINDS && g_hash_table_lookup(h->s->kind_ids, kind) == NULL)
        return luaL_error(L, "sim.event: more than %d kinds of event", SIMLUA_MAX_KINDS);
    /* the integer fields, then the note; checked in this order */
    static const char *const fields[] = { "core", "thread", "component", "a0", "a1", "a2", "note", NULL };
    int64_t v[6] = { SIM_NONE, SIM_NONE, SIM_NONE, SIM_NONE, SIM_NONE, SIM_NONE };
    const char *note = NULL;
    if (!lua_isnoneornil(L, 2)) {
        luaL_checktype(L, 2, LUA_TTABLE);
        simlua_check_keys(L, 2, "sim.event", fields);
        for (int i = 0; i < 6; i++) {
            lua_pushstring(L, fields[i]);
            if (lua_rawget(L, 2) != LUA_TNIL) {
                if (!lua_isinteger(L, -1))
                    return luaL_error(L, "sim.event: field '%s' must be an integer", fields[i]);
                v[i] = lua_tointeger(L, -1);
                if (v[i] == SIM_NONE)
                    return luaL_error(L, "sim.event: field '%s' is out of range", fields[i]);
            }
            lua_pop(L, 1);
        }
        lua_pushliteral(L, "note");
        if (lua_rawget(L, 2) != LUA_TNIL) {          /* stays on the stack: anchors the note */
            size_t nlen;
            note = luaL_checklstring(L, -1, &nlen);
            if (nlen > SIMLUA_MAX_NOTE || strlen(note) != nlen)
                return luaL_error(L, "sim.event: a note is text of at most %d bytes without NUL bytes",
                                  SIMLUA_MAX_NOTE);
        }
    }
    sim_event(h->s, sim_kind(h->s, kind), v[0], v[1], v[2], v[3], v[4], v[5], note);
    return 0;
}

/* ---- random streams ---- */

/* sim.rng(name) -> stream [-0, +1, e] */
static int l_rng(lua_State *L)
{
    simlua *h = simlua_host(L);
    size_t nlen;
    const char *name = luaL_checklstring(L, 1, &nlen);
    luaL_argcheck(L, nlen > 0, 1, "a stream needs a name");
    luaL_argcheck(L, strlen(name) == nlen, 1, "a stream name cannot contain a NUL byte");
    simlua_charge(L, nlen / SIMLUA_ALLOC_BYTES);          /* the name is hashed in C */
    simrng *r = lua_newuserdatauv(L, sizeof *r, 0);
    luaL_setmetatable(L, RNG_MT);
    sim_rng(h->s, name, r);
    return 1;
}

static int l_rng_uniform(lua_State *L)
{
    simrng *r = luaL_checkudata(L, 1, RNG_MT);
    if (lua_gettop(L) >= 3) {
        lua_Number a = luaL_checknumber(L, 2), b = luaL_checknumber(L, 3);
        lua_pushnumber(L, a + (b - a) * simrng_uniform(r));
    } else {
        lua_pushnumber(L, simrng_uniform(r));
    }
    return 1;
}

static int l_rng_int(lua_State *L)
{
    simrng *r = luaL_checkudata(L, 1, RNG_MT);
    lua_Integer lo = luaL_checkinteger(L, 2), hi = luaL_checkinteger(L, 3);
    luaL_argcheck(L, lo <= hi, 3, "interval is empty");
    lua_pushinteger(L, simrng_range(r, lo, hi));
    return 1;
}

static int l_rng_exponential(lua_State *L)
{
    simrng *r = luaL_checkudata(L, 1, RNG_MT);
    lua_Number mean = luaL_checknumber(L, 2);
    luaL_argcheck(L, mean > 0 && isfinite(mean), 2, "mean must be positive");
    lua_pushnumber(L, simrng_exponential(r, mean));
    return 1;
}


/* ---- set-up and tear-down ---- */

static const luaL_Reg sim_funcs[] = {
    { "now", l_now },
    { "time", l_time },
    { "ps", l_ps }, { "ns", l_ns }, { "us", l_us }, { "ms", l_ms }, { "s", l_s },
    { "format", l_format },
    { "at", l_at },
    { "after", l_after },
    { "spawn", l_spawn },
    { "wait", l_wait },
    { "wait_until", l_wait_until },
    { "self", l_self },
    { "run", l_run },
    { "params", simlua_l_params },
    { "stop", l_stop },
    { "stats", l_stats },
    { "event", l_event },
    { "rng", l_rng },
    { NULL, NULL },
};

void simlua_open_simlib(lua_State *L)
{
    simlua *h = simlua_host(L);
    simlua_open_time(L);
    lua_pushglobaltable(L);
    luaL_newlib(L, sim_funcs);
    lua_pushinteger(L, (lua_Integer)h->s->seed);
    lua_setfield(L, -2, "seed");
    lua_setfield(L, -2, "sim");
    lua_pop(L, 1);

    luaL_newmetatable(L, CALL_MT);
    lua_newtable(L);
    lua_pushcfunction(L, l_timer_cancel);
    lua_setfield(L, -2, "cancel");
    lua_pushcfunction(L, l_timer_pending);
    lua_setfield(L, -2, "pending");
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);

    luaL_newmetatable(L, RNG_MT);
    lua_newtable(L);
    lua_pushcfunction(L, l_rng_uniform);
    lua_setfield(L, -2, "uniform");
    lua_pushcfunction(L, l_rng_int);
    lua_setfield(L, -2, "int");
    lua_pushcfunction(L, l_rng_exponential);
    lua_setfield(L, -2, "exponential");
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);
}

void simlua_cancel_all(simlua *h)
{
    while (h->procs)
        proc_free(h, h->procs);
    while (h->calls) {
        simlua_call *c = h->calls;
        if (simq_scheduled(&c->ev))
            sim_deschedule(h->s, &c->ev);
        unlink_call(h, c);
    }
}

void simlua_free_records(simlua *h)
{
    while (h->free_calls) {
        simlua_call *c = h->free_calls;
        h->free_calls = c->next;
        g_free(c);
    }
}
