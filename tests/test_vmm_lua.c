/* tests/test_vmm_lua.c: the `vm` table through the cossim command (suite:
 * scenario).  argv: the cossim binary.
 *
 * vm.fit boots the kernel with the VMM on the stm32f767 preset, and the
 * VMM makes empty VMs until the memory runs out: the count must be the
 * one the pages give by hand.  vm.bench's three measures keep within
 * bounds worked from the counted instructions, and a rogue VM's fault
 * leaves the other VM's benchmark running.  Mistakes are errors naming the key, with
 * the script's line and exit status 2.  The scripts are written here, so
 * no bundled scenario's digest moves. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "cli_util.h"

static void expect_error(const char *script, const char *want)
{
    char *dir = tmpdir();
    g_autofree char *path = g_build_filename(dir, "bad.lua", NULL);
    assert_true(g_file_set_contents(path, script, -1, NULL));
    result r = run_in(dir, cossim, "run", "bad.lua", "--trace", "none", NULL);
    expect_status(&r, 2);
    if (strstr(r.err, want) == NULL || strstr(r.err, "bad.lua:") == NULL)
        fail_msg("expected '%s' with the script's line, got:\n%s", want, r.err);
    result_clear(&r);
    tu_rmtree(dir);
    g_free(dir);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    expect_error("vm.layout{ machine = machine{ preset = 'stm32f767' }, guests = { {} }, region = 1 }\n",
                 "vm.layout: unknown key 'region'");
    expect_error("vm.layout{ machine = machine{ preset = 'cortex-a9' }, guests = { {} } }\n", "has no MPU");
    expect_error("vm.layout{ machine = machine{ preset = 'stm32f767' }, guests = { {stack = 1000} } }\n",
                 "stack must be a power of two");
    expect_error("vm.layout{ machine = machine{ preset = 'stm32f767' }, guests = { {bytes = '7M'} } }\n",
                 "does not fit 6 regions");
    expect_error("vm.fit{ machine = machine{ preset = 'stm32f767' }, guest = {bytes = 100} }\n",
                 "a guest of the RTOS");
    expect_error("vm.bench{ machine = machine{ preset = 'stm32f767' }, measure = 'ping' }\n",
                 "measure must be one of");
    expect_error("vm.bench{ machine = machine{ preset = 'stm32f767' }, measure = 'irq', mpu = true }\n",
                 "isolated by the MPU already");
    expect_error("vm.bench{ machine = machine{ preset = 'stm32f767' }, measure = 'irq', rounds = 0 }\n",
                 "rounds must be from 1");
}

static const char *const bench_script =
    "local out = {}\n"
    "for _, ms in ipairs{ 'switch', 'msg', 'irq' } do\n"
    "  local r = vm.bench{ machine = machine{ preset = 'stm32f767' }, measure = ms, rounds = 50, mpu = false }\n"
    "  local p = r.system:paths()\n"
    "  out[ms] = { mean = r.mean, worst = r.worst, n = r.n, irq = p.irq and p.irq.cycles // p.irq.n or 0,\n"
    "              asnd = p.asnd and p.asnd.cycles // p.asnd.n or 0, faults = r.faults }\n"
    "end\n"
    "local q = vm.bench{ machine = machine{ preset = 'stm32f767' }, measure = 'irq', rounds = 50, rogue = true }\n"
    "out.rogue = { mean = q.mean, n = q.n, faults = q.faults, kfaults = q.system:stats().faults }\n"
    "return out\n";

/* Bounds by hand, from the instructions the paths execute (cpi 1.0 on the
 * stm32f767 preset): rtcore/counts.h's counted core paths (YIELD 9,
 * SWITCH 41, SEND_WAKE 105, RECV 47, GIVE_ISR 69, TAKE 19) and the
 * paravirtual port's listings counted by hand from port.c (a call site 6,
 * a critical section 7, the user-level switch 9 + 13 + 9 = 31, a virtual
 * interrupt's entry with its hypercall's call site 16).
 *   switch, a round trip: two yields, each YIELD + the switch (31 + 41):
 *     2 x 81 = 162 cycles at least; every record it touches a miss at most
 *     (per switch: the frame pushed and popped, 2 + 2 lines, two TCBs of 4
 *     lines, the kernel block's 4: 16 lines of 7 cycles, 112) bounds it by
 *     162 + 2 x 112 + 20 for the marks' stores: 406.
 *   msg, one way: call 6 + critical 7 + SEND_WAKE 105 + the switch 72 +
 *     the receiver's retry, critical 7 + RECV 47: 244 at least; at most 244
 *     + 20 lines missed (140) + 20: 404.
 *   irq: at least the kernel's interrupt path and a send (their measured
 *     means, r.system:paths()) and the guest's own part after its receive
 *     returns (16 + 69 + 72 + 7 + 19 = 183); at most one interrupt period
 *     (100 us = 21600 cycles): every round ends before the next interrupt. */
static void test_bench(void **state)
{
    (void)state;
    char *dir = tmpdir();
    result a = run_script_json(dir, "b.lua", bench_script);
    in_band("switch.n", JP(a.out, "switch", "n"), 50, 50);
    in_band("switch", JP(a.out, "switch", "mean"), 162, 406);
    in_band("msg", JP(a.out, "msg", "mean"), 244, 404);
    double lo = JP(a.out, "irq", "irq") + JP(a.out, "irq", "asnd") + 183;
    in_band("irq", JP(a.out, "irq", "mean"), lo, 21600);
    in_band("irq.worst", JP(a.out, "irq", "worst"), lo, 21600);
    in_band("irq.faults", JP(a.out, "irq", "faults"), 0, 0);
    /* a rogue VM 1 writes into VM 0's memory: the kernel's MPU check
     * faults it, its guest stops that task (one fault), and VM 0's
     * benchmark completes all its rounds, its figures within 5% of those
     * with an idle VM 1 (VM 1 runs only while VM 0 waits) */
    in_band("rogue.n", JP(a.out, "rogue", "n"), 50, 50);
    in_band("rogue.faults", JP(a.out, "rogue", "faults"), 1, 1);
    in_band("rogue.kfaults", JP(a.out, "rogue", "kfaults"), 1, 1e9);
    double m = JP(a.out, "irq", "mean");
    in_band("rogue.mean", JP(a.out, "rogue", "mean"), 0.95 * m, 1.05 * m);
    result_clear(&a);
    tu_rmtree(dir);
    g_free(dir);
}

static const char *const script =
    "local f = vm.fit{ machine = machine{ preset = 'stm32f767' } }\n"
    "local g = vm.fit{ machine = machine{ preset = 'stm32f767' }, guest = { tasks = 1, heap = '16K' }, max = 3 }\n"
    "return { f = { vms = f.vms, x = f.x, y = f.y, memory = f.memory, kernel = f.kernel, vmm = f.vmm,\n"
    "               per_vm = f.per_vm, left = f.left, regions = f.regions },\n"
    "         g = { vms = g.vms, x = g.x, y = g.y, regions = g.regions } }\n";

/* By hand: an empty guest asks for fewer than 4096 bytes (its records
 * and a 1 KiB idle stack: tests/test_vmm_layout.c), so its memory is one
 * 4 KiB region; its kernel objects are a page each (components/lib/
 * booter.c): the capability table and its first level-2 node (2), the
 * MPU layout (1), the component (1), the vCPU thread, its tcap and its
 * endpoint (3), the hypercall's invocation (1): 8 pages.  A VM is 9 pages
 * = 36864 bytes, and the VMs that fit are (memory - kernel - VMM) /
 * 36864, rounded down, with less than one VM's bytes left.
 *
 * A guest with one task and a 16 KiB heap: 16384 + 2 stacks of 1024 +
 * under 1024 of records lies between 18432 and 19456 bytes: 5 pages
 * rounded up (16 + 4 KiB), two regions; 3 VMs made as asked. */
static void test_fit(void **state)
{
    (void)state;
    char *dir = tmpdir();
    result a = run_script_json(dir, "f.lua", script);
    double mem = JP(a.out, "f", "memory"), kernel = JP(a.out, "f", "kernel"), vmm = JP(a.out, "f", "vmm");
    in_band("memory", mem, 524288, 524288);
    in_band("per_vm", JP(a.out, "f", "per_vm"), 36864, 36864);
    in_band("x", JP(a.out, "f", "x"), 4096, 4096);
    in_band("regions", JP(a.out, "f", "regions"), 1, 1);
    double want = (double)(((uint64_t)mem - (uint64_t)kernel - (uint64_t)vmm) / 36864);
    in_band("vms", JP(a.out, "f", "vms"), want, want);
    in_band("left", JP(a.out, "f", "left"), mem - kernel - vmm - want * 36864, mem - kernel - vmm - want * 36864);
    in_band("g.vms", JP(a.out, "g", "vms"), 3, 3);
    in_band("g.x", JP(a.out, "g", "x"), 20480, 20480);
    in_band("g.y", JP(a.out, "g", "y"), 18432, 19456);
    in_band("g.regions", JP(a.out, "g", "regions"), 2, 2);
    result_clear(&a);
    tu_rmtree(dir);
    g_free(dir);
}

int main(int argc, char **argv)
{
    if (!cli_args(argc, argv, 2))
        return 2;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_fit),
        cmocka_unit_test(test_bench),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
