/* tests/kernel_body.h: the harness of the kernel's system-call tests
 * (test_kernel.c: capabilities and memory; test_kernel_ipc.c: invocation,
 * endpoints, scheduling events; test_kernel_tcap.c: temporal capabilities,
 * preemption, expiry; test_kernel_decode.c: refused calls change nothing),
 * driven from user level as the ABI (kernel/abi.h) describes it.
 *
 * Each test boots the kernel (tests/kernel_fixture.h) on x86_64 (or the
 * preset it names) with 16 MiB of memory (so that the fingerprint of
 * kernel_state.h, which hashes every typed page, the retype table's own
 * included, stays fast) and runs a body on core
 * 0's init thread, the root scheduler: it builds what it needs with the
 * booter's library (components/lib/booter.h) and makes system calls.  User
 * code cannot use cmocka (it runs on a simulated thread's stack), so it
 * records each result with what was expected (EXPECT below); the test
 * prints every record that differs, with its file and line, and fails.
 * The image's other entries are the threads and servers the bodies make;
 * the test's state is their argument.
 *
 * Figures: x86_64 runs at 3.2 GHz, so the default quiescence period of
 * 10 us (kernel/boot.c) is 32,000 cycles; waiting QUIESCE_WAIT = 64,000
 * cycles (20 us) of user compute always clears it.
 */
#pragma once

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
    const char *file;
    int line;
    const char *what;
    uint64_t got, want;
    bool is_err;
} rec;

typedef struct ts ts;
struct ts {
    void (*body)(ts *s);            /* what core 0's init thread does */
    const char *preset;             /* the machine (NULL: PRESET) */
    void (*tune)(model_config *cfg);/* changes to the preset (NULL: none) */
    k_kernel *k;                    /* the kernel (for tests that look inside it) */
    void (*body1)(ts *s);           /* what core 1's does (NULL: it exits) */
    unsigned step;                  /* a hand-over between the two bodies */
    /* parameters (preemption tests) */
    uint32_t prio_r, prio_s, xfer_prio;
    bool zero_budget;
    /* the booter, and boot-table capabilities handed to threads and servers */
    bt b;
    cos_capid rcv, asnd, sinv, comp, spare;
    cos_capid drop[4];              /* what e_dropper removes, in order */
    uint64_t page;
    /* what user code saw */
    cos_thdid boot_id, thd_id, seen_caller, seen_self;
    void *seen_data, *seen_load;    /* what e_data found: its component's data, and a load it tried */
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

static inline void expect_at(ts *s, const char *file, int line, const char *what, uint64_t got, uint64_t want,
                             bool is_err)
{
    if (s->nrecs < MAX_RECS)
        s->recs[s->nrecs++] = (rec){ file, line, what, got, want, is_err };
    else
        s->recs[MAX_RECS - 1] = (rec){ file, line, "too many records (raise MAX_RECS)", 1, 0, false };
}
#define EXPECT_ERR(s, got, want) expect_at((s), __FILE__, __LINE__, #got, (uint64_t)(got), (uint64_t)(want), true)
#define EXPECT_EQ(s, got, want) expect_at((s), __FILE__, __LINE__, #got, (uint64_t)(got), (uint64_t)(want), false)
#define EXPECT_TRUE(s, cond) expect_at((s), __FILE__, __LINE__, #cond, (cond) ? 1 : 0, 1, false)

static inline void note(ts *s, char c)
{
    if (s->nlog + 1 < sizeof s->log)
        s->log[s->nlog++] = c;
}

/* ---- user-level helpers (run on the body's thread) ---------------------------- */

static inline uint64_t kpage(ts *s)
{
    uint64_t p = 0;
    EXPECT_ERR(s, bt_page(&s->b, true, &p), COS_OK);
    return p;
}

static inline cos_capid slot(ts *s) { return s->b.slot++; }

/* A thread in the boot component (so it uses the boot table) running entry(s). */
static inline cos_capid thread(ts *s, unsigned entry)
{
    uint64_t p = kpage(s);
    cos_capid c = slot(s);
    EXPECT_ERR(s, cos_thd_alloc(COS_BOOT_KMEM, p, c, COS_BOOT_COMP, entry, (cos_word)s), COS_OK);
    return c;
}

/* thd's rcv under the root scheduler, activating thd under tcap (0: none). */
static inline cos_capid rcv(ts *s, cos_capid thd, cos_capid tcap)
{
    cos_capid r = 0;
    EXPECT_ERR(s, bt_rcv(&s->b, thd, tcap, ROOT, &r), COS_OK);
    return r;
}

static inline cos_capid asnd(ts *s, cos_capid r)
{
    cos_capid a = 0;
    EXPECT_ERR(s, bt_asnd(&s->b, r, &a), COS_OK);
    return a;
}

/* A tcap owned by ROOT: {ROOT, COS_PRIO_MIN}, no budget. */
static inline cos_capid tcap(ts *s)
{
    cos_capid t = 0;
    EXPECT_ERR(s, bt_tcap(&s->b, &t), COS_OK);
    return t;
}

/* An invocation of comp's entry, in the boot table. */
static inline cos_capid sinv(ts *s, cos_capid comp, unsigned entry)
{
    uint64_t p = kpage(s);
    cos_capid c = slot(s);
    EXPECT_ERR(s, cos_sinv_alloc(COS_BOOT_KMEM, p, c, comp, entry), COS_OK);
    return c;
}

static inline bt_comp component(ts *s)
{
    bt_comp c;
    EXPECT_ERR(s, bt_comp_new(&s->b, 0, 1, &c), COS_OK);
    return c;
}

/* Wait (simulated compute) until the other core's body reaches `step`. */
static inline void wait_step(ts *s, unsigned step)
{
    while (s->step < step)
        cos_compute(1000);
}

/* ---- the image: the boot entry, threads and servers ---------------------------- */

enum { E_BOOT, E_EXIT, E_RCVR, E_BLOCK, E_SELF_REMOVE, E_NO_RCV, E_SENDER, E_RECEIVER, E_COMPUTE, E_ADD,
       E_RECURSE, E_REMOVER, E_SWITCHER, E_DROPPER, E_DATA, E_WORDS, E_COUNT };

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

/* Dispatches s->spare (which runs under this thread's tcap if it has none). */
static cos_word e_switcher(cos_thdid caller, cos_word arg, cos_word a1, cos_word a2, cos_word a3)
{
    ts *s = (ts *)arg;
    EXPECT_ERR(s, cos_switch(s->spare, 0, 0, 0, 0, 0), COS_OK);
    return 0;
}

/* Removes the capabilities s->drop names, in order. */
static cos_word e_dropper(cos_thdid caller, cos_word arg, cos_word a1, cos_word a2, cos_word a3)
{
    ts *s = (ts *)arg;
    for (unsigned i = 0; i < G_N_ELEMENTS(s->drop) && s->drop[i]; i++)
        EXPECT_ERR(s, cos_cap_remove(COS_BOOT_CAPTBL, s->drop[i]), COS_OK);
    return 0;
}

/* A server that looks at its own component's data, and tries to load the
 * data of whatever is in its table's slot 1. */
static cos_word e_data(cos_thdid caller, cos_word arg, cos_word a1, cos_word a2, cos_word a3)
{
    ts *s = (ts *)arg;
    s->seen_data = cos_comp_data();
    s->seen_load = cos_comp_load(1, 64);
    return 0;
}

/* Touches words of its own page (s->page: its base) and one past it. */
static cos_word e_words(cos_thdid caller, cos_word arg, cos_word a1, cos_word a2, cos_word a3)
{
    ts *s = (ts *)arg;
    uint64_t b = s->page;
    const uint64_t ok[3] = { b, b + 64, b + 4088 }, bad[3] = { b + 8, b + 4096, b + 16 };
    EXPECT_ERR(s, cos_touch_words(ok, 3, false), COS_OK);
    EXPECT_ERR(s, cos_touch_words(ok, 3, true), COS_OK);
    EXPECT_ERR(s, cos_touch_words(ok, 0, false), COS_OK);
    EXPECT_ERR(s, cos_touch_words(NULL, 2, false), COS_EINVAL);
    EXPECT_ERR(s, cos_touch_words(ok, COS_TOUCH_WORDS_MAX + 1, false), COS_EINVAL);
    EXPECT_ERR(s, cos_touch_words(bad, 3, false), COS_EFAULT);     /* stops at the second */
    return 0;
}

static const cos_entry_fn entries[E_COUNT] = {
    [E_BOOT] = e_boot, [E_EXIT] = e_exit, [E_RCVR] = e_rcvr, [E_BLOCK] = e_block,
    [E_SELF_REMOVE] = e_self_remove, [E_NO_RCV] = e_no_rcv, [E_SENDER] = e_sender, [E_RECEIVER] = e_receiver,
    [E_COMPUTE] = e_compute, [E_ADD] = e_add, [E_RECURSE] = e_recurse, [E_REMOVER] = e_remover,
    [E_SWITCHER] = e_switcher, [E_DROPPER] = e_dropper, [E_DATA] = e_data, [E_WORDS] = e_words,
};
static const cos_image image = { "test-kernel", entries, E_COUNT };
static const cos_image *const images[] = { &image };

/* ---- the test side ------------------------------------------------------------ */

static inline const char *err_name(uint64_t e)
{
    static const char *const names[COS_ERRS] = {
        "OK", "ERANGE", "EALIGN", "ETYPE", "EBUSY", "EQUIESCE", "EEXIST", "ENOENT",
        "EINVAL", "EPERM", "EDEPTH", "ENOMEM", "ESTALE", "EFAULT", "ECORE",
    };
    return e < COS_ERRS ? names[e] : "?";
}

/* Boot and run the body. */
static inline kfx *run(ts *s)
{
    kfx *f = kfx_new_tuned(s->preset ? s->preset : PRESET, MEM_SIZE, s->tune, images, 1, 0, (cos_word)s, true);
    s->k = f->k;
    kfx_run(f, 0);
    s->boot_failures = k_get_stats(f->k)->check_failures;
    assert_int_equal(s->boot_failures, 0);
    kfx_run(f, RUN_SPAN);
    return f;
}

/* Calls the user code expected to be refused. */
static inline uint64_t refusals(const ts *s)
{
    uint64_t n = 0;
    for (unsigned i = 0; i < s->nrecs; i++)
        n += s->recs[i].is_err && s->recs[i].want != COS_OK;
    return n;
}

/* Every record as expected, the body finished, every invariant held. */
static inline void finish(kfx *f, ts *s)
{
    unsigned bad = 0;
    for (unsigned i = 0; i < s->nrecs; i++) {
        const rec *r = &s->recs[i];
        if (r->got == r->want)
            continue;
        bad++;
        if (r->is_err)
            print_error("%s:%d: %s: %s, expected %s\n", r->file, r->line, r->what, err_name(r->got),
                        err_name(r->want));
        else
            print_error("%s:%d: %s: %" PRIu64 ", expected %" PRIu64 "\n", r->file, r->line, r->what, r->got,
                        r->want);
    }
    assert_int_equal(bad, 0);
    assert_true(s->nrecs > 0);
    assert_true(s->done);
    assert_int_equal(k_get_stats(f->k)->check_failures - s->boot_failures, 0);
    kfx_free(f);
}
