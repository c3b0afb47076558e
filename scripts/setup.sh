#!/bin/sh
# One command from a fresh Debian 12 machine to a first result: install what
# is missing, build with meson, run the default scenario.
set -eu
cd "$(dirname "$0")/.."
. scripts/deps.sh
cossim_build
./build/cossim run quickstart
