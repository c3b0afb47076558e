/* sim/ctx.h: execution contexts (coroutines) for simulated threads.
 *
 * Every simulated thread runs on its own stack as a coroutine; the kernel
 * runs on the host thread's stack and switches into a thread to let it run
 * and gets control back when the thread traps, blocks or yields.  Nothing
 * here knows about simulated time or scheduling: this module only moves the
 * host CPU from one stack to another, as fast as a function call.
 *
 * The switch is cooperative and deterministic: control changes hands only in
 * simctx_switch, so the order of events on the host is exactly the order of
 * the calls.  The backend (hand-written x86-64 or aarch64 assembly, or the
 * ucontext fallback) is chosen at compile time; simctx_backend() names it.
 *
 * Invariants:
 *  - exactly one context per host thread is running at a time; simctx_switch
 *    asserts that `from` is running and `to` is not;
 *  - a coroutine's stack is [guard page | stack_size usable bytes], mmap'd
 *    and touched lazily, so a parked context costs only the pages its frames
 *    really used; the guard page is PROT_NONE, so running off the bottom
 *    faults (SIGSEGV at an address simctx_in_guard recognises) instead of
 *    corrupting a neighbour;
 *  - once fn returns the context is finished for good and is never resumed;
 *    control goes to the context that most recently switched into it;
 *  - contexts hold no process-wide state: two simulations may each have
 *    their own contexts in one process.  A context must only ever run on
 *    the host thread that first switched into it.
 *  - callee-saved registers are per context, and so on x86-64 are the SSE
 *    control/status word (MXCSR) and the x87 control word (rounding modes
 *    are per context, as in boost.context).  On aarch64 FPCR is not
 *    switched: the AAPCS64 treats it as thread-global.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <glib.h>

/* Sanitizer detection: gcc defines __SANITIZE_ADDRESS__, clang answers
 * __has_feature (tested in two steps: a compiler without __has_feature
 * cannot parse the call even behind &&). */
#if defined(__SANITIZE_ADDRESS__)
#  define SIMCTX_ASAN 1
#elif defined(__has_feature)
#  if __has_feature(address_sanitizer)
#    define SIMCTX_ASAN 1
#  endif
#endif

/* Default usable stack.  64 KiB is ample for simulated-thread code (it is
 * only touched as deep as it is used); AddressSanitizer puts redzones around
 * every local array and its reports run on the faulting stack, so give it
 * four times as much. */
#if defined(SIMCTX_ASAN)
#  define SIMCTX_DEFAULT_STACK ((size_t)256 * 1024)
#else
#  define SIMCTX_DEFAULT_STACK ((size_t)64 * 1024)
#endif

#define SIMCTX_ERROR (simctx_error_quark())
GQuark simctx_error_quark(void);
typedef enum {
    SIMCTX_ERROR_STACK,     /* the stack could not be mapped or protected */
} simctx_error;

typedef struct simctx simctx;
typedef void (*simctx_fn)(void *arg);

/* The calling host thread's own stack, as a context to switch from and back
 * to.  One per host thread that switches; it is created "running".  Free it
 * with simctx_free from the host stack, once every switch out of it has come
 * back. */
simctx *simctx_new_host(void);

/* A new context that, when first switched to, runs fn(arg) on its own stack.
 * stack_size is rounded up to whole pages; 0 means SIMCTX_DEFAULT_STACK.
 * NULL and SIMCTX_ERROR_STACK if mmap or mprotect fails. */
simctx *simctx_new(size_t stack_size, simctx_fn fn, void *arg, GError **error);

/* Save the current state into `from` and resume `to`.  `from` must be the
 * context currently running, `to` must not be running or finished.  Returns
 * when something switches back to `from`. */
void simctx_switch(simctx *from, simctx *to);

/* True once fn has returned.  When fn returns, the context is marked finished
 * and control switches back to the context that most recently switched into
 * it.  Switching to a finished context is a programming error (asserted). */
bool simctx_finished(const simctx *c);

/* NULL-safe.  A coroutine must not be the running context; it may be
 * finished or parked (a parked context's stack is dropped without unwinding,
 * so whatever its frames owned is the owner's to release).  A host context
 * must be the running one (see simctx_new_host). */
void simctx_free(simctx *c);

/* Usable stack bytes, excluding the guard page; 0 for a host context (its
 * stack is not ours). */
size_t simctx_stack_size(const simctx *c);

/* True if addr lies in c's guard page, i.e. a fault there is a stack
 * overflow of c (for diagnosing SIGSEGV).  Always false for a host context. */
bool simctx_in_guard(const simctx *c, const void *addr);

/* "x86_64-asm", "aarch64-asm" or "ucontext". */
const char *simctx_backend(void);
