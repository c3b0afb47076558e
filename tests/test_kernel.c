/* tests/test_kernel.c: the kernel's capabilities and memory, as user level
 * sees them (kernel/cap.c, pgtbl.c, kmem.c, captbl.c): capability ids,
 * types and slots, object creation, quiescence, unmapping with TLB
 * shootdowns, removing what is in use, and the boot-time check.  The
 * harness is tests/kernel_body.h.
 */
#include "kernel_body.h"

/* ---- 1. capability ids, types, slots, unknown ops ------------------------------- */

static void body_cap_errors(ts *s)
{
    /* ids are below K_CT_MAX = 512 level-1 entries x 256 slots = 131,072 */
    EXPECT_ERR(s, cos_sinv(K_CT_MAX, 0, 0, 0, 0).err, COS_ERANGE);
    EXPECT_ERR(s, cos_sinv(UINT32_MAX, 0, 0, 0, 0).err, COS_ERANGE);
    /* the boot table has level-2 nodes 0 and 1 (slots 0-511): id 1000 is in
     * node 3, which does not exist; slot 300 exists and is empty */
    EXPECT_ERR(s, cos_sinv(1000, 0, 0, 0, 0).err, COS_ENOENT);
    EXPECT_ERR(s, cos_sinv(300, 0, 0, 0, 0).err, COS_ENOENT);
    /* a capability of another type than the op needs */
    EXPECT_ERR(s, cos_sinv(COS_BOOT_THD(0), 0, 0, 0, 0).err, COS_ETYPE);
    EXPECT_ERR(s, cos_asnd(ROOT, false), COS_ETYPE);
    EXPECT_ERR(s, cos_rcv(COS_BOOT_TCAP(0), NB).err, COS_ETYPE);
    EXPECT_ERR(s, cos_sched_rcv(COS_BOOT_THD(0), NB).err, COS_ETYPE);
    EXPECT_ERR(s, cos_switch(COS_BOOT_COMP, 0, 0, 0, 0, 0), COS_ETYPE);
    EXPECT_ERR(s, cos_tcap_transfer(ROOT, ROOT, 1, 0), COS_ETYPE);
    EXPECT_ERR(s, cos_tcap_transfer(COS_BOOT_TCAP(0), COS_BOOT_THD(0), 1, 0), COS_ETYPE);
    EXPECT_ERR(s, cos_cap_copy(COS_BOOT_COMP, 300, COS_BOOT_THD(0)), COS_ETYPE);
    EXPECT_ERR(s, cos_cap_remove(COS_BOOT_KMEM, 300), COS_ETYPE);
    EXPECT_ERR(s, cos_hw_flush(COS_BOOT_KMEM), COS_ETYPE);
    EXPECT_ERR(s, cos_pgtbl_map(COS_BOOT_CAPTBL, BT_USER_BASE, COS_BOOT_KMEM, 0, 0), COS_ETYPE);
    EXPECT_ERR(s, cos_captbl_alloc(COS_BOOT_CAPTBL, 0, 300), COS_ETYPE);
    /* another core's objects: core 1's thread and root tcap */
    EXPECT_ERR(s, cos_switch(COS_BOOT_THD(1), 0, 0, 0, 0, 0), COS_ECORE);
    EXPECT_ERR(s, cos_tcap_transfer(COS_BOOT_TCAP(1), ROOT, 1, 0), COS_ECORE);
    /* copy: destination in use, source empty, destination node absent or id too large */
    EXPECT_ERR(s, cos_cap_copy(COS_BOOT_CAPTBL, COS_BOOT_THD(0), COS_BOOT_TCAP(0)), COS_EEXIST);
    EXPECT_ERR(s, cos_cap_copy(COS_BOOT_CAPTBL, 300, 301), COS_ENOENT);
    EXPECT_ERR(s, cos_cap_copy(COS_BOOT_CAPTBL, 1000, COS_BOOT_THD(0)), COS_ENOENT);
    EXPECT_ERR(s, cos_cap_copy(COS_BOOT_CAPTBL, K_CT_MAX, COS_BOOT_THD(0)), COS_ERANGE);
    EXPECT_ERR(s, cos_cap_remove(COS_BOOT_CAPTBL, 300), COS_ENOENT);
    EXPECT_ERR(s, cos_cap_remove(COS_BOOT_CAPTBL, K_CT_MAX), COS_ERANGE);
    /* op numbers: 0 and COS_OPS and beyond name no call */
    EXPECT_ERR(s, cos_call((cos_op)0, COS_BOOT_THD(0), 0, 0, 0, 0, 0).err, COS_EINVAL);
    EXPECT_ERR(s, cos_call(COS_OPS, COS_BOOT_THD(0), 0, 0, 0, 0, 0).err, COS_EINVAL);
    EXPECT_ERR(s, cos_call((cos_op)1000, COS_BOOT_CAPTBL, 0, 0, 0, 0, 0).err, COS_EINVAL);
    /* narrowing memory: no pages, a first page past the range, a slot in use */
    EXPECT_ERR(s, cos_kmem_narrow(COS_BOOT_KMEM, COS_BOOT_CAPTBL, 300, 0, 0), COS_ERANGE);
    EXPECT_ERR(s, cos_kmem_narrow(COS_BOOT_KMEM, COS_BOOT_CAPTBL, 300, UINT32_MAX, 1), COS_ERANGE);
    EXPECT_ERR(s, cos_kmem_narrow(COS_BOOT_KMEM, COS_BOOT_CAPTBL, COS_BOOT_THD(0), 0, 1), COS_EEXIST);
    EXPECT_ERR(s, cos_kmem_narrow(COS_BOOT_KMEM, COS_BOOT_COMP, 300, 0, 1), COS_ETYPE);
    /* retype: no such memory type; a page that is not of the `from` type */
    EXPECT_ERR(s, cos_kmem_retype(COS_BOOT_KMEM, s->b.next, COS_MEM_UNTYPED, 3), COS_EINVAL);
    EXPECT_ERR(s, cos_kmem_retype(COS_BOOT_KMEM, s->b.next, COS_MEM_KERNEL, COS_MEM_UNTYPED), COS_ETYPE);
    /* expanding the boot table: node 0 exists; there are 512 level-1 entries */
    uint64_t p = kpage(s);
    EXPECT_ERR(s, cos_captbl_expand(COS_BOOT_CAPTBL, 0, COS_BOOT_KMEM, p), COS_EEXIST);
    EXPECT_ERR(s, cos_captbl_expand(COS_BOOT_CAPTBL, 512, COS_BOOT_KMEM, p), COS_ERANGE);
    EXPECT_ERR(s, cos_captbl_expand(COS_BOOT_CAPTBL, 3, COS_BOOT_KMEM, p), COS_OK);
    EXPECT_ERR(s, cos_cap_copy(COS_BOOT_CAPTBL, 1000, COS_BOOT_THD(0)), COS_OK);    /* node 3 now exists */
    /* an interrupt line the controller does not have */
    EXPECT_ERR(s, cos_hw_attach(COS_BOOT_HW, 1u << 20, ROOT), COS_ERANGE);
}

static void test_cap_errors(void **state)
{
    ts s = { .body = body_cap_errors };
    kfx *f = run(&s);
    /* the kernel counted every refusal above, and one more: bt_init's
     * probe, a 1-page page table, which an MMU machine refuses */
    assert_int_equal(k_get_stats(f->k)->errors, refusals(&s) + 1);
    finish(f, &s);
}

/* ---- 1. object creation: pages, slots, arguments ------------------------------ */

static void body_alloc_errors(ts *s)
{
    /* a 12-page kmem capability k over pages first..first+11, kept from the
     * booter: page 0 a capability table, 1 a user page, 2-9 a page table's
     * pool, 10-11 a smaller one */
    uint64_t first = s->b.next;
    s->b.next += 12;
    cos_capid k = slot(s), ct = slot(s), pt = slot(s), pt2 = slot(s), x = slot(s);
    EXPECT_ERR(s, cos_kmem_narrow(COS_BOOT_KMEM, COS_BOOT_CAPTBL, k, first, 12), COS_OK);
    /* where it is: `first` pages past the boot memory's start, 12 pages */
    cos_ret all = cos_kmem_info(COS_BOOT_KMEM), mine = cos_kmem_info(k);
    EXPECT_ERR(s, mine.err, COS_OK);
    EXPECT_EQ(s, mine.r[0], all.r[0] + first * COS_PAGE_SIZE);
    EXPECT_EQ(s, mine.r[1], 12);
    EXPECT_ERR(s, cos_kmem_info(COS_BOOT_CAPTBL).err, COS_ETYPE);
    EXPECT_ERR(s, cos_captbl_alloc(k, 0, ct), COS_ETYPE);             /* page 0 is untyped */
    EXPECT_ERR(s, cos_kmem_retype(k, 0, COS_MEM_UNTYPED, COS_MEM_KERNEL), COS_OK);
    EXPECT_ERR(s, cos_kmem_retype(k, 1, COS_MEM_UNTYPED, COS_MEM_USER), COS_OK);
    EXPECT_ERR(s, cos_captbl_alloc(k, 12, ct), COS_ERANGE);           /* pages 0-11 only */
    EXPECT_ERR(s, cos_captbl_alloc(k, UINT64_MAX, ct), COS_ERANGE);
    EXPECT_ERR(s, cos_captbl_alloc(k, 1, ct), COS_ETYPE);             /* a user page */
    EXPECT_ERR(s, cos_captbl_alloc(k, 0, COS_BOOT_THD(0)), COS_EEXIST);
    EXPECT_ERR(s, cos_captbl_alloc(k, 0, 1000), COS_ENOENT);          /* slot in an absent node */
    EXPECT_ERR(s, cos_captbl_alloc(k, 0, ct), COS_OK);
    /* page 0 holds the table now */
    EXPECT_ERR(s, cos_tcap_alloc(k, 0, x), COS_EBUSY);
    EXPECT_ERR(s, cos_kmem_retype(k, 0, COS_MEM_KERNEL, COS_MEM_UNTYPED), COS_EBUSY);
    /* page tables on x86: at least 2 pages (the object and the 4 KiB root
     * table), at most 1,024 (docs/kernel-abi.md, PGTBL_ALLOC), all inside
     * the capability's range */
    for (uint64_t i = 2; i < 12; i++)
        EXPECT_ERR(s, cos_kmem_retype(k, i, COS_MEM_UNTYPED, COS_MEM_KERNEL), COS_OK);
    EXPECT_ERR(s, cos_pgtbl_alloc(k, 2, pt, 0), COS_EINVAL);
    EXPECT_ERR(s, cos_pgtbl_alloc(k, 2, pt, 1), COS_EINVAL);
    EXPECT_ERR(s, cos_pgtbl_alloc(k, 2, pt, 1025), COS_EINVAL);
    EXPECT_ERR(s, cos_pgtbl_alloc(k, 10, pt, 3), COS_ERANGE);         /* pages 10-12 */
    EXPECT_ERR(s, cos_pgtbl_alloc(k, 2, pt, 8), COS_OK);
    EXPECT_ERR(s, cos_pgtbl_alloc(k, 10, pt2, 2), COS_OK);
    /* a map may need three 4 KiB tables (PDPT, PD, PT) beyond the root:
     * a 2-page pool has no room for them */
    EXPECT_ERR(s, cos_pgtbl_map(pt2, BT_USER_BASE, k, 1, COS_MAP_WRITE), COS_ENOMEM);
    /* mapping user page 1: a kernel page, a misaligned or too high address
     * (x86: 47-bit user half), unknown flags; then once, and not twice (the
     * 8-page pool still has 3 free pages after the first map's 3 tables) */
    EXPECT_ERR(s, cos_pgtbl_map(pt, BT_USER_BASE, k, 0, COS_MAP_WRITE), COS_ETYPE);
    EXPECT_ERR(s, cos_pgtbl_map(pt, BT_USER_BASE + 8, k, 1, COS_MAP_WRITE), COS_EALIGN);
    EXPECT_ERR(s, cos_pgtbl_map(pt, UINT64_C(1) << 47, k, 1, COS_MAP_WRITE), COS_ERANGE);
    EXPECT_ERR(s, cos_pgtbl_map(pt, BT_USER_BASE, k, 1, COS_MAP_STACK), COS_EINVAL);  /* a stack not written */
    EXPECT_ERR(s, cos_pgtbl_map(pt, BT_USER_BASE, k, 1, 8), COS_EINVAL);
    EXPECT_ERR(s, cos_pgtbl_map(pt, BT_USER_BASE, k, 1, COS_MAP_WRITE), COS_OK);
    EXPECT_ERR(s, cos_pgtbl_map(pt, BT_USER_BASE, k, 1, COS_MAP_WRITE), COS_EEXIST);
    EXPECT_ERR(s, cos_mpu_region(pt, 0, 0, 0, 12, 0), COS_EINVAL);      /* not an MPU machine */
    /* arguments naming other capabilities or entries */
    uint64_t p = kpage(s);
    EXPECT_ERR(s, cos_comp_alloc(COS_BOOT_KMEM, p, x, ct, pt, 1), COS_ERANGE);     /* one image: id 0 */
    EXPECT_ERR(s, cos_comp_alloc(COS_BOOT_KMEM, p, x, pt, ct, 0), COS_ETYPE);      /* swapped */
    EXPECT_ERR(s, cos_thd_alloc(COS_BOOT_KMEM, p, x, COS_BOOT_COMP, E_COUNT, 0), COS_ERANGE);
    EXPECT_ERR(s, cos_thd_alloc(COS_BOOT_KMEM, p, x, COS_BOOT_THD(0), E_EXIT, 0), COS_ETYPE);
    EXPECT_ERR(s, cos_sinv_alloc(COS_BOOT_KMEM, p, x, COS_BOOT_COMP, E_COUNT), COS_ERANGE);
    EXPECT_ERR(s, cos_rcv_alloc(COS_BOOT_KMEM, p, x, COS_BOOT_THD(0), 0, 0), COS_EEXIST);  /* owns ROOT */
    EXPECT_ERR(s, cos_asnd_alloc(COS_BOOT_KMEM, p, x, COS_BOOT_THD(0)), COS_ETYPE);
    EXPECT_ERR(s, cos_comp_alloc(COS_BOOT_KMEM, p, x, ct, pt, 0), COS_OK);
}

static void test_alloc_errors(void **state)
{
    ts s = { .body = body_alloc_errors };
    finish(run(&s), &s);
}

/* ---- 1. quiescence: slots and pages freed too recently --------------------------- */

static void body_quiescence(ts *s)
{
    cos_capid x = slot(s), y = slot(s), z = slot(s);
    /* a slot: copy, remove, and it is empty; reuse waits 10 us */
    EXPECT_ERR(s, cos_cap_copy(COS_BOOT_CAPTBL, x, COS_BOOT_TCAP(0)), COS_OK);
    EXPECT_ERR(s, cos_cap_remove(COS_BOOT_CAPTBL, x), COS_OK);
    EXPECT_ERR(s, cos_tcap_transfer(x, ROOT, 1, 0), COS_ENOENT);
    EXPECT_ERR(s, cos_cap_remove(COS_BOOT_CAPTBL, x), COS_ENOENT);
    EXPECT_ERR(s, cos_cap_copy(COS_BOOT_CAPTBL, x, COS_BOOT_TCAP(0)), COS_EQUIESCE);
    cos_compute(QUIESCE_WAIT);
    EXPECT_ERR(s, cos_cap_copy(COS_BOOT_CAPTBL, x, COS_BOOT_TCAP(0)), COS_OK);
    /* a page: an asnd whose only capability is removed ends, and its page
     * can hold a new object, or go back to untyped, only 10 us later */
    uint64_t p = kpage(s);
    EXPECT_ERR(s, cos_asnd_alloc(COS_BOOT_KMEM, p, y, ROOT), COS_OK);
    EXPECT_ERR(s, cos_asnd_alloc(COS_BOOT_KMEM, p, z, ROOT), COS_EBUSY);
    EXPECT_ERR(s, cos_cap_remove(COS_BOOT_CAPTBL, y), COS_OK);
    EXPECT_ERR(s, cos_asnd_alloc(COS_BOOT_KMEM, p, z, ROOT), COS_EQUIESCE);
    EXPECT_ERR(s, cos_kmem_retype(COS_BOOT_KMEM, p, COS_MEM_KERNEL, COS_MEM_UNTYPED), COS_EQUIESCE);
    cos_compute(QUIESCE_WAIT);
    EXPECT_ERR(s, cos_asnd_alloc(COS_BOOT_KMEM, p, z, ROOT), COS_OK);
    EXPECT_ERR(s, cos_asnd(z, false), COS_OK);
    EXPECT_ERR(s, cos_cap_remove(COS_BOOT_CAPTBL, z), COS_OK);
    cos_compute(QUIESCE_WAIT);
    EXPECT_ERR(s, cos_kmem_retype(COS_BOOT_KMEM, p, COS_MEM_KERNEL, COS_MEM_UNTYPED), COS_OK);
}

/* ---- 1. unmap: TLB shootdown and the frame's quiescence ---------------------------- */

#define UNMAP_VA UINT64_C(0x10000000)

/* Core 0: a user page mapped in the boot component's table (which both
 * cores' init threads run in); both cores touch it, so both TLBs hold it;
 * core 0 unmaps it. */
static void body_unmap(ts *s)
{
    uint64_t first = s->b.next++;
    cos_capid k = slot(s);
    EXPECT_ERR(s, cos_kmem_narrow(COS_BOOT_KMEM, COS_BOOT_CAPTBL, k, first, 1), COS_OK);
    EXPECT_ERR(s, cos_kmem_retype(k, 0, COS_MEM_UNTYPED, COS_MEM_USER), COS_OK);
    EXPECT_ERR(s, cos_call(COS_OP_PGTBL_UNMAP, COS_BOOT_PGTBL, UNMAP_VA, 0, 0, 0, 0).err, COS_ENOENT);
    EXPECT_ERR(s, cos_pgtbl_map(COS_BOOT_PGTBL, UNMAP_VA, k, 0, COS_MAP_WRITE), COS_OK);
    EXPECT_ERR(s, cos_touch(UNMAP_VA, 8, true), COS_OK);
    s->step = 1;
    wait_step(s, 2);                /* core 1 has touched it too */
    /* refusals: not a page table, misaligned, beyond the user half */
    EXPECT_ERR(s, cos_call(COS_OP_PGTBL_UNMAP, COS_BOOT_CAPTBL, UNMAP_VA, 0, 0, 0, 0).err, COS_ETYPE);
    EXPECT_ERR(s, cos_call(COS_OP_PGTBL_UNMAP, COS_BOOT_PGTBL, UNMAP_VA + 8, 0, 0, 0, 0).err, COS_EALIGN);
    EXPECT_ERR(s, cos_call(COS_OP_PGTBL_UNMAP, COS_BOOT_PGTBL, UINT64_C(1) << 47, 0, 0, 0, 0).err, COS_ERANGE);
    /* the unmap: cores 1, 2 and 3 have loaded the boot table (their init
     * threads ran in it), so each gets a shootdown */
    cos_ret r = cos_call(COS_OP_PGTBL_UNMAP, COS_BOOT_PGTBL, UNMAP_VA, 0, 0, 0, 0);
    EXPECT_ERR(s, r.err, COS_OK);
    EXPECT_EQ(s, r.r[0], 3);
    s->step = 3;
    /* this core's entry went at once */
    EXPECT_ERR(s, cos_touch(UNMAP_VA, 8, false), COS_EFAULT);
    EXPECT_ERR(s, cos_call(COS_OP_PGTBL_UNMAP, COS_BOOT_PGTBL, UNMAP_VA, 0, 0, 0, 0).err, COS_ENOENT);
    /* the frame has no mapping left but is reused only after quiescence */
    EXPECT_ERR(s, cos_kmem_retype(k, 0, COS_MEM_USER, COS_MEM_UNTYPED), COS_EQUIESCE);
    cos_compute(QUIESCE_WAIT);
    EXPECT_ERR(s, cos_kmem_retype(k, 0, COS_MEM_USER, COS_MEM_UNTYPED), COS_OK);
    wait_step(s, 4);
}

/* Core 1: touch the page (its TLB caches it), then, once core 0 has
 * unmapped it, keep touching: the old frame stays reachable through the
 * stale entry until the shootdown's IPI is taken (the IPI latency: 500 ns
 * = 1,600 cycles at 3.2 GHz, plus the sender's path), then faults. */
static void body1_unmap(ts *s)
{
    wait_step(s, 1);
    EXPECT_ERR(s, cos_touch(UNMAP_VA, 8, true), COS_OK);
    s->step = 2;
    wait_step(s, 3);
    unsigned stale = 0;
    while (cos_touch(UNMAP_VA, 8, false) == COS_OK && stale < 100) {
        stale++;
        cos_compute(100);
    }
    EXPECT_TRUE(s, stale < 100);     /* the fault came */
    s->step = 4;
}

static void test_unmap_shootdown(void **state)
{
    ts s = { .body = body_unmap, .body1 = body1_unmap };
    kfx *f = run(&s);
    /* one shootdown taken per other core */
    assert_int_equal(k_get_stats(f->k)->shootdowns, 3);
    finish(f, &s);
}

static void test_quiescence(void **state)
{
    ts s = { .body = body_quiescence };
    finish(run(&s), &s);
}


/* ---- 1. removing what is in use --------------------------------------------------- */

static void body_remove_busy(ts *s)
{
    bt_comp sv = component(s);
    cos_capid ct = 0;
    EXPECT_ERR(s, bt_give(&s->b, &sv, COS_BOOT_CAPTBL, &ct), COS_OK);
    EXPECT_EQ(s, ct, 1);            /* e_remover's slot 1 */
    s->comp = sv.comp;
    s->sinv = sinv(s, sv.comp, E_REMOVER);
    EXPECT_EQ(s, cos_sinv(s->sinv, (cos_word)s, 0, 0, 0).r[0], 7);
    /* nobody inside it now */
    EXPECT_ERR(s, cos_cap_remove(COS_BOOT_CAPTBL, sv.comp), COS_OK);
    EXPECT_ERR(s, cos_thd_alloc(COS_BOOT_KMEM, kpage(s), slot(s), sv.comp, E_EXIT, 0), COS_ENOENT);
    /* a thread removing its only capability while it runs */
    s->spare = thread(s, E_SELF_REMOVE);
    EXPECT_ERR(s, cos_switch(s->spare, 0, 0, 0, 0, 0), COS_OK);
    /* it exited: the event is taken (the list's reference goes), then its
     * capability, the last reference, can go */
    cos_ret r = cos_sched_rcv(ROOT, NB);
    EXPECT_EQ(s, r.r[1], COS_SCHED_EV_EXITED);
    EXPECT_ERR(s, cos_cap_remove(COS_BOOT_CAPTBL, s->spare), COS_OK);
    EXPECT_ERR(s, cos_switch(s->spare, 0, 0, 0, 0, 0), COS_ENOENT);
}

static void test_remove_busy(void **state)
{
    ts s = { .body = body_remove_busy };
    finish(run(&s), &s);
}

/* The tcap a core runs under loses its last reference: thread A, running
 * under tcap T, dispatches B (no tcap of its own: it runs under T), and B
 * removes T's capability, A's rcv (which held T) and A (which held T, and
 * ends).  T must live on while the core runs under it (the checker's
 * "current tcap not live" otherwise; every path charges the elapsed
 * cycles to it), unreachable, as a running thread does. */
static void body_remove_current_tcap(ts *s)
{
    cos_capid t = tcap(s), a = thread(s, E_SWITCHER), ra = rcv(s, a, t);
    s->spare = thread(s, E_DROPPER);
    s->drop[0] = t;
    s->drop[1] = ra;
    s->drop[2] = a;
    EXPECT_ERR(s, cos_tcap_transfer(COS_BOOT_TCAP(0), ra, 1000000, 0), COS_OK);
    EXPECT_ERR(s, cos_switch(a, t, 0, 0, 0, 0), COS_OK);
    /* A and B have run, and B has exited: this thread, their scheduler, runs */
    EXPECT_ERR(s, cos_switch(a, 0, 0, 0, 0, 0), COS_ENOENT);
    EXPECT_ERR(s, cos_switch(s->spare, 0, 0, 0, 0, 0), COS_EINVAL);
}

static void test_remove_current_tcap(void **state)
{
    ts s = { .body = body_remove_current_tcap };
    finish(run(&s), &s);
}


/* ---- the boot-time check ------------------------------------------------------------- *
 * Every core is booted with its init thread current and due to run at
 * time 0; the invariants hold from the first kernel path on (a regression
 * test: once every core but the last reported "path not finished"). */
/* ---- 2. a component's data ---------------------------------------------------------- */

/* Each component has its own data block: the booter (a COMP capability's
 * holder) loads it, the component's own code finds it with cos_comp_data,
 * and no other component reaches it (kernel/abi.h). */
static void body_comp_data(ts *s)
{
    EXPECT_TRUE(s, cos_comp_data() == NULL);        /* the fixture gives the boot component none */
    bt_comp a = component(s), b = component(s);
    uint64_t *d = cos_comp_load(a.comp, 64);
    EXPECT_TRUE(s, d != NULL && d[0] == 0 && d[7] == 0);    /* zeroed */
    if (d)
        d[0] = 0xabc;
    EXPECT_TRUE(s, cos_comp_load(a.comp, 64) == d);         /* the same block again */
    EXPECT_TRUE(s, cos_comp_load(a.comp, 128) == NULL);     /* not another size */
    EXPECT_TRUE(s, cos_comp_load(a.comp, 0) == NULL);
    EXPECT_TRUE(s, cos_comp_load(b.comp, COS_COMP_DATA_MAX + 1) == NULL);
    EXPECT_TRUE(s, cos_comp_load(COS_BOOT_CAPTBL, 64) == NULL);   /* not a component */
    EXPECT_TRUE(s, cos_comp_load(COS_BOOT_COMP, 64) == NULL);     /* the boot component's is the host's */
    EXPECT_TRUE(s, cos_comp_load(4000, 64) == NULL);              /* an empty slot */
    /* a's code sees its block; b's sees none (b was never loaded), and a
     * capability to a in b's table would not let b's code in either: only
     * a COMP capability loads, and slot 1 of b's table holds a's table */
    cos_capid s1 = 0;
    EXPECT_ERR(s, bt_give(&s->b, &b, a.captbl, &s1), COS_OK);
    EXPECT_EQ(s, s1, 1);
    EXPECT_ERR(s, cos_sinv(sinv(s, a.comp, E_DATA), (cos_word)s, 0, 0, 0).err, COS_OK);
    EXPECT_TRUE(s, s->seen_data == d);
    EXPECT_TRUE(s, s->seen_load == NULL);       /* slot 1 of a's table: empty */
    EXPECT_ERR(s, cos_sinv(sinv(s, b.comp, E_DATA), (cos_word)s, 0, 0, 0).err, COS_OK);
    EXPECT_TRUE(s, s->seen_data == NULL);
    EXPECT_TRUE(s, s->seen_load == NULL);       /* a's captbl, not a component */
    EXPECT_TRUE(s, cos_comp_data() == NULL);    /* back in the boot component */
    EXPECT_EQ(s, d ? d[0] : 0, 0xabc);
}

static void test_comp_data(void **state)
{
    ts s = { .body = body_comp_data };
    finish(run(&s), &s);
}

/* ---- 3. the trace interface ----------------------------------------------------------- */

/* User level registers its event kinds and tables once by name and then
 * records by number (kernel/abi.h); the kernel knows nothing of what they
 * mean.  Refusals: empty names, bad columns. */
static void body_trace(ts *s)
{
    cos_tkind a = cos_trace_kind("u.test"), b = cos_trace_kind("u.other");
    EXPECT_TRUE(s, a != 0 && b != 0 && a != b);
    EXPECT_EQ(s, cos_trace_kind("u.test"), a);        /* the same name, the same number */
    EXPECT_EQ(s, cos_trace_kind(""), 0);
    EXPECT_EQ(s, cos_trace_kind(NULL), 0);
    cos_trace_ev(a, 1, 2, 3);
    cos_trace_ev(a, 4, 5, 6);
    cos_trace_ev(0, 0, 0, 0);                         /* no kind: nothing */
    cos_trace_ev(999, 0, 0, 0);
    static const cos_tcol cols[] = { { "v", COS_TCOL_INT, 0, 0 }, { "t0", COS_TCOL_TIME, 0, 0 },
                                     { "t1", COS_TCOL_TIME, 0, 0 }, { "d", COS_TCOL_SPAN, 1, 2 },
                                     { "core", COS_TCOL_CORE, 0, 0 }, { "thd", COS_TCOL_THREAD, 0, 0 } };
    uint32_t t = cos_trace_table("t_test", cols, 6);
    EXPECT_TRUE(s, t != 0);
    EXPECT_EQ(s, cos_trace_table("t_test", cols, 6), t);
    static const cos_tcol bad[] = { { "v", COS_TCOL_INT, 0, 0 }, { "d", COS_TCOL_SPAN, 0, 0 } };
    EXPECT_EQ(s, cos_trace_table("t_bad", bad, 2), 0);          /* a span of an integer column */
    EXPECT_EQ(s, cos_trace_table("t_bad", cols, 0), 0);
    EXPECT_EQ(s, cos_trace_table("t_bad", cols, COS_TCOLS_MAX + 1), 0);
    int64_t row[6] = { 7, 1000, 4200, 0, 0, 0 };
    cos_trace_row(t, row, 6);
    cos_trace_row(t, row, 5);                          /* the wrong count: nothing */
    cos_trace_row(0, row, 6);
}

static void test_trace(void **state)
{
    ts s = { .body = body_trace };
    kfx *f = run(&s);
    simtr *tr = f->s->trace;
    simtr_table *t = simtr_find(tr, "t_test");
    assert_non_null(t);
    assert_int_equal(simtr_rows(t), 1);                /* the good row only */
    assert_null(simtr_find(tr, "t_bad"));
    finish(f, &s);
}

/* cos_touch_words: a word at each address, in order, as one request; the
 * first fault stops it.  A component's own page is 4 KiB at its base. */
static cos_word e_words(cos_thdid caller, cos_word arg, cos_word a1, cos_word a2, cos_word a3);

static void body_touch_words(ts *s)
{
    bt_comp a = component(s);
    s->page = a.base;
    EXPECT_ERR(s, cos_sinv(sinv(s, a.comp, E_WORDS), (cos_word)s, 0, 0, 0).err, COS_OK);
}

static void test_touch_words(void **state)
{
    ts s = { .body = body_touch_words };
    kfx *f = run(&s);
    /* one fault: the word past the page, after three that worked */
    assert_int_equal(k_get_stats(f->k)->faults, 1);
    finish(f, &s);
}

static void body_nothing(ts *s) { (void)s; }

/* The return to user level translates the resumed domain's code and stack
 * pages (kernel/pgtbl.h, k_pgtbl_resume).  The body invokes a component
 * made by the booter (its code page at BT_TEXT_VA, its stack page at
 * BT_STACK_VA) five times, unmaps its code page, and invokes it five times
 * more.  The boot component maps neither page, so a return into it
 * translates nothing.  Counted by hand:
 *  - PCID in use: the first sinv misses both pages (2 walks); every later
 *    one finds them (no switch flushes a PCID's entries): 2 in all;
 *  - PCID off: every switch back to the boot component flushes the
 *    non-global entries, so each sinv walks both pages, then only the
 *    stack once the code page is gone: 5 x 2 + 5 x 1 = 15;
 *  - the srets: 0 either way. */
#define RESUME_CALLS 5
static void body_resume(ts *s)
{
    bt_comp a = component(s);
    cos_capid inv = sinv(s, a.comp, E_EXIT);
    for (int i = 0; i < RESUME_CALLS; i++)
        EXPECT_ERR(s, cos_sinv(inv, (cos_word)s, 0, 0, 0).err, COS_OK);
    EXPECT_ERR(s, cos_pgtbl_unmap(a.pgtbl, BT_TEXT_VA).err, COS_OK);
    for (int i = 0; i < RESUME_CALLS; i++)
        EXPECT_ERR(s, cos_sinv(inv, (cos_word)s, 0, 0, 0).err, COS_OK);
}

static void no_pcid(model_config *cfg) { cfg->asid = false; }

static void resume_walks(void (*tune)(model_config *cfg), uint64_t want_sinv)
{
    ts s = { .body = body_resume, .tune = tune };
    kfx *f = run(&s);
    const k_path_stats *in = k_get_path_stats(f->k, COS_OP_SINV), *out = k_get_path_stats(f->k, K_PATH_SRET);
    assert_int_equal(in->n, 2 * RESUME_CALLS);
    assert_int_equal(in->walks, want_sinv);
    assert_int_equal(out->walks, 0);
    assert_int_equal(out->walk, 0);
    /* a walk reads 4 descriptors (SDM vol. 3A 4.5), each at least an L1
     * hit (4 cycles, the preset's l1d) */
    assert_true(in->walk >= want_sinv * 16);
    finish(f, &s);
}

static void test_resume_walks_pcid(void **state)
{
    (void)state;
    resume_walks(NULL, 2);
}

static void test_resume_walks_no_pcid(void **state)
{
    (void)state;
    resume_walks(no_pcid, 2 * RESUME_CALLS + RESUME_CALLS);
}

static void test_boot_check(void **state)
{
    (void)state;
    ts s = { .body = body_nothing };
    kfx *f = run(&s);
    assert_int_equal(k_get_stats(f->k)->check_failures, 0);
    finish(f, &s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cap_errors),
        cmocka_unit_test(test_alloc_errors),
        cmocka_unit_test(test_quiescence),
        cmocka_unit_test(test_unmap_shootdown),
        cmocka_unit_test(test_remove_busy),
        cmocka_unit_test(test_remove_current_tcap),
        cmocka_unit_test(test_comp_data),
        cmocka_unit_test(test_trace),
        cmocka_unit_test(test_touch_words),
        cmocka_unit_test(test_boot_check),
        cmocka_unit_test(test_resume_walks_pcid),
        cmocka_unit_test(test_resume_walks_no_pcid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
