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
    /* under the sanitizers: no undefined behaviour on the way */
    if (strstr(r.err, "runtime error") || strstr(r.err, "AddressSanitizer"))
        fail_msg("scenario:\n%s\nsanitizer report:\n%s", text, r.err);
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

/* ---- item 4: caps that cover C work, host budgets, finalizers ---- */

/* Lua runs a __gc finalizer with hooks off: an endless loop in one ran for
 * ever whatever --lua-instructions said (before issue 19 this case never
 * returned).  Now finalizers run on a coroutine of their own, hooks on. */
static void test_finalizer_loop_stopped(void **state)
{
    (void)state;
    expect_failure("setmetatable({}, { __gc = function() while true do end end })\ncollectgarbage('collect')\n",
                   "s.lua:1: instruction limit of 1000000 exceeded", "--lua-instructions", "1000000");
    expect_failure("setmetatable({}, { __gc = function() while true do end end })\ncollectgarbage('collect')\n",
                   "(in a __gc finalizer)", "--lua-instructions", "1000000");
    /* one left for the end of the run gets a little budget, not the rest */
    result r = run_text("KEEP = setmetatable({}, { __gc = function() while true do end end })\n", NULL, NULL);
    expect_status(&r, 0);
    result_clear(&r);
}

/* Finalizers keep Lua's semantics: run once, in the reverse order of
 * marking; a __gc field added after setmetatable does not mark the object,
 * one present then (even false) does, and the field at collection time is
 * the one called; an error names its line. */
static void test_finalizer_semantics(void **state)
{
    (void)state;
    result r = run_text("local order = {}\n"
                        "for i = 1, 3 do setmetatable({}, { __gc = function() order[#order + 1] = i end }) end\n"
                        "local late = {}\nsetmetatable({}, late)\nlate.__gc = function() order[#order + 1] = 'late' end\n"
                        "local mt = { __gc = false }\nsetmetatable({}, mt)\nmt.__gc = function(o) order[#order + 1] = 'set' end\n"
                        "local back\nsetmetatable({}, { __gc = function(o) back = o end })\n"
                        "collectgarbage('collect')\ncollectgarbage('collect')\n"
                        "print(table.concat(order, ','), type(back), getmetatable(back) ~= nil)\n", NULL, NULL);
    expect_status(&r, 0);
    if (strstr(r.out, "set,3,2,1\ttable\ttrue\n") == NULL)
        fail_msg("finalizers: %s", r.out);
    result_clear(&r);
    expect_failure("setmetatable({}, { __gc = function() error('in gc') end })\ncollectgarbage('collect')\n",
                   "s.lua:1: in gc (in a __gc finalizer)", NULL, NULL);
}

/* C work is charged to the instruction budget: a loop of concatenations of
 * 64 MiB strings, or of memory-system probes over 64 MiB, is a few VM
 * instructions per step, so it ran for hours under the default cap. */
static void test_c_work_charged(void **state)
{
    (void)state;
    /* 128 MiB a step at 8 bytes an instruction: 16.8M instructions, so
     * the 7th step passes 10^8 */
    expect_failure("local s = string.rep('x', 64 << 20)\nfor i = 1, 1e9 do local y = s .. s end\n",
                   "s.lua:2: instruction limit of 100000000 exceeded", "--lua-instructions", "100000000");
    /* 2^20 lines at 40 instructions each: the 3rd probe passes 10^8 */
    expect_failure("local m = machine{ preset = 'x86_64' }\nfor i = 1, 1e9 do m:access(0, 0, 64 << 20, 'read') end\n",
                   "s.lua:2: instruction limit of 100000000 exceeded", "--lua-instructions", "100000000");
}

/* Simulated spans up to 2^63 ps ran until --timeout, which had no
 * default: every run now has a host-time budget (600 s unless raised). */
static void test_host_time_budget(void **state)
{
    (void)state;
    expect_failure("local function tick() sim.after('1us', tick) end\nsim.after('1us', tick)\nsim.run(sim.ps(math.maxinteger))\n",
                   "the host-time budget of 1 s ran out (raise it with --timeout", "--timeout", "1");
    /* a loop in Lua: the count hook polls the budget */
    expect_failure("while true do end\n", "s.lua:1: the host-time budget of 1 s ran out", "--timeout", "1");
    /* C code that never returns to a poll (a pathological pattern): the
     * command's alarm, 5 s after the budget */
    expect_failure("print(string.find(string.rep('a', 3000), string.rep('a-', 12) .. 'b'))\n",
                   "ran out inside C code that did not return", "--timeout", "1");
    result r = run_in(".", cossim, "run", "--help", NULL);
    if (strstr(r.out, "default 600") == NULL || strstr(r.out, "default 2048") == NULL)
        fail_msg("the budgets' defaults: %s", r.out);
    result_clear(&r);
}

/* Host memory a script made cossim allocate outside the Lua cap: shared
 * names copied by each sim.spawn reached 2.7 GB, and 2,000 machines with
 * large caches grew without limit.  The host-memory budget stops both (if
 * it did not, the first would allocate 3.2 GB and succeed). */
static void test_host_memory_budget(void **state)
{
    (void)state;
    expect_failure("local name = string.rep('x', 8 << 20)\nfor i = 1, 400 do sim.spawn(name, function() end) end\n",
                   "the host-memory budget of 384 MiB ran out", "--memory", "384");
    expect_failure("local ms = {}\nfor i = 1, 2000 do ms[i] = machine{ preset = 'x86_64', l3 = { size = '64M', ways = 16 } } end\n",
                   "the host-memory budget of 512 MiB ran out", "--memory", "512");
}

/* ---- the sandbox, probed (docs/testing.md lists each probe) ---- */

/* The run's output for a script that must succeed. */
static char *output_of(const char *text)
{
    result r = run_text(text, NULL, NULL);
    expect_status(&r, 0);
    char *out = g_strdup(r.out);
    result_clear(&r);
    return out;
}

static void expect_output(const char *text, const char *want)
{
    g_autofree char *out = output_of(text);
    if (strstr(out, want) == NULL)
        fail_msg("scenario:\n%s\nprinted:\n%s\nnot:\n%s", text, out, want);
}

/* collectgarbage: only the options that cannot change what the collector
 * does for the rest of the run (stop, generational, setpause would make
 * finalizers and memory depend on the script in ways the caps do not see). */
static void test_probe_collectgarbage(void **state)
{
    (void)state;
    expect_output("for _, o in ipairs({ 'stop', 'restart', 'generational', 'incremental', 'setpause', 'setstepmul' }) do\n"
                  "  print(o, (pcall(collectgarbage, o)))\nend\n"
                  "print(collectgarbage('count') > 0, collectgarbage('step'), collectgarbage('isrunning'))\n",
                  "stop\tfalse\nrestart\tfalse\ngenerational\tfalse\nincremental\tfalse\nsetpause\tfalse\n"
                  "setstepmul\tfalse\ntrue\ttrue\ttrue\n");
}

/* Metatables: a protected one stays so; the string metatable is the
 * state's own (changing it affects only this script); the report is read
 * raw, so no metamethod of the script runs while it is converted. */
static void test_probe_metatables(void **state)
{
    (void)state;
    expect_output("print(pcall(setmetatable, setmetatable({}, { __metatable = 'locked' }), {}))\n"
                  "getmetatable('').__index = function() return function() return 'mine' end end\n"
                  "print(('x'):rep(3))\n",
                  "false\tcannot change a protected metatable\nmine\n");
    result r = run_text("return setmetatable({ a = 1 }, { __index = function() error('no') end,\n"
                        "  __pairs = function() error('no') end, __len = function() error('no') end })\n", "--json", NULL);
    expect_status(&r, 0);
    if (strstr(r.out, "\"report\":{\"a\":1}") == NULL)
        fail_msg("report: %s", r.out);
    result_clear(&r);
}

/* Coroutines across the C boundary: there is no coroutine library; a
 * process waits by yielding, which a C function without a continuation
 * (a sort comparator, a gsub replacement, a finalizer) refuses with a
 * message, and Lua's own paths (pcall, __index from Lua) allow. */
static void test_probe_yield_across_c(void **state)
{
    (void)state;
    expect_output("sim.spawn('p', function()\n"
                  "  print('sort', pcall(table.sort, { 3, 1, 2 }, function(a, b) sim.wait('1us') return a < b end))\n"
                  "  print('gsub', pcall(string.gsub, 'abc', 'b', function() sim.wait('1us') return 'x' end))\n"
                  "  print('index', setmetatable({}, { __index = function() sim.wait('1us') return 1 end }).x, sim.now())\n"
                  "  print('pcall', pcall(sim.wait, '1us'))\n"
                  "end)\nsim.run('10us')\n",
                  "sort\tfalse\ts.lua:2: sim.wait cannot wait here (inside a metamethod or require)\n"
                  "gsub\tfalse\ts.lua:3: sim.wait cannot wait here (inside a metamethod or require)\n"
                  "index\t1\t1us\npcall\ttrue\t2us\n");
    expect_failure("sim.spawn('p', function()\n  setmetatable({}, { __gc = function() sim.wait('1us') end })\n"
                   "  collectgarbage('collect')\nend)\nsim.run('10us')\n",
                   "s.lua:2: sim.wait can only be called inside a process (see sim.spawn) (in a __gc finalizer)", NULL, NULL);
    expect_output("print(coroutine)\n", "nil\n");
}

/* require reaches the script's folder and scenarios/lib only. */
static void test_probe_require(void **state)
{
    (void)state;
    expect_output("print(pcall(require, '../../etc/passwd'))\nprint(pcall(require, '/etc/passwd'))\n",
                  "false\trequire: '../../etc/passwd' is not a module name");
}

/* ---- item 8: every error has a line ---- */

/* Errors about the returned report named the file but no line; the line
 * is now the return statement's (or, for a tail call, the return that
 * built the report). */
static void test_report_errors_have_lines(void **state)
{
    (void)state;
    expect_failure("local x = 1\nif x then\n  return { f = print }\nend\n",
                   "s.lua:3: the returned report: it holds a function", NULL, NULL);
    expect_failure("local function mk()\n  return { a = { b = function() end } }\nend\nreturn mk()\n",
                   "s.lua:2: the returned report: it holds a function", NULL, NULL);
    expect_failure("local t = {}\nt[{}] = 1\nreturn t\n", "s.lua:3: the returned report: a key of type table", NULL, NULL);
    expect_failure("local t = {}\nt.t = t\n\n\nreturn t\n", "s.lua:5: the returned report: it nests deeper", NULL, NULL);
    /* a callback run by the host after the script returned is not its return */
    expect_failure("sim.after('1us', function() return 1 end)\nreturn { ok = true, f = print }\n",
                   "s.lua:2: the returned report", NULL, NULL);
}

/* machine{ preset = "x86_64", foo = _G } ran out of memory copying _G
 * (model/lua.c) and reported it with an empty traceback: a second refusal,
 * as the error unwound, replaced the first one's frames.  (Whether the
 * copy runs out of memory or of Lua stack first follows lua_next's order,
 * which differs from run to run: either way the message has the line.) */
static void test_memory_error_has_traceback(void **state)
{
    (void)state;
    for (int run = 0; run < 3; run++) {
        result r = run_text("local m = machine{ preset = 'x86_64', foo = _G }\n", NULL, NULL);
        if (r.status != 2 || !g_str_has_prefix(r.err, "s.lua:1: ") || strstr(r.err, "stack traceback:\n\t") == NULL)
            fail_msg("machine{ foo = _G }: exit %d\n%s", r.status, r.err);
        result_clear(&r);
    }
    expect_failure("local t = {}\nfor i = 1, 1e9 do t[i] = { i } end\n",
                   "s.lua:2: memory limit of 67108864 bytes (64.0 MiB) exceeded (raise it with --lua-memory)\n"
                   "stack traceback:\n\ts.lua:2", "--lua-memory", "64");
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
        cmocka_unit_test(test_finalizer_loop_stopped),
        cmocka_unit_test(test_finalizer_semantics),
        cmocka_unit_test(test_c_work_charged),
        cmocka_unit_test(test_host_time_budget),
        cmocka_unit_test(test_host_memory_budget),
        cmocka_unit_test(test_probe_collectgarbage),
        cmocka_unit_test(test_probe_metatables),
        cmocka_unit_test(test_probe_yield_across_c),
        cmocka_unit_test(test_probe_require),
        cmocka_unit_test(test_report_errors_have_lines),
        cmocka_unit_test(test_memory_error_has_traceback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
