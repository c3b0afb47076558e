/* sim/lua_time.c: time values, what a scenario holds for a time
 * (docs/scenarios.md "Time values").  A time is written as a string with a
 * unit ("10ms") or is a time value: a userdata holding a signed 64-bit
 * count of picoseconds, made by sim.time, sim.ps/ns/us/ms/s and sim.now.
 * A bare number is never a time (it used to be picoseconds, silently):
 * where a time is expected it is an error that names the field and says
 * which unit to add.  Only 0 is taken bare, the same in every unit.
 *
 * Time values add and subtract with each other, multiply and divide by
 * numbers, divide by each other into a number, compare with each other and
 * print with their unit.  The sum or difference of two times may be
 * negative (a lateness); a negative time is refused where one is used.
 * Calls no other file of the host (lua_internal.h). */
#include "lua_internal.h"

#include <math.h>
#include <string.h>

#include <lauxlib.h>

#define TIME_MT "cossim.time"
#define UNITS "units: ps, ns, us, ms, s"

typedef struct time_val {
    int64_t ps;
} time_val;

/* ---- making and reading them ---- */

void simlua_push_time(lua_State *L, int64_t ps)
{
    time_val *t = lua_newuserdatauv(L, sizeof *t, 0);
    t->ps = ps;
    luaL_setmetatable(L, TIME_MT);
}

bool simlua_time_value(lua_State *L, int idx, int64_t *ps)
{
    const time_val *t = luaL_testudata(L, idx, TIME_MT);
    if (t && ps)
        *ps = t->ps;
    return t != NULL;
}

/* "-1.5us": a time with its unit, negative ones with a sign. */
static const char *format_signed(int64_t ps, char *buf, size_t len)
{
    if (ps >= 0)
        return simt_format((sim_time_t)ps, buf, len);
    buf[0] = '-';
    simt_format((sim_time_t)0 - (sim_time_t)ps, buf + 1, len - 1);
    return buf;
}

/* The hint for a bare number v at idx: which unit to write.  For 1000000:
 * "1000000ns" or "1ms" (the same time); for 2.5: "2.5ns". */
static void unit_hint(lua_State *L, int idx, char *buf, size_t len)
{
    if (lua_isinteger(L, idx))
        simt_unit_hint((int64_t)lua_tointeger(L, idx), buf, len);
    else
        g_snprintf(buf, len, "write e.g. \"%.14gus\"; " UNITS, lua_tonumber(L, idx));
}

/* The time at idx, or an error "WHO: KEY = VALUE ..." (key NULL: "WHO:
 * VALUE ...").  Raised with luaL_error: the position is the scenario's line
 * that called the binding. [-0, +0, e] */
static sim_time_t read_time(lua_State *L, int idx, const char *who, const char *key)
{
    char pre[192];
    if (key)
        g_snprintf(pre, sizeof pre, "%s: %s =", who, key);
    else
        g_snprintf(pre, sizeof pre, "%s:", who);
    int64_t v;
    if (simlua_time_value(L, idx, &v)) {
        if (v < 0) {
            char buf[SIMT_FMT_LEN + 1];
            return (sim_time_t)luaL_error(L, "%s %s: a time cannot be negative", pre, format_signed(v, buf, sizeof buf));
        }
        return (sim_time_t)v;
    }
    switch (lua_type(L, idx)) {
    case LUA_TSTRING: {
        GError *err = NULL;
        sim_time_t t;
        if (!simt_parse(lua_tostring(L, idx), &t, &err)) {
            lua_pushfstring(L, "%s %s", pre, err->message);
            g_error_free(err);      /* before raising: the error is a longjmp */
            luaL_where(L, 1);
            lua_insert(L, -2);
            lua_concat(L, 2);
            return (sim_time_t)lua_error(L);
        }
        if (t > SIMLUA_TIME_MAX)
            return (sim_time_t)luaL_error(L, "%s '%s' is past the end of scenario time (2^63-1 ps, about 106 days)",
                                          pre, lua_tostring(L, idx));
        return t;
    }
    case LUA_TNUMBER: {
        if (lua_isinteger(L, idx) && lua_tointeger(L, idx) == 0)
            return 0;               /* the same in every unit */
        if (lua_tonumber(L, idx) < 0) {
            const char *text = luaL_tolstring(L, idx, NULL);
            return (sim_time_t)luaL_error(L, "%s %s is negative and has no unit (a time is 0 or more, "
                                          "written with a unit: " UNITS ")", pre, text);
        }
        char hint[160];
        unit_hint(L, idx, hint, sizeof hint);
        const char *text = luaL_tolstring(L, idx, NULL);
        return (sim_time_t)luaL_error(L, "%s %s has no unit (%s)", pre, text, hint);
    }
    default:
        return (sim_time_t)luaL_error(L, "%s a time is a string with a unit such as \"10ms\" or a time value "
                                      "(sim.time, sim.now), not a %s", pre, luaL_typename(L, idx));
    }
}

sim_time_t simlua_time(lua_State *L, int idx, const char *what)
{
    return read_time(L, idx, what, NULL);
}

sim_time_t simlua_field_time(lua_State *L, int idx, const char *who, const char *key)
{
    return read_time(L, idx, who, key);
}

/* ---- arithmetic ---- */

static int64_t check_ps(lua_State *L, int idx, const char *op)
{
    int64_t v;
    if (simlua_time_value(L, idx, &v))
        return v;
    if (lua_type(L, idx) == LUA_TNUMBER) {
        char hint[160];
        unit_hint(L, idx, hint, sizeof hint);
        const char *text = luaL_tolstring(L, idx, NULL);
        return luaL_error(L, "a time %s %s: the number has no unit (%s; or sim.time(\"...\"))", op, text, hint);
    }
    return luaL_error(L, "a time %s a %s: give a time value (sim.time(\"10ms\"))", op, luaL_typename(L, idx));
}

static void check_range(lua_State *L, bool overflow)
{
    if (overflow)
        luaL_error(L, "time arithmetic out of range (at most 2^63-1 ps, about 106 days)");
}

static int l_add(lua_State *L)
{
    int64_t a = check_ps(L, 1, "plus"), b = check_ps(L, 2, "plus"), r;
    check_range(L, __builtin_add_overflow(a, b, &r));
    simlua_push_time(L, r);
    return 1;
}

static int l_sub(lua_State *L)
{
    int64_t a = check_ps(L, 1, "minus"), b = check_ps(L, 2, "minus"), r;
    check_range(L, __builtin_sub_overflow(a, b, &r));
    simlua_push_time(L, r);
    return 1;
}

static int l_unm(lua_State *L)
{
    int64_t a = check_ps(L, 1, "negated"), r;
    check_range(L, __builtin_sub_overflow((int64_t)0, a, &r));
    simlua_push_time(L, r);
    return 1;
}

/* A float result in picoseconds, rounded to the nearest one. */
static int64_t round_ps(lua_State *L, double v)
{
    if (!(v > -0x1p63 && v < 0x1p63))
        luaL_error(L, "time arithmetic out of range (at most 2^63-1 ps, about 106 days)");
    return (int64_t)llround(v);
}

/* time * number, number * time -> time (a float factor: the nearest ps) */
static int l_mul(lua_State *L)
{
    int t = simlua_time_value(L, 1, NULL) ? 1 : 2, n = 3 - t;
    int64_t a = check_ps(L, t, "times"), r;
    if (simlua_time_value(L, n, NULL))
        return luaL_error(L, "a time times a time is not a time (multiply a time by a number)");
    if (lua_isinteger(L, n))
        check_range(L, __builtin_mul_overflow(a, (int64_t)lua_tointeger(L, n), &r));
    else
        r = round_ps(L, (double)a * luaL_checknumber(L, n));
    simlua_push_time(L, r);
    return 1;
}

/* Integer a / b to the nearest, halves away from zero. */
static int64_t div_nearest(int64_t a, int64_t b)
{
    int64_t q = a / b, r = a % b;
    uint64_t ar = r < 0 ? (uint64_t)0 - (uint64_t)r : (uint64_t)r;
    uint64_t ab = b < 0 ? (uint64_t)0 - (uint64_t)b : (uint64_t)b;
    if (ar >= ab - ar)
        q += ((a < 0) == (b < 0)) ? 1 : -1;
    return q;
}

/* time / time -> number; time / number -> time (the nearest ps) */
/* n / t, n // t: refused (what would it be?) [-0, +0, e] */
static void check_dividend(lua_State *L)
{
    if (!simlua_time_value(L, 1, NULL))
        luaL_error(L, "a %s divided by a time is not a time (divide a time by a number or by a time)",
                   luaL_typename(L, 1));
}

static int l_div(lua_State *L)
{
    check_dividend(L);
    int64_t a = check_ps(L, 1, "divided by"), b;
    if (simlua_time_value(L, 2, &b)) {
        if (b == 0)
            return luaL_error(L, "a time divided by a zero time");
        lua_pushnumber(L, (double)a / (double)b);
        return 1;
    }
    if (lua_isinteger(L, 2)) {
        lua_Integer n = lua_tointeger(L, 2);
        if (n == 0)
            return luaL_error(L, "a time divided by zero");
        if (n == -1)
            return l_unm(L);
        simlua_push_time(L, div_nearest(a, (int64_t)n));
        return 1;
    }
    lua_Number x = luaL_checknumber(L, 2);
    if (x == 0)
        return luaL_error(L, "a time divided by zero");
    simlua_push_time(L, round_ps(L, (double)a / x));
    return 1;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

/* time // time -> integer; time // number -> time (rounded down) */
static int l_idiv(lua_State *L)
{
    check_dividend(L);
    int64_t a = check_ps(L, 1, "divided by"), b;
    bool both = simlua_time_value(L, 2, &b);
    if (!both) {
        if (!lua_isinteger(L, 2)) {
            lua_Number x = luaL_checknumber(L, 2);
            if (x == 0)
                return luaL_error(L, "a time divided by zero");
            simlua_push_time(L, round_ps(L, floor((double)a / x)));
            return 1;
        }
        b = (int64_t)lua_tointeger(L, 2);
    }
    if (b == 0)
        return luaL_error(L, "a time divided by zero");
    if (b == -1 && a == INT64_MIN)
        return luaL_error(L, "time arithmetic out of range (at most 2^63-1 ps, about 106 days)");
    if (both)
        lua_pushinteger(L, floor_div(a, b));
    else
        simlua_push_time(L, floor_div(a, b));
    return 1;
}

/* time % time -> time (the sign of the divisor, as Lua's %) */
static int l_mod(lua_State *L)
{
    int64_t a = check_ps(L, 1, "modulo"), b = check_ps(L, 2, "modulo");
    if (b == 0)
        return luaL_error(L, "a time modulo a zero time");
    int64_t r = b == -1 ? 0 : a % b;
    if (r != 0 && ((r < 0) != (b < 0)))
        r += b;
    simlua_push_time(L, r);
    return 1;
}

/* ---- comparison, text, methods ---- */

static int l_eq(lua_State *L)
{
    int64_t a, b;
    lua_pushboolean(L, simlua_time_value(L, 1, &a) && simlua_time_value(L, 2, &b) && a == b);
    return 1;
}

static int l_lt(lua_State *L)
{
    int64_t a = check_ps(L, 1, "compared with"), b = check_ps(L, 2, "compared with");
    lua_pushboolean(L, a < b);
    return 1;
}

static int l_le(lua_State *L)
{
    int64_t a = check_ps(L, 1, "compared with"), b = check_ps(L, 2, "compared with");
    lua_pushboolean(L, a <= b);
    return 1;
}

static int l_tostring(lua_State *L)
{
    char buf[SIMT_FMT_LEN + 1];
    lua_pushstring(L, format_signed(check_ps(L, 1, "as text"), buf, sizeof buf));
    return 1;
}

static int l_concat(lua_State *L)
{
    luaL_tolstring(L, 1, NULL);
    luaL_tolstring(L, 2, NULL);
    lua_concat(L, 2);
    return 1;
}

/* t:ps() -> integer picoseconds */
static int l_get_ps(lua_State *L)
{
    lua_pushinteger(L, check_ps(L, 1, "in picoseconds"));
    return 1;
}

static int in_unit(lua_State *L, sim_time_t unit)
{
    lua_pushnumber(L, (double)check_ps(L, 1, "in a unit") / (double)unit);
    return 1;
}
static int l_get_ns(lua_State *L) { return in_unit(L, SIM_NS); }
static int l_get_us(lua_State *L) { return in_unit(L, SIM_US); }
static int l_get_ms(lua_State *L) { return in_unit(L, SIM_MS); }
static int l_get_s(lua_State *L) { return in_unit(L, SIM_S); }

static const luaL_Reg time_meta[] = {
    { "__add", l_add }, { "__sub", l_sub }, { "__unm", l_unm }, { "__mul", l_mul },
    { "__div", l_div }, { "__idiv", l_idiv }, { "__mod", l_mod },
    { "__eq", l_eq }, { "__lt", l_lt }, { "__le", l_le },
    { "__tostring", l_tostring }, { "__concat", l_concat },
    { NULL, NULL },
};

static const luaL_Reg time_methods[] = {
    { "ps", l_get_ps }, { "ns", l_get_ns }, { "us", l_get_us }, { "ms", l_get_ms }, { "s", l_get_s },
    { NULL, NULL },
};

void simlua_open_time(lua_State *L)
{
    luaL_newmetatable(L, TIME_MT);
    luaL_setfuncs(L, time_meta, 0);
    luaL_newlib(L, time_methods);
    lua_setfield(L, -2, "__index");
    lua_pushstring(L, TIME_MT);
    lua_setfield(L, -2, "__metatable");   /* getmetatable(t) cannot change it */
    lua_pop(L, 1);
}
