/* tests/fuzz/fuzz_files.c: harness (d) of issue 19: the small files a user
 * hands the analysis: a task set (CSV or Lua) through `cossim analyze
 * --taskset` with each policy, priority assignment and partitioning, a
 * bounds file through `cossim check` (against data/base.db), and a
 * schedulability CSV through `cossim plot schedulability`.
 *
 * Byte 0 says what the rest is and how it is read:
 *   bits 0-1  0 task-set CSV, 1 task-set Lua, 2 bounds file, 3 schedulability CSV;
 *   bits 2-3  (task sets) fp with the priority column, fp dm, fp audsley, edf;
 *   bits 4-5  (task sets) no --cores, or --cores 2, 3, 4;
 *   bits 6-7  (task sets, with --cores) ff, bfd, wf, wfd.
 * What the command prints goes to standard output (libFuzzer's
 * -close_fd_mask and the replay test discard it); gnuplot never runs (the
 * harness's PATH names no folder: fuzz_trace.c says why). */
#include "fuzz.h"

#include <string.h>
#include <glib.h>
#include "analysis/check.h"
#include "analysis/cli_taskset.h"
#include "analysis/plot.h"

int cosfuzz_files(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static bool once;
    if (!once) {
        once = true;
        g_setenv("PATH", "/nonexistent-cossim-fuzz", TRUE);
    }
    unsigned kind = data[0] & 3, how = (data[0] >> 2) & 3, cores = (data[0] >> 4) & 3, part = data[0] >> 6;
    static const char *const names[] = { "t.csv", "t.lua", "b.lua", "s.csv" };
    g_autofree char *path = cosfuzz_write(names[kind], data + 1, size - 1);
    if (kind <= 1) {
        static const char *const policy[] = { "fp", "fp", "fp", "edf" };
        static const char *const assign[] = { NULL, "dm", "audsley", NULL };
        static const char *const partition[] = { "ff", "bfd", "wf", "wfd" };
        an_taskset_args a = { .path = path, .policy = policy[how], .assign = assign[how],
                              .partition = cores ? partition[part] : NULL, .cores = cores ? (int)cores + 1 : 0,
                              .json = (part & 1) != 0 };
        GError *err = NULL;
        an_analyze_taskset(&a, &err);
        g_clear_error(&err);
    } else if (kind == 2) {
        g_autofree char *base = g_build_filename(cosfuzz_source(), "data", "base.db", NULL);
        g_autofree char *bytes = NULL;
        gsize len = 0;
        if (!g_file_get_contents(base, &bytes, &len, NULL))
            abort();
        g_autofree char *trace = cosfuzz_write("t.db", bytes, len);
        GString *out = g_string_new(NULL), *msg = g_string_new(NULL);
        an_check(trace, path, out, msg);
        g_string_free(out, TRUE);
        g_string_free(msg, TRUE);
    } else {
        g_autofree char *fig = g_build_filename(cosfuzz_dir(), "s.svg", NULL);
        char *argv[] = { "plot", "schedulability", path, "--output", fig, NULL };
        an_cli_plot(5, argv);
    }
    cosfuzz_clean();
    return 0;
}
