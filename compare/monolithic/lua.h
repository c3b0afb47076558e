/* compare/monolithic/lua.h: the `monolithic` table for scenarios
 * (docs/scenarios.md, docs/compare.md):
 *
 *   local r = monolithic.bench{ machine = machine{ preset = "i7-8700" }, measure = "ipc",
 *                               rounds = 200, warmup = 50, warm = true }
 *   print(r.mean, r.worst)      -- cycles of the machine's cores
 */
#pragma once

#include <lua.h>

/* Adds the global `monolithic` (simlua_lib.open). */
int monolua_open(lua_State *L);
