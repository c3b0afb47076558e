/* compose/compose.h: the `system` Lua binding (docs/systems.md).
 *
 * compose/ sits above every layer: it reads a scenario's description of a
 * system into the components' descriptions, boots the kernel with the
 * composed booter through kernel/lua.h, runs it, and collects results.
 * Nothing below includes it. */
#pragma once

#include <lua.h>

int compose_open(lua_State *L);
