/* model/lua.h: the machine in scenarios.
 *
 *   local m = machine{ preset = "cortex-a9", cores = 2, l2 = { size = "1M" } }
 *
 * builds a machine from a preset with the scenario's overrides
 * (docs/scenarios.md lists the methods).  A run may build several (to
 * compare machines in one scenario): their cores are numbered on from one
 * machine to the next in the trace, and the run is named after all of
 * them.  Counters go to the trace when the run ends. */
#pragma once

#include <lua.h>

/* Adds the global `machine` (simlua_lib.open). */
int hwlua_open(lua_State *L);

struct hw;
/* For bindings of the layers above: the machine at idx (raises if idx is
 * not a live machine). */
struct hw *hwlua_check(lua_State *L, int idx);
