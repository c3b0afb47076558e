/* tests/test_kernel_mem.c: kernel memory (kernel/kmem.h) and capability
 * tables (kernel/captbl.h) on the made-up preset tests/data/presets/tiny.lua
 * (64 MiB = 16,384 pages, so a 256 KiB retype table in pages 0-63; 32-byte
 * lines; L1 hit 4 cycles; a line from memory 79 cycles = the L2's 25-cycle
 * tag check + 80 ns at 667 MHz rounded up to 54). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <glib.h>

#include "kernel/captbl.h"
#include "kernel/kmem.h"

typedef struct fx {
    sim *s;
    hw *h;
    k_mem m;
} fx;

static int setup(void **state)
{
    fx *f = g_new0(fx, 1);
    model_config cfg;
    g_autofree char *path = g_strdup_printf("%s/presets/tiny.lua", g_getenv("COSSIM_TEST_DATA"));
    GError *err = NULL;
    if (!model_config_load(path, &cfg, &err))
        fail_msg("%s", err->message);
    f->s = sim_new(1, simtr_open(NULL, NULL));
    f->h = hw_new(f->s, &cfg, NULL, NULL, &err);
    assert_non_null(f->h);
    k_mem_init(&f->m, f->h, 10 * SIM_US);
    hwmem_flush_all(f->h->mem);     /* start cold: init wrote the table from the host */
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    hw_free(f->h);
    sim_free(f->s);
    g_free(f);
    return 0;
}

#define PAGE(n) ((uint64_t)(n) * COS_PAGE_SIZE)

static void test_retype(void **state)
{
    fx *f = *state;
    uint64_t c = 0;
    assert_int_equal(f->m.table_pages, 64);
    /* page 100's entry is at 1,600, cold: read 79, then write it (an L1
     * hit, Exclusive -> Modified silently) 4: 83 */
    assert_int_equal(k_mem_retype(&f->m, 0, PAGE(100), K_PAGE_UNTYPED, K_PAGE_KERNEL, 0, &c), COS_OK);
    assert_int_equal(c, 83);
    /* page 101's entry (1,616) shares that 32-byte line: 4 + 4 */
    c = 0;
    assert_int_equal(k_mem_retype(&f->m, 0, PAGE(101), K_PAGE_UNTYPED, K_PAGE_USER, 0, &c), COS_OK);
    assert_int_equal(c, 8);
    assert_int_equal(k_mem_type(&f->m, PAGE(100)), K_PAGE_KERNEL);
    /* the rules: each refusal changes nothing */
    c = 0;
    assert_int_equal(k_mem_retype(&f->m, 0, PAGE(100), K_PAGE_UNTYPED, K_PAGE_KERNEL, 0, &c), COS_ETYPE);
    assert_int_equal(k_mem_retype(&f->m, 0, PAGE(100), K_PAGE_KERNEL, K_PAGE_USER, 0, &c), COS_ETYPE);
    assert_int_equal(k_mem_retype(&f->m, 0, PAGE(100) + 8, K_PAGE_KERNEL, K_PAGE_UNTYPED, 0, &c), COS_EALIGN);
    assert_int_equal(k_mem_retype(&f->m, 0, PAGE(3), K_PAGE_KERNEL, K_PAGE_UNTYPED, 0, &c), COS_ERANGE);   /* the table */
    assert_int_equal(k_mem_retype(&f->m, 0, PAGE(16384), K_PAGE_UNTYPED, K_PAGE_KERNEL, 0, &c), COS_ERANGE);
    /* a live object keeps the page; its death starts the quiescence period
     * (10 us here): reuse is refused before, allowed after */
    assert_int_equal(k_mem_get(&f->m, 0, PAGE(100) + 64, 0, &c), COS_OK);
    assert_int_equal(k_mem_retype(&f->m, 0, PAGE(100), K_PAGE_KERNEL, K_PAGE_UNTYPED, 0, &c), COS_EBUSY);
    assert_int_equal(k_mem_put(&f->m, 0, PAGE(100) + 64, 5 * SIM_US, &c), COS_OK);
    assert_int_equal(k_mem_put(&f->m, 0, PAGE(100) + 64, 5 * SIM_US, &c), COS_ENOENT);
    assert_int_equal(k_mem_retype(&f->m, 0, PAGE(100), K_PAGE_KERNEL, K_PAGE_UNTYPED, 14 * SIM_US, &c), COS_EQUIESCE);
    assert_int_equal(k_mem_retype(&f->m, 0, PAGE(100), K_PAGE_KERNEL, K_PAGE_UNTYPED, 15 * SIM_US, &c), COS_OK);
    assert_int_equal(k_mem_get(&f->m, 0, PAGE(100), 0, &c), COS_ETYPE);   /* untyped holds nothing */
    assert_true(k_mem_verify(&f->m));
}

static void test_captbl(void **state)
{
    fx *f = *state;
    uint64_t c = 0;
    for (int p = 200; p <= 203; p++)
        assert_int_equal(k_mem_retype(&f->m, 0, PAGE(p), K_PAGE_UNTYPED, K_PAGE_KERNEL, 0, &c), COS_OK);
    k_captbl ct;
    assert_int_equal(k_ct_create(&f->m, 0, PAGE(200), 0, &c, &ct), COS_OK);
    assert_int_equal(k_ct_create(&f->m, 0, PAGE(200), 0, &c, &ct), COS_EBUSY);   /* in use now */
    assert_int_equal(k_ct_create(&f->m, 0, PAGE(204), 0, &c, &ct), COS_ETYPE);   /* untyped */
    assert_int_equal(k_ct_expand(&f->m, &ct, 0, 0, PAGE(201), 0, &c), COS_OK);
    assert_int_equal(k_ct_expand(&f->m, &ct, 0, 0, PAGE(202), 0, &c), COS_EEXIST);
    assert_int_equal(k_ct_expand(&f->m, &ct, 0, 512, PAGE(202), 0, &c), COS_ERANGE);
    assert_int_equal(k_ct_activate(&f->m, &ct, 0, 5, COS_CAP_THREAD, PAGE(203), 0, &c), COS_OK);
    assert_int_equal(k_ct_activate(&f->m, &ct, 0, 5, COS_CAP_SINV, PAGE(203), 0, &c), COS_EEXIST);
    assert_int_equal(k_ct_activate(&f->m, &ct, 0, 300, COS_CAP_SINV, PAGE(203), 0, &c), COS_ENOENT);  /* node 1 absent */
    assert_int_equal(k_ct_activate(&f->m, &ct, 0, K_CT_MAX, COS_CAP_SINV, 0, 0, &c), COS_ERANGE);
    /* a lookup is two dependent loads: the level-1 entry (root + 0) and the
     * slot (node + 5 x 16).  Warm (both just written): 4 + 4 = 8 cycles */
    k_slot s;
    uint64_t sp;
    c = 0;
    assert_int_equal(k_ct_lookup(&f->m, &ct, 0, 5, 0, &c, &s, &sp), COS_OK);
    assert_int_equal(c, 8);
    assert_int_equal(s.type, COS_CAP_THREAD);
    assert_int_equal(s.obj, PAGE(203));
    assert_int_equal(sp, PAGE(201) + 80);
    /* cold: two lines from memory, 79 each.  At 1 ms: the set-up above was
     * all costed at t = 0 and queued hundreds of line transfers on the bus,
     * which has long drained by then. */
    hwmem_flush_all(f->h->mem);
    c = 0;
    assert_int_equal(k_ct_lookup(&f->m, &ct, 0, 5, SIM_MS, &c, &s, NULL), COS_OK);
    assert_int_equal(c, 158);
    /* core 1 looks it up: the shared L2 has both lines now (25 each) */
    c = 0;
    assert_int_equal(k_ct_lookup(&f->m, &ct, 1, 5, 2 * SIM_MS, &c, &s, NULL), COS_OK);
    assert_int_equal(c, 50);
    /* deactivate: type checked, the slot's epoch counts it */
    assert_int_equal(k_ct_deactivate(&f->m, &ct, 0, 5, COS_CAP_SINV, 0, &c), COS_ETYPE);
    assert_int_equal(k_ct_deactivate(&f->m, &ct, 0, 5, COS_CAP_THREAD, 0, &c), COS_OK);
    assert_int_equal(k_ct_lookup(&f->m, &ct, 0, 5, 0, &c, &s, NULL), COS_ENOENT);
    /* a freed slot takes a new capability only after the quiescence
     * period (freed at about 0 + the cycles above; the fixture's period is
     * far below a second) */
    assert_int_equal(k_ct_activate(&f->m, &ct, 0, 5, COS_CAP_RCV, PAGE(203), 0, &c), COS_EQUIESCE);
    assert_int_equal(k_ct_check_free(&f->m, &ct, 0, 5, 0, &c), COS_EQUIESCE);
    assert_int_equal(k_ct_check_free(&f->m, &ct, 0, 5, SIM_S, &c), COS_OK);
    assert_int_equal(k_ct_activate(&f->m, &ct, 0, 5, COS_CAP_RCV, PAGE(203), SIM_S, &c), COS_OK);
    assert_int_equal(k_ct_lookup(&f->m, &ct, 0, 5, 0, &c, &s, NULL), COS_OK);
    assert_int_equal(s.epoch, 1);
    /* the table's pages are referenced: they cannot be retyped away */
    assert_int_equal(k_mem_retype(&f->m, 0, PAGE(201), K_PAGE_KERNEL, K_PAGE_UNTYPED, SIM_S, &c), COS_EBUSY);
    assert_true(k_mem_verify(&f->m));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_retype, setup, teardown),
        cmocka_unit_test_setup_teardown(test_captbl, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
