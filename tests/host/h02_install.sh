#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# h02_install: `make install DESTDIR=$tmp PREFIX=/usr` puts exactly the
# expected files in place; the public header compiles on its own (C99,
# C11, C++); examples/mosaic-example.c builds with
# `cc $(pkg-config --cflags --libs mosaic)` against that tree (sysroot),
# dynamically and statically, and the dynamic build loads libmosaic.so.1;
# `make uninstall` takes every file away again.
set -uo pipefail
# shellcheck source=tests/host/lib.sh
. "$(dirname "$0")/lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
out=$tmp/out
mkdir -p "$root" "$out"

load_kernel_env || { echo "Bail out! no kernel env ($KERNEL_ENV): run make check-host"; exit 1; }
diag "module for $KVER ($KDIR)"

make -s install DESTDIR="$root" PREFIX=/usr KVER="$KVER" KDIR="$KDIR" >"$tmp/make.log" 2>&1
st=$?
ok $st "make install DESTDIR=... PREFIX=/usr KVER=$KVER"
((st == 0)) || tail -20 "$tmp/make.log" | sed 's/^/#   /'

expected=$tmp/expected
{
    echo "lib/modules/$KVER/extra/mosaic.ko"
    echo "lib/udev/rules.d/60-mosaic.rules"
    echo "usr/bin/mosaicctl"
    echo "usr/include/linux/mosaic.h"
    echo "usr/include/mosaic/mosaic.h"
    echo "usr/lib/libmosaic.a"
    echo "usr/lib/libmosaic.so"
    echo "usr/lib/libmosaic.so.1"
    echo "usr/lib/libmosaic.so.1.0.0"
    echo "usr/lib/pkgconfig/mosaic.pc"
    echo "usr/libexec/mosaic/mosaic-bench"
    echo "usr/libexec/mosaic/mosaic-bench-stats"
    for page in man/*.[1-8]; do
        echo "usr/share/man/man${page##*.}/${page##*/}"
    done
} | LC_ALL=C sort >"$expected"
(cd "$root" && find . \( -type f -o -type l \) | sed 's|^\./||' | LC_ALL=C sort) >"$tmp/found"
diff "$expected" "$tmp/found" >"$tmp/diff"
ok $? "the installed files are exactly the expected $(wc -l <"$expected")"
diag_file "$tmp/diff"

ok "$([[ $(readlink "$root/usr/lib/libmosaic.so") == libmosaic.so.1 &&
         $(readlink "$root/usr/lib/libmosaic.so.1") == libmosaic.so.1.0.0 ]]; echo $?)" \
    "libmosaic.so -> libmosaic.so.1 -> libmosaic.so.1.0.0"
vermagic=$(modinfo -F vermagic "$root/lib/modules/$KVER/extra/mosaic.ko" 2>/dev/null)
ok "$([[ $vermagic == "$KVER "* ]]; echo $?)" "the installed module is built for $KVER ($vermagic)"
ok "$(cmp -s include/uapi/linux/mosaic.h "$root/usr/include/linux/mosaic.h"; echo $?)" \
    "the uapi header is installed as <linux/mosaic.h>"

export PKG_CONFIG_PATH='' PKG_CONFIG_LIBDIR=$root/usr/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$root
ok "$([[ $(pkg-config --modversion mosaic 2>&1) == "$VERSION" ]]; echo $?)" \
    "pkg-config --modversion mosaic is $VERSION"
flags=$(pkg-config --cflags --libs mosaic)
diag "pkg-config --cflags --libs mosaic: $flags"

# shellcheck disable=SC2086 # flags are words
cc -Wall -Wextra -Werror -o "$out/example" examples/mosaic-example.c $flags \
    >"$tmp/cc.log" 2>&1
ok $? "examples/mosaic-example.c builds with cc \$(pkg-config --cflags --libs mosaic)"
diag_file "$tmp/cc.log"
# shellcheck disable=SC2046 # flags are words
cc -static -Wall -Wextra -Werror -o "$out/example-static" examples/mosaic-example.c \
    $(pkg-config --cflags mosaic) $(pkg-config --libs --static mosaic) >"$tmp/cc.log" 2>&1
st=$?
((st == 0)) && ! readelf -d "$out/example-static" | grep -q NEEDED || st=1
ok $st "and statically (no NEEDED entries; this build runs in the VM as t22_example)"
diag_file "$tmp/cc.log"
ok "$(readelf -d "$out/example" | grep -q 'NEEDED.*\[libmosaic.so.1\]'; echo $?)" \
    "the dynamic build needs libmosaic.so.1 (the soname)"

# The host cannot load the module: the example must get as far as opening
# /dev/mosaic through the installed library and fail cleanly there.
LD_LIBRARY_PATH=$root/usr/lib "$out/example" 1M >"$tmp/run.out" 2>&1
st=$?
if [[ -e /dev/mosaic ]]; then
    ok $((st != 0)) "the dynamic build runs against the installed libmosaic.so.1 (status $st)"
else
    ok "$([[ $st == 1 ]] && grep -q 'open /dev/mosaic: No such file or directory' "$tmp/run.out"; echo $?)" \
        "the dynamic build loads the installed libmosaic.so.1 and reports the missing device"
fi
diag_file "$tmp/run.out"

# The public header on its own, in every language mode we claim.
printf '#include <mosaic/mosaic.h>\nint main(void) { return mosaic_backend_name(MOSAIC_BACKEND_PAGES) == 0; }\n' >"$tmp/hdr.c"
for std in c99 c11 gnu17; do
    # shellcheck disable=SC2046
    cc -std=$std -pedantic -Wall -Wextra -Werror -c -o /dev/null "$tmp/hdr.c" \
        $(pkg-config --cflags mosaic) >"$tmp/cc.log" 2>&1
    ok $? "<mosaic/mosaic.h> compiles alone with -std=$std -pedantic"
    diag_file "$tmp/cc.log"
done
if command -v c++ >/dev/null; then
    cp "$tmp/hdr.c" "$tmp/hdr.cc"
    # shellcheck disable=SC2046
    c++ -std=c++11 -Wall -Wextra -Werror -c -o /dev/null "$tmp/hdr.cc" \
        $(pkg-config --cflags mosaic) >"$tmp/cc.log" 2>&1
    ok $? "<mosaic/mosaic.h> compiles as C++11"
    diag_file "$tmp/cc.log"
else
    skip "no C++ compiler" "<mosaic/mosaic.h> compiles as C++11"
fi

make -s uninstall DESTDIR="$root" PREFIX=/usr KVER="$KVER" >"$tmp/make.log" 2>&1
ok $? "make uninstall DESTDIR=... PREFIX=/usr"
(cd "$root" && find . \( -type f -o -type l \) | sed 's|^\./||') >"$tmp/left"
ok "$([[ ! -s $tmp/left ]]; echo $?)" "uninstall leaves no file behind"
diag_file "$tmp/left"

done_testing
