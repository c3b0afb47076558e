/* model/lua.h: the machine in scenarios.
 *
 *   local m = machine{ preset = "cortex-a9", cores = 2, l2 = { size = "1M" } }
 *
 * builds the run's machine from a preset with the scenario's overrides
 * (docs/scenarios.md lists the methods).  One machine per run; its counters
 * go to the trace when the run ends. */
#pragma once

#include <lua.h>

/* Adds the global `machine` (simlua_lib.open). */
int hwlua_open(lua_State *L);
