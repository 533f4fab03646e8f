// SPDX-License-Identifier: GPL-2.0
/*
 * t14_huge: strategy huge, 2 MiB blocks mapped with one PMD each.
 *
 * A 1 GiB compound buffer at max order 9 is 512 order-9 compound pages.
 * Mapped with PMDs it needs no page tables and one fault per 2 MiB:
 * - structure: the VmPTE delta of mapping and touching all of it is at
 *   most 16 KiB (4 KiB PTEs need 2 MiB), the first touch of every byte
 *   costs at most 512 minor faults (not 262,144), /proc/self/smaps shows
 *   the whole range in FilePmdMapped and INFO counts 512 PMD mappings;
 * - correctness: data round-trips both ways, REFS is exact (a PMD adds one
 *   reference and one entire mapcount to its compound page), and a partial
 *   munmap, an mprotect of one page, mremap, fork, MADV_DONTNEED and
 *   process_vm_readv across a PMD boundary all work and leave REFS exact;
 *   in the end the ledger is back where it started.
 * Then the fallbacks: a buffer of order-8 pages gets only PTEs, and
 * coherent memory in 2 MiB chunks gets PMDs only where the kernel has a
 * safe PFN PMD (pfn-pmd), PTEs otherwise, as INFO says.
 *
 * The figures depend on the kernel's mode (INFO huge_mode): the structure
 * points need a PMD mode (fault-pmd or folio-pmd) and are skipped, with
 * the reason, where the kernel has none (no THP: pte-fallback).
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mosaic_test.h"
#include "tap.h"

#define SIZE		(1024 * MT_MiB)
#define PMD		(2 * MT_MiB)
#define NBLOCKS		(SIZE / PMD)		/* 512 */
#define SEED_A		0x1111aaaa
#define SEED_B		0x2222bbbb
#define SEED_C		0x3333cccc
#define SEED_D		0x4444dddd

static int dev, bfd = -1;
static char *map = MAP_FAILED;
static const char *skip;
static struct mosaic_info info;

static long vm_pte_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmPTE: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static long minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

/* REFS over a range: unexplained_refs 0 and the given bounds. */
static bool refs_exact(uint64_t off, uint64_t len, unsigned rc_min,
		       unsigned rc_max, int mc_min, int mc_max,
		       const char *what)
{
	struct mosaic_refs r;
	int ret = mt_refs(bfd, off, len, &r);

	if (ret < 0) {
		tap_diag("%s: REFS failed: %s", what, mt_errname(ret));
		return false;
	}
	if (!r.unexplained_refs && r.refcount_min == rc_min &&
	    r.refcount_max == rc_max && r.mapcount_min == mc_min &&
	    r.mapcount_max == mc_max)
		return true;
	tap_diag("%s: REFS [%#llx, +%#llx) refcount %u..%u mapcount %d..%d unexplained %lld; want %u..%u / %d..%d / 0",
		 what, ULL(off), ULL(len), r.refcount_min, r.refcount_max,
		 r.mapcount_min, r.mapcount_max, (long long)r.unexplained_refs,
		 rc_min, rc_max, mc_min, mc_max);
	return false;
}

static bool unexplained_zero(const char *what)
{
	struct mosaic_refs r;
	int ret = mt_refs(bfd, 0, SIZE, &r);

	if (ret == 0 && r.unexplained_refs == 0)
		return true;
	tap_diag("%s: REFS %s, unexplained_refs %lld", what, mt_errname(ret),
		 ret ? 0LL : (long long)r.unexplained_refs);
	return false;
}

static uint64_t kverify(uint64_t off, uint64_t len, uint64_t seed)
{
	uint64_t mm = 1, first = 0;

	if (mt_verify(bfd, off, len, seed, &mm, &first) < 0)
		return 1;
	if (mm)
		tap_diag("VERIFY [%#llx, +%#llx): %llu mismatches, first %#llx",
			 ULL(off), ULL(len), ULL(mm), ULL(first));
	return mm;
}

static uint64_t pmds_now(void)
{
	struct mosaic_info i;

	if (mt_info(bfd, &i))
		return ~0ULL;
	return i.pmd_mapped;
}

/* ---- structure ---- */

static void structure(void)
{
	long pte0 = -1, pte1 = -1, f0, f1, pmdkb;
	uint64_t bad = 1, first = 0;

	pte0 = vm_pte_kb();
	if (!skip) {
		map = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
			   bfd, 0);
		if (map == MAP_FAILED)
			tap_diag("mmap: %s", mt_errname(errno));
	}
	TAP_POINT(skip, map != MAP_FAILED && !((uintptr_t)map % PMD),
	      "mmap(NULL, 1 GiB) of a huge buffer returns a 2 MiB-aligned address (%p)",
	      (void *)map);
	if (map == MAP_FAILED && !skip)
		skip = "mmap failed";

	/* Kernel writes, the user's first touch reads every byte. */
	f0 = minflt();
	if (!skip)
		bad = mt_user_check(map, 0, SIZE, SEED_A, &first);
	f1 = minflt();
	pte1 = vm_pte_kb();
	TAP_POINT(skip, bad == 0,
	      "kernel FILL(A), user reads every word back (%llu bad, first %#llx)",
	      ULL(bad), ULL(first));
	tap_diag("first touch of 1 GiB: %ld minor faults, VmPTE %ld -> %ld kB",
		 f1 - f0, pte0, pte1);
	TAP_POINT(skip, pte0 >= 0 && pte1 >= 0 && pte1 - pte0 <= 16,
	      "VmPTE grows by at most 16 KiB for 1 GiB mapped and touched (%ld kB; 4 KiB PTEs: 2048 kB)",
	      pte1 - pte0);
	TAP_POINT(skip, f1 - f0 <= (long)NBLOCKS,
	      "first touch of every byte costs at most 512 minor faults (%ld; 4 KiB PTEs: 262144)",
	      f1 - f0);
	pmdkb = skip ? -1 : mt_smaps_kb(map, "FilePmdMapped");
	TAP_POINT(skip, pmdkb == (long)(SIZE / 1024),
	      "/proc/self/smaps FilePmdMapped is the whole 1 GiB (%ld kB)",
	      pmdkb);
	TAP_POINT(skip, pmds_now() == NBLOCKS,
	      "INFO pmd_mapped: 512 PMDs map the buffer (%llu)",
	      ULL(pmds_now()));
	TAP_POINT(skip, refs_exact(0, SIZE, 2, 2, 1, 1, "PMD-mapped"),
	      "REFS exact: every compound page has 1 + 1 (its PMD) references, every page mapcount 1, unexplained 0");

	/* The other direction: user writes, kernel reads. */
	if (!skip)
		mt_user_fill(map, 0, SIZE, SEED_B);
	TAP_POINT(skip, !skip && kverify(0, SIZE, SEED_B) == 0,
	      "user writes every word (B), kernel VERIFY(B) finds 0 mismatches");
	TAP_POINT(skip, pmds_now() == NBLOCKS && !skip && mt_smaps_kb(map, "FilePmdMapped") == (long)(SIZE / 1024),
	      "after the writes: still 512 PMDs, FilePmdMapped 1 GiB");
}

/* ---- splitting ---- */

static void partial_munmap(void)
{
	uint64_t blk = 1 * PMD, hole = blk + 8 * MT_PAGE, bad = 1, first = 0;
	int ret = -1;

	if (!skip)
		ret = munmap(map + hole, MT_PAGE);
	if (!skip && !ret) {
		/* Touch the rest of the block: PTEs now. */
		bad = mt_user_check(map, 0, hole, SEED_B, &first) +
		      mt_user_check(map + hole + MT_PAGE, hole + MT_PAGE,
				    SIZE - hole - MT_PAGE, SEED_B, &first);
	}
	TAP_POINT(skip, ret == 0 && bad == 0,
	      "munmap of one page inside a PMD-mapped block: every other word still reads B (%llu bad)",
	      ULL(bad));
	TAP_POINT(skip, !skip && pmds_now() == NBLOCKS - 1 &&
	      refs_exact(blk, PMD, 1 + 511, 1 + 511, 0, 1, "split block") &&
	      refs_exact(0, blk, 2, 2, 1, 1, "block before"),
	      "REFS exact after the split: that block has 511 PTEs (refcount 512, the hole mapcount 0), the others keep their PMD, 511 PMDs");
	TAP_POINT(skip, !skip && unexplained_zero("after partial munmap"),
	      "REFS over the whole buffer: unexplained_refs 0");
}

static void *segv_addr;

static int child_write_ro(void *arg)
{
	(void)arg;
	*(volatile uint64_t *)segv_addr = 1;
	return 0;	/* must not get here */
}

static void mprotect_one(void)
{
	uint64_t blk = 3 * PMD, page = blk + 100 * MT_PAGE, bad = 1, first = 0;
	int ret = -1, rc = -1;

	if (!skip)
		ret = mprotect(map + page, MT_PAGE, PROT_READ);
	if (!skip && !ret) {
		segv_addr = map + page;
		rc = mt_run_child(child_write_ro, NULL, 30);
		/* Writes elsewhere in the block, then read it all. */
		mt_user_fill(map + blk, blk, page - blk, SEED_C);
		mt_user_fill(map + page + MT_PAGE, page + MT_PAGE,
			     blk + PMD - page - MT_PAGE, SEED_C);
		bad = mt_user_check(map + page, page, MT_PAGE, SEED_B, &first);
	}
	TAP_POINT(skip, ret == 0 && rc == 128 + SIGSEGV,
	      "mprotect(PROT_READ) of one page in a PMD-mapped block: a write to it is SIGSEGV (%d)",
	      rc);
	TAP_POINT(skip, bad == 0 && !skip && kverify(blk, page - blk, SEED_C) == 0 &&
	      kverify(page + MT_PAGE, blk + PMD - page - MT_PAGE, SEED_C) == 0,
	      "the rest of that block takes writes (C, VERIFY 0 mismatches), the read-only page still reads B");
	TAP_POINT(skip, !skip && pmds_now() == NBLOCKS - 2 &&
	      refs_exact(blk, PMD, 1 + 512, 1 + 512, 1, 1, "mprotect block") &&
	      unexplained_zero("after mprotect"),
	      "REFS exact: the mprotected block is PTE-mapped (refcount 513, mapcount 1), 510 PMDs left, unexplained 0");
	if (!skip)
		mprotect(map + page, MT_PAGE, PROT_READ | PROT_WRITE);
}

static void mremap_part(void)
{
	uint64_t off = 6 * PMD, len = 2 * PMD, bad = 1, first = 0;
	char *dst = MAP_FAILED, *moved = MAP_FAILED;

	/* A 4 KiB-misaligned target: the PMDs cannot move as PMDs. */
	if (!skip)
		dst = mmap(NULL, len + 2 * PMD, PROT_NONE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (dst != MAP_FAILED) {
		char *target = (char *)(((uintptr_t)dst + PMD) & ~(PMD - 1)) +
			       MT_PAGE;

		moved = mremap(map + off, len, len, MREMAP_MAYMOVE | MREMAP_FIXED,
			       target);
		if (moved == MAP_FAILED)
			tap_diag("mremap: %s", mt_errname(errno));
	}
	if (moved != MAP_FAILED)
		bad = mt_user_check(moved, off, len, SEED_B, &first);
	TAP_POINT(skip, moved != MAP_FAILED && bad == 0,
	      "mremap of 4 MiB (two PMD blocks) to a 4 KiB-misaligned address: every word still reads B (%llu bad)",
	      ULL(bad));
	TAP_POINT(skip, !skip && refs_exact(off, len, 1 + 512, 1 + 512, 1, 1, "moved") &&
	      unexplained_zero("after mremap"),
	      "REFS exact after mremap: the moved blocks are PTE-mapped (refcount 513, mapcount 1), unexplained 0");
	if (moved != MAP_FAILED)
		munmap(moved, len);
	if (dst != MAP_FAILED)
		munmap(dst, len + 2 * PMD);
}

/* ---- fork, MADV_DONTNEED, process_vm_readv ---- */

static int child_fork(void *arg)
{
	uint64_t first, off = 20 * PMD;

	(void)arg;
	/* The child faults its own PMDs in: read all of one block, write another. */
	if (mt_user_check(map + off, off, PMD, SEED_B, &first))
		return 1;
	if (mt_smaps_kb(map + off, "FilePmdMapped") < 2048)
		return 2;
	mt_user_fill(map + off + PMD, off + PMD, PMD, SEED_D);
	return 0;
}

static void fork_test(void)
{
	uint64_t off = 21 * PMD, base = ~0ULL;
	int rc = -1;

	if (!skip) {
		base = pmds_now();
		rc = mt_run_child(child_fork, NULL, 60);
	}
	TAP_POINT(skip, rc == 0 && kverify(off, PMD, SEED_D) == 0,
	      "fork: the child reads a block (B) through its own PMD and writes the next (D); the parent's VERIFY(D) finds 0 mismatches (child %d)",
	      rc);
	TAP_POINT(skip, !skip && pmds_now() == base && unexplained_zero("after fork"),
	      "after the child exits: its PMDs are gone again (%llu PMDs, as before), REFS unexplained 0",
	      ULL(pmds_now()));
}

static void dontneed(void)
{
	uint64_t a = 30 * PMD, b = 31 * PMD + 64 * MT_PAGE, bad = 1, first = 0;
	uint64_t base = skip ? 0 : pmds_now();
	int r1 = -1, r2 = -1;

	if (!skip) {
		r1 = madvise(map + a, PMD, MADV_DONTNEED);
		r2 = madvise(map + b, 16 * MT_PAGE, MADV_DONTNEED);
	}
	TAP_POINT(skip, r1 == 0 && r2 == 0 && pmds_now() == base - 2 &&
	      refs_exact(a, PMD, 1, 1, 0, 0, "dontneed whole block"),
	      "MADV_DONTNEED of a whole block and of 64 KiB inside another: both PMDs are gone, the whole block holds only the buffer's reference (%s)",
	      mt_errname(r1 ? -errno : r2 ? -errno : 0));
	if (!skip)
		bad = mt_user_check(map + a, a, 2 * PMD, SEED_B, &first);
	TAP_POINT(skip, bad == 0 && unexplained_zero("after MADV_DONTNEED"),
	      "after MADV_DONTNEED the next touch finds the same memory (B, not zeros: %llu bad), REFS unexplained 0",
	      ULL(bad));
}

static void vm_readv(void)
{
	uint64_t off = 40 * PMD - MT_MiB, len = 2 * MT_MiB, bad = 1, first = 0;
	struct iovec local, remote;
	ssize_t n = -1;
	char *copy = mt_xcalloc(len, 1);

	local.iov_base = copy;
	local.iov_len = len;
	if (!skip) {
		remote.iov_base = map + off;
		remote.iov_len = len;
		n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
		if (n < 0)
			tap_diag("process_vm_readv: %s", mt_errname(errno));
		else
			bad = mt_user_check(copy, off, len, SEED_B, &first);
	}
	TAP_POINT(skip, n == (ssize_t)len && bad == 0,
	      "process_vm_readv of 2 MiB across a PMD boundary (get_user_pages on PMD-mapped compound pages): every word B (%zd bytes, %llu bad)",
	      n, ULL(bad));
	TAP_POINT(skip, !skip && refs_exact(40 * PMD - PMD, 2 * PMD, 2, 2, 1, 1, "after readv"),
	      "after process_vm_readv: its pins are gone, both blocks 1 + 1 references, unexplained 0");
	mt_xfree(copy, len, 1);
}

/* ---- release ---- */

static void release(const struct mosaic_stats *base)
{
	int ret = -1;

	if (map != MAP_FAILED)
		ret = munmap(map, SIZE);
	map = MAP_FAILED;
	TAP_POINT(skip, ret == 0 && pmds_now() == 0 &&
	      refs_exact(0, SIZE, 1, 1, 0, 0, "unmapped"),
	      "munmap: 0 PMDs, every compound page back to the buffer's one reference, mapcount 0, unexplained 0");
	if (bfd >= 0)
		close(bfd);
	bfd = -1;
	TAP_POINT(skip, mt_ledger_is(dev, base, 0, 0, 0),
	      "close: the ledger is back where it started (buffers, pages, maps)");
}

/* ---- fallbacks ---- */

/*
 * Bytes of @fd's buffer in 2 MiB blocks a PMD may map, worked out from the
 * segment table (SEGMENTS, physical addresses: root only) rather than
 * taken from INFO: one physically contiguous, 2 MiB-aligned run, and in a
 * page mode one order-9 segment exactly. -1 if the table cannot be read.
 */
static int64_t pmd_able_bytes(int fd, uint64_t size, bool page_mode)
{
	struct mosaic_seg_entry *e;
	long nr = mt_segments_all(fd, &e);
	uint64_t off, n, k = 0, total = 0;

	if (nr < 0)
		return -1;
	n = (uint64_t)nr;
	if (n && (e[0].flags & MOSAIC_SEG_ADDR_HIDDEN)) {
		free(e);
		return -1;
	}
	for (off = 0; off + 2 * MT_MiB <= size; off += 2 * MT_MiB) {
		uint64_t base = 0, j;
		bool ok = true;

		while (k < n && e[k].offset + e[k].length <= off)
			k++;
		for (j = k; ok && j < n && e[j].offset < off + 2 * MT_MiB; j++) {
			uint64_t at = e[j].offset > off ? e[j].offset : off;
			uint64_t phys = e[j].phys + (at - e[j].offset);

			if (at == off)
				base = phys;
			ok = base % (2 * MT_MiB) == 0 && phys == base + (at - off) &&
			     (!page_mode || (e[j].order == 9 && e[j].offset == off));
		}
		if (ok)
			total += 2 * MT_MiB;
	}
	free(e);
	return (int64_t)total;
}

static void fallback(uint32_t backend, uint32_t max_order, uint64_t chunk,
		     uint64_t size, const char *what)
{
	struct mosaic_stats base;
	struct mosaic_info i;
	long pte0, pte1, pte_kb;
	uint64_t bad = 1, first = 0, want_pmd;
	int64_t able;
	char *m = MAP_FAILED;
	char fl[256] = "";
	const char *why = NULL;
	int fd, ret = -1;
	bool pmd_mode;

	if (mt_stats(dev, &base))
		tap_bail("STATS failed");
	fd = mt_alloc_knobs(dev, size, backend, MOSAIC_STRATEGY_HUGE,
			    max_order, chunk, NULL);
	if (fd < 0)
		why = mt_alloc_skip_reason(backend, fd, size);
	if (fd >= 0)
		ret = mt_info(fd, &i);
	if (why) {
		tap_skip(why, "%s: huge buffer", what);
		return;
	}
	pmd_mode = !ret && i.huge_mode != MOSAIC_HUGE_PTE;
	/*
	 * Order-8 pages never make a PMD; 2 MiB coherent chunks do with
	 * pfn-pmd, where the DMA layer gave 2 MiB-aligned ones.
	 */
	able = fd >= 0 ? pmd_able_bytes(fd, size, mt_backend_page_backed(backend)) : -1;
	want_pmd = pmd_mode && able > 0 ? (uint64_t)able : 0;
	tap_diag("%s: huge_mode %u, pmd_bytes %llu, the segment table allows %lld",
		 what, ret ? 0 : i.huge_mode, ULL(ret ? 0 : i.pmd_bytes),
		 (long long)able);
	tap_ok(able >= 0 && (max_order != 8 || able == 0),
	       "%s: the segment table (SEGMENTS) reads: %lld bytes in PMD-able blocks%s",
	       what, (long long)able, max_order == 8 ? ", none with order-8 pages" : "");
	tap_ok(fd >= 0 && !ret && i.strategy == MOSAIC_STRATEGY_HUGE &&
	       i.huge_mode != MOSAIC_HUGE_NONE && i.pmd_bytes == want_pmd,
	       "%s: INFO huge_mode %u (%s), pmd_bytes %llu as the mode and the segments allow",
	       what, ret ? 0 : i.huge_mode, pmd_mode ? "PMDs" : "PTE fallback",
	       ULL(ret ? 0 : i.pmd_bytes));
	if (fd < 0 || ret) {
		if (fd >= 0)
			close(fd);
		return;
	}
	mt_fill(fd, 0, size, SEED_A);
	pte0 = vm_pte_kb();
	m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m != MAP_FAILED) {
		bad = mt_user_check(m, 0, size, SEED_A, &first);
		mt_user_fill(m, 0, size, SEED_B);
		mt_smaps_vmflags(m, fl, sizeof(fl));
	}
	pte1 = vm_pte_kb();
	tap_diag("%s: VmPTE +%ld kB, VmFlags:%s", what, pte1 - pte0, fl);
	tap_ok(m != MAP_FAILED && bad == 0 &&
	       mt_verify(fd, 0, size, SEED_B, &bad, &first) == 0 && bad == 0,
	       "%s: data round-trips both ways", what);
	/* PTE tables (8 bytes a page) only for what no PMD maps. */
	pte_kb = (long)((size - want_pmd) / MT_PAGE * 8 / 1024);
	tap_ok(m != MAP_FAILED &&
	       (want_pmd ? pte1 - pte0 <= 16 + pte_kb :
			   pte1 - pte0 >= pte_kb),
	       "%s: VmPTE +%ld kB: %s (%ld kB)", what, pte1 - pte0,
	       want_pmd ? "PMDs where the segments allow, PTEs elsewhere: at most 16 KiB more than" :
			  "PTEs, at least 8 bytes per page", pte_kb);
	tap_ok(m != MAP_FAILED &&
	       mt_vmflag(fl, "pf") == !mt_backend_page_backed(backend) &&
	       !mt_vmflag(fl, "mm"),
	       "%s: VmFlags %s", what,
	       mt_backend_page_backed(backend) ? "neither pf nor mm (plain file pages)" :
						 "pf (PFNMAP), no mm");
	if (m != MAP_FAILED)
		munmap(m, size);
	close(fd);
	tap_ok(mt_ledger_is(dev, &base, 0, 0, 0), "%s: released", what);
}

int main(void)
{
	struct mosaic_stats base;
	int ret;

	dev = mt_open_dev_baseline(&base);

	bfd = mt_alloc_knobs(dev, SIZE, MOSAIC_BACKEND_COMPOUND,
			     MOSAIC_STRATEGY_HUGE, 9, 0, NULL);
	ret = bfd < 0 ? bfd : mt_info(bfd, &info);
	tap_diag("1 GiB compound/huge: %s, huge_mode %u, pmd_bytes %llu, order-9 segments %llu",
		 mt_errname(ret), info.huge_mode, ULL(info.pmd_bytes),
		 ULL(info.order_count[9]));
	tap_ok(ret == 0 && info.strategy == MOSAIC_STRATEGY_HUGE &&
	       info.huge_mode != MOSAIC_HUGE_NONE && info.pmd_mapped == 0,
	       "ALLOC 1 GiB compound max order 9, strategy huge: INFO strategy huge, a huge mode (%u), 0 PMDs mapped",
	       info.huge_mode);
	if (ret)
		skip = "ALLOC failed";
	else if (info.huge_mode == MOSAIC_HUGE_PTE)
		skip = "this kernel has no PMD mode for pages (no THP): PTE fallback";
	else if (info.order_count[9] != NBLOCKS)
		skip = "fewer than 512 order-9 pages were free: not all blocks can be PMDs";
	TAP_POINT(skip, info.pmd_bytes == SIZE,
	      "INFO pmd_bytes: all 1 GiB is PMD-mappable (%llu)", ULL(info.pmd_bytes));
	if (!skip)
		ret = mt_fill(bfd, 0, SIZE, SEED_A);
	if (ret && !skip)
		skip = "FILL failed";

	structure();
	partial_munmap();
	mprotect_one();
	mremap_part();
	fork_test();
	dontneed();
	vm_readv();
	skip = bfd < 0 ? "ALLOC failed" : NULL;
	release(&base);

	fallback(MOSAIC_BACKEND_COMPOUND, 8, 0, 64 * MT_MiB,
		 "compound max order 8 (no order-9 page)");
	fallback(MOSAIC_BACKEND_COHERENT, 0, 2 * MT_MiB, 64 * MT_MiB,
		 "coherent, 2 MiB chunks");
	fallback(MOSAIC_BACKEND_CMA, 0, 0, 16 * MT_MiB, "cma");
	tap_done();
	return 0;
}
