// SPDX-License-Identifier: GPL-2.0
/*
 * t03_refcount: exact page reference and map counts of a 64 MiB buffer.
 *
 * The rule: every page has page_count == 1 (the buffer's own reference) +
 * number of user PTEs mapping it, and page_mapcount == number of PTEs.
 * MOSAIC_TEST_IOC_REFS shows both from the inside; /proc/kpagecount (the
 * mapcount) shows it from the outside, page by page, via the PFNs that
 * /proc/self/pagemap gives us. Both must agree in every state: one mapping,
 * two mappings, after fork (parent and child), after munmap, and after a
 * partial munmap that splits the VMA.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mosaic_test.h"
#include "tap.h"

#define SIZE	(64 * MT_MiB)
#define NPAGES	(SIZE / MT_PAGE)	/* 16384 */

static bool kpc_ok;	/* /proc/kpagecount + real PFNs usable */

/* REFS over [off, off+len) must be exactly refcount rc and mapcount mc. */
static bool refs_are(int bfd, uint64_t off, uint64_t len, unsigned rc, int mc)
{
	struct mosaic_refs r;
	int ret = mt_refs(bfd, off, len, &r);

	if (ret < 0) {
		tap_diag("REFS [%#llx, +%#llx) failed: %s", ULL(off), ULL(len),
			 mt_errname(ret));
		return false;
	}
	if (r.refcount_min == rc && r.refcount_max == rc &&
	    r.mapcount_min == mc && r.mapcount_max == mc)
		return true;
	tap_diag("REFS [%#llx, +%#llx): refcount %u..%u mapcount %d..%d, want %u/%d",
		 ULL(off), ULL(len), r.refcount_min, r.refcount_max,
		 r.mapcount_min, r.mapcount_max, rc, mc);
	return false;
}

/* kpagecount == want for all pfns, or a skip when PFNs are not visible. */
static void kpc_point(const uint64_t *pfns, size_t n, uint64_t want,
		      const char *desc)
{
	if (!kpc_ok) {
		tap_skip("PFNs/kpagecount not available (need root)", "%s", desc);
		return;
	}
	tap_ok(mt_kpagecount_all(pfns, n, want, desc), "%s", desc);
}

/* Child side of the fork test: results travel back through a pipe. */
struct child_report {
	int pagemap_ret;	/* 0 or -errno */
	int same_pfns;		/* child's PFNs equal the parent's */
	int kpc_two;		/* all kpagecount == 2 (or -1 if not checked) */
	int refs_two;		/* REFS == 3 refs / 2 maps */
	uint64_t data_bad;	/* words not matching the parent's pattern */
};

int main(void)
{
	struct mosaic_stats base;
	struct mosaic_info info;
	uint64_t *pfns, *pfns2;
	int dev, bfd, ret;
	char *map, *map2;
	size_t present;

	tap_diag("t03_refcount: kpagecount + REFS exactness, 64 MiB buffer");
	dev = mt_open_dev_baseline(&base);
	pfns = mt_xcalloc(NPAGES, sizeof(*pfns));
	pfns2 = mt_xcalloc(NPAGES, sizeof(*pfns2));

	bfd = mt_alloc(dev, SIZE, MOSAIC_BACKEND_PAGES, MOSAIC_STRATEGY_AUTO);
	if (!tap_ok(bfd >= 0, "ALLOC 64 MiB (%s)", mt_errname(bfd < 0 ? bfd : 0)))
		tap_bail("cannot allocate the test buffer");

	tap_ok(refs_are(bfd, 0, SIZE, 1, 0),
	       "unmapped buffer: every page has refcount 1 (the buffer's own), mapcount 0");

	/* ---- one mapping ---- */
	map = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, bfd, 0);
	if (!tap_ok(map != MAP_FAILED, "mmap the whole buffer (%s)",
		    map == MAP_FAILED ? mt_errname(errno) : "ok"))
		tap_bail("cannot map the test buffer");

	/* INSERT_PAGES puts every PTE in place at mmap time, before any touch. */
	ret = mt_pagemap_pfns(map, NPAGES, pfns);
	present = 0;
	for (size_t i = 0; ret == 0 && i < NPAGES; i++)
		present += pfns[i] != MT_PFN_NONE;
	tap_ok(ret == 0 && present == NPAGES,
	       "all %lu pages present in pagemap right after mmap, untouched (%zu, %s)",
	       NPAGES, present, mt_errname(ret));
	kpc_ok = ret == 0 && mt_pfns_visible(pfns, NPAGES) &&
		 access("/proc/kpagecount", R_OK) == 0;
	if (!kpc_ok)
		tap_diag("PFNs are hidden or /proc/kpagecount unreadable: kpagecount checks skip");

	if (kpc_ok) {
		/* Every page of the buffer is a distinct physical page. */
		uint64_t *sorted = mt_xcalloc(NPAGES, sizeof(*sorted));
		size_t dups = 0, runs = 1;

		memcpy(sorted, pfns, NPAGES * sizeof(*sorted));
		/* Shell sort: no qsort comparator boilerplate, fast enough. */
		for (size_t gap = NPAGES / 2; gap; gap /= 2)
			for (size_t i = gap; i < NPAGES; i++)
				for (size_t j = i; j >= gap && sorted[j - gap] > sorted[j]; j -= gap) {
					uint64_t t = sorted[j];

					sorted[j] = sorted[j - gap];
					sorted[j - gap] = t;
				}
		for (size_t i = 1; i < NPAGES; i++)
			dups += sorted[i] == sorted[i - 1];
		tap_ok(dups == 0, "pagemap: the %lu pages have %lu distinct PFNs (%zu duplicates)",
		       NPAGES, NPAGES, dups);
		mt_xfree(sorted, NPAGES, sizeof(*sorted));

		/* INFO's physical runs must match what pagemap shows in buffer order. */
		for (size_t i = 1; i < NPAGES; i++)
			runs += pfns[i] != pfns[i - 1] + 1;
		ret = mt_info(bfd, &info);
		tap_ok(ret == 0 && info.nr_runs == runs,
		       "INFO nr_runs equals the physically contiguous runs seen via pagemap (%llu vs %zu)",
		       ULL(info.nr_runs), runs);
		tap_diag("64 MiB buffer: %zu physical runs over %lu pages", runs, NPAGES);
	} else {
		tap_skip("PFNs not visible", "pagemap: the pages have distinct PFNs");
		tap_skip("PFNs not visible", "INFO nr_runs equals the runs seen via pagemap");
	}

	kpc_point(pfns, NPAGES, 1, "one mapping: kpagecount is 1 for every page");
	tap_ok(refs_are(bfd, 0, SIZE, 2, 1), "one mapping: REFS refcount 2, mapcount 1 on all pages");

	/* ---- two mappings ---- */
	map2 = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, bfd, 0);
	if (tap_ok(map2 != MAP_FAILED, "second mmap of the whole buffer (%s)",
		   map2 == MAP_FAILED ? mt_errname(errno) : "ok")) {
		ret = mt_pagemap_pfns(map2, NPAGES, pfns2);
		tap_ok(ret == 0 && memcmp(pfns, pfns2, NPAGES * 8) == 0,
		       "second mapping maps the same PFNs in the same order");
		kpc_point(pfns, NPAGES, 2, "two mappings: kpagecount is 2 for every page");
		tap_ok(refs_are(bfd, 0, SIZE, 3, 2), "two mappings: REFS refcount 3, mapcount 2");
		ret = mt_info(bfd, &info);
		tap_ok(ret == 0 && info.nr_maps == 2, "INFO nr_maps is 2 (%llu)", ULL(info.nr_maps));
		tap_ok(munmap(map2, SIZE) == 0, "munmap the second mapping");
		kpc_point(pfns, NPAGES, 1, "after munmap of the second: kpagecount back to 1");
		tap_ok(refs_are(bfd, 0, SIZE, 2, 1), "after munmap of the second: REFS back to 2/1");
	} else {
		tap_bail("second mapping failed");
	}

	/* ---- fork: child's PTEs count too ---- */
	{
		int to_child[2], to_parent[2];
		struct child_report rep;
		char go = 0;
		pid_t pid;
		int status;

		mt_user_fill(map, 0, SIZE, 0x77);
		if (pipe(to_child) || pipe(to_parent))
			tap_bail("pipe: %s", strerror(errno));
		pid = mt_fork();
		if (pid == 0) {
			/*
			 * Touch every page first so the result does not depend on
			 * whether fork copied the PTEs or the child faults them in.
			 */
			uint64_t *cp = mt_xcalloc(NPAGES, sizeof(*cp));
			uint64_t *cnt = mt_xcalloc(NPAGES, sizeof(*cnt));

			alarm(60);
			memset(&rep, 0, sizeof(rep));
			rep.data_bad = mt_user_check(map, 0, SIZE, 0x77, NULL);
			rep.pagemap_ret = mt_pagemap_pfns(map, NPAGES, cp);
			rep.same_pfns = rep.pagemap_ret == 0 &&
					memcmp(cp, pfns, NPAGES * 8) == 0;
			rep.kpc_two = -1;
			if (kpc_ok && mt_kpagecount(cp, NPAGES, cnt) == 0) {
				rep.kpc_two = 1;
				for (size_t i = 0; i < NPAGES; i++)
					if (cnt[i] != 2)
						rep.kpc_two = 0;
			}
			rep.refs_two = refs_are(bfd, 0, SIZE, 3, 2);
			if (write(to_parent[1], &rep, sizeof(rep)) != sizeof(rep))
				_exit(2);
			/* Stay alive (mapping intact) until the parent has checked. */
			if (read(to_child[0], &go, 1) != 1)
				_exit(3);
			_exit(0);
		}
		close(to_child[0]);
		close(to_parent[1]);
		if (read(to_parent[0], &rep, sizeof(rep)) != sizeof(rep)) {
			memset(&rep, 0, sizeof(rep));
			rep.pagemap_ret = -EPIPE;
			rep.data_bad = UINT64_MAX;
		}
		tap_ok(rep.data_bad == 0, "child sees the parent's data through the inherited mapping (%llu bad)",
		       ULL(rep.data_bad));
		tap_ok(rep.pagemap_ret == 0 && rep.same_pfns,
		       "child's mapping has the same PFNs as the parent's (%s)",
		       mt_errname(rep.pagemap_ret));
		if (rep.kpc_two < 0)
			tap_skip("PFNs/kpagecount not available", "in the child: kpagecount is 2 for every page");
		else
			tap_ok(rep.kpc_two == 1, "in the child: kpagecount is 2 for every page");
		tap_ok(rep.refs_two, "in the child: REFS refcount 3, mapcount 2");
		/* The parent checks while the child is still alive. */
		kpc_point(pfns, NPAGES, 2, "in the parent while the child lives: kpagecount 2");
		tap_ok(refs_are(bfd, 0, SIZE, 3, 2), "in the parent while the child lives: REFS 3/2");
		ret = mt_info(bfd, &info);
		tap_ok(ret == 0 && info.nr_maps == 2,
		       "INFO nr_maps counts the child's VMA too (%llu)", ULL(info.nr_maps));
		if (write(to_child[1], &go, 1) != 1)
			tap_diag("could not release the child");
		close(to_child[1]);
		close(to_parent[0]);
		waitpid(pid, &status, 0);
		tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		       "child exited cleanly (status %#x)", status);
		kpc_point(pfns, NPAGES, 1, "after the child exited: kpagecount back to 1");
		tap_ok(refs_are(bfd, 0, SIZE, 2, 1), "after the child exited: REFS back to 2/1");
	}

	/* ---- partial munmap splits the VMA ---- */
	{
		const size_t lo = 100, hi = 1100;	/* pages [100, 1100) go away */

		ret = munmap(map + lo * MT_PAGE, (hi - lo) * MT_PAGE);
		tap_ok(ret == 0, "munmap of pages [%zu, %zu) in the middle of the mapping", lo, hi);
		ret = mt_info(bfd, &info);
		tap_ok(ret == 0 && info.nr_maps == 2,
		       "the split leaves 2 VMAs: INFO nr_maps 2 (%llu)", ULL(info.nr_maps));
		tap_ok(mt_ledger_is(dev, &base, 1, NPAGES, 2), "ledger: maps +2 after the split");
		kpc_point(pfns + lo, hi - lo, 0, "unmapped hole: kpagecount 0");
		kpc_point(pfns, lo, 1, "below the hole: kpagecount still 1");
		kpc_point(pfns + hi, NPAGES - hi, 1, "above the hole: kpagecount still 1");
		tap_ok(refs_are(bfd, lo * MT_PAGE, (hi - lo) * MT_PAGE, 1, 0),
		       "unmapped hole: REFS refcount 1, mapcount 0");
		tap_ok(refs_are(bfd, 0, lo * MT_PAGE, 2, 1) &&
		       refs_are(bfd, hi * MT_PAGE, SIZE - hi * MT_PAGE, 2, 1),
		       "either side of the hole: REFS refcount 2, mapcount 1");
		/* Both halves still hold the pattern written before the fork. */
		tap_ok(mt_user_check(map, 0, lo * MT_PAGE, 0x77, NULL) == 0 &&
		       mt_user_check(map + hi * MT_PAGE, hi * MT_PAGE,
				     SIZE - hi * MT_PAGE, 0x77, NULL) == 0,
		       "data in both remaining pieces is intact");

		/* Map just the hole again, at an offset: only those pages count. */
		map2 = mmap(NULL, (hi - lo) * MT_PAGE, PROT_READ, MAP_SHARED, bfd, lo * MT_PAGE);
		tap_ok(map2 != MAP_FAILED && refs_are(bfd, 0, SIZE, 2, 1),
		       "mapping the hole back at offset %zu pages: every page refcount 2, mapcount 1", lo);
		if (map2 != MAP_FAILED) {
			ret = mt_pagemap_pfns(map2, hi - lo, pfns2);
			tap_ok(ret == 0 && memcmp(pfns2, pfns + lo, (hi - lo) * 8) == 0,
			       "the offset mapping uses exactly the hole's PFNs");
			munmap(map2, (hi - lo) * MT_PAGE);
		} else {
			tap_skip("offset mapping failed", "the offset mapping uses exactly the hole's PFNs");
		}

		munmap(map, lo * MT_PAGE);
		munmap(map + hi * MT_PAGE, SIZE - hi * MT_PAGE);
	}

	/* ---- everything unmapped, fd still open ---- */
	kpc_point(pfns, NPAGES, 0, "all mappings gone: kpagecount 0 for every page");
	tap_ok(refs_are(bfd, 0, SIZE, 1, 0), "all mappings gone: REFS refcount 1, mapcount 0");
	ret = mt_info(bfd, &info);
	tap_ok(ret == 0 && info.nr_maps == 0, "INFO nr_maps 0 (%llu)", ULL(info.nr_maps));
	tap_ok(mt_ledger_is(dev, &base, 1, NPAGES, 0), "ledger: buffer alive, no maps");

	close(bfd);
	return mt_end_ledger_back(dev, &base,
				  "ledger back to the start after close");
}
