/* tests/fuzz/test_scratch.c: a fuzzing process's scratch folder, and the
 * folders of processes that ended without their exit cleanup (a libFuzzer
 * timeout or crash: issue 19).  The first cosfuzz_dir() of a process
 * removes every cosfuzz-scratch-PID-* folder whose process is gone and
 * leaves those of live processes. */
#include <setjmp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz.h"

static char *tmp;

static char *folder(long pid, const char *suffix, bool with_file)
{
    char *p = g_strdup_printf("%s/cosfuzz-scratch-%ld-%s", tmp, pid, suffix);
    assert_int_equal(g_mkdir(p, 0700), 0);
    if (with_file) {
        g_autofree char *f = g_build_filename(p, "left.db", NULL);
        assert_true(g_file_set_contents(f, "x", 1, NULL));
    }
    return p;
}

static void test_stale_folders(void **state)
{
    (void)state;
    /* a process that has ended: a child, waited for (its id is free, and
     * nothing runs under it in the instant this test takes) */
    pid_t dead = fork();
    assert_true(dead >= 0);
    if (dead == 0)
        _exit(0);
    assert_int_equal(waitpid(dead, NULL, 0), dead);
    g_autofree char *gone = folder(dead, "AbC123", true);
    g_autofree char *alive = folder((long)getppid(), "DeF456", true);   /* the test runner: alive */
    g_autofree char *other = g_strdup_printf("%s/cosfuzz-scratch-notapid", tmp);
    assert_int_equal(g_mkdir(other, 0700), 0);
    const char *mine = cosfuzz_dir();
    assert_non_null(mine);
    assert_true(g_str_has_prefix(mine, tmp));
    assert_false(g_file_test(gone, G_FILE_TEST_EXISTS));     /* swept, with its file */
    assert_true(g_file_test(alive, G_FILE_TEST_IS_DIR));     /* a live process's: kept */
    assert_true(g_file_test(other, G_FILE_TEST_IS_DIR));     /* not a scratch folder's name: kept */
    g_autofree char *want = g_strdup_printf("%s/cosfuzz-scratch-%ld-", tmp, (long)getpid());
    assert_true(g_str_has_prefix(mine, want));               /* its own carries its id */
    g_autofree char *f = cosfuzz_write("a.txt", "y", 1);
    assert_true(g_file_test(f, G_FILE_TEST_IS_REGULAR));
    g_autofree char *la = g_build_filename(alive, "left.db", NULL);
    g_remove(la);
    g_rmdir(alive);
    g_rmdir(other);
}

/* registered before the harness's own exit cleanup, so it runs after it */
static void remove_base(void)
{
    g_rmdir(tmp);
}

int main(void)
{
    /* a private temporary folder, before anything asks GLib for one */
    char base[] = "/tmp/cosfuzz-test-XXXXXX";
    assert_non_null(g_mkdtemp(base));
    tmp = g_strdup(base);
    atexit(remove_base);
    g_setenv("TMPDIR", tmp, TRUE);
    const struct CMUnitTest tests[] = { cmocka_unit_test(test_stale_folders) };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    return rc;
}
