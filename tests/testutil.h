/* tests/testutil.h: helpers shared by the test programs (header-only;
 * include after <cmocka.h>). */
#pragma once

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib.h>

/* Run fn in a child process and describe how it ended, e.g. "killed by
 * Aborted" (what g_assert does) or "exited with status 0".  cmocka's
 * expect_assert_failure cannot catch g_assert, which aborts instead of
 * calling mock_assert, so misuse is checked in a child.  The child's
 * output goes to /dev/null and it leaves no core file. */
static inline const char *tu_run_child(void (*fn)(void), char *buf, size_t len)
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct rlimit no_core = { 0, 0 };
        setrlimit(RLIMIT_CORE, &no_core);
        signal(SIGABRT, SIG_DFL);
        if (freopen("/dev/null", "w", stderr) == NULL || freopen("/dev/null", "w", stdout) == NULL)
            _exit(98);
        fn();
        _exit(0);      /* no assertion fired */
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (WIFSIGNALED(status))
        g_snprintf(buf, len, "killed by %s", strsignal(WTERMSIG(status)));
    else
        g_snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
    return buf;
}

/* Entries in a folder (0 if it cannot be read). */
static inline int tu_count_files(const char *dir)
{
    int n = 0;
    GDir *d = g_dir_open(dir, 0, NULL);
    while (d && g_dir_read_name(d))
        n++;
    if (d)
        g_dir_close(d);
    return n;
}

/* Remove a folder and what it holds (one level of subfolders). */
static inline void tu_rmtree(const char *dir)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    const char *n;
    while (d && (n = g_dir_read_name(d))) {
        g_autofree char *p = g_build_filename(dir, n, NULL);
        if (g_file_test(p, G_FILE_TEST_IS_DIR) && !g_file_test(p, G_FILE_TEST_IS_SYMLINK))
            tu_rmtree(p);
        else
            unlink(p);
    }
    if (d)
        g_dir_close(d);
    rmdir(dir);
}
