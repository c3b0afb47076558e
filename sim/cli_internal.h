/* sim/cli_internal.h: what the command line's files share (cli.c,
 * cli_scenarios.c); not for the other layers (they see cli.h). */
#pragma once

#include <glib.h>

/* A usage error: "cossim VERB: message" on stderr; returns SIMCLI_EXIT_USAGE. */
int simcli_usage_error(const char *verb, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* `cossim scenarios [--json]`. */
int simcli_cmd_scenarios(int argc, char **argv);
