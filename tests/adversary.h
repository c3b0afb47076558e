/* tests/adversary.h: the structured system-call adversary of issue 19
 * (tests/adversary.c says what it does), shared by two drivers:
 *   - tests/test_kernel_fuzz.c: seeded draws (splitmix64), millions of
 *     calls, each property asserted with cmocka;
 *   - fuzz/fuzz_kernel.c: the draws are the fuzzer's input bytes (a tape),
 *     so that libFuzzer's coverage feedback chooses the calls.
 * Both run one boot with kadv_run and judge its kadv_result; the checks
 * that do not depend on how many calls were made are in kadv_failure.
 *
 * One run at a time per process (the adversary's simulated threads find
 * their state through one static pointer while the run lasts).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "kernel/abi.h"

#define KADV_NADV 4u            /* adversaries (components) per boot */
#define KADV_ROUND_CALLS 2500u  /* deep: calls per boot in the seeded test */

/* How often each state was reached (summed over rounds and runs). */
typedef struct kadv_reached {
    uint64_t calls, ok, inside, depth_max, deep_calls, edepth;
    uint64_t depth[COS_INV_DEPTH + 1];  /* calls made at each invocation depth */
    uint64_t rm_inside;                 /* removals that went, made from inside a server */
    uint64_t rm_sinv_inhabited;         /* ... of a sinv to a server with threads inside */
    uint64_t rm_rcv_waited;             /* ... of an rcv its owner waits on */
    uint64_t rm_tcap_in_use;            /* ... of a tcap a thread or a core runs under */
    uint64_t rm_thd_inside;             /* ... of a thread inside a server */
    uint64_t waits_inside;              /* waits begun inside a server */
    uint64_t victims, kept_comps, kept_thds, kept_tcaps, ended_waits, rounds;
} kadv_reached;

typedef struct kadv_opts {
    const char *preset;         /* a machine preset (model/presets) */
    bool deep;                  /* chains of servers and victims (adversary.c) */
    /* No invariant check during the booter's build (the same on every run,
     * whatever the draws), only from the adversaries' first call on: the
     * fuzzing harness's speed-up; the seeded test checks the build too. */
    bool boot_unchecked;
    uint64_t budget;            /* system calls, at most */
    uint64_t stride;            /* fingerprint the kernel around every stride-th call (>= 1) */
    uint64_t seed;              /* adversary i draws from splitmix64 seeded seed + i */
    /* Non-NULL: every draw of every actor is taken from these bytes instead
     * of the seeded streams (a draw below n takes 1, 2, 4 or 8 bytes, as n
     * needs), and the run ends when they are spent. */
    const uint8_t *tape;
    size_t tape_len;
} kadv_opts;

typedef struct kadv_result {
    uint64_t boot_error;        /* the build failed: error << 16 | line in adversary.c; 0 */
    bool kmem_found;            /* the booter's kmem capability was read back */
    bool done;                  /* the root scheduler finished */
    bool stalled;               /* nothing moved for 1,000 rounds of the root scheduler */
    bool mpu;                   /* an MPU machine (no loads and stores tried) */
    uint64_t calls, touches, touch_faults;
    uint64_t check_failures;    /* kernel paths after which k_check failed */
    bool final_check;           /* k_check at the end held */
    uint64_t isolation;         /* accesses that went where they should not, or failed inside */
    uint64_t refused_checked;   /* refused calls compared with the state before them */
    uint64_t refused_changed;   /* ... that changed something anyway */
    int changed_op[8], changed_err[8];
    uint64_t errors[COS_ERRS + 1];  /* calls by error code */
    uint64_t reach_violations;  /* capabilities an adversary holds that it was never given */
    char reach_first[256];      /* the first of them, in words */
} kadv_result;

/* One boot of the machine `o->preset` with KADV_NADV adversaries, run
 * until the budget (or the tape) is spent; the kernel's invariant checker
 * after every kernel path.  What was reached is added to *r. */
void kadv_run(const kadv_opts *o, kadv_reached *r, kadv_result *out);

/* The first property of a run that fails, in words (a static string, or
 * one in res), or NULL: the build, the end, no stall, no invariant check
 * failed, isolation, refused calls changed nothing, no capability beyond
 * what was given. */
const char *kadv_failure(const kadv_result *res);
