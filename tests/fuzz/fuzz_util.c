/* tests/fuzz/fuzz_util.c: what the harnesses share (fuzz.h): a private
 * scratch folder, a null stream, the fixtures' folder and the count of
 * adversarial system calls.  Process-wide on purpose: a fuzzing process
 * runs one harness, input after input, and the folder must outlive them. */
#include "fuzz.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>

static char *scratch;
static uint64_t calls;

static void remove_tree(const char *dir)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    if (d == NULL)
        return;
    const char *n;
    while ((n = g_dir_read_name(d)) != NULL) {
        g_autofree char *p = g_build_filename(dir, n, NULL);
        if (g_file_test(p, G_FILE_TEST_IS_DIR) && !g_file_test(p, G_FILE_TEST_IS_SYMLINK))
            remove_tree(p);
        g_remove(p);
    }
    g_dir_close(d);
}

static void at_exit(void)
{
    if (scratch) {
        remove_tree(scratch);
        g_rmdir(scratch);
    }
    const char *stats = getenv("COSSIM_FUZZ_STATS");
    if (stats && calls) {
        FILE *f = fopen(stats, "a");
        if (f) {
            fprintf(f, "syscalls %" G_GUINT64_FORMAT "\n", calls);
            fclose(f);
        }
    }
}

static void init(void)
{
    static bool done;
    if (done)
        return;
    done = true;
    atexit(at_exit);
}

/* The folders of fuzzing processes that are gone: a process ended by a
 * timeout, a crash or a signal never ran its exit cleanup.  Each folder
 * carries its process's id (cosfuzz-scratch-PID-XXXXXX); one whose process
 * no longer exists is removed.  (A reused id keeps a stale folder until
 * that process ends too: the leak stays bounded.) */
static void sweep_stale(void)
{
    const char *tmp = g_get_tmp_dir();
    GDir *d = g_dir_open(tmp, 0, NULL);
    if (d == NULL)
        return;
    const char *n;
    while ((n = g_dir_read_name(d)) != NULL) {
        if (!g_str_has_prefix(n, "cosfuzz-scratch-"))
            continue;
        char *end = NULL;
        long pid = strtol(n + strlen("cosfuzz-scratch-"), &end, 10);
        if (end == NULL || *end != '-' || pid <= 0 || pid == (long)getpid())
            continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;       /* alive (or not ours to ask): left alone */
        g_autofree char *p = g_build_filename(tmp, n, NULL);
        if (g_file_test(p, G_FILE_TEST_IS_DIR) && !g_file_test(p, G_FILE_TEST_IS_SYMLINK)) {
            remove_tree(p);
            g_rmdir(p);
        }
    }
    g_dir_close(d);
}

const char *cosfuzz_dir(void)
{
    init();
    if (scratch == NULL) {
        sweep_stale();
        g_autofree char *tmpl = g_strdup_printf("cosfuzz-scratch-%ld-XXXXXX", (long)getpid());
        scratch = g_dir_make_tmp(tmpl, NULL);
        if (scratch == NULL)
            abort();
    }
    return scratch;
}

char *cosfuzz_write(const char *name, const void *data, size_t size)
{
    char *path = g_build_filename(cosfuzz_dir(), name, NULL);
    if (!g_file_set_contents(path, (const char *)data, (gssize)size, NULL))
        abort();
    return path;
}

void cosfuzz_clean(void)
{
    if (scratch)
        remove_tree(scratch);
}

FILE *cosfuzz_null(void)
{
    static FILE *null;
    if (null == NULL && (null = fopen("/dev/null", "w")) == NULL)
        abort();
    return null;
}

const char *cosfuzz_source(void)
{
    const char *env = getenv("COSSIM_FUZZ_SOURCE");
    return env ? env : COSSIM_FUZZ_SOURCE;
}

void cosfuzz_count_calls(uint64_t n)
{
    init();
    calls += n;
}
