/* components/comps.c: the components a scenario may add (see comps.h). */
#include "components/comps.h"
#include "components/images.h"

const cos_comp_reg *const cos_comp_regs[] = {
    &cos_comp_rogue,
    &cos_comp_ipi_ratelimit,
    NULL,
};

const cos_role_impl cos_roles[] = {
    { "timer", "simple", COS_IMAGE_WL_TIMER },       /* implementation/tmrmgr/simple */
    { "memmgr", "simple", COS_IMAGE_WL_MEM },        /* implementation/memmgr/simple */
    { "server", "work", COS_IMAGE_WL_SERVER },       /* implementation/server/work */
    { NULL, NULL, 0 },
};
