/* sim/cli_usage.c: the command line's usage errors (cli_internal.h). */
#include <stdarg.h>
#include <stdio.h>
#include <glib.h>

#include "cli.h"
#include "cli_internal.h"

int simcli_usage_error(const char *verb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    fprintf(stderr, "cossim%s%s: %s\n", verb ? " " : "", verb ? verb : "", msg);
    return SIMCLI_EXIT_USAGE;
}
