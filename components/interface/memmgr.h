/* components/interface/memmgr.h: the memory manager's interface: its
 * operations and the client-side call (an invocation through a sinv
 * capability the booter gave the client). */
#pragma once

#include "components/lib/cos.h"

enum { MM_ALLOC = 0, MM_FREE = 1, MM_REVOKE = 2 };

/* MM_ALLOC n pages for task's heap, MM_FREE its last n (0: all), or
 * MM_REVOKE every page it holds.  r[0]: the pages given, freed or revoked. */
static inline cos_ret memmgr_call(cos_capid mm, unsigned op, unsigned task, uint64_t n)
{
    return cos_sinv(mm, op, task, n, 0);
}
