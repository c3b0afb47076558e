/* components/comps.h: the components a scenario may add to a composed
 * system by name (sys:component{ image = NAME, ... }; docs/scenarios.md).
 * Each registers its image (components/images.h), the size of its data
 * block (a cos_comp_hdr first: components/lib/comp.h), and the counters in
 * its state that sys:results() reports. */
#pragma once

#include <stddef.h>
#include "components/lib/comp.h"

typedef struct cos_result_field {
    const char *name;
    size_t offset;               /* of a uint64_t in the state */
} cos_result_field;

typedef struct cos_comp_reg {
    unsigned image;              /* components/images.h */
    size_t state_bytes;          /* its data block, header included */
    const cos_result_field *results;
    unsigned nresults;
} cos_comp_reg;

extern const cos_comp_reg cos_comp_rogue;      /* implementation/test/rogue */
extern const cos_comp_reg cos_comp_ipi_ratelimit;   /* implementation/ipi/ratelimit */

/* All of them; NULL-terminated. */
extern const cos_comp_reg *const cos_comp_regs[];
