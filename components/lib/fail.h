/* components/lib/fail.h: a component's first error, kept with the source
 * file and line that met it (what a scenario's error message names), and
 * reported once (cos_report: wl.error, wl.error_line). */
#pragma once

#include <string.h>
#include "components/lib/cos.h"

typedef struct cos_fail {
    int32_t err, line;        /* the first error (0: none) and its line */
    const char *file;         /* its source file, from components/ on */
} cos_fail;

static inline void cos_fail_note(cos_fail *f, cos_err e, const char *file, int line)
{
    if (f->err == 0) {
        f->err = e;
        f->line = line;
        const char *rel = strstr(file, "components/");     /* not the build's own path */
        f->file = rel ? rel : file;
        cos_report("wl.error", e);
        cos_report("wl.error_line", line);
    }
}
#define COS_FAIL(f, e) cos_fail_note((f), (e), __FILE__, __LINE__)
