/* analysis/trace_internal.h: what the trace reader (trace.c) and the
 * bound (trace_bound.c) share; not for other files. */
#pragma once

#include "trace.h"

/* a + b and a * b of values >= 0, at most INT64_MAX */
int64_t an_trace_sat_add(int64_t a, int64_t b);
int64_t an_trace_sat_mul(int64_t a, int64_t b);
/* cycles of a core at freq Hz as picoseconds, rounded up (0 for a
 * frequency or a count <= 0), at most INT64_MAX */
int64_t an_trace_ps(int64_t cycles, int64_t freq);
/* the frequency of a core of the report, 0 if it has no counters */
int64_t an_trace_core_freq(const an_trace_report *r, int64_t core);
/* The declared demand (task_demand, when the trace has it) into the
 * tasks and r->sections; false, with why (free it), for rows the writer
 * never makes. */
struct sqlite3;
bool an_trace_read_demand(struct sqlite3 *db, an_trace_report *r, char **why);
/* each task's analytic bounds (observed-input and safe), its note, and r->bound_exceeded; after the
 * tasks' execution times, blocking and the overheads are measured */
void an_trace_bounds(an_trace_report *r);
