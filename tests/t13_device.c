// SPDX-License-Identifier: GPL-2.0
/*
 * t13_device: the device knob and the other ALLOC knobs.
 *
 * The device backends (coherent, streaming, noncontig, cma) allocate for
 * the PCI device named in mosaic_alloc.device, or for the module's own
 * platform device, which no IOMMU translates. The check VM has QEMU's edu
 * device (1234:11e8) behind a VT-d IOMMU, so naming it makes the DMA layer
 * go through the IOMMU: every valid strategy of every device backend must
 * then still move data both ways, follow the refcount rule and give
 * everything back, and the segments' DMA addresses become IOVAs inside
 * the device's DMA mask instead of physical addresses.
 *
 * Then what must be refused, each without leaving a buffer, page, map or
 * fd behind: a device that does not exist (ENODEV), a device on a backend
 * that takes none (EINVAL), a name longer than the module reads, a bad
 * pointer (EFAULT), a caller without CAP_SYS_RAWIO (EPERM), and knobs out
 * of range or on a backend that does not take them (EINVAL).
 */
#include <dirent.h>
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "mosaic_test.h"
#include "tap.h"

#define SIZE		(8 * MT_MiB)
#define NPAGES		(SIZE / MT_PAGE)
#define EDU_VENDOR	0x1234
#define EDU_DEVICE	0x11e8
#define SEED_A		0x3141592653589793ULL
#define SEED_B		0x2718281828459045ULL
#define MAX_SEGS	NPAGES

static int dev;
static char edu[64];			/* "0000:00:03.0", or "" */
static const char *edu_skip;		/* why there is no edu device */
static int dma_bits = 32;		/* edu's DMA mask */
static struct mosaic_seg_entry *segs;	/* MAX_SEGS entries */

/*
 * Where the device sees the segments: with the IOMMU, every segment has a
 * DMA address, all of them inside the device's DMA mask, and at least one
 * differs from the physical address (an IOVA); without it (the platform
 * device, dma-direct on x86) every DMA address is the physical one.
 */
static bool dma_addresses_ok(int bfd, bool iommu, const char *tag)
{
	long n = mt_segments(bfd, segs, MAX_SEGS);
	long no_dma = 0, hidden = 0, outside = 0, translated = 0;
	uint64_t limit = dma_bits >= 64 ? UINT64_MAX : (1ULL << dma_bits) - 1;

	if (n < 0) {
		tap_diag("%s: SEGMENTS failed: %s", tag, mt_errname((int)n));
		return false;
	}
	for (long i = 0; i < n; i++) {
		no_dma += !(segs[i].flags & MOSAIC_SEG_HAS_DMA);
		hidden += !!(segs[i].flags & MOSAIC_SEG_ADDR_HIDDEN);
		outside += segs[i].dma + segs[i].length - 1 > limit;
		translated += segs[i].dma != segs[i].phys;
	}
	tap_diag("%s: %ld segments, %ld without a DMA address, %ld with dma != phys, %ld past the %d-bit mask; first: phys %#llx dma %#llx",
		 tag, n, no_dma, translated, outside, iommu ? dma_bits : 64,
		 n ? ULL(segs[0].phys) : 0, n ? ULL(segs[0].dma) : 0);
	if (n == 0 || no_dma || hidden)
		return false;
	return iommu ? outside == 0 && translated > 0 : translated == 0;
}

/* ---- one device backend x strategy on a named device ---- */

static void device_pair(uint32_t b, uint32_t s, const char *name, bool iommu)
{
	struct mosaic_refs before, r;
	struct mosaic_stats base;
	struct mosaic_info info;
	bool pfn = mt_maps_pfn(b, s);
	uint64_t bad = 1, mm = 1;
	const char *skip = NULL;
	char tag[96];
	char *map = MAP_FAILED;
	int bfd, ret;

	snprintf(tag, sizeof(tag), "%s/%s on %s", mt_backend_name(b),
		 mt_strategy_name(s), name ? name : "the platform device");
	if (mt_stats(dev, &base) < 0)
		tap_bail("STATS failed");
	bfd = mt_alloc_knobs(dev, SIZE, b, s, 0, 0, name);
	if (bfd < 0)
		skip = mt_alloc_skip_reason(b, bfd, SIZE);
	ret = bfd < 0 ? bfd : mt_info(bfd, &info);
	if (skip) {
		tap_skip(skip, "%s: ALLOC, data both ways, refcount rule, ledger", tag);
		return;
	}
	if (!tap_ok(ret == 0 && info.size == SIZE && info.strategy == s,
		    "%s: ALLOC 8 MiB (%s)", tag, mt_errname(ret))) {
		if (bfd >= 0)
			close(bfd);
		return;
	}
	tap_diag("%s: %llu segments, %llu runs", tag, ULL(info.nr_segments),
		 ULL(info.nr_runs));
	tap_ok(dma_addresses_ok(bfd, iommu, tag),
	       iommu ? "%s: every segment has a DMA address, an IOVA inside the device's DMA mask" :
		       "%s: every segment has a DMA address, equal to its physical address",
	       tag);

	ret = mt_refs(bfd, 0, SIZE, &before);
	if (ret == 0)
		ret = mt_fill(bfd, 0, SIZE, SEED_A);
	if (ret == 0) {
		map = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, bfd, 0);
		if (map == MAP_FAILED)
			ret = -errno;
	}
	if (map != MAP_FAILED)
		bad = mt_user_check(map, 0, SIZE, SEED_A, NULL);
	tap_ok(ret == 0 && bad == 0,
	       "%s: kernel FILL read back through the mapping (%s, %llu bad)", tag,
	       mt_errname(ret), ULL(bad));
	if (map != MAP_FAILED) {
		mt_user_fill(map, 0, SIZE, SEED_B);
		ret = mt_verify(bfd, 0, SIZE, SEED_B, &mm, NULL);
	}
	tap_ok(map != MAP_FAILED && ret == 0 && mm == 0,
	       "%s: user writes VERIFY with 0 mismatches (%llu)", tag, ULL(mm));

	ret = mt_refs(bfd, 0, SIZE, &r);
	if (pfn)
		tap_ok(map != MAP_FAILED && ret == 0 && r.unexplained_refs == 0 &&
		       r.mapcount_max == 0 && r.refcount_min == before.refcount_min &&
		       r.refcount_max == before.refcount_max,
		       "%s: mapped: REFS as before mmap (PFN map) (%u..%u, %d..%d, %lld)",
		       tag, r.refcount_min, r.refcount_max, r.mapcount_min,
		       r.mapcount_max, (long long)r.unexplained_refs);
	else
		tap_ok(map != MAP_FAILED && ret == 0 && r.unexplained_refs == 0 &&
		       r.mapcount_min == 1 && r.mapcount_max == 1,
		       "%s: mapped: REFS unexplained_refs 0, mapcount 1 (%lld, %d..%d)",
		       tag, (long long)r.unexplained_refs, r.mapcount_min,
		       r.mapcount_max);
	if (map != MAP_FAILED)
		munmap(map, SIZE);
	ret = mt_refs(bfd, 0, SIZE, &r);
	tap_ok(ret == 0 && r.unexplained_refs == 0 && r.mapcount_max == 0 &&
	       r.refcount_min == before.refcount_min &&
	       r.refcount_max == before.refcount_max,
	       "%s: after munmap: REFS back to the values before mmap", tag);
	close(bfd);
	tap_ok(mt_ledger_is(dev, &base, 0, 0, 0),
	       "%s: after close: ledger back to its value before", tag);
}

/* ---- refusals ---- */

/*
 * ALLOC of @req must fail with @want (0: with any error), leaving no
 * buffer, page, map or fd behind.
 */
static void refused(struct mosaic_alloc *req, int want, const char *what)
{
	struct mosaic_stats base;
	int fds = mt_count_fds(), fd;
	bool clean;

	if (mt_stats(dev, &base) < 0)
		tap_bail("STATS failed");
	fd = mt_alloc_req(dev, req);
	if (fd >= 0)
		close(fd);
	clean = mt_ledger_is(dev, &base, 0, 0, 0) && mt_count_fds() == fds;
	tap_ok((want ? fd == -want : fd < 0) && clean,
	       "%s: refused with %s (%s), nothing left behind", what,
	       want ? mt_errname(want) : "an error", mt_errname(fd));
}

/* ALLOC of @req must work; the buffer is closed again. */
static void accepted(struct mosaic_alloc *req, const char *what)
{
	struct mosaic_info info;
	int fd = mt_alloc_req(dev, req);
	bool ok = fd >= 0 && mt_info(fd, &info) == 0;

	if (ok)
		tap_diag("%s: %llu segments, orders 10/9/8/4/0: %llu/%llu/%llu/%llu/%llu",
			 what, ULL(info.nr_segments), ULL(info.order_count[10]),
			 ULL(info.order_count[9]), ULL(info.order_count[8]),
			 ULL(info.order_count[4]), ULL(info.order_count[0]));
	tap_ok(ok, "%s: accepted (%s)", what, mt_errname(fd < 0 ? fd : 0));
	if (fd >= 0)
		close(fd);
}

static struct mosaic_alloc req(uint32_t backend, uint64_t size)
{
	return (struct mosaic_alloc){ .size = size, .backend = backend };
}

struct cap_result {
	int capset;		/* 0 or errno */
	int named;		/* ALLOC with the device: fd or -errno */
	int unnamed;		/* ALLOC without a device */
};

static volatile struct cap_result *capres;

/* Child: drop CAP_SYS_RAWIO from the effective and permitted sets. */
static int child_no_rawio(void *unused)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	struct mosaic_alloc a;
	int fd;

	(void)unused;
	memset(data, 0, sizeof(data));
	capres->capset = -1;
	if (syscall(SYS_capget, &hdr, data) < 0) {
		capres->capset = errno;
		return 1;
	}
	data[CAP_TO_INDEX(CAP_SYS_RAWIO)].effective &= ~CAP_TO_MASK(CAP_SYS_RAWIO);
	data[CAP_TO_INDEX(CAP_SYS_RAWIO)].permitted &= ~CAP_TO_MASK(CAP_SYS_RAWIO);
	data[CAP_TO_INDEX(CAP_SYS_RAWIO)].inheritable &= ~CAP_TO_MASK(CAP_SYS_RAWIO);
	if (syscall(SYS_capset, &hdr, data) < 0) {
		capres->capset = errno;
		return 1;
	}
	capres->capset = 0;
	a = req(MOSAIC_BACKEND_COHERENT, 16 * MT_PAGE);
	a.device = (uintptr_t)edu;
	fd = mt_alloc_req(dev, &a);
	capres->named = fd;
	if (fd >= 0)
		close(fd);
	a = req(MOSAIC_BACKEND_COHERENT, 16 * MT_PAGE);
	fd = mt_alloc_req(dev, &a);
	capres->unnamed = fd;
	if (fd >= 0)
		close(fd);
	return 0;
}

static void device_refusals(void)
{
	char longname[128];
	struct mosaic_alloc a;

	a = req(MOSAIC_BACKEND_COHERENT, SIZE);
	a.device = (uintptr_t)"0000:ff:1f.7";
	refused(&a, ENODEV, "coherent on device 0000:ff:1f.7 (no such device)");

	a = req(MOSAIC_BACKEND_STREAMING, SIZE);
	a.device = (uintptr_t)"not-a-pci-name";
	refused(&a, ENODEV, "streaming on device \"not-a-pci-name\"");

	a = req(MOSAIC_BACKEND_PAGES, SIZE);
	a.device = (uintptr_t)(edu[0] ? edu : "0000:00:00.0");
	refused(&a, EINVAL, "pages (not a device backend) with a device name");

	/* 63 characters and the NUL fit the module's 64 bytes: looked up. */
	memset(longname, 'x', sizeof(longname));
	longname[63] = '\0';
	a = req(MOSAIC_BACKEND_COHERENT, SIZE);
	a.device = (uintptr_t)longname;
	refused(&a, ENODEV, "coherent on a 63-character device name (read, no such device)");

	longname[63] = 'x';
	longname[100] = '\0';
	a = req(MOSAIC_BACKEND_COHERENT, SIZE);
	a.device = (uintptr_t)longname;
	refused(&a, 0, "coherent on a 100-character device name (longer than 64 bytes)");

	a = req(MOSAIC_BACKEND_COHERENT, SIZE);
	a.device = 8;	/* nothing is mapped at address 8 */
	refused(&a, EFAULT, "coherent with the device pointer at unmapped address 8");

	/* The same refusal for a caller without CAP_SYS_RAWIO. */
	if (edu_skip) {
		tap_skip(edu_skip, "without CAP_SYS_RAWIO: naming a device is EPERM");
		return;
	}
	capres = mt_shared(MT_PAGE);
	capres->named = capres->unnamed = -EPROTO;
	{
		struct mosaic_stats base;
		int rc;

		if (mt_stats(dev, &base) < 0)
			tap_bail("STATS failed");
		rc = mt_run_child(child_no_rawio, NULL, 30);
		tap_ok(rc == 0 && capres->capset == 0 && capres->named == -EPERM &&
		       capres->unnamed >= 0 && mt_ledger_is(dev, &base, 0, 0, 0),
		       "without CAP_SYS_RAWIO (capset in a child): coherent on %s is EPERM (%s), without a device it works (%s), nothing left behind",
		       edu, mt_errname(capres->named),
		       mt_errname(capres->unnamed < 0 ? capres->unnamed : 0));
	}
	munmap((void *)capres, MT_PAGE);
}

/*
 * The ALLOC knobs max_order and chunk_size: their limits, and backends
 * that take none. A case whose err is 0 must be accepted.
 */
static void knob_checks(void)
{
	static const struct {
		uint32_t backend, max_order;
		uint64_t chunk_size;
		int err;
		const char *what;
	} cases[] = {
		{ MOSAIC_BACKEND_COMPOUND, 11, 0, EINVAL,
		  "compound max_order 11 (> MAX_ORDER-1 = 10)" },
		{ MOSAIC_BACKEND_SPLIT, 64, 0, EINVAL, "split max_order 64" },
		{ MOSAIC_BACKEND_COMPOUND, 10, 0, 0,
		  "compound max_order 10 (the largest)" },
		{ MOSAIC_BACKEND_STREAMING, 9, 0, 0, "streaming max_order 9" },

		{ MOSAIC_BACKEND_COHERENT, 0, 3 * MT_PAGE, EINVAL,
		  "coherent chunk_size 3*4096 (not a power of two)" },
		{ MOSAIC_BACKEND_COHERENT, 0, 2048, EINVAL,
		  "coherent chunk_size 2048 (below a page)" },
		{ MOSAIC_BACKEND_COHERENT, 0, 8 * MT_MiB, EINVAL,
		  "coherent chunk_size 8 MiB (above the largest block, 4 MiB)" },
		{ MOSAIC_BACKEND_COHERENT, 0, MT_PAGE, 0,
		  "coherent chunk_size 4096 (2048 one-page chunks)" },
		{ MOSAIC_BACKEND_COHERENT, 0, 4 * MT_MiB, 0,
		  "coherent chunk_size 4 MiB (the largest)" },
		{ MOSAIC_BACKEND_NONCONTIG, 0, 3 * MT_PAGE, EINVAL,
		  "noncontig chunk_size 3*4096 (not a power of two)" },

		{ MOSAIC_BACKEND_COHERENT, 4, 0, EINVAL,
		  "max_order on coherent (takes none)" },
		{ MOSAIC_BACKEND_PAGES, 4, 0, EINVAL,
		  "max_order on pages (takes none)" },
		{ MOSAIC_BACKEND_COMPOUND, 0, MT_MiB, EINVAL,
		  "chunk_size on compound (takes none)" },
		{ MOSAIC_BACKEND_VMALLOC, 0, MT_MiB, EINVAL,
		  "chunk_size on vmalloc (takes none)" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mosaic_alloc a = req(cases[i].backend, SIZE);

		a.max_order = cases[i].max_order;
		a.chunk_size = cases[i].chunk_size;
		if (cases[i].err)
			refused(&a, cases[i].err, cases[i].what);
		else
			accepted(&a, cases[i].what);
	}
}

/* coherent on both devices: how the IOMMU changes the segment table. */
static void coherent_segments(void)
{
	struct mosaic_info plat = { 0 }, iommu = { 0 };
	int f1, f2;

	if (edu_skip) {
		tap_skip(edu_skip, "coherent with 256 KiB chunks on both devices: segment tables");
		return;
	}
	f1 = mt_alloc_knobs(dev, SIZE, MOSAIC_BACKEND_COHERENT, 0, 0,
			    MT_MATRIX_CHUNK, NULL);
	f2 = mt_alloc_knobs(dev, SIZE, MOSAIC_BACKEND_COHERENT, 0, 0,
			    MT_MATRIX_CHUNK, edu);
	if (f1 >= 0 && mt_info(f1, &plat) == 0)
		tap_diag("coherent 8 MiB in 256 KiB chunks, platform device (no IOMMU): %llu segments, %llu runs",
			 ULL(plat.nr_segments), ULL(plat.nr_runs));
	if (f2 >= 0 && mt_info(f2, &iommu) == 0)
		tap_diag("coherent 8 MiB in 256 KiB chunks, %s (IOMMU): %llu segments, %llu runs",
			 edu, ULL(iommu.nr_segments), ULL(iommu.nr_runs));
	tap_ok(f1 >= 0 && f2 >= 0 && plat.nr_segments >= SIZE / MT_MATRIX_CHUNK &&
	       iommu.nr_segments >= SIZE / MT_MATRIX_CHUNK,
	       "coherent with 256 KiB chunks on both devices: at least one segment per chunk each (%s, %s)",
	       mt_errname(f1 < 0 ? f1 : 0), mt_errname(f2 < 0 ? f2 : 0));
	if (f1 >= 0)
		close(f1);
	if (f2 >= 0)
		close(f2);
}

static void find_edu(void)
{
	char path[256], type[64] = "";
	bool have_iommu = false;
	int ret;

	ret = mt_find_pci(EDU_VENDOR, EDU_DEVICE, edu, sizeof(edu));
	if (ret < 0) {
		edu[0] = '\0';
		edu_skip = "no edu PCI device (1234:11e8) in this machine";
		tap_diag("%s", edu_skip);
		tap_skip(edu_skip, "edu's IOMMU group translates DMA");
		return;
	}
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/dma_mask_bits", edu);
	if (mt_read_line(path, type, sizeof(type)) == 0 && atoi(type) > 0)
		dma_bits = atoi(type);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group/type", edu);
	ret = mt_read_line(path, type, sizeof(type));
	{
		DIR *d = opendir("/sys/class/iommu");
		struct dirent *e;

		while (d && (e = readdir(d)))
			if (e->d_name[0] != '.')
				have_iommu = true;
		if (d)
			closedir(d);
	}
	tap_diag("edu device %s, DMA mask %d bits, iommu_group/type: %s%s", edu,
		 dma_bits, ret ? mt_errname(ret) : type,
		 have_iommu ? "" : " (no IOMMU in /sys/class/iommu)");
	if (have_iommu)
		tap_ok(ret == 0 && (!strcmp(type, "DMA") || !strcmp(type, "DMA-FQ")),
		       "edu's IOMMU group translates DMA: type %s is DMA or DMA-FQ",
		       ret ? mt_errname(ret) : type);
	else
		tap_skip("/sys/class/iommu is empty: no IOMMU", "edu's IOMMU group translates DMA");
}

int main(void)
{
	static const uint32_t dev_backends[] = {
		MOSAIC_BACKEND_COHERENT, MOSAIC_BACKEND_STREAMING,
		MOSAIC_BACKEND_NONCONTIG, MOSAIC_BACKEND_CMA,
	};
	struct mosaic_stats start;

	tap_diag("t13_device: the device knob (edu behind the IOMMU) and the ALLOC knobs");
	dev = mt_open_dev_baseline(&start);
	segs = mt_xcalloc(MAX_SEGS, sizeof(*segs));
	find_edu();

	for (size_t i = 0; i < sizeof(dev_backends) / sizeof(dev_backends[0]); i++) {
		uint32_t b = dev_backends[i];

		for (uint32_t s = MOSAIC_STRATEGY_INSERT_PAGE;
		     s <= MOSAIC_STRATEGY_MAX; s++) {
			if (!mt_pair_valid(b, s))
				continue;
			if (edu_skip)
				tap_skip(edu_skip, "%s/%s on edu", mt_backend_name(b),
					 mt_strategy_name(s));
			else
				device_pair(b, s, edu, true);
		}
		/* The same backend on the untranslated platform device, once. */
		device_pair(b, MOSAIC_STRATEGY_PFN_FAULT, NULL, false);
	}
	coherent_segments();
	device_refusals();
	knob_checks();

	return mt_end_ledger_back(dev, &start,
				  "ledger back to the start");
}
