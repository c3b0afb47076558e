/* tests/test_kernel_decode.c: decode, then invoke: a refused system call
 * changes nothing (docs/kernel-design.md).
 *
 * Every refusal below is made between two fingerprints of the kernel's
 * state (tests/kernel_state.h: every typed page of memory, the kernel's
 * counters, the trace's events); the second must equal the first, with
 * the one k.error event the refusal writes, and no other kernel path may
 * have run in between.  Beyond the refusals each object's decode makes,
 * three that changed something, or refused what it should not have,
 * before the kernel was laid out by object:
 *  - a map whose pool has room for the tables this walk adds, but not for
 *    the worst case (three on x86-64), was refused (test_map_pool_*);
 *  - a send refused for a full cross-core ring still wrote a k.send
 *    event (test_send_ring_full);
 *  - an unmap of a page not mapped was found out in the invoke, after the
 *    management step (test_refused_unchanged checks that it changes
 *    nothing).
 * The harness is tests/kernel_body.h.
 */
#include "kernel_body.h"
#include "kernel_state.h"

/* call (a cos_err) must be refused with `want`, leaving everything as it
 * was: one kernel path ran, and all it left is its k.error event. */
#define REFUSED(s, call, want)                                                                  \
    do {                                                                                        \
        kst b_, a_;                                                                             \
        kst_take((s)->k, cos_core(), &b_);                                                      \
        cos_err e_ = (call);                                                                    \
        kst_take((s)->k, cos_core(), &a_);                                                      \
        EXPECT_ERR((s), e_, (want));                                                            \
        EXPECT_TRUE((s), a_.paths == b_.paths + 1 && kst_refused_unchanged(&b_, &a_));         \
    } while (0)

/* A kmem capability over n fresh pages of the booter's memory; the first
 * `user` of them user pages, the next `kernel` kernel pages. */
static cos_capid pages(ts *s, uint64_t n, uint64_t user, uint64_t kernel)
{
    cos_capid k = slot(s);
    EXPECT_ERR(s, cos_kmem_narrow(COS_BOOT_KMEM, COS_BOOT_CAPTBL, k, s->b.next, n), COS_OK);
    s->b.next += n;
    for (uint64_t i = 0; i < user; i++)
        EXPECT_ERR(s, cos_kmem_retype(k, i, COS_MEM_UNTYPED, COS_MEM_USER), COS_OK);
    for (uint64_t i = user; i < user + kernel; i++)
        EXPECT_ERR(s, cos_kmem_retype(k, i, COS_MEM_UNTYPED, COS_MEM_KERNEL), COS_OK);
    return k;
}

/* ---- page-table pools: exactly the tables a map adds ---------------------------- */

#define GIB UINT64_C(0x40000000)
#define MIB2 UINT64_C(0x200000)

/* x86-64: a map at an address with no tables yet adds a PDPT, a PD and a
 * PT (4 KiB each) below the root.  A pool of 6 pages (the object, the
 * root, 4 for tables): the first map takes 3 of them. */
static void body_map_pool_x86(ts *s)
{
    cos_capid k = pages(s, 10, 4, 6), pt = slot(s);
    EXPECT_ERR(s, cos_pgtbl_alloc(k, 4, pt, 6), COS_OK);
    EXPECT_ERR(s, cos_pgtbl_map(pt, GIB, k, 0, COS_MAP_WRITE), COS_OK);
    /* another GiB needs a PD and a PT; one page is left: refused, and the
     * page is still there (a walk that took the PD before finding no room
     * for the PT would have used it) */
    REFUSED(s, cos_pgtbl_map(pt, 2 * GIB, k, 1, COS_MAP_WRITE), COS_ENOMEM);
    /* the same GiB, another 2 MiB: one PT, which fits (refused before
     * the decode counted the tables: the worst case of three did not) */
    EXPECT_ERR(s, cos_pgtbl_map(pt, GIB + MIB2, k, 1, COS_MAP_WRITE), COS_OK);
    /* the pool is full now; a page next to one mapped needs no table */
    EXPECT_ERR(s, cos_pgtbl_map(pt, GIB + COS_PAGE_SIZE, k, 2, COS_MAP_WRITE), COS_OK);
    REFUSED(s, cos_pgtbl_map(pt, GIB + 2 * MIB2, k, 3, COS_MAP_WRITE), COS_ENOMEM);
    /* a page there already: refused in the decode, whatever the pool */
    REFUSED(s, cos_pgtbl_map(pt, GIB, k, 3, COS_MAP_WRITE), COS_EEXIST);
    EXPECT_ERR(s, cos_pgtbl_map(pt, GIB + 2 * COS_PAGE_SIZE, k, 3, 0), COS_OK);
    /* all four pages are mapped where they were put */
    for (uint64_t i = 0; i < 3; i++)
        EXPECT_ERR(s, cos_pgtbl_unmap(pt, GIB + i * COS_PAGE_SIZE).err, COS_OK);
    EXPECT_ERR(s, cos_pgtbl_unmap(pt, GIB + MIB2).err, COS_OK);
    REFUSED(s, cos_pgtbl_unmap(pt, GIB).err, COS_ENOENT);
}

static void test_map_pool_x86(void **state)
{
    ts s = { .body = body_map_pool_x86 };
    finish(run(&s), &s);
}

/* ARMv7-A: a map in a MiB with no second-level table adds one (1 KiB).
 * Map one page per MiB until the pool is full, then: another MiB is
 * refused with nothing changed, and a page in a MiB that has its table
 * still maps (refused before: the check wanted room for one table). */
static void body_map_pool_a9(ts *s)
{
    cos_capid k = pages(s, 40, 32, 8), pt = slot(s);
    EXPECT_ERR(s, cos_pgtbl_alloc(k, 32, pt, 8), COS_OK);
    unsigned n = 0;
    cos_err e = COS_OK;
    while (n < 32 && (e = cos_pgtbl_map(pt, GIB + (uint64_t)n * 0x100000, k, n, COS_MAP_WRITE)) == COS_OK)
        n++;
    EXPECT_ERR(s, e, COS_ENOMEM);
    EXPECT_TRUE(s, n > 0 && n < 32);
    REFUSED(s, cos_pgtbl_map(pt, GIB + (uint64_t)n * 0x100000, k, n, COS_MAP_WRITE), COS_ENOMEM);
    EXPECT_ERR(s, cos_pgtbl_map(pt, GIB + COS_PAGE_SIZE, k, n, COS_MAP_WRITE), COS_OK);
    REFUSED(s, cos_pgtbl_map(pt, GIB, k, n + 1, COS_MAP_WRITE), COS_EEXIST);
}

static void test_map_pool_a9(void **state)
{
    ts s = { .body = body_map_pool_a9, .preset = "cortex-a9" };
    finish(run(&s), &s);
}

/* ---- a send to a full cross-core ring --------------------------------------------- */

/* An IPI that takes a millisecond to arrive: the ring fills first. */
static void slow_ipis(model_config *cfg)
{
    cfg->ipi_latency = SIM_MS;
}

/* Core 1's init thread waits on its root rcv for what core 0 sends. */
static void body1_ring(ts *s)
{
    s->step = 1;
    cos_ret r = cos_rcv(COS_BOOT_RCV(1), 0);
    EXPECT_ERR(s, r.err, COS_OK);
    EXPECT_EQ(s, r.r[0], 1);                /* the first send wakes it */
    r = cos_rcv(COS_BOOT_RCV(1), NB);
    EXPECT_EQ(s, r.r[0], 5);                /* the other five came with it */
    s->step = 2;
}

static void body_ring(ts *s)
{
    cos_capid a = asnd(s, COS_BOOT_RCV(1));
    wait_step(s, 1);
    cos_compute(10000);                     /* core 1 blocks in its rcv */
    for (unsigned i = 0; i < K_RING_SLOTS; i++)
        EXPECT_ERR(s, cos_asnd(a, false), COS_OK);
    /* the ring's six slots are full: refused, no event, no trace record */
    REFUSED(s, cos_asnd(a, false), COS_ENOMEM);
    REFUSED(s, cos_asnd_rcv(a, ROOT).err, COS_ENOMEM);
    wait_step(s, 2);
    /* the IPI came, the ring is empty again */
    EXPECT_ERR(s, cos_asnd(a, false), COS_OK);
}

static void test_send_ring_full(void **state)
{
    ts s = { .body = body_ring, .body1 = body1_ring, .tune = slow_ipis };
    kfx *f = run(&s);
    assert_int_equal(s.step, 2);
    assert_int_equal(k_get_stats(f->k)->ipis, K_RING_SLOTS + 1);
    finish(f, &s);
}

/* ---- refusals from each object's decode ---------------------------------------------- */

static void body_refused(ts *s)
{
    cos_capid k = pages(s, 12, 2, 10), x = slot(s), y = slot(s), pt = slot(s);
    /* capabilities and memory */
    REFUSED(s, cos_cap_copy(COS_BOOT_CAPTBL, COS_BOOT_THD(0), COS_BOOT_TCAP(0)), COS_EEXIST);
    EXPECT_ERR(s, cos_cap_copy(COS_BOOT_CAPTBL, x, COS_BOOT_TCAP(0)), COS_OK);
    EXPECT_ERR(s, cos_cap_remove(COS_BOOT_CAPTBL, x), COS_OK);
    REFUSED(s, cos_cap_copy(COS_BOOT_CAPTBL, x, COS_BOOT_TCAP(0)), COS_EQUIESCE);
    REFUSED(s, cos_kmem_narrow(k, COS_BOOT_CAPTBL, x, 11, 2), COS_ERANGE);
    REFUSED(s, cos_kmem_retype(k, 0, COS_MEM_UNTYPED, COS_MEM_KERNEL), COS_ETYPE);
    REFUSED(s, cos_captbl_expand(COS_BOOT_CAPTBL, 0, k, 2), COS_EEXIST);
    REFUSED(s, cos_captbl_alloc(k, 0, y), COS_ETYPE);
    REFUSED(s, cos_captbl_alloc(k, 2, x), COS_EQUIESCE);                      /* x was freed just now */
    /* object creation refused after the page and the slot were found good */
    REFUSED(s, cos_pgtbl_alloc(k, 2, pt, 11), COS_ERANGE);
    REFUSED(s, cos_pgtbl_alloc(k, 1, pt, 2), COS_ETYPE);                       /* page 1: user */
    REFUSED(s, cos_comp_alloc(k, 2, y, COS_BOOT_CAPTBL, COS_BOOT_PGTBL, 1), COS_ERANGE);
    REFUSED(s, cos_thd_alloc(k, 2, y, COS_BOOT_COMP, E_COUNT, 0), COS_ERANGE);
    REFUSED(s, cos_sinv_alloc(k, 2, y, COS_BOOT_COMP, E_COUNT), COS_ERANGE);
    REFUSED(s, cos_rcv_alloc(k, 2, y, COS_BOOT_THD(0), 0, 0), COS_EEXIST);
    REFUSED(s, cos_rcv_alloc(k, 2, y, COS_BOOT_THD(1), 0, ROOT), COS_EEXIST);
    REFUSED(s, cos_asnd_alloc(k, 2, y, COS_BOOT_TCAP(0)), COS_ETYPE);
    /* endpoints and scheduling */
    cos_capid self = asnd(s, ROOT);
    REFUSED(s, cos_asnd_rcv(self, ROOT).err, COS_EINVAL);
    REFUSED(s, cos_rcv(COS_BOOT_RCV(1), NB).err, COS_EPERM);
    cos_capid t = thread(s, E_EXIT), tc = tcap(s);
    REFUSED(s, cos_switch(t, 0, 0, 0, ROOT, 1000), COS_ESTALE);
    REFUSED(s, cos_switch(t, tc, 5, 0, 0, 0), COS_EPERM);                      /* no budget */
    REFUSED(s, cos_switch(t, 0, COS_PRIO_MIN + 1, 0, 0, 0), COS_EINVAL);
    /* temporal capabilities */
    cos_capid r = rcv(s, thread(s, E_EXIT), tc);
    REFUSED(s, cos_tcap_transfer(tc, r, 1, 0), COS_EINVAL);                    /* to itself */
    REFUSED(s, cos_tcap_transfer(COS_BOOT_TCAP(0), r, 10, COS_PRIO_MIN + 1), COS_EINVAL);
    REFUSED(s, cos_tcap_delegate(COS_BOOT_TCAP(0), self, 10, 0, false), COS_EINVAL);  /* ROOT's: the same */
    cos_capid none = asnd(s, rcv(s, thread(s, E_EXIT), 0));                   /* an rcv with no tcap */
    REFUSED(s, cos_tcap_delegate(COS_BOOT_TCAP(0), none, 10, 0, false), COS_ENOENT);
    REFUSED(s, cos_tcap_merge(COS_BOOT_TCAP(0), COS_BOOT_CAPTBL, tc), COS_EBUSY);   /* r holds it */
    /* protection domains and hardware */
    EXPECT_ERR(s, cos_pgtbl_alloc(k, 2, pt, 8), COS_OK);
    REFUSED(s, cos_kmem_retype(k, 3, COS_MEM_KERNEL, COS_MEM_UNTYPED), COS_EBUSY);    /* in the pool */
    REFUSED(s, cos_cap_remove(COS_BOOT_CAPTBL, COS_BOOT_PGTBL + 1000), COS_ENOENT);
    REFUSED(s, cos_pgtbl_map(pt, GIB, k, 2, COS_MAP_WRITE), COS_ETYPE);           /* a kernel page */
    EXPECT_ERR(s, cos_pgtbl_map(pt, GIB, k, 0, COS_MAP_WRITE), COS_OK);
    REFUSED(s, cos_pgtbl_map(pt, GIB, k, 1, COS_MAP_WRITE), COS_EEXIST);
    REFUSED(s, cos_pgtbl_map(pt, GIB + COS_PAGE_SIZE, k, 1, COS_MAP_STACK), COS_EINVAL);   /* unwritable stack */
    REFUSED(s, cos_pgtbl_unmap(pt, GIB + COS_PAGE_SIZE).err, COS_ENOENT);
    REFUSED(s, cos_pgtbl_unmap(pt, 64 * GIB).err, COS_ENOENT);
    REFUSED(s, cos_mpu_region(pt, 0, k, 0, 12, 0), COS_EINVAL);
    REFUSED(s, cos_hw_attach(COS_BOOT_HW, s->k->h->timer_line, ROOT), COS_EBUSY);
    REFUSED(s, cos_hw_attach(COS_BOOT_HW, 200, COS_BOOT_TCAP(0)), COS_ETYPE);
}

static void test_refused_unchanged(void **state)
{
    ts s = { .body = body_refused };
    finish(run(&s), &s);
}

/* MPU machines: regions refused after the pages were looked up. */
static void body_refused_mpu(ts *s)
{
    cos_capid k = pages(s, 4, 3, 0);
    uint64_t base = cos_kmem_info(k).r[0];
    unsigned odd = (base / COS_PAGE_SIZE) % 2 ? 0 : 1;     /* a page not 8 KiB-aligned */
    EXPECT_ERR(s, cos_mpu_region(COS_BOOT_PGTBL, 0, k, 0, 12, COS_MAP_WRITE), COS_OK);
    REFUSED(s, cos_mpu_region(COS_BOOT_PGTBL, 0, k, odd, 13, COS_MAP_WRITE), COS_EALIGN);
    REFUSED(s, cos_mpu_region(COS_BOOT_PGTBL, 0, k, 2, 14, COS_MAP_WRITE), COS_ERANGE);  /* pages 2-5 */
    REFUSED(s, cos_mpu_region(COS_BOOT_PGTBL, 64, k, 0, 12, 0), COS_ERANGE);
    REFUSED(s, cos_mpu_region(COS_BOOT_PGTBL, 0, k, 0, 11, 0), COS_EINVAL);
    REFUSED(s, cos_mpu_region(COS_BOOT_PGTBL, 0, k, 0, 12, COS_MAP_WRITE | COS_MAP_STACK), COS_EINVAL);   /* no TLB */
    REFUSED(s, cos_pgtbl_map(COS_BOOT_PGTBL, BT_USER_BASE, k, 0, 0), COS_EINVAL);
    REFUSED(s, cos_kmem_retype(k, 0, COS_MEM_USER, COS_MEM_UNTYPED), COS_EBUSY);   /* in region 0 */
    EXPECT_ERR(s, cos_mpu_region(COS_BOOT_PGTBL, 0, 0, 0, 0, 0), COS_OK);
}

static void test_refused_unchanged_mpu(void **state)
{
    ts s = { .body = body_refused_mpu, .preset = "cortex-m7" };
    finish(run(&s), &s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_map_pool_x86),
        cmocka_unit_test(test_map_pool_a9),
        cmocka_unit_test(test_send_ring_full),
        cmocka_unit_test(test_refused_unchanged),
        cmocka_unit_test(test_refused_unchanged_mpu),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
