#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# t40_bench_smoke: the benchmark program (bench/mosaic-bench, as in
# `make bench`) once over every row at 4 MiB, so that it cannot rot
# (busybox sh, inside the VM).
#
# mosaic-bench --tap runs the whole life cycle of every valid backend x
# strategy pair and of every peer (anonymous MAP_POPULATE and
# MADV_POPULATE_WRITE, THP, hugetlbfs, the dma-buf system and CMA heaps,
# udmabuf) once, and checks for each: it completes with sane times; first
# touch takes no fault for an eager mapping and at most one per page (but
# some) for a lazy one, and an eager 4 KiB mapping grew VmPTE; the data
# reads back, the rest is zero, mosaic's VERIFY sees the same words and
# its ledger is back to zero. Then fault-around, a fresh compound
# buffer's orders and a small fragmenter. Rows the kernel cannot run
# (no CMA, no dma-buf heaps, no udmabuf on Debian's stock kernel; mmio,
# which is not RAM) skip with the reason. No plots, no statistics.
#
# The tool comes from ../tools next to bin/ (the Makefile's bench block
# puts it there).
#
# Per kernel: mosaic-bench states how each peer maps on the kernels of
# today. Where an older kernel of the matrix (docs/kernels.md) really
# does it another way, the row's fault point is judged here by what that
# kernel does, and says so; on every other kernel the bench's own verdict
# stands unchanged:
#
#   heap/system before 5.11: lazy. The system heap used the heap helpers
#     (drivers/dma-buf/heaps/heap-helpers.c), whose mmap installs a fault
#     handler that maps one page per fault; 5.11 ("dma-buf: system_heap:
#     Rework system heap to use sgtables instead of pagelists") maps the
#     whole buffer in mmap with remap_pfn_range(), so first touch takes no
#     fault. Before 5.11 it must take some, at most one per page.

here=$(cd "$(dirname "$0")/.." && pwd)
bench=$here/tools/mosaic-bench

if [ ! -x "$bench" ]; then
    echo "1..0 # SKIP no $bench (built by make tests)"
    exit 77
fi

# The running kernel as one number, 5.10 -> 510, 6.12 -> 612.
kernel=$(uname -r | awk -F. '{ print $1 * 100 + $2 }')
lazy_rows=
if [ "$kernel" -lt 511 ]; then
    lazy_rows="heap/system"
fi

out=$(mktemp /tmp/t40.XXXXXX) || exit 1
trap 'rm -f "$out"' EXIT
"$bench" --tap >"$out"
status=$?
# Crashed or refused: run-tests reports the status as it is.
case $status in 0|1|77) ;; *) cat "$out"; exit "$status" ;; esac

awk -v lazy_rows="$lazy_rows" -v kernel="$(uname -r)" '
	BEGIN { nlazy = split(lazy_rows, lazy, " ") }
	/^(not )?ok [0-9]+ - / {
		for (i = 1; i <= nlazy; i++) {
			pat = "^(not )?ok [0-9]+ - " lazy[i] " [^:]*: eager: first touch faults "
			if ($0 !~ pat)
				continue
			line = $0
			sub(/^(not )?ok /, "", line)
			num = line; sub(/ .*/, "", num)
			desc = line; sub(/^[0-9]+ - /, "", desc)
			f = desc; sub(/.*: eager: first touch faults /, "", f); sub(/\/MiB.*/, "", f)
			pte = ""
			if (match(desc, /; VmPTE \+[0-9]+ KiB/))
				pte = substr(desc, RSTART, RLENGTH)
			name = desc; sub(/: eager: .*/, "", name)
			ok = (f + 0 > 0 && f + 0 <= 260)
			printf "%sok %s - %s: lazy on %s (fault handler before 5.11): first touch faults %s/MiB (0 < f <= 256)%s\n",
			       ok ? "" : "not ", num, name, kernel, f, pte
			if (!ok) failed++
			next
		}
		if ($1 == "not") failed++
	}
	{ print }
	END { exit failed ? 1 : 0 }
' "$out"
judged=$?
if [ "$judged" -ne 0 ]; then
    exit 1
fi
# Nothing failed: all skipped stays all skipped.
[ "$status" -eq 77 ] && exit 77
exit 0
