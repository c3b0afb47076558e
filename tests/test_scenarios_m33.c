/* tests/test_scenarios_m33.c: whole systems on the cortex-m33 preset (an
 * STM32L552, ARMv8-M with the PMSAv8 MPU), through the cossim command
 * (suite: scenario).  argv: the cossim binary.  The preset's figures and
 * its MPU under the kernel are in tests/test_machine_m33.c.
 *
 * The scripts are written here, not shipped in scenarios/, so that no
 * bundled scenario's digest moves (tests/data/digests.txt). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "cli_util.h"

/* A composed system as tests/test_scenarios.c's test_mpu_memory runs it on
 * the ARMv7-M presets: fixed priorities, a channel of 2 slots, a server
 * doing 5 us of work over 2 KiB, a timer.  By hand, over 10 ms with 1 ms
 * periods released at 0: t (highest) touches its 4 KiB, puts into q and
 * invokes fs once a job: 10 jobs, 10 puts, 10 server calls; u gets from q
 * once a job (t's put precedes it every period): 10 jobs, 10 gets; v waits
 * 100 us on a timer once a job: 10 jobs, 10 waits.  Nothing faults: every
 * component's memory is inside its own PMSAv8 regions.  The run's summary
 * names the machine. */
static void test_composed_system(void **state)
{
    (void)state;
    char *dir = tmpdir();
    result r = run_script_json(dir, "m33.lua",
        "local sys = system{ machine = machine{ preset = 'cortex-m33' }, policy = 'fp',\n"
        "                    channels = { q = { slots = 2, size = 32 } }, servers = { fs = { work = '5us', touch = '2K' } } }\n"
        "sys:task{ name = 't', priority = 1, period = '1ms', memory = '4K',\n"
        "          body = { {'touch', 0, '4K', 'write'}, {'put', 'q'}, {'invoke', 'fs'} } }\n"
        "sys:task{ name = 'u', priority = 2, period = '1ms', body = { {'get', 'q'}, {'compute', '10us'} } }\n"
        "sys:task{ name = 'v', priority = 3, period = '1ms', body = { {'timeout', '100us'}, {'compute', '10us'} } }\n"
        "sys:run('10ms')\n"
        "local r = sys:results()\n"
        "return { t = r.tasks[1].jobs, u = r.tasks[2].jobs, v = r.tasks[3].jobs,\n"
        "         gets = r.channels.q.gets, waits = r.timers.waits, calls = r.servers.fs.calls,\n"
        "         faults = sys:kernel():stats().faults }\n");
    in_band("t jobs", JP(r.out, "t"), 10, 10);
    in_band("u jobs", JP(r.out, "u"), 10, 10);
    in_band("v jobs", JP(r.out, "v"), 10, 10);
    in_band("gets", JP(r.out, "gets"), 10, 10);
    in_band("waits", JP(r.out, "waits"), 10, 10);
    in_band("server calls", JP(r.out, "calls"), 10, 10);
    in_band("faults", JP(r.out, "faults"), 0, 0);
    assert_non_null(strstr(r.out, "\"machine\":\"cortex-m33\""));
    result_clear(&r);
    tu_rmtree(dir);
    g_free(dir);
}

/* A component touching another's memory faults (the isolation scenario's
 * probe, components/implementation/test/rogue, aimed at the app's first
 * bytes, outside the probe's one PMSAv8 region): every job invokes the
 * probe once, so calls = faults = the kernel's faults = jobs; its own
 * memory and a granted peer's own memory are reached every time. */
static void test_touch_outside_faults(void **state)
{
    (void)state;
    char *dir = tmpdir();
    result r = run_script_json(dir, "iso.lua",
        "local sys = system{ machine = machine{ preset = 'cortex-m33' }, policy = 'fp' }\n"
        "sys:component{ name = 'probe', image = 'rogue', args = { target = 'app', len = 8 } }\n"
        "sys:component{ name = 'peer', image = 'rogue', args = { target = 'peer', len = 8 } }\n"
        "sys:grant{ from = 'probe', to = 'peer', name = 'next' }\n"
        "sys:task{ name = 't', priority = 1, period = '1ms', body = { {'compute', '10us'}, {'invoke', 'probe'} } }\n"
        "sys:run('10ms')\n"
        "local r = sys:results()\n"
        "return { jobs = r.tasks[1].jobs, probe = r.components.probe, peer = r.components.peer,\n"
        "         faults = sys:kernel():stats().faults }\n");
    double jobs = JP(r.out, "jobs");
    in_band("jobs", jobs, 10, 10);
    in_band("probe calls", JP(r.out, "probe", "calls"), jobs, jobs);
    in_band("probe faults", JP(r.out, "probe", "faults"), jobs, jobs);
    in_band("probe own memory", JP(r.out, "probe", "own_ok"), jobs, jobs);
    in_band("probe reached", JP(r.out, "probe", "reached"), 0, 0);
    in_band("peer reached", JP(r.out, "peer", "reached"), jobs, jobs);
    in_band("peer faults", JP(r.out, "peer", "faults"), 0, 0);
    in_band("kernel faults", JP(r.out, "faults"), jobs, jobs);
    result_clear(&r);
    tu_rmtree(dir);
    g_free(dir);
}

/* The IPC benchmark image (booter ipc-bench, scenarios/ipc-roundtrip.lua
 * with presets=cortex-m33) runs to the end.  The cost-table part of a warm
 * round trip by hand, for either path: two system calls (SVC entry 12 +
 * exception return 10 cycles each, the preset's provisional figures) and
 * two protection-domain switches, each rewriting the one region in which
 * the client's and the server's one-page layouts differ (mpu_region_write
 * 4): 2 x (12 + 10) + 2 x 4 = 52 cycles.  As on every machine, the
 * invocation is cheaper than the IPC (same switches, fewer instructions
 * and lines); with no cache, cold costs what warm does. */
static void test_ipc_bench(void **state)
{
    (void)state;
    char *dir = tmpdir();
    result r = run_in(dir, cossim, "run", "ipc-roundtrip", "--set", "presets=cortex-m33", "--set", "iterations=100",
                      "--set", "warmup=10", "--json", "--trace", "none", NULL);
    expect_status(&r, 0);
    double s = JP(r.out, "cortex-m33", "sinv", "warm", "median"), c = JP(r.out, "cortex-m33", "ipc", "warm", "median");
    if (!(s > 52 && s < c))
        fail_msg("sinv %.0f, ipc %.0f cycles: expected 52 < sinv < ipc", s, c);
    in_band("sinv n", JP(r.out, "cortex-m33", "sinv", "warm", "n"), 100, 100);
    in_band("sinv arch", JP(r.out, "cortex-m33", "sinv", "parts", "arch"), 52, 52);
    in_band("ipc arch", JP(r.out, "cortex-m33", "ipc", "parts", "arch"), 52, 52);
    in_band("sinv cold", JP(r.out, "cortex-m33", "sinv", "cold", "median"), s, s);
    in_band("ipc cold", JP(r.out, "cortex-m33", "ipc", "cold", "median"), c, c);
    result_clear(&r);
    tu_rmtree(dir);
    g_free(dir);
}

int main(int argc, char **argv)
{
    if (!cli_args(argc, argv, 2))
        return 2;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_composed_system),
        cmocka_unit_test(test_touch_outside_faults),
        cmocka_unit_test(test_ipc_bench),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
