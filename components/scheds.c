/* components/scheds.c: the bundled scheduling policies (see scheds.h). */
#include "components/scheds.h"

const sched_policy *const cos_sched_policies[WL_POLICIES] = {
    [WL_FP] = &sched_fp,
    [WL_EDF] = &sched_edf,
    [WL_RR] = &sched_rr,
    [WL_LUA] = &sched_lua,
};
