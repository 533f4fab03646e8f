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

here=$(cd "$(dirname "$0")/.." && pwd)
bench=$here/tools/mosaic-bench

if [ ! -x "$bench" ]; then
    echo "1..0 # SKIP no $bench (built by make tests)"
    exit 77
fi
exec "$bench" --tap
