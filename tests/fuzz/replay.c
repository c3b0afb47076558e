/* tests/fuzz/replay.c: the fuzzing corpora, replayed by the normal build
 * (gcc, no clang, no libFuzzer): every file of tests/fuzz/corpus/NAME and
 * tests/fuzz/regressions/NAME (the inputs that once crashed, hung or broke
 * an invariant, kept after their fix) through harness NAME's entry point,
 * in name order.  A case passes when every input returns: a crash, a
 * sanitizer report (in the ASan build) or a harness's abort() fails it, so
 * a fixed bug stays fixed.  What the readers print is discarded. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>
#include "fuzz.h"

typedef int (*entry_fn)(const uint8_t *, size_t);

static gint by_name(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every file of folder dir through fn, in name order; how many. */
static unsigned replay_dir(const char *dir, entry_fn fn)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    if (d == NULL)
        return 0;
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    const char *n;
    while ((n = g_dir_read_name(d)) != NULL)
        if (n[0] != '.')
            g_ptr_array_add(names, g_strdup(n));
    g_dir_close(d);
    g_ptr_array_sort(names, by_name);
    unsigned count = 0;
    for (guint i = 0; i < names->len; i++) {
        g_autofree char *path = g_build_filename(dir, g_ptr_array_index(names, i), NULL);
        g_autofree char *bytes = NULL;
        gsize len = 0;
        if (!g_file_get_contents(path, &bytes, &len, NULL))
            fail_msg("cannot read %s", path);
        fflush(stdout);
        int saved = dup(STDOUT_FILENO), null = open("/dev/null", O_WRONLY);
        dup2(null, STDOUT_FILENO);
        close(null);
        fn((const uint8_t *)bytes, len);
        fflush(stdout);
        dup2(saved, STDOUT_FILENO);
        close(saved);
        count++;
    }
    g_ptr_array_free(names, TRUE);
    return count;
}

static void replay(const char *name, entry_fn fn)
{
    g_autofree char *corpus = g_build_filename(cosfuzz_source(), "corpus", name, NULL);
    g_autofree char *regressions = g_build_filename(cosfuzz_source(), "regressions", name, NULL);
    unsigned n = replay_dir(corpus, fn);
    unsigned r = replay_dir(regressions, fn);
    print_message("%s: %u corpus files, %u regressions\n", name, n, r);
    assert_true(n > 0);
}

static void test_scenario(void **state) { (void)state; replay("scenario", cosfuzz_scenario); }
static void test_kernel(void **state) { (void)state; replay("kernel", cosfuzz_kernel); }
static void test_trace(void **state) { (void)state; replay("trace", cosfuzz_trace); }
static void test_files(void **state) { (void)state; replay("files", cosfuzz_files); }

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scenario),
        cmocka_unit_test(test_kernel),
        cmocka_unit_test(test_trace),
        cmocka_unit_test(test_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
