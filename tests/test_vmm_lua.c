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

/* a script's mistake, in a folder of its own */
static void expect_error(const char *script, const char *want)
{
    char *dir = tmpdir();
    expect_script_error(dir, script, want);
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
    /* a guest bigger than the machine: 2 MiB of regions on 512 KiB of SRAM;
     * a 600 KiB heap (148 pages) cannot fit beside the kernel and the VMM
     * in 512 KiB (128 pages in all) */
    expect_error("vm.layout{ machine = machine{ preset = 'stm32f767' }, guests = { {bytes = '2M'} } }\n",
                 "more than the machine's 524288 bytes of memory");
    expect_error("vm.fit{ machine = machine{ preset = 'stm32f767' }, guest = {heap = '600K'} }\n",
                 "not one VM of this guest fits");
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
    "  local s = p.thd_switch\n"
    "  out[ms] = { mean = r.mean, worst = r.worst, n = r.n, irq = p.irq and p.irq.cycles // p.irq.n or 0,\n"
    "              asnd = p.asnd and p.asnd.cycles // p.asnd.n or 0, faults = r.faults,\n"
    "              sw_run = (s.instructions + s.arch + s.fetch) / s.n, sw_acc = s.accesses / s.n }\n"
    "end\n"
    "local q = vm.bench{ machine = machine{ preset = 'stm32f767' }, measure = 'irq', rounds = 50, rogue = true }\n"
    "out.rogue = { mean = q.mean, n = q.n, faults = q.faults, kfaults = q.system:stats().faults }\n"
    "return out\n";

/* Bounds by hand, from the instructions the paths execute (cpi 1.0 on the
 * stm32f767 preset): rtcore/counts.h's counted core paths (YIELD 9,
 * SWITCH 41, SEND_WAKE 105, RECV 47, GIVE_ISR 69, TAKE 19), the
 * paravirtual port's listings counted by hand from port.c (a call site 6,
 * a critical section 7, the switch's own part 7, the dispatch's call site
 * 16, a virtual interrupt's entry with its hypercall's call site 16), and
 * the kernel's dispatch, each guest switch being a thd_switch system call:
 *   at least SVC's exception entry (12, the preset's sourced figure) and
 *   kernel/path_counts.h's thumbv7m steps it cannot skip, entry 27, the
 *   thread's capability 27, dispatch 52, switch 79, exit 10: 207 cycles;
 *   at most what the kernel's path accounting says each thd_switch ran
 *   (instructions, exception entry and exit, fetches: sw_run) with every
 *   access it made a miss (sw_acc accesses of 7 cycles: the preset's
 *   32407 ps DRAM latency at 216 MHz).
 *   switch, a round trip: two yields, each YIELD + the switch's own part
 *     and the core's (7 + 41) + the dispatch's call site 16 + the kernel's
 *     dispatch: 2 x (73 + 207) = 560 cycles at least; at most, each
 *     switch's user records all missing (the TCBs, 4 lines each, the
 *     kernel block's 4, the pv words 2: 14 lines; 16 to be safe, 112), the
 *     kernel's upper bound, and 20 for the marks' stores.
 *   msg, one way: call 6 + critical 7 + SEND_WAKE 105 + the switch 48 +
 *     the dispatch's call site 16 + the kernel's dispatch + the receiver's
 *     retry, critical 7 + RECV 47: 236 + 207 = 443 at least; at most 236
 *     + 20 lines missed (140) + the kernel's upper bound + 20.
 *   irq: at least the kernel's interrupt path and a send (their measured
 *     means, r.system:paths()) and the guest's own part after its receive
 *     returns (16 + 69 + 48 + 16 + 207 + 7 + 19 = 382); at most one
 *     interrupt period (100 us = 21600 cycles): every round ends before the
 *     next interrupt. */
static double kernel_hi(const result *a, const char *ms)
{
    return JP(a->out, ms, "sw_run") + 7 * JP(a->out, ms, "sw_acc");
}

static void test_bench(void **state)
{
    (void)state;
    char *dir = tmpdir();
    result a = run_script_json(dir, "b.lua", bench_script);
    in_band("switch.n", JP(a.out, "switch", "n"), 50, 50);
    in_band("switch", JP(a.out, "switch", "mean"), 560, 2 * (73 + 112 + kernel_hi(&a, "switch")) + 20);
    in_band("msg", JP(a.out, "msg", "mean"), 443, 236 + 140 + kernel_hi(&a, "msg") + 20);
    double lo = JP(a.out, "irq", "irq") + JP(a.out, "irq", "asnd") + 382;
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
    "local t = {}\n"
    "for n = 0, 4 do\n"
    "  t[n + 1] = vm.fit{ machine = machine{ preset = 'stm32f767' }, guest = { tasks = n }, max = 1 }\n"
    "end\n"
    "return { f = { vms = f.vms, x = f.x, y = f.y, memory = f.memory, kernel = f.kernel, vmm = f.vmm,\n"
    "               per_vm = f.per_vm, left = f.left, regions = f.regions },\n"
    "         t1 = { d = t[2].per_vm - t[1].per_vm, x0 = t[1].x, x1 = t[2].x },\n"
    "         t4 = { d = t[5].per_vm - t[4].per_vm, x0 = t[4].x, x1 = t[5].x },\n"
    "         g = { vms = g.vms, x = g.x, y = g.y, regions = g.regions } }\n";

/* By hand: an empty guest asks for fewer than 4096 bytes (its records
 * and a 1 KiB idle stack: tests/test_vmm_layout.c), so its memory is one
 * 4 KiB region; its kernel objects are a page each (components/lib/
 * booter.c): the capability table and its first level-2 node (2), the
 * MPU layout (1), the component (1), the vCPU thread (the idle task's),
 * its tcap and its endpoint (3), the hypercall's invocation (1): 8 pages.
 * Each task besides the idle task is a thread of the VM: a page more,
 * and nothing else while its memory keeps its size (tasks 0 and 1 both
 * fit 4096 bytes, 3 and 4 both 8192: checked here too) and
 * its capabilities fit the table's first node.  A VM is 9 pages
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
    in_band("t1.x0", JP(a.out, "t1", "x0"), 4096, 4096);
    in_band("t1.x1", JP(a.out, "t1", "x1"), 4096, 4096);
    in_band("t1.d", JP(a.out, "t1", "d"), 4096, 4096);
    in_band("t4.x0", JP(a.out, "t4", "x0"), 8192, 8192);
    in_band("t4.x1", JP(a.out, "t4", "x1"), 8192, 8192);
    in_band("t4.d", JP(a.out, "t4", "d"), 4096, 4096);
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
