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

/* Adds the global `kernel` with the given images (index = image id). */
int klua_open(lua_State *L, const cos_image *const *images, unsigned nimages);
