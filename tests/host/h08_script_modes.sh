#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# h08_script_modes: every tracked file that starts with "#!" is executable
# in git (mode 100755), so that a fresh clone can run it: the Makefile and
# the scripts call them by path (bench/run runs bench/report, which lost
# its bit once, and make bench then measured for ten minutes and could not
# write its report). Library scripts that are only sourced (tests/host/
# lib.sh, with no "#!") are not concerned. One result per directory.
set -uo pipefail
# shellcheck source=tests/host/lib.sh
. "$(dirname "$0")/lib.sh"

cd "$REPO" || exit 1
if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    skip "not a git work tree (an exported copy has no index to read modes from)" \
        "scripts are executable"
    done_testing
    exit
fi

declare -A bad=() seen=()
while read -r mode _ _ path; do
    [[ -f $path ]] || continue
    [[ $(head -c 2 "$path") == '#!' ]] || continue
    dir=$(dirname "$path")
    seen[$dir]=1
    [[ $mode == 100755 ]] || bad[$dir]+=" $path ($mode)"
done < <(git ls-files -s)

for dir in $(printf '%s\n' "${!seen[@]}" | sort); do
    ok "$([[ -z ${bad[$dir]:-} ]]; echo $?)" "$dir: every \"#!\" script is mode 100755 in git"
    [[ -n ${bad[$dir]:-} ]] && diag "not executable:${bad[$dir]}"
done
done_testing
