#!/bin/sh
# Installs the Debian packages cossim needs, if any is missing, and builds.  Sourced by
# setup.sh and test.sh; safe to run again (it only installs what is absent).
COSSIM_PACKAGES="meson ninja-build pkg-config gcc libc6-dev libglib2.0-dev libcmocka-dev \
liblua5.4-dev libsqlite3-dev sqlite3 gnuplot-nox valgrind parallel"

# Install those of the given Debian packages that are missing (none: nothing).
cossim_install_packages() {
    missing=""
    for p in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
            missing="$missing $p"
        fi
    done
    [ -z "$missing" ] && return 0
    echo "cossim: installing:$missing" >&2
    if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    # shellcheck disable=SC2086
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
}

cossim_install_deps() {
    # shellcheck disable=SC2086
    cossim_install_packages $COSSIM_PACKAGES
}

# Install what is missing, then configure (once) and build in ./build.
cossim_build() {
    cossim_install_deps
    [ -f build/build.ninja ] || meson setup build
    meson compile -C build
}

# Optional, for scripts/bench-simso.sh only (its --install-simpy): SimPy 2,
# which SimSo needs, from Debian's python3-simpy (2.3.1, the SimPy 2 API,
# for /usr/bin/python3).  Not part of setup or the tests: SimSo is not a
# dependency of cossim.  SimSo itself is not packaged; see bench/simso/.
cossim_install_simpy() {
    cossim_install_packages python3-simpy
}

# Optional, for scripts/path-counts.py only (the kernel's per-ISA instruction
# counts, kernel/path_counts.h, and the slow test that checks them): clang and
# lld (the freestanding twins compiled for each target ISA; llvm for
# llvm-objcopy and llvm-nm) and Debian's python3-unicorn (the emulator that
# runs them, for /usr/bin/python3).  Not part of setup or the default tests:
# without them the `path-counts` test is skipped and the checked-in table used.
COSSIM_CALIB_PACKAGES="clang lld llvm python3-unicorn"
cossim_install_calib() {
    # shellcheck disable=SC2086
    cossim_install_packages $COSSIM_CALIB_PACKAGES
}

# Optional, for `cossim export --format ctf`'s check (tests/check_export.py):
# Debian's babeltrace2, a reader of CTF that cossim did not write.
cossim_install_ctf() {
    cossim_install_packages babeltrace2
}

# Optional, for `cossim sweep --run slurm` on this machine and the slow
# suite's single-node Slurm test (tests/check_sweep.py --slurm, skipped
# without it): Debian's slurm-wlm (slurmctld, slurmd, the client commands)
# and munge.  The test configures and starts its own daemons; nothing here
# configures or starts a cluster.
cossim_install_slurm() {
    cossim_install_packages slurm-wlm munge
}

# Optional, for scripts/fuzz.sh only: clang and its sanitizer and libFuzzer
# runtimes (Debian 12: clang 14; libclang-rt-14-dev holds libFuzzer).  Not
# part of setup or the tests: the normal build replays the corpora with gcc.
COSSIM_FUZZ_PACKAGES="clang libclang-rt-14-dev"
cossim_install_fuzz() {
    # shellcheck disable=SC2086
    cossim_install_packages $COSSIM_FUZZ_PACKAGES
}
