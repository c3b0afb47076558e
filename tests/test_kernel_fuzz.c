/* tests/test_kernel_fuzz.c: adversarial components against the kernel.
 *
 * A booter builds NADV components, each with its own capability table,
 * address space (two user pages at addresses of its own on MMU machines, or
 * two MPU regions), a thread with a receive endpoint under the root
 * scheduler, a narrowed range of untyped memory (KMEM_PAGES pages), sends
 * to every adversary's endpoint, an invocation of the next component, and
 * a tcap.  Each adversary then issues system calls with random operation
 * numbers, random capability ids and random arguments (biased towards the
 * small numbers that name real things), from a seeded generator, in bursts,
 * blocking on its endpoint between bursts; the booter, as the root
 * scheduler, drains its events and switches to the adversaries in turn,
 * waking blocked ones with a send.  Also random loads and stores (MMU
 * machines): inside their own two pages they must succeed, outside they
 * must fault.
 *
 * Checked: the kernel's invariant checker after every kernel path (the
 * kernel's check mode; any failure counts), nothing crashes (the sanitizer
 * build runs this too), no load or store reaches memory outside the
 * component's pages, and at the end every capability in an adversary's
 * table names an object it was given or one it made in its own memory (no
 * component reaches a capability it was not given), and its memory
 * capabilities lie inside its own range.  And decode, then invoke: a
 * refused call changes nothing (the kernel's state fingerprinted before
 * and after it, tests/kernel_state.h, when no other kernel path ran in
 * between; every call in the unit suite, one in eight in the slow one).
 *
 * FUZZ_CALLS system calls (50,000 in the unit suite); the slow suite runs
 * test_kernel_fuzz_slow with 1,000,000 (COSSIM_FUZZ_CALLS overrides).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>
#include "kernel_fixture.h"
#include "kernel/internal.h"
#include "kernel_state.h"
#include "components/lib/booter.h"

#define NADV 4u
#define KMEM_PAGES 24u
#define BURST 24u
#define MEM_SIZE (UINT64_C(16) << 20)

/* slots in each adversary's own table */
enum { A_CAPTBL = 1, A_PGTBL, A_COMP, A_KMEM, A_RCV, A_THD, A_TCAP, A_SINV, A_ASND0 };

typedef struct adv {
    cos_capid thd, rcv, asnd, tcap;     /* in the boot table */
    uint64_t kmem_first;                /* its memory, relative to the booter's kmem */
    uint64_t base;                      /* where its two user pages are (its own range: lib/booter.c) */
    uint64_t rng;
    bool exited;
    bool unmapped, mapped;              /* it unmapped (mapped) a page of its own address space */
} adv;

typedef struct fuzz {
    bool mpu;
    uint64_t budget, calls, touches, touch_faults;
    uint64_t errors[COS_ERRS + 1];
    uint64_t isolation;                 /* accesses that went where they should not, or failed inside */
    uint64_t boot_error;
    bool booted, done, stalled;
    adv a[NADV];
    uint64_t kmem_base_page;            /* the booter's kmem capability's first page (absolute) */
    k_kernel *k;
    uint64_t stride;                    /* fingerprint every stride-th call */
    uint64_t refused_checked;           /* refused calls compared with the state before them */
    uint64_t refused_changed;           /* ... that changed something anyway */
    int changed_op[8];                  /* the first of them: op, error */
    int changed_err[8];
} fuzz;

static fuzz *F;   /* the running test's state (one simulation at a time) */

static uint64_t next(uint64_t *s)
{
    /* splitmix64 (Steele, Lea, Flood, OOPSLA 2014) */
    uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static uint64_t below(uint64_t *s, uint64_t n)
{
    return next(s) % n;
}

static cos_word arg(uint64_t *s)
{
    switch (below(s, 10)) {
    case 0: case 1: case 2: return below(s, 16);
    case 3: case 4: return below(s, 64);
    case 5: return 0;
    case 6: return next(s);
    case 7: return below(s, 1000000);
    case 8: return BT_USER_BASE + below(s, 16) * COS_PAGE_SIZE;
    default: return (cos_word)1 << below(s, 64);
    }
}

static cos_capid cap(uint64_t *s)
{
    switch (below(s, 10)) {
    case 0: return (cos_capid)below(s, 600);
    case 1: return (cos_capid)next(s);
    default: return (cos_capid)below(s, A_ASND0 + NADV + 4);
    }
}

static cos_word server(cos_thdid caller, cos_word a0, cos_word a1, cos_word a2, cos_word a3)
{
    (void)caller, (void)a1, (void)a2, (void)a3;
    return a0 + 1;
}

static void random_touch(adv *a)
{
    uint64_t off = below(&a->rng, 5 * COS_PAGE_SIZE);
    uint64_t vaddr = a->base - 2 * COS_PAGE_SIZE + off;
    uint64_t len = 1 + below(&a->rng, 64);
    bool write = below(&a->rng, 2);
    cos_err e = cos_touch(vaddr, len, write);
    bool inside = vaddr >= a->base && vaddr + len <= a->base + 2 * COS_PAGE_SIZE;
    F->touches++;
    if (e != COS_OK)
        F->touch_faults++;
    /* inside its pages a touch succeeds, unless it unmapped one itself;
     * outside it faults, unless it mapped memory of its own there */
    if ((e == COS_OK) != inside && !(inside && a->unmapped) && !(!inside && a->mapped))
        F->isolation++;
}

static cos_word adversary(cos_thdid caller, cos_word i, cos_word a1, cos_word a2, cos_word a3)
{
    (void)caller, (void)a1, (void)a2, (void)a3;
    adv *a = &F->a[i % NADV];   /* threads the adversaries make may run this with any argument */
    while (F->calls < F->budget) {
        for (unsigned n = 0; n < BURST && F->calls < F->budget; n++) {
            if (!F->mpu && below(&a->rng, 8) == 0) {
                random_touch(a);
                continue;
            }
            cos_op op = (cos_op)below(&a->rng, COS_OPS + 2);
            cos_capid c = cap(&a->rng);
            cos_word x[5];
            for (int j = 0; j < 5; j++)
                x[j] = arg(&a->rng);
            if (below(&a->rng, 2)) {
                /* half the calls: capabilities it holds and small numbers,
                 * which get past decoding into the deeper paths */
                c = (cos_capid)(1 + below(&a->rng, A_ASND0 + NADV + 8));
                for (int j = 0; j < 5; j++)
                    x[j] = below(&a->rng, j < 2 ? 48 : 16);
                if (below(&a->rng, 4) == 0) {
                    op = COS_OP_KMEM_RETYPE;     /* memory to make objects in */
                    c = A_KMEM;
                    x[0] = below(&a->rng, KMEM_PAGES);
                    x[1] = below(&a->rng, 3);
                    x[2] = below(&a->rng, 3);
                }
            }
            if (op == COS_OP_HW_FLUSH)
                op = COS_OP_SINV;   /* no hw capability is given; keep the ops that can do something */
            if (op == COS_OP_SCHED_RCV)
                x[0] |= COS_RCV_NONBLOCK;   /* blocked for events nobody sends, it would stop the fuzz */
            F->calls++;
            /* every `stride`th call between two fingerprints of the
             * kernel's state (tests/kernel_state.h) */
            bool look = F->calls % F->stride == 0;
            kst before, after;
            if (look)
                kst_take(F->k, 0, &before);
            cos_ret r = cos_call(op, c, x[0], x[1], x[2], x[3], x[4]);
            if (look)
                kst_take(F->k, 0, &after);
            if (look && r.err && after.paths == before.paths + 1) {
                /* a refused call, and no other kernel path since: nothing changed */
                F->refused_checked++;
                if (!kst_refused_unchanged(&before, &after)) {
                    if (F->refused_changed < 8) {
                        F->changed_op[F->refused_changed] = op;
                        F->changed_err[F->refused_changed] = r.err;
                    }
                    F->refused_changed++;
                }
            }
            F->errors[r.err < COS_ERRS ? r.err : COS_ERRS]++;
            if (r.err == COS_OK && op == COS_OP_PGTBL_UNMAP)
                a->unmapped = true;
            if (r.err == COS_OK && (op == COS_OP_PGTBL_MAP || op == COS_OP_MPU_REGION))
                a->mapped = true;
        }
        cos_rcv(A_RCV, 0);  /* may fail (the adversary may have removed it): then it just goes on */
    }
    return 0;
}

#define CHECK(x) do { cos_err e_ = (x); if (e_) { F->boot_error = (uint64_t)e_ << 16 | __LINE__; return 0; } } while (0)

static cos_word boot(cos_thdid caller, cos_word core, cos_word a1, cos_word a2, cos_word a3)
{
    (void)caller, (void)a1, (void)a2, (void)a3;
    if (core != 0 || F->booted)
        return 0;   /* other cores; or a thread an adversary made to run this entry */
    bt b;
    bt_comp c[NADV];
    CHECK(bt_init(&b));
    F->mpu = b.mpu;
    for (unsigned i = 0; i < NADV; i++)
        CHECK(bt_comp_new(&b, 0, 2, &c[i]));
    for (unsigned i = 0; i < NADV; i++) {
        adv *a = &F->a[i];
        a->base = c[i].base;
        cos_capid s;
        CHECK(bt_thd(&b, &c[i], 1, i, &a->thd));
        CHECK(bt_rcv(&b, a->thd, 0, COS_BOOT_RCV(0), &a->rcv));
        CHECK(bt_asnd(&b, a->rcv, &a->asnd));
        CHECK(bt_tcap(&b, &a->tcap));
        CHECK(bt_give(&b, &c[i], c[i].captbl, &s));
        CHECK(s == A_CAPTBL ? COS_OK : COS_EINVAL);
        CHECK(bt_give(&b, &c[i], c[i].pgtbl, &s));
        CHECK(bt_give(&b, &c[i], c[i].comp, &s));
        /* its own untyped memory, not used by anyone else */
        a->kmem_first = b.next;
        CHECK(cos_kmem_narrow(b.kmem, c[i].captbl, A_KMEM, b.next, KMEM_PAGES));
        c[i].next_slot++;
        b.next += KMEM_PAGES;
        CHECK(bt_give(&b, &c[i], a->rcv, &s));
        CHECK(bt_give(&b, &c[i], a->thd, &s));
        CHECK(bt_give(&b, &c[i], a->tcap, &s));
        CHECK(s == A_TCAP ? COS_OK : COS_EINVAL);
    }
    for (unsigned i = 0; i < NADV; i++) {
        cos_capid s;
        CHECK(bt_sinv(&b, &c[i], &c[(i + 1) % NADV], 2, &s));
        CHECK(s == A_SINV ? COS_OK : COS_EINVAL);
        for (unsigned j = 0; j < NADV; j++)
            CHECK(bt_give(&b, &c[i], F->a[j].asnd, &s));
    }
    F->booted = true;
    /* the root scheduler: run the adversaries in turn until the budget is
     * spent (or nothing has moved for 1,000 rounds: reported as a stall) */
    uint64_t last = F->calls, still = 0;
    while (F->calls < F->budget) {
        if (F->calls == last && ++still > 1000) {
            F->stalled = true;
            break;
        }
        if (F->calls != last)
            still = 0;
        last = F->calls;
        unsigned ran = 0;
        for (unsigned i = 0; i < NADV && F->calls < F->budget; i++) {
            cos_ret ev;
            uint64_t token = 0;
            do {
                ev = cos_sched_rcv(COS_BOOT_RCV(0), COS_RCV_NONBLOCK);
                token = ev.r[3];
            } while (ev.err == COS_OK && ev.r[0]);
            cos_err e = cos_switch(F->a[i].thd, 0, 0, 0, COS_BOOT_RCV(0), token);
            if (e == COS_OK)
                ran++;
            else if (e == COS_EBUSY)
                cos_asnd(F->a[i].asnd, false);      /* blocked: wake it (it may preempt at once) */
            else if (e == COS_EINVAL)
                F->a[i].exited = true;              /* it returned */
        }
        bool any = false;
        for (unsigned i = 0; i < NADV; i++)
            any = any || !F->a[i].exited;
        if (!any)
            break;
        (void)ran;
    }
    F->done = true;
    return 0;
}

static const cos_entry_fn entries[] = { boot, adversary, server };
static const cos_image image = { "fuzz", entries, 3 };
static const cos_image *const images[] = { &image };

/* Every capability in adversary i's table names something it was given
 * at boot (snapshot) or made in its own memory; memory capabilities lie in
 * its own range. */
typedef struct snap {
    uint64_t objs[64];
    unsigned n;
} snap;

static uint64_t table_root(k_kernel *k, const adv *a)
{
    /* the adversary's thread's home component's table */
    for (guint i = 0; i < k->threads->len; i++) {
        k_thread *x = g_ptr_array_index(k->threads, i);
        if (x->obj && x->fn == adversary && x->arg == (cos_word)(a - F->a))
            return K_OBJ(k, k_comp_o, K_OBJ(k, k_thd_o, x->obj)->home)->captbl;
    }
    return 0;
}

static void take_snapshot(k_kernel *k, const adv *a, snap *sn)
{
    uint64_t root = table_root(k, a);
    assert_true(root != 0);
    sn->n = 0;
    const uint64_t *l1 = k_ram(k, root);
    for (unsigned i = 0; i < K_CT_L1; i++) {
        if (!l1[i])
            continue;
        const k_slot *s = k_ram(k, l1[i]);
        for (unsigned j = 0; j < K_CT_L2; j++)
            if (s[j].type != COS_CAP_FREE && s[j].type != COS_CAP_KMEM && sn->n < G_N_ELEMENTS(sn->objs))
                sn->objs[sn->n++] = s[j].obj;
    }
}

static void check_reach(k_kernel *k, const adv *a, const snap *sn, uint64_t kmem_abs_first)
{
    uint64_t root = table_root(k, a);
    if (root == 0)
        return;     /* its thread is gone (it removed it): nothing left to look at through it */
    uint64_t lo = kmem_abs_first * COS_PAGE_SIZE, hi = lo + (uint64_t)KMEM_PAGES * COS_PAGE_SIZE;
    const uint64_t *l1 = k_ram(k, root);
    for (unsigned i = 0; i < K_CT_L1; i++) {
        if (!l1[i])
            continue;
        const k_slot *s = k_ram(k, l1[i]);
        for (unsigned j = 0; j < K_CT_L2; j++) {
            if (s[j].type == COS_CAP_FREE)
                continue;
            if (s[j].type == COS_CAP_KMEM) {
                uint64_t first = s[j].obj >> 32, pages = s[j].obj & 0xFFFFFFFFu;
                if (first < kmem_abs_first || first + pages > kmem_abs_first + KMEM_PAGES)
                    fail_msg("adversary %td holds memory [%" G_GUINT64_FORMAT ", +%" G_GUINT64_FORMAT
                             ") outside its own", a - F->a, first, pages);
                continue;
            }
            bool given = false;
            for (unsigned x = 0; x < sn->n && !given; x++)
                given = sn->objs[x] == s[j].obj;
            if (!given && !(s[j].obj >= lo && s[j].obj < hi))
                fail_msg("adversary %td slot %u: type %u object %#" G_GINT64_MODIFIER "x it was not given",
                         a - F->a, i * K_CT_L2 + j, s[j].type, s[j].obj);
        }
    }
}

static void run_fuzz(const char *preset, uint64_t budget, uint64_t stride)
{
    const char *env = g_getenv("COSSIM_FUZZ_CALLS");
    if (env)
        budget = g_ascii_strtoull(env, NULL, 10);
    fuzz st = { .budget = budget, .stride = stride };
    F = &st;
    for (unsigned i = 0; i < NADV; i++)
        st.a[i].rng = 0x5eed0000u + i;
    kfx *f = kfx_new_mem(preset, MEM_SIZE, images, 1, 0, 0, true);
    st.k = f->k;
    /* boot, then snapshot what each adversary was given */
    while (!st.booted && !st.boot_error)
        kfx_run(f, SIM_US);
    assert_int_equal(st.boot_error, 0);
    snap sn[NADV];
    for (unsigned i = 0; i < NADV; i++)
        take_snapshot(f->k, &st.a[i], &sn[i]);
    /* the booter's kmem capability: its first page */
    uint64_t boot_ct = K_OBJ(f->k, k_comp_o, K_OBJ(f->k, k_thd_o, ((k_thread *)g_ptr_array_index(f->k->threads, 0))->obj)->home)->captbl;
    k_slot ks;
    uint64_t cyc = 0;
    k_captbl ct = { boot_ct };
    assert_int_equal(k_ct_lookup(&f->k->mem, &ct, 0, COS_BOOT_KMEM, 0, &cyc, &ks, NULL), COS_OK);
    uint64_t kbase = ks.obj >> 32;
    for (uint64_t guard = 0; !st.done && guard < 100000; guard++)
        kfx_run(f, SIM_MS);
    assert_true(st.done);
    assert_false(st.stalled);
    const k_stats *s = k_get_stats(f->k);
    assert_int_equal(s->check_failures, 0);
    assert_int_equal(st.isolation, 0);
    for (unsigned i = 0; i < st.refused_changed && i < 8; i++)
        print_error("refused call changed the kernel's state: op %d, error %s\n", st.changed_op[i],
                    cos_err_name((cos_err)st.changed_err[i]));
    assert_int_equal(st.refused_changed, 0);
    assert_true(st.refused_checked > budget / stride / 4);
    for (unsigned i = 0; i < NADV; i++)
        check_reach(f->k, &st.a[i], &sn[i], kbase + st.a[i].kmem_first);
    assert_true(k_check(f->k));
    /* the fuzz reached real work, not only decode errors */
    assert_true(st.calls >= budget);
    assert_true(st.errors[COS_OK] > budget / 200);
    if (!st.mpu)
        assert_true(st.touches > 0 && st.touch_faults > 0 && st.touch_faults < st.touches);
    print_message("%s: %" G_GUINT64_FORMAT " calls, %" G_GUINT64_FORMAT " ok, %" G_GUINT64_FORMAT " touches (%"
                  G_GUINT64_FORMAT " faulted), kernel: %" G_GUINT64_FORMAT " syscalls %" G_GUINT64_FORMAT
                  " switches\n", preset, st.calls, st.errors[COS_OK], st.touches, st.touch_faults, s->syscalls,
                  s->switches);
    kfx_free(f);
    F = NULL;
}

static void test_fuzz_x86(void **state)
{
    (void)state;
    run_fuzz("x86_64", 25000, 1);
}

static void test_fuzz_m7(void **state)
{
    (void)state;
    run_fuzz("cortex-m7", 25000, 1);
}

static void test_fuzz_m33(void **state)
{
    (void)state;
    run_fuzz("cortex-m33", 25000, 1);      /* the v8-M MPU */
}

static void test_fuzz_slow(void **state)
{
    (void)state;
    /* the fingerprints on one call in eight: the slow suite is for breadth */
    run_fuzz("x86_64", 600000, 8);
    run_fuzz("cortex-a9", 400000, 8);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest fast[] = {
        cmocka_unit_test(test_fuzz_x86),
        cmocka_unit_test(test_fuzz_m33),
        cmocka_unit_test(test_fuzz_m7),
    };
    const struct CMUnitTest slow[] = {
        cmocka_unit_test(test_fuzz_slow),
    };
    if (argc > 1 && strcmp(argv[1], "--slow") == 0)
        return cmocka_run_group_tests(slow, NULL, NULL);
    return cmocka_run_group_tests(fast, NULL, NULL);
}
