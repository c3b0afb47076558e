#!/bin/sh
# cossim side by side with SimSo on the same task set (issue 15, "Speed";
# BENCHMARKS.md, "Side by side with SimSo"): builds cossim if needed, then
# runs bench/simso/bench.py, which times both tools under RM and EDF,
# alternating, and prints the medians and the ratio of CPU times.
#
#   SIMSO_SRC=/path/to/simso ./scripts/bench-simso.sh [--install-simpy] [bench.py options]
#
# SimSo is not a dependency of cossim and is not installed by any script
# here: SIMSO_SRC names a SimSo source tree (the folder holding simso/;
# MaximeCheramy/simso on GitHub, pure Python, run from its tree on
# PYTHONPATH).  It needs SimPy 2: Debian's python3-simpy gives SimPy 2.3.1
# to /usr/bin/python3 (SIMSO_PYTHON overrides the interpreter);
# --install-simpy installs it through scripts/deps.sh.  Without SimSo or
# SimPy the SimSo side is skipped, said so, and only cossim is timed.
# Not part of the test suite.
set -eu
cd "$(dirname "$0")/.."
. scripts/deps.sh
if [ "${1:-}" = "--install-simpy" ]; then
    shift
    cossim_install_simpy
fi
[ -x build/cossim ] || cossim_build >&2
exec python3 bench/simso/bench.py "$@"
