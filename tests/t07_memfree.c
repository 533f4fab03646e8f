// SPDX-License-Identifier: GPL-2.0
/*
 * t07_memfree: the allocator's own view agrees with the page ledger.
 *
 * The ledger (MOSAIC_IOC_STATS) is the module's word that it gave every
 * page back. This test asks the page allocator instead: MemFree must drop
 * by about the buffer's size while a large buffer is allocated, mapped and
 * touched, and come back to its baseline after the last unmap and close.
 *
 * Freed order-0 pages first go to per-CPU free lists, which MemFree does
 * not count (and allocations served from them do not lower it), so the
 * reading here is every zone's free pages plus every per-CPU list's count,
 * both from one read of /proc/zoneinfo: the allocator's whole free pool.
 * Tolerance: 4 MiB for whatever the rest of the system allocates
 * meanwhile; a leak of the 256 MiB buffer, or of any sizeable part of it,
 * is far outside it.
 *
 * Since 6.7 the kernel also sizes and drains the per-CPU lists on its own
 * (auto-tuned pcp->high, decayed from the vmstat worker), so pages move
 * between the lists and the zones while the reading is taken, and a
 * reading just after a large free can miss several MiB in flight.  The
 * "after" reading therefore waits up to a second for the pool to settle;
 * a leak does not come back, however long one waits.
 *
 * Then the charges: for every RAM backend, one buffer whose
 * size the DMA layer would round (6 MiB + 4 KiB in 4 MiB chunks: without
 * an IOMMU dma-direct takes a chunk of 2 MiB + 4 KiB as an order-10
 * block, 4 MiB), on the module's own platform device (never translated)
 * and on edu (behind the IOMMU when the VM has one). The drop of the free
 * pool while the buffer lives must match what the buffer was charged,
 * three ways: the ledger (STATS.pages), the module's byte count
 * (total_size) and RLIMIT_MEMLOCK, which an unprivileged child measures:
 * a limit of exactly the charge lets the same request through, one page
 * less refuses it with ENOMEM. Tolerance: for the DMA layer's backends
 * one page per device range (a chunk: its IOMMU page tables, its remap in
 * vmalloc space), plus CHARGE_SLACK_KIB for the metadata (a 1,537-page
 * buffer's page array is 12 KiB, its segment table and a streaming
 * buffer's scatterlist about 50 KiB each, the IOMMU's page tables and
 * IOVA caches a few pages) and for the rest of the system, whose own
 * allocations moved single readings by up to 270 KiB in the VM: the
 * closest of CHARGE_TRIES readings counts. A rounded chunk is 2 MiB off,
 * in every reading.
 *
 * The same comparison once more as a difference, which holds on every
 * kernel: against a 6 MiB buffer (two chunks that never round), the
 * extra 4 KiB must pin what it is charged, one page, not the 2 MiB a
 * rounded chunk would. Per-page metadata cancels out of the difference.
 * That matters on the debug kernels: KASAN shadows vmalloc space (an
 * eighth of a vmalloc buffer), and SLUB and DMA-API debugging put about
 * 1 KiB on every scatterlist entry, metadata no charge covers, so there
 * the absolute comparison is skipped and only the difference counts.
 * There even the difference is noise for the backends without chunks:
 * KASAN's quarantine, its vmalloc shadow (freed only when the vmap area
 * is purged, lazily) and DMA-API debugging's pool of entries hold the
 * metadata of earlier buffers for a while, which moved the difference by
 * -384 to +952 KiB (streaming, vmalloc). Only coherent and noncontig,
 * the backends whose chunks could round, are compared on debug kernels.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/capability.h>

#include "edu_test.h"
#include "mosaic_test.h"
#include "tap.h"
#include "unpriv.h"

#define BUF_SIZE	(256 * MT_MiB)
#define TOLERANCE_KIB	(4 * 1024LL)

/* A remainder of 2 MiB + 4 KiB after one whole chunk. */
#define CHARGE_SIZE	(6 * MT_MiB + MT_PAGE)
#define CHARGE_REF_SIZE	(6 * MT_MiB)
#define CHARGE_CHUNK	(4 * MT_MiB)
#define CHARGE_SLACK_KIB	256LL
/* Readings per case; the closest counts (the rest of the system is noise). */
#define CHARGE_TRIES	3

/*
 * Free pages of every zone plus the pages on per-CPU free lists, in KiB,
 * from one pass over /proc/zoneinfo: each zone has a line "pages free N"
 * and each CPU's pageset in it a line "count: N".
 */
static long long mem_free_kib(void)
{
	FILE *f = fopen("/proc/zoneinfo", "re");
	long long pages = 0, n;
	int zones = 0;
	char line[160];

	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, " pages free %lld", &n) == 1) {
			pages += n;
			zones++;
		} else if (sscanf(line, " count: %lld", &n) == 1) {
			pages += n;
		}
	}
	if (f)
		fclose(f);
	return zones ? pages * (long long)(MT_PAGE / 1024) : -1;
}

/* The free pool once it is back within @tolerance of @base, or after 1 s. */
static long long mem_free_settled_kib(long long base, long long tolerance,
				      int *waited_ms)
{
	long long kib = mem_free_kib();

	for (*waited_ms = 0; base - kib > tolerance && *waited_ms < 1000;
	     *waited_ms += 50) {
		usleep(50 * 1000);
		kib = mem_free_kib();
	}
	return kib;
}

/* One large cycle; returns the MemFree readings around it. */
static void cycle(int dev, uint32_t backend, const char *name)
{
	long long before, held, after;
	struct mosaic_stats base;
	int waited_ms;
	uint8_t *map;
	int fd;

	mt_stats(dev, &base);
	before = mem_free_kib();
	fd = mt_alloc(dev, BUF_SIZE, backend, MOSAIC_STRATEGY_AUTO);
	if (fd < 0) {
		tap_ok(0, "%s: ALLOC 256 MiB (%s)", name, strerror(-fd));
		return;
	}
	map = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		tap_ok(0, "%s: mmap 256 MiB (%s)", name, strerror(errno));
		close(fd);
		return;
	}
	for (size_t off = 0; off < BUF_SIZE; off += MT_PAGE)
		map[off] = 1;
	held = mem_free_kib();
	munmap(map, BUF_SIZE);
	close(fd);
	after = mem_free_settled_kib(before, TOLERANCE_KIB, &waited_ms);

	tap_diag("%s: free pages %lld MiB before, %lld MiB held, %lld MiB after (%d ms later)",
		 name, before >> 10, held >> 10, after >> 10, waited_ms);
	tap_ok(before - held >= (long long)(BUF_SIZE >> 10) - TOLERANCE_KIB,
	       "%s: MemFree + per-CPU lists drop by at least the buffer size minus %lld MiB while held (%lld MiB)",
	       name, TOLERANCE_KIB >> 10, (before - held) >> 10);
	tap_ok(before - after <= TOLERANCE_KIB,
	       "%s: MemFree + per-CPU lists back within %lld MiB of its baseline after close (%lld MiB below)",
	       name, TOLERANCE_KIB >> 10, (before - after) >> 10);
	tap_ok(mt_ledger_is(dev, &base, 0, 0, 0),
	       "%s: page ledger back to its baseline", name);
}

static int dev;

struct charge_req {
	uint32_t backend;
	const char *device;	/* PCI name, or NULL: the platform device */
};

/* The backends that allocate in chunks of CHARGE_CHUNK. */
static bool chunked(uint32_t backend)
{
	return backend == MOSAIC_BACKEND_COHERENT ||
	       backend == MOSAIC_BACKEND_NONCONTIG;
}

static int charge_alloc_size(const struct charge_req *r, uint64_t size)
{
	return mt_alloc_knobs(dev, size, r->backend, MOSAIC_STRATEGY_AUTO,
			      0, chunked(r->backend) ? CHARGE_CHUNK : 0, r->device);
}

static int charge_alloc(const struct charge_req *r)
{
	return charge_alloc_size(r, CHARGE_SIZE);
}

/*
 * A kernel that keeps debugging metadata for every page or object
 * (the debug tier: DMA-API debugging, kmemleak, KASAN).
 */
static bool debug_metadata_kernel(void)
{
	return !access("/sys/kernel/debug/dma-api", F_OK) ||
	       !access("/sys/kernel/debug/kmemleak", F_OK);
}

struct charge_child {
	const struct charge_req *r;
	uint64_t memlock;
};

#define CHARGE_CHILD_SETUP	100	/* the child could not drop privileges */

static int charge_child_alloc(void *arg)
{
	const struct charge_child *c = arg;
	int ret;

	if (unpriv_drop_keep(c->memlock, 1ULL << CAP_SYS_RAWIO))
		return CHARGE_CHILD_SETUP;
	ret = charge_alloc(c->r);
	if (ret >= 0)
		close(ret);
	return ret < 0 ? -ret : 0;
}

/*
 * ALLOC in a child that is not exempt from RLIMIT_MEMLOCK (no
 * CAP_IPC_LOCK; CAP_SYS_RAWIO kept to name a device), with @memlock
 * bytes of it: 0 or -errno, or -ECHILD if the child did not report.
 */
static int charge_alloc_as_user(const struct charge_req *r, uint64_t memlock)
{
	struct charge_child c = { .r = r, .memlock = memlock };
	int rc = mt_run_child(charge_child_alloc, &c, 60);

	if (rc < 0 || rc >= CHARGE_CHILD_SETUP)
		return -ECHILD;
	return -rc;
}

/*
 * One ALLOC, held and closed: the free pool's drop while it lived (KiB),
 * its ledger and total_size deltas, its chunks (device ranges of the DMA
 * layer's backends). 0 or the ALLOC's -errno.
 */
struct charge_reading {
	long long drop, ledger_kib, total_kib;
	long chunks;
};

static int charge_read(const struct charge_req *r, uint64_t size,
		       struct charge_reading *rd)
{
	struct mosaic_seg_entry *ranges = NULL;
	struct mosaic_stats base, held_stats;
	uint64_t total0 = 0, total1 = 0;
	long long before, held;
	int fd, waited_ms;

	mt_stats(dev, &base);
	mt_param_u64("total_size", &total0);
	before = mem_free_kib();
	fd = charge_alloc_size(r, size);
	held = mem_free_kib();
	if (fd < 0)
		return fd;
	mt_stats(dev, &held_stats);
	mt_param_u64("total_size", &total1);
	rd->chunks = 0;
	/* A chunk of the DMA layer's is one device range (or more). */
	if (!mt_backend_page_backed(r->backend))
		rd->chunks = mt_dev_ranges_all(fd, &ranges);
	free(ranges);
	close(fd);
	mem_free_settled_kib(before, TOLERANCE_KIB, &waited_ms);
	rd->drop = before - held;
	rd->ledger_kib = (long long)(held_stats.pages - base.pages) * (MT_PAGE / 1024);
	rd->total_kib = (long long)(total1 - total0) / 1024;
	return 0;
}

/* The reading of CHARGE_TRIES whose drop is closest to its charge. */
static int charge_best(const struct charge_req *r, uint64_t size,
		       struct charge_reading *best)
{
	struct charge_reading rd;
	int ret = 0;

	for (int i = 0; i < CHARGE_TRIES; i++) {
		ret = charge_read(r, size, &rd);
		if (ret)
			break;
		if (!i || llabs(rd.drop - rd.ledger_kib) < llabs(best->drop - best->ledger_kib))
			*best = rd;
	}
	return ret;
}

/* One backend on one device: free-pool drop against the three charges. */
static void charge_case(const struct charge_req *r, const char *where)
{
	const char *name = mt_backend_name(r->backend);
	struct charge_reading best = { 0 }, ref = { 0 };
	long long slack, extra, extra_charged;
	struct mosaic_stats base;
	int ret, at, below;

	mt_stats(dev, &base);
	ret = charge_best(r, CHARGE_SIZE, &best);
	if (!ret)
		ret = charge_best(r, CHARGE_REF_SIZE, &ref);
	if (ret) {
		const char *skip = mt_alloc_skip_reason(r->backend, ret, CHARGE_SIZE);

		if (skip)
			tap_skip(skip, "%s on %s: charge matches the memory pinned", name, where);
		else
			tap_ok(0, "%s on %s: ALLOC 6 MiB + 4 KiB (%s)", name, where,
			       mt_errname(ret));
		return;
	}
	at = charge_alloc_as_user(r, (uint64_t)best.total_kib * 1024);
	below = charge_alloc_as_user(r, (uint64_t)best.total_kib * 1024 - MT_PAGE);
	slack = CHARGE_SLACK_KIB + best.chunks * (long long)(MT_PAGE / 1024);

	tap_diag("%s on %s: free pool -%lld KiB; ledger %lld KiB, total_size %lld KiB, %ld chunks",
		 name, where, best.drop, best.ledger_kib, best.total_kib, best.chunks);
	tap_ok(best.ledger_kib == best.total_kib,
	       "%s on %s: the ledger and total_size charge the same (%lld KiB, %lld KiB)",
	       name, where, best.ledger_kib, best.total_kib);
	tap_ok(at == 0 && below == -ENOMEM,
	       "%s on %s: RLIMIT_MEMLOCK charges total_size: a user with exactly %lld KiB gets it (%s), one page less gets ENOMEM (%s)",
	       name, where, best.total_kib, mt_errname(at), mt_errname(below));
	if (debug_metadata_kernel())
		tap_skip("a debug kernel: KASAN's shadow and SLUB and DMA-API debugging metadata are memory no charge covers",
			 "%s on %s: the free pool drops by what was charged", name, where);
	else
		tap_ok(llabs(best.drop - best.ledger_kib) <= slack,
		       "%s on %s: the free pool drops by what was charged, within %lld KiB (%lld KiB, charged %lld KiB)",
		       name, where, slack, best.drop, best.ledger_kib);
	extra = best.drop - ref.drop;
	extra_charged = best.ledger_kib - ref.ledger_kib;
	tap_diag("%s on %s: 6 MiB: free pool -%lld KiB, charged %lld KiB",
		 name, where, ref.drop, ref.ledger_kib);
	if (debug_metadata_kernel() && !chunked(r->backend))
		tap_skip("a debug kernel: KASAN's quarantine and vmalloc shadow and DMA-API debugging's entry pool hold metadata of earlier buffers, moving the free pool by up to a MiB between readings; only the chunked backends, which can round, are compared",
			 "%s on %s: 4 KiB more than 6 MiB pins what it is charged", name, where);
	else
		tap_ok(llabs(extra - extra_charged) <= slack,
		       "%s on %s: 4 KiB more than 6 MiB pins what it is charged, within %lld KiB (%lld KiB more, charged %lld KiB more)",
		       name, where, slack, extra, extra_charged);
	tap_ok(mt_ledger_is(dev, &base, 0, 0, 0), "%s on %s: ledger back", name, where);
}

static void test_charges(void)
{
	static const uint32_t ram[] = {
		MOSAIC_BACKEND_PAGES, MOSAIC_BACKEND_COMPOUND,
		MOSAIC_BACKEND_SPLIT, MOSAIC_BACKEND_VMALLOC,
		MOSAIC_BACKEND_STREAMING, MOSAIC_BACKEND_COHERENT,
		MOSAIC_BACKEND_NONCONTIG, MOSAIC_BACKEND_CMA,
	};
	struct edu_setup s;
	char where[128];

	for (size_t i = 0; i < sizeof(ram) / sizeof(ram[0]); i++) {
		struct charge_req r = { .backend = ram[i] };

		charge_case(&r, "the platform device (no IOMMU)");
	}
	/* intel-iommu attaches edu at boot; no driver needs to bind. */
	if (edu_find_setup(&s) < 0) {
		tap_skip("no edu PCI device", "charges on a PCI device");
		return;
	}
	snprintf(where, sizeof(where), "edu (%s)",
		 s.translated ? "translated by the IOMMU" : "untranslated");
	for (size_t i = 0; i < sizeof(ram) / sizeof(ram[0]); i++) {
		struct charge_req r = { .backend = ram[i], .device = s.pci };

		if (mt_backend_needs_device(ram[i]))
			charge_case(&r, where);
	}
}

int main(void)
{
	dev = mt_open_dev_or_bail();

	tap_diag("t07_memfree: MemFree agrees with the ledger after a 256 MiB cycle");
	cycle(dev, MOSAIC_BACKEND_PAGES, "pages");
	cycle(dev, MOSAIC_BACKEND_COMPOUND, "compound");
	cycle(dev, MOSAIC_BACKEND_VMALLOC, "vmalloc");
	test_charges();
	close(dev);
	tap_done();
	return tap_exit();
}
