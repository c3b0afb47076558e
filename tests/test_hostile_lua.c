/* tests/test_hostile_lua.c: scenarios written by someone hostile (issue 19,
 * items 4, 6 and 8), through the cossim command, each run a process of its
 * own (suite: scenario).  argv: the cossim binary.  docs/testing.md lists
 * each probe and what it now does; each was reproduced here first. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "cli_util.h"

/* Run the scenario text (as s.lua in a fresh folder) with extra options. */
static result run_text(const char *text, const char *opt1, const char *opt2)
{
    char *dir = tmpdir();
    g_autofree char *path = g_build_filename(dir, "s.lua", NULL);
    assert_true(g_file_set_contents(path, text, -1, NULL));
    result r = run_in(dir, cossim, "run", "s.lua", "--trace", "none", opt1, opt2, NULL);
    tu_rmtree(dir);
    g_free(dir);
    return r;
}

/* The run fails (exit 2) with `want` in its message. */
static void expect_failure(const char *text, const char *want, const char *opt1, const char *opt2)
{
    result r = run_text(text, opt1, opt2);
    if (r.status != 2 || strstr(r.err, want) == NULL)
        fail_msg("scenario:\n%s\nexit %d (expected 2 naming '%s')\nstdout: %s\nstderr: %s", text, r.status, want,
                 r.out, r.err);
    result_clear(&r);
}

/* ---- item 6: nothing of the host's addresses or clock reaches the trace ---- */

/* Three processes, one digest.  Before issue 19 each probe gave a digest
 * per run: tostring({}) and %p print host addresses, and next() follows
 * Lua's hash order (addresses for tables, a per-process seed for strings). */
static void same_digest(const char *text)
{
    g_autofree char *first = NULL;
    for (int run = 0; run < 3; run++) {
        result r = run_text(text, NULL, NULL);
        expect_status(&r, 0);
        char *d = digest_of(&r);
        if (first == NULL)
            first = d;
        else if (strcmp(first, d) != 0)
            fail_msg("run %d: digest %s, run 0: %s\nscenario:\n%s", run, d, first, text);
        else
            g_free(d);
        result_clear(&r);
    }
}

static void test_tostring_is_an_id(void **state)
{
    (void)state;
    /* ids by first use: the same text on every run, whatever the heap */
    same_digest("local a, b = {}, {}\n"
                "for i = 1, 100 do local junk = { i } end\n"
                "sim.event('x', { note = tostring(a) .. ' ' .. tostring(print) .. ' ' .. tostring(b) .. ' ' .. tostring(a) })\n"
                "sim.event('y', { note = string.format('%s|%10s|%s', b, sim, setmetatable({}, { __name = 'thing' })) })\n");
    result r = run_text("local a, b = {}, {}\nprint(tostring(a), tostring(b), tostring(a), string.format('%s', b))\n"
                        "print(tostring(setmetatable({}, { __tostring = function() return 'mine' end })), 12, nil, true)\n",
                        NULL, NULL);
    expect_status(&r, 0);
    if (strstr(r.out, "table: #1\ttable: #2\ttable: #1\ttable: #2\nmine\t12\tnil\ttrue\n") == NULL)
        fail_msg("ids: %s", r.out);
    result_clear(&r);
}

static void test_format_p_refused(void **state)
{
    (void)state;
    expect_failure("sim.event('x', { note = string.format('%p', {}) })\n", "s.lua:1: string.format: '%p' gives a host address",
                   NULL, NULL);
    expect_failure("print(('%5.1f %-3p'):format(1, 'x'))\n", "'%p'", NULL, NULL);
}

static void test_next_in_fixed_order(void **state)
{
    (void)state;
    same_digest("local s = {}\n"
                "for i = 1, 50 do s['k' .. i] = i end\n"
                "s[2.5] = 0; s[1] = 0; s[false] = 0\n"
                "local k, v = next(s)\n"
                "while k ~= nil do sim.event('s', { note = tostring(k) }); k, v = next(s, k) end\n"
                "for key in next, s do s[key] = nil end\n"
                "assert(next(s) == nil)\n");
    /* keys whose only order is an address are refused, as pairs does */
    expect_failure("local t = {}\nfor i = 1, 20 do t[{}] = i end\nlocal k = next(t)\n",
                   "s.lua:3: a key of type table has no reproducible order", NULL, NULL);
    result r = run_text("print(pcall(next, { a = 1 }, 'zz'))\n", NULL, NULL);
    expect_status(&r, 0);
    if (strstr(r.out, "false\tinvalid key to 'next'") == NULL)
        fail_msg("next with a key the table does not have: %s", r.out);
    result_clear(&r);
}

/* Lua's table.sort draws a new pivot from clock() and time() when a
 * partition comes out unbalanced, and the order of equal elements then
 * follows it.  The sandbox's sort is stable: equal keys keep their order. */
static void test_sort_is_stable(void **state)
{
    (void)state;
    same_digest("local t = {}\n"
                "for i = 1, 3000 do t[i] = { k = (i * 7919) % 7, i = i } end\n"
                "table.sort(t, function(a, b) return a.k < b.k end)\n"
                "for i = 2, #t do assert(t[i - 1].k < t[i].k or t[i - 1].i < t[i].i, 'not stable') end\n"
                "sim.event('sorted', { a0 = t[1].i, a1 = t[1500].i, a2 = t[3000].i })\n"
                "table.sort(t, function() return true end)\n");
    result r = run_text("local t = { 5, 3, 9, 1, 3 }\ntable.sort(t)\nprint(table.concat(t, ','))\n"
                        "table.sort(t, function(a, b) return a > b end)\nprint(table.concat(t, ','))\n", NULL, NULL);
    expect_status(&r, 0);
    if (strstr(r.out, "1,3,3,5,9\n9,5,3,3,1\n") == NULL)
        fail_msg("sort: %s", r.out);
    result_clear(&r);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s COSSIM\n", argv[0]);
        return 2;
    }
    cossim = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tostring_is_an_id),
        cmocka_unit_test(test_format_p_refused),
        cmocka_unit_test(test_next_in_fixed_order),
        cmocka_unit_test(test_sort_is_stable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
