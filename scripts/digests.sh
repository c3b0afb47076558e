#!/bin/sh
# Print the digest of every bundled scenario at its default parameters and
# seed, one "NAME DIGEST" line each, in the format of tests/data/digests.txt.
# The digest covers the scenario's text too (the run table holds its sha256), so
# even a comment edited in a scenario changes that scenario's line.
# A change meant to keep behaviour leaves this output unchanged; a change that
# moves figures updates the file, and says why in its commit message:
#   ./scripts/digests.sh > tests/data/digests.txt
# Usage: scripts/digests.sh [COSSIM]   (default ./build/cossim)
set -eu
cd "$(dirname "$0")/.."
bin=${1:-./build/cossim}
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin" scenarios | while read -r name _; do
    d=$(cd "$tmp" && "$bin" run "$name" --trace none | sed -n 's/^digest *//p')
    [ -n "$d" ] || { echo "digests.sh: $name printed no digest" >&2; exit 1; }
    echo "$name $d"
done
