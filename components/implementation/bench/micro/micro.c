/* components/implementation/bench/micro/micro.c: the kernel microbenchmarks
 * `cossim calibrate` runs (scenarios/calibrate.lua), booted as
 * kernel.boot{ booter = "micro-bench", arg = ... }.
 *
 * The booter builds two components of this image, M (the measuring
 * thread A, its switch partner B) and N (an invocation entry and a switch
 * partner C in another protection domain), and, when asked, a receiver R
 * in M on another core.  A measures with the core's cycle counter, each
 * over `iterations` rounds after `warmup` unmeasured ones:
 *
 *   null        a system call that returns at once (an operation number the
 *               kernel does not have: entry, the thread's header, exit);
 *   switch      A -> B -> A with the kernel's thread switch, both threads
 *               in M (no page-table change): a round trip;
 *   switch_x    A -> C -> A, C in N (a page-table or MPU switch each way);
 *   sinv_in     an invocation of N's entry, from before the call to the
 *               entry's first read of the counter;
 *   sinv_out    from that read to the caller's, after the return;
 *   sinv_rt     the whole round trip (the two halves);
 *   sinv_same   the round trip of an invocation of P's entry, P a component
 *               with its own capability table in M's protection domain (no
 *               page-table or MPU switch: a "raw upcall" in West and
 *               Parmer's terms, where sinv_rt is the upcall with the
 *               address-space switch, and on a machine without PCID/ASID
 *               the TLB's flush and refill);
 *   sinv_q4, sinv_q8  (MPU machines) the round trip of an invocation of a
 *               component whose layout has 4 (8) regions of a page each:
 *               less sinv_same, the MPU's reprogramming both ways (M has
 *               one region, so each way k regions change);
 *   xcore       A sends to R's endpoint (R blocked on another core, whose
 *               init thread is blocked too: the core is idle), from before
 *               the send to R's first read of the counter after its
 *               receive returns: one way.  R answers with a send to A's
 *               endpoint and A waits for it before the next round;
 *   map, unmap  (MMU machines) A maps a user page into N's page table,
 *               beside N's memory, and unmaps it: each call on its own (N
 *               runs on core 0 only, so an unmap has no other core's TLB
 *               to shoot down).
 *
 *   irq_thd     (only in irq mode, below: then the only measure) from an
 *               interrupt to the first instruction of the thread H its
 *               line is bound to, H above A (a tcap of its own at priority
 *               1): A spins on the counter, writing each reading to M's
 *               memory and running 4 instructions between readings, until
 *               H has taken the interrupt; H's reading less A's last is
 *               the sample (so it includes up to the 4 instructions A ran
 *               after its last reading: at most 4 x the core's cpi cycles).
 *               The interrupts come from a device on the line that the
 *               scenario attaches (m:device{ periodic = ... }), which must
 *               be slower than a round (scenarios/lib/paperlib.lua: 20 us).
 *
 * Each is reported as NAME.median/.min/.max/.mean/.n (cos_bench_report).
 * The counters of one machine's cores run at one frequency from one start,
 * so a difference of two cores' readings is a time.
 *
 * The boot argument (micro_arg in scenarios/calibrate.lua): bits 0-19
 * iterations (1..MICRO_MAX_ITERATIONS), 20-35 warm-up rounds, 36-47 the
 * receiver's core for xcore (0: no xcore), 48-59 irq mode's interrupt
 * line (0: not irq mode; in irq mode irq_thd is the only measure, so a run
 * with interrupts arriving measures nothing else).
 */
#include <stdio.h>
#include "components/lib/booter.h"
#include "components/lib/stats.h"
#include "components/images.h"

#define MICRO_MAX_ITERATIONS ((1u << 20) - 1u)  /* 24 MiB of samples at most: under COS_COMP_DATA_MAX */
#define MICRO_OP_NULL 0u        /* no such operation: the kernel returns COS_EINVAL at once */

/* The boot table's slots every core's init thread knows: M, and the
 * kernel memory core 0 sets aside for the receiver's core. */
enum { SLOT_M = 500, SLOT_KMEM1 = 501, SLOT_FIRST1 = 384 };
#define KMEM1_PAGES 16u

enum { E_BOOT = 0, E_A, E_B, E_C, E_STAMP, E_R, E_H };

/* M's block: what its threads and the two init threads share. */
typedef struct micro_state {
    uint64_t iterations, warmup;
    unsigned xcore;                     /* the receiver's core (0: none) */
    cos_capid a_b, a_c, a_sinv, a_same; /* in M's table: A's capabilities */
    cos_capid a_q[2];                   /* MPU machines: invocations of Q4 and Q8 (0: none) */
    cos_capid a_rcv, a_to_r;            /* A's endpoint; the send to R's */
    cos_capid b_a;                      /* B's capability to A (in M) */
    cos_capid r_rcv, r_to_a;            /* R's endpoint; the send to A's (in M) */
    cos_capid go1, go0;                 /* in the boot table: the start of core `xcore`, the answer */
    cos_capid a_go0;                    /* go0, in M's table: A's end */
    cos_capid a_pgtbl, a_kmem;          /* N's page table and the untyped memory (MMU machines; 0: none) */
    uint64_t map_page, map_vaddr;       /* the page A maps, where */
    uint64_t unmap_cycles;              /* the unmap of the last round */
    bt b1;                              /* the receiver core's allocator */
    bt_comp m;
    uint64_t t0;                        /* A's reading before a send */
    uint64_t stamp_in, stamp_out;       /* the halves of the last invocation */
    uint64_t nx;                        /* R's samples so far */
    bool xready, done, failed;
    unsigned irq_line;                  /* irq mode: the line (0: not irq mode) */
    cos_capid h_rcv;                    /* H's endpoint, in M */
    volatile uint64_t spin_last;        /* A's last reading while it spins */
    volatile bool armed;                /* A waits for H's next interrupt */
    uint64_t nirq;                      /* H's samples so far */
} micro_state;

/* The samples follow the state in M's block (memory of the component's,
 * freed with the system however the run ends): A's two arrays and R's. */
static uint64_t *samples(micro_state *st, unsigned which)
{
    return (uint64_t *)(st + 1) + (size_t)which * st->iterations;
}

static size_t block_bytes(uint64_t iterations)
{
    return sizeof(micro_state) + 3 * sizeof(uint64_t) * (size_t)iterations;
}

/* N's block: C's capability to A. */
typedef struct micro_n {
    cos_capid c_a;
} micro_n;

static void fail(micro_state *st, const char *what, cos_err e)
{
    cos_report(what, e);
    if (st)
        st->failed = true;
}

static cos_word stamp(cos_thdid caller, cos_word a0, cos_word a1, cos_word a2, cos_word a3)
{
    (void)caller, (void)a0, (void)a1, (void)a2, (void)a3;
    return cos_cycles();
}

/* B and C: back to A, for ever. */
static cos_word partner_b(cos_thdid caller, cos_word a0, cos_word a1, cos_word a2, cos_word a3)
{
    (void)caller, (void)a0, (void)a1, (void)a2, (void)a3;
    micro_state *st = cos_comp_data();
    for (;;) {
        cos_err e = cos_switch(st->b_a, 0, 0, 0, 0, 0);
        if (e) {
            fail(st, "switch.error", e);
            return 0;
        }
    }
}

static cos_word partner_c(cos_thdid caller, cos_word a0, cos_word a1, cos_word a2, cos_word a3)
{
    (void)caller, (void)a0, (void)a1, (void)a2, (void)a3;
    micro_n *n = cos_comp_data();
    for (;;) {
        cos_err e = cos_switch(n->c_a, 0, 0, 0, 0, 0);
        if (e) {
            fail(NULL, "switch_x.error", e);
            return 0;
        }
    }
}

/* R, on core st->xcore: the time each send took to reach it, then the answer. */
static cos_word receiver(cos_thdid caller, cos_word a0, cos_word a1, cos_word a2, cos_word a3)
{
    (void)caller, (void)a0, (void)a1, (void)a2, (void)a3;
    micro_state *st = cos_comp_data();
    for (uint64_t i = 0;; i++) {
        cos_ret r = cos_rcv(st->r_rcv, 0);
        uint64_t t1 = cos_cycles();
        if (r.err) {
            fail(st, "xcore.error", r.err);
            return 0;
        }
        if (i >= st->warmup && st->nx < st->iterations)
            samples(st, 2)[st->nx++] = t1 - st->t0;
        cos_err e = cos_asnd(st->r_to_a, false);
        if (e) {
            fail(st, "xcore.error", e);
            return 0;
        }
    }
}

/* H: each interrupt on its line, while A is armed, is a sample. */
static cos_word irq_handler(cos_thdid caller, cos_word a0, cos_word a1, cos_word a2, cos_word a3)
{
    (void)caller, (void)a0, (void)a1, (void)a2, (void)a3;
    micro_state *st = cos_comp_data();
    for (;;) {
        cos_ret r = cos_rcv(st->h_rcv, 0);
        uint64_t t1 = cos_cycles();
        if (r.err) {
            fail(st, "irq_thd.error", r.err);
            return 0;
        }
        if (st->armed) {
            if (st->nirq < st->warmup + st->iterations)
                samples(st, 0)[st->nirq] = t1 - st->spin_last;
            st->nirq++;
            st->armed = false;
        }
    }
}

/* A in irq mode: spin until H has taken an interrupt, warmup + iterations
 * times; then the samples after the warm-up. */
#define MICRO_SPIN_INSTR 4u
static void measure_irq(micro_state *st)
{
    for (uint64_t i = 0; i < st->warmup + st->iterations && !st->failed; i++) {
        st->armed = true;
        while (st->armed && !st->failed) {
            st->spin_last = cos_cycles();
            cos_instructions(MICRO_SPIN_INSTR);
        }
    }
    if (!st->failed)
        cos_bench_report("irq_thd", samples(st, 0) + st->warmup, st->iterations);
}

/* One measured loop: f's cycles for each round, or what went wrong. */
typedef cos_err (*round_fn)(micro_state *st, uint64_t *sample);

static cos_err round_null(micro_state *st, uint64_t *sample)
{
    (void)st;
    uint64_t t0 = cos_cycles();
    cos_ret r = cos_call(MICRO_OP_NULL, 0, 0, 0, 0, 0, 0);
    *sample = cos_cycles() - t0;
    return r.err == COS_EINVAL ? COS_OK : (r.err ? r.err : COS_EINVAL);
}

static cos_err round_switch(micro_state *st, uint64_t *sample)
{
    uint64_t t0 = cos_cycles();
    cos_err e = cos_switch(st->a_b, 0, 0, 0, 0, 0);
    *sample = cos_cycles() - t0;
    return e;
}

static cos_err round_switch_x(micro_state *st, uint64_t *sample)
{
    uint64_t t0 = cos_cycles();
    cos_err e = cos_switch(st->a_c, 0, 0, 0, 0, 0);
    *sample = cos_cycles() - t0;
    return e;
}

static cos_err round_sinv(micro_state *st, uint64_t *sample)
{
    uint64_t t0 = cos_cycles();
    cos_ret r = cos_sinv(st->a_sinv, 0, 0, 0, 0);
    uint64_t t1 = cos_cycles();
    st->stamp_in = r.r[0] - t0;
    st->stamp_out = t1 - r.r[0];
    *sample = t1 - t0;
    return r.err;
}

static cos_err round_same(micro_state *st, uint64_t *sample)
{
    uint64_t t0 = cos_cycles();
    cos_ret r = cos_sinv(st->a_same, 0, 0, 0, 0);
    *sample = cos_cycles() - t0;
    return r.err;
}

static cos_err round_q(micro_state *st, unsigned which, uint64_t *sample)
{
    uint64_t t0 = cos_cycles();
    cos_ret r = cos_sinv(st->a_q[which], 0, 0, 0, 0);
    *sample = cos_cycles() - t0;
    return r.err;
}

static cos_err round_q4(micro_state *st, uint64_t *sample)
{
    return round_q(st, 0, sample);
}

static cos_err round_q8(micro_state *st, uint64_t *sample)
{
    return round_q(st, 1, sample);
}

static cos_err round_xcore(micro_state *st, uint64_t *sample)
{
    st->t0 = cos_cycles();
    cos_err e = cos_asnd(st->a_to_r, false);
    if (e == COS_OK)
        e = cos_rcv(st->a_rcv, 0).err;
    *sample = 0;        /* R keeps the samples */
    return e;
}

static cos_err round_map(micro_state *st, uint64_t *sample)
{
    uint64_t t0 = cos_cycles();
    cos_err e = cos_pgtbl_map(st->a_pgtbl, st->map_vaddr, st->a_kmem, st->map_page, COS_MAP_WRITE);
    uint64_t t1 = cos_cycles();
    if (e)
        return e;
    cos_ret r = cos_pgtbl_unmap(st->a_pgtbl, st->map_vaddr);
    st->unmap_cycles = cos_cycles() - t1;
    *sample = t1 - t0;
    return r.err;
}

static bool measure(micro_state *st, const char *name, round_fn f, uint64_t *v, uint64_t *v2)
{
    uint64_t n = 0;
    char key[48];
    for (uint64_t i = 0; i < st->warmup + st->iterations; i++) {
        uint64_t s;
        cos_err e = f(st, &s);
        if (e) {
            snprintf(key, sizeof key, "%s.error", name);
            fail(st, key, e);
            return false;
        }
        if (i >= st->warmup) {
            if (f == round_sinv || f == round_map) {
                v[n] = f == round_sinv ? st->stamp_in : s;
                v2[n] = f == round_sinv ? st->stamp_out : st->unmap_cycles;
            } else {
                v[n] = s;
            }
            n++;
        }
    }
    if (f == round_sinv) {
        for (uint64_t i = 0; i < n; i++)
            samples(st, 2)[i] = v[i] + v2[i];
        cos_bench_report("sinv_in", v, n);
        cos_bench_report("sinv_out", v2, n);
        cos_bench_report("sinv_rt", samples(st, 2), n);
    } else if (f == round_map) {
        cos_bench_report("map", v, n);
        cos_bench_report("unmap", v2, n);
    } else if (f != round_xcore) {
        cos_bench_report(name, v, n);
    }
    return true;
}

/* A: every measurement in turn, then the end. */
static cos_word measurer(cos_thdid caller, cos_word a0, cos_word a1, cos_word a2, cos_word a3)
{
    (void)caller, (void)a0, (void)a1, (void)a2, (void)a3;
    micro_state *st = cos_comp_data();
    uint64_t *v = samples(st, 0), *v2 = samples(st, 1);
    if (st->irq_line)
        measure_irq(st);
    else if (measure(st, "null", round_null, v, v2) && measure(st, "switch", round_switch, v, v2)
               && measure(st, "switch_x", round_switch_x, v, v2) && measure(st, "sinv", round_sinv, v, v2)
               && measure(st, "sinv_same", round_same, v, v2)
               && (st->a_q[0] == 0 || (measure(st, "sinv_q4", round_q4, v, v2)
                                       && measure(st, "sinv_q8", round_q8, v, v2)))
               && (st->a_pgtbl == 0 || measure(st, "map", round_map, v, v2)) && st->xcore && measure(st, "xcore", round_xcore, v, v2)) {
        cos_bench_report("xcore", samples(st, 2), st->nx);
    }
    st->done = true;
    cos_err e = cos_asnd(st->a_go0, false);     /* core 0's init thread waits for the end */
    if (e)
        fail(st, "micro.error", e);
    return 0;
}

#define CHECK(x) do { cos_err e_ = (x); if (e_) { cos_report("boot.error", e_); cos_report("boot.line", __LINE__); return 0; } } while (0)

/* Core st->xcore: R, its endpoint under this core's root, the sends
 * between it and A; R runs until it waits; then core 0 hears. */
static cos_word boot_receiver(micro_state *st)
{
    bt *b = &st->b1;
    cos_capid tr, rr, ar, s;
    CHECK(bt_thd(b, &st->m, E_R, 0, &tr));
    CHECK(bt_rcv(b, tr, 0, COS_BOOT_RCV(st->xcore), &rr));
    CHECK(bt_asnd(b, rr, &ar));
    CHECK(bt_give(b, &st->m, rr, &s));
    st->r_rcv = s;
    CHECK(bt_give(b, &st->m, ar, &s));
    st->a_to_r = s;
    CHECK(cos_switch(tr, 0, 0, 0, 0, 0));       /* R runs until it waits */
    st->xready = true;
    CHECK(cos_asnd(st->go0, false));
    for (;;)                                    /* idle: a plain receive, so R is woken straight */
        CHECK(cos_rcv(COS_BOOT_RCV(st->xcore), 0).err);
}

static cos_word boot(cos_thdid caller, cos_word core, cos_word arg, cos_word a2, cos_word a3)
{
    (void)caller, (void)a2, (void)a3;
    uint64_t iterations = arg & MICRO_MAX_ITERATIONS, warmup = (arg >> 20) & 0xFFFFu;
    unsigned xcore = (unsigned)((arg >> 36) & 0xFFFu), irq_line = (unsigned)((arg >> 48) & 0xFFFu);
    if (core != 0) {
        if (core != xcore)
            return 0;
        CHECK(cos_rcv(COS_BOOT_RCV(core), 0).err);     /* core 0's go */
        micro_state *st = cos_comp_load(SLOT_M, block_bytes(iterations));
        if (st == NULL)
            CHECK(COS_EINVAL);
        return boot_receiver(st);
    }
    if (iterations == 0)
        CHECK(COS_EINVAL);
    bt b;
    bt_comp m, n;
    cos_capid ta, tb, tc, sl, s;
    CHECK(bt_init(&b));
    CHECK(bt_comp_new(&b, COS_IMAGE_MICROBENCH, 1, &m));
    CHECK(bt_comp_new(&b, COS_IMAGE_MICROBENCH, 1, &n));
    micro_state *st = cos_comp_load(m.comp, block_bytes(iterations));
    micro_n *nd = cos_comp_load(n.comp, sizeof *nd);
    if (st == NULL || nd == NULL)
        CHECK(COS_ENOMEM);
    if (irq_line && xcore)
        CHECK(COS_EINVAL);      /* irq mode measures nothing else */
    *st = (micro_state){ .iterations = iterations, .warmup = warmup, .xcore = xcore, .irq_line = irq_line };
    CHECK(bt_thd(&b, &m, E_A, 0, &ta));
    CHECK(bt_thd(&b, &m, E_B, 0, &tb));
    CHECK(bt_thd(&b, &n, E_C, 0, &tc));
    CHECK(bt_give(&b, &m, tb, &st->a_b));
    CHECK(bt_give(&b, &m, tc, &st->a_c));
    CHECK(bt_give(&b, &m, ta, &st->b_a));
    CHECK(bt_give(&b, &n, ta, &nd->c_a));
    CHECK(bt_sinv(&b, &m, &n, E_STAMP, &sl));
    st->a_sinv = sl;
    bt_comp pc;
    CHECK(bt_comp_share(&b, COS_IMAGE_MICROBENCH, &m, &pc));
    CHECK(bt_sinv(&b, &m, &pc, E_STAMP, &sl));
    st->a_same = sl;
    if (b.mpu) {        /* Q4 and Q8: 4 and 8 regions of a page (the first 4 bt_comp_new's, the rest added) */
        for (unsigned k = 0; k < 2; k++) {
            bt_comp q;
            CHECK(bt_comp_new(&b, COS_IMAGE_MICROBENCH, 4, &q));
            for (unsigned r = 4; r < 4 + 4 * k; r++) {
                uint64_t page;
                CHECK(bt_page(&b, false, &page));
                CHECK(cos_mpu_region(q.pgtbl, r, b.kmem, page, 12, COS_MAP_WRITE));
            }
            CHECK(bt_sinv(&b, &m, &q, E_STAMP, &sl));
            st->a_q[k] = sl;
        }
    }
    CHECK(bt_asnd(&b, COS_BOOT_RCV(0), &st->go0));
    if (!b.mpu) {       /* a page to map, and where: the page after N's memory, in the tables of its pool */
        CHECK(bt_page(&b, false, &st->map_page));
        CHECK(bt_give(&b, &m, n.pgtbl, &s));
        st->a_pgtbl = s;
        CHECK(bt_give(&b, &m, b.kmem, &s));
        st->a_kmem = s;
        st->map_vaddr = n.base + COS_PAGE_SIZE * n.user_pages;
    }
    CHECK(bt_give(&b, &m, st->go0, &s));
    st->a_go0 = s;
    if (xcore) {
        cos_capid ra, aa;
        CHECK(bt_rcv(&b, ta, 0, COS_BOOT_RCV(0), &ra));
        CHECK(bt_asnd(&b, ra, &aa));
        CHECK(bt_give(&b, &m, ra, &s));
        st->a_rcv = s;
        CHECK(bt_give(&b, &m, aa, &s));
        st->r_to_a = s;
        CHECK(bt_asnd(&b, COS_BOOT_RCV(xcore), &st->go1));
        /* the receiver's core: M, by a slot it knows, and memory of its own */
        CHECK(cos_cap_copy(COS_BOOT_CAPTBL, SLOT_M, m.comp));
        CHECK(cos_kmem_narrow(b.kmem, COS_BOOT_CAPTBL, SLOT_KMEM1, b.next, KMEM1_PAGES));
        st->b1 = (bt){ .kmem = SLOT_KMEM1, .slot = SLOT_FIRST1, .mpu = b.mpu, .npages = KMEM1_PAGES };
        b.next += KMEM1_PAGES;
        st->m = m;
        CHECK(cos_asnd(st->go1, false));
        while (!st->xready && !st->failed)
            CHECK(cos_rcv(COS_BOOT_RCV(0), 0).err);
    }
    if (irq_line) {     /* H: a tcap of its own above A's, its line bound; it runs until it waits */
        cos_capid th, tcap, rh;
        CHECK(bt_thd(&b, &m, E_H, 0, &th));
        CHECK(bt_tcap(&b, &tcap));
        CHECK(bt_rcv(&b, th, tcap, COS_BOOT_RCV(0), &rh));
        CHECK(cos_tcap_transfer(COS_BOOT_TCAP(0), rh, 0, 1));
        CHECK(bt_give(&b, &m, rh, &s));
        st->h_rcv = s;
        CHECK(cos_switch(th, 0, 0, 0, 0, 0));
        CHECK(cos_hw_attach(COS_BOOT_HW, irq_line, rh));
    }
    CHECK(cos_switch(ta, 0, 0, 0, 0, 0));
    while (!st->done && !st->failed) {           /* A blocks now and then (xcore): wait for its end */
        /* irq mode: this thread, the core's scheduler, runs when H has
         * taken an interrupt and waits again: A, preempted, runs on */
        if (irq_line)
            CHECK(cos_switch(ta, 0, 0, 0, 0, 0));
        else
            CHECK(cos_rcv(COS_BOOT_RCV(0), 0).err);
    }
    cos_report("boot.done", 1);
    return 0;
}

static const cos_entry_fn entries[] = {
    [E_BOOT] = boot, [E_A] = measurer, [E_B] = partner_b, [E_C] = partner_c, [E_STAMP] = stamp, [E_R] = receiver,
    [E_H] = irq_handler,
};

const cos_image cos_image_microbench = { "micro-bench", entries, 7 };
