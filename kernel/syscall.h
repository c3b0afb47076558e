/* kernel/syscall.h: the system-call dispatcher (kernel/syscall.c).
 *
 * Layer: above every object's calls, below the core's paths (core.c). */
#pragma once

#include "internal.h"

/* Thread t's call (t->op, t->cap, t->a) on core c: decoded and, if
 * nothing refuses it, invoked by its object.  Its result. */
cos_ret k_syscall(k_core *c, k_thread *t);
