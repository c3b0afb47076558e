/* sim/tempfile.c: temporary files named after their process, and the sweep
 * of those whose process is gone (see tempfile.h).  Calls nothing else of
 * the engine. */
#include "tempfile.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MARK ".tmp-"

int simtmp_create(const char *path, char **temp)
{
    *temp = g_strdup_printf("%s" MARK "%ld-XXXXXX", path, (long)getpid());
    int fd = g_mkstemp_full(*temp, O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0) {
        int e = errno;
        g_clear_pointer(temp, g_free);
        errno = e;
    }
    return fd;
}

gboolean simtmp_parse(const char *name, long *pid)
{
    const char *m = g_strrstr(name, MARK);
    if (m == NULL || m == name)
        return FALSE;
    const char *p = m + strlen(MARK), *digits = p;
    while (g_ascii_isdigit(*p))
        p++;
    if (p == digits || p - digits > 9 || *p != '-')
        return FALSE;
    const char *x = p + 1;
    for (int i = 0; i < 6; i++)
        if (!g_ascii_isalnum(x[i]) && x[i] != '_' && x[i] != '-')
            return FALSE;
    if (x[6] != '\0')
        return FALSE;
    *pid = strtol(digits, NULL, 10);
    return *pid > 0;
}

/* No process holds a POSIX lock on any byte of the open file fd. */
static gboolean unlocked(int fd)
{
    struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
    return fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type == F_UNLCK;
}

int simtmp_sweep(const char *path)
{
    g_autofree char *dir = g_path_get_dirname(path);
    GDir *d = g_dir_open(dir, 0, NULL);
    if (d == NULL)
        return 0;
    int removed = 0;
    const char *name;
    while ((name = g_dir_read_name(d))) {
        long pid;
        if (!simtmp_parse(name, &pid) || pid == (long)getpid())
            continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;                     /* alive (or not ours to judge) */
        g_autofree char *full = g_build_filename(dir, name, NULL);
        int fd = open(full, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
        if (fd < 0)
            continue;
        struct stat st;
        /* the lock test's close() drops no lock of ours: we hold none on it */
        if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && unlocked(fd) && unlink(full) == 0)
            removed++;
        close(fd);
    }
    g_dir_close(d);
    return removed;
}
