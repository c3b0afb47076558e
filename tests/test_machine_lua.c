/* tests/test_machine_lua.c: `machine{...}` in scenarios (model/lua.h),
 * including the mistakes a review found (2026-11-21): each is a clean
 * error naming the line, never a crash, and the same script always does
 * the same thing. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "sim/lua.h"
#include "model/lua.h"

typedef struct run {
    sim *s;
    simlua *h;
    GError *err;
    bool ok;
    char *out;
} run;

static const simlua_lib libs[] = { { "machine", hwlua_open } };

static run *run_script(const char *code)
{
    run *r = g_new0(run, 1);
    simlua_limits lim = { 64 << 20, 100000000 };
    r->s = sim_new(1, simtr_open(NULL, NULL));
    size_t len = 0;
    FILE *out = open_memstream(&r->out, &len);
    r->h = simlua_new(r->s, &lim, out, NULL, libs, G_N_ELEMENTS(libs), &r->err);
    assert_non_null(r->h);
    r->ok = simlua_run(r->h, "t.lua", code, strlen(code), &r->err);
    fclose(out);
    return r;
}

static void run_free(run *r)
{
    simlua_free(r->h);
    sim_free(r->s);
    g_clear_error(&r->err);
    free(r->out);
    g_free(r);
}

static void expect_error(const char *code, const char *prefix, const char *contains)
{
    run *r = run_script(code);
    if (r->ok)
        fail_msg("accepted: %s", code);
    if (!g_str_has_prefix(r->err->message, prefix) || strstr(r->err->message, contains) == NULL)
        fail_msg("%s\nerror: %s\nwanted prefix '%s' and '%s'", code, r->err->message, prefix, contains);
    run_free(r);
}

static void expect_output(const char *code, const char *want)
{
    run *r = run_script(code);
    if (!r->ok)
        fail_msg("%s\nfailed: %s", code, r->err->message);
    assert_string_equal(r->out, want);
    run_free(r);
}

static void setup_presets(void)
{
    g_autofree char *dir = g_build_filename(g_getenv("COSSIM_SOURCE_ROOT"), "model", "presets", NULL);
    g_setenv("COSSIM_PRESETS", dir, TRUE);
}

static void test_overrides_are_order_independent(void **state)
{
    (void)state;
    setup_presets();
    /* a top-level l2 and a caches table: both apply, every time (the order
     * of a Lua table's keys changes from run to run) */
    for (int i = 0; i < 20; i++)
        expect_output("local m = machine{ preset = 'cortex-a9', l2 = { size = '1M' }, caches = { l1d = { hit_cycles = 5 } } }\n"
                      "print(m:access(0, 0, 4, 'read'), m:access(0, 0, 4, 'read'))\n",
                      "97\t5\n");
    expect_error("local x = 1\nmachine{ preset = 'cortex-a9', caches = 5, l2 = { size = '1M' } }\n", "t.lua:2:",
                 "caches must be a table");
    expect_error("local x = 1\nmachine{ preset = 'cortex-a9', caches = { l2 = {} }, l2 = { size = '1M' } }\n", "t.lua:2:",
                 "give l2 at the top or in caches, not both");
}

static void test_mistakes_are_errors(void **state)
{
    (void)state;
    setup_presets();
    expect_error("local x = 1\nmachine{ preset = '/dev/zero' }\n", "t.lua:2:", "is not a preset name");
    expect_error("local x = 1\nmachine{ preset = '../etc/passwd' }\n", "t.lua:2:", "is not a preset name");
    expect_error("local x = 1\nmachine{ preset = 'cortex-a9', l2 = { size = '32G', ways = 64 } }\n", "t.lua:2:",
                 "cache lines in all");
    expect_error("local x = 1\nmachine{ preset = 'cortex-a9', timer = { kind = 'systick' } }\n", "t.lua:2:",
                 "machine cortex-a9:");
    expect_error("local x = 1\nmachine{ preset = 'cortex-a9', l2 = { sise = '1M' } }\n", "t.lua:2:",
                 "cortex-a9: caches.l2: unknown key 'sise' (known: size,");
    expect_error("local x = 1\nmachine{ preset = 'cortex-m4', mpu = { arch = 'v8m', regions = 8 } }\n", "t.lua:2:",
                 "has the v7m MPU");
    expect_error("local x = 1\nmachine{ preset = 'cortex-a9', l1d = { write = 'none' } }\n", "t.lua:2:",
                 "\"none\" is for an instruction cache");
    expect_error("local m = machine{ preset = 'cortex-a9' }\nprint(m:pending(0, 96))\n", "t.lua:2:", "no such line");
    expect_error("local m = machine{ preset = 'cortex-a9' }\nm:partition(1, 0, 0x100)\n", "t.lua:2:", "ways");
}

/* Sockets: machine{ sockets = N } on the x86_64 preset (75-cycle transfers
 * within a socket, 197 across: model/presets/x86_64.lua).  8 cores in 2
 * sockets (cores 0-3, 4-7).  Core 0 writes a line (cold); core 1 reads it:
 * core 0 holds it Modified, a transfer within the socket, 75 cycles, and
 * core 0's copy is written back to socket 0's L3; core 4 reads it: no core
 * holds it Modified, socket 0's L3 does, a transfer across, 197. */
static void test_sockets(void **state)
{
    (void)state;
    setup_presets();
    expect_output("local m = machine{ preset = 'x86_64', cores = 8, sockets = 2 }\n"
                  "m:access(0, 0x10000, 8, 'write')\n"
                  "print(m:info().sockets, m:access(1, 0x10000, 8, 'read'), m:access(4, 0x10000, 8, 'read'))\n",
                  "2\t75\t197\n");
    expect_output("print(machine{ preset = 'x86_64' }:info().sockets)\n", "1\n");
    expect_error("local x = 1\nmachine{ preset = 'x86_64', cores = 6, sockets = 4 }\n", "t.lua:2:",
                 "sockets: 4 does not divide the 6 cores");
    expect_error("local x = 1\nmachine{ preset = 'x86_64', sockets = 0 }\n", "t.lua:2:",
                 "sockets: must be a whole number from 1 to 16");
    expect_error("local x = 1\nmachine{ preset = 'x86_64', cores = 64, sockets = 64 }\n", "t.lua:2:",
                 "sockets: must be a whole number from 1 to 16");
    expect_error("local x = 1\nmachine{ preset = 'x86_64', cores = 4, sockets = 'two' }\n", "t.lua:2:",
                 "sockets: must be a whole number");
    expect_error("local x = 1\nmachine{ preset = 'cortex-a9', sockets = 2 }\n", "t.lua:2:",
                 "socket_transfer_cycles: is required");
}

static void test_cores_keep_cores_per_socket(void **state)
{
    (void)state;
    setup_presets();
    /* xeon-e7-4850 is 4 sockets of 10 cores (ARK: 10 cores per E7-4850).
     * A scenario's cores without sockets keeps 10 per socket: 20 -> 2
     * sockets, 40 -> 4; 8 or 1 do not fill a socket -> 1; a scenario's own
     * sockets wins. */
    expect_output("for _, n in ipairs({ 1, 8, 20, 40 }) do\n"
                  "  local i = machine{ preset = 'xeon-e7-4850', cores = n }:info()\n"
                  "  print(i.cores, i.sockets)\n"
                  "end\n"
                  "print(machine{ preset = 'xeon-e7-4850', cores = 8, sockets = 4 }:info().sockets)\n",
                  "1\t1\n8\t1\n20\t2\n40\t4\n4\n");
}

static void test_m4_without_caches(void **state)
{
    (void)state;
    setup_presets();
    /* No cache on the Cortex-M4 preset: every 32-bit word is a memory
     * access over the bus.  The preset's SRAM: 5952 ps latency, 5952 ps of
     * bus per word, 168 MHz (a cycle is 1e12 / 168e6 = 5952.38 ps; the model
     * rounds a time up to whole cycles).  One word at t = 0: 5952 ps ->
     * 0.99994 -> 1 cycle, and the bus is busy until 5952 ps.  Then 64 bytes
     * = 16 words, also at t = 0: the first waits for the bus (5952 + 5952 =
     * 11904 ps -> 1.9999 -> 2 cycles); each next one starts after the
     * previous one's cycles (at 11904.76 ps, 17857.14 ps, ...), just after
     * the bus is free again (11904 ps, 17856.76 ps, ...): 1 cycle each:
     * 2 + 15 x 1 = 17.  (With "6ns" it was 2 and 33: 6 ns is 1.008 cycles,
     * rounded up to 2 -- the audit's finding.) */
    expect_output("local m = machine{ preset = 'cortex-m4' }\nprint(m:access(0, 0x100, 4, 'read'), m:access(0, 0x100, 64, 'read'))\n",
                  "1\t17\n");
}

static void test_device_validated_before_anything(void **state)
{
    (void)state;
    setup_presets();
    /* a refused call attaches nothing */
    expect_output("local m = machine{ preset = 'cortex-a9' }\n"
                  "print((pcall(m.device, m, { line = 40, periodic = '1ms', times = { '2ms' } })))\n"
                  "print((pcall(m.device, m, { line = 40, periodic = '1ms', phase = 'soon' })))\n"
                  "sim.run('10ms')\nprint(m:pending(0, 40))\n",
                  "false\nfalse\nfalse\n");
}

static void test_nothing_after_the_end(void **state)
{
    (void)state;
    setup_presets();
    /* a finalizer run when the state closes may not use the machine: its
     * calls raise (and are dropped with the finalizer), nothing crashes and
     * nothing is written after the end (the sanitizer build checks the
     * freed machine is not touched) */
    run *r = run_script("local m = machine{ preset = 'cortex-a9' }\n"
                        "KEEP = setmetatable({}, {__gc = function() m:access(0, 0, 4, 'read'); m:counters();"
                        " machine{ preset = 'cortex-a9' } end})\n"
                        "sim.run('1us')\n");
    assert_true(r->ok);
    assert_string_equal(simlua_machine(r->h), "cortex-a9");
    run_free(r);
}

/* Two machines in one run: the second's cores are numbered after the
 * first's in the counters table (cortex-a9 has 2 cores, so x86_64's four
 * are 2..5), and the run is named after both. */
static void test_two_machines(void **state)
{
    (void)state;
    setup_presets();
    run *r = run_script("local a = machine{ preset = 'cortex-a9' }\n"
                        "local b = machine{ preset = 'x86_64' }\n"
                        "local c = b:counters()\n"
                        "assert(#c == 4)\n"
                        "assert(#a:counters() == 2)\n"
                        "sim.run('1us')\n");
    assert_true(r->ok);
    assert_string_equal(simlua_machine(r->h), "cortex-a9+x86_64");
    run_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_overrides_are_order_independent),
        cmocka_unit_test(test_mistakes_are_errors),
        cmocka_unit_test(test_two_machines),
        cmocka_unit_test(test_sockets),
        cmocka_unit_test(test_cores_keep_cores_per_socket),
        cmocka_unit_test(test_m4_without_caches),
        cmocka_unit_test(test_device_validated_before_anything),
        cmocka_unit_test(test_nothing_after_the_end),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
