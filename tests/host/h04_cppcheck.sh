#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# h04_cppcheck: cppcheck finds nothing in the user-space code (lib/,
# tools/, tests/, examples/). Known false positives are listed, with their
# reason, in tests/host/cppcheck-suppressions.txt.
set -uo pipefail
# shellcheck source=tests/host/lib.sh
. "$(dirname "$0")/lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! apt_ensure cppcheck cppcheck; then
    skip "cppcheck is not installed and cannot be" "cppcheck on lib/ tools/ tests/ examples/"
    done_testing
    exit
fi
diag "$(cppcheck --version)"
cppcheck --quiet --error-exitcode=1 --std=c11 --inline-suppr \
    --enable=warning,portability,performance \
    --suppressions-list=tests/host/cppcheck-suppressions.txt \
    -D_GNU_SOURCE -D__linux__ -I lib/include -I include/uapi -I tests/lib \
    lib tools tests examples >"$tmp/out" 2>&1
st=$?
ok $st "cppcheck --enable=warning,portability,performance on lib/ tools/ tests/ examples/"
diag_file "$tmp/out"

done_testing
