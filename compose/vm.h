/* compose/vm.h: the `vm` Lua binding (compose/vm.c; docs/scenarios.md,
 * "Virtual machines"): µCVM's VMM and its VMs on cossim's kernel. */
#pragma once

#include <lua.h>

/* Adds the global `vm`. */
int compose_vm_open(lua_State *L);
