#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# h07_log_scan: the harness's kernel log scanner (vm/log-scan) reports what
# it must, with bash's tools and with busybox's (the guest runs it under
# busybox sh): every report pattern, outside and inside an expected-OOM
# window; the window excuses exactly one "Call Trace:" per "invoked
# oom-killer" line and nothing else; the fault-injection window excuses
# dma-debug's shutdown on an injected failure and nothing else; the "!"
# exceptions hold.
set -uo pipefail
# shellcheck source=tests/host/lib.sh
. "$(dirname "$0")/lib.sh"

repo=$(cd "$(dirname "$0")/../.." && pwd)
scan=$repo/vm/log-scan
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/log" <<'LOG'
[    1.0] ordinary line
[    2.0] WARNING: CPU: 0 PID: 1 at mm/x.c:1 f+0x0/0x0
[    3.0] Call Trace:
[    4.0] mosaic-test: an OOM kill report is expected from here
[    5.0] t51_limits invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0
[    6.0] Call Trace:
[    7.0] Call Trace:
[    8.0] BUG: KASAN: use-after-free in f+0x0/0x0
[    9.0] mosaic-test: no OOM kill report is expected from here
[   10.0] t51_limits invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0
[   11.0] Call Trace:
[   12.0] Speculative Return Stack Overflow: WARNING: See https://kernel.org/doc/html/latest/admin-guide/hw-vuln/srso.html for mitigation options.
[   13.0] DMA-API: cacheline tracking ENOMEM, dma-debug disabled
[   14.0] mosaic-test: injected allocation failures from here
[   15.0] DMA-API: cacheline tracking ENOMEM, dma-debug disabled
[   16.0] DMA-API: out of memory
[   17.0] mosaic-test: no injected allocation failures from here
[   18.0] DMA-API: cacheline tracking ENOMEM, dma-debug disabled
[   19.0] Trying to free nonexistent resource <00000000fe400000-00000000fe4fffff>
LOG
cat >"$tmp/want" <<'WANT'
[    2.0] WARNING: CPU: 0 PID: 1 at mm/x.c:1 f+0x0/0x0
[    3.0] Call Trace:
[    7.0] Call Trace:
[    8.0] BUG: KASAN: use-after-free in f+0x0/0x0
[   11.0] Call Trace:
[   13.0] DMA-API: cacheline tracking ENOMEM, dma-debug disabled
[   16.0] DMA-API: out of memory
[   18.0] DMA-API: cacheline tracking ENOMEM, dma-debug disabled
[   19.0] Trying to free nonexistent resource <00000000fe400000-00000000fe4fffff>
WANT

"$scan" <"$tmp/log" >"$tmp/got"
diff "$tmp/want" "$tmp/got" >"$tmp/diff"
ok $? "log-scan reports every report line but the one stack dump the OOM window excuses and dma-debug's shutdown inside the fault-injection window"
diag_file "$tmp/diff"

printf '[ 1.0] ordinary\n' | "$scan" >"$tmp/got"
ok "$([[ ! -s $tmp/got ]]; echo $?)" "log-scan prints nothing for a clean log"

if bb=$(command -v busybox); then
    mkdir "$tmp/bb"
    for a in sh awk grep sed tr mktemp rm dirname echo; do ln -s "$bb" "$tmp/bb/$a"; done
    PATH=$tmp/bb "$tmp/bb/sh" "$scan" "$repo/vm/log-patterns" <"$tmp/log" >"$tmp/got"
    diff "$tmp/want" "$tmp/got" >"$tmp/diff"
    ok $? "the same under busybox sh, awk and grep (as in the guest)"
    diag_file "$tmp/diff"
else
    skip "no busybox on the host" "the same under busybox sh, awk and grep"
fi
done_testing
