/* tests/fuzz/libfuzzer_main.c: one harness (fuzz.h) as libFuzzer's entry
 * point; built once per harness with -DCOSFUZZ_ENTRY=cosfuzz_NAME under
 * -Dfuzzing=true (tests/fuzz/meson.build). */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return COSFUZZ_ENTRY(data, size);
}
