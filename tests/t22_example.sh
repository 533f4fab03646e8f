#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# t22_example: examples/mosaic-example.c, built statically against
# libmosaic.a by mk/install.mk, runs in the VM and passes its own checks.

here=$(cd "$(dirname "$0")/.." && pwd)
ex=$here/tools/mosaic-example
n=0 fails=0

ok() {
    n=$((n + 1))
    if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fails=$((fails + 1)); fi
}

[ -x "$ex" ] || { echo "Bail out! missing $ex (built by mk/install.mk)"; exit 1; }

for args in "16M pages" "8M compound" "4M coherent"; do
    # shellcheck disable=SC2086 # two words
    out=$("$ex" $args 2>&1)
    rc=$?
    printf '%s\n' "$out" | sed 's/^/# /'
    ok "$([ "$rc" -eq 0 ] && printf '%s\n' "$out" | grep -q '^example passed$'; echo $?)" \
        "mosaic-example $args: exit 0, example passed"
    ok "$(printf '%s\n' "$out" | grep -q '^mapping -> second mapping: 0 mismatches' &&
          printf '%s\n' "$out" | grep -q '^second mapping -> mapping: 0 mismatches'; echo $?)" \
        "mosaic-example $args: 0 mismatches both ways"
done

echo "1..$n"
[ "$fails" -eq 0 ]
