/* components/scheds.h: the scheduling policies cossim bundles
 * (components/interface/sched.h), in a fixed order: a policy's index is
 * what a composed system's description names it by, and scenarios name
 * them by their name (system{ policy = ... }). */
#pragma once

#include "components/interface/sched.h"

typedef enum { WL_FP = 0, WL_EDF = 1, WL_RR = 2, WL_LUA = 3, WL_POLICIES } wl_policy;

extern const sched_policy sched_fp, sched_edf;     /* implementation/sched/fpedf */
extern const sched_policy sched_rr;                /* implementation/sched/rr */
extern const sched_policy sched_lua;               /* implementation/sched/lua */
/* All of them, index = id. */
extern const sched_policy *const cos_sched_policies[WL_POLICIES];
