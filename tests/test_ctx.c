/* tests/test_ctx.c: execution contexts (sim/ctx.c).
 *
 * Each test checks something a simulation would visibly get wrong if the
 * switch were broken: the order in which threads run, what a thread finds in
 * its variables after being descheduled, how deep it may recurse, what
 * happens when it recurses too deep, and what 10,000 parked threads cost.
 * The file must pass with every backend (asm, -DSIMCTX_FORCE_UCONTEXT),
 * under ASan+UBSan and under valgrind.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>

#include "sim/ctx.h"

#if defined(__has_include)
#  if __has_include(<valgrind/valgrind.h>)
#    include <valgrind/valgrind.h>
#  endif
#endif
#ifndef RUNNING_ON_VALGRIND
#  define RUNNING_ON_VALGRIND 0
#endif

/* ---- helpers ---- */

static simctx *new_ctx(size_t stack, simctx_fn fn, void *arg)
{
    GError *err = NULL;
    simctx *c = simctx_new(stack, fn, arg, &err);
    if (c == NULL)
        fail_msg("simctx_new: %s", err->message);
    return c;
}

/* An event in an execution log: who (a letter) and which round. */
#define EV(who, round) (((int)(who) << 16) | (int)(round))

static void assert_log_equal(const int *got, size_t ngot,
                             const int *want, size_t nwant)
{
    size_t n = ngot < nwant ? ngot : nwant;
    for (size_t i = 0; i < n; i++) {
        if (got[i] != want[i])
            fail_msg("log differs at entry %zu: got %c%d, want %c%d", i,
                     got[i] >> 16, got[i] & 0xffff,
                     want[i] >> 16, want[i] & 0xffff);
    }
    if (ngot != nwant)
        fail_msg("log has %zu entries, want %zu", ngot, nwant);
}

static uint64_t double_bits(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

/* ---- ping-pong: the order of execution is exactly the order of switches */

enum { PP_ROUNDS = 100, PP_LOG_MAX = 3 * PP_ROUNDS + 3 };

typedef struct {
    simctx *host, *a, *b;
    int log[PP_LOG_MAX];
    size_t n;
} pp_state;

static void pp_log(pp_state *s, int ev)
{
    assert_true(s->n < PP_LOG_MAX);
    s->log[s->n++] = ev;
}

static void pp_a(void *arg)
{
    pp_state *s = arg;
    for (int i = 0; i < PP_ROUNDS; i++) {
        pp_log(s, EV('a', i));
        simctx_switch(s->a, s->b);
    }
    pp_log(s, EV('A', 0));      /* A's fn returns: back to the host */
}

static void pp_b(void *arg)
{
    pp_state *s = arg;
    for (int i = 0; i < PP_ROUNDS; i++) {
        pp_log(s, EV('b', i));
        simctx_switch(s->b, s->host);
    }
    pp_log(s, EV('B', 0));
}

static void test_ping_pong(void **state)
{
    (void)state;
    pp_state *s = g_new0(pp_state, 1);
    s->host = simctx_new_host();
    s->a = new_ctx(0, pp_a, s);
    s->b = new_ctx(0, pp_b, s);

    for (int i = 0; i < PP_ROUNDS; i++) {
        simctx_switch(s->host, s->a);
        pp_log(s, EV('h', i));
    }
    assert_false(simctx_finished(s->a));
    simctx_switch(s->host, s->a);     /* A leaves its loop and returns */
    assert_true(simctx_finished(s->a));
    simctx_switch(s->host, s->b);     /* B leaves its loop and returns */
    assert_true(simctx_finished(s->b));

    /* Expected order, from the switch sequence alone: each round the host
     * enters A, A enters B, B returns to the host (a, b, h); then A and B
     * each finish when resumed, A first. */
    int want[PP_LOG_MAX];
    size_t n = 0;
    for (int i = 0; i < PP_ROUNDS; i++) {
        want[n++] = EV('a', i);
        want[n++] = EV('b', i);
        want[n++] = EV('h', i);
    }
    want[n++] = EV('A', 0);
    want[n++] = EV('B', 0);
    assert_log_equal(s->log, s->n, want, n);

    simctx_free(s->a);
    simctx_free(s->b);
    simctx_free(s->host);
    g_free(s);
}

/* ---- arguments, return, and where control goes when fn returns ---- */

typedef struct {
    simctx *host, *outer, *inner, *x, *y;
    void *outer_arg, *inner_arg;
    bool inner_finished_in_outer;
    int log[8];
    size_t n;
} ar_state;

static void ar_inner(void *arg)
{
    ar_state *s = arg;
    s->inner_arg = arg;
}

static void ar_outer(void *arg)
{
    ar_state *s = arg;
    s->outer_arg = arg;
    simctx_switch(s->outer, s->inner);   /* inner runs to completion */
    s->inner_finished_in_outer = simctx_finished(s->inner);
}

static void ar_x(void *arg)
{
    ar_state *s = arg;
    s->log[s->n++] = EV('x', 0);
    simctx_switch(s->x, s->host);        /* park; entered by host */
    s->log[s->n++] = EV('x', 1);         /* resumed by y; return goes to y */
}

static void ar_y(void *arg)
{
    ar_state *s = arg;
    s->log[s->n++] = EV('y', 0);
    simctx_switch(s->y, s->x);
    s->log[s->n++] = EV('y', 1);         /* x finished and came back here */
}

static void test_args_and_return(void **state)
{
    (void)state;
    ar_state s = { 0 };
    s.host = simctx_new_host();
    s.outer = new_ctx(0, ar_outer, &s);
    s.inner = new_ctx(0, ar_inner, &s);

    assert_false(simctx_finished(s.outer));
    simctx_switch(s.host, s.outer);
    /* The host's switch returned: outer's fn returned to its switcher, the
     * host.  Inner's fn returned to its switcher, outer, which saw it
     * finished. */
    assert_ptr_equal(s.outer_arg, &s);
    assert_ptr_equal(s.inner_arg, &s);
    assert_true(simctx_finished(s.outer));
    assert_true(simctx_finished(s.inner));
    assert_true(s.inner_finished_in_outer);

    /* "Most recently switched into it": x is first entered by the host but
     * last by y, so when x's fn returns, control lands in y, not the host. */
    s.x = new_ctx(0, ar_x, &s);
    s.y = new_ctx(0, ar_y, &s);
    simctx_switch(s.host, s.x);
    simctx_switch(s.host, s.y);
    assert_true(simctx_finished(s.x));
    assert_true(simctx_finished(s.y));
    int want[] = { EV('x', 0), EV('y', 0), EV('x', 1), EV('y', 1) };
    assert_log_equal(s.log, s.n, want, G_N_ELEMENTS(want));

    simctx_free(s.outer);
    simctx_free(s.inner);
    simctx_free(s.x);
    simctx_free(s.y);
    simctx_free(s.host);
}

/* ---- callee-saved state survives a switch ---- */

typedef struct {
    simctx *host, *self;
    double fp_switched;
    uint64_t ints_ok;
    uint64_t mxcsr_ctx_after;
    double third_up;
} cs_state;

/* A float recurrence with several doubles live across each switch (on
 * aarch64 they sit in d8-d15, which the switch must save) and integers
 * (rbx, r12-r15 / x19-x28).  noinline, so the run with switches and the run
 * without execute the very same instructions. */
__attribute__((noinline))
static double fp_work(simctx *self, simctx *other, int steps, double seed)
{
    double x = seed, r = 3.7, h = 0.0, p = 1.0, q = seed * 0.5;
    for (int i = 0; i < steps; i++) {
        x = r * x * (1.0 - x);
        h += 1.0 / (double)(i + 1);
        p *= 1.0000001;
        q = q * 0.75 + x * 0.25;
        if (self != NULL)
            simctx_switch(self, other);
    }
    return x + h + p + q;
}

enum { CS_STEPS = 1000 };

static void cs_fn(void *arg)
{
    cs_state *s = arg;
    /* Integers computed before the switches and checked after. */
    uint64_t v0 = 0x0123456789abcdefu, v1 = v0 * 3, v2 = v1 ^ 0x5555,
             v3 = v2 + 77, v4 = v3 * 5, v5 = v4 ^ v0, v6 = v5 + v1;
    s->fp_switched = fp_work(s->self, s->host, CS_STEPS, 0.3);
    s->ints_ok = v0 == 0x0123456789abcdefu && v1 == v0 * 3 &&
                 v2 == (v1 ^ 0x5555) && v3 == v2 + 77 && v4 == v3 * 5 &&
                 v5 == (v4 ^ v0) && v6 == v5 + v1;
}

static void test_callee_saved(void **state)
{
    (void)state;
    cs_state s = { 0 };
    s.host = simctx_new_host();
    s.self = new_ctx(0, cs_fn, &s);

    /* Between the context's steps the host runs a different recurrence, so
     * the callee-saved registers hold other values when control returns. */
    double clobber = 0.0;
    while (!simctx_finished(s.self)) {
        simctx_switch(s.host, s.self);
        clobber += fp_work(NULL, NULL, 7, 0.6);
    }
    assert_true(s.ints_ok);

    /* IEEE-754 arithmetic is deterministic for the same instruction
     * sequence, so the same recurrence without switches gives the same bits. */
    double plain = fp_work(NULL, NULL, CS_STEPS, 0.3);
    assert_int_equal(double_bits(s.fp_switched), double_bits(plain));
    assert_true(clobber > 0.0);

    simctx_free(s.self);
    simctx_free(s.host);
}

#if defined(__x86_64__)
/* x86-64: MXCSR is callee-saved in the System V ABI, so a context that sets
 * its own rounding mode keeps it, and the host keeps its own. */
#define MXCSR_RC_MASK 0x6000u
#define MXCSR_RC_UP   0x4000u

static double divide(double a, double b)
{
    volatile double va = a, vb = b;     /* no constant folding */
    return va / vb;
}

static void mx_fn(void *arg)
{
    cs_state *s = arg;
    unsigned mx = __builtin_ia32_stmxcsr();
    __builtin_ia32_ldmxcsr((mx & ~MXCSR_RC_MASK) | MXCSR_RC_UP);
    simctx_switch(s->self, s->host);
    s->mxcsr_ctx_after = __builtin_ia32_stmxcsr();
    s->third_up = divide(1.0, 3.0);
    __builtin_ia32_ldmxcsr(mx);         /* leave as found */
}

static void test_rounding_mode_per_context(void **state)
{
    (void)state;
    cs_state s = { 0 };
    s.host = simctx_new_host();
    s.self = new_ctx(0, mx_fn, &s);
    unsigned before = __builtin_ia32_stmxcsr();

    simctx_switch(s.host, s.self);      /* ctx sets round-up and parks */
    assert_int_equal(__builtin_ia32_stmxcsr(), before);
    double third_near = divide(1.0, 3.0);
    simctx_switch(s.host, s.self);
    assert_true(simctx_finished(s.self));
    assert_int_equal(s.mxcsr_ctx_after & MXCSR_RC_MASK, MXCSR_RC_UP);

    /* 1/3 = 0.010101...b: the bits past the 53rd are 0101..., below half an
     * ulp, so round-to-nearest truncates to 0x3fd5555555555555 and
     * round-upward adds one ulp.  Valgrind keeps MXCSR per context (checked
     * above) but its SSE2 arithmetic has "limited observance of rounding
     * mode" (valgrind manual, Limitations), so the arithmetic is only
     * checked natively. */
    assert_int_equal(double_bits(third_near), 0x3fd5555555555555u);
    if (!RUNNING_ON_VALGRIND)
        assert_int_equal(double_bits(s.third_up), 0x3fd5555555555556u);

    simctx_free(s.self);
    simctx_free(s.host);
}
#endif

/* ---- deep stack use within the configured size ---- */

enum { DEEP_STACK = 256 * 1024 };

typedef struct {
    uintptr_t top;          /* frame address at fn entry */
    uintptr_t target;       /* bytes of stack to use below top */
    uintptr_t reached;      /* deepest frame, bytes below top */
    uint64_t sum;
} deep_state;

/* Recurse until the frame is `target` bytes below the entry frame; every
 * frame writes a 512-byte buffer so the pages are really touched.  Measured
 * by frame address, not by depth, so ASan's larger frames do not matter. */
__attribute__((noinline))
static uint64_t deep_recurse(deep_state *s, uint64_t depth)
{
    volatile unsigned char buf[512];
    for (size_t i = 0; i < sizeof buf; i += 64)
        buf[i] = (unsigned char)depth;
    uintptr_t used = s->top - (uintptr_t)__builtin_frame_address(0);
    uint64_t r = depth;
    if (used > s->reached)
        s->reached = used;
    if (used < s->target)
        r += deep_recurse(s, depth + 1);
    return r + buf[0] - (unsigned char)depth;
}

static void deep_fn(void *arg)
{
    deep_state *s = arg;
    s->top = (uintptr_t)__builtin_frame_address(0);
    s->sum = deep_recurse(s, 1);
}

static void test_deep_stack(void **state)
{
    (void)state;
    deep_state s = { .target = DEEP_STACK / 4 * 3 };
    simctx *host = simctx_new_host();
    simctx *c = new_ctx(DEEP_STACK, deep_fn, &s);
    assert_int_equal(simctx_stack_size(c), DEEP_STACK);

    simctx_switch(host, c);
    assert_true(simctx_finished(c));
    assert_true(s.reached >= s.target);
    /* sum = 1 + 2 + ... + depth for some depth >= 1: a triangular number. */
    uint64_t d = 1;
    while (d * (d + 1) / 2 < s.sum)
        d++;
    assert_int_equal(d * (d + 1) / 2, s.sum);

    simctx_free(c);
    simctx_free(host);
}

/* ---- the guard page ---- */

typedef struct {
    simctx *host, *self;
    uintptr_t frame;
    const volatile size_t *limit;
} guard_state;

static void guard_probe_fn(void *arg)
{
    guard_state *s = arg;
    s->frame = (uintptr_t)__builtin_frame_address(0);
}

static void test_in_guard(void **state)
{
    (void)state;
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    guard_state s = { 0 };
    s.host = simctx_new_host();
    /* 1000 bytes round up to one page. */
    s.self = new_ctx(1000, guard_probe_fn, &s);
    assert_int_equal(simctx_stack_size(s.self), page);
    simctx_switch(s.host, s.self);

    /* The stack's top is the page boundary just above fn's frame (fn runs
     * a few hundred bytes below the top), and its bottom is stack_size
     * below that; the guard is the page under the bottom. */
    uintptr_t top = (s.frame + page - 1) & ~(uintptr_t)(page - 1);
    uintptr_t bottom = top - simctx_stack_size(s.self);
    assert_true(simctx_in_guard(s.self, (void *)(bottom - 1)));
    assert_true(simctx_in_guard(s.self, (void *)(bottom - page)));
    assert_false(simctx_in_guard(s.self, (void *)(bottom - page - 1)));
    assert_false(simctx_in_guard(s.self, (void *)bottom));
    assert_false(simctx_in_guard(s.self, (void *)s.frame));
    assert_false(simctx_in_guard(s.host, (void *)(bottom - 1)));

    simctx_free(s.self);
    simctx_free(s.host);
}

/* Unbounded recursion (the limit is SIZE_MAX, read through a volatile so
 * the compiler can neither prove the recursion infinite nor make it a
 * loop); 256-byte frames, well under a page, so the first access past the
 * bottom lands in the guard rather than skipping it. */
__attribute__((noinline))
static size_t overflow_recurse(const volatile size_t *limit, size_t depth)
{
    volatile unsigned char buf[256];
    buf[0] = (unsigned char)depth;
    buf[255] = (unsigned char)(depth >> 8);
    if (depth < *limit)
        return overflow_recurse(limit, depth + 1) + buf[0];
    return buf[255];
}

static void overflow_fn(void *arg)
{
    guard_state *s = arg;
    (void)overflow_recurse(s->limit, 0);
}

/* The child's SIGSEGV handler needs the context: a signal handler has no
 * other way to get at it.  Set only in the forked child. */
static simctx *guard_child_ctx;

enum { GUARD_HIT = 42, GUARD_MISS = 43 };

static void guard_segv(int sig, siginfo_t *info, void *uctx)
{
    (void)sig; (void)uctx;
    _exit(simctx_in_guard(guard_child_ctx, info->si_addr) ? GUARD_HIT
                                                          : GUARD_MISS);
}

static void test_stack_guard(void **state)
{
    (void)state;
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* Child: no core file; the handler runs on its own stack since the
         * faulting one is exhausted. */
        struct rlimit no_core = { 0, 0 };
        setrlimit(RLIMIT_CORE, &no_core);
        static const volatile size_t limit = SIZE_MAX;
        guard_state s = { .limit = &limit };
        s.host = simctx_new_host();
        s.self = simctx_new(16 * 1024, overflow_fn, &s, NULL);
        if (s.self == NULL)
            _exit(2);
        guard_child_ctx = s.self;
        stack_t alt = { .ss_sp = malloc(256 * 1024), .ss_size = 256 * 1024 };
        struct sigaction sa = { .sa_sigaction = guard_segv,
                                .sa_flags = SA_SIGINFO | SA_ONSTACK };
        sigemptyset(&sa.sa_mask);
        if (alt.ss_sp == NULL || sigaltstack(&alt, NULL) != 0 ||
            sigaction(SIGSEGV, &sa, NULL) != 0)
            _exit(3);
        simctx_switch(s.host, s.self);
        _exit(0);   /* the recursion came back: no guard */
    }

    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    /* Must not have come back from the overflow.  Our handler confirms the
     * fault address is in the guard page (exit 42); ASan may report the
     * overflow itself and exit non-zero, or the kernel may kill the child
     * outright with SIGSEGV if no handler could run. */
    assert_false(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    if (WIFEXITED(status)) {
#if defined(SIMCTX_ASAN)
        assert_int_not_equal(WEXITSTATUS(status), GUARD_MISS);
#else
        assert_int_equal(WEXITSTATUS(status), GUARD_HIT);
#endif
    } else {
        assert_true(WIFSIGNALED(status));
        assert_int_equal(WTERMSIG(status), SIGSEGV);
    }
}

/* ---- allocation failure is an error, not a crash ---- */

static void never_run(void *arg)
{
    (void)arg;
    fail_msg("never_run ran");
}

static void test_new_fails_cleanly(void **state)
{
    (void)state;
    GError *err = NULL;
    /* 2^62 bytes exceeds any x86-64 or aarch64 user address space (at most
     * 2^56 with 5-level paging), so mmap must refuse it. */
    simctx *c = simctx_new((size_t)1 << 62, never_run, NULL, &err);
    assert_null(c);
    assert_non_null(err);
    assert_true(g_error_matches(err, SIMCTX_ERROR, SIMCTX_ERROR_STACK));
    g_clear_error(&err);

    c = simctx_new(SIZE_MAX, never_run, NULL, &err);
    assert_null(c);
    assert_true(g_error_matches(err, SIMCTX_ERROR, SIMCTX_ERROR_STACK));
    g_clear_error(&err);
}

/* ---- many parked contexts ---- */

enum { MANY = 10000 };

typedef struct {
    simctx *host, *self;
} park_arg;

static void park_fn(void *arg)
{
    park_arg *p = arg;
    simctx_switch(p->self, p->host);
}

static size_t resident_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    assert_non_null(f);
    unsigned long size_pages = 0, resident_pages = 0;
    int n = fscanf(f, "%lu %lu", &size_pages, &resident_pages);
    fclose(f);
    assert_int_equal(n, 2);
    return (size_t)resident_pages * (size_t)sysconf(_SC_PAGESIZE);
}

static void test_many_contexts(void **state)
{
    (void)state;
    simctx *host = simctx_new_host();
    park_arg *args = g_new0(park_arg, MANY);
    size_t rss0 = resident_bytes();

    for (size_t i = 0; i < MANY; i++) {
        args[i].host = host;
        args[i].self = new_ctx(0, park_fn, &args[i]);
        simctx_switch(host, args[i].self);
        assert_false(simctx_finished(args[i].self));
    }
    size_t rss1 = resident_bytes();
    size_t growth = rss1 > rss0 ? rss1 - rss0 : 0;

    /* Expected: each parked context has touched only the top page or two of
     * its stack (fn, boot and switch frames: < 1 KiB without ASan) plus its
     * simctx (~1 KiB with ucontext), so 10,000 x (4..8 KiB + 1 KiB) = 50..90
     * MiB; far below the 10,000 x 64 KiB = 625 MiB a memset stack would
     * cost.  The bound is the module's requirement: well under 1 GiB. */
    print_message("rss growth for %d parked contexts (%s, %zu KiB stacks): "
                  "%zu KiB\n", MANY, simctx_backend(),
                  (size_t)SIMCTX_DEFAULT_STACK / 1024, growth / 1024);
    assert_true(growth < (size_t)512 * 1024 * 1024);

    for (size_t i = 0; i < MANY; i++) {
        simctx_switch(host, args[i].self);
        assert_true(simctx_finished(args[i].self));
        simctx_free(args[i].self);
    }
    g_free(args);
    simctx_free(host);
}

/* ---- the build selected the backend it was asked for ---- */

static void test_backend(void **state)
{
    (void)state;
    /* A build that silently fell back to ucontext would be ~20x slower. */
#if defined(SIMCTX_FORCE_UCONTEXT)
    assert_string_equal(simctx_backend(), "ucontext");
#elif defined(__x86_64__) && defined(__ELF__) && !defined(__ILP32__)
    assert_string_equal(simctx_backend(), "x86_64-asm");
#elif defined(__aarch64__) && defined(__ELF__) && !defined(__ILP32__)
    assert_string_equal(simctx_backend(), "aarch64-asm");
#else
    assert_string_equal(simctx_backend(), "ucontext");
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backend),
        cmocka_unit_test(test_ping_pong),
        cmocka_unit_test(test_args_and_return),
        cmocka_unit_test(test_callee_saved),
#if defined(__x86_64__)
        cmocka_unit_test(test_rounding_mode_per_context),
#endif
        cmocka_unit_test(test_deep_stack),
        cmocka_unit_test(test_in_guard),
        cmocka_unit_test(test_stack_guard),
        cmocka_unit_test(test_new_fails_cleanly),
        cmocka_unit_test(test_many_contexts),
    };
    return cmocka_run_group_tests_name("ctx", tests, NULL, NULL);
}
