/* components/interface/tmrmgr.h: the timer manager's interface: its
 * operations and the client-side calls (invocations through a sinv
 * capability the booter gave the client). */
#pragma once

#include "components/lib/cos.h"

enum { TM_ARM = 0, TM_EXPIRE = 1 };

/* Arm task's timer to fire at `at` (cycles), then every `period` (0: once).
 * r[0]: the core's earliest armed timer (0: none). */
static inline cos_ret tmrmgr_arm(cos_capid tm, unsigned task, uint64_t at, uint64_t period)
{
    return cos_sinv(tm, TM_ARM, task, at, period);
}
/* Wake the tasks of `core` whose timers are due at `now`.  r[0]: the
 * core's earliest armed timer after it (0: none). */
static inline cos_ret tmrmgr_expire(cos_capid tm, unsigned core, uint64_t now)
{
    return cos_sinv(tm, TM_EXPIRE, core, now, 0);
}
