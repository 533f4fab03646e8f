// SPDX-License-Identifier: GPL-2.0
/*
 * t10_matrix: every RAM allocation backend (pages .. cma) with every
 * mapping strategy.
 *
 * The header's rule decides which pairs exist: the page strategies
 * (insert-page, insert-pages, map-pages, fault) need memory whose every
 * page carries a reference, so coherent and noncontig refuse them with
 * EINVAL; everything else is valid. Each valid pair gets an 8 MiB buffer
 * (coherent in 256 KiB chunks, so there are many segment boundaries) and
 * is checked for:
 *
 * - data both ways: kernel FILL read by the user through the mapping,
 *   user writes checked by the kernel's VERIFY, and a small range that
 *   starts 8 bytes before a segment boundary;
 * - the kind of VMA, from /proc/self/smaps VmFlags (MIXEDMAP for the page
 *   strategies, PFNMAP|IO for the PFN strategies);
 * - the refcount rule: REFS before, while and after one mapping, and
 *   /proc/kpagecount from the outside, 1 for every page of a page
 *   strategy (pagemap does not show a VM_PFNMAP mapping's PFNs, so for
 *   the PFN strategies REFS alone shows that nothing was taken);
 * - the segment table: INFO order_count against the buffer size, the
 *   physical runs seen via pagemap against INFO nr_runs, and the
 *   compound head/tail bits of /proc/kpageflags against INFO's orders;
 * - the ledger back to where the pair started.
 *
 * The cma pairs skip (with the reason) on a kernel without CMA.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "mosaic_test.h"
#include "tap.h"

#define SIZE		(8 * MT_MiB)
#define NPAGES		(SIZE / MT_PAGE)	/* 2048 */

#define CHUNK		MT_MATRIX_CHUNK		/* coherent chunk_size */
#define DEFAULT_MAX_ORDER 9
#define SEED_A		0x1111222233334444ULL
#define SEED_B		0xa5a5a5a55a5a5a5aULL
#define SEED_C		0x0f0f0f0ff0f0f0f0ULL
#define SEED_D		0x7777666655554444ULL

static int dev;
static uint64_t *pfns, *cnt;	/* NPAGES entries each */
static uint64_t size;		/* this pair's buffer size (SIZE) */
static size_t np;		/* and in pages */

/*
 * Once a pair cannot go on (ALLOC or mmap failed, or cma is not there),
 * its remaining points are reported as skips with this reason, so every
 * pair always emits the same points.
 */
static const char *skip;

static bool is_orders_backend(uint32_t b)
{
	return b == MOSAIC_BACKEND_COMPOUND || b == MOSAIC_BACKEND_SPLIT;
}

/* Invalid pair: ALLOC must fail with EINVAL and leave nothing behind. */
static void invalid_pair(uint32_t b, uint32_t s)
{
	struct mosaic_stats before;
	int fd, fds = mt_count_fds();
	bool ledger;

	if (mt_stats(dev, &before) < 0)
		tap_bail("STATS failed");
	fd = mt_alloc_knobs(dev, SIZE, b, s, 0,
			    b == MOSAIC_BACKEND_COHERENT ? CHUNK : 0, NULL);
	if (fd >= 0)
		close(fd);
	ledger = mt_ledger_is(dev, &before, 0, 0, 0);
	tap_ok(fd == -EINVAL && ledger && mt_count_fds() == fds,
	       "%s/%s: invalid pair, ALLOC refused with EINVAL, nothing left behind (%s)",
	       mt_backend_name(b), mt_strategy_name(s), mt_errname(fd));
}

/* REFS over the whole buffer; false (with a diagnostic) if it failed. */
static bool refs_all(int bfd, struct mosaic_refs *r, const char *tag)
{
	int ret = mt_refs(bfd, 0, size, r);

	if (ret < 0) {
		tap_diag("%s: REFS failed: %s", tag, mt_errname(ret));
		memset(r, 0xff, sizeof(*r));
		return false;
	}
	return true;
}

static void diag_refs(const char *tag, const char *when,
		      const struct mosaic_refs *r)
{
	tap_diag("%s: REFS %s: refcount %u..%u mapcount %d..%d unexplained %lld",
		 tag, when, r->refcount_min, r->refcount_max, r->mapcount_min,
		 r->mapcount_max, (long long)r->unexplained_refs);
}

static bool refs_equal(const struct mosaic_refs *a, const struct mosaic_refs *b)
{
	return a->refcount_min == b->refcount_min &&
	       a->refcount_max == b->refcount_max &&
	       a->mapcount_min == b->mapcount_min &&
	       a->mapcount_max == b->mapcount_max &&
	       a->unexplained_refs == b->unexplained_refs;
}

/*
 * INFO's segment table against the buffer: order_count sums to
 * nr_segments and nr_runs = nr_segments - nr_adjacent everywhere. Where
 * mosaic allocates the pages itself every segment is exactly 2^k pages, so
 * sum(count[k] << k) == nr_pages; compound and split only use the orders
 * max_order (9), 8, 4 and 0. coherent and noncontig segments are the DMA
 * layer's runs, of any length: order k there means 2^k <= run < 2^(k+1).
 */
static bool info_table_ok(uint32_t b, const struct mosaic_info *in,
			  const char *tag)
{
	uint64_t segs = 0, pages = 0;
	bool ok = true;

	for (int k = 0; k < MOSAIC_INFO_ORDERS; k++) {
		segs += in->order_count[k];
		pages += in->order_count[k] << k;
		if (in->order_count[k] && is_orders_backend(b) &&
		    k != DEFAULT_MAX_ORDER && k != 8 && k != 4 && k != 0) {
			tap_diag("%s: order_count[%d] = %llu: not an order the backend uses",
				 tag, k, ULL(in->order_count[k]));
			ok = false;
		}
	}
	if (segs != in->nr_segments ||
	    in->nr_runs != in->nr_segments - in->nr_adjacent) {
		tap_diag("%s: segments %llu (order_count sums to %llu), adjacent %llu, runs %llu",
			 tag, ULL(in->nr_segments), ULL(segs),
			 ULL(in->nr_adjacent), ULL(in->nr_runs));
		ok = false;
	}
	if (mt_backend_page_backed(b) ? pages != np :
	    (pages > np || pages < in->nr_segments)) {
		tap_diag("%s: sum(order_count[k] << k) = %llu pages, buffer has %lu",
			 tag, ULL(pages), np);
		ok = false;
	}
	if (b == MOSAIC_BACKEND_COHERENT && in->nr_segments < size / CHUNK) {
		tap_diag("%s: %llu segments for %lu chunks", tag,
			 ULL(in->nr_segments), size / CHUNK);
		ok = false;
	}
	return ok;
}

/*
 * Compound bits of /proc/kpageflags against INFO: a compound buffer has
 * one head per segment of order > 0, followed by its 2^k - 1 tails, and
 * order-0 segments without either bit; every other page-backed buffer
 * (split pages above all) has no compound page at all.
 */
static bool kpageflags_ok(uint32_t b, const struct mosaic_info *in,
			  const char *tag)
{
	uint64_t want_heads = 0, want_tails = 0, heads = 0, tails = 0;
	uint64_t bad_layout = 0;
	int ret = mt_kpageflags(pfns, np, cnt);

	if (ret < 0) {
		tap_diag("%s: reading /proc/kpageflags failed: %s", tag,
			 mt_errname(ret));
		return false;
	}
	if (b == MOSAIC_BACKEND_COMPOUND)
		for (int k = 1; k < MOSAIC_INFO_ORDERS; k++) {
			want_heads += in->order_count[k];
			want_tails += in->order_count[k] * ((1ULL << k) - 1);
		}
	for (size_t i = 0; i < np; i++) {
		bool head = cnt[i] >> MT_KPF_COMPOUND_HEAD & 1;
		bool tail = cnt[i] >> MT_KPF_COMPOUND_TAIL & 1;

		heads += head;
		tails += tail;
		/* A tail follows its head or another tail, and one page is not both. */
		if ((head && tail) ||
		    (tail && (i == 0 || !(cnt[i - 1] >> MT_KPF_COMPOUND_HEAD & 1 ||
					  cnt[i - 1] >> MT_KPF_COMPOUND_TAIL & 1))))
			bad_layout++;
	}
	if (heads != want_heads || tails != want_tails || bad_layout) {
		tap_diag("%s: kpageflags: %llu heads, %llu tails (want %llu, %llu), %llu misplaced",
			 tag, ULL(heads), ULL(tails), ULL(want_heads),
			 ULL(want_tails), ULL(bad_layout));
		return false;
	}
	return true;
}

static void valid_pair(uint32_t b, uint32_t s)
{
	struct mosaic_refs before, during, after;
	struct mt_pair_run run;
	struct mosaic_info info;
	uint64_t mm = 0, first = 0, bad = 0, firstbad = 0, bd;
	bool pfn = mt_maps_pfn(b, s), kpc_ok = false, ok;
	const char *tag = run.tag;
	char bdwhy[64] = "mid-buffer, no boundary known";

	char *map = MAP_FAILED;
	int bfd, ret;

	memset(&info, 0, sizeof(info));
	memset(&before, 0, sizeof(before));
	memset(&during, 0, sizeof(during));
	memset(&after, 0, sizeof(after));
	mt_pair_start(&run, dev, b, s);

	/* ---- ALLOC and the segment table ---- */
	bfd = mt_pair_alloc(&run, dev, SIZE, &size, &skip);
	ret = bfd < 0 ? bfd : mt_info(bfd, &info);
	TAP_POINT(skip, ret == 0 && info.backend == b && info.strategy == s &&
	      info.size == size && info.nr_maps == 0,
	      "%s: ALLOC 8 MiB, INFO reports this backend, strategy and size (%s)",
	      tag, mt_errname(ret));
	np = size / MT_PAGE;
	bd = size / 2;
	if (!skip && bfd < 0)
		skip = "ALLOC failed";
	if (!skip && ret != 0)
		skip = "INFO failed";
	if (!skip)
		tap_diag("%s: %llu segments, %llu runs, orders 9/8/4/0: %llu/%llu/%llu/%llu",
			 tag, ULL(info.nr_segments), ULL(info.nr_runs),
			 ULL(info.order_count[9]), ULL(info.order_count[8]),
			 ULL(info.order_count[4]), ULL(info.order_count[0]));
	TAP_POINT(skip, info_table_ok(b, &info, tag),
	      "%s: INFO order_count matches the buffer (%s)", tag,
	      is_orders_backend(b) ? "sum count[k]<<k == nr_pages, orders only 9/8/4/0" :
	      mt_backend_page_backed(b) ? "sum count[k]<<k == nr_pages" :
	      "runs of 2^k..2^(k+1)-1 pages");

	/* ---- refcounts before any mapping ---- */
	ok = !skip && refs_all(bfd, &before, tag);
	if (!skip)
		diag_refs(tag, "before mmap", &before);
	TAP_POINT(skip, ok && before.unexplained_refs == 0 && before.mapcount_min == 0 &&
	      before.mapcount_max == 0 &&
	      (!mt_backend_page_backed(b) || before.refcount_min >= 1),
	      "%s: before mmap: REFS unexplained_refs 0, mapcount 0 (%lld, %d..%d)",
	      tag, (long long)before.unexplained_refs, before.mapcount_min,
	      before.mapcount_max);

	/* ---- kernel writes, user reads (and touches every page) ---- */
	ret = skip ? 0 : mt_fill(bfd, 0, size, SEED_A);
	if (!skip) {
		map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, bfd, 0);
		if (map == MAP_FAILED)
			tap_diag("%s: mmap failed: %s", tag, mt_errname(errno));
	}
	TAP_POINT(skip, ret == 0 && map != MAP_FAILED,
	      "%s: FILL(A) and mmap of the whole buffer (%s)", tag,
	      ret ? mt_errname(ret) : map == MAP_FAILED ? "mmap failed" : "ok");
	if (!skip && map == MAP_FAILED)
		skip = "mmap failed";
	if (!skip)
		bad = mt_user_check(map, 0, size, SEED_A, &firstbad);
	TAP_POINT(skip, bad == 0, "%s: kernel FILL(A) is read back by the user in every word (%llu bad, first %#llx)",
	      tag, ULL(bad), ULL(firstbad));

	/* ---- what kind of VMA this is, seen from outside ---- */
	if (!skip) {
		char fl[256] = "";

		ret = mt_smaps_vmflags(map, fl, sizeof(fl));
		tap_diag("%s: VmFlags:%s", tag, fl);
		/* huge maps pages as plain file pages: no mm (see mt_maps_pfn()). */
		bool mixed = !pfn && s != MOSAIC_STRATEGY_HUGE;

		tap_ok(ret == 0 && mt_vmflag(fl, "de") && mt_vmflag(fl, "dd") &&
		       (pfn ? mt_vmflag(fl, "pf") && mt_vmflag(fl, "io") && !mt_vmflag(fl, "mm") :
			      mt_vmflag(fl, "mm") == mixed && !mt_vmflag(fl, "pf")),
		       "%s: smaps VmFlags: %s, de (DONTEXPAND), dd (DONTDUMP)", tag,
		       pfn ? "pf io (PFNMAP|IO)" :
		       mixed ? "mm (MIXEDMAP), no pf" : "neither mm nor pf");
	} else {
		tap_skip(skip, "%s: smaps VmFlags", tag);
	}

	/* ---- physical layout via pagemap ---- */
	if (!skip) {
		size_t present = 0, runs = 1;

		ret = mt_pagemap_pfns(map, np, pfns);
		for (size_t i = 0; ret == 0 && i < np; i++)
			present += pfns[i] != MT_PFN_NONE;
		kpc_ok = !pfn && ret == 0 && present == np &&
			 mt_pfns_visible(pfns, np) &&
			 access("/proc/kpagecount", R_OK) == 0 &&
			 access("/proc/kpageflags", R_OK) == 0;
		if (pfn) {
			/* pagemap walks skip VM_PFNMAP VMAs as holes. */
			tap_ok(ret == 0 && present == 0,
			       "%s: pagemap reports no page present in the PFN map (%zu of %zu, %s)",
			       tag, present, np, mt_errname(ret));
		} else if (kpc_ok) {
			for (size_t i = 1; i < np; i++)
				if (pfns[i] != pfns[i - 1] + 1) {
					runs++;
					if (runs == 2) {
						bd = i * MT_PAGE;
						snprintf(bdwhy, sizeof(bdwhy),
							 "first physical break, page %zu", i);
					}
				}
			tap_ok(runs == info.nr_runs,
			       "%s: all pages present after the touch; pagemap shows INFO's %llu physical runs (%zu)",
			       tag, ULL(info.nr_runs), runs);
		} else if (ret == 0 && present != np) {
			tap_ok(false, "%s: all pages present after the touch (%zu of %zu)",
			       tag, present, np);
		} else {
			tap_skip("PFNs not visible (need root and /proc/kpage*)",
				 "%s: pagemap shows INFO's physical runs", tag);
		}
	} else {
		tap_skip(skip, "%s: pagemap after the touch", tag);
	}
	if (!skip && !strncmp(bdwhy, "mid", 3)) {
		/*
		 * Without PFNs: coherent chunks end every CHUNK bytes, and a
		 * table of one order k has a boundary every 2^k pages.
		 */
		int k = -1, orders = 0;

		for (int i = 0; i < MOSAIC_INFO_ORDERS; i++)
			if (info.order_count[i]) {
				orders++;
				k = i;
			}
		if (b == MOSAIC_BACKEND_COHERENT) {
			snprintf(bdwhy, sizeof(bdwhy), "a chunk boundary");
		} else if (orders == 1 && info.order_count[k] << k == np &&
			   k < 12 && (np / 2) % (1UL << k) == 0) {
			snprintf(bdwhy, sizeof(bdwhy),
				 "a segment boundary, all segments order %d", k);
		}
	}

	/* ---- the refcount rule while mapped once ---- */
	ok = !skip && refs_all(bfd, &during, tag);
	if (!skip)
		diag_refs(tag, "mapped", &during);
	if (pfn)
		TAP_POINT(skip, ok && refs_equal(&during, &before),
		      "%s: mapped (PFN map): REFS identical to before mmap, no reference or mapcount taken",
		      tag);
	else
		TAP_POINT(skip, ok && during.unexplained_refs == 0 &&
		      during.mapcount_min == 1 && during.mapcount_max == 1,
		      "%s: mapped: REFS unexplained_refs 0, mapcount 1..1 (%lld, %d..%d)",
		      tag, (long long)during.unexplained_refs,
		      during.mapcount_min, during.mapcount_max);
	if (skip)
		tap_skip(skip, "%s: kpagecount while mapped", tag);
	else if (pfn)
		tap_skip("pagemap does not show the PFNs of a VM_PFNMAP mapping; REFS above is the check",
			 "%s: kpagecount while mapped", tag);
	else if (!kpc_ok)
		tap_skip("PFNs not visible", "%s: kpagecount while mapped", tag);
	else
		tap_ok(mt_kpagecount_all(pfns, np, pfn ? 0 : 1, tag),
		       "%s: mapped: /proc/kpagecount is %d for every page", tag,
		       pfn ? 0 : 1);
	if (mt_backend_page_backed(b)) {
		if (skip)
			tap_skip(skip, "%s: kpageflags compound bits", tag);
		else if (pfn)
			tap_skip("pagemap does not show the PFNs of a VM_PFNMAP mapping",
				 "%s: kpageflags compound bits", tag);
		else if (!kpc_ok)
			tap_skip("PFNs not visible", "%s: kpageflags compound bits", tag);
		else
			tap_ok(kpageflags_ok(b, &info, tag),
			       b == MOSAIC_BACKEND_COMPOUND ?
			       "%s: kpageflags: a compound head per order>0 segment, its tails after it" :
			       "%s: kpageflags: no page is a compound head or tail", tag);
	}
	ok = !skip && mt_info(bfd, &info) == 0;
	TAP_POINT(skip, ok && info.nr_maps == 1 &&
	      mt_ledger_is(dev, &run.base, 1, np, 1),
	      "%s: INFO nr_maps 1; ledger +1 buffer, +%lu pages, +1 map (%llu)",
	      tag, np, ULL(info.nr_maps));

	/* ---- user writes, kernel reads ---- */
	if (!skip) {
		mt_user_fill(map, 0, size, SEED_B);
		ret = mt_verify(bfd, 0, size, SEED_B, &mm, &first);
	}
	TAP_POINT(skip, ret == 0 && mm == 0,
	      "%s: user wrote B through the mapping, VERIFY(B) of the whole buffer: 0 mismatches (%llu, first %#llx)",
	      tag, ULL(mm), ULL(first));

	/* ---- a range straddling a segment boundary ---- */
	if (!skip) {
		uint64_t lo = bd - 8;

		ret = mt_fill(bfd, lo, 24, SEED_C);
		bad = mt_user_check(map + lo, lo, 24, SEED_C, NULL) +
		      mt_user_check(map + lo - 8, lo - 8, 8, SEED_B, NULL) +
		      mt_user_check(map + lo + 24, lo + 24, 8, SEED_B, NULL);
		mt_user_fill(map + bd - MT_PAGE, bd - MT_PAGE, 2 * MT_PAGE, SEED_D);
		mm = 1;
		if (ret == 0)
			ret = mt_verify(bfd, bd - MT_PAGE, 2 * MT_PAGE, SEED_D, &mm, &first);
	}
	TAP_POINT(skip, ret == 0 && bad == 0 && mm == 0,
	      "%s: boundary at %#llx (%s): FILL of 3 words from 8 bytes before it reads back, neighbours intact; user range across it VERIFYs (%llu bad, %llu mismatches)",
	      tag, ULL(bd), bdwhy, ULL(bad), ULL(mm));

	/* ---- munmap: back to the unmapped values ---- */
	ret = skip ? 0 : munmap(map, size);
	ok = !skip && ret == 0 && refs_all(bfd, &after, tag);
	if (ok && !refs_equal(&after, &before))
		diag_refs(tag, "after munmap", &after);
	TAP_POINT(skip, ok && refs_equal(&after, &before) &&
	      (!kpc_ok || mt_kpagecount_all(pfns, np, 0, tag)),
	      "%s: after munmap: REFS back to the values before mmap%s", tag,
	      kpc_ok ? ", kpagecount 0" : "");

	/* ---- close: the ledger ends where the pair began ---- */
	mt_pair_finish(&run, dev, bfd, skip,
		       "after close: ledger (buffers, pages, maps) back to its value before the pair");
}

int main(void)
{
	struct mosaic_stats start;

	tap_diag("t10_matrix: every backend x strategy, 8 MiB buffers");
	dev = mt_open_dev_baseline(&start);
	pfns = mt_xcalloc(NPAGES, sizeof(*pfns));
	cnt = mt_xcalloc(NPAGES, sizeof(*cnt));

	MT_FOR_EACH_MATRIX_PAIR(b, s) {
		if (mt_pair_valid(b, s))
			valid_pair(b, s);
		else
			invalid_pair(b, s);
	}

	return mt_end_ledger_back(dev, &start,
				  "after all pairs: ledger back to the start");
}
