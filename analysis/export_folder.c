/* analysis/export_folder.c: the folder a multi-file export writes into
 * (export.h), apart from the verb so that the formats do not call back
 * into the file that calls them. */
#include "export.h"

#include <errno.h>
#include <sys/stat.h>

bool an_export_folder(const char *dir, GError **error)
{
    struct stat sb;
    if (stat(dir, &sb) == 0 && !S_ISDIR(sb.st_mode)) {
        g_set_error(error, an_export_error_quark(), 2, "--output: '%s' is not a folder", dir);
        return false;
    }
    if (stat(dir, &sb) != 0 && mkdir(dir, 0777) != 0) {
        g_set_error(error, an_export_error_quark(), 2, "--output: cannot make the folder '%s': %s", dir, g_strerror(errno));
        return false;
    }
    return true;
}
