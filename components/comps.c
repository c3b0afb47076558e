/* components/comps.c: the components a scenario may add (see comps.h). */
#include "components/comps.h"

const cos_comp_reg *const cos_comp_regs[] = {
    &cos_comp_rogue,
    &cos_comp_ipi_ratelimit,
    NULL,
};
