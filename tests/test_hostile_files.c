/* tests/test_hostile_files.c: what `cossim run` may write over, and the
 * temporary trace of a run stopped by a signal (issue 19, item 7), end to
 * end (suite: scenario).  argv: the cossim binary.
 *
 * A trace is written to NAME.tmp-PID-XXXXXX and renamed over NAME when
 * complete: no run may leave that file behind, whatever stops it, and the
 * rename may replace nothing but a regular file that is not the scenario. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "cli_util.h"

/* A run that goes on until killed: a tick every simulated microsecond for
 * 100 s (10^8 events, minutes of host time). */
static const char long_script[] = "local function tick() sim.after('1us', tick) end\n"
                                  "sim.after('1us', tick)\n"
                                  "for i = 1, 1e6 do print('line ' .. i) sim.run('100us') end\n";

static int count_temps(const char *dir)
{
    int n = 0;
    GDir *d = g_dir_open(dir, 0, NULL);
    const char *name;
    while (d && (name = g_dir_read_name(d)))
        n += strstr(name, ".tmp-") != NULL;
    if (d)
        g_dir_close(d);
    return n;
}

/* The child starts with every signal at its default (a test runner may
 * ignore some, and an ignored signal stays ignored across exec). */
static void default_signals(gpointer data)
{
    (void)data;
    for (int sig = 1; sig < NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP)
            signal(sig, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

/* Start `cossim run long.lua --trace l.db` in dir; its stdout a pipe (*out)
 * or /dev/null. */
static GPid start_long(const char *dir, int *out)
{
    g_autofree char *path = g_build_filename(dir, "long.lua", NULL);
    assert_true(g_file_set_contents(path, long_script, -1, NULL));
    const char *argv[] = { cossim, "run", "long.lua", "--trace", "l.db", "--timeout", "120", NULL };
    GPid pid;
    GError *err = NULL;
    GSpawnFlags flags = G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDERR_TO_DEV_NULL | (out ? 0 : G_SPAWN_STDOUT_TO_DEV_NULL);
    if (!g_spawn_async_with_pipes(dir, (char **)argv, NULL, flags, default_signals, NULL, &pid, NULL, out, NULL, &err))
        fail_msg("cannot start cossim: %s", err->message);
    return pid;
}

static void wait_for_temp(const char *dir)
{
    for (int i = 0; i < 1000 && count_temps(dir) == 0; i++)
        g_usleep(5000);
    assert_int_equal(count_temps(dir), 1);
}

static int wait_status(GPid pid)
{
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    return st;
}

/* Before issue 19 only SIGINT, SIGTERM and SIGHUP removed the file; every
 * other signal whose default ends a process left NAME.tmp-XXXXXX.  Each
 * still ends the run by that signal (as a shell expects), file removed. */
static void test_every_fatal_signal(void **state)
{
    (void)state;
    static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGXCPU, SIGXFSZ, SIGPIPE,
                                SIGVTALRM, SIGPROF, SIGALRM, SIGABRT, SIGSEGV, SIGBUS, SIGSYS };
    for (size_t i = 0; i < G_N_ELEMENTS(sigs); i++) {
        char *dir = tmpdir();
        GPid pid = start_long(dir, NULL);
        wait_for_temp(dir);
        kill(pid, sigs[i]);
        int st = wait_status(pid);
        /* (under AddressSanitizer, whose handler we chain to, a SIGSEGV or
         * SIGBUS ends the run with its report and exit status instead) */
        bool sanitized = (sigs[i] == SIGSEGV || sigs[i] == SIGBUS) && WIFEXITED(st) && WEXITSTATUS(st) != 0;
        if (!sanitized && (!WIFSIGNALED(st) || WTERMSIG(st) != sigs[i]))
            fail_msg("%s: the run ended with status 0x%x, not by the signal", strsignal(sigs[i]), st);
        if (count_temps(dir) != 0)
            fail_msg("%s left the temporary trace", strsignal(sigs[i]));
        tu_rmtree(dir);
        g_free(dir);
    }
}

/* `cossim run ... | head -n 1`: the reader goes away, the next write
 * raises SIGPIPE. */
static void test_broken_pipe(void **state)
{
    (void)state;
    char *dir = tmpdir();
    int out;
    GPid pid = start_long(dir, &out);
    char line[64];
    FILE *f = fdopen(out, "r");
    assert_non_null(fgets(line, sizeof line, f));
    wait_for_temp(dir);
    fclose(f);
    int st = wait_status(pid);
    if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGPIPE)
        fail_msg("the run ended with status 0x%x, not by SIGPIPE", st);
    assert_int_equal(count_temps(dir), 0);
    tu_rmtree(dir);
    g_free(dir);
}

/* A signal right after the temporary file is made: the handlers were
 * installed after it, and SIGTERM there left it 101 times in 200.  Now the
 * file is made with signals held and the handlers already in place.  The
 * delays run from 0 to 1.5 times the time the file takes to appear
 * (measured first: a sanitized build starts slower). */
static void test_signal_at_creation(void **state)
{
    (void)state;
    char *dir = tmpdir();
    GPid pid = start_long(dir, NULL);
    gint64 t0 = g_get_monotonic_time();
    for (int i = 0; i < 100000 && count_temps(dir) == 0; i++)
        g_usleep(100);
    gint64 appear = g_get_monotonic_time() - t0;
    kill(pid, SIGTERM);
    wait_status(pid);
    assert_int_equal(count_temps(dir), 0);
    int made = 0;
    static const int sigs[] = { SIGTERM, SIGHUP, SIGINT, SIGSYS };
    for (int i = 0; i < 120; i++) {
        gint64 delay = appear * 3 / 2 * (i % 60) / 60;
        pid = start_long(dir, NULL);
        g_usleep((gulong)delay);
        made += count_temps(dir) > 0;
        kill(pid, sigs[i % 4]);
        wait_status(pid);
        if (count_temps(dir) != 0)
            fail_msg("%s %" G_GINT64_FORMAT " us after the start left the temporary trace", strsignal(sigs[i % 4]),
                     delay);
    }
    /* the delays reached past the file's creation (else this proved nothing) */
    assert_true(made > 0);
    tu_rmtree(dir);
    g_free(dir);
}

/* SIGKILL cannot be caught: its file is left, and the next run that writes
 * a trace in the folder removes it (its pid is gone, nothing locks it).
 * Files of a live process, and files only named alike, are kept. */
static void test_sigkill_swept(void **state)
{
    (void)state;
    char *dir = tmpdir();
    GPid pid = start_long(dir, NULL);
    wait_for_temp(dir);
    kill(pid, SIGKILL);
    wait_status(pid);
    assert_int_equal(count_temps(dir), 1);
    g_autofree char *live = g_strdup_printf("%s/other.db.tmp-%ld-abcDEF", dir, (long)getpid());
    g_autofree char *unlike = g_build_filename(dir, "notes.tmp-12-abc", NULL);
    assert_true(g_file_set_contents(live, "x", -1, NULL));
    assert_true(g_file_set_contents(unlike, "x", -1, NULL));
    g_autofree char *s = g_build_filename(dir, "s.lua", NULL);
    assert_true(g_file_set_contents(s, "sim.run('1us')\n", -1, NULL));
    result r = run_in(dir, cossim, "run", "s.lua", "--trace", "s.db", NULL);
    expect_status(&r, 0);
    result_clear(&r);
    assert_int_equal(count_temps(dir), 2);     /* the live one and the unlike one */
    assert_true(g_file_test(live, G_FILE_TEST_EXISTS));
    assert_true(g_file_test(unlike, G_FILE_TEST_EXISTS));
    tu_rmtree(dir);
    g_free(dir);
}

/* `cossim run same.lua --trace same.lua` replaced the scenario with the
 * database; --trace naming a device node replaced the node (as root,
 * --trace /dev/null removed /dev/null).  Both refused, nothing touched. */
static void test_trace_over_scenario(void **state)
{
    (void)state;
    char *dir = tmpdir();
    g_autofree char *s = g_build_filename(dir, "same.lua", NULL), *hard = g_build_filename(dir, "hard.lua", NULL);
    assert_true(g_file_set_contents(s, "sim.run('1us')\n", -1, NULL));
    assert_int_equal(link(s, hard), 0);
    static const char *const names[] = { "same.lua", "./same.lua", "hard.lua" };
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        result r = run_in(dir, cossim, "run", "same.lua", "--trace", names[i], NULL);
        if (r.status != 2 || strstr(r.err, "is the scenario itself") == NULL)
            fail_msg("--trace %s: exit %d, %s", names[i], r.status, r.err);
        result_clear(&r);
        g_autofree char *text = NULL;
        assert_true(g_file_get_contents(s, &text, NULL, NULL));
        assert_string_equal(text, "sim.run('1us')\n");
    }
    tu_rmtree(dir);
    g_free(dir);
}

static void test_trace_over_special_files(void **state)
{
    (void)state;
    char *dir = tmpdir();
    g_autofree char *s = g_build_filename(dir, "s.lua", NULL), *fifo = g_build_filename(dir, "fifo", NULL);
    g_autofree char *dev = g_build_filename(dir, "null", NULL);
    assert_true(g_file_set_contents(s, "sim.run('1us')\n", -1, NULL));
    assert_int_equal(mkfifo(fifo, 0600), 0);
    /* a character device of our own (1, 3 is what /dev/null is), if we may
     * make one (root in most containers); never the real /dev/null */
    bool have_dev = mknod(dev, S_IFCHR | 0600, makedev(1, 3)) == 0;
    const char *targets[] = { "fifo", "null" };
    for (size_t i = 0; i < (have_dev ? 2u : 1u); i++) {
        result r = run_in(dir, cossim, "run", "s.lua", "--trace", targets[i], NULL);
        if (r.status != 2 || strstr(r.err, "is not a regular file") == NULL)
            fail_msg("--trace %s: exit %d, %s", targets[i], r.status, r.err);
        result_clear(&r);
    }
    struct stat st;
    assert_int_equal(stat(fifo, &st), 0);
    assert_true(S_ISFIFO(st.st_mode));
    if (have_dev) {
        assert_int_equal(stat(dev, &st), 0);
        assert_true(S_ISCHR(st.st_mode));
    } else {
        print_message("(no device node test: mknod: %s)\n", g_strerror(errno));
    }
    assert_int_equal(count_temps(dir), 0);
    tu_rmtree(dir);
    g_free(dir);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s COSSIM\n", argv[0]);
        return 2;
    }
    cossim = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trace_over_scenario),
        cmocka_unit_test(test_trace_over_special_files),
        cmocka_unit_test(test_every_fatal_signal),
        cmocka_unit_test(test_broken_pipe),
        cmocka_unit_test(test_signal_at_creation),
        cmocka_unit_test(test_sigkill_swept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
