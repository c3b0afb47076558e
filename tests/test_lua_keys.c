/* tests/test_lua_keys.c: the key checker every binding shares
 * (simlua_unknown_key, simlua_check_keys, simlua_only_keys in sim/lua.h,
 * sim/lua_keys.c).
 *
 * Lua seeds its string hashes per state, from the state's address, a
 * local's address and the time, so lua_next visits a table's keys in a
 * different order in different states.  Five states alive at once have five
 * addresses, hence (almost surely) five seeds: a checker that named the
 * first unknown key lua_next met would name different keys across them.
 * The shared checker names the first by name in every one.  (Across
 * processes, see test_cli.c's test_unknown_keys_named_alike.) */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>

#include "sim/lua.h"
#include "sim/sim.h"

#define NSTATES 5

/* zebra, mango, kiwi, beta, omega and delta9 are unknown; beta is the
 * first of them by name. */
#define SEVERAL_UNKNOWN "return { zebra = 1, mango = 2, mu = 0, kiwi = 3, beta = 4, omega = 5, alpha = 6, delta9 = 7 }"
static const char *const known[] = { "alpha", "mu", NULL };

static lua_State *state_with(const char *code)
{
    lua_State *L = luaL_newstate();
    assert_non_null(L);
    luaL_openlibs(L);
    if (luaL_dostring(L, code) != LUA_OK)
        fail_msg("%s: %s", code, lua_tostring(L, -1));
    return L;
}

static void test_first_unknown_key_by_name_in_every_state(void **state)
{
    (void)state;
    lua_State *L[NSTATES];
    for (int i = 0; i < NSTATES; i++) {
        L[i] = state_with(SEVERAL_UNKNOWN);
        int top = lua_gettop(L[i]);
        const char *k = simlua_unknown_key(L[i], -1, known);
        assert_non_null(k);
        assert_string_equal(k, "beta");
        assert_int_equal(lua_gettop(L[i]), top);
    }
    for (int i = 0; i < NSTATES; i++)
        lua_close(L[i]);
}

/* check_keys(t): simlua_check_keys as a binding would call it */
static int check_keys(lua_State *L)
{
    simlua_check_keys(L, 1, "thing", known);
    return 0;
}

static void test_one_message(void **state)
{
    (void)state;
    const char *want = "thing: unknown key 'beta' (known: alpha, mu)";
    lua_State *L[NSTATES];
    for (int i = 0; i < NSTATES; i++) {
        L[i] = state_with(SEVERAL_UNKNOWN);
        /* raised, for bindings */
        lua_pushcfunction(L[i], check_keys);
        lua_pushvalue(L[i], -2);
        assert_int_equal(lua_pcall(L[i], 1, 0, 0), LUA_ERRRUN);
        assert_string_equal(lua_tostring(L[i], -1), want);
        lua_pop(L[i], 1);
        /* as a GError, for readers that collect errors */
        GError *err = NULL;
        int top = lua_gettop(L[i]);
        assert_false(simlua_only_keys(L[i], -1, "thing", known, &err));
        assert_int_equal(lua_gettop(L[i]), top);
        assert_true(g_error_matches(err, SIMLUA_ERROR, SIMLUA_ERROR_SCRIPT));
        assert_string_equal(err->message, want);
        g_error_free(err);
    }
    for (int i = 0; i < NSTATES; i++)
        lua_close(L[i]);
    /* all known, or no keys: no error */
    lua_State *S = state_with("return { alpha = 1, mu = 2 }");
    assert_null(simlua_unknown_key(S, -1, known));
    assert_true(simlua_only_keys(S, -1, "thing", known, NULL));
    lua_pushcfunction(S, check_keys);
    lua_pushvalue(S, -2);
    assert_int_equal(lua_pcall(S, 1, 0, 0), LUA_OK);
    lua_newtable(S);
    assert_null(simlua_unknown_key(S, -1, known));
    lua_close(S);
}

/* Keys that are not strings are never known, and are named in the order of
 * simlua_sorted_keys (1..n, numbers, strings, booleans), then other types
 * by type name. */
static void test_keys_that_are_not_strings(void **state)
{
    (void)state;
    static const struct { const char *code, *want; } v[] = {
        { "return { 'x', zebra = 1 }", "[1]" },                             /* the array part first */
        { "return { [2.5] = 1, [-3] = 1, [true] = 1, zebra = 1 }", "[-3]" }, /* numbers ascending */
        { "return { [2.5] = 1, [true] = 1, zebra = 1 }", "[2.5]" },
        { "return { [true] = 1, zebra = 1, alpha = 1 }", "zebra" },         /* strings before booleans */
        { "return { [true] = 1, [false] = 1, alpha = 1 }", "[false]" },
        { "return { [{}] = 1, [print] = 1, [true] = 1 }", "[true]" },
        { "return { [{}] = 1, [print] = 1, alpha = 1 }", "[function]" },
        { "return { [{}] = 1, [{}] = 2 }", "[table]" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(v); i++) {
        lua_State *L = state_with(v[i].code);
        int top = lua_gettop(L);
        const char *k = simlua_unknown_key(L, -1, known);
        if (k == NULL || strcmp(k, v[i].want) != 0)
            fail_msg("%s: named %s, expected %s", v[i].code, k ? k : "nothing", v[i].want);
        assert_int_equal(lua_gettop(L), top);
        lua_close(L);
    }
}

/* sim.event's fields go through the same checker: five hosts alive at once,
 * the same message in each. */
static void test_sim_event_in_fresh_hosts(void **state)
{
    (void)state;
    const char *code = "local x = 1\nsim.event('k', { zebra = 1, mango = 2, kiwi = 3, beta = 4, omega = 5, core = 0 })\n";
    const char *want = "t.lua:2: sim.event: unknown key 'beta' (known: core, thread, component, a0, a1, a2, note)\n";
    sim *s[NSTATES];
    simlua *h[NSTATES];
    simlua_limits lim = { 64 << 20, 10000000 };
    for (int i = 0; i < NSTATES; i++) {
        s[i] = sim_new(1, simtr_open(NULL, NULL));
        h[i] = simlua_new(s[i], &lim, stdout, NULL, NULL, 0, NULL);
        assert_non_null(h[i]);
        GError *err = NULL;
        assert_false(simlua_run(h[i], "t.lua", code, strlen(code), &err));
        if (!g_str_has_prefix(err->message, want))
            fail_msg("host %d: %s", i, err->message);
        g_error_free(err);
    }
    for (int i = 0; i < NSTATES; i++) {
        simlua_free(h[i]);
        sim_free(s[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_unknown_key_by_name_in_every_state),
        cmocka_unit_test(test_one_message),
        cmocka_unit_test(test_keys_that_are_not_strings),
        cmocka_unit_test(test_sim_event_in_fresh_hosts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
