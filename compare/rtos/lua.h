/* compare/rtos/lua.h: the `rtos` table of scenarios: the FreeRTOS-like RTOS's
 * benchmarks on a Cortex-M machine (docs/compare.md, docs/scenarios.md).
 *
 *   local r = rtos.bench{ machine = machine{ preset = "stm32f767" }, measure = "switch" }
 *   print(r.mean, r.worst)
 */
#pragma once

#include <lua.h>

/* Adds the global `rtos` (a simlua_lib's open). */
int rtlua_open(lua_State *L);
