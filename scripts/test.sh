#!/bin/sh
# Build and run the whole test suite (unit, scenario and slow suites).
# Under CI=true also builds with AddressSanitizer + UBSan and runs the unit
# and scenario suites there.
set -eu
cd "$(dirname "$0")/.."
. scripts/deps.sh
cossim_build
meson test -C build --print-errorlogs
if [ "${CI:-}" = "true" ]; then
    [ -f build-asan/build.ninja ] || meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false
    meson compile -C build-asan
    ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
        meson test -C build-asan --print-errorlogs --suite unit --suite scenario
fi
