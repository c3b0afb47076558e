/* analysis/check.h: timing bounds for CI (`cossim check TRACE.db BOUNDS.lua`).
 *
 * BOUNDS.lua returns a table (docs/analysis.md):
 *   return {
 *     misses = 0,                                  -- deadline misses, all tasks together
 *     tasks = { control = { response = "200us",    -- worst response
 *                           misses = 0,            -- this task's misses
 *                           within_bound = true } },  -- worst <= the analytic bound (trace.h)
 *     invocation = "25us",                         -- longest synchronous invocation
 *     kernel_paths = { sinv = 1000, irq = 2000 },  -- longest run of a kernel path, cycles
 *   }
 * Each bound is printed beside the observed figure with pass or FAIL.
 * The file runs in the scenarios' sandbox (sim/lua.h simlua_read_data).
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

/* The report into out, errors into err.  0: every bound holds; 1: one or
 * more violated; 2: a bad trace or bounds file (err says which, with the
 * bounds file's line for a Lua error). */
int an_check(const char *trace, const char *bounds, GString *out, GString *err);
/* The same with the bounds file's sandbox limits (NULL: the defaults of
 * sim/lua.h's data files; `cossim check --lua-memory/--lua-instructions`). */
typedef struct simlua_limits simlua_limits;
int an_check_limited(const char *trace, const char *bounds, const simlua_limits *limits, GString *out, GString *err);
/* an_check_limited, the verdicts as one JSON object when json (--json). */
int an_check_opts(const char *trace, const char *bounds, const simlua_limits *limits, bool json, GString *out,
                  GString *err);
int an_cli_check(int argc, char **argv);
