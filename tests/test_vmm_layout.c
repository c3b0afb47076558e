/* tests/test_vmm_layout.c: a VM's memory in MPU regions
 * (components/implementation/vmm/ucvm/layout.c) and an RTOS guest's demand
 * (guest.c), against layouts and sizes worked by hand (suite: unit).
 *
 * The rules are cossim's kernel's unless a test says otherwise: regions of
 * 4 KiB (a page, 2^12) to 1 MiB (2^20), and on the STM32F767's 8-region
 * MPU 8 - 2 = 6 of them for a VM's data (interface/vmm.h keeps one for
 * the VM's code in flash and one for shared memory). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "components/implementation/vmm/ucvm/guest.h"
#include "components/implementation/vmm/ucvm/layout.h"
#include "components/interface/vmm.h"

#define KIB 1024u

static vml_demand heap_only(uint64_t bytes)
{
    vml_demand d = { 0 };
    d.bytes[VML_HEAP] = bytes;
    return d;
}

static void expect_region(const vml_layout *l, unsigned i, uint64_t offset, uint64_t size)
{
    assert_true(i < l->nregions);
    assert_int_equal(l->region[i].offset, offset);
    assert_int_equal(UINT64_C(1) << l->region[i].log2, size);
}

/* The STM32F767's MPU has 8 regions; 2 are kept: 6 for data. */
static void test_rules(void **state)
{
    (void)state;
    vml_rules r = vml_rules_for(8, VMM_RESERVED_REGIONS);
    assert_int_equal(r.regions, 6);
    assert_int_equal(r.min_log2, 12);
    assert_int_equal(r.max_log2, 20);
    assert_int_equal(vml_rules_for(1, 2).regions, 0);
}

/* 20 KiB in one region: the least power of two at or above 20480 is
 * 32768, so X = 32768, Y = 20480 and (X - Y) / Y = 12288 / 20480 = 0.6. */
static void test_one_region(void **state)
{
    (void)state;
    vml_rules r = { .regions = 1, .min_log2 = 12, .max_log2 = 20 };
    vml_layout l;
    vml_demand d = heap_only(20 * KIB);
    assert_true(vml_lay_out(&d, &r, &l));
    assert_int_equal(l.nregions, 1);
    expect_region(&l, 0, 0, 32 * KIB);
    assert_int_equal(l.x, 32768);
    assert_int_equal(l.y, 20480);
    assert_true(vml_overhead(l.x, l.y) > 0.6 - 1e-12 && vml_overhead(l.x, l.y) < 0.6 + 1e-12);
}

/* 20 KiB in up to 6 regions: 20 KiB = 16 KiB + 4 KiB, two blocks back to
 * back (16 KiB at 0, 4 KiB at 16384, which is a multiple of 4096): X = Y,
 * no overhead. */
static void test_two_blocks(void **state)
{
    (void)state;
    vml_rules r = vml_rules_for(8, VMM_RESERVED_REGIONS);
    vml_layout l;
    vml_demand d = heap_only(20 * KIB);
    assert_true(vml_lay_out(&d, &r, &l));
    assert_int_equal(l.nregions, 2);
    expect_region(&l, 0, 0, 16 * KIB);
    expect_region(&l, 1, 16384, 4 * KIB);
    assert_int_equal(l.x, 20480);
    assert_true(vml_overhead(l.x, l.y) == 0.0);
}

/* 7 pages (28 KiB = 16 + 8 + 4) take three regions.  With two allowed the
 * least size of at most two power-of-two blocks at or above 7 pages is 8
 * pages (7 = 111b; 110b and 101b are smaller, 1000b is the next with
 * fewer bits): one 32 KiB region.  5 pages (101b) fit two as they are. */
static void test_region_budget(void **state)
{
    (void)state;
    vml_layout l;
    vml_rules three = { .regions = 3, .min_log2 = 12, .max_log2 = 20 };
    vml_rules two = { .regions = 2, .min_log2 = 12, .max_log2 = 20 };
    vml_demand d7 = heap_only(28 * KIB), d5 = heap_only(20 * KIB + 1);
    assert_true(vml_lay_out(&d7, &three, &l));
    assert_int_equal(l.nregions, 3);
    expect_region(&l, 0, 0, 16 * KIB);
    expect_region(&l, 1, 16 * KIB, 8 * KIB);
    expect_region(&l, 2, 24 * KIB, 4 * KIB);
    assert_true(vml_lay_out(&d7, &two, &l));
    assert_int_equal(l.nregions, 1);
    expect_region(&l, 0, 0, 32 * KIB);
    /* 20 KiB + 1 byte rounds up to 6 pages (110b): two regions, 16 + 8 KiB */
    assert_true(vml_lay_out(&d5, &two, &l));
    assert_int_equal(l.nregions, 2);
    expect_region(&l, 0, 0, 16 * KIB);
    expect_region(&l, 1, 16 * KIB, 8 * KIB);
    assert_int_equal(l.x, 24 * KIB);
    assert_int_equal(l.y, 20 * KIB + 1);
}

/* Above 1 MiB the regions are 1 MiB blocks: 3 MiB + 4 KiB is four regions
 * (1, 1, 1 MiB, 4 KiB); with three it cannot be done, since three regions
 * of at most 1 MiB hold 3 MiB. */
static void test_largest_region(void **state)
{
    (void)state;
    vml_layout l;
    vml_rules four = { .regions = 4, .min_log2 = 12, .max_log2 = 20 };
    vml_rules three = { .regions = 3, .min_log2 = 12, .max_log2 = 20 };
    vml_demand d = heap_only(3 * 1024 * KIB + 4 * KIB);
    assert_true(vml_lay_out(&d, &four, &l));
    assert_int_equal(l.nregions, 4);
    expect_region(&l, 2, 2 * 1024 * KIB, 1024 * KIB);
    expect_region(&l, 3, 3 * 1024 * KIB, 4 * KIB);
    assert_false(vml_lay_out(&d, &three, &l));
    vml_demand none = { 0 };
    assert_false(vml_lay_out(&none, &four, &l));
}

/* Kinds one after another, each 8-byte aligned: 100 bytes of kernel
 * records, then stacks at 104 (100 rounded up to a multiple of 8), 1024
 * bytes of them, then the heap at 1128: 1128 bytes in all, one page.
 * X = 4096, Y = 1124. */
static void test_kinds(void **state)
{
    (void)state;
    vml_rules r = vml_rules_for(8, VMM_RESERVED_REGIONS);
    vml_demand d = { .bytes = { [VML_KERNEL] = 100, [VML_STACKS] = 1024 } };
    vml_layout l;
    assert_true(vml_lay_out(&d, &r, &l));
    assert_int_equal(l.kind_offset[VML_KERNEL], 0);
    assert_int_equal(l.kind_offset[VML_STACKS], 104);
    assert_int_equal(l.kind_offset[VML_HEAP], 1128);
    assert_int_equal(l.x, 4096);
    assert_int_equal(l.y, 1124);
}

/* An empty guest's demand from the RTOS's records, counted by hand from
 * rtcore/core.h's fields (32-bit words):
 *   rtc_kernel: self, cur, ready_bits, tick (4) + 8 ready lists and the
 *     delayed list of 3 words each (27) = 31 words = 124 bytes;
 *   rtc_tcb: sp (1) + mpu[8] (8) + prio, state, woke (3) + two nodes of 5
 *     words (10) + id, stack, stack_bytes (3) = 25 words = 100 bytes;
 *   rtc_queue: storage, item_size, length, count, read, write (6) + two
 *     lists (6) = 12 words = 48 bytes;
 * plus the paravirt layer's state (vmg_pv, whose size is its own); the
 * idle task's stack is the default, 1024 bytes (compare/rtos's).  A guest
 * with 2 tasks, 1 queue of 64 bytes' storage and a 1000-byte heap adds two
 * TCBs and stacks, a queue record, and 64 + 1000 bytes of heap. */
static void test_guest_demand(void **state)
{
    (void)state;
    assert_int_equal(sizeof(rtc_kernel), 124);
    assert_int_equal(sizeof(rtc_tcb), 100);
    assert_int_equal(sizeof(rtc_queue), 48);
    vmg_spec empty = { 0 };
    vml_demand d = vmg_demand(&empty);
    assert_int_equal(d.bytes[VML_KERNEL], sizeof(vmg_pv) + 124 + 100);
    assert_int_equal(d.bytes[VML_STACKS], 1024);
    assert_int_equal(d.bytes[VML_HEAP], 0);
    vmg_spec two = { .tasks = 2, .queues = 1, .queue_bytes = 64, .heap_bytes = 1000 };
    d = vmg_demand(&two);
    assert_int_equal(d.bytes[VML_KERNEL], sizeof(vmg_pv) + 124 + 3 * 100 + 48);
    assert_int_equal(d.bytes[VML_STACKS], 3 * 1024);
    assert_int_equal(d.bytes[VML_HEAP], 1064);
    /* the empty guest in one page: its records, then the idle stack */
    vml_rules r = vml_rules_for(8, VMM_RESERVED_REGIONS);
    vml_layout l;
    d = vmg_demand(&empty);
    assert_true(vml_lay_out(&d, &r, &l));
    assert_int_equal(l.x, 4096);
    vmg_map m = vmg_map_of(&empty, &l);
    assert_int_equal(m.kernel, sizeof(vmg_pv));
    assert_int_equal(m.tcb, sizeof(vmg_pv) + 124);
    assert_int_equal(m.stack, (sizeof(vmg_pv) + 224 + 7) / 8 * 8);
    assert_true(m.stack + 1024 <= l.x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rules),
        cmocka_unit_test(test_one_region),
        cmocka_unit_test(test_two_blocks),
        cmocka_unit_test(test_region_budget),
        cmocka_unit_test(test_largest_region),
        cmocka_unit_test(test_kinds),
        cmocka_unit_test(test_guest_demand),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
