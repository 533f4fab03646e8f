# shellcheck shell=bash disable=SC2034 # sourced: its variables are used by the scripts
# SPDX-License-Identifier: GPL-2.0
# Shared by the tests/host/h*.sh scripts (bash): TAP helpers and settings.
# Each script runs with the repository as its working directory.

REPO=${REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BUILD=${BUILD:-$REPO/build}
KERNEL_ENV=${KERNEL_ENV:-$BUILD/kernel.env}
VERSION=$(cat "$REPO/VERSION")
tap_n=0 tap_fail=0

ok() {  # ok STATUS DESCRIPTION...: STATUS 0 passes
    local st=$1; shift
    tap_n=$((tap_n + 1))
    if [[ $st == 0 ]]; then
        echo "ok $tap_n - $*"
    else
        echo "not ok $tap_n - $*"
        tap_fail=$((tap_fail + 1))
    fi
}
todo() { tap_n=$((tap_n + 1)); echo "not ok $tap_n - $2 # TODO $1"; }
skip() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $2 # SKIP $1"; }
diag() { printf '# %s\n' "$@"; }
# diag_file FILE: a file's lines as diagnostics
diag_file() { [[ -s $1 ]] && sed 's/^/#   /' "$1"; return 0; }
done_testing() { echo "1..$tap_n"; ((tap_fail == 0)); }

# KVER and KDIR of the kernel the module is built for.
load_kernel_env() {
    [[ -f $KERNEL_ENV ]] || return 1
    # shellcheck disable=SC1090
    . "$KERNEL_ENV"
    [[ -n ${KVER:-} && -d ${KDIR:-/nonexistent} ]]
}

# apt_ensure CMD PACKAGE: make CMD available, installing PACKAGE if needed.
apt_ensure() {
    command -v "$1" >/dev/null && return 0
    [[ $(id -u) == 0 ]] || return 1
    diag "installing $2 (apt-get)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null 2>&1 ||
        { apt-get update -qq >/dev/null 2>&1 &&
          DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null 2>&1; }
    command -v "$1" >/dev/null
}

# edu_copy DIR: drivers/edu alone, as a driver's author has it, in DIR.
edu_copy() {
    mkdir -p "$1" && cp "$REPO"/drivers/edu/{Makefile,Kbuild,*.[ch]} "$1/"
}
