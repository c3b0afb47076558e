/* tests/test_lua.c: the Lua sandbox and the `sim` table (sim/lua.h).
 *
 * Scripts are given inline and named "t.lua", so an error on line 3 must be
 * reported as "t.lua:3: ...".  Line numbers in the expectations are counted
 * by hand from the inline text. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <lua.h>

#include "sim/lua.h"
#include "sim/sim.h"

typedef struct run {
    sim *s;
    simlua *h;
    GError *err;
    bool ok;
    char *out;          /* what print() wrote */
} run;

static run *run_script(const char *code, const simlua_limits *lim, uint64_t seed)
{
    run *r = g_new0(run, 1);
    simlua_limits def = { 64 << 20, 50000000 };
    r->s = sim_new(seed, simtr_open(NULL, NULL));
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    g_autofree char *lib = g_build_filename(g_getenv("COSSIM_SCENARIOS") ? g_getenv("COSSIM_SCENARIOS") : "scenarios", "lib", NULL);
    r->h = simlua_new(r->s, lim ? lim : &def, out, lib, NULL, 0, &r->err);
    assert_non_null(r->h);
    r->ok = simlua_run(r->h, "t.lua", code, strlen(code), &r->err);
    fclose(out);
    r->out = buf;
    return r;
}

static void run_free(run *r)
{
    if (r->h)
        simlua_free(r->h);
    sim_free(r->s);
    g_clear_error(&r->err);
    free(r->out);
    g_free(r);
}

/* The run failed with a message that starts with `prefix` and has a
 * traceback (unless no_traceback). */
static void assert_fails(run *r, const char *prefix, const char *contains)
{
    if (r->ok)
        fail_msg("expected the script to fail with '%s...', but it succeeded", prefix);
    const char *m = r->err->message;
    if (!g_str_has_prefix(m, prefix))
        fail_msg("error message should start with '%s' but is:\n%s", prefix, m);
    if (contains && strstr(m, contains) == NULL)
        fail_msg("error message should contain '%s' but is:\n%s", contains, m);
    if (strstr(m, "stack traceback:") == NULL)
        fail_msg("error message has no traceback:\n%s", m);
}

static void assert_ok(run *r)
{
    if (!r->ok)
        fail_msg("script failed: %s", r->err->message);
}

static void test_forbidden_libraries(void **state)
{
    (void)state;
    /* Each name must be absent from the sandbox (issue: no io, os, debug,
     * package, dofile, loadfile; string.dump would expose bytecode). */
    static const char *names[] = { "io", "os", "debug", "package", "dofile", "loadfile",
                                   "string.dump", "coroutine", "warn" };
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        g_autofree char *code = g_strdup_printf("\n\nlocal x = %s.foo\n", names[i]);
        if (strchr(names[i], '.') == NULL)
            code = (g_free(code), g_strdup_printf("\n\nlocal x = %s\nassert(x == nil, '%s is present')\nlocal y = %s.x\n",
                                                  names[i], names[i], names[i]));
        else
            code = (g_free(code), g_strdup_printf("\n\nassert(%s == nil, '%s is present')\nlocal y = %s.x\n",
                                                  names[i], names[i], names[i]));
        run *r = run_script(code, NULL, 1);
        /* line 3 asserts absence; line 4 (or 3) indexes nil */
        assert_fails(r, "t.lua:", "attempt to index a nil value");
        run_free(r);
    }
}

static void test_binary_chunks_refused(void **state)
{
    (void)state;
    /* "\27Lua" is the signature of a precompiled chunk; mode "b" is refused
     * outright, and even in mode "bt"/"t" a binary string must not load. */
    run *r = run_script("local f, e = load('\\27Lua', 'x', 't')\nassert(f == nil)\n"
                        "load('return 1', 'x', 'b')\n", NULL, 1);
    assert_fails(r, "t.lua:3:", "binary chunks are not allowed");
    run_free(r);
}

static void test_syntax_error(void **state)
{
    (void)state;
    run *r = run_script("local a = 1\nlocal b = 2\nlocal c = = 3\n", NULL, 1);
    if (r->ok || !g_str_has_prefix(r->err->message, "t.lua:3:"))
        fail_msg("syntax error on line 3 should be reported as t.lua:3:, got: %s", r->ok ? "success" : r->err->message);
    run_free(r);
}

static void test_runtime_error(void **state)
{
    (void)state;
    run *r = run_script("local function f(t)\n  return t.x.y\nend\nf({})\n", NULL, 1);
    assert_fails(r, "t.lua:2:", "attempt to index a nil value");
    /* the traceback names the caller's line too */
    assert_non_null(strstr(r->err->message, "t.lua:4:"));
    run_free(r);

    /* error objects without a position get the position of the raiser */
    r = run_script("local x = 1\nerror({code = 7})\n", NULL, 1);
    assert_fails(r, "t.lua:2:", "error object is a table value");
    run_free(r);
    r = run_script("local x = 1\n\nerror('plain', 0)\n", NULL, 1);
    assert_fails(r, "t.lua:3:", "plain");
    run_free(r);
}

static void test_runaway_loop(void **state)
{
    (void)state;
    simlua_limits lim = { 64 << 20, 1000000 };
    run *r = run_script("local n = 0\nwhile true do\n  n = n + 1\nend\n", &lim, 1);
    assert_fails(r, "t.lua:", "instruction limit of 1000000 exceeded");
    run_free(r);

    /* The limit cannot be swallowed by pcall, however the loop is nested. */
    r = run_script("while true do\n  pcall(function() while true do end end)\nend\n", &lim, 1);
    assert_fails(r, "t.lua:", "instruction limit");
    run_free(r);
    r = run_script("while true do\n  xpcall(function() while true do end end, function(e) return e end)\nend\n", &lim, 1);
    assert_fails(r, "t.lua:", "instruction limit");
    run_free(r);
}

static void test_memory_bomb(void **state)
{
    (void)state;
    simlua_limits lim = { 16 << 20, 0 };
    /* many small allocations: the table and its strings */
    run *r = run_script("local t = {}\nlocal i = 0\nwhile true do\n  i = i + 1\n  t[i] = string.rep('x', 100) .. i\nend\n",
                        &lim, 1);
    assert_fails(r, "t.lua:", "memory limit of 16777216 bytes");
    run_free(r);
    /* one huge allocation */
    r = run_script("local a = 1\nlocal s = string.rep('x', 1 << 30)\n", &lim, 1);
    assert_fails(r, "t.lua:2:", "memory limit");
    run_free(r);
    /* and pcall does not get to catch it and carry on */
    r = run_script("local ok = pcall(string.rep, 'x', 1 << 30)\nprint('survived')\n", &lim, 1);
    assert_fails(r, "t.lua:", "memory limit");
    run_free(r);
}

static void test_require(void **state)
{
    (void)state;
    /* scenarios/lib/report.lua is found; escaping names are refused */
    run *r = run_script("local report = require('report')\nassert(type(report.table) == 'function')\n"
                        "assert(require('report') == report)\n", NULL, 1);
    assert_ok(r);
    run_free(r);
    static const char *bad[] = { "../secret", "/etc/passwd", "a..b", ".hidden", "x/y" };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autofree char *code = g_strdup_printf("local x = 1\nrequire('%s')\n", bad[i]);
        r = run_script(code, NULL, 1);
        assert_fails(r, "t.lua:2:", "is not a module name");
        run_free(r);
    }
    r = run_script("local x = 1\nrequire('no_such_module')\n", NULL, 1);
    assert_fails(r, "t.lua:2:", "not found");
    run_free(r);
}

static void test_pairs_order(void **state)
{
    (void)state;
    /* Sorted order: array part 1..n, then numbers ascending, then strings
     * bytewise, then booleans; a hand-written expectation. */
    run *r = run_script(
        "local t = {10, 20, 30, zeta = 1, alpha = 2, [100] = 3, [-5] = 4, [2.5] = 5, [true] = 6, Beta = 7}\n"
        "local ks = {}\n"
        "for k in pairs(t) do ks[#ks + 1] = tostring(k) end\n"
        "print(table.concat(ks, ' '))\n"
        "local ok, e = pcall(pairs, {[{}] = 1})\n"
        "print(ok, e:match('no reproducible order') ~= nil)\n",
        NULL, 1);
    assert_ok(r);
    assert_string_equal(r->out, "1 2 3 -5 2.5 100 Beta alpha zeta true\nfalse\ttrue\n");
    run_free(r);
}

static void test_math_random_seeded(void **state)
{
    (void)state;
    /* math.random draws from the run's "lua.math" stream: same seed, same
     * numbers; different seed, different numbers. */
    const char *code = "local t = {}\nfor i = 1, 5 do t[i] = math.random(1000000) end\nprint(table.concat(t, ','))\n";
    run *a = run_script(code, NULL, 7), *b = run_script(code, NULL, 7), *c = run_script(code, NULL, 8);
    assert_ok(a);
    assert_string_equal(a->out, b->out);
    assert_string_not_equal(a->out, c->out);
    simrng rng;
    simrng_init(&rng, 7, "lua.math");
    g_autofree char *first = g_strdup_printf("%lld,", (long long)simrng_range(&rng, 1, 1000000));
    assert_true(g_str_has_prefix(a->out, first));
    run_free(a);
    run_free(b);
    run_free(c);
}

static void test_processes_and_timers(void **state)
{
    (void)state;
    /* Two processes and a timer, interleaved by simulated time; at equal
     * times, first scheduled runs first. Expected order by hand:
     * t=0 a0 b0, t=1ms a1, t=1.5ms timer, t=2ms a2 b2 (b waits 2ms, scheduled
     * after a's 2ms wake-up... a scheduled its 2ms wake at 1ms, b at 0, so b first). */
    run *r = run_script(
        "local log = {}\n"
        "sim.spawn('a', function() for i = 0, 2 do log[#log+1] = 'a' .. sim.now() // sim.ms(1); sim.wait('1ms') end end)\n"
        "sim.spawn('b', function() log[#log+1] = 'b0'; sim.wait('2ms'); log[#log+1] = 'b' .. sim.now() // sim.ms(1) end)\n"
        "sim.after('1500us', function() log[#log+1] = 'T' end)\n"
        "local why = sim.run('10ms')\n"
        "print(why, sim.format(sim.now()), table.concat(log, ' '))\n",
        NULL, 1);
    assert_ok(r);
    assert_string_equal(r->out, "time\t10ms\ta0 b0 a1 T b2 a2\n");
    run_free(r);
}

static void test_timer_cancel(void **state)
{
    (void)state;
    run *r = run_script(
        "local fired = 0\n"
        "local t = sim.after('1ms', function() fired = fired + 1 end)\n"
        "assert(t:pending())\n"
        "assert(t:cancel() == true)\n"
        "assert(t:cancel() == false)\n"
        "local u = sim.after('1ms', function() fired = fired + 10 end)\n"
        "sim.run('5ms')\n"
        "assert(not t:pending() and not t:cancel(), 'a stale handle must not cancel a recycled record')\n"
        "print(fired)\n",
        NULL, 1);
    assert_ok(r);
    assert_string_equal(r->out, "10\n");
    run_free(r);
}

static void test_errors_in_callbacks(void **state)
{
    (void)state;
    run *r = run_script("sim.after('1ms', function()\n  local x = nil\n  return x.field\nend)\nsim.run('2ms')\n", NULL, 1);
    assert_fails(r, "t.lua:3:", "attempt to index a nil value");
    run_free(r);
    r = run_script("sim.spawn('worker', function()\n  sim.wait('1ms')\n  error('boom')\nend)\nsim.run('2ms')\n", NULL, 1);
    assert_fails(r, "t.lua:3:", "boom");
    assert_non_null(strstr(r->err->message, "process 'worker'"));
    run_free(r);
    /* a failing callback cannot be hidden by pcall around sim.run */
    r = run_script("sim.after('1ms', function() error('inner') end)\nlocal ok = pcall(sim.run, '2ms')\nprint('after')\n", NULL, 1);
    assert_fails(r, "t.lua:1:", "inner");
    run_free(r);
}

static void test_misuse(void **state)
{
    (void)state;
    run *r = run_script("local x = 1\nsim.wait('1ms')\n", NULL, 1);
    assert_fails(r, "t.lua:2:", "only be called inside a process");
    run_free(r);
    r = run_script("local x = 1\nsim.after('10ns', function() sim.run('1ms') end)\nsim.run('1ms')\n", NULL, 1);
    assert_fails(r, "t.lua:2:", "cannot be called from inside the simulation");
    run_free(r);
    r = run_script("local x = 1\nsim.after('10', function() end)\n", NULL, 1);
    assert_fails(r, "t.lua:2:", "has no unit");
    run_free(r);
    r = run_script("local x = 1\nsim.after(-1, function() end)\n", NULL, 1);
    assert_fails(r, "t.lua:2:", "sim.after: -1 is negative and has no unit");
    run_free(r);
    r = run_script("local x = 1\nsim.after(-sim.ms(1), function() end)\n", NULL, 1);
    assert_fails(r, "t.lua:2:", "sim.after: -1ms: a time cannot be negative");
    run_free(r);
    r = run_script("local x = 1\nsim.event('k', {cpu = 1})\n", NULL, 1);
    assert_fails(r, "t.lua:2:", "sim.event: unknown key 'cpu' (known: core, thread, component, a0, a1, a2, note)");
    run_free(r);
    r = run_script("local x = 1\nsim.run()\n", NULL, 1);
    assert_fails(r, "t.lua:2:", "needs a span");
    run_free(r);
}

static void test_time_helpers(void **state)
{
    (void)state;
    /* 1.5us = 1,500,000 ps; "2ms" = 2e9 ps; format back exactly */
    run *r = run_script("print(sim.us(1.5), sim.time('2ms'), sim.format(sim.ps(1500000)), sim.format(sim.ms(2.25)),\n"
                        "      sim.us(1.5):ps(), sim.time('2ms'):ps())\n", NULL, 1);
    assert_ok(r);
    assert_string_equal(r->out, "1.5us\t2ms\t1.5us\t2.25ms\t1500000\t2000000000\n");
    run_free(r);
}

static void test_report_json(void **state)
{
    (void)state;
    /* keys sorted, arrays for sequences, integers stay integers */
    run *r = run_script("return { b = {1, 2.5, 'x'}, a = true, c = { z = 1, y = 2 } }\n", NULL, 1);
    assert_ok(r);
    assert_string_equal(simlua_report(r->h), "{\"a\":true,\"b\":[1,2.5,\"x\"],\"c\":{\"y\":2,\"z\":1}}");
    run_free(r);
    r = run_script("return { f = print }\n", NULL, 1);
    assert_false(r->ok);
    assert_non_null(strstr(r->err->message, "no JSON form"));
    run_free(r);
    r = run_script("local t = {}\nt.self = t\nreturn t\n", NULL, 1);
    assert_false(r->ok);
    assert_non_null(strstr(r->err->message, "deeper"));
    run_free(r);
}

static void test_params(void **state)
{
    (void)state;
    sim *s = sim_new(1, simtr_open(NULL, NULL));
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    simlua_limits lim = { 64 << 20, 0 };
    simlua *h = simlua_new(s, &lim, out, NULL, NULL, 0, NULL);
    simlua_param(h, "n", "42");
    simlua_param(h, "x", "0.25");
    simlua_param(h, "flag", "true");
    simlua_param(h, "name", "10ms");
    const char *code = "print(math.type(params.n), params.n, params.x, params.flag, params.name)\n";
    GError *err = NULL;
    assert_true(simlua_run(h, "t.lua", code, strlen(code), &err));
    fclose(out);
    assert_string_equal(buf, "integer\t42\t0.25\ttrue\t10ms\n");
    free(buf);
    simlua_free(h);
    sim_free(s);
}

/* ---- regressions from review (2026-11-21) ---- */

static void test_pairs_survives_finalizers(void **state)
{
    (void)state;
    /* A finalizer that empties the table and makes garbage while pairs is
     * sorting must not free the keys pairs is holding (was a heap
     * use-after-free; the sanitizer build sees it if it comes back). */
    run *r = run_script(
        "local t = {}\nlocal pad = string.rep('k', 60)\n"
        "for i = 1, 20000 do t[pad .. i] = true end\n"
        "collectgarbage('collect')\n"
        "do setmetatable({}, {__gc = function()\n"
        "  local k = next(t)\n  while k do local nk = next(t, k); t[k] = nil; k = nk end\n"
        "  local g = string.rep('z', 4 * 1024 * 1024) end}) end\n"
        "local n = 0\nfor k in pairs(t) do n = n + 1 end\nprint(n <= 20000)\n",
        NULL, 1);
    assert_ok(r);
    assert_string_equal(r->out, "true\n");
    run_free(r);
}

static void test_pairs_orders_integers_against_floats_exactly(void **state)
{
    (void)state;
    /* 2^63 - 1 (the largest integer) < 2^63 (a float key); as doubles both
     * are 2^63, which made the order depend on the hash layout. */
    run *r = run_script(
        "local t = {[2.0^63] = 'f', [math.maxinteger] = 'i', [math.maxinteger - 1] = 'j', [-2.0^63 - 4096] = 'g', [math.mininteger] = 'm'}\n"
        "local out = {}\nfor k, v in pairs(t) do out[#out + 1] = v end\nprint(table.concat(out))\n",
        NULL, 1);
    assert_ok(r);
    assert_string_equal(r->out, "gmjif\n");
    run_free(r);
}

static void test_process_error_that_cannot_be_printed(void **state)
{
    (void)state;
    /* the error object's __tostring raises: the run still fails cleanly,
     * and pcall around sim.run cannot turn it into a success */
    run *r = run_script(
        "sim.spawn('p', function() error(setmetatable({}, {__tostring = function() error('boom') end})) end)\n"
        "print(pcall(sim.run, '1ms'))\nprint('carried on')\n", NULL, 1);
    assert_false(r->ok);
    assert_true(g_str_has_prefix(r->err->message, "t.lua"));
    assert_non_null(strstr(r->err->message, "process 'p'"));
    assert_non_null(strstr(r->err->message, "boom"));
    assert_null(strstr(r->out, "carried on"));
    run_free(r);
}

static void test_library_loops_are_charged(void **state)
{
    (void)state;
    simlua_limits lim = { 64 << 20, 1000000 };
    /* an empty string repeated 2^62 times: immediate, and empty */
    run *r = run_script("local s = string.rep('', 1 << 62)\nprint(#s)\n", &lim, 1);
    assert_ok(r);
    assert_string_equal(r->out, "0\n");
    run_free(r);
    /* walking 2^60 table slots is charged to the instruction budget */
    r = run_script("local x = 1\ntable.move({}, 1, 1 << 60, 1)\n", &lim, 1);
    assert_fails(r, "t.lua:2:", "instruction limit");
    run_free(r);
    /* processes that each run a few instructions and spawn the next */
    r = run_script("local function p() sim.spawn('p', p) end\nsim.spawn('p', p)\nsim.run('1ms')\n", &lim, 1);
    assert_fails(r, "t.lua:1:", "instruction limit");
    run_free(r);
}

static void test_report_ignores_metamethods_and_is_bounded(void **state)
{
    (void)state;
    /* __pairs is not consulted (no script code, no host addresses) */
    run *r = run_script("return setmetatable({a = 1}, {__pairs = function() return math.max, 1, 0 end})\n", NULL, 1);
    assert_ok(r);
    assert_string_equal(simlua_report(r->h), "{\"a\":1}");
    run_free(r);
    /* a DAG that doubles 31 times would be 2^31 leaves: refused */
    r = run_script("local t = {1}\nfor i = 1, 31 do t = {t, t} end\nreturn t\n", NULL, 1);
    assert_false(r->ok);
    assert_non_null(strstr(r->err->message, "larger than 16 MiB"));
    run_free(r);
}

static void test_finalizer_errors_fail_the_run(void **state)
{
    (void)state;
    run *r = run_script("setmetatable({}, {__gc = function() error('in gc') end})\ncollectgarbage('collect')\n", NULL, 1);
    assert_fails(r, "t.lua:1: in gc", "__gc finalizer");
    run_free(r);
}

static void test_nothing_acts_after_the_end(void **state)
{
    (void)state;
    /* finalizers run when the state closes may not write to the trace or
     * schedule anything */
    run *r = run_script("KEEP = setmetatable({}, {__gc = function()\n"
                        "  sim.event('late')\n  sim.after(1, function() end)\n  sim.spawn('p', function() end)\nend})\n"
                        "sim.event('early')\nsim.run('1us')\n", NULL, 1);
    assert_ok(r);
    uint64_t rows = simtr_rows(r->s->t_events);
    size_t pending = simq_size(&r->s->queue);
    simlua_free(r->h);
    r->h = NULL;
    assert_int_equal(simtr_rows(r->s->t_events), rows);
    assert_int_equal(simq_size(&r->s->queue), pending);
    run_free(r);
}

static void test_time_range_and_names(void **state)
{
    (void)state;
    static const struct { const char *code; const char *want; } v[] = {
        { "local x = 1\nsim.at('18446744073709551615ps', print)\n", "past the end of scenario time" },
        { "local x = 1\nsim.run('9223372036854775808ps')\n", "past the end of scenario time" },
        { "sim.run('9223372036854775807ps')\nsim.after(sim.ps(1), print)\n", "past the end of scenario time" },
        { "local x = 1\nsim.rng('a\\0b')\n", "NUL" },
        { "local x = 1\nsim.event('k\\0x')\n", "NUL" },
        { "local x = 1\nsim.event('k', {note = string.rep('n', 65537)})\n", "at most 65536 bytes" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(v); i++) {
        run *r = run_script(v[i].code, NULL, 1);
        assert_fails(r, "t.lua:2:", v[i].want);
        run_free(r);
    }
}

/* ---- running from a binding: simlua_run_to / simlua_run_for ---- */

/* go(span) and go_to(time) -> reason: bindings that run the simulation
 * through the C API, as compose.c's sys:run does. */
static int l_go(lua_State *L)
{
    lua_pushstring(L, simlua_run_for(L, simlua_time(L, 1, "go")));
    return 1;
}

static int l_go_to(lua_State *L)
{
    lua_pushstring(L, simlua_run_to(L, simlua_time(L, 1, "go_to")));
    return 1;
}

static int open_go(lua_State *L)
{
    lua_pushcfunction(L, l_go);
    lua_setfield(L, -2, "go");
    lua_pushcfunction(L, l_go_to);
    lua_setfield(L, -2, "go_to");
    return 0;
}

/* A run with the go binding and, if until is not 0, an --until cap. */
static run *run_go(const char *code, sim_time_t until)
{
    static const simlua_lib libs[] = { { "go", open_go } };
    run *r = g_new0(run, 1);
    simlua_limits lim = { 64 << 20, 50000000 };
    r->s = sim_new(1, simtr_open(NULL, NULL));
    size_t len = 0;
    FILE *out = open_memstream(&r->out, &len);
    r->h = simlua_new(r->s, &lim, out, NULL, libs, G_N_ELEMENTS(libs), &r->err);
    assert_non_null(r->h);
    if (until)
        simlua_set_until(r->h, until);
    r->ok = simlua_run(r->h, "t.lua", code, strlen(code), &r->err);
    fclose(out);
    return r;
}

static void test_run_from_a_binding(void **state)
{
    (void)state;
    /* the script rebinds sim.run, then drops `sim` altogether: the binding
     * still runs the engine (a binding that called the global sim.run
     * would call the script's function instead) */
    run *r = run_go("local now = sim.now\n"
                    "sim.after('1ms', function() print('fired', now()) end)\n"
                    "sim.run = function() error('rebound') end\n"
                    "sim = nil\n"
                    "print(go('2ms'), now())\n", 0);
    assert_ok(r);
    assert_string_equal(r->out, "fired\t1ms\ntime\t2ms\n");
    run_free(r);
    /* capped at --until (3 ms), as sim.run is */
    r = run_go("print(go('5ms'), sim.now())\n", 3 * SIM_MS);
    assert_ok(r);
    assert_string_equal(r->out, "time\t3ms\n");
    run_free(r);
    /* the run counts as the script's: simlua_run does not run on to the
     * cap after the script (the clock stays at 1 ms, not 3 ms) */
    r = run_go("go('1ms')\n", 3 * SIM_MS);
    assert_ok(r);
    assert_int_equal(sim_now(r->s), SIM_MS);
    run_free(r);
    /* a target before now runs nothing; a stop is reported */
    r = run_go("go('1ms')\nprint(go_to(0), sim.now())\n"
               "sim.after('1ms', function() sim.stop() end)\nprint(go('5ms'), sim.now())\n", 0);
    assert_ok(r);
    assert_string_equal(r->out, "time\t1ms\nrequest\t2ms\n");
    run_free(r);
    /* a failing callback fails the run, through a pcall around the binding */
    r = run_go("sim.after('1ms', function() error('inner') end)\nlocal ok = pcall(go, '2ms')\nprint('after')\n", 0);
    assert_fails(r, "t.lua:1:", "inner");
    assert_null(strstr(r->out, "after"));
    run_free(r);
    /* not from inside the simulation */
    r = run_go("local x = 1\nsim.after('10ns', function() go('1ms') end)\nsim.run('1ms')\n", 0);
    assert_fails(r, "t.lua:2:", "cannot be called from inside the simulation");
    run_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forbidden_libraries),
        cmocka_unit_test(test_binary_chunks_refused),
        cmocka_unit_test(test_syntax_error),
        cmocka_unit_test(test_runtime_error),
        cmocka_unit_test(test_runaway_loop),
        cmocka_unit_test(test_memory_bomb),
        cmocka_unit_test(test_require),
        cmocka_unit_test(test_pairs_order),
        cmocka_unit_test(test_math_random_seeded),
        cmocka_unit_test(test_processes_and_timers),
        cmocka_unit_test(test_timer_cancel),
        cmocka_unit_test(test_errors_in_callbacks),
        cmocka_unit_test(test_misuse),
        cmocka_unit_test(test_time_helpers),
        cmocka_unit_test(test_report_json),
        cmocka_unit_test(test_params),
        cmocka_unit_test(test_pairs_survives_finalizers),
        cmocka_unit_test(test_pairs_orders_integers_against_floats_exactly),
        cmocka_unit_test(test_process_error_that_cannot_be_printed),
        cmocka_unit_test(test_library_loops_are_charged),
        cmocka_unit_test(test_report_ignores_metamethods_and_is_bounded),
        cmocka_unit_test(test_finalizer_errors_fail_the_run),
        cmocka_unit_test(test_nothing_acts_after_the_end),
        cmocka_unit_test(test_time_range_and_names),
        cmocka_unit_test(test_run_from_a_binding),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
