#!/bin/sh
# Build and run the whole test suite (unit, scenario and slow suites).
# Under CI=true also installs the optional test packages (scripts/deps.sh),
# builds with AddressSanitizer + UBSan and runs the unit
# and scenario suites there.  Ends with one line "tests: N passed, M failed".
set -eu
cd "$(dirname "$0")/.."
. scripts/deps.sh
if [ "${CI:-}" = "true" ]; then
    # CI runs every check, so it also installs the optional packages whose
    # tests skip without them (scripts/deps.sh): the path-count emulator,
    # the independent CTF reader and a single-node Slurm
    cossim_install_calib
    cossim_install_ctf
    cossim_install_slurm
fi
cossim_build

passed=0
failed=0
# run_suite DIR [meson test options]: run, show the log, add up the summary
run_suite() {
    dir=$1
    shift
    log=$(mktemp)
    status=0
    meson test -C "$dir" --print-errorlogs "$@" >"$log" 2>&1 || status=$?
    cat "$log"
    ok=$(sed -n 's/^Ok: *\([0-9]*\).*/\1/p' "$log" | tail -1)
    fail=$(sed -n 's/^Fail: *\([0-9]*\).*/\1/p' "$log" | tail -1)
    rm -f "$log"
    passed=$((passed + ${ok:-0}))
    failed=$((failed + ${fail:-0}))
    if [ "$status" -ne 0 ] && [ "${fail:-0}" -eq 0 ]; then
        failed=$((failed + 1))      # meson itself failed
    fi
}

run_suite build
# the project's own timing bounds (docs/examples/quickstart-bounds.lua)
bounds_dir=$(mktemp -d)
if ./build/cossim run quickstart --trace "$bounds_dir/quickstart.db" >/dev/null \
   && ./build/cossim check "$bounds_dir/quickstart.db" docs/examples/quickstart-bounds.lua; then
    passed=$((passed + 1))
else
    echo "timing bounds: FAILED"
    failed=$((failed + 1))
fi
rm -rf "$bounds_dir"
if [ "${CI:-}" = "true" ]; then
    [ -f build-asan/build.ninja ] || meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false
    meson compile -C build-asan
    export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
    run_suite build-asan --suite unit --suite scenario
fi
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
