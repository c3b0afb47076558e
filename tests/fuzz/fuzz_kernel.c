/* tests/fuzz/fuzz_kernel.c: harness (b) of issue 19: the structured
 * system-call adversary (tests/adversary.h) with the input as its tape:
 * every choice of every adversary (which operation, which capability,
 * which arguments, whether to build a server chain, remove a capability
 * from inside it, wait, switch, retype) is read from the bytes, so that
 * libFuzzer's coverage feedback steers the calls.
 *
 * Byte 0 picks the machine (x86_64, cortex-a9, cortex-m7 and cortex-m33:
 * page tables, the ARMv7 format, the v7-M and v8-M MPUs) and the mode
 * (plain, or deep: chains of servers and victims); the rest is the tape.
 * The kernel's invariant checker runs after every kernel path and the
 * state is fingerprinted around every STRIDE-th call; any property of
 * kadv_failure that fails aborts with its words. */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include "../adversary.h"

#define BUDGET 4000u     /* calls at most per input (the tape usually ends first) */
#define STRIDE 8u

static const char *const presets[] = { "x86_64", "cortex-a9", "cortex-m7", "cortex-m33" };

int cosfuzz_kernel(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    kadv_opts o = {
        .preset = presets[data[0] & 3],
        .deep = (data[0] & 4) != 0,
        .budget = BUDGET,
        .stride = STRIDE,
        .seed = 0,
        .boot_unchecked = true,
        .tape = data + 1,
        .tape_len = size - 1,
    };
    kadv_reached r = { 0 };
    kadv_result res;
    kadv_run(&o, &r, &res);
    cosfuzz_count_calls(res.calls);
    const char *why = kadv_failure(&res);
    if (why) {
        fprintf(stderr, "cosfuzz_kernel: %s (%s, %s): %s\n", why, o.preset, o.deep ? "deep" : "plain",
                res.reach_violations ? res.reach_first : "");
        abort();
    }
    return 0;
}
