/* kernel/core.h: a core's event loop and kernel paths (kernel/core.c).
 *
 * Each core is in one of three states: idle, in a kernel path, or running
 * user code (a compute in progress, ending at an engine event).  A kernel
 * path begins at the engine's current time (begin_path: the repair after
 * a user-level dispatch, charging the elapsed cycles to the tcap), adds up
 * what it costs, and ends (end_path: the domain switch to the next
 * thread, the timer re-armed, the statistics, an engine event at its
 * end).  Paths: a system call, the return from an invocation, a thread's
 * exit, a user fault, and the interrupt path (timer: budget expiry and
 * switch timeouts; IPI: the cross-core rings; device lines: sends).
 * Kernel paths are not preemptible: an interrupt during one is taken when
 * it ends.  k_irq_signal (kernel.h) is the controller's callback.
 *
 * Layer: the top, with syscall.c below it (a system call's path calls
 * the dispatcher); boot.c starts each core's loop with k_core_event.
 */
#pragma once

#include "internal.h"

/* The engine event of core c (its `ev`): the end of a kernel path or of a
 * compute.  Runs the core's current thread until it asks for something
 * that takes time. */
void k_core_event(void *owner, simq_event *ev);
