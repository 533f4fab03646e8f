#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# h09_abi: the ioctl ABI as the headers define it, and the production
# module without the test build's interfaces.
#
# - Every ioctl number of linux/mosaic.h, linux/mosaic_testing.h and
#   linux/mosaic_edu.h (tests/host/ioctl-numbers.c decodes them) is
#   read-write, has magic 0xB9, and encodes the size of its struct's first
#   version, which is the struct's size today; no two share a number.
# - The magic has no entry in the kernel's ioctl-number.rst (Debian's
#   linux-source, as vm/lint uses it).
# - The production module (kernel/mosaic.ko) defines no symbol of the
#   inspection ioctls or the planted bugs, and has no plant_bug parameter;
#   the test build (build/testing) does define them, so the check would
#   see them.
set -uo pipefail
# shellcheck source=tests/host/lib.sh
. "$(dirname "$0")/lib.sh"

cd "$REPO" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

${CC:-cc} -std=c11 -Wall -Wextra -Werror -Iinclude/uapi -o "$tmp/ioctl-numbers" \
    tests/host/ioctl-numbers.c 2>"$tmp/cc.log"
ok $? "tests/host/ioctl-numbers.c compiles against the uapi headers"
diag_file "$tmp/cc.log"
"$tmp/ioctl-numbers" >"$tmp/numbers" 2>/dev/null || : >"$tmp/numbers"

# Every ioctl the headers define is one the decoder knows.
grep -ohE '^#define [A-Z_]+_IOC_[A-Z_]+[[:space:]]+_IO[RW]*\(' \
    include/uapi/linux/mosaic.h include/uapi/linux/mosaic_testing.h \
    include/uapi/linux/mosaic_edu.h | awk '{print $2}' | sort >"$tmp/defined"
awk '{print $1}' "$tmp/numbers" | sort >"$tmp/decoded"
diff "$tmp/defined" "$tmp/decoded" >"$tmp/diff"
ok "$([[ -s $tmp/defined && ! -s $tmp/diff ]]; echo $?)" \
    "every ioctl of the three headers is decoded ($(wc -l <"$tmp/defined"))"
diag_file "$tmp/diff"

while read -r name dir magic nr size ver0 sz; do
    ok "$([[ $dir == rw && $((magic)) == $((0xB9)) && $size == "$ver0" && $size == "$sz" ]]; echo $?)" \
        "$name: _IOWR, magic $magic, nr $nr, encodes $size bytes (first version $ver0, struct $sz)"
done <"$tmp/numbers"
awk '{print $3, $4}' "$tmp/numbers" | sort | uniq -d >"$tmp/dups"
ok "$([[ -s $tmp/numbers && ! -s $tmp/dups ]]; echo $?)" "no two ioctls share a number"
diag_file "$tmp/dups"

# The kernel's table of ioctl magics, from the tarball vm/lint reads too.
if src=$(vm/linux-source 2>"$tmp/src.log"); then
    eval "$src"
    rst=$(dirname "$SRC_TARBALL")/ioctl-number.rst
    if [[ ! -s $rst ]]; then
        tar -xJf "$SRC_TARBALL" -O \
            "$SRC_PKG/Documentation/userspace-api/ioctl/ioctl-number.rst" \
            >"$rst.tmp" 2>/dev/null && mv "$rst.tmp" "$rst"
    fi
    if [[ -s $rst ]]; then
        grep -iE '^0xB9[[:space:]]' "$rst" >"$tmp/taken"
        # 0xB4 (gpio) is taken in every version: the table was read.
        ok "$([[ ! -s $tmp/taken ]] && grep -qiE '^0xB4[[:space:]]' "$rst"; echo $?)" \
            "magic 0xB9 is free in $SRC_PKG's ioctl-number.rst"
        diag_file "$tmp/taken"
    else
        ok 1 "ioctl-number.rst in $SRC_TARBALL"
    fi
else
    skip "no linux-source tarball ($(tail -n 1 "$tmp/src.log"))" "magic 0xB9 is free in ioctl-number.rst"
fi

# The production module against the test build.
prod=kernel/mosaic.ko testing=$BUILD/testing/kernel/mosaic.ko
inspect='mosaic_testing_|_pattern|_refs\b|plant'
if [[ -f $prod && -f $testing ]]; then
    nm --defined-only "$prod" | grep -E "$inspect" >"$tmp/prod"
    ok "$([[ ! -s $tmp/prod ]]; echo $?)" \
        "kernel/mosaic.ko defines none of the test build's symbols ($inspect)"
    diag_file "$tmp/prod"
    ok "$(! modinfo -F parm "$prod" | grep -q plant_bug; echo $?)" \
        "kernel/mosaic.ko has no plant_bug parameter"
    # Debug info names the inline stub; the code and data must not.
    objcopy --strip-debug "$prod" "$tmp/prod.ko"
    ok "$(! grep -qa 'mosaic_testing' "$tmp/prod.ko"; echo $?)" \
        "kernel/mosaic.ko (without debug info) has no string of the test interface"
    ok "$(nm --defined-only "$testing" | grep -q mosaic_testing_ioctl; echo $?)" \
        "the test build defines mosaic_testing_ioctl (the check above can see it)"
else
    skip "no $prod or $testing (make module module-testing)" \
        "kernel/mosaic.ko has none of the test build's interfaces"
fi

done_testing
