#!/bin/sh
# Run one libFuzzer harness of tests/fuzz for a while (docs/testing.md,
# "Fuzzing"):
#
#   ./scripts/fuzz.sh HARNESS SECONDS [--keep] [libFuzzer options]
#
# HARNESS is scenario, kernel, trace or files.  Configures build-fuzz with
# clang and -Dfuzzing=true the first time (clang from scripts/deps.sh's
# cossim_install_fuzz), builds the harness, and runs it, niced, on a scratch
# copy of tests/fuzz/corpus/HARNESS (the checked-in corpus is never
# written) with its dictionary, one process, a 20 s per-input timeout.
# Prints the executions, exec/s, coverage (libFuzzer's cov and ft), the
# adversarial system calls (kernel) and every crash, leak or timeout file,
# which stay in the scratch folder (printed) for tests/fuzz/regressions.
# --keep copies what the run added to the corpus into the checked-in one
# (new coverage; review it before committing).  Exit 1 if it found anything.
set -eu
cd "$(dirname "$0")/.."
. scripts/deps.sh
if [ $# -lt 2 ]; then
    echo "usage: $0 scenario|kernel|trace|files SECONDS [--keep] [libFuzzer options]" >&2
    exit 2
fi
harness=$1
seconds=$2
shift 2
keep=0
if [ "${1:-}" = "--keep" ]; then
    keep=1
    shift
fi
case $harness in
    scenario|kernel|trace|files) ;;
    *) echo "fuzz.sh: no harness '$harness' (scenario, kernel, trace, files)" >&2; exit 2 ;;
esac
cossim_install_fuzz
if [ ! -f build-fuzz/build.ninja ]; then
    CC=clang meson setup build-fuzz -Dfuzzing=true -Dbuildtype=debugoptimized >/dev/null
fi
meson compile -C build-fuzz "tests/fuzz/fuzz_$harness" >/dev/null

src=$(pwd)/tests/fuzz
work=$(mktemp -d "${TMPDIR:-/tmp}/cossim-fuzz-$harness-XXXXXX")
mkdir "$work/corpus" "$work/found"
cp "$src/corpus/$harness"/* "$work/corpus/"
[ -d "$src/regressions/$harness" ] && cp "$src/regressions/$harness"/* "$work/corpus/" 2>/dev/null || true
before=$(ls "$work/corpus" | wc -l)
dict=""
[ -f "$src/dict/$harness.dict" ] && dict="-dict=$src/dict/$harness.dict"
log="$work/log"
export COSSIM_FUZZ_STATS="$work/stats"
export LSAN_OPTIONS="suppressions=$src/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
status=0
# shellcheck disable=SC2086
(cd "$work" && nice -n 10 "$OLDPWD/build-fuzz/tests/fuzz/fuzz_$harness" -max_total_time="$seconds" \
    -timeout=20 -rss_limit_mb=4096 -close_fd_mask=3 -print_final_stats=1 -artifact_prefix="$work/found/" \
    $dict "$@" corpus) >"$log" 2>&1 || status=$?
last=$(grep -E '^#[0-9]+' "$log" | tail -1)
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
echo "harness     $harness ($seconds s, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg))"
echo "executions  ${execs:-?} (${rate:-?} exec/s)"
echo "coverage    $(echo "$last" | sed -n 's/.*\(cov: [0-9]*\).*\(ft: [0-9]*\).*/\1 \2/p')"
echo "corpus      $before files -> $(ls "$work/corpus" | wc -l)"
[ -f "$work/stats" ] && echo "syscalls    $(awk '{ n += $2 } END { print n }' "$work/stats") adversarial system calls"
found=$(ls "$work/found" | wc -l)
echo "found       $found file(s)"
for f in "$work/found"/*; do
    [ -e "$f" ] || continue
    echo "  $f"
done
if [ "$status" -ne 0 ] || [ "$found" -ne 0 ]; then
    grep -E "ERROR|SUMMARY|runtime error|cosfuzz_|==[0-9]+==" "$log" | head -20
    echo "log         $log"
fi
if [ "$keep" -eq 1 ]; then
    for f in "$work/corpus"/*; do
        n=$(basename "$f")
        [ -e "$src/corpus/$harness/$n" ] || cp "$f" "$src/corpus/$harness/$n"
    done
fi
echo "scratch     $work"
[ "$found" -eq 0 ] && [ "$status" -eq 0 ]
