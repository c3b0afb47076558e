/* tests/test_vmm_lua.c: the `vm` table through the cossim command (suite:
 * scenario).  argv: the cossim binary.
 *
 * vm.fit boots the kernel with the VMM on the stm32f767 preset, and the
 * VMM makes empty VMs until the memory runs out: the count must be the
 * one the pages give by hand.  Mistakes are errors naming the key, with
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
 * endpoint (3): 7 pages.  A VM is 8 pages = 32768 bytes, and the VMs
 * that fit are (memory - kernel - VMM) / 32768, rounded down, with less
 * than one VM's bytes left.
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
    in_band("per_vm", JP(a.out, "f", "per_vm"), 32768, 32768);
    in_band("x", JP(a.out, "f", "x"), 4096, 4096);
    in_band("regions", JP(a.out, "f", "regions"), 1, 1);
    double want = (double)(((uint64_t)mem - (uint64_t)kernel - (uint64_t)vmm) / 32768);
    in_band("vms", JP(a.out, "f", "vms"), want, want);
    in_band("left", JP(a.out, "f", "left"), mem - kernel - vmm - want * 32768, mem - kernel - vmm - want * 32768);
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
