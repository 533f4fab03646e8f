// SPDX-License-Identifier: GPL-2.0
/*
 * t11_vma: what user space does to a VMA, for every valid backend x
 * strategy pair.
 *
 * Each pair gets one 8 MiB buffer (see mt_alloc_matrix()) and goes
 * through: a sub-range mapping at a page offset in the middle; two
 * mappings that see each other's writes; fork (the child reads the
 * parent's pattern and writes a word the parent sees); a partial munmap
 * that splits the VMA, with REFS on both pieces and the hole; mremap MOVE
 * (keeps the data) and mremap GROW (refused: VM_DONTEXPAND gives EFAULT);
 * mprotect(PROT_READ) (a write in a child dies with SIGSEGV) and back;
 * MADV_DONTNEED (page strategies: zapped, then the same memory comes back
 * on the next touch; PFN strategies: EINVAL, VM_PFNMAP); and a mapping at
 * a 2 MiB-aligned address whose first touch is a write, the one way a
 * fault can meet an empty page table where a 2 MiB compound page could be
 * mapped by a PMD. The ledger ends where each pair began.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "mosaic_test.h"
#include "tap.h"

#define WANT_SIZE	(8 * MT_MiB)
#define MAX_NP		(WANT_SIZE / MT_PAGE)
#define PMD_SIZE	(2 * MT_MiB)
#define SEED_A		0x0123012301230123ULL
#define SEED_B		0x4567456745674567ULL
#define SEED_C		0x89ab89ab89ab89abULL
#define SEED_D		0xcdefcdefcdefcdefULL
#define SEED_E		0x1357135713571357ULL
#define MAGIC		0x600dcafe600dcafeULL

static int dev;
static uint64_t *pfns, *pfns2;	/* MAX_NP entries each */

/* Per pair. */
static const char *tag;
static int bfd;
static uint64_t size;
static size_t np;
static bool pfn;
static struct mosaic_refs before;	/* whole buffer, unmapped */
static const char *skip;

static bool is_mapped(void *addr, size_t len)
{
	return msync(addr, len, MS_ASYNC) == 0;
}

/* Read one word of every page, so lazy strategies fault everything in. */
static void touch_read(const char *p, size_t len)
{
	volatile const char *v = p;

	for (size_t o = 0; o < len; o += MT_PAGE)
		(void)v[o];
}

/*
 * The refcount rule over [off, off+len) pages with @maps mappings of
 * them: page strategies have unexplained_refs 0 and mapcount == @maps on
 * every page; PFN strategies take nothing, so mapcount stays 0 and the
 * refcounts stay inside what the unmapped buffer had.
 */
static bool refs_rule(uint64_t off, uint64_t len, int maps, const char *what)
{
	struct mosaic_refs r;
	int ret = mt_refs(bfd, off, len, &r);
	bool ok;

	if (ret < 0) {
		tap_diag("%s: %s: REFS failed: %s", tag, what, mt_errname(ret));
		return false;
	}
	if (pfn)
		ok = r.unexplained_refs == 0 && r.mapcount_min == 0 &&
		     r.mapcount_max == 0 &&
		     r.refcount_min >= before.refcount_min &&
		     r.refcount_max <= before.refcount_max;
	else
		ok = r.unexplained_refs == 0 && r.mapcount_min == maps &&
		     r.mapcount_max == maps;
	if (!ok)
		tap_diag("%s: %s: REFS [%#llx, +%#llx): refcount %u..%u mapcount %d..%d unexplained %lld, want mapcount %d",
			 tag, what, ULL(off), ULL(len), r.refcount_min,
			 r.refcount_max, r.mapcount_min, r.mapcount_max,
			 (long long)r.unexplained_refs, pfn ? 0 : maps);
	return ok;
}

/* REFS of the whole buffer equal to the unmapped values. */
static bool refs_unmapped(const char *what)
{
	struct mosaic_refs r;
	int ret = mt_refs(bfd, 0, size, &r);

	if (ret == 0 && r.refcount_min == before.refcount_min &&
	    r.refcount_max == before.refcount_max && r.mapcount_min == 0 &&
	    r.mapcount_max == 0 && r.unexplained_refs == 0)
		return true;
	tap_diag("%s: %s: REFS refcount %u..%u mapcount %d..%d unexplained %lld (%s), want %u..%u 0..0 0",
		 tag, what, r.refcount_min, r.refcount_max, r.mapcount_min,
		 r.mapcount_max, (long long)r.unexplained_refs, mt_errname(ret),
		 before.refcount_min, before.refcount_max);
	return false;
}

static uint64_t verify(uint64_t off, uint64_t len, uint64_t seed)
{
	uint64_t mm = UINT64_MAX, first;
	int ret = mt_verify(bfd, off, len, seed, &mm, &first);

	if (ret < 0) {
		tap_diag("%s: VERIFY failed: %s", tag, mt_errname(ret));
		return UINT64_MAX;
	}
	if (mm)
		tap_diag("%s: VERIFY [%#llx, +%#llx): %llu mismatches, first %#llx",
			 tag, ULL(off), ULL(len), ULL(mm), ULL(first));
	return mm;
}

/* ---- children ---- */

struct child_arg {
	volatile uint64_t *map;
	uint64_t len;
	uint64_t seed;
	uint64_t word;		/* index of the word to write */
	uint64_t value;
};

/* Check the parent's pattern, then write one word. 0 on success. */
static int child_read_write(void *p)
{
	struct child_arg *a = p;

	if (mt_user_check((const void *)a->map, 0, a->len, a->seed, NULL))
		return 1;
	a->map[a->word] = a->value;
	return 0;
}

/* One store; expected to die with SIGSEGV. */
static int child_store(void *p)
{
	struct child_arg *a = p;

	a->map[a->word] = a->value;
	return 0;
}

/* ---- the steps of one pair ---- */

static void step_subrange(void)
{
	uint64_t off = (np / 2 - 7) * MT_PAGE, len = 37 * MT_PAGE, bad = 1;
	bool ok = false;
	char *sub;

	if (!skip) {
		sub = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, bfd, off);
		if (sub != MAP_FAILED) {
			bad = mt_user_check(sub, off, len, SEED_A, NULL);
			mt_user_fill(sub, off, len, SEED_B);
			ok = verify(off, len, SEED_B) == 0 &&
			     verify(off - 8, 8, SEED_A) == 0 &&
			     verify(off + len, 8, SEED_A) == 0 &&
			     refs_rule(off, len, 1, "sub-range mapped") &&
			     refs_rule(0, off, 0, "outside the sub-range") &&
			     refs_rule(off + len, size - off - len, 0,
				       "outside the sub-range");
			munmap(sub, len);
			/* Back to A for the steps that follow. */
			mt_fill(bfd, off, len, SEED_A);
		} else {
			tap_diag("%s: sub-range mmap: %s", tag, mt_errname(errno));
		}
	}
	TAP_POINT(skip, ok && bad == 0,
	      "%s: mmap of 37 pages at buffer page %zu shows those bytes (%llu bad); its writes land there and nowhere else; REFS count only those pages",
	      tag, np / 2 - 7, ULL(bad));
}

static void step_two_maps(void)
{
	volatile uint64_t *m1 = MAP_FAILED, *m2 = MAP_FAILED;
	size_t nw = size / 8, bad = 0, n = 0;
	bool refs = false;

	if (!skip) {
		m1 = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, bfd, 0);
		m2 = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, bfd, 0);
	}
	if (!skip && m1 != MAP_FAILED && m2 != MAP_FAILED) {
		/* One word per 17 pages, at a moving offset in the page. */
		for (size_t i = 0; i < nw; i += 17 * 512 + 1, n++) {
			m1[i] = MAGIC ^ i;
			bad += m2[i] != (MAGIC ^ i);
			m2[i] = ~(MAGIC ^ i);
			bad += m1[i] != ~(MAGIC ^ i);
		}
		touch_read((const char *)m1, size);
		touch_read((const char *)m2, size);
		refs = refs_rule(0, size, 2, "two mappings");
		mt_fill(bfd, 0, size, SEED_A);
	}
	TAP_POINT(skip, m1 != MAP_FAILED && m2 != MAP_FAILED && bad == 0 && n > 0,
	      "%s: two mappings of the buffer see each other's writes (%zu words each way, %zu bad)",
	      tag, n, bad);
	TAP_POINT(skip, refs, "%s: two mappings, every page touched in both: REFS %s",
	      tag, pfn ? "unchanged (PFN maps)" : "unexplained_refs 0, mapcount 2");
	if (m1 != MAP_FAILED)
		munmap((void *)m1, size);
	if (m2 != MAP_FAILED)
		munmap((void *)m2, size);
}

/*
 * Fork, then a partial munmap of the parent's mapping. Leaves nothing
 * mapped.
 */
static void step_fork_split(void)
{
	struct child_arg a = { 0 };
	size_t lo = np / 4 + 1, hi = np / 2 + 3;	/* the hole, in pages */
	uint64_t word = (np / 2) * 512 - 1;		/* last word of a page */
	char *map = MAP_FAILED;
	struct mosaic_info info = { 0 };
	int rc = -1;
	bool data = false, refs = false;

	if (!skip)
		map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, bfd, 0);
	if (!skip && map != MAP_FAILED) {
		mt_user_fill(map, 0, size, SEED_C);
		a.map = (volatile uint64_t *)map;
		a.len = size;
		a.seed = SEED_C;
		a.word = word;
		a.value = MAGIC;
		rc = mt_run_child(child_read_write, &a, 60);
	}
	TAP_POINT(skip, rc == 0 && a.map[word] == MAGIC,
	      "%s: fork: the child reads the parent's pattern through the inherited mapping, the parent sees the child's write (child exit %d)",
	      tag, rc);

	if (!skip && map != MAP_FAILED) {
		uint64_t bad;

		((volatile uint64_t *)map)[word] = mosaic_pattern_word(SEED_C, word * 8);
		munmap(map + lo * MT_PAGE, (hi - lo) * MT_PAGE);
		bad = mt_user_check(map, 0, lo * MT_PAGE, SEED_C, NULL) +
		      mt_user_check(map + hi * MT_PAGE, hi * MT_PAGE,
				    size - hi * MT_PAGE, SEED_C, NULL);
		data = bad == 0 && !is_mapped(map + lo * MT_PAGE, MT_PAGE) &&
		       mt_info(bfd, &info) == 0 && info.nr_maps == 2;
		refs = refs_rule(0, lo * MT_PAGE, 1, "below the hole") &&
		       refs_rule(hi * MT_PAGE, size - hi * MT_PAGE, 1, "above the hole") &&
		       refs_rule(lo * MT_PAGE, (hi - lo) * MT_PAGE, 0, "the hole");
		munmap(map, lo * MT_PAGE);
		munmap(map + hi * MT_PAGE, size - hi * MT_PAGE);
		mt_fill(bfd, 0, size, SEED_A);
	}
	TAP_POINT(skip, data, "%s: munmap of pages [%zu, %zu) splits the VMA: both pieces keep their data, the hole is gone, INFO nr_maps 2 (%llu)",
	      tag, lo, hi, ULL(info.nr_maps));
	TAP_POINT(skip, refs, "%s: after the split: REFS unexplained_refs 0, mapcount %s in both pieces, 0 in the hole",
	      tag, pfn ? "0 (PFN map)" : "1");
}

static void step_mremap_mprotect(void)
{
	struct child_arg a = { 0 };
	char *map = MAP_FAILED, *dst = MAP_FAILED, *moved = MAP_FAILED, *grown;
	uint64_t bad = 1, word = (np / 3) * 512 + 5;
	struct mosaic_info info = { 0 };
	bool refs = false, rw_ok = false;
	int grow_err = 0, rc = -1, pret = -1;

	if (!skip) {
		map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, bfd, 0);
		/* A free range to move to: reserve it, then move over it. */
		dst = mmap(NULL, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	}
	if (!skip && map != MAP_FAILED && dst != MAP_FAILED) {
		touch_read(map, size);
		moved = mremap(map, size, size, MREMAP_MAYMOVE | MREMAP_FIXED, dst);
		if (moved == MAP_FAILED)
			tap_diag("%s: mremap MOVE: %s", tag, mt_errname(errno));
	}
	if (moved != MAP_FAILED) {
		bad = mt_user_check(moved, 0, size, SEED_A, NULL);
		refs = refs_rule(0, size, 1, "after mremap MOVE") &&
		       mt_info(bfd, &info) == 0 && info.nr_maps == 1;
	}
	TAP_POINT(skip, moved == dst && bad == 0 && !is_mapped(map, MT_PAGE) && refs,
	      "%s: mremap MOVE to a fixed new address: all data there (%llu bad), old range unmapped, REFS %s, INFO nr_maps 1",
	      tag, ULL(bad), pfn ? "unchanged" : "mapcount 1");

	if (moved != MAP_FAILED) {
		grown = mremap(moved, size, size + MT_PAGE, MREMAP_MAYMOVE);
		grow_err = grown == MAP_FAILED ? errno : 0;
		if (grown != MAP_FAILED) {
			moved = grown;	/* unexpected: keep tracking it */
			tap_diag("%s: mremap grew the mapping", tag);
		}
	}
	TAP_POINT(skip, moved != MAP_FAILED && grow_err == EFAULT && is_mapped(moved, size),
	      "%s: mremap GROW by a page is refused with EFAULT (VM_DONTEXPAND) and the mapping stays (%s)",
	      tag, mt_errname(grow_err));

	if (moved != MAP_FAILED) {
		pret = mprotect(moved, size, PROT_READ);
		a.map = (volatile uint64_t *)moved;
		a.word = word;
		a.value = MAGIC;
		if (pret == 0)
			rc = mt_run_child(child_store, &a, 30);
	}
	TAP_POINT(skip, pret == 0 && rc == 128 + SIGSEGV &&
	      ((volatile uint64_t *)moved)[word] == mosaic_pattern_word(SEED_A, word * 8),
	      "%s: mprotect(PROT_READ): a write in a forked child dies with SIGSEGV (%d), the word is unchanged",
	      tag, rc);

	if (moved != MAP_FAILED) {
		pret = mprotect(moved, size, PROT_READ | PROT_WRITE);
		if (pret == 0) {
			((volatile uint64_t *)moved)[word] = MAGIC;
			rw_ok = ((volatile uint64_t *)moved)[word] == MAGIC;
			((volatile uint64_t *)moved)[word] =
				mosaic_pattern_word(SEED_A, word * 8);
			rw_ok = rw_ok && verify(0, size, SEED_A) == 0;
		}
	}
	TAP_POINT(skip, pret == 0 && rw_ok,
	      "%s: mprotect back to PROT_READ|PROT_WRITE: writing works again and reaches the buffer",
	      tag);
	if (moved != MAP_FAILED)
		munmap(moved, size);
	else if (dst != MAP_FAILED)
		munmap(dst, size);
	if (map != MAP_FAILED && moved == MAP_FAILED)
		munmap(map, size);
}

static void step_dontneed(void)
{
	size_t first = np / 2 - 2, n = 5;	/* 5 pages in the middle */
	char *map = MAP_FAILED;
	uint64_t bad = 1;
	int ret = -1, err = 0, gone = -1;
	bool back = false;

	if (!skip)
		map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, bfd, 0);
	if (!skip && map != MAP_FAILED) {
		touch_read(map, size);
		if (mt_pagemap_pfns(map, np, pfns) < 0)
			memset(pfns, 0xff, np * sizeof(*pfns));
		ret = madvise(map + first * MT_PAGE, n * MT_PAGE, MADV_DONTNEED);
		err = ret ? errno : 0;
		if (ret == 0 && mt_pagemap_pfns(map + first * MT_PAGE, n, pfns2) == 0) {
			gone = 0;
			for (size_t i = 0; i < n; i++)
				gone += pfns2[i] == MT_PFN_NONE;
		}
	}
	if (pfn)
		TAP_POINT(skip, ret == -1 && err == EINVAL,
		      "%s: MADV_DONTNEED on 5 pages fails with EINVAL (VM_PFNMAP) (%s)",
		      tag, mt_errname(err));
	else
		TAP_POINT(skip, ret == 0 && gone == (int)n,
		      "%s: MADV_DONTNEED on 5 pages: 0, and pagemap shows them gone (%d of %zu)",
		      tag, gone, n);

	if (!skip && map != MAP_FAILED) {
		bad = mt_user_check(map, 0, size, SEED_A, NULL);
		back = refs_rule(0, size, 1, "after MADV_DONTNEED and re-touch");
		if (!pfn && mt_pfns_visible(pfns, np) &&
		    mt_pagemap_pfns(map, np, pfns2) == 0)
			back = back && memcmp(pfns, pfns2, np * sizeof(*pfns)) == 0;
		munmap(map, size);
	}
	TAP_POINT(skip, bad == 0 && back,
	      "%s: after MADV_DONTNEED and a re-touch: the same data (%llu bad), %s",
	      tag, ULL(bad), pfn ? "REFS unchanged" :
	      "the same PFNs, REFS mapcount 1 again");
}

/*
 * First touch by a write at a 2 MiB-aligned VMA: the fault meets an
 * empty page table, where, were the page handed to the core, it would map
 * a whole 2 MiB compound page with one PMD if it can
 * (finish_fault -> do_set_pmd). That mapping takes one reference and a
 * compound mapcount instead of one of each per page, and zapping it in a
 * VM_MIXEDMAP VMA gives neither back.
 */
static void step_aligned_write_first(void)
{
	char *map = MAP_FAILED;
	uint64_t mm = 1;
	bool refs = false, after = false;

	if (!skip) {
		map = mt_mmap_aligned(size, PROT_READ | PROT_WRITE, MAP_SHARED,
				      bfd, 0, PMD_SIZE);
		if (map == MAP_FAILED)
			tap_diag("%s: aligned mmap: %s", tag, mt_errname(errno));
	}
	if (map != MAP_FAILED) {
		char pmd[64] = "?";

		mt_user_fill(map, 0, size, SEED_E);
		mm = verify(0, size, SEED_E);
		refs = refs_rule(0, size, 1, "2 MiB-aligned, written first");
		mt_smaps_field(map, "FilePmdMapped", pmd, sizeof(pmd));
		if (!refs)
			tap_diag("%s: smaps FilePmdMapped:%s", tag, pmd);
		munmap(map, size);
		after = refs_unmapped("after munmap of the 2 MiB-aligned mapping");
	}
	TAP_POINT(skip, mm == 0 && refs,
	      "%s: mapping at a 2 MiB-aligned address, first touch a write: VERIFY 0 mismatches, REFS %s",
	      tag, pfn ? "unchanged" : "unexplained_refs 0, mapcount 1");
	TAP_POINT(skip, after, "%s: after munmap of that mapping: REFS back to the unmapped values", tag);
}

static void run_pair(uint32_t b, uint32_t s)
{
	struct mt_pair_run run;
	int ret;

	mt_pair_start(&run, dev, b, s);
	tag = run.tag;
	pfn = mt_maps_pfn(b, s);
	memset(&before, 0, sizeof(before));

	bfd = mt_pair_alloc(&run, dev, WANT_SIZE, &size, &skip);
	np = size / MT_PAGE;
	ret = bfd < 0 ? bfd : mt_fill(bfd, 0, size, SEED_A);
	if (ret == 0)
		ret = mt_refs(bfd, 0, size, &before);
	TAP_POINT(skip, ret == 0, "%s: ALLOC %llu MiB, FILL(A), REFS (%s)", tag,
	      ULL(size / MT_MiB), mt_errname(ret));
	if (!skip && ret != 0)
		skip = "ALLOC failed";

	step_subrange();
	step_two_maps();
	step_fork_split();
	step_mremap_mprotect();
	step_dontneed();
	step_aligned_write_first();

	mt_pair_finish(&run, dev, bfd, skip,
		       "after munmap and close: ledger back to its value before the pair");
}

int main(void)
{
	struct mosaic_stats start;

	tap_diag("t11_vma: sub-range, two maps, fork, split, mremap, mprotect, MADV_DONTNEED per pair");
	dev = mt_open_dev_baseline(&start);
	pfns = mt_xcalloc(MAX_NP, sizeof(*pfns));
	pfns2 = mt_xcalloc(MAX_NP, sizeof(*pfns2));

	MT_FOR_EACH_MATRIX_PAIR(b, s)
		if (mt_pair_valid(b, s))
			run_pair(b, s);

	return mt_end_ledger_back(dev, &start,
				  "after all pairs: ledger back to the start");
}
