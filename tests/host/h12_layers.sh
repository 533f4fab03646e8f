#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# h12_layers: the kernel module's files call only downward, in the layers
# kernel/mosaic_internal.h describes (tests/host/kernel-layers.py reads
# the symbols each object file uses and defines). Checked on the test
# build (build/testing, which has the inspection ioctls) and on the
# production build (kernel/) where it exists.
set -uo pipefail
# shellcheck source=tests/host/lib.sh
. "$(dirname "$0")/lib.sh"

cd "$REPO" || exit 1
layers=tests/host/kernel-layers.py
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The header's comment and the checker's list name the same files.
sed -n '1,/^#ifndef/p' kernel/mosaic_internal.h >"$tmp/comment"
: >"$tmp/missing"
while read -r entry; do
    [[ $entry == */ ]] || entry=$entry.c
    grep -qF "$entry" "$tmp/comment" || echo "$entry" >>"$tmp/missing"
done < <(python3 "$layers" --names)
ok "$([[ ! -s $tmp/missing ]]; echo $?)" \
    "kernel/mosaic_internal.h's layer comment names every file of $layers"
diag_file "$tmp/missing"

# Every source file of the module has a layer.
: >"$tmp/unlisted"
while read -r src; do
    name=${src#kernel/}; name=${name%.c}
    python3 - "$name" "$layers" <<'PY' || echo "$src" >>"$tmp/unlisted"
import importlib.util, sys
spec = importlib.util.spec_from_file_location("layers", sys.argv[2])
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
sys.exit(0 if mod.place(sys.argv[1]) else 1)
PY
done < <(git ls-files 'kernel/*.c' | grep -vE '^kernel/(kunit|probes)/')
ok "$([[ ! -s $tmp/unlisted ]]; echo $?)" "every kernel/*.c file has a layer"
diag_file "$tmp/unlisted"

for build in build/testing/kernel kernel; do
    if [[ ! -f $build/mosaic.mod || ! -f $build/mosaic.ko ]]; then
        skip "$build is not built (make module-testing / make module)" \
            "$build: every file calls only downward, no cycle"
        continue
    fi
    python3 "$layers" "$build" >"$tmp/out" 2>&1
    st=$?
    ok "$st" "$build: every file calls only downward, no cycle ($(tail -n1 "$tmp/out"))"
    ((st == 0)) || diag_file "$tmp/out"
done
done_testing
