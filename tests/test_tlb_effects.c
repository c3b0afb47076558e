/* tests/test_tlb_effects.c: the TLB and address-space effects of a warm
 * round trip (issue 16, item 3), through the cossim command and the
 * shipped ipc-roundtrip scenario (suite: scenario).  argv: the cossim
 * binary.
 *
 * What the model does (docs/calibration.md, "TLB and address-space
 * effects"): each return to user level translates the page the resumed
 * user code is fetched from and its stack page (the booter maps one of
 * each per component after its memory); kernel pages are global and never
 * walk.  With PCID/ASID in use a warm round trip finds both in the TLB;
 * without, every page-table switch flushes the non-global entries, and
 * each of those pages is walked again. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "cli_util.h"

/* The distinct user pages a warm round trip touches after its switches,
 * counted by hand:
 *   sinv: the sinv returns into the server: server code page, server
 *         stack page; the sret returns into the client: client code page,
 *         client stack page;                                        = 4
 *   ipc:  the client's call resumes the server thread in the server:
 *         server code, server stack; the server's reply-and-wait resumes
 *         the client: client code, client stack;                    = 4
 * The benchmark's components touch no memory of their own in the loop.
 *
 * The least a walk can cost: every descriptor read at least an L1 hit
 * (the presets' l1d hit_cycles, 4 on both).  x86-64 4-level paging reads
 * PML4E, PDPTE, PDE and PTE for a 4 KiB page (SDM vol. 3A 4.5): 4 x 4 = 16
 * cycles.  ARMv7-A short descriptors read the first-level and the
 * second-level descriptor (DDI 0406C B3.5): 2 x 4 = 8 cycles.  So with the
 * ids off the round trip is longer by at least 4 x 16 = 64 cycles on
 * x86_64 and 4 x 8 = 32 on cortex-a9. */
#define PAGES_PER_ROUND_TRIP 4
static const struct {
    const char *preset;
    double min_walk;
} machines[] = { { "x86_64", 16 }, { "cortex-a9", 8 } };

static void test_asid_off_walks(void **state)
{
    (void)state;
    char *dir = tmpdir();
    result r = run_in(dir, cossim, "run", "ipc-roundtrip", "--set", "presets=x86_64,cortex-a9", "--set",
                      "iterations=50", "--set", "warmup=10", "--json", "--trace", "none", NULL);
    expect_status(&r, 0);
    for (size_t i = 0; i < G_N_ELEMENTS(machines); i++) {
        const char *m = machines[i].preset;
        for (int k = 0; k < 2; k++) {
            const char *path = k ? "ipc" : "sinv";
            g_autofree char *what = g_strdup_printf("%s %s", m, path);
            /* ids on: warm, every translation hits */
            in_band(what, JP(r.out, m, path, "parts", "walks"), 0, 0);
            in_band(what, JP(r.out, m, path, "parts", "walk"), 0, 0);
            /* ids off: one walk per page, each round trip */
            in_band(what, JP(r.out, m, path, "untagged", "parts", "walks"), PAGES_PER_ROUND_TRIP,
                    PAGES_PER_ROUND_TRIP);
            double on = JP(r.out, m, path, "warm", "median"), off = JP(r.out, m, path, "untagged", "median");
            double least = PAGES_PER_ROUND_TRIP * machines[i].min_walk;
            if (!(off - on >= least))
                fail_msg("%s: %.0f cycles with the ids off, %.0f on: expected a difference of at least %.0f "
                         "(%d walks of at least %.0f)", what, off, on, least, PAGES_PER_ROUND_TRIP,
                         machines[i].min_walk);
            /* and the walks' own cycles are at least that too */
            if (!(JP(r.out, m, path, "untagged", "parts", "walk") >= least))
                fail_msg("%s: walk part %.0f, expected at least %.0f", what,
                         JP(r.out, m, path, "untagged", "parts", "walk"), least);
        }
        /* the ULS rows are those figures, named */
        in_band("uls upcall", JP(r.out, m, "sinv", "uls", "upcall"), JP(r.out, m, "sinv", "warm", "median"),
                JP(r.out, m, "sinv", "warm", "median"));
        in_band("uls flush", JP(r.out, m, "sinv", "uls", "flush_reload"),
                JP(r.out, m, "sinv", "untagged", "median") - JP(r.out, m, "sinv", "warm", "median"),
                JP(r.out, m, "sinv", "untagged", "median") - JP(r.out, m, "sinv", "warm", "median"));
    }
    result_clear(&r);
    tu_rmtree(dir);
    g_free(dir);
}

/* A Cortex-M has no MMU: no ids to turn off, so no such row, and no walks. */
static void test_mpu_no_rows(void **state)
{
    (void)state;
    char *dir = tmpdir();
    result r = run_in(dir, cossim, "run", "ipc-roundtrip", "--set", "presets=cortex-m7", "--set", "iterations=20",
                      "--set", "warmup=5", "--json", "--trace", "none", NULL);
    expect_status(&r, 0);
    in_band("m7 walks", JP(r.out, "cortex-m7", "sinv", "parts", "walks"), 0, 0);
    if (strstr(r.out, "untagged") != NULL)
        fail_msg("cortex-m7 has an ids-off row: %s", r.out);
    result_clear(&r);
    tu_rmtree(dir);
    g_free(dir);
}

int main(int argc, char **argv)
{
    if (!cli_args(argc, argv, 2))
        return 2;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_asid_off_walks),
        cmocka_unit_test(test_mpu_no_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
