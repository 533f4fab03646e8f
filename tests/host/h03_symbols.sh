#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# h03_symbols: libmosaic exports exactly its API. `nm -D --defined-only`
# on the shared library shows only mosaic_* symbols, each with the version
# LIBMOSAIC_1.0; they are the functions of lib/libmosaic.map and the
# MOSAIC_API declarations of the public header, all three the same set;
# the soname is libmosaic.so.1; the static library defines no global
# symbol outside mosaic_*.
set -uo pipefail
# shellcheck source=tests/host/lib.sh
. "$(dirname "$0")/lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
so=$BUILD/lib/libmosaic.so.1.0.0
ar=$BUILD/lib/libmosaic.a

make -s lib BUILD="$BUILD" >"$tmp/make.log" 2>&1
ok $? "make lib"
[[ -f $so && -f $ar ]] || { echo "Bail out! no $so or $ar"; exit 1; }

nm -D --defined-only "$so" >"$tmp/nm"
# The version node itself shows up as an absolute symbol; it is not code.
grep -v -E ' A LIBMOSAIC_1\.[0-9]+$' "$tmp/nm" >"$tmp/syms"
grep -v -E '^[0-9a-f]+ T mosaic_[a-z_]+@@LIBMOSAIC_1\.[0-9]+$' "$tmp/syms" >"$tmp/bad"
ok "$([[ ! -s $tmp/bad && -s $tmp/syms ]]; echo $?)" \
    "nm -D --defined-only: only mosaic_* functions, all @@LIBMOSAIC_1.x ($(wc -l <"$tmp/syms"))"
diag_file "$tmp/bad"

sed -E 's/^[0-9a-f]+ T ([a-z_]+)@@.*/\1/' "$tmp/syms" | LC_ALL=C sort >"$tmp/exported"
sed -n 's/^[[:space:]]*\(mosaic_[a-z_]*\);/\1/p' lib/libmosaic.map | LC_ALL=C sort >"$tmp/map"
tr '\n' ' ' <lib/include/mosaic/mosaic.h | grep -oE 'MOSAIC_API [^;(#]*[ *]mosaic_[a-z_]+\(' |
    sed -E 's/.*[ *](mosaic_[a-z_]+)\($/\1/' | LC_ALL=C sort >"$tmp/header"
diff "$tmp/map" "$tmp/exported" >"$tmp/diff"
ok $? "the exported symbols are exactly those of libmosaic.map"
diag_file "$tmp/diff"
diff "$tmp/map" "$tmp/header" >"$tmp/diff"
ok $? "libmosaic.map lists exactly the MOSAIC_API functions of <mosaic/mosaic.h> ($(wc -l <"$tmp/header"))"
diag_file "$tmp/diff"

soname=$(readelf -d "$so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
ok "$([[ $soname == libmosaic.so.1 ]]; echo $?)" "soname is libmosaic.so.1 ($soname)"
ok "$(readelf -d "$so" | grep -q '(FLAGS).*BIND_NOW'; echo $?)" "linked with -z now (and relro)"

nm -g --defined-only "$ar" | grep -E '^[0-9a-f]+ [A-Z] ' | grep -v -E ' mosaic_[a-z_]+$' >"$tmp/bad"
ok "$([[ ! -s $tmp/bad ]]; echo $?)" "libmosaic.a defines no global symbol outside mosaic_*"
diag_file "$tmp/bad"

done_testing
