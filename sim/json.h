/* sim/json.h: the few pieces of JSON writing the command line needs.
 * Output is deterministic: the caller decides key order (sorted, where a
 * Lua table is converted). */
#pragma once

#include <stdint.h>
#include <sys/types.h>
#include <glib.h>

/* A JSON string literal, quotes included; invalid UTF-8 bytes become U+FFFD. */
void simjson_string(GString *out, const char *s, ssize_t len);
/* A number: shortest form that reads back to the same double ("%.17g"
 * trimmed); NaN and infinities, which JSON lacks, become null. */
void simjson_double(GString *out, double v);
void simjson_int(GString *out, int64_t v);
