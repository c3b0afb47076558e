/* sim/simtime.h: virtual time.
 *
 * Simulated time is an unsigned 64-bit count of picoseconds since the start of
 * the run (about 213 days at most).  It only ever advances by what the model
 * charges; host time never becomes simulated time.  This file also owns the
 * one text form of a time that users type: a number with a unit (ps, ns, us,
 * ms, s), used by the command line and by scenarios alike.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <glib.h>

typedef uint64_t sim_time_t;

#define SIM_TIME_MAX UINT64_MAX
#define SIM_PS ((sim_time_t)1)
#define SIM_NS ((sim_time_t)1000)
#define SIM_US ((sim_time_t)1000000)
#define SIM_MS ((sim_time_t)1000000000)
#define SIM_S  ((sim_time_t)1000000000000)

#define SIMT_ERROR (simt_error_quark())
GQuark simt_error_quark(void);
enum { SIMT_ERROR_SYNTAX, SIMT_ERROR_RANGE };

/* Parse "250us", "1.5ms", "10 s", "42ps".  A unit is required: a bare number
 * is ambiguous and refused.  Decimal fractions are exact (parsed as decimal
 * digits, not through a double) and must land on a whole picosecond. */
bool simt_parse(const char *text, sim_time_t *out, GError **error);
/* The hint for a bare integer v where a time is expected: which unit to
 * write, e.g. for 1000000: write e.g. "1000000ns" or "1ms"; units: ps, ns,
 * us, ms, s.  Returns buf. */
char *simt_unit_hint(int64_t v, char *buf, size_t len);

/* Write t with the largest unit that keeps it readable, e.g. "1.5ms",
 * "250us", "3ps".  Exact: trailing digits are kept rather than rounded.
 * Returns buf. */
char *simt_format(sim_time_t t, char *buf, size_t len);
#define SIMT_FMT_LEN 48

/* Whole units, in picoseconds, of a unit name ("ps", "ns", "us", "ms", "s");
 * 0 if the name is not a unit. */
sim_time_t simt_unit(const char *name, size_t len);
