/* kernel/lua.h: the kernel in scenarios.
 *
 *   local m = machine{ preset = "x86_64" }
 *   local sys = kernel.boot{ machine = m, booter = "ipc-bench", arg = 1000 }
 *   sim.run("10ms")
 *   print(sys:report("sinv.median"))
 *
 * boots the kernel on a machine with a bundled booter image, which builds
 * its system with system calls at the current time (docs/scenarios.md).
 * The images come from components/ through cossim.c: the kernel never
 * includes components. */
#pragma once

#include <lua.h>
#include "kernel/abi.h"
#include "kernel/kernel.h"

/* Adds the global `kernel` with the given images (index = image id). */
int klua_open(lua_State *L, const cos_image *const *images, unsigned nimages);
/* For bindings above the kernel (compose.c): boot a kernel with cfg on the
 * machine at stack index `machine` (cfg->images NULL: the bundled ones)
 * and push its system object (what kernel.boot returns); raises a Lua
 * error if it cannot boot. */
int klua_boot(lua_State *L, int machine, const k_config *cfg);
/* The kernel of the system object at idx (raises if it is not one). */
k_kernel *klua_check(lua_State *L, int idx);
