/* tests/fuzz/fuzz.h: the fuzzing harnesses of issue 19 (docs/testing.md,
 * "Fuzzing").  Each harness is one function of the input bytes, the body
 * of a libFuzzer LLVMFuzzerTestOneInput:
 *   - cosfuzz_scenario: the bytes are a scenario script, run in the
 *     scenarios' sandbox with every cap on (fuzz_scenario.c);
 *   - cosfuzz_kernel: the bytes are the draws of the structured system-call
 *     adversary (tests/adversary.h), the invariant checker after every
 *     kernel path (fuzz_kernel.c);
 *   - cosfuzz_trace: a trace database, as bytes or as SQL run on a small
 *     real trace, through every reader (fuzz_trace.c);
 *   - cosfuzz_files: a task set (CSV or Lua), a bounds file or a
 *     schedulability CSV (fuzz_files.c).
 * A harness returns 0 whatever the input; a bug is a crash, a sanitizer
 * report, a hang or an abort() after a failed property.
 *
 * Two drivers call them: libfuzzer_main.c (clang, -Dfuzzing=true, one
 * executable per harness) and replay.c (the normal build: every file of
 * tests/fuzz/corpus/NAME and tests/fuzz/regressions/NAME, in the unit
 * suite).  Nothing a harness does may depend on the host beyond the
 * budgets that only decide whether a run fails.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

int cosfuzz_scenario(const uint8_t *data, size_t size);
int cosfuzz_kernel(const uint8_t *data, size_t size);
int cosfuzz_trace(const uint8_t *data, size_t size);
int cosfuzz_files(const uint8_t *data, size_t size);

/* fuzz_util.c: this process's private scratch folder (made on first use,
 * removed with everything in it at exit), a file in it written with
 * bytes (returns its path, owned by the caller), and emptying it between
 * inputs. */
const char *cosfuzz_dir(void);
char *cosfuzz_write(const char *name, const void *data, size_t size);
void cosfuzz_clean(void);
/* A stream that discards what is written (print() of scripts). */
#include <stdio.h>
FILE *cosfuzz_null(void);
/* The source tree's tests/fuzz folder (fixtures such as data/base.db). */
const char *cosfuzz_source(void);
/* Count adversarial system calls; at exit, with COSSIM_FUZZ_STATS set,
 * the total is appended to that file (scripts/fuzz.sh reports it). */
void cosfuzz_count_calls(uint64_t n);
