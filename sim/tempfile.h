/* sim/tempfile.h: temporary files that do not outlive their process.
 *
 * A trace is written to a temporary file beside its name and renamed over
 * it when complete (trace.h).  A run stopped by a signal removes its
 * temporary file (sim/cli.c), but nothing runs on SIGKILL or a power cut.
 * So the name carries the writer's process id, NAME.tmp-PID-XXXXXX, and the
 * next run that writes a trace in the same folder removes every such file
 * whose process is gone and that no process holds a lock on (SQLite keeps
 * a POSIX lock on a database it writes, so a live writer in another pid
 * namespace or on another host of a network folder is still seen).
 */
#pragma once

#include <glib.h>

/* Create "PATH.tmp-PID-XXXXXX" (mode 0600) and return its open descriptor,
 * its name in *temp (g_free it); -1 with errno set on failure. */
int simtmp_create(const char *path, char **temp);
/* Remove the temporary files of dead writers in the folder of path; the
 * number removed.  Never touches a file whose name is not of that form, that
 * is not a regular file, whose process is alive, or that is locked. */
int simtmp_sweep(const char *path);
/* True if name (a file name, no folder) has the form of a temporary file,
 * with its writer's pid in *pid. */
gboolean simtmp_parse(const char *name, long *pid);
