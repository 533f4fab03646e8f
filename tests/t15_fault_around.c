// SPDX-License-Identifier: GPL-2.0
/*
 * t15_fault_around: the fault strategy's first touch of empty 2 MiB
 * regions, read and write, maps what linux/mosaic.h says and nothing else.
 *
 * A fault of the fault strategy maps its page, the 64 KiB window around
 * it, and the rest of the page's physically contiguous segment, within
 * the 2 MiB its page table covers and within the VMA. The test maps
 * buffers at a 2 MiB-aligned address and touches each 2 MiB region once,
 * at a page in its middle, so that every touch is the first fault of a
 * region whose page table does not exist yet: the case in which the
 * kernel's own fault-around (->map_pages, called under rcu_read_lock()
 * since 6.5) would have had to allocate a page table where it must not
 * sleep. On the debug kernels (DEBUG_ATOMIC_SLEEP, PROVE_RCU, a
 * preemptible kernel) such a sleep is a report, which fails the run.
 *
 * After each touch /proc/self/pagemap must show exactly the expected
 * pages of that region present (computed here from the segment table,
 * independently of the kernel's code), the word read must be the one the
 * kernel wrote (the test build's FILL), and the word written must be what
 * the kernel reads back (VERIFY). Backends: pages (order-0 segments: the
 * window decides) and compound (order-9 segments where the allocator has
 * them: the segment decides), at an offset that puts segments across
 * region boundaries too.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mosaic_test.h"
#include "tap.h"

#define BUF_SIZE	(8 * MT_MiB)
#define NPAGES		(BUF_SIZE / MT_PAGE)
#define REGION		(2 * MT_MiB)
#define REGION_PAGES	(REGION / MT_PAGE)
#define WINDOW_PAGES	(64 * 1024 / MT_PAGE)
#define SEED		0x7e15fa017e15fa01ULL

static int dev;

/* Segment of every buffer page: first page and length, from SEGMENTS. */
static int seg_of_pages(int bfd, uint64_t *seg_first, uint64_t *seg_len)
{
	struct mosaic_seg_entry *ents;
	long nr = mt_segments_all(bfd, &ents), i;

	if (nr < 0)
		return (int)nr;
	for (i = 0; i < nr; i++) {
		uint64_t first = ents[i].offset / MT_PAGE;
		uint64_t len = ents[i].length / MT_PAGE;

		for (uint64_t p = first; p < first + len && p < NPAGES; p++) {
			seg_first[p] = first;
			seg_len[p] = len;
		}
	}
	free(ents);
	return 0;
}

/*
 * One touch at mapping page @pg (buffer page @pg + @pgoff): the pages of
 * its region that must then be present, as linux/mosaic.h describes.
 */
static void expected(uint64_t pg, uint64_t pgoff, uint64_t map_pages,
		     const uint64_t *seg_first, const uint64_t *seg_len,
		     uint64_t *lo, uint64_t *hi)
{
	uint64_t region = pg / REGION_PAGES * REGION_PAGES;
	uint64_t win = pg / WINDOW_PAGES * WINDOW_PAGES;
	uint64_t first = seg_first[pg + pgoff];
	/* In mapping pages; the segment may start before the mapping does. */
	uint64_t s_lo = first < pgoff ? 0 : first - pgoff;
	uint64_t s_hi = first + seg_len[pg + pgoff] - pgoff;

	*lo = win < s_lo ? win : s_lo;
	*hi = win + WINDOW_PAGES > s_hi ? win + WINDOW_PAGES : s_hi;
	if (*lo < region)
		*lo = region;
	if (*hi > region + REGION_PAGES)
		*hi = region + REGION_PAGES;
	if (*hi > map_pages)
		*hi = map_pages;
}

static void run(const char *name, uint32_t backend, uint64_t pgoff, bool write)
{
	static uint64_t seg_first[NPAGES], seg_len[NPAGES], pfns[REGION_PAGES];
	uint64_t map_pages = NPAGES - pgoff, lo, hi, bad = 0, first_bad = 0;
	uint64_t bytes = map_pages * MT_PAGE, mm;
	volatile uint64_t *map;
	int bfd, ret;

	bfd = mt_alloc(dev, BUF_SIZE, backend, MOSAIC_STRATEGY_FAULT);
	if (bfd < 0) {
		tap_skip(mt_errname(bfd), "%s: no buffer", name);
		return;
	}
	ret = seg_of_pages(bfd, seg_first, seg_len);
	if (!ret)
		ret = mt_fill(bfd, 0, BUF_SIZE, SEED);
	map = mt_mmap_aligned(bytes, PROT_READ | PROT_WRITE, MAP_SHARED, bfd,
			      (off_t)(pgoff * MT_PAGE), REGION);
	if (ret || map == MAP_FAILED) {
		tap_ok(false, "%s: setup (%s)", name, mt_errname(ret ? ret : -errno));
		close(bfd);
		return;
	}
	for (uint64_t region = 0; region < map_pages; region += REGION_PAGES) {
		uint64_t pg = region + REGION_PAGES / 2 + 3, n, want, got = 0, off;

		if (pg >= map_pages)
			pg = region;
		off = (pg + pgoff) * MT_PAGE + 8;
		n = map_pages - region < REGION_PAGES ? map_pages - region : REGION_PAGES;
		if (write)
			map[pg * MT_PAGE / 8 + 1] = mosaic_pattern_word(SEED + 1, off);
		else
			got = map[pg * MT_PAGE / 8 + 1];
		want = mosaic_pattern_word(SEED, off);
		if (!write && got != want) {
			tap_diag("%s: page %llu read %#llx, the kernel wrote %#llx",
				 name, (unsigned long long)pg,
				 (unsigned long long)got, (unsigned long long)want);
			bad++;
		}
		expected(pg, pgoff, map_pages, seg_first, seg_len, &lo, &hi);
		ret = mt_pagemap_pfns((const void *)&map[region * MT_PAGE / 8], n, pfns);
		for (uint64_t i = 0; !ret && i < n; i++) {
			bool present = pfns[i] != MT_PFN_NONE;
			bool should = region + i >= lo && region + i < hi;

			if (present != should) {
				if (!first_bad)
					first_bad = region + i + 1;
				bad++;
			}
		}
		tap_diag("%s: touch of page %llu mapped pages %llu-%llu of its region",
			 name, (unsigned long long)pg, (unsigned long long)lo,
			 (unsigned long long)hi - 1);
		if (ret)
			break;
		if (write) {
			ret = mt_verify(bfd, off, 8, SEED + 1, &mm, NULL);
			bad += ret || mm;
		}
	}
	tap_ok(!ret && !bad,
	       "%s: first %s of each empty 2 MiB region maps exactly its window and segment, with the kernel's data (%llu wrong, first at page %lld)",
	       name, write ? "write" : "read", (unsigned long long)bad,
	       (long long)first_bad - 1);
	munmap((void *)map, bytes);
	close(bfd);
}

int main(void)
{
	struct mosaic_stats base;

	tap_diag("t15_fault_around: the fault strategy's first touch of empty page tables");
	dev = mt_open_dev_baseline(&base);
	run("pages, read", MOSAIC_BACKEND_PAGES, 0, false);
	run("pages, write", MOSAIC_BACKEND_PAGES, 0, true);
	run("compound, read", MOSAIC_BACKEND_COMPOUND, 0, false);
	run("compound, write", MOSAIC_BACKEND_COMPOUND, 0, true);
	/* 1 MiB in: segments of 2 MiB cross every region boundary. */
	run("compound at offset 1 MiB, read", MOSAIC_BACKEND_COMPOUND, 256, false);
	return mt_end_ledger_back(dev, &base,
				  "ledger back to the start");
}
