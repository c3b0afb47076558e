#!/bin/sh
# Installs the Debian packages cossim needs, if any is missing, and builds.  Sourced by
# setup.sh and test.sh; safe to run again (it only installs what is absent).
COSSIM_PACKAGES="meson ninja-build pkg-config gcc libc6-dev libglib2.0-dev libcmocka-dev \
liblua5.4-dev libsqlite3-dev sqlite3 gnuplot-nox valgrind"

cossim_install_deps() {
    missing=""
    for p in $COSSIM_PACKAGES; do
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
    if dpkg-query -W -f='${Status}' python3-simpy 2>/dev/null | grep -q "install ok installed"; then
        return 0
    fi
    echo "cossim: installing: python3-simpy" >&2
    if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-simpy
}

# Optional, for scripts/fuzz.sh only: clang and its sanitizer and libFuzzer
# runtimes (Debian 12: clang 14; libclang-rt-14-dev holds libFuzzer).  Not
# part of setup or the tests: the normal build replays the corpora with gcc.
COSSIM_FUZZ_PACKAGES="clang libclang-rt-14-dev"
cossim_install_fuzz() {
    missing=""
    for p in $COSSIM_FUZZ_PACKAGES; do
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
