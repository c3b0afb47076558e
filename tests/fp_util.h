/* tests/fp_util.h: task-set shorthands of the fixed-priority tests
 * (test_fp.c, test_fp_property.c; header-only, include after analysis/fp.h). */
#pragma once

#include <glib.h>
#include "analysis/fp.h"

#define TASK(c, t, d, j, b, p) \
    { .name = NULL, .period = (t), .wcet = (c), .deadline = (d), .jitter = (j), \
      .blocking = (b), .priority = (p), .core = 0 }

#define TS(arr) ((an_taskset){ .t = (arr), .n = G_N_ELEMENTS(arr) })
