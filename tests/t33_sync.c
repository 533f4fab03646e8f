// SPDX-License-Identifier: GPL-2.0
/*
 * t33_sync: MOSAIC_IOC_SYNC, the ranged sync of a buffer fd.
 *
 * - Bad input is EINVAL: a range outside the buffer, offset + length
 *   wrapping around, length 0, an unknown direction, neither or both of
 *   BEGIN and END, unknown flags, non-zero out, pad or reserved fields,
 *   an argsz below the first version.
 * - first_segment and nr_segments name exactly the segments the range
 *   touches, as MOSAIC_IOC_SEGMENTS lays them out: ranges of one byte,
 *   ranges that start or end exactly on a boundary, that cross one, that
 *   span many, the whole buffer; both BEGIN and END, all three directions.
 * - nr_synced counts the segments that needed cache maintenance: 0 for
 *   memory without a device mapping (pages), for coherent memory, and for
 *   a streaming mapping through dma-direct on x86 (dma_need_sync() is
 *   false there: cache-coherent, no swiotlb bounce); every touched segment
 *   for streaming and noncontig memory mapped for the edu device behind an
 *   IOMMU, whose dma-iommu ops have sync callbacks, so dma_need_sync() is
 *   true. Which of the two applies follows from the VM's setup (sysfs).
 *   Booted with swiotlb=force (make check's bounce passes) and no IOMMU,
 *   every streaming mapping bounces and every touched segment of it is
 *   synced; noncontig memory, which the DMA layer allocates itself, is
 *   not bounced and needs none.
 *   Since 6.10 ("dma: avoid redundant calls for sync operations") the
 *   kernel marks a cache-coherent device that never bounces as needing no
 *   syncs even behind dma-iommu, and dma_need_sync() is false there too:
 *   behind the IOMMU the count must then be 0 for every call, or every
 *   touched segment for every call, as the kernel decides for the device.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "edu_test.h"
#include "mosaic_test.h"
#include "tap.h"

#define SIZE		(256 * 1024UL)
#define NP		(SIZE / MT_PAGE)
#define CHUNK		(64 * 1024UL)

static int dev;
static struct edu_setup setup;
static bool have_edu;
static bool swiotlb_forced;
static struct mosaic_stats base;
static struct mosaic_seg_entry segs[NP];

static void expect_einval(int bfd, struct mosaic_sync s, const char *what)
{
	int ret = mt_ioctl(bfd, MOSAIC_IOC_SYNC, &s);

	tap_ok(ret == -EINVAL, "SYNC with %s: EINVAL (%s)", what,
	       mt_errname(ret));
}

static void test_bad_input(int bfd)
{
	struct mosaic_sync s;

	expect_einval(bfd, mt_sync_arg(SIZE, 8, MOSAIC_SYNC_BEGIN, MOSAIC_SYNC_READ),
		      "offset == size");
	expect_einval(bfd, mt_sync_arg(SIZE + MT_PAGE, 8, MOSAIC_SYNC_BEGIN,
				    MOSAIC_SYNC_READ), "offset past the end");
	expect_einval(bfd, mt_sync_arg(SIZE - MT_PAGE, 2 * MT_PAGE,
				    MOSAIC_SYNC_BEGIN, MOSAIC_SYNC_READ),
		      "a range running past the end");
	expect_einval(bfd, mt_sync_arg(MT_PAGE, UINT64_MAX - 100, MOSAIC_SYNC_END,
				    MOSAIC_SYNC_WRITE),
		      "offset + length wrapping around 2^64");
	expect_einval(bfd, mt_sync_arg(0, 0, MOSAIC_SYNC_BEGIN, MOSAIC_SYNC_READ),
		      "length 0");
	expect_einval(bfd, mt_sync_arg(0, 8, MOSAIC_SYNC_BEGIN, 0), "direction 0");
	expect_einval(bfd, mt_sync_arg(0, 8, MOSAIC_SYNC_BEGIN, MOSAIC_SYNC_RW + 1),
		      "direction RW + 1");
	expect_einval(bfd, mt_sync_arg(0, 8, 0, MOSAIC_SYNC_READ),
		      "neither BEGIN nor END");
	expect_einval(bfd, mt_sync_arg(0, 8, MOSAIC_SYNC_BEGIN | MOSAIC_SYNC_END,
				    MOSAIC_SYNC_READ), "both BEGIN and END");
	expect_einval(bfd, mt_sync_arg(0, 8, MOSAIC_SYNC_BEGIN | (1U << 2),
				    MOSAIC_SYNC_READ), "an unknown flag");
	s = mt_sync_arg(0, 8, MOSAIC_SYNC_BEGIN, MOSAIC_SYNC_READ);
	s.__pad = 1;
	expect_einval(bfd, s, "__pad != 0");
	for (int i = 0; i < 2; i++) {
		char what[32];

		s = mt_sync_arg(0, 8, MOSAIC_SYNC_BEGIN, MOSAIC_SYNC_READ);
		s.__reserved[i] = 1;
		snprintf(what, sizeof(what), "__reserved[%d] != 0", i);
		expect_einval(bfd, s, what);
	}
	s = mt_sync_arg(0, 8, MOSAIC_SYNC_BEGIN, MOSAIC_SYNC_READ);
	s.argsz = MOSAIC_SYNC_SIZE_VER0 - 8;
	expect_einval(bfd, s, "argsz below the first version");
}

/* What nr_synced must be: 0, every touched segment, or either for all. */
enum want_sync { SYNC_NONE, SYNC_ALL, SYNC_KERNEL_DECIDES };

/*
 * Every test range against the segment table: first_segment/nr_segments
 * must be exact; nr_synced must be as @want_sync says.
 */
static void test_ranges(const char *what, int bfd, enum want_sync want_sync,
			const char *why)
{
	bool synced_all = want_sync == SYNC_ALL;
	uint64_t r[16][2], nr_r = 0, bad_seg = 0, bad_sync = 0, calls = 0;
	uint64_t total_synced = 0;
	long n = mt_segments(bfd, segs, NP);
	uint64_t b1, b2, b3;

	if (n < 3) {
		tap_ok(false, "%s: SEGMENTS: %ld segments, need at least 3", what,
		       n);
		tap_skip("no segment table", "%s: nr_synced", what);
		return;
	}
	b1 = segs[1].offset;
	b2 = segs[n / 2].offset;
	b3 = segs[n - 1].offset;
	tap_diag("%s: %ld segments; boundaries used: %#llx %#llx %#llx", what, n,
		 ULL(b1), ULL(b2), ULL(b3));
#define R(o, l) do { r[nr_r][0] = (o); r[nr_r][1] = (l); nr_r++; } while (0)
	R(0, 1);			/* one byte */
	R(0, SIZE);			/* everything */
	R(b1 - 1, 2);			/* across the first boundary */
	R(b2, 1);			/* starts on a boundary */
	R(b2 - 8, 8);			/* ends on a boundary */
	R(b2 - MT_PAGE / 2, MT_PAGE);	/* across a boundary, mid-buffer */
	R(b1 + 8, b3 - b1);		/* from segment 1 into the last one */
	R(b3, SIZE - b3);		/* exactly the last segment */
	R(SIZE - 1, 1);			/* the last byte */
#undef R
	for (uint64_t i = 0; i < nr_r; i++) {
		uint64_t first = mt_seg_index(segs, n, r[i][0]);
		uint64_t last = mt_seg_index(segs, n, r[i][0] + r[i][1] - 1);

		for (uint32_t fl = MOSAIC_SYNC_BEGIN; fl <= MOSAIC_SYNC_END;
		     fl <<= 1) {
			for (uint32_t dir = MOSAIC_SYNC_READ;
			     dir <= MOSAIC_SYNC_RW; dir++) {
				struct mosaic_sync s = mt_sync_arg(r[i][0], r[i][1],
								fl, dir);
				int ret = mt_ioctl(bfd, MOSAIC_IOC_SYNC, &s);
				uint64_t want = synced_all ? last - first + 1 : 0;

				calls++;
				if (ret || s.first_segment != first ||
				    s.nr_segments != last - first + 1) {
					if (!bad_seg)
						tap_diag("%s: [%#llx, +%#llx): %s, first %llu nr %llu, want %llu and %llu",
							 what, ULL(r[i][0]), ULL(r[i][1]),
							 mt_errname(ret), ULL(s.first_segment),
							 ULL(s.nr_segments), ULL(first),
							 ULL(last - first + 1));
					bad_seg++;
				}
				/* The first answer says what the kernel decided. */
				if (want_sync == SYNC_KERNEL_DECIDES && !ret) {
					synced_all = s.nr_synced != 0;
					want = synced_all ? last - first + 1 : 0;
					want_sync = synced_all ? SYNC_ALL : SYNC_NONE;
					if (!synced_all)
						why = "dma-iommu on a coherent device since 6.10: dma_need_sync() is false";
				}
				total_synced += s.nr_synced;
				if (!ret && s.nr_synced != want) {
					if (!bad_sync)
						tap_diag("%s: [%#llx, +%#llx): nr_synced %llu, want %llu",
							 what, ULL(r[i][0]), ULL(r[i][1]),
							 ULL(s.nr_synced), ULL(want));
					bad_sync++;
				}
			}
		}
	}
	tap_ok(bad_seg == 0,
	       "%s: first_segment and nr_segments are exactly the segments SEGMENTS says each range touches (%llu calls, %llu wrong)",
	       what, ULL(calls), ULL(bad_seg));
	tap_ok(bad_sync == 0 && (synced_all ? total_synced > 0 : total_synced == 0),
	       "%s: nr_synced is %s: %s (%llu segments synced over %llu calls)",
	       what, synced_all ? "every touched segment" : "0", why,
	       ULL(total_synced), ULL(calls));
}

struct scase {
	const char *what;
	uint32_t backend;
	uint64_t chunk_size;
	bool edu;
};

static void run_case(const struct scase *c)
{
	bool iommu = c->edu && setup.translated;
	/* swiotlb=force bounces every streaming mapping not behind an IOMMU. */
	bool bounce = c->backend == MOSAIC_BACKEND_STREAMING && swiotlb_forced &&
		      !iommu;
	bool stream = c->backend == MOSAIC_BACKEND_STREAMING ||
		      c->backend == MOSAIC_BACKEND_NONCONTIG;
	const char *why;
	int bfd;

	if (c->edu && !have_edu) {
		tap_skip("no edu device", "%s: segments", c->what);
		tap_skip("no edu device", "%s: nr_synced", c->what);
		return;
	}
	bfd = mt_alloc_knobs(dev, SIZE, c->backend, MOSAIC_STRATEGY_AUTO, 0,
			     c->chunk_size, c->edu ? setup.pci : NULL);
	if (bfd < 0) {
		const char *skip = mt_alloc_skip_reason(c->backend, bfd, SIZE);

		if (skip) {
			tap_skip(skip, "%s: segments", c->what);
			tap_skip(skip, "%s: nr_synced", c->what);
			return;
		}
		tap_ok(false, "%s: ALLOC (%s)", c->what, mt_errname(bfd));
		tap_skip("ALLOC failed", "%s: nr_synced", c->what);
		return;
	}
	if (!stream && c->backend == MOSAIC_BACKEND_PAGES)
		why = "no device, no DMA mapping";
	else if (!stream)
		why = "coherent memory needs no maintenance";
	else if (iommu)
		why = "dma-iommu: dma_need_sync() is true";
	else if (bounce)
		why = "swiotlb=force: every streaming mapping bounces, dma_need_sync() is true";
	else if (c->backend == MOSAIC_BACKEND_NONCONTIG && swiotlb_forced)
		why = "dma-direct on x86: the DMA layer's own allocation never bounces, dma_need_sync() is false";
	else
		why = "dma-direct on x86: dma_need_sync() is false";
	test_ranges(c->what, bfd,
		    !stream ? SYNC_NONE : iommu ? SYNC_KERNEL_DECIDES :
		    bounce ? SYNC_ALL : SYNC_NONE,
		    why);
	close(bfd);
}

int main(void)
{
	static const struct scase cases[] = {
		{ "pages, no device", MOSAIC_BACKEND_PAGES, 0, false },
		{ "coherent for mosaic's platform device", MOSAIC_BACKEND_COHERENT,
		  CHUNK, false },
		{ "streaming for mosaic's platform device",
		  MOSAIC_BACKEND_STREAMING, 0, false },
		{ "coherent for edu", MOSAIC_BACKEND_COHERENT, CHUNK, true },
		{ "streaming for edu", MOSAIC_BACKEND_STREAMING, 0, true },
		{ "noncontig for edu", MOSAIC_BACKEND_NONCONTIG, CHUNK, true },
	};
	int bfd, ret;

	dev = mt_open_dev_baseline(&base);
	swiotlb_forced = edu_swiotlb_forced();
	ret = edu_setup(&setup);
	have_edu = ret != -ENODEV;
	if (ret >= 0)
		close(ret);
	if (have_edu)
		edu_diag_setup("t33_sync", &setup);
	else
		tap_diag("t33_sync: no edu device: the edu cases skip");

	bfd = mt_alloc(dev, SIZE, MOSAIC_BACKEND_PAGES, MOSAIC_STRATEGY_AUTO);
	if (bfd < 0)
		tap_bail("ALLOC failed: %s", mt_errname(bfd));
	test_bad_input(bfd);
	close(bfd);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);

	return mt_end_ledger_back(dev, &base,
				  "at the end: the ledger is back where it started");
}
