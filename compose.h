/* compose.h: the `system` Lua binding (compose.c; docs/scenarios.md). */
#pragma once

#include <lua.h>

int compose_open(lua_State *L);
