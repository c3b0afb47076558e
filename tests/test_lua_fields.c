/* tests/test_lua_fields.c: the fields bindings share (sim/lua_fields.c):
 * an option read with its range and type, and a benchmark's samples with
 * their statistics.  Each expected figure is worked by hand in its test. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>

#include "sim/lua.h"

static int set_samples(lua_State *L)
{
    size_t n = (size_t)lua_tointeger(L, 1);
    static const uint64_t v[] = { 7, 3, 9, 1, 6, 4 };
    lua_newtable(L);
    simlua_set_samples(L, v, n);
    return 1;
}

static lua_Integer field(lua_State *L, const char *key)
{
    lua_getfield(L, -1, key);
    lua_Integer x = lua_tointeger(L, -1);
    lua_pop(L, 1);
    return x;
}

/* The samples 7 3 9 1 6 4 (n = 6): sorted 1 3 4 6 7 9, so min 1, worst 9,
 * median (4 + 6) / 2 = 5 (not the lower middle, 4), mean 30 / 6 = 5; the
 * first five (n = 5): sorted 1 3 6 7 9, median 6, mean 26 / 5 = 5.2.
 * samples keep the order they came in. */
static void test_samples(void **state)
{
    (void)state;
    lua_State *L = luaL_newstate();
    lua_pushcfunction(L, set_samples);
    lua_pushinteger(L, 6);
    assert_int_equal(lua_pcall(L, 1, 1, 0), LUA_OK);
    assert_int_equal(field(L, "n"), 6);
    assert_int_equal(field(L, "min"), 1);
    assert_int_equal(field(L, "worst"), 9);
    assert_int_equal(field(L, "median"), 5);
    lua_getfield(L, -1, "mean");
    assert_true(lua_tonumber(L, -1) == 5.0);
    lua_pop(L, 1);
    lua_getfield(L, -1, "samples");
    assert_int_equal(luaL_len(L, -1), 6);
    lua_rawgeti(L, -1, 1);
    assert_int_equal(lua_tointeger(L, -1), 7);
    lua_pop(L, 3);
    lua_pushcfunction(L, set_samples);
    lua_pushinteger(L, 5);
    assert_int_equal(lua_pcall(L, 1, 1, 0), LUA_OK);
    assert_int_equal(field(L, "median"), 6);
    lua_getfield(L, -1, "mean");
    assert_true(lua_tonumber(L, -1) > 5.2 - 1e-12 && lua_tonumber(L, -1) < 5.2 + 1e-12);
    lua_close(L);
}

static int read_rounds(lua_State *L)
{
    lua_pushinteger(L, simlua_field_int(L, 1, "x.bench", "rounds", 200, 1, 1000));
    lua_pushboolean(L, simlua_field_bool(L, 1, "x.bench", "warm", true));
    return 2;
}

/* rounds: absent -> 200 (the default); 7 -> 7; 0 and 1001 outside 1..1000,
 * 2.5 not an integer: errors naming the call and the key.  warm: absent
 * -> true; 1 is not a boolean. */
static void test_options(void **state)
{
    (void)state;
    lua_State *L = luaL_newstate();
    luaL_openlibs(L);
    lua_register(L, "rd", read_rounds);
    static const struct { const char *code, *want; } cases[] = {
        { "local r, w = rd{}; assert(r == 200 and w == true)", NULL },
        { "local r, w = rd{ rounds = 7, warm = false }; assert(r == 7 and w == false)", NULL },
        { "rd{ rounds = 0 }", "x.bench: rounds must be from 1 to 1000, not 0" },
        { "rd{ rounds = 1001 }", "x.bench: rounds must be from 1 to 1000, not 1001" },
        { "rd{ rounds = 2.5 }", "x.bench: rounds must be an integer, not 2.5" },
        { "rd{ warm = 1 }", "x.bench: warm must be true or false, not a number" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = luaL_dostring(L, cases[i].code);
        if (cases[i].want == NULL) {
            if (rc != LUA_OK)
                fail_msg("%s: %s", cases[i].code, lua_tostring(L, -1));
        } else {
            assert_int_not_equal(rc, LUA_OK);
            if (strstr(lua_tostring(L, -1), cases[i].want) == NULL)
                fail_msg("%s: '%s' does not say '%s'", cases[i].code, lua_tostring(L, -1), cases[i].want);
            lua_pop(L, 1);
        }
    }
    lua_close(L);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_samples),
        cmocka_unit_test(test_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
