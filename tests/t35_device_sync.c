// SPDX-License-Identifier: GPL-2.0
/*
 * t35_device_sync: after exactly the documented syncs, what the device
 * wrote reads back and what the CPU wrote reaches the device, in whatever
 * world the VM runs: behind an IOMMU, direct, or with every streaming
 * mapping bounced through swiotlb (make check's bounce passes), with or
 * without PCI's 64 KiB segment limit.
 *
 * mosaic_edu moves the data with MOSAIC_EDU_DMA_CALLER_SYNCS, so the only
 * syncs are this test's MOSAIC_IOC_SYNC calls on the buffer fd, each on
 * exactly the range the device touches: inside one page at an odd offset,
 * across a 64 KiB scatterlist entry inside a 2 MiB segment, across
 * 256 KiB (the longest mapping swiotlb makes), across a segment boundary,
 * the last bytes of the buffer. The CPU rewrites guard words on both
 * sides of each range after handing the buffer to the device; they must
 * survive the sync for the CPU, which a sync wider than asked would
 * overwrite with stale device-side bytes.
 *
 * Where streaming mappings bounce, a sync is never a no-op: nr_synced must
 * be non-zero for the cases the DMA layer maps as streaming, and every
 * device range must lie elsewhere than its memory (a swiotlb slot). So
 * the bounce passes
 * cannot pass in a world that does not bounce, and there a sync that is
 * missing, swapped or partial shows as wrong bytes.
 *
 * The device's view: walked with mosaic_buf_dma_range() (edu's INFO),
 * as a driver walks it, the ranges cover the buffer, none is longer than
 * the device's segment limit (scatterlist-mapped memory) or than 256 KiB
 * where mappings bounce, and inside a range the same range answers. The
 * same memory allocated through /dev/mosaic for the edu device, listed
 * with SEGMENTS and MOSAIC_SEGMENTS_DEVICE, obeys the same limits, and a
 * segment the device sees in several pieces, and only such a segment,
 * has MOSAIC_SEG_DMA_SPLIT.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "edu_test.h"
#include "mosaic_test.h"
#include "tap.h"

#define SIZE		(4 * MT_MiB)
#define KiB		1024ULL
#define GUARD		64ULL		/* guard bytes on each side */
#define SEED_FILL	0x1111222233334444ULL
#define SEED_GUARD	0x9999888877776666ULL
#define SEED_DEV	0x0123456789abcdefULL
#define SEED_CPU	0xfedcba9876543210ULL
/* swiotlb maps at most IO_TLB_SEGSIZE slots of 2 KiB at once. */
#define SWIOTLB_MAX	(256 * KiB)

struct scase {
	const char *what;
	uint32_t backend;
	uint32_t max_order;
	uint64_t chunk_size;
	bool scatterlist;	/* mapped with dma_map_sgtable(): it may bounce */
};

static const struct scase cases[] = {
	{ "pages mapped for the device", MOSAIC_BACKEND_PAGES, 0, 0, true },
	{ "compound, 2 MiB segments", MOSAIC_BACKEND_COMPOUND, 9, 0, true },
	{ "streaming, 2 MiB segments", MOSAIC_BACKEND_STREAMING, 9, 0, true },
	{ "streaming, order-0 pages", MOSAIC_BACKEND_STREAMING, 0, 0, true },
	{ "noncontig", MOSAIC_BACKEND_NONCONTIG, 0, 0, false },
	{ "coherent, 256 KiB chunks", MOSAIC_BACKEND_COHERENT, 0, 256 * KiB,
	  false },
	{ "cma", MOSAIC_BACKEND_CMA, 0, 0, false },
};

/* The ranges the device and the CPU hand to each other. */
static const uint64_t ranges[][2] = {
	{ 8, 16 },				/* inside one page, odd offset */
	{ 64 * KiB - KiB, 2 * KiB },		/* across a 64 KiB entry */
	{ 256 * KiB - 512, KiB },		/* across 256 KiB */
	{ 2 * MT_MiB - KiB, 2 * KiB },		/* across 2 MiB */
	{ SIZE - 2 * KiB, 2 * KiB },		/* the last bytes */
};
#define NR_RANGES	(sizeof(ranges) / sizeof(ranges[0]))

#define POINTS_PER_CASE	(3 + 3 * NR_RANGES + 1)

static int dev, edu;
static struct edu_setup setup;
static struct mosaic_stats base;

/* The device's segment limit for scatterlist-mapped memory, or 0. */
static uint64_t entry_limit(const struct scase *c)
{
	uint64_t limit = setup.max_seg;

	if (!c->scatterlist)
		return 0;
	if (setup.bounce && (!limit || limit > SWIOTLB_MAX))
		limit = SWIOTLB_MAX;
	return limit;
}

/* Where a scatterlist-mapped case must bounce: swiotlb, no IOMMU. */
static bool must_bounce(const struct scase *c)
{
	return setup.bounce && c->scatterlist;
}

/*
 * The device's view of a driver's buffer, walked the way a driver walks
 * it: edu's INFO answers with mosaic_buf_dma_range(), and the next range
 * starts where its length ends. Three points. Returns whether every range
 * lies at an address other than its memory's (what swiotlb=force does to
 * every streaming mapping).
 */
static bool check_driver_view(const struct scase *c, const char *tag,
			      int bfd)
{
	uint64_t limit = entry_limit(c), off = 0, longest = 0, nr = 0;
	uint64_t bounced = 0, bad_inside = 0;
	struct mosaic_edu_info in, mid;
	int ret = 0;

	while (off < SIZE) {
		uint64_t m;

		ret = edu_info(bfd, off, &in);
		if (ret || !in.dma_len || in.dma_len > SIZE - off)
			break;
		nr++;
		longest = in.dma_len > longest ? in.dma_len : longest;
		bounced += in.dma != in.phys;
		/* Inside the range, the same range answers. */
		m = off + ((in.dma_len / 2) & ~7ULL);
		if (m != off && (edu_info(bfd, m, &mid) ||
				 mid.dma != in.dma + (m - off) ||
				 mid.dma_len != in.dma_len - (m - off)))
			bad_inside++;
		off += in.dma_len;
	}
	tap_ok(off == SIZE,
	       "%s: mosaic_buf_dma_range() walks the buffer in %llu device ranges (%s at %#llx)",
	       tag, ULL(nr), mt_errname(ret), ULL(off));
	if (limit)
		tap_ok(off == SIZE && longest <= limit,
		       "%s: no device range is longer than %llu KiB (%s); longest %llu KiB",
		       tag, ULL(limit / KiB),
		       setup.max_seg != limit ? "swiotlb's longest mapping" :
						"the segment limit",
		       ULL(longest / KiB));
	else
		tap_ok(off == SIZE, "%s: no scatterlist limit applies (%s); longest device range %llu KiB",
		       tag, c->scatterlist ? "none set" : "memory the DMA layer allocated",
		       ULL(longest / KiB));
	tap_ok(off == SIZE && bad_inside == 0,
	       "%s: inside each range the same range answers, never running past its end (%llu wrong)",
	       tag, ULL(bad_inside));
	tap_diag("%s: %llu device ranges, %llu at addresses other than their memory's",
		 tag, ULL(nr), ULL(bounced));
	return off == SIZE && bounced == nr;
}

/*
 * The same memory allocated through /dev/mosaic for the edu device, seen
 * through SEGMENTS: MOSAIC_SEGMENTS_DEVICE lists ranges that cover the
 * buffer within the limits, and MOSAIC_SEG_DMA_SPLIT marks exactly the
 * segments the device sees in pieces. Three points.
 */
static void check_segments_view(const struct scase *c, const char *tag)
{
	struct mosaic_seg_entry *dr = NULL, *sg = NULL;
	uint64_t limit = entry_limit(c), pos = 0, longest = 0, split = 0;
	uint64_t bad_split = 0, bounced = 0;
	long nd = -1, ns = -1;
	bool cover;
	int bfd;

	if (!mt_backend_needs_device(c->backend)) {
		for (int i = 0; i < 3; i++)
			tap_skip("/dev/mosaic allocates this backend for no device",
				 "%s, /dev/mosaic: device view point %d", tag,
				 i + 1);
		return;
	}
	bfd = mt_alloc_knobs(dev, SIZE, c->backend, MOSAIC_STRATEGY_AUTO,
			     c->max_order, c->chunk_size, setup.pci);
	if (bfd >= 0) {
		nd = mt_dev_ranges_all(bfd, &dr);
		ns = mt_segments_all(bfd, &sg);
		close(bfd);
	}
	cover = nd > 0 && ns > 0;
	for (long i = 0; cover && i < nd; i++) {
		cover = dr[i].offset == pos && dr[i].length &&
			dr[i].flags == MOSAIC_SEG_HAS_DMA;
		pos += dr[i].length;
		longest = dr[i].length > longest ? dr[i].length : longest;
		bounced += dr[i].dma != dr[i].phys;
	}
	cover = cover && pos == SIZE;
	tap_ok(cover && (!limit || longest <= limit),
	       "%s, /dev/mosaic: SEGMENTS_DEVICE lists %ld ranges that cover the buffer in order, the longest %llu KiB (limit %llu KiB) (%s)",
	       tag, nd, ULL(longest / KiB), ULL(limit / KiB),
	       bfd < 0 ? mt_errname(bfd) : nd < 0 ? mt_errname((int)nd) : "listed");
	for (long i = 0, j = 0; cover && i < ns; i++) {
		uint64_t end = sg[i].offset + sg[i].length;
		bool pieces;

		while (j + 1 < nd && dr[j + 1].offset <= sg[i].offset)
			j++;
		pieces = dr[j].offset + dr[j].length < end;
		split += pieces;
		if (pieces != !!(sg[i].flags & MOSAIC_SEG_DMA_SPLIT) ||
		    sg[i].dma != dr[j].dma + (sg[i].offset - dr[j].offset))
			bad_split++;
	}
	tap_ok(cover && bad_split == 0,
	       "%s, /dev/mosaic: MOSAIC_SEG_DMA_SPLIT on exactly the %llu of %ld segments the device sees in pieces, each segment's dma its first byte's (%llu wrong)",
	       tag, ULL(split), ns, ULL(bad_split));
	if (must_bounce(c))
		tap_ok(cover && bounced == (uint64_t)nd,
		       "%s, /dev/mosaic: every device range is a swiotlb slot, not its memory (%llu of %ld)",
		       tag, ULL(bounced), nd);
	else
		tap_ok(cover, "%s, /dev/mosaic: %llu of %ld device ranges at addresses other than their memory's (%s)",
		       tag, ULL(bounced), nd,
		       setup.translated ? "IOVAs" : "no bouncing here");
	free(dr);
	free(sg);
}

/* Words in [off, off + len) of @map that are not @seed's pattern. */
static uint64_t bad_words(const void *map, uint64_t off, uint64_t len,
			  uint64_t seed)
{
	return mt_user_check((const char *)map + off, off, len, seed, NULL);
}

/*
 * One range both ways. Three points; *synced adds the segments the syncs
 * said needed maintenance.
 */
static void check_range(const char *tag, int bfd, void *map, uint64_t off,
			uint64_t len, uint64_t *synced)
{
	uint64_t lo = off >= GUARD ? off - GUARD : 0;
	uint64_t hi = off + len + GUARD <= SIZE ? off + len + GUARD : SIZE;
	uint64_t seed_dev = SEED_DEV ^ off, seed_cpu = SEED_CPU ^ off;
	struct mosaic_edu_dma d = { 0 };
	struct mosaic_sync s = { 0 };
	uint64_t bad, guards;
	int ret;

	/* Device to CPU: the device writes, the CPU syncs the range, reads. */
	ret = edu_dma_flags(bfd, off, len, seed_dev, MOSAIC_EDU_TO_RAM,
			    MOSAIC_EDU_DMA_CALLER_SYNCS, &d);
	if (!ret) {
		/* The guards change on the CPU's side only, after the END. */
		mt_user_fill((char *)map + lo, lo, off - lo, SEED_GUARD);
		mt_user_fill((char *)map + off + len, off + len,
			     hi - off - len, SEED_GUARD);
		ret = mt_sync(bfd, off, len, MOSAIC_SYNC_BEGIN,
			      MOSAIC_SYNC_READ, &s);
		*synced += s.nr_synced;
	}
	bad = ret ? 0 : bad_words(map, off, len, seed_dev);
	tap_ok(!ret && bad == 0,
	       "%s: [%#llx, +%llu): the device writes, SYNC BEGIN READ, the CPU reads it (%s, %llu bad words of %llu)",
	       tag, ULL(off), ULL(len), mt_errname(ret), ULL(bad), ULL(len / 8));
	guards = ret ? 0 : bad_words(map, lo, off - lo, SEED_GUARD) +
			   bad_words(map, off + len, hi - off - len, SEED_GUARD);
	tap_ok(!ret && guards == 0,
	       "%s: [%#llx, +%llu): the sync for the CPU left the %llu guard bytes around the range alone (%llu overwritten words)",
	       tag, ULL(off), ULL(len), ULL(hi - lo - len), ULL(guards));

	/* CPU to device: the CPU writes, syncs the range, the device reads. */
	mt_user_fill((char *)map + off, off, len, seed_cpu);
	ret = mt_sync(bfd, off, len, MOSAIC_SYNC_END, MOSAIC_SYNC_WRITE, &s);
	if (!ret) {
		*synced += s.nr_synced;
		ret = edu_dma_flags(bfd, off, len, seed_cpu,
				    MOSAIC_EDU_FROM_RAM,
				    MOSAIC_EDU_DMA_CALLER_SYNCS, &d);
	}
	tap_ok(!ret && d.mismatches == 0,
	       "%s: [%#llx, +%llu): the CPU writes, SYNC END WRITE, the device reads it (%s, %llu mismatches, first at %#llx)",
	       tag, ULL(off), ULL(len), mt_errname(ret), ULL(d.mismatches),
	       ULL(d.first_mismatch));
}

static void run_case(const struct scase *c)
{
	uint64_t synced = 0;
	bool all_bounced;
	char tag[128];
	void *map;
	int bfd, ret;

	snprintf(tag, sizeof(tag), "%s (%s)", mt_backend_name(c->backend),
		 c->what);
	bfd = edu_alloc(edu, SIZE, c->backend, MOSAIC_STRATEGY_AUTO,
			c->max_order, c->chunk_size);
	if (bfd < 0) {
		const char *why = mt_alloc_skip_reason(c->backend, bfd, SIZE);

		if (!why)
			tap_ok(false, "%s: EDU ALLOC (%s)", tag, mt_errname(bfd));
		for (int i = why ? 0 : 1; i < (int)POINTS_PER_CASE + 3; i++)
			tap_skip(why ? why : "ALLOC failed", "%s: point %d", tag,
				 i + 1);
		return;
	}
	all_bounced = check_driver_view(c, tag, bfd);
	map = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, bfd, 0);
	if (map == MAP_FAILED) {
		ret = -errno;
		tap_ok(false, "%s: mmap (%s)", tag, mt_errname(ret));
		for (int i = 1; i < (int)(3 * NR_RANGES + 1); i++)
			tap_skip("mmap failed", "%s: range point %d", tag, i + 1);
		close(bfd);
		check_segments_view(c, tag);
		return;
	}
	/* Everything known on both sides before the first range. */
	mt_user_fill(map, 0, SIZE, SEED_FILL);
	mt_sync(bfd, 0, SIZE, MOSAIC_SYNC_END, MOSAIC_SYNC_RW, NULL);
	for (size_t i = 0; i < NR_RANGES; i++)
		check_range(tag, bfd, map, ranges[i][0], ranges[i][1], &synced);
	if (must_bounce(c))
		tap_ok(synced > 0 && all_bounced,
		       "%s: every device range is a swiotlb slot (%s), so the syncs did work: %llu segments synced",
		       tag, all_bounced ? "yes" : "no", ULL(synced));
	else
		tap_ok(true, "%s: %llu segments needed a sync here (%s)", tag,
		       ULL(synced),
		       setup.translated ? "behind an IOMMU" :
		       !c->scatterlist ? "memory the DMA layer allocated" :
					 "direct, cache-coherent x86");
	munmap(map, SIZE);
	close(bfd);
	check_segments_view(c, tag);
}

int main(void)
{
	dev = mt_open_dev_baseline(&base);
	edu = edu_setup(&setup);
	if (edu < 0) {
		tap_skip(edu == -ENODEV ? "no edu device in this VM" :
					  "mosaic_edu does not load",
			 "device syncs (%s)", mt_errname(edu));
		close(dev);
		return tap_exit();
	}
	edu_diag_setup("t35_device_sync", &setup);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
	close(edu);
	return mt_end_ledger_back(dev, &base,
				  "at the end: the ledger is back where it started");
}
