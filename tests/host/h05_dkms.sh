#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# h05_dkms: the DKMS round trip for the kernel the VM uses: make
# install-dkms, dkms add, build (which keeps mosaic's Module.symvers),
# install, the sample driver built against it, remove, make
# uninstall-dkms. The module lands in /lib/modules/<KVER>/updates/dkms of
# the host, which is harmless (the host runs another kernel) and undone at
# the end: whatever this test created there, in /var/lib/dkms and in
# /usr/src is removed, so the host is left as it was. Needs root; installs dkms if missing.
set -uo pipefail
# shellcheck source=tests/host/lib.sh
. "$(dirname "$0")/lib.sh"

tmp=$(mktemp -d)
mv=mosaic/$VERSION
src=/usr/src/mosaic-$VERSION

if [[ $(id -u) != 0 ]]; then
    skip "needs root" "dkms round trip"; done_testing; exit
fi
load_kernel_env || { echo "Bail out! no kernel env ($KERNEL_ENV): run make check-host"; exit 1; }
if ! apt_ensure dkms dkms; then
    skip "dkms is not installed and cannot be" "dkms round trip"; done_testing; exit
fi
# DKMS state is machine-wide (/usr/src, /var/lib/dkms): two checks on one
# machine (a clone's CI beside a working tree) take turns, or one would
# find the other's tree and skip, or remove it under it.
exec 9>/run/lock/mosaic-h05-dkms.lock
if ! flock -w 900 9; then
    skip "another DKMS round trip held the lock for 15 minutes" "dkms round trip"
    done_testing; exit
fi
if [[ -e $src ]] || dkms status -m mosaic 2>/dev/null | grep -q .; then
    skip "$src or a registered mosaic exists: not touching it" "dkms round trip"
    done_testing; exit
fi

moddir=/lib/modules/$KVER
ls -A "$moddir" >"$tmp/moddir.before" 2>/dev/null
mok_existed=0
[[ -e /var/lib/dkms/mok.key ]] && mok_existed=1

cleanup() {
    dkms remove "$mv" --all >/dev/null 2>&1
    rm -rf "$src" /var/lib/dkms/mosaic
    # depmod's files and updates/ appear when dkms installs into a
    # module directory that had none: take away what was not there.
    if [[ -d $moddir ]]; then
        # shellcheck disable=SC2012 # plain names, made by depmod and dkms
        ls -A "$moddir" | while read -r f; do
            grep -qxF "$f" "$tmp/moddir.before" || rm -rf "${moddir:?}/$f"
        done
    fi
    ((mok_existed)) || rm -f /var/lib/dkms/mok.key /var/lib/dkms/mok.pub
    rm -rf "$tmp"
}
trap cleanup EXIT

make -s install-dkms >"$tmp/log" 2>&1
ok $? "make install-dkms puts the source tree in $src"
diag_file "$tmp/log"
ok "$([[ -f $src/dkms.conf && -f $src/VERSION && -f $src/kernel/Kbuild &&
         -f $src/include/uapi/linux/mosaic.h ]]; echo $?)" \
    "the tree has dkms.conf, VERSION, kernel/ and include/ beside it"

dkms add "$mv" >"$tmp/log" 2>&1
ok $? "dkms add $mv (the version comes from VERSION)"
diag_file "$tmp/log"
dkms build "$mv" -k "$KVER" >"$tmp/log" 2>&1
st=$?
ok $st "dkms build $mv -k $KVER"
((st == 0)) || { diag_file "$tmp/log"; tail -30 "/var/lib/dkms/$mv/build/make.log" 2>/dev/null | sed 's/^/#   /'; }
symvers=/var/lib/dkms/$mv/$KVER/$(uname -m)/module/Module.symvers
ok "$(grep -q '[[:space:]]mosaic_buf_put[[:space:]]' "$symvers" 2>/dev/null; echo $?)" \
    "mosaic's Module.symvers is kept in $(dirname "$symvers") (dkms-post-build)"
dkms install "$mv" -k "$KVER" >"$tmp/log" 2>&1
ok $? "dkms install $mv -k $KVER"
# The sample driver as docs/driver-guide.md builds a driver on mosaic:
# drivers/edu alone, its Makefile finding the installed mosaic by itself.
edu_copy "$tmp/edu"
make -C "$tmp/edu" KDIR="$KDIR" MOSAIC_VERSION="$VERSION" >"$tmp/log" 2>&1
st=$?
ok "$([[ $st == 0 && -f $tmp/edu/mosaic_edu.ko ]]; echo $?)" \
    "a copy of drivers/edu builds against the DKMS-installed mosaic"
((st == 0)) || tail -n 20 "$tmp/log" | sed 's/^/#   /'
ko=$(find "$moddir" -name 'mosaic.ko*' -path '*updates*' 2>/dev/null | head -1)
vermagic=$(modinfo -F vermagic "$ko" 2>/dev/null)
ok "$([[ -n $ko && $vermagic == "$KVER "* ]]; echo $?)" \
    "the module is installed for $KVER (${ko:-none})"
ok "$(dkms status -m mosaic -v "$VERSION" -k "$KVER" | grep -q ': installed'; echo $?)" \
    "dkms status says installed"

dkms remove "$mv" --all >"$tmp/log" 2>&1
ok $? "dkms remove $mv --all"
ok "$([[ -z $(find "$moddir" -name 'mosaic.ko*' 2>/dev/null) ]] &&
      ! dkms status -m mosaic | grep -q .; echo $?)" "nothing of mosaic is left in $moddir or dkms"
make -s uninstall-dkms >"$tmp/log" 2>&1
ok "$([[ ! -e $src ]]; echo $?)" "make uninstall-dkms removes $src"

done_testing
