/* model/bench.h: benchmarks of the machine model for `cossim bench` (host
 * time on purpose; nothing here reaches a simulation). */
#pragma once

#include <stdbool.h>
#include <glib.h>

/* Cache-model accesses per second: an L1-hit stream and a miss-heavy
 * stream, on a Cortex-A9-like two-core hierarchy. */
bool hwbench_caches(double scale, GString *text, GString *json, GError **error);
