/* tests/test_kernel.c: the kernel's system calls (kernel/syscall.c, kernel.c),
 * driven from user level as the ABI (kernel/abi.h) describes them.
 *
 * Each test boots the kernel (tests/kernel_fixture.h) on x86_64 with 16 MiB of
 * memory (so that k_check, which scans every page after every kernel path,
 * stays fast) and runs a body on core 0's init thread, the root scheduler:
 * it builds what it needs with the booter's library (components/booter.h)
 * and makes system calls.  User code cannot use cmocka (it runs on a
 * simulated thread's stack), so it records each result with what was
 * expected (EXPECT below); the test prints every record that differs, with
 * its line, and fails.  The image's other entries are the threads and
 * servers the bodies make; the test's state is their argument.
 *
 * Figures: x86_64 runs at 3.2 GHz, so the default quiescence period of
 * 10 us (kernel.c) is 32,000 cycles; waiting QUIESCE_WAIT = 64,000 cycles
 * (20 us) of user compute always clears it.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "components/lib/booter.h"
#include "kernel_fixture.h"

#define PRESET "x86_64"
#define MEM_SIZE (UINT64_C(16) << 20)
#define RUN_SPAN (10 * SIM_MS)
#define QUIESCE_WAIT 64000u
#define ROOT COS_BOOT_RCV(0)        /* core 0's root scheduler rcv, owned by the body's thread */
#define NB COS_RCV_NONBLOCK
#define MAX_RECS 160

/* ---- the test's state, shared by the test and its user code ------------------ */

typedef struct rec {
    int line;
    const char *what;
    uint64_t got, want;
    bool is_err;
} rec;

typedef struct ts ts;
struct ts {
    void (*body)(ts *s);            /* what core 0's init thread does */
    void (*body1)(ts *s);           /* what core 1's does (NULL: it exits) */
    unsigned step;                  /* a hand-over between the two bodies */
    /* parameters (preemption tests) */
    uint32_t prio_r, prio_s, xfer_prio;
    bool zero_budget;
    /* the booter, and boot-table capabilities handed to threads and servers */
    bt b;
    cos_capid rcv, asnd, sinv, comp, spare;
    uint64_t page;
    /* what user code saw */
    cos_thdid boot_id, thd_id, seen_caller, seen_self;
    unsigned level_max, fail_level;
    cos_err depth_err;
    unsigned r_wakes;
    bool s_done, w_done, done;
    char log[32];
    unsigned nlog;
    rec recs[MAX_RECS];
    unsigned nrecs;
    /* test side */
    uint64_t boot_failures;
};

static void expect_at(ts *s, int line, const char *what, uint64_t got, uint64_t want, bool is_err)
{
    if (s->nrecs < MAX_RECS)
        s->recs[s->nrecs++] = (rec){ line, what, got, want, is_err };
    else
        s->recs[MAX_RECS - 1] = (rec){ line, "too many records (raise MAX_RECS)", 1, 0, false };
}
#define EXPECT_ERR(s, got, want) expect_at((s), __LINE__, #got, (uint64_t)(got), (uint64_t)(want), true)
#define EXPECT_EQ(s, got, want) expect_at((s), __LINE__, #got, (uint64_t)(got), (uint64_t)(want), false)
#define EXPECT_TRUE(s, cond) expect_at((s), __LINE__, #cond, (cond) ? 1 : 0, 1, false)

static void note(ts *s, char c)
{
    if (s->nlog + 1 < sizeof s->log)
        s->log[s->nlog++] = c;
}

/* ---- user-level helpers (run on the body's thread) ---------------------------- */

static uint64_t kpage(ts *s)
{
    uint64_t p = 0;
    EXPECT_ERR(s, bt_page(&s->b, true, &p), COS_OK);
    return p;
}

static cos_capid slot(ts *s) { return s->b.slot++; }

/* A thread in the boot component (so it uses the boot table) running entry(s). */
static cos_capid thread(ts *s, unsigned entry)
{
    uint64_t p = kpage(s);
    cos_capid c = slot(s);
    EXPECT_ERR(s, cos_thd_alloc(COS_BOOT_KMEM, p, c, COS_BOOT_COMP, entry, (cos_word)s), COS_OK);
    return c;
}

/* thd's rcv under the root scheduler, activating thd under tcap (0: none). */
static cos_capid rcv(ts *s, cos_capid thd, cos_capid tcap)
{
    cos_capid r = 0;
    EXPECT_ERR(s, bt_rcv(&s->b, thd, tcap, ROOT, &r), COS_OK);
    return r;
}

static cos_capid asnd(ts *s, cos_capid r)
{
    cos_capid a = 0;
    EXPECT_ERR(s, bt_asnd(&s->b, r, &a), COS_OK);
    return a;
}

/* A tcap owned by ROOT: {ROOT, COS_PRIO_MIN}, no budget. */
static cos_capid tcap(ts *s)
{
    cos_capid t = 0;
    EXPECT_ERR(s, bt_tcap(&s->b, &t), COS_OK);
    return t;
}

/* An invocation of comp's entry, in the boot table. */
static cos_capid sinv(ts *s, cos_capid comp, unsigned entry)
{
    uint64_t p = kpage(s);
    cos_capid c = slot(s);
    EXPECT_ERR(s, cos_sinv_alloc(COS_BOOT_KMEM, p, c, comp, entry), COS_OK);
    return c;
}

static bt_comp component(ts *s)
{
    bt_comp c;
    EXPECT_ERR(s, bt_comp_new(&s->b, 0, 1, &c), COS_OK);
    return c;
}

/* ---- the image: the boot entry, threads and servers ---------------------------- */

enum { E_BOOT, E_EXIT, E_RCVR, E_BLOCK, E_SELF_REMOVE, E_NO_RCV, E_SENDER, E_RECEIVER, E_COMPUTE, E_ADD,
       E_RECURSE, E_REMOVER, E_COUNT };

static cos_word e_boot(cos_thdid caller, cos_word core, cos_word arg, cos_word a2, cos_word a3)
{
    ts *s = (ts *)arg;
    if (core == 1 && s->body1)
        s->body1(s);
    if (core != 0)
        return 0;
    s->boot_id = cos_thdid_self();
    EXPECT_ERR(s, bt_init(&s->b), COS_OK);
    s->body(s);
    s->done = true;
    return 0;
}

static cos_word e_exit(cos_thdid caller, cos_word arg, cos_word a1, cos_word a2, cos_word a3)
{
    ((ts *)arg)->thd_id = cos_thdid_self();
    return 0;
}

/* Receives on s->rcv: what three sends left, then blocks for one more. */
static cos_word e_rcvr(cos_thdid caller, cos_word arg, cos_word a1, cos_word a2, cos_word a3)
{
    ts *s = (ts *)arg;
    s->thd_id = cos_thdid_self();
    note(s, 'T');
    /* sending to its own rcv while receiving on it makes no sense */
    EXPECT_ERR(s, cos_asnd_rcv(s->asnd, s->rcv).err, COS_EINVAL);
    /* three sends while it had not run: one receive takes all three */
    cos_ret r = cos_rcv(s->rcv, NB);
    EXPECT_ERR(s, r.err, COS_OK);
    EXPECT_EQ(s, r.r[0], 3);
    r = cos_rcv(s->rcv, NB);
    EXPECT_EQ(s, r.r[0], 0);        /* taken: nothing left, and no blocking */
    r = cos_rcv(s->rcv, 0);         /* blocks until the next send */
    note(s, 'W');
    EXPECT_ERR(s, r.err, COS_OK);
    EXPECT_EQ(s, r.r[0], 1);
    return 0;
}

static cos_word e_block(cos_thdid caller, cos_word arg, cos_word a1, cos_word a2, cos_word a3)
{
    ts *s = (ts *)arg;
    s->thd_id = cos_thdid_self();
    cos_rcv(s->rcv, 0);             /* nobody sends: blocked for good */
    return 0;
}

/* Removes the only capability to itself while it runs. */
static cos_word e_self_remove(cos_thdid caller, cos_word arg, cos_word a1, cos_word a2, cos_word a3)
{
    ts *s = (ts *)arg;
    EXPECT_ERR(s, cos_cap_remove(COS_BOOT_CAPTBL, s->spare), COS_EBUSY);
    return 0;
}

/* A thread with no rcv of its own: not a scheduler. */
static cos_word e_no_rcv(cos_thdid caller, cos_word arg, cos_word a1, cos_word a2, cos_word a3)
{
    ts *s = (ts *)arg;
    EXPECT_ERR(s, cos_tcap_alloc(COS_BOOT_KMEM, s->page, s->spare), COS_EPERM);
    EXPECT_ERR(s, cos_rcv(ROOT, NB).err, COS_EPERM);        /* the boot thread's */
    EXPECT_ERR(s, cos_sched_rcv(ROOT, NB).err, COS_EPERM);
    return 0;
}

static cos_word e_sender(cos_thdid caller, cos_word arg, cos_word a1, cos_word a2, cos_word a3)
{
    ts *s = (ts *)arg;
    note(s, 'S');
    EXPECT_ERR(s, cos_asnd(s->asnd, false), COS_OK);
    note(s, 's');
    s->s_done = true;
    return 0;
}

static cos_word e_receiver(cos_thdid caller, cos_word arg, cos_word a1, cos_word a2, cos_word a3)
{
    ts *s = (ts *)arg;
    for (;;) {
        cos_ret r = cos_rcv(s->rcv, 0);
        EXPECT_ERR(s, r.err, COS_OK);
        EXPECT_EQ(s, r.r[0], 1);
        note(s, 'R');
        s->r_wakes++;
    }
    return 0;       /* never: it waits for good */
}

static cos_word e_compute(cos_thdid caller, cos_word arg, cos_word a1, cos_word a2, cos_word a3)
{
    ts *s = (ts *)arg;
    s->thd_id = cos_thdid_self();
    cos_compute(1000000);
    s->w_done = true;
    return 0;
}

/* Server entries: a0 is the state. */
static cos_word e_add(cos_thdid caller, cos_word arg, cos_word a1, cos_word a2, cos_word a3)
{
    ts *s = (ts *)arg;
    s->seen_caller = caller;
    s->seen_self = cos_thdid_self();
    return a1 + a2 + a3;
}

/* Invokes itself through slot 1 of its own table, one level deeper each time. */
static cos_word e_recurse(cos_thdid caller, cos_word arg, cos_word level, cos_word a2, cos_word a3)
{
    ts *s = (ts *)arg;
    if (level > s->level_max)
        s->level_max = (unsigned)level;
    cos_ret r = cos_sinv(1, arg, level + 1, 0, 0);
    if (r.err) {
        s->depth_err = r.err;
        s->fail_level = (unsigned)level;
        return level;
    }
    return r.r[0];
}

/* Runs inside the server, whose slot 1 is the boot table. */
static cos_word e_remover(cos_thdid caller, cos_word arg, cos_word a1, cos_word a2, cos_word a3)
{
    ts *s = (ts *)arg;
    /* the invocation it came through: its object ends, so the server's
     * count drops from 2 (its capability, the sinv) to 1 */
    EXPECT_ERR(s, cos_cap_remove(1, s->sinv), COS_OK);
    /* the last reference to a component this thread is inside */
    EXPECT_ERR(s, cos_cap_remove(1, s->comp), COS_EBUSY);
    return 7;
}

static const cos_entry_fn entries[E_COUNT] = {
    [E_BOOT] = e_boot, [E_EXIT] = e_exit, [E_RCVR] = e_rcvr, [E_BLOCK] = e_block,
    [E_SELF_REMOVE] = e_self_remove, [E_NO_RCV] = e_no_rcv, [E_SENDER] = e_sender, [E_RECEIVER] = e_receiver,
    [E_COMPUTE] = e_compute, [E_ADD] = e_add, [E_RECURSE] = e_recurse, [E_REMOVER] = e_remover,
};
static const cos_image image = { "test-kernel", entries, E_COUNT };
static const cos_image *const images[] = { &image };

/* ---- the test side ------------------------------------------------------------ */

static const char *err_name(uint64_t e)
{
    static const char *const names[COS_ERRS] = {
        "OK", "ERANGE", "EALIGN", "ETYPE", "EBUSY", "EQUIESCE", "EEXIST", "ENOENT",
        "EINVAL", "EPERM", "EDEPTH", "ENOMEM", "ESTALE", "EFAULT", "ECORE",
    };
    return e < COS_ERRS ? names[e] : "?";
}

/* Boot and run the body. */
static kfx *run(ts *s)
{
    kfx *f = kfx_new_mem(PRESET, MEM_SIZE, images, 1, 0, (cos_word)s, true);
    kfx_run(f, 0);
    s->boot_failures = k_get_stats(f->k)->check_failures;
    assert_int_equal(s->boot_failures, 0);
    kfx_run(f, RUN_SPAN);
    return f;
}

/* Calls the user code expected to be refused. */
static uint64_t refusals(const ts *s)
{
    uint64_t n = 0;
    for (unsigned i = 0; i < s->nrecs; i++)
        n += s->recs[i].is_err && s->recs[i].want != COS_OK;
    return n;
}

/* Every record as expected, the body finished, every invariant held. */
static void finish(kfx *f, ts *s)
{
    unsigned bad = 0;
    for (unsigned i = 0; i < s->nrecs; i++) {
        const rec *r = &s->recs[i];
        if (r->got == r->want)
            continue;
        bad++;
        if (r->is_err)
            print_error("test_kernel.c:%d: %s: %s, expected %s\n", r->line, r->what, err_name(r->got),
                        err_name(r->want));
        else
            print_error("test_kernel.c:%d: %s: %" PRIu64 ", expected %" PRIu64 "\n", r->line, r->what, r->got,
                        r->want);
    }
    assert_int_equal(bad, 0);
    assert_true(s->nrecs > 0);
    assert_true(s->done);
    assert_int_equal(k_get_stats(f->k)->check_failures - s->boot_failures, 0);
    kfx_free(f);
}

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
     * table), at most 64, all inside the capability's range */
    for (uint64_t i = 2; i < 12; i++)
        EXPECT_ERR(s, cos_kmem_retype(k, i, COS_MEM_UNTYPED, COS_MEM_KERNEL), COS_OK);
    EXPECT_ERR(s, cos_pgtbl_alloc(k, 2, pt, 0), COS_EINVAL);
    EXPECT_ERR(s, cos_pgtbl_alloc(k, 2, pt, 1), COS_EINVAL);
    EXPECT_ERR(s, cos_pgtbl_alloc(k, 2, pt, 65), COS_EINVAL);
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
    EXPECT_ERR(s, cos_pgtbl_map(pt, BT_USER_BASE, k, 1, 4), COS_EINVAL);
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

/* Wait (simulated compute) until the other core's body reaches `step`. */
static void wait_step(ts *s, unsigned step)
{
    while (s->step < step)
        cos_compute(1000);
}

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

/* ---- 2. invocation: value, caller, copies, removal -------------------------------- */

static void body_sinv(ts *s)
{
    bt_comp sv = component(s);
    cos_capid inv = sinv(s, sv.comp, E_ADD), copy = slot(s);
    /* the server returns a1 + a2 + a3 */
    cos_ret r = cos_sinv(inv, (cos_word)s, 20, 20, 2);
    EXPECT_ERR(s, r.err, COS_OK);
    EXPECT_EQ(s, r.r[0], 42);
    /* thread migration: the server runs on the caller's thread, and is told so */
    EXPECT_EQ(s, s->seen_caller, s->boot_id);
    EXPECT_EQ(s, s->seen_self, s->boot_id);
    /* a copy invokes the same server; it outlives the original */
    EXPECT_ERR(s, cos_cap_copy(COS_BOOT_CAPTBL, copy, inv), COS_OK);
    EXPECT_EQ(s, cos_sinv(copy, (cos_word)s, 1, 2, 3).r[0], 6);
    EXPECT_ERR(s, cos_cap_remove(COS_BOOT_CAPTBL, inv), COS_OK);
    EXPECT_ERR(s, cos_sinv(inv, (cos_word)s, 0, 0, 0).err, COS_ENOENT);
    r = cos_sinv(copy, (cos_word)s, 5, 0, 0);
    EXPECT_ERR(s, r.err, COS_OK);
    EXPECT_EQ(s, r.r[0], 5);
}

static void test_sinv(void **state)
{
    ts s = { .body = body_sinv };
    kfx *f = run(&s);
    /* three invocations went through, and each returned */
    assert_int_equal(k_get_stats(f->k)->invocations, 3);
    assert_int_equal(k_get_stats(f->k)->returns, 3);
    finish(f, &s);
}

static void body_sinv_depth(ts *s)
{
    bt_comp sv = component(s);
    cos_capid self = 0;
    EXPECT_ERR(s, bt_sinv(&s->b, &sv, &sv, E_RECURSE, &self), COS_OK);
    EXPECT_EQ(s, self, 1);          /* the server's first slot, as e_recurse expects */
    cos_capid inv = sinv(s, sv.comp, E_RECURSE);
    /* the boot thread starts at depth 0; invocation n takes it to depth n
     * and runs level n.  Invocation 17 finds the stack full (depth 16 =
     * COS_INV_DEPTH): level 16 sees EDEPTH and every level returns 16 */
    cos_ret r = cos_sinv(inv, (cos_word)s, 1, 0, 0);
    EXPECT_ERR(s, r.err, COS_OK);
    EXPECT_EQ(s, r.r[0], COS_INV_DEPTH);
    EXPECT_EQ(s, s->level_max, COS_INV_DEPTH);
    EXPECT_EQ(s, s->fail_level, COS_INV_DEPTH);
    EXPECT_ERR(s, s->depth_err, COS_EDEPTH);
    /* the stack unwound completely: the same again */
    s->level_max = 0;
    r = cos_sinv(inv, (cos_word)s, 1, 0, 0);
    EXPECT_EQ(s, r.r[0], COS_INV_DEPTH);
    EXPECT_EQ(s, s->level_max, COS_INV_DEPTH);
}

static void test_sinv_depth(void **state)
{
    ts s = { .body = body_sinv_depth };
    kfx *f = run(&s);
    /* 2 x 16 invocations, each returned; the errors: the two EDEPTH and
     * bt_init's probe (a 1-page page table, refused on an MMU machine) */
    assert_int_equal(k_get_stats(f->k)->invocations, 2 * COS_INV_DEPTH);
    assert_int_equal(k_get_stats(f->k)->returns, 2 * COS_INV_DEPTH);
    assert_int_equal(k_get_stats(f->k)->errors, 3);
    finish(f, &s);
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

/* ---- 2. asynchronous endpoints and scheduling events ------------------------------ */

static void body_asnd_rcv(ts *s)
{
    cos_capid t = thread(s, E_RCVR);
    s->rcv = rcv(s, t, 0);
    s->asnd = asnd(s, s->rcv);
    /* t owns the rcv, not this thread */
    EXPECT_ERR(s, cos_rcv(s->rcv, NB).err, COS_EPERM);
    EXPECT_ERR(s, cos_sched_rcv(s->rcv, NB).err, COS_EPERM);
    EXPECT_ERR(s, cos_asnd_rcv(s->asnd, s->rcv).err, COS_EPERM);
    /* t has not run (runnable, not waiting): three sends just count */
    for (int i = 0; i < 3; i++)
        EXPECT_ERR(s, cos_asnd(s->asnd, false), COS_OK);
    /* t takes the three, then blocks; its scheduler (this thread) runs */
    EXPECT_ERR(s, cos_switch(t, 0, 0, 0, 0, 0), COS_OK);
    /* the first event ever on ROOT (token 1): t blocked, having run */
    cos_ret r = cos_sched_rcv(ROOT, NB);
    EXPECT_EQ(s, r.r[0], s->thd_id);
    EXPECT_EQ(s, r.r[1], COS_SCHED_EV_BLOCKED);
    EXPECT_TRUE(s, r.r[2] > 0);
    EXPECT_EQ(s, r.r[3], 1);
    r = cos_sched_rcv(ROOT, NB);
    EXPECT_EQ(s, r.r[0], 0);        /* nothing more; non-blocking returns */
    EXPECT_EQ(s, r.r[3], 1);
    /* a send wakes t; it runs under the activating tcap, this thread's own
     * (t has none): equal to the running one, so it preempts, runs to its
     * end ('W') before this thread's next statement */
    note(s, 'b');
    EXPECT_ERR(s, cos_asnd(s->asnd, false), COS_OK);
    note(s, 'a');
    /* woken (token 2), then exited (token 3): one entry, both flags */
    r = cos_sched_rcv(ROOT, NB);
    EXPECT_EQ(s, r.r[0], s->thd_id);
    EXPECT_EQ(s, r.r[1], COS_SCHED_EV_WOKEN | COS_SCHED_EV_EXITED);
    EXPECT_EQ(s, r.r[3], 3);
}

static void test_asnd_rcv(void **state)
{
    ts s = { .body = body_asnd_rcv };
    kfx *f = run(&s);
    assert_string_equal(s.log, "TbWa");
    assert_int_equal(k_get_stats(f->k)->sends, 4);   /* the three counted, the one that woke t */
    finish(f, &s);
}

static void body_sched_token(ts *s)
{
    cos_capid t1 = thread(s, E_BLOCK), t2 = thread(s, E_EXIT);
    s->rcv = rcv(s, t1, 0);
    cos_ret r = cos_sched_rcv(ROOT, NB);
    EXPECT_EQ(s, r.r[0], 0);
    uint64_t tok0 = r.r[3];
    EXPECT_EQ(s, tok0, 0);          /* no event yet */
    /* the right token: t1 runs, and blocks on its rcv (event: token 1) */
    EXPECT_ERR(s, cos_switch(t1, 0, 0, 0, ROOT, tok0), COS_OK);
    EXPECT_ERR(s, cos_switch(t2, 0, 0, 0, ROOT, tok0), COS_ESTALE);
    EXPECT_ERR(s, cos_switch(t1, 0, 0, 0, 0, 0), COS_EBUSY);                /* blocked */
    EXPECT_ERR(s, cos_switch(t2, 0, 0, 5000, 0, 0), COS_EINVAL);            /* timeout, no rcv */
    EXPECT_ERR(s, cos_switch(t2, 0, COS_PRIO_MIN + 1, 0, 0, 0), COS_EINVAL);
    EXPECT_ERR(s, cos_switch(t2, COS_BOOT_THD(0), 0, 0, 0, 0), COS_ETYPE);  /* not a tcap */
    EXPECT_ERR(s, cos_switch(t2, 0, 0, 0, s->rcv, 0), COS_EPERM);           /* t1's rcv */
    /* re-read: the event, and the token that goes with it */
    r = cos_sched_rcv(ROOT, NB);
    EXPECT_EQ(s, r.r[0], s->thd_id);
    EXPECT_EQ(s, r.r[1], COS_SCHED_EV_BLOCKED);
    EXPECT_EQ(s, r.r[3], 1);
    EXPECT_ERR(s, cos_switch(t2, 0, 0, 0, ROOT, r.r[3]), COS_OK);
    /* t2 returned: it never runs again */
    EXPECT_ERR(s, cos_switch(t2, 0, 0, 0, 0, 0), COS_EINVAL);
    r = cos_sched_rcv(ROOT, NB);
    EXPECT_EQ(s, r.r[0], s->thd_id);  /* t2's, set when it ran */
    EXPECT_EQ(s, r.r[1], COS_SCHED_EV_EXITED);
    EXPECT_EQ(s, r.r[3], 2);
}

static void test_sched_token(void **state)
{
    ts s = { .body = body_sched_token };
    finish(run(&s), &s);
}

/* ---- 1. temporal capabilities: errors ---------------------------------------------- */

static void body_tcap_errors(ts *s)
{
    cos_capid ta = tcap(s), tb = tcap(s), tc = tcap(s);
    cos_capid ra = rcv(s, thread(s, E_EXIT), ta), rb = rcv(s, thread(s, E_EXIT), tb);
    cos_capid rn = rcv(s, thread(s, E_EXIT), 0);
    /* a new tcap has no budget: it can give none */
    EXPECT_ERR(s, cos_tcap_transfer(ta, rb, 0, 0), COS_EPERM);
    EXPECT_ERR(s, cos_tcap_transfer(COS_BOOT_TCAP(0), ra, 1000, 0), COS_OK);
    /* ta has 1,000: not 2,000; then exactly all of it; then nothing is left */
    EXPECT_ERR(s, cos_tcap_transfer(ta, rb, 2000, 0), COS_EINVAL);
    EXPECT_ERR(s, cos_tcap_transfer(ta, rb, 1000, 0), COS_OK);
    EXPECT_ERR(s, cos_tcap_transfer(ta, rb, 1, 0), COS_EINVAL);
    EXPECT_ERR(s, cos_tcap_transfer(tb, rn, 10, 0), COS_ENOENT);           /* rn has no tcap */
    EXPECT_ERR(s, cos_tcap_transfer(tb, rb, 10, 0), COS_EINVAL);           /* to itself */
    EXPECT_ERR(s, cos_tcap_transfer(tb, ra, 10, COS_PRIO_MIN + 1), COS_EINVAL);
    /* dispatching under a tcap with no budget */
    EXPECT_ERR(s, cos_switch(COS_BOOT_THD(0), ta, 0, 0, 0, 0), COS_EPERM);
    /* merge: ta is also held by ra; tc (no budget, one capability) goes */
    EXPECT_ERR(s, cos_tcap_merge(tb, COS_BOOT_CAPTBL, ta), COS_EBUSY);
    EXPECT_ERR(s, cos_tcap_merge(tb, COS_BOOT_CAPTBL, COS_BOOT_THD(0)), COS_ETYPE);
    EXPECT_ERR(s, cos_tcap_merge(tb, COS_BOOT_CAPTBL, tc), COS_OK);
    EXPECT_ERR(s, cos_tcap_transfer(tc, rb, 1, 0), COS_ENOENT);
    /* a thread without an rcv is no scheduler: it cannot own a tcap */
    s->page = kpage(s);
    s->spare = slot(s);
    EXPECT_ERR(s, cos_switch(thread(s, E_NO_RCV), 0, 0, 0, 0, 0), COS_OK);
    /* this one can, in the same page and slot */
    EXPECT_ERR(s, cos_tcap_alloc(COS_BOOT_KMEM, s->page, s->spare), COS_OK);
}

static void test_tcap_errors(void **state)
{
    ts s = { .body = body_tcap_errors };
    finish(run(&s), &s);
}

/* ---- 3. preemption by the tcaps' partial order ------------------------------------ *
 *
 * Sender S runs under tcap TS, receiver R waits on rcv RR whose tcap is TR;
 * both tcaps are allocated by the root scheduler (this thread, owner of
 * ROOT), so each has one delegation, {ROOT, priority}, and gets an infinite
 * budget from the root tcap.  The priority for ROOT is set by the switch
 * that first runs each thread under its tcap (a1).  S logs 'S', sends to
 * RR, logs 's' and ends; R logs 'R' each time it wakes and waits again.
 * This thread logs 'B' when its switch to S returns, then runs what is
 * left: S if it has not finished, R if it has not woken.
 *
 * k_tcap_higher(TR, TS): the one shared scheduler is ROOT; TR preempts
 * unless TR's priority number for it is larger than TS's, and never with a
 * zero budget.  When R then waits again, its scheduler (this thread) runs,
 * not S. */

static void body_preempt(ts *s)
{
    cos_capid st = thread(s, E_SENDER), rt = thread(s, E_RECEIVER);
    cos_capid tsnd = tcap(s), trcv = tcap(s);
    cos_capid rs = rcv(s, st, tsnd);
    s->rcv = rcv(s, rt, trcv);
    s->asnd = asnd(s, s->rcv);
    /* cycles 0 from an infinite budget: infinite */
    EXPECT_ERR(s, cos_tcap_transfer(COS_BOOT_TCAP(0), rs, 0, 0), COS_OK);
    EXPECT_ERR(s, cos_tcap_transfer(COS_BOOT_TCAP(0), s->rcv, s->zero_budget ? 1000000 : 0, s->xfer_prio), COS_OK);
    /* R runs under TR (its priority for ROOT set, unless the transfer was
     * to set it) and waits on RR */
    EXPECT_ERR(s, cos_switch(rt, trcv, s->xfer_prio ? 0 : s->prio_r, 0, 0, 0), COS_OK);
    EXPECT_EQ(s, s->nlog, 0);
    if (s->zero_budget)     /* what TR has left goes to TS: TR keeps its priority, not a cycle */
        EXPECT_ERR(s, cos_tcap_transfer(trcv, rs, 0, 0), COS_OK);
    EXPECT_ERR(s, cos_switch(st, tsnd, s->prio_s, 0, 0, 0), COS_OK);
    note(s, 'B');
    if (!s->s_done)
        EXPECT_ERR(s, cos_switch(st, 0, 0, 0, 0, 0), COS_OK);
    if (!s->r_wakes)
        EXPECT_ERR(s, cos_switch(rt, COS_BOOT_TCAP(0), 0, 0, 0, 0), COS_OK);
    EXPECT_EQ(s, s->r_wakes, 1);
}

static void preempt_case(uint32_t prio_r, uint32_t prio_s, bool zero_budget, uint32_t xfer_prio, const char *log)
{
    ts s = { .body = body_preempt, .prio_r = prio_r, .prio_s = prio_s, .zero_budget = zero_budget,
             .xfer_prio = xfer_prio };
    kfx *f = run(&s);
    assert_string_equal(s.log, log);
    finish(f, &s);
}

/* (a) TR = {ROOT, 5}, TS = {ROOT, 10}: 5 <= 10, R preempts S at the send:
 * S, R, then this thread (R waits again), which finishes S. */
static void test_preempt_higher(void **state)
{
    preempt_case(5, 10, false, 0, "SRBs");
}

/* (b) TR = {ROOT, 10}, TS = {ROOT, 5}: 10 > 5, S goes on and ends; its
 * scheduler runs ('B') and dispatches R, which takes the send. */
static void test_preempt_lower(void **state)
{
    preempt_case(10, 5, false, 0, "SsBR");
}

/* (c) TR = {ROOT, 7}, TS = {ROOT, 7}: equal priorities preempt. */
static void test_preempt_equal(void **state)
{
    preempt_case(7, 7, false, 0, "SRBs");
}

/* (d) TR = {ROOT, 1}, TS = {ROOT, 10}: by priority R would preempt, but TR
 * has no budget left (it gave it all to TS), and a tcap with none never
 * preempts: as (b). */
static void test_preempt_no_budget(void **state)
{
    preempt_case(1, 10, true, 0, "SsBR");
}

/* (e) As (a), but TR's priority comes from the transfer's a2 (5, "the
 * priority for src's scheduler", ROOT) instead of a switch: after the
 * lists merge, the delegating scheduler's entry is set to what it gives
 * (as Composite's delegate does), so TR = {ROOT, 5} outranks the sender's
 * {ROOT, 10} and R preempts. */
static void test_preempt_transfer_prio(void **state)
{
    preempt_case(0, 10, false, 5, "SRBs");
}

/* ---- 4. budget expiry and switch timeouts ------------------------------------------ */

static void body_expiry(ts *s)
{
    cos_capid w = thread(s, E_COMPUTE), tw = tcap(s), rw = rcv(s, w, tw);
    EXPECT_ERR(s, cos_tcap_transfer(COS_BOOT_TCAP(0), rw, 10000, 0), COS_OK);
    /* w computes 1,000,000 cycles under 10,000: the timer stops it and the
     * kernel runs TW's owner, this thread, whose switch returns */
    EXPECT_ERR(s, cos_switch(w, tw, 0, 0, 0, 0), COS_OK);
    EXPECT_TRUE(s, !s->w_done);
    cos_ret r = cos_sched_rcv(ROOT, 0);     /* the event is there: no blocking */
    EXPECT_EQ(s, r.r[0], s->thd_id);
    EXPECT_EQ(s, r.r[1], COS_SCHED_EV_EXPIRED | COS_SCHED_EV_RUNNABLE);
    /* w computed the whole budget, 10,000 cycles: the timer is armed for
     * it from the end of the switch path that dispatched w, and the charge
     * runs from that path's start, so w and TW are charged the path too
     * (a kernel path: well under 2,000 cycles) */
    EXPECT_TRUE(s, r.r[2] >= 10000 && r.r[2] < 12000);
    /* more budget: w finishes its compute and exits */
    EXPECT_ERR(s, cos_tcap_transfer(COS_BOOT_TCAP(0), rw, 0, 0), COS_OK);
    EXPECT_ERR(s, cos_switch(w, 0, 0, 0, ROOT, r.r[3]), COS_OK);
    EXPECT_TRUE(s, s->w_done);
    r = cos_sched_rcv(ROOT, NB);
    EXPECT_EQ(s, r.r[1], COS_SCHED_EV_EXITED);
}

static void test_budget_expiry(void **state)
{
    ts s = { .body = body_expiry };
    kfx *f = run(&s);
    assert_int_equal(k_get_stats(f->k)->expiries, 1);
    finish(f, &s);
}

static void body_timeout(ts *s)
{
    cos_capid w = thread(s, E_COMPUTE);
    cos_ret r = cos_sched_rcv(ROOT, NB);
    uint64_t t0 = cos_cycles();
    /* w computes 1,000,000 cycles under this thread's tcap; the timeout at
     * t0 + 50,000 is an event to ROOT about this thread itself, whose tcap
     * (the same one) preempts w */
    EXPECT_ERR(s, cos_switch(w, 0, 0, t0 + 50000, ROOT, r.r[3]), COS_OK);
    EXPECT_TRUE(s, cos_cycles() >= t0 + 50000);
    EXPECT_TRUE(s, !s->w_done);
    r = cos_sched_rcv(ROOT, NB);
    EXPECT_EQ(s, r.r[0], s->boot_id);
    EXPECT_EQ(s, r.r[1], COS_SCHED_EV_TIMEOUT | COS_SCHED_EV_RUNNABLE);
}

static void test_switch_timeout(void **state)
{
    ts s = { .body = body_timeout };
    kfx *f = run(&s);
    assert_int_equal(k_get_stats(f->k)->timeouts, 1);
    finish(f, &s);
}

/* ---- the boot-time check ------------------------------------------------------------- *
 * Every core is booted with its init thread current and due to run at
 * time 0; the invariants hold from the first kernel path on (a regression
 * test: once every core but the last reported "path not finished"). */
static void body_nothing(ts *s) { (void)s; }

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
        cmocka_unit_test(test_sinv),
        cmocka_unit_test(test_sinv_depth),
        cmocka_unit_test(test_remove_busy),
        cmocka_unit_test(test_asnd_rcv),
        cmocka_unit_test(test_sched_token),
        cmocka_unit_test(test_tcap_errors),
        cmocka_unit_test(test_preempt_higher),
        cmocka_unit_test(test_preempt_lower),
        cmocka_unit_test(test_preempt_equal),
        cmocka_unit_test(test_preempt_no_budget),
        cmocka_unit_test(test_preempt_transfer_prio),
        cmocka_unit_test(test_budget_expiry),
        cmocka_unit_test(test_switch_timeout),
        cmocka_unit_test(test_boot_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
