/* sim/ctx.c: execution contexts (see ctx.h).
 *
 * Layout: backend selection, the context structure, the three switch
 * backends (x86-64 and aarch64 assembly, ucontext), the sanitizer and
 * valgrind annotations, then the public functions.  Everything a switch
 * needs lives in the two contexts involved; nothing here is process-wide.
 *
 * A switch is simctx_switch -> (asan annotation) -> simctx__swap: the assembly
 * routine pushes the callee-saved registers on the current stack, stores the
 * stack pointer in `from`, loads `to`'s, pops and returns.  A context that
 * has never run has a hand-made frame at the top of its stack whose return
 * address is simctx__entry, which calls simctx__boot(ctx) to run fn.
 */
#define G_LOG_DOMAIN "simctx"

#include "ctx.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* ---- backend selection (compile time) ---- */

/* The assembly below uses ELF directives (.type, .size, .hidden) and 64-bit
 * pointers (not x32 or arm64_32), so anything else takes ucontext. */
#if defined(SIMCTX_FORCE_UCONTEXT)
#  define SIMCTX_BACKEND_UCONTEXT 1
#elif defined(__x86_64__) && defined(__ELF__) && !defined(__ILP32__)
#  define SIMCTX_BACKEND_X86_64 1
#elif defined(__aarch64__) && defined(__ELF__) && !defined(__ILP32__)
#  define SIMCTX_BACKEND_AARCH64 1
#else
#  define SIMCTX_BACKEND_UCONTEXT 1
#endif

#if defined(SIMCTX_BACKEND_UCONTEXT)
#  include <ucontext.h>
#endif

#if defined(SIMCTX_ASAN)
#  include <sanitizer/asan_interface.h>
#  include <sanitizer/common_interface_defs.h>
#endif

/* Valgrind treats a large jump of the stack pointer as a huge frame push or
 * pop unless it knows the target is a separate stack; our stacks sit a few
 * pages apart, so every stack must be registered.  The client requests are a
 * few no-op instructions when not running under valgrind. */
#if defined(__has_include)
#  if __has_include(<valgrind/valgrind.h>)
#    include <valgrind/valgrind.h>
#    define SIMCTX_VALGRIND 1
#  endif
#endif

#ifndef MAP_NORESERVE
#  define MAP_NORESERVE 0
#endif
#ifndef MAP_STACK
#  define MAP_STACK 0
#endif

G_DEFINE_QUARK(simctx-error, simctx_error)

/* ---- the context ----
 *
 * Invariants:
 *  - host == (map == NULL): a host context owns no stack;
 *  - at most one context per host thread has running set; a context that is
 *    not running and not finished has its state saved (sp, or uc);
 *  - finished implies !running forever after (a finished coroutine's last
 *    act is to switch away, and nothing may switch back);
 *  - for a coroutine, map_len == page + stack_size, the guard page is
 *    [map, map + page) and the usable stack [map + page, map + map_len).
 */
struct simctx {
#if !defined(SIMCTX_BACKEND_UCONTEXT)
    void *sp;               /* saved stack pointer while suspended; first, so
                             * the switch addresses it at offset 0 */
#endif
    simctx *caller;         /* most recent simctx_switch into this context:
                             * where control goes when fn returns */
    bool running;
    bool finished;
    bool host;
    simctx_fn fn;
    void *arg;
    unsigned char *map;     /* guard page + stack; NULL for a host context */
    size_t map_len;
    size_t stack_size;      /* usable bytes above the guard */
#if defined(SIMCTX_ASAN)
    /* ASan's fiber protocol: the fake stack (use-after-return frames) parked
     * with this context, and the bounds of its real stack.  A host context's
     * bounds are learnt the first time control leaves it. */
    void *asan_fake_stack;
    const void *asan_bottom;
    size_t asan_size;
    simctx *asan_from;      /* the context that last transferred control here */
#endif
#if defined(SIMCTX_VALGRIND)
    unsigned vg_stack_id;
#endif
#if defined(SIMCTX_BACKEND_UCONTEXT)
    ucontext_t uc;
#endif
};

static size_t page_size(void)
{
    /* glibc answers from the auxiliary vector: no system call. */
    return (size_t)sysconf(_SC_PAGESIZE);
}

/* Runs fn on the new stack; reached only from simctx__entry (or the ucontext
 * trampoline), hence no static: the assembly calls it by name. */
__attribute__((visibility("hidden"), used, noreturn))
void simctx__boot(simctx *self);

/* ---- x86-64 System V ----
 *
 * simctx__swap(void **save_sp, void *new_sp): push rbp, rbx, r12-r15, then
 * an 8-byte slot with MXCSR (low 4 bytes) and the x87 control word (next 2),
 * as boost.context's jump_fcontext does: both are callee-saved in the ABI,
 * so a context that changes its rounding mode keeps it to itself.  Every
 * other register is caller-saved, so the compiler already assumes the call
 * destroys it.  The frame is 64 bytes including the return address.
 *
 * Control-flow enforcement: endbr64 is emitted when the compiler does it
 * (harmless otherwise).  Switching stacks with ret is incompatible with CET
 * shadow stacks; where those are enforced (opt-in in glibc), build with
 * -Dcontext=ucontext, whose swapcontext manages the shadow stack.
 */
#if defined(SIMCTX_BACKEND_X86_64)

#if defined(__CET__)
#  define SIMCTX_ENDBR "endbr64\n\t"
#else
#  define SIMCTX_ENDBR ""
#endif

__attribute__((visibility("hidden")))
void simctx__swap(void **save_sp, void *new_sp);
__attribute__((visibility("hidden")))
void simctx__entry(void);

__asm__(
    ".text\n\t"
    ".globl simctx__swap\n\t"
    ".hidden simctx__swap\n\t"
    ".type simctx__swap,@function\n\t"
    ".p2align 4\n"
    "simctx__swap:\n\t"
    SIMCTX_ENDBR
    "pushq %rbp\n\t"
    "pushq %rbx\n\t"
    "pushq %r12\n\t"
    "pushq %r13\n\t"
    "pushq %r14\n\t"
    "pushq %r15\n\t"
    "leaq -8(%rsp), %rsp\n\t"
    "stmxcsr (%rsp)\n\t"
    "fnstcw 4(%rsp)\n\t"
    "movq %rsp, (%rdi)\n\t"
    "movq %rsi, %rsp\n\t"
    "ldmxcsr (%rsp)\n\t"
    "fldcw 4(%rsp)\n\t"
    "leaq 8(%rsp), %rsp\n\t"
    "popq %r15\n\t"
    "popq %r14\n\t"
    "popq %r13\n\t"
    "popq %r12\n\t"
    "popq %rbx\n\t"
    "popq %rbp\n\t"
    "ret\n\t"
    ".size simctx__swap, .-simctx__swap\n\t"

    /* First return into a new context lands here with rsp 16-byte aligned,
     * rbp = 0 (ends frame-pointer walks) and the context in rbx.  The CFI
     * marks the return address undefined so debuggers stop here too. */
    ".globl simctx__entry\n\t"
    ".hidden simctx__entry\n\t"
    ".type simctx__entry,@function\n\t"
    ".p2align 4\n"
    "simctx__entry:\n\t"
    ".cfi_startproc\n\t"
    ".cfi_undefined rip\n\t"
    "movq %rbx, %rdi\n\t"
    "call simctx__boot\n\t"
    "ud2\n\t"
    ".cfi_endproc\n\t"
    ".size simctx__entry, .-simctx__entry\n\t"
);

/* Default MXCSR (all exceptions masked, round to nearest) and x87 control
 * word (extended precision, round to nearest): a new context starts from the
 * ABI's initial state, never from whatever its creator had set, so its
 * floating point does not depend on who created it. */
#define SIMCTX_MXCSR_INIT UINT64_C(0x1f80)
#define SIMCTX_FPUCW_INIT UINT64_C(0x037f)

static void arch_init_stack(simctx *c, unsigned char *top)
{
    /* Slots from the new sp upwards: csr, r15, r14, r13, r12, rbx, rbp,
     * return address, then 16 spare bytes (a zero return address for
     * unwinders).  After the ret, rsp = top - 16: aligned, as a call in
     * simctx__entry needs. */
    uint64_t *sp = (uint64_t *)(void *)top - 10;
    memset(sp, 0, 10 * sizeof *sp);
    sp[0] = SIMCTX_MXCSR_INIT | (SIMCTX_FPUCW_INIT << 32);
    sp[5] = (uint64_t)(uintptr_t)c;                  /* rbx */
    sp[7] = (uint64_t)(uintptr_t)&simctx__entry;     /* return address */
    c->sp = sp;
}

#define SIMCTX_BACKEND_NAME "x86_64-asm"

/* ---- aarch64 AAPCS64 ----
 *
 * simctx__swap(void **save_sp, void *new_sp): a 160-byte frame holding
 * d8-d15 (the low halves of v8-v15 are callee-saved) and x19-x30 (x29 the
 * frame pointer, x30 the return address), sp itself stored in *save_sp.
 */
#elif defined(SIMCTX_BACKEND_AARCH64)

__attribute__((visibility("hidden")))
void simctx__swap(void **save_sp, void *new_sp);
__attribute__((visibility("hidden")))
void simctx__entry(void);

__asm__(
    ".text\n\t"
    ".globl simctx__swap\n\t"
    ".hidden simctx__swap\n\t"
    ".type simctx__swap,%function\n\t"
    ".p2align 4\n"
    "simctx__swap:\n\t"
    "sub sp, sp, #160\n\t"
    "stp d8, d9, [sp, #0]\n\t"
    "stp d10, d11, [sp, #16]\n\t"
    "stp d12, d13, [sp, #32]\n\t"
    "stp d14, d15, [sp, #48]\n\t"
    "stp x19, x20, [sp, #64]\n\t"
    "stp x21, x22, [sp, #80]\n\t"
    "stp x23, x24, [sp, #96]\n\t"
    "stp x25, x26, [sp, #112]\n\t"
    "stp x27, x28, [sp, #128]\n\t"
    "stp x29, x30, [sp, #144]\n\t"
    "mov x9, sp\n\t"
    "str x9, [x0]\n\t"
    "mov sp, x1\n\t"
    "ldp d8, d9, [sp, #0]\n\t"
    "ldp d10, d11, [sp, #16]\n\t"
    "ldp d12, d13, [sp, #32]\n\t"
    "ldp d14, d15, [sp, #48]\n\t"
    "ldp x19, x20, [sp, #64]\n\t"
    "ldp x21, x22, [sp, #80]\n\t"
    "ldp x23, x24, [sp, #96]\n\t"
    "ldp x25, x26, [sp, #112]\n\t"
    "ldp x27, x28, [sp, #128]\n\t"
    "ldp x29, x30, [sp, #144]\n\t"
    "add sp, sp, #160\n\t"
    "ret\n\t"
    ".size simctx__swap, .-simctx__swap\n\t"

    /* First return into a new context: sp = top - 16, x29 = 0, the context
     * in x19. */
    ".globl simctx__entry\n\t"
    ".hidden simctx__entry\n\t"
    ".type simctx__entry,%function\n\t"
    ".p2align 4\n"
    "simctx__entry:\n\t"
    ".cfi_startproc\n\t"
    ".cfi_undefined x30\n\t"
    "mov x0, x19\n\t"
    "bl simctx__boot\n\t"
    "brk #0\n\t"
    ".cfi_endproc\n\t"
    ".size simctx__entry, .-simctx__entry\n\t"
);

static void arch_init_stack(simctx *c, unsigned char *top)
{
    /* 160-byte frame (d8-d15 at slots 0-7, x19-x28 at 8-17, x29 at 18,
     * x30 at 19) plus 16 spare bytes at the top. */
    uint64_t *sp = (uint64_t *)(void *)top - 22;
    memset(sp, 0, 22 * sizeof *sp);
    sp[8] = (uint64_t)(uintptr_t)c;                  /* x19 */
    sp[19] = (uint64_t)(uintptr_t)&simctx__entry;    /* x30 */
    c->sp = sp;
}

#define SIMCTX_BACKEND_NAME "aarch64-asm"

/* ---- ucontext fallback ----
 *
 * Portable but slow: glibc's swapcontext saves and restores the signal mask,
 * a system call per switch. */
#else

/* makecontext passes only ints, so the context pointer travels in two
 * halves. */
static void uc_trampoline(int lo, int hi)
{
    uint64_t p = ((uint64_t)(uint32_t)hi << 32) | (uint32_t)lo;
    simctx__boot((simctx *)(uintptr_t)p);
}

#define SIMCTX_BACKEND_NAME "ucontext"

#endif

/* ---- transfer of control: annotations around the raw switch ---- */

/* Leaving `from` for `to`.  A finished context passes dying, so ASan frees
 * its fake stack instead of parking it. */
static inline void asan_leave(simctx *from, simctx *to, bool dying)
{
#if defined(SIMCTX_ASAN)
    __sanitizer_start_switch_fiber(dying ? NULL : &from->asan_fake_stack,
                                   to->asan_bottom, to->asan_size);
    to->asan_from = from;
#else
    (void)from; (void)to; (void)dying;
#endif
}

/* Arrived in `self`.  ASan tells us the bounds of the stack we came from;
 * that is how a host context's bounds become known. */
static inline void asan_arrive(simctx *self)
{
#if defined(SIMCTX_ASAN)
    const void *bottom;
    size_t size;
    __sanitizer_finish_switch_fiber(self->asan_fake_stack, &bottom, &size);
    simctx *from = self->asan_from;
    if (from->host) {
        from->asan_bottom = bottom;
        from->asan_size = size;
    }
#else
    (void)self;
#endif
}

static inline void raw_switch(simctx *from, simctx *to)
{
#if defined(SIMCTX_BACKEND_UCONTEXT)
    int rc = swapcontext(&from->uc, &to->uc);
    g_assert(rc == 0);
#else
    simctx__swap(&from->sp, to->sp);
#endif
}

void simctx_switch(simctx *from, simctx *to)
{
    g_assert(from->running);
    g_assert(!to->running);
    g_assert(!to->finished);
    from->running = false;
    to->running = true;
    to->caller = from;
    asan_leave(from, to, false);
    raw_switch(from, to);
    asan_arrive(from);
}

void simctx__boot(simctx *self)
{
#if defined(SIMCTX_ASAN)
    self->asan_fake_stack = NULL;   /* a new fiber has none yet */
#endif
    asan_arrive(self);
    self->fn(self->arg);

    /* fn returned: hand control back without touching back->caller (a
     * return is not a switch into `back`; its own fn must still return to
     * whoever called it). */
    simctx *back = self->caller;
    g_assert(!back->running);
    g_assert(!back->finished);
    self->finished = true;
    self->running = false;
    back->running = true;
    asan_leave(self, back, true);
    raw_switch(self, back);
    g_error("simctx: a finished context was resumed");
}

/* ---- creation and teardown ---- */

simctx *simctx_new_host(void)
{
    simctx *c = g_new0(simctx, 1);
    c->host = true;
    c->running = true;
    return c;
}

/* ENOMEM from mmap or mprotect with memory to spare is usually the host's
 * limit on mappings: each stack is two (guard and stack), so Linux's
 * default vm.max_map_count of 65,530 allows about 32,700 contexts. */
static const char *map_count_hint(int e)
{
    return e == ENOMEM ? " (each stack is two host mappings: the process may have reached the host's limit, "
                         "vm.max_map_count on Linux)"
                       : "";
}

simctx *simctx_new(size_t stack_size, simctx_fn fn, void *arg, GError **error)
{
    g_return_val_if_fail(fn != NULL, NULL);
    g_return_val_if_fail(error == NULL || *error == NULL, NULL);

    size_t page = page_size();
    if (stack_size == 0)
        stack_size = SIMCTX_DEFAULT_STACK;
    if (stack_size > SIZE_MAX / 2) {
        g_set_error(error, SIMCTX_ERROR, SIMCTX_ERROR_STACK,
                    "stack size %zu bytes is too large", stack_size);
        return NULL;
    }
    size_t usable = (stack_size + page - 1) & ~(page - 1);
    size_t len = usable + page;

    /* MAP_NORESERVE: a parked thread's untouched stack must cost neither
     * memory nor commit charge.  No memset anywhere: pages are faulted in
     * only as deep as the thread's frames go. */
    void *map = mmap(NULL, len, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK,
                     -1, 0);
    if (map == MAP_FAILED) {
        int e = errno;
        g_set_error(error, SIMCTX_ERROR, SIMCTX_ERROR_STACK,
                    "cannot map a %zu-byte stack: %s%s", len, g_strerror(e), map_count_hint(e));
        return NULL;
    }
    if (mprotect(map, page, PROT_NONE) != 0) {
        int e = errno;
        munmap(map, len);
        g_set_error(error, SIMCTX_ERROR, SIMCTX_ERROR_STACK,
                    "cannot protect the stack guard page: %s%s", g_strerror(e), map_count_hint(e));
        return NULL;
    }

    simctx *c = g_new0(simctx, 1);
    c->fn = fn;
    c->arg = arg;
    c->map = map;
    c->map_len = len;
    c->stack_size = usable;
    unsigned char *bottom = c->map + page;
    unsigned char *top = c->map + len;
#if defined(SIMCTX_ASAN)
    c->asan_bottom = bottom;
    c->asan_size = usable;
#endif
#if defined(SIMCTX_VALGRIND)
    c->vg_stack_id = VALGRIND_STACK_REGISTER(bottom, top);
#endif

#if defined(SIMCTX_BACKEND_UCONTEXT)
    int rc = getcontext(&c->uc);
    g_assert(rc == 0);
    c->uc.uc_stack.ss_sp = bottom;
    c->uc.uc_stack.ss_size = usable;
    c->uc.uc_link = NULL;           /* uc_trampoline never returns */
    uint64_t p = (uint64_t)(uintptr_t)c;
    makecontext(&c->uc, (void (*)(void))uc_trampoline, 2,
                (int)(uint32_t)p, (int)(uint32_t)(p >> 32));
#  if defined(SIMCTX_ASAN)
    /* ASan's swapcontext interceptor clears the shadow of the target's
     * uc_stack on every switch: with 256 KiB stacks that is a 32 KiB memset
     * per switch and 320 MiB resident for 10,000 parked contexts, and it
     * wipes the redzones of the target's live frames.  makecontext has
     * already built the initial frame from uc_stack and swapcontext only
     * reads the saved registers, so hide the size from the interceptor; the
     * fiber annotations tell ASan about the stack, and simctx_free unpoisons
     * it. */
    c->uc.uc_stack.ss_size = 0;
#  endif
#else
    arch_init_stack(c, top);
#endif
    return c;
}

void simctx_free(simctx *c)
{
    if (c == NULL)
        return;
    if (c->host) {
        g_assert(c->running);
    } else {
        g_assert(!c->running);
#if defined(SIMCTX_VALGRIND)
        VALGRIND_STACK_DEREGISTER(c->vg_stack_id);
#endif
#if defined(SIMCTX_ASAN)
        /* A parked context's frames leave redzones poisoned in the shadow;
         * a later mapping at the same address must not inherit them. */
        ASAN_UNPOISON_MEMORY_REGION(c->map + page_size(), c->stack_size);
#endif
        munmap(c->map, c->map_len);
    }
    g_free(c);
}

bool simctx_finished(const simctx *c)
{
    return c->finished;
}

size_t simctx_stack_size(const simctx *c)
{
    return c->stack_size;
}

bool simctx_in_guard(const simctx *c, const void *addr)
{
    if (c->host)
        return false;
    uintptr_t a = (uintptr_t)addr;
    uintptr_t lo = (uintptr_t)c->map;
    return a >= lo && a - lo < page_size();
}

const char *simctx_backend(void)
{
    return SIMCTX_BACKEND_NAME;
}
