/* kernel/trap.h: the user side of the kernel boundary (kernel/trap.c).
 *
 * A simulated thread is a coroutine running host C.  What its code calls
 * of the kernel's ABI (kernel/abi.h: cos_call, cos_compute, cos_touch,
 * cos_ul_switch, cos_cycles, cos_report, cos_trace_ev, cos_trace_row, ...) is
 * implemented here: a request is written into the thread's host record
 * (k_thread) and the coroutine switches to the engine, where the core's
 * event loop (core.c) takes it; an invocation comes back as an upcall that
 * runs the server's entry on the same coroutine.
 *
 * Layer: the bottom (it calls no kernel object); thd.c makes threads with
 * it and core.c runs them through it.
 */
#pragma once

#include "internal.h"

/* A host record and coroutine for the thread object at obj: its code is
 * fn(0, arg, arg2, 0, 0), and returning from it is the thread's exit.
 * NULL when the host cannot make the coroutine's stack (its limit on
 * mappings: sim/ctx.h), the reason in *error. */
k_thread *k_trap_thread_new(k_kernel *k, uint64_t obj, unsigned core, cos_entry_fn fn, cos_word arg, GError **error);
/* Run t's code on its coroutine until it traps (its request is in t->req). */
void k_trap_enter(k_kernel *k, k_thread *t);
