// SPDX-License-Identifier: GPL-2.0
/*
 * t30_edu: real device DMA into and out of mosaic buffers.
 *
 * mosaic_edu drives QEMU's edu PCI device with mosaic's in-kernel API
 * only. For every backend a device can DMA to (coherent, streaming,
 * noncontig, pages and compound mapped for the device, cma) it allocates
 * a buffer for the edu device, and then:
 *
 * - device to user: the device writes a pattern into a range that crosses
 *   a boundary of the buffer's layout (a boundary of the device's address
 *   space where there is one, else a segment boundary) and user space
 *   reads it through its mapping; the words around the range stay zero;
 * - the driver splits each step at that boundary (one device transfer
 *   never crosses a jump in device addresses): the transfer count shows it;
 * - user to device: user space writes a pattern through the mapping and
 *   the device reads it back without a mismatch; one corrupted word gives
 *   exactly one mismatch, at the right offset;
 * - INFO: the physical address of byte 0 is the page the mapping shows
 *   (pagemap), and the device's address differs from it exactly when an
 *   IOMMU translates (the VM's setup, from sysfs, is printed first);
 * - the ledger is back where it started once the fd and mapping are gone.
 *
 * Then strategy huge through the driver's own buffer fds, which it makes
 * with mosaic_buf_file() and mosaic_buf_get_unmapped_area(): the fd's
 * size is the buffer's (kernels since 6.12.y map no PMD past i_size), a
 * mapping without a hint starts on a 2 MiB boundary, data the device
 * writes across a 2 MiB boundary reads back, and once every page is
 * written smaps shows every PMD-able block in FilePmdMapped: those whose
 * memory (INFO) is one 2 MiB-aligned order-9 page, where the kernel has a
 * PMD mode for compound pages (mosaic's INFO huge_mode of a twin buffer).
 *
 * make check runs this twice: behind VT-d in strict mode, and without an
 * IOMMU (edu with a 64-bit DMA mask). cma skips on kernels without CMA.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "edu_test.h"
#include "mosaic_test.h"
#include "tap.h"

#define SIZE		(256 * 1024UL)
#define CHUNK		(64 * 1024UL)
#define HALF		2560UL		/* the range: boundary -/+ HALF */
#define SEED_DEV	0x0123456789abcdefULL
#define SEED_USER	0xfedcba9876543210ULL
#define SEED_NEG	0x5555aaaa5555aaaaULL

struct bcase {
	uint32_t backend;
	uint64_t chunk_size;
	const char *what;
};

static const struct bcase cases[] = {
	{ MOSAIC_BACKEND_COHERENT, CHUNK, "coherent, 64 KiB chunks" },
	{ MOSAIC_BACKEND_STREAMING, 0, "streaming, order-0 pages" },
	{ MOSAIC_BACKEND_NONCONTIG, CHUNK, "noncontig, 64 KiB chunks" },
	{ MOSAIC_BACKEND_PAGES, 0, "pages, mapped for the device by mosaic" },
	{ MOSAIC_BACKEND_COMPOUND, 0, "compound, mapped for the device by mosaic" },
	{ MOSAIC_BACKEND_CMA, 0, "cma" },
};

#define POINTS_PER_CASE	7

#define HUGE_SIZE	(8 * MT_MiB)
#define PMD		(2 * MT_MiB)
#define HUGE_POINTS	4

static int dev, edu;
static struct edu_setup setup;
static struct mosaic_stats base;

static void skip_rest(int n, const char *reason, const char *tag)
{
	for (int i = 0; i < n; i++)
		tap_skip(reason, "%s: point %d of %d", tag,
			 POINTS_PER_CASE - n + i + 1, POINTS_PER_CASE);
}

/* Steps the driver needs for [off, off + len). */
static uint64_t steps(uint64_t len)
{
	return (len + EDU_STEP - 1) / EDU_STEP;
}

static void run_case(const struct bcase *c)
{
	const char *name = mt_backend_name(c->backend);
	struct mosaic_edu_info in0, inb;
	struct mosaic_edu_dma d;
	uint64_t bound, dbound, off, len, pfn = MT_PFN_NONE, bad, first;
	bool dma_boundary, one_seg, pfn_map, remapped, ok;
	volatile uint64_t *w;
	double t0 = mt_now_s();
	char tag[96];
	void *map;
	int bfd, ret;

	snprintf(tag, sizeof(tag), "%s (%s)", name, c->what);
	bfd = edu_alloc(edu, SIZE, c->backend, MOSAIC_STRATEGY_AUTO, 0,
			c->chunk_size);
	if (bfd < 0) {
		const char *why = mt_alloc_skip_reason(c->backend, bfd, SIZE);

		if (why) {
			skip_rest(POINTS_PER_CASE, why, tag);
			return;
		}
		tap_ok(false, "%s: EDU ALLOC %lu KiB (%s)", tag, SIZE / 1024,
		       mt_errname(bfd));
		skip_rest(POINTS_PER_CASE - 1, "ALLOC failed", tag);
		return;
	}
	map = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, bfd, 0);
	if (map == MAP_FAILED) {
		tap_ok(false, "%s: mmap of the edu buffer fd (%s)", tag,
		       mt_errname(errno));
		skip_rest(POINTS_PER_CASE - 1, "mmap failed", tag);
		close(bfd);
		return;
	}
	w = map;

	/* 1: where byte 0 is, for the CPU and for the device. */
	ret = edu_info(bfd, 0, &in0);
	(void)w[0];
	if (mt_pagemap_pfns(map, 1, &pfn) < 0)
		pfn = MT_PFN_NONE;
	/* pagemap skips VM_PFNMAP VMAs: only page mappings show a PFN. */
	pfn_map = !mt_backend_page_backed(c->backend);
	/* mosaic maps page-backed memory for the device with a scatterlist. */
	remapped = edu_remapped(&setup, !pfn_map);
	ok = ret == 0 && (pfn_map ? pfn == MT_PFN_NONE :
				    in0.phys == pfn * MT_PAGE) &&
	     !(in0.info_flags & MOSAIC_EDU_INFO_ADDR_HIDDEN) &&
	     !!(in0.info_flags & MOSAIC_EDU_INFO_TRANSLATED) == setup.translated &&
	     (remapped ? in0.dma != in0.phys : in0.dma == in0.phys) &&
	     in0.dma + in0.dma_len - 1 <= in0.dma_mask;
	tap_diag("%s: byte 0: phys %#llx, device address %#llx (%s), pagemap pfn %#llx, mask %#llx",
		 tag, ULL(in0.phys), ULL(in0.dma),
		 in0.info_flags & MOSAIC_EDU_INFO_TRANSLATED ? "IOVA" : "physical",
		 ULL(pfn), ULL(in0.dma_mask));
	tap_ok(ok, "%s: INFO: phys %s, the device address %s it (%s), inside the DMA mask",
	       tag, pfn_map ? "given (a PFN map: pagemap shows none)" :
			      "is the mapped page (pagemap)",
	       remapped ? "differs from" : "equals",
	       setup.bounce && remapped ? "a swiotlb slot" : setup.group_type);

	/*
	 * 2: the range: around the first place where device addresses jump
	 * if there is one, else around the first segment boundary.
	 */
	one_seg = in0.seg_len >= SIZE;
	bound = one_seg ? SIZE / 2 : in0.seg_len;
	dbound = in0.dma_len;
	dma_boundary = dbound < SIZE;
	if (dma_boundary)
		bound = dbound;
	if (edu_info(bfd, bound, &inb) < 0)
		memset(&inb, 0, sizeof(inb));
	off = bound - HALF;
	len = 2 * HALF;
	tap_diag("%s: first segment %llu KiB, first device run %llu KiB: range [%#llx, %#llx) crosses the %s at %#llx (device %#llx -> %#llx)",
		 tag, ULL(in0.seg_len / 1024), ULL(in0.dma_len / 1024),
		 ULL(off), ULL(off + len),
		 dma_boundary ? "device address jump" :
		 one_seg ? "middle of the only segment" : "segment boundary",
		 ULL(bound), ULL(in0.dma + (bound - 1)), ULL(inb.dma));

	ret = edu_dma(bfd, off, len, SEED_DEV, MOSAIC_EDU_TO_RAM, &d);
	bad = mt_user_check((char *)map + off, off, len, SEED_DEV, &first);
	ok = ret == 0 && bad == 0 && w[off / 8 - 1] == 0 &&
	     w[(off + len) / 8] == 0;
	if (!ok)
		tap_diag("%s: TO_RAM: %s, %llu bad words (first %#llx), before %#llx after %#llx",
			 tag, mt_errname(ret), ULL(bad), ULL(first),
			 ULL(w[off / 8 - 1]), ULL(w[(off + len) / 8]));
	tap_ok(ok, "%s: device to user: %llu bytes across %#llx read back through the mapping, nothing around them changed",
	       tag, ULL(len), ULL(bound));

	/* 3: one transfer per step, plus one where the step is split. */
	tap_ok(ret == 0 && d.nr_transfers == steps(len) + dma_boundary,
	       "%s: %llu device transfers for %llu steps: %s",
	       tag, ULL(d.nr_transfers), ULL(steps(len)),
	       dma_boundary ? "the step across the address jump was split" :
			      "device addresses are contiguous here, no split");

	/* 4: user to device. */
	mt_user_fill((char *)map + off, off, len, SEED_USER);
	ret = edu_dma(bfd, off, len, SEED_USER, MOSAIC_EDU_FROM_RAM, &d);
	tap_ok(ret == 0 && d.mismatches == 0 &&
	       d.nr_transfers == steps(len) + dma_boundary,
	       "%s: user to device: the device read %llu bytes across %#llx, %llu mismatches (%s)",
	       tag, ULL(len), ULL(bound), ULL(d.mismatches), mt_errname(ret));

	/* 5: the check can fail: one bad word right after the boundary. */
	mt_user_fill((char *)map + bound - 1024, bound - 1024, 2048, SEED_NEG);
	w[bound / 8] ^= 1;
	ret = edu_dma(bfd, bound - 1024, 2048, SEED_NEG, MOSAIC_EDU_FROM_RAM,
		      &d);
	tap_ok(ret == 0 && d.mismatches == 1 && d.first_mismatch == bound,
	       "%s: one word flipped at %#llx: the device sees exactly it (%llu mismatches, first %#llx)",
	       tag, ULL(bound), ULL(d.mismatches), ULL(d.first_mismatch));

	/* 6: the buffer fd and the mapping each hold the buffer. */
	close(bfd);
	ok = mt_ledger_is(dev, &base, 1, SIZE / MT_PAGE, 1) &&
	     mt_user_check((char *)map + bound - 1024, bound - 1024, 1024,
			   SEED_NEG, NULL) == 0;
	tap_ok(ok, "%s: after close(fd) the mapping keeps the buffer and its data",
	       tag);
	munmap(map, SIZE);

	/* 7 */
	tap_ok(mt_ledger_is(dev, &base, 0, 0, 0),
	       "%s: fd and mapping gone: the ledger is back where it started",
	       tag);
	tap_diag("%s: %.1f s", tag, mt_now_s() - t0);
}

/*
 * The kernel's PMD mode for compound pages, from a 2 MiB compound/huge
 * buffer of mosaic's own: true for fault-pmd and folio-pmd, false where
 * huge falls back to PTEs. -errno if there is no such buffer.
 */
static int compound_pmd_mode(void)
{
	struct mosaic_info i;
	int fd, ret;

	fd = mt_alloc_knobs(dev, PMD, MOSAIC_BACKEND_COMPOUND,
			    MOSAIC_STRATEGY_HUGE, 9, 0, NULL);
	if (fd < 0)
		return fd;
	ret = mt_info(fd, &i);
	close(fd);
	if (ret < 0)
		return ret;
	tap_diag("huge: a compound/huge buffer of mosaic's own has huge_mode %u",
		 i.huge_mode);
	return i.huge_mode == MOSAIC_HUGE_FAULT_PMD ||
	       i.huge_mode == MOSAIC_HUGE_FOLIO_PMD;
}

/* Bytes of the edu buffer @bfd in blocks a PMD can map (INFO), or -1. */
static int64_t pmd_able_bytes(int bfd)
{
	struct mosaic_edu_info in;
	int64_t total = 0;

	for (uint64_t off = 0; off < HUGE_SIZE; off += PMD) {
		if (edu_info(bfd, off, &in) < 0 ||
		    (in.info_flags & MOSAIC_EDU_INFO_ADDR_HIDDEN))
			return -1;
		if (in.phys % PMD == 0 && in.seg_len >= PMD)
			total += PMD;
	}
	return total;
}

static void huge_case(void)
{
	const char *tag = "compound/huge (max order 9) through the driver's fd";
	struct mosaic_edu_dma d;
	struct stat st;
	uint64_t off = PMD - HALF, len = 2 * HALF, bad, first;
	int64_t able;
	long pmd_kb;
	char *map;
	int bfd, pmd_mode, ret;

	pmd_mode = compound_pmd_mode();
	bfd = edu_alloc(edu, HUGE_SIZE, MOSAIC_BACKEND_COMPOUND,
			MOSAIC_STRATEGY_HUGE, 9, 0);
	if (bfd < 0 || pmd_mode < 0) {
		tap_ok(false, "%s: EDU ALLOC of 8 MiB and a twin of mosaic's own (%s, %s)",
		       tag, mt_errname(bfd < 0 ? bfd : 0),
		       mt_errname(pmd_mode < 0 ? pmd_mode : 0));
		for (int i = 1; i < HUGE_POINTS; i++)
			tap_skip("ALLOC failed", "%s: point %d of %d", tag,
				 i + 1, HUGE_POINTS);
		if (bfd >= 0)
			close(bfd);
		return;
	}

	/* 1 */
	ret = fstat(bfd, &st);
	tap_ok(ret == 0 && st.st_size == (off_t)HUGE_SIZE,
	       "%s: fstat: the fd's size is the buffer's, 8 MiB (%lld)", tag,
	       ret ? -1LL : (long long)st.st_size);

	/* 2 */
	map = mmap(NULL, HUGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, bfd, 0);
	tap_ok(map != MAP_FAILED && (uintptr_t)map % PMD == 0,
	       "%s: mmap without a hint starts on a 2 MiB boundary (%p%s%s)",
	       tag, (void *)map, map == MAP_FAILED ? ", " : "",
	       map == MAP_FAILED ? mt_errname(errno) : "");
	if (map == MAP_FAILED) {
		tap_skip("mmap failed", "%s: device to user across 2 MiB", tag);
		tap_skip("mmap failed", "%s: smaps FilePmdMapped", tag);
		close(bfd);
		return;
	}

	/* 3 */
	ret = edu_dma(bfd, off, len, SEED_DEV, MOSAIC_EDU_TO_RAM, &d);
	bad = mt_user_check(map + off, off, len, SEED_DEV, &first);
	tap_ok(ret == 0 && bad == 0,
	       "%s: device to user: %llu bytes across the 2 MiB boundary read back (%s, %llu bad words)",
	       tag, ULL(len), mt_errname(ret), ULL(bad));

	/* 4 */
	able = pmd_able_bytes(bfd);
	mt_user_fill(map, 0, HUGE_SIZE, SEED_USER);
	pmd_kb = mt_smaps_kb(map, "FilePmdMapped");
	tap_ok(able >= 0 && pmd_kb == (pmd_mode ? able / 1024 : 0),
	       "%s: every page written: smaps FilePmdMapped %ld kB, as the memory (%lld kB PMD-able) and the kernel's mode (%s) allow",
	       tag, pmd_kb, (long long)(able < 0 ? -1 : able / 1024),
	       pmd_mode ? "PMDs" : "PTE fallback");
	munmap(map, HUGE_SIZE);
	close(bfd);
}

int main(void)
{
	struct mosaic_edu_info in;
	int ret, bfd;

	edu = edu_setup(&setup);
	if (edu == -ENODEV) {
		printf("1..0 # SKIP no edu PCI device (1234:11e8) in this VM\n");
		return 77;
	}
	edu_diag_setup("t30_edu", &setup);
	tap_ok(edu >= 0, "mosaic_edu is loaded and bound to the edu device: %s opens (%s)",
	       MOSAIC_EDU_DEVICE_PATH, mt_errname(edu < 0 ? edu : 0));
	if (edu < 0)
		return tap_exit();
	dev = mt_open_dev_baseline(&base);

	/* The driver's view of the setup agrees with sysfs. */
	bfd = edu_alloc(edu, MT_PAGE, MOSAIC_BACKEND_PAGES, 0, 0, 0);
	ret = bfd < 0 ? bfd : edu_info(bfd, 0, &in);
	tap_ok(ret == 0 && !!(in.info_flags & MOSAIC_EDU_INFO_TRANSLATED) ==
			   setup.translated,
	       "INFO says the device is %s, sysfs says iommu_group type %s",
	       ret == 0 && in.info_flags & MOSAIC_EDU_INFO_TRANSLATED ?
			"translated" : "not translated", setup.group_type);
	/*
	 * Without an IOMMU the device must reach all of RAM: the VM starts
	 * edu with dma_mask=~0 and the driver must have found that out.
	 */
	if (setup.translated)
		tap_ok(ret == 0 && in.dma_mask >= 0xfffffffULL,
		       "behind an IOMMU any DMA mask works (the driver set %#llx)",
		       ULL(in.dma_mask));
	else
		tap_ok(ret == 0 && in.dma_mask == ~0ULL,
		       "without an IOMMU the driver found the device's 64-bit DMA mask (%#llx)",
		       ULL(in.dma_mask));
	if (bfd >= 0)
		close(bfd);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
	huge_case();

	tap_ok(mt_ledger_is(dev, &base, 0, 0, 0),
	       "after all backends: the ledger is back where it started");
	close(dev);
	close(edu);
	return tap_exit();
}
