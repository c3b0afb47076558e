/* tests/test_times.c: times in scenarios (sim/lua_time.c, docs/scenarios.md
 * "Time values").  A bare number where a time is expected is an error
 * (exit 2) at the script's line that names the field and the unit to add,
 * in every kind of time field; the same field with a unit runs.  Time
 * values add, scale, divide and compare as times, print with their unit,
 * and leave runs deterministic. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include <glib/gstdio.h>

#include "cli_util.h"

static void expect_in(const char *what, const char *text, const char *needle)
{
    if (text == NULL || strstr(text, needle) == NULL)
        fail_msg("%s: no '%s' in:\n%s", what, needle, text ? text : "(null)");
}

static result run_text(const char *dir, const char *text, const char *a1)
{
    g_autofree char *path = g_build_filename(dir, "t.lua", NULL);
    assert_true(g_file_set_contents(path, text, -1, NULL));
    return run_in(dir, cossim, "run", "t.lua", "--trace", "none", a1, NULL);
}

/* One time field: `code` with @ where the value goes, on line `line`; the
 * message names the field as `names` does ("sys:task 'a': period ="). */
typedef struct field_case {
    const char *code;
    int line;
    const char *names;
    const char *good;            /* the value with a unit that runs */
} field_case;

/* 1,000,000 as ns is 1 ms (by hand): the two spellings the hint offers */
static const char machine_hint[] = "(write e.g. \"1000000ns\" or \"1ms\"; units: ps, ns, us, ms, s)";

#define SYS "local sys = system{ machine = machine{ preset = 'x86_64' } }\n"
#define TASK(extra) "sys:task{ name = 'a', priority = 1, period = '2ms', " extra "body = { {'compute', 10} } }\n"
#define RUN "sys:run('5ms')\n"

static const field_case fields[] = {
    /* sys:task */
    { SYS "sys:task{ name = 'a', priority = 1, period = @, body = { {'compute', 10} } }\n" RUN, 2,
      "sys:task 'a': period =", "'1ms'" },
    { SYS TASK("deadline = @, ") RUN, 2, "sys:task 'a': deadline =", "'1ms'" },
    { SYS TASK("budget = @, ") RUN, 2, "sys:task 'a': budget =", "'1ms'" },
    { SYS TASK("offset = @, ") RUN, 2, "sys:task 'a': offset =", "'1ms'" },
    { SYS TASK("jitter = @, ") RUN, 2, "sys:task 'a': jitter =", "'1ms'" },
    { SYS TASK("sporadic = { extra = @ }, ") RUN, 2, "sys:task 'a': extra =", "'1ms'" },
    /* steps that wait: times, never cycles */
    { SYS "sys:task{ name = 'a', priority = 1, period = '2ms', body = { {'sleep', @} } }\n" RUN, 2,
      "sys:task 'a': sleep:", "'1ms'" },
    { SYS "sys:task{ name = 'a', priority = 1, period = '2ms', body = { {'timeout', @} } }\n" RUN, 2,
      "sys:task 'a': timeout:", "'1ms'" },
    { SYS "sys:task{ name = 'a', priority = 1, period = '2ms', body = { {'tick', @} } }\n" RUN, 2,
      "sys:task 'a': tick:", "'1ms'" },
    /* sys:group, sys:irq */
    { SYS "sys:group{ name = 'g', priority = 2, budget = @, period = '2ms' }\n"
          "sys:task{ name = 'a', priority = 1, group = 'g', period = '2ms', body = { {'compute', 10} } }\n" RUN, 2,
      "sys:group 'g': budget =", "'1ms'" },
    { SYS "sys:group{ name = 'g', priority = 2, budget = '100us', period = @ }\n"
          "sys:task{ name = 'a', priority = 1, group = 'g', period = '2ms', body = { {'compute', 10} } }\n" RUN, 2,
      "sys:group 'g': period =", "'1ms'" },
    { SYS "sys:irq{ name = 'nic', line = 40, work = '10us', budget = @, period = '2ms' }\n" TASK("") RUN, 2,
      "sys:irq: budget =", "'1ms'" },
    { SYS "sys:irq{ name = 'nic', line = 40, work = '10us', budget = '100us', period = @ }\n" TASK("") RUN, 2,
      "sys:irq: period =", "'1ms'" },
    /* system{}: a scheduler's quantum, start_align; sys:run's span */
    { "local sys = system{ machine = machine{ preset = 'x86_64' }, scheduler = { name = 'rr', quantum = @ } }\n"
      TASK("") RUN, 1, "quantum =", "'1ms'" },
    { "local sys = system{ machine = machine{ preset = 'x86_64' }, start_align = @ }\n" TASK("") RUN, 1,
      "system: start_align =", "'1ms'" },
    { SYS TASK("") "sys:run(@)\n", 3, "sys:run:", "'1ms'" },
    /* the sim table */
    { "local x = 1\nsim.run(@)\n", 2, "sim.run:", "'1ms'" },
    { "local x = 1\nsim.at(@, function() end)\nsim.run('2ms')\n", 2, "sim.at:", "'1ms'" },
    { "local x = 1\nsim.after(@, function() end)\nsim.run('2ms')\n", 2, "sim.after:", "'1ms'" },
    { "sim.spawn('p', function()\n  sim.wait(@)\nend)\nsim.run('2ms')\n", 2, "sim.wait:", "'1ms'" },
    { "sim.spawn('p', function()\n  sim.wait_until(@)\nend)\nsim.run('2ms')\n", 2, "sim.wait_until:", "'1ms'" },
    { "local x = 1\nlocal t = sim.time(@)\n", 2, "sim.time:", "'1ms'" },
    { "local x = 1\nprint(sim.format(@))\n", 2, "sim.format:", "'1ms'" },
    /* a machine's overrides and devices */
    { "local x = 1\nlocal m = machine{ preset = 'x86_64', irq = { ipi_latency = @ } }\n", 2,
      "irq.ipi_latency:", "'1ms'" },
    { "local m = machine{ preset = 'cortex-a9' }\nlocal d = m:device{ line = 40, core = 0, periodic = @ }\n"
      "sim.run('3ms')\n", 2, "m:device: periodic =", "'1ms'" },
    { "local m = machine{ preset = 'cortex-a9' }\n"
      "local d = m:device{ line = 40, core = 0, periodic = '1ms', phase = @ }\nsim.run('3ms')\n", 2,
      "m:device: phase =", "'1ms'" },
    { "local m = machine{ preset = 'cortex-a9' }\n"
      "local d = m:device{ line = 40, core = 0, sporadic = { min_gap = @ } }\nsim.run('3ms')\n", 2,
      "m:device: sporadic.min_gap =", "'1ms'" },
    { "local m = machine{ preset = 'cortex-a9' }\n"
      "local d = m:device{ line = 40, core = 0, times = { '1ms', @ } }\nsim.run('3ms')\n", 2,
      "m:device: times =", "'2ms'" },
};

/* Each field: 1000000 (which was silently 1 us) is exit 2 at the field's
 * line, naming it, with the hint "1000000ns" or "1ms" (1,000,000 ns = 1 ms
 * by hand); the field with a unit, and the same with a time value, run. */
static void test_bare_number_in_each_time_field(void **state)
{
    (void)state;
    char *dir = tmpdir();
    for (size_t i = 0; i < G_N_ELEMENTS(fields); i++) {
        const field_case *f = &fields[i];
        g_auto(GStrv) parts = g_strsplit(f->code, "@", -1);
        g_autofree char *bad = g_strjoinv("1000000", parts);
        result r = run_text(dir, bad, NULL);
        if (r.status != 2)
            fail_msg("case %zu: exit %d, not 2, for:\n%s\n%s", i, r.status, bad, r.err);
        g_autofree char *want = g_strdup_printf("t.lua:%d: ", f->line);
        expect_in(bad, r.err, want);
        g_autofree char *named = g_strdup_printf("%s 1000000 has no unit", f->names);
        expect_in(bad, r.err, named);
        expect_in(bad, r.err, machine_hint);
        result_clear(&r);

        g_autofree char *good = g_strjoinv(f->good, parts);
        r = run_text(dir, good, NULL);
        if (r.status != 0)
            fail_msg("case %zu: exit %d with a unit:\n%s\n%s", i, r.status, good, r.err);
        result_clear(&r);

        g_autofree char *as_value = g_strdup_printf("sim.time(%s)", f->good);
        g_autofree char *valued = g_strjoinv(as_value, parts);
        r = run_text(dir, valued, NULL);
        if (r.status != 0)
            fail_msg("case %zu: exit %d with a time value:\n%s\n%s", i, r.status, valued, r.err);
        result_clear(&r);
    }
    tu_rmtree(dir);
    g_free(dir);
}

/* Other bare numbers: a fraction gets a unit after it, a negative number
 * is refused as negative, 0 is taken (the same in every unit). */
static void test_other_numbers(void **state)
{
    (void)state;
    char *dir = tmpdir();
    result r = run_text(dir, "local x = 1\nsim.run(2.5)\n", NULL);
    expect_status(&r, 2);
    expect_in("2.5", r.err, "t.lua:2: sim.run: 2.5 has no unit (write e.g. \"2.5us\"");
    result_clear(&r);
    r = run_text(dir, "local x = 1\nsim.after(-3, print)\n", NULL);
    expect_status(&r, 2);
    expect_in("-3", r.err, "t.lua:2: sim.after: -3 is negative and has no unit");
    result_clear(&r);
    r = run_text(dir, "local x = 1\nsim.wait_until(sim.time('1ms') - sim.time('2ms'))\n", NULL);
    expect_status(&r, 2);
    expect_in("negative value", r.err, "t.lua:2: sim.wait_until: -1ms: a time cannot be negative");
    result_clear(&r);
    /* a time plus a number: which unit to add */
    r = run_text(dir, "local x = 1\nlocal t = sim.now() + 5\n", NULL);
    expect_status(&r, 2);
    expect_in("t + 5", r.err, "t.lua:2: a time plus 5: the number has no unit");
    result_clear(&r);
    r = run_text(dir, "local x = 1\nlocal b = sim.time('1ms') < 1000\n", NULL);
    expect_status(&r, 2);
    expect_in("t < 1000", r.err, "t.lua:2: a time compared with 1000: the number has no unit");
    result_clear(&r);
    /* messages about times say them with their unit */
    r = run_text(dir, "sim.run('2ms')\nsim.at('1500us', print)\n", NULL);
    expect_status(&r, 2);
    expect_in("past", r.err, "t.lua:2: sim.at: 1.5ms is in the past (now is 2ms)");
    result_clear(&r);
    /* 0 needs no unit; the run reaches its end at 0 */
    r = run_text(dir, "sim.after(0, function() print('at', sim.now()) end)\nsim.run(0)\n", NULL);
    expect_status(&r, 0);
    expect_in("0", r.out, "at\t0ps\n");
    result_clear(&r);
    tu_rmtree(dir);
    g_free(dir);
}

/* Arithmetic and comparison on time values, every figure by hand:
 * 10 ms = 10,000,000,000 ps; 10 ms x 2.5 = 25 ms; 10 ms / 4 = 2.5 ms;
 * 10 ms / 4 ms = 2.5; 10 ms // 3 ms = 3, 10 ms % 3 ms = 1 ms; 1 ps / 2 is
 * 0.5 ps, to the nearest (halves away from zero) 1 ps; 7 ps // 2 = 3 ps;
 * 1.5 us = 1500 ns; -(10 ms) + 4 ms = -6 ms. */
static void test_arithmetic_and_comparison(void **state)
{
    (void)state;
    char *dir = tmpdir();
    static const char script[] =
        "local t = sim.time('10ms')\n"
        "print(t, t:ps(), t * 2.5, 3 * t, t / 4, t / sim.time('4ms'), t // sim.time('3ms'), t % sim.time('3ms'))\n"
        "print(sim.ps(1) / 2, sim.ps(7) // 2, sim.us(1.5):ns(), -t + sim.time('4ms'), sim.format(-t))\n"
        "assert(sim.time('1ms') < t and t <= sim.time('10000us') and t == sim.ms(10) and not (t == 10000000000))\n"
        "assert(sim.ps(10000000000) == t and sim.time(string.format('%dps', t:ps())) == t)\n"
        "local seen = {}\n"
        "sim.spawn('p', function()\n"
        "  local start = sim.now()\n"
        "  for i = 1, 3 do seen[i] = sim.wait(t / 10) - start end\n"
        "end)\n"
        "sim.after(sim.now() + sim.time('250us'), function() seen.after = sim.now() end)\n"
        "sim.run(t)\n"
        "print(seen[1], seen[2], seen[3], seen.after, sim.now() - t, 'at ' .. sim.stats().now)\n"
        "return { now = sim.now(), ps = sim.now():ps() }\n";
    result r = run_text(dir, script, "--json");
    expect_status(&r, 0);
    assert_string_equal(r.err, "10ms\t10000000000\t25ms\t30ms\t2.5ms\t2.5\t3\t1ms\n"
                               "1ps\t3ps\t1500.0\t-6ms\t-10ms\n"
                               "1ms\t2ms\t3ms\t250us\t0ps\tat 10ms\n");
    /* in the --json report a time is its text */
    expect_in("report", r.out, "\"report\":{\"now\":\"10ms\",\"ps\":10000000000}");
    result_clear(&r);
    tu_rmtree(dir);
    g_free(dir);
}

/* Time values change nothing in what runs: the same script twice gives
 * the same output and digest, and a system built from time values runs
 * exactly as the one built from the strings (the same digest but for the
 * script's text: the same jobs table). */
static void test_deterministic(void **state)
{
    (void)state;
    char *dir = tmpdir();
    static const char with_values[] =
        "local sys = system{ machine = machine{ preset = 'x86_64' } }\n"
        "local p = sim.time('1ms')\n"
        "sys:task{ name = 'a', priority = 1, period = p, offset = p / 4, body = { {'compute', p * 0.3} } }\n"
        "sys:task{ name = 'b', priority = 2, period = 2 * p, body = { {'compute', '500us'} } }\n"
        "sys:run(p * 20)\n"
        "local r = sys:results().tasks\n"
        "print(r[1].jobs, r[1].resp_max_ns, r[2].jobs, r[2].resp_max_ns)\n";
    static const char with_strings[] =
        "local sys = system{ machine = machine{ preset = 'x86_64' } }\n"
        "local p = '1ms'\n"
        "sys:task{ name = 'a', priority = 1, period = p, offset = '250us', body = { {'compute', '300us'} } }\n"
        "sys:task{ name = 'b', priority = 2, period = '2ms', body = { {'compute', '500us'} } }\n"
        "sys:run('20ms')\n"
        "local r = sys:results().tasks\n"
        "print(r[1].jobs, r[1].resp_max_ns, r[2].jobs, r[2].resp_max_ns)\n";
    result a = run_text(dir, with_values, NULL);
    expect_status(&a, 0);
    result b = run_text(dir, with_values, NULL);
    expect_status(&b, 0);
    /* the figures and the digest (the host time differs from run to run) */
    g_auto(GStrv) fa = g_strsplit(a.out, "\n", 2), fb = g_strsplit(b.out, "\n", 2);
    assert_string_equal(fa[0], fb[0]);
    const char *da = strstr(a.out, "digest"), *db = strstr(b.out, "digest");
    assert_non_null(da);
    assert_non_null(db);
    assert_string_equal(da, db);
    result c = run_text(dir, with_strings, NULL);
    expect_status(&c, 0);
    /* the figures line (the first) is the same with strings */
    g_auto(GStrv) la = g_strsplit(a.out, "\n", 2), lc = g_strsplit(c.out, "\n", 2);
    assert_string_equal(la[0], lc[0]);
    result_clear(&a);
    result_clear(&b);
    result_clear(&c);
    tu_rmtree(dir);
    g_free(dir);
}

int main(int argc, char **argv)
{
    if (!cli_args(argc, argv, 2))
        return 2;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bare_number_in_each_time_field),
        cmocka_unit_test(test_other_numbers),
        cmocka_unit_test(test_arithmetic_and_comparison),
        cmocka_unit_test(test_deterministic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
