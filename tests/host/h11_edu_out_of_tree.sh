#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# h11_edu_out_of_tree: the sample driver builds as a driver of someone
# else's would, against an installed mosaic (docs/driver-guide.md,
# "Building a driver against an installed mosaic"), for the kernel the VM
# uses. In a temporary root: make install-dkms (DESTDIR) puts mosaic's
# source tree and headers in usr/src/mosaic-<version>; mosaic is built
# from a copy of it the way DKMS builds it (dkms.conf's MAKE[0], then its
# POST_BUILD, in var/lib/dkms/mosaic/<version>/build), which leaves
# Module.symvers in var/lib/dkms/mosaic/<version>/<kernel>/<arch>/module.
# Then a copy of drivers/edu alone, which cannot reach kernel/, is built
# with its own Makefile against those two places only. No root needed;
# h05_dkms checks that real DKMS puts Module.symvers in the same place.
set -uo pipefail
# shellcheck source=tests/host/lib.sh
. "$(dirname "$0")/lib.sh"

load_kernel_env || { echo "Bail out! no kernel env ($KERNEL_ENV): run make check-host"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
arch=$(uname -m)
src=$tmp/root/usr/src/mosaic-$VERSION
dkms_build=$tmp/root/var/lib/dkms/mosaic/$VERSION/build
module_dir=$tmp/root/var/lib/dkms/mosaic/$VERSION/$KVER/$arch/module
symvers=$module_dir/Module.symvers

# The sample includes nothing from kernel/ and, of mosaic's headers, only
# <linux/mosaic.h> and its own uapi header.
includes=$(grep -h '^#include' drivers/edu/*.[ch] | sort -u)
ok "$(! grep -E 'kernel/|"\.\./' <<<"$includes" >/dev/null; echo $?)" \
    "drivers/edu includes nothing by a path into mosaic's tree"
mosaic_hdrs=$(grep -E '<(uapi/)?linux/mosaic' <<<"$includes" | tr '\n' ' ')
ok "$([[ $mosaic_hdrs == '#include <linux/mosaic.h> #include <uapi/linux/mosaic_edu.h> ' ]]; echo $?)" \
    "of mosaic's headers drivers/edu includes <linux/mosaic.h> and its own uapi header only (${mosaic_hdrs:-none})"

make -s install-dkms DESTDIR="$tmp/root" >"$tmp/log" 2>&1
st=$?
ok "$([[ $st == 0 && -f $src/include/linux/mosaic.h && -x $src/dkms-post-build ]]; echo $?)" \
    "make install-dkms DESTDIR=...: headers in usr/src/mosaic-$VERSION/include"
diag_file "$tmp/log"

# What DKMS does for `dkms build`: copy the source, run MAKE[0] there (with
# its -j and KERNELRELEASE), make the module directory, run POST_BUILD.
mkdir -p "$(dirname "$dkms_build")"
cp -a "$src" "$dkms_build"
# shellcheck disable=SC2034,SC2153 # dkms.conf reads the first, sets the second
conf=$(kernel_source_dir=$KDIR kernelver=$KVER
       # shellcheck disable=SC1091
       . "$src/dkms.conf" && printf '%s\n%s\n' "${MAKE[0]}" "$POST_BUILD")
make_cmd=$(sed -n 1p <<<"$conf") post_build=$(sed -n 2p <<<"$conf")
mkdir -p "$module_dir"
(cd "$dkms_build" && eval "nice ${make_cmd/#make/make -j$(nproc) KERNELRELEASE=$KVER}" &&
 cp kernel/mosaic.ko "$module_dir/" &&
 eval "./$post_build") >"$tmp/log" 2>&1
st=$?
ok "$([[ $st == 0 && -f $module_dir/mosaic.ko ]]; echo $?)" \
    "mosaic built from the installed tree as DKMS builds it, for $KVER"
((st == 0)) || tail -n 30 "$tmp/log" | sed 's/^/#   /'
ok "$(grep -q '[[:space:]]mosaic_buf_put[[:space:]]' "$symvers" 2>/dev/null; echo $?)" \
    "dkms.conf's POST_BUILD keeps Module.symvers in var/lib/dkms/mosaic/$VERSION/$KVER/$arch/module"

# Without MOSAIC_INCLUDE and MOSAIC_SYMVERS the sample's Makefile looks
# where this root has them, but under /.
edu_copy "$tmp/edu"
# shellcheck disable=SC2016 # make expands them
defaults=$(make -s --no-print-directory -C "$tmp/edu" KDIR="$KDIR" \
           MOSAIC_VERSION="$VERSION" --eval 'paths: ; @echo $(MOSAIC_INCLUDE) $(MOSAIC_SYMVERS)' paths)
ok "$([[ $defaults == "${src#"$tmp/root"}/include ${symvers#"$tmp/root"}" ]]; echo $?)" \
    "the sample's Makefile looks for them in /usr/src/mosaic-$VERSION/include and /var/lib/dkms by default ($defaults)"

# build_edu DIR SYMVERS: build the copy in DIR against the installed
# headers and SYMVERS; log in DIR.log.
build_edu() {
    nice make -C "$1" KDIR="$KDIR" MOSAIC_VERSION="$VERSION" \
        MOSAIC_INCLUDE="$src/include" MOSAIC_SYMVERS="$2" >"$1.log" 2>&1
}

build_edu "$tmp/edu" "$symvers"
st=$?
ko=$tmp/edu/mosaic_edu.ko
ok "$([[ $st == 0 && -f $ko ]]; echo $?)" \
    "a copy of drivers/edu alone builds against the installed headers and Module.symvers"
((st == 0)) || tail -n 30 "$tmp/edu.log" | sed 's/^/#   /'
ok "$(! grep -E 'undefined!|WARNING: modpost' "$tmp/edu.log" >/dev/null; echo $?)" \
    "modpost resolved every symbol and said nothing"
ok "$(modinfo -F import_ns "$ko" 2>/dev/null | grep -qx MOSAIC; echo $?)" \
    "modinfo: mosaic_edu imports namespace MOSAIC ($(modinfo -F import_ns "$ko" 2>/dev/null | tr '\n' ' '))"
ok "$([[ $(modinfo -F depends "$ko" 2>/dev/null) == mosaic ]]; echo $?)" \
    "modinfo: mosaic_edu depends on mosaic, and nothing else outside the kernel"

# The control: without mosaic's Module.symvers modpost must refuse, so the
# symbols above were resolved by the installed one.
: >"$tmp/empty.symvers"
edu_copy "$tmp/edu-nosyms"
build_edu "$tmp/edu-nosyms" "$tmp/empty.symvers"
st=$?
ok "$([[ $st != 0 ]] && grep -q '"mosaic_buf_[a-z_]*" .* undefined!' "$tmp/edu-nosyms.log"; echo $?)" \
    "control: against an empty Module.symvers modpost fails on mosaic's symbols"

done_testing
