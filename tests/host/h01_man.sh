#!/bin/bash
# shellcheck disable=SC2013 # the words read from files are identifiers
# SPDX-License-Identifier: GPL-2.0
#
# h01_man: every man page renders without a warning, with groff and with
# man(1) at 80 columns, from a tree laid out as installed (so the .so
# alias pages resolve); and the pages keep up with the code: one page per
# exported function, every mosaicctl command, every ioctl and every
# backend of the uapi header in mosaic(4), the version of VERSION.
set -uo pipefail
# shellcheck source=tests/host/lib.sh
. "$(dirname "$0")/lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for tool in groff man; do
    command -v $tool >/dev/null || { echo "Bail out! $tool is not installed"; exit 1; }
done

pages=(man/*.[1-8])
for page in "${pages[@]}"; do
    sec=${page##*.}
    mkdir -p "$tmp/man$sec"
    cp "$page" "$tmp/man$sec/"
done

for page in "${pages[@]}"; do
    rel=man${page##*.}/${page##*/}
    (cd "$tmp" && groff -ww -man -z "$rel") >"$tmp/groff.err" 2>&1
    (cd "$tmp" && LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$rel" \
        >"$tmp/out.txt") 2>"$tmp/man.err"
    wide=$(awk 'length($0) > 80' "$tmp/out.txt" | wc -l)
    st=0
    [[ -s $tmp/groff.err || -s $tmp/man.err || $wide -ne 0 || ! -s $tmp/out.txt ]] && st=1
    ok $st "$rel renders without warnings ($wide lines over 80 columns)"
    diag_file "$tmp/groff.err"
    diag_file "$tmp/man.err"
done

bad=()
for page in "${pages[@]}"; do
    grep -q '^\.so ' "$page" && continue
    grep -q "^\.TH [^ ]* [0-9] [0-9-]* \"mosaic $VERSION\"" "$page" || bad+=("$page")
done
ok ${#bad[@]} "every page says mosaic $VERSION (VERSION)${bad[*]:+: not ${bad[*]}}"

missing=()
for fn in $(sed -n 's/^[[:space:]]*\(mosaic_[a-z_]*\);/\1/p' lib/libmosaic.map); do
    [[ -f man/$fn.3 ]] || missing+=("$fn")
done
ok ${#missing[@]} "every exported function has its man3 page${missing[*]:+: missing ${missing[*]}}"

missing=()
for cmd in $(sed -n 's/^[[:space:]]*{ "\([a-z]*\)", cmd_.*/\1/p' tools/mosaicctl/main.c); do
    grep -q -e "^\.B $cmd\$" -e "^\.BR $cmd " -e "^\\\\fB$cmd\\\\fP" man/mosaicctl.1 || missing+=("$cmd")
done
ok ${#missing[@]} "mosaicctl.1 describes every command${missing[*]:+: missing ${missing[*]}}"

# The uapi header is the reference; mosaic.4 follows it. Something the
# header gained and the page lacks is a known gap (TODO), not a failure.
hdr=include/uapi/linux/mosaic.h
for name in $(sed -n 's/^#define \(MOSAIC_IOC_[A-Z]*\)[[:space:]]*_IO.*/\1/p' $hdr) \
            $(sed -n 's/^[[:space:]]*\(MOSAIC_BACKEND_[A-Z]*\) = [0-9]*,/\1/p' $hdr); do
    if grep -q "$name" man/mosaic.4; then
        ok 0 "mosaic.4 documents $name"
    else
        todo "$name is in $hdr but not in mosaic.4" "mosaic.4 documents $name"
    fi
done

done_testing
