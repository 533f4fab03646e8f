// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for mosaic's in-kernel logic: the segment table (building,
 * offset lookup, adjacency), the device ranges (from merged, split and
 * bounced DMA entries),
 * the order fallback of the high-order backends, and the splitting of a
 * byte range into per-segment pieces that ranged sync and dma-buf export
 * rely on. The uapi validation suite
 * lives in validate_kunit.c.
 *
 * Built as mosaic_kunit.ko on kernels with CONFIG_KUNIT; loading it runs
 * the suites and prints KTAP to the kernel log.
 */
#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include "../compat.h"
#include "../mosaic_internal.h"
#include "../backends/orders.h"
#include "suites.h"

/* A buffer whose table has the given segment sizes (in pages). */
static struct mosaic_buf *fake_buf(struct kunit *test, const unsigned int *sizes,
				   unsigned int n, unsigned long first_pfn,
				   const bool *gap_before)
{
	struct mosaic_buf *buf = kunit_kzalloc(test, sizeof(*buf), GFP_KERNEL);
	unsigned long pfn = first_pfn;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, mosaic_buf_reserve_segs(buf, n + 4), 0);
	for (i = 0; i < n; i++) {
		if (gap_before && gap_before[i])
			pfn += 1000;
		mosaic_buf_add_seg(buf, pfn, sizes[i], ilog2(sizes[i]), NULL);
		pfn += sizes[i];
	}
	buf->nr_pages = buf->filled;
	buf->size = (size_t)buf->nr_pages << PAGE_SHIFT;
	return buf;
}

static void free_fake_buf(struct mosaic_buf *buf)
{
	kvfree(buf->segs);
}

static void seg_table_build(struct kunit *test)
{
	static const unsigned int sizes[] = { 512, 512, 256, 16, 1 };
	struct mosaic_buf *buf = fake_buf(test, sizes, ARRAY_SIZE(sizes),
					  0x10000, NULL);
	struct mosaic_seg seg;

	KUNIT_EXPECT_EQ(test, mosaic_buf_nr_segs(buf), 5UL);
	KUNIT_EXPECT_EQ(test, buf->nr_pages, 1297UL);
	mosaic_buf_seg(buf, 3, &seg);
	KUNIT_EXPECT_EQ(test, seg.pgoff, (pgoff_t)1280);
	KUNIT_EXPECT_EQ(test, seg.nr_pages, 16U);
	KUNIT_EXPECT_EQ(test, seg.order, 4U);
	/* Trimming keeps every entry and gives back the spare room. */
	mosaic_buf_trim_segs(buf);
	KUNIT_EXPECT_EQ(test, buf->max_segs, 5UL);
	mosaic_buf_seg(buf, 4, &seg);
	KUNIT_EXPECT_EQ(test, seg.pgoff, (pgoff_t)1296);
	free_fake_buf(buf);
}

/* Every page maps to the segment that covers it, at every boundary. */
static void seg_table_lookup(struct kunit *test)
{
	static const unsigned int sizes[] = { 1, 16, 512, 1, 1, 256, 2, 512 };
	struct mosaic_buf *buf = fake_buf(test, sizes, ARRAY_SIZE(sizes),
					  0x20000, NULL);
	unsigned long idx, want = 0;
	pgoff_t pgoff, seg_end = sizes[0];
	struct mosaic_seg seg;

	for (pgoff = 0; pgoff < buf->nr_pages; pgoff++) {
		if (pgoff == seg_end)
			seg_end += sizes[++want];
		idx = mosaic_buf_find_seg(buf, pgoff, &seg);
		KUNIT_ASSERT_EQ(test, idx, want);
		KUNIT_ASSERT_TRUE(test, seg.pgoff <= pgoff &&
				  pgoff < seg.pgoff + seg.nr_pages);
		KUNIT_ASSERT_EQ(test, mosaic_buf_pfn(buf, pgoff),
				0x20000 + pgoff);
	}
	free_fake_buf(buf);
}

static void seg_table_adjacency(struct kunit *test)
{
	static const unsigned int sizes[] = { 4, 4, 4, 4, 4, 4 };
	static const bool gaps[] = { false, false, true, false, true, true };
	struct mosaic_buf *buf = fake_buf(test, sizes, ARRAY_SIZE(sizes),
					  0x30000, gaps);

	/* Segments 1 and 3 continue their predecessor; 2, 4 and 5 do not. */
	KUNIT_EXPECT_EQ(test, mosaic_buf_count_adjacent(buf), 2UL);
	free_fake_buf(buf);

	/* No gaps at all: every segment but the first merges, one run. */
	buf = fake_buf(test, sizes, ARRAY_SIZE(sizes), 0x30000, NULL);
	KUNIT_EXPECT_EQ(test, mosaic_buf_nr_segs(buf) -
			mosaic_buf_count_adjacent(buf), 1UL);
	free_fake_buf(buf);
}

/*
 * The device ranges are the mapped table's DMA entries, whatever the CPU
 * segments are: an IOMMU merged the first three segments into one range,
 * swiotlb bounced the last segment in two slots. Lookups go by offset
 * and never run past a range.
 */
static void dev_ranges_from_sgt(struct kunit *test)
{
	static const unsigned int sizes[] = { 4, 2, 8, 4 };
	static const bool gaps[] = { false, true, true, true };
	struct mosaic_buf *buf = fake_buf(test, sizes, ARRAY_SIZE(sizes),
					  0x50000, gaps);
	struct scatterlist *sg;
	struct sg_table sgt;

	KUNIT_ASSERT_EQ(test, sg_alloc_table(&sgt, 3, GFP_KERNEL), 0);
	sg = sgt.sgl;
	sg_dma_address(sg) = 0x100000;
	sg_dma_len(sg) = 14 * PAGE_SIZE;
	sg = sg_next(sg);
	sg_dma_address(sg) = 0x900000;
	sg_dma_len(sg) = 2 * PAGE_SIZE;
	sg = sg_next(sg);
	sg_dma_address(sg) = 0x700000;
	sg_dma_len(sg) = 2 * PAGE_SIZE;
	sgt.nents = 2;

	/* A table that stops short of the buffer gives no device view. */
	KUNIT_EXPECT_EQ(test, mosaic_buf_add_dev_ranges_sgt(buf, &sgt), 0);
	KUNIT_EXPECT_FALSE(test, mosaic_buf_has_dev_ranges(buf));
	mosaic_buf_free_dev_ranges(buf);

	sgt.nents = 3;
	KUNIT_EXPECT_EQ(test, mosaic_buf_add_dev_ranges_sgt(buf, &sgt), 0);
	KUNIT_EXPECT_TRUE(test, mosaic_buf_has_dev_ranges(buf));
	KUNIT_EXPECT_EQ(test, buf->nr_dev_ranges, 3UL);
	KUNIT_EXPECT_EQ(test, buf->dev_ranges[1].offset, (u64)14 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, buf->dev_ranges[2].offset, (u64)16 * PAGE_SIZE);
	/* Segment 2 (pages 6..13) lies inside the merged first range. */
	KUNIT_EXPECT_EQ(test, mosaic_buf_find_dev_range(buf, 6 * PAGE_SIZE),
			0UL);
	KUNIT_EXPECT_EQ(test, mosaic_buf_find_dev_range(buf,
							14 * PAGE_SIZE - 1),
			0UL);
	/* Segment 3 (pages 14..17) spans the two bounce slots. */
	KUNIT_EXPECT_EQ(test, mosaic_buf_find_dev_range(buf, 14 * PAGE_SIZE),
			1UL);
	KUNIT_EXPECT_EQ(test, mosaic_buf_find_dev_range(buf,
							16 * PAGE_SIZE - 1),
			1UL);
	KUNIT_EXPECT_EQ(test, mosaic_buf_find_dev_range(buf, 16 * PAGE_SIZE),
			2UL);
	KUNIT_EXPECT_EQ(test, mosaic_buf_find_dev_range(buf,
							18 * PAGE_SIZE - 1),
			2UL);
	sg_free_table(&sgt);
	mosaic_buf_free_dev_ranges(buf);
	KUNIT_EXPECT_FALSE(test, mosaic_buf_has_dev_ranges(buf));
	free_fake_buf(buf);
}

/* Appending range by range grows the table past its first allocation. */
static void dev_ranges_grow(struct kunit *test)
{
	static const unsigned int sizes[] = { 100 };
	struct mosaic_buf *buf = fake_buf(test, sizes, 1, 0x60000, NULL);
	unsigned long i;

	for (i = 0; i < 100; i++)
		KUNIT_ASSERT_EQ(test,
				mosaic_buf_add_dev_range(buf, 0x200000 +
							 2 * i * PAGE_SIZE,
							 PAGE_SIZE), 0);
	KUNIT_EXPECT_TRUE(test, mosaic_buf_has_dev_ranges(buf));
	KUNIT_EXPECT_GE(test, buf->max_dev_ranges, 100UL);
	for (i = 0; i < 100; i++) {
		KUNIT_EXPECT_EQ(test, buf->dev_ranges[i].offset,
				(u64)i * PAGE_SIZE);
		KUNIT_EXPECT_EQ(test, mosaic_buf_find_dev_range(buf,
								i * PAGE_SIZE + 8),
				i);
	}
	mosaic_buf_free_dev_ranges(buf);
	free_fake_buf(buf);
}

/* An order-0 table is the page array itself. */
static void seg_table_pages(struct kunit *test)
{
	struct mosaic_buf *buf = kunit_kzalloc(test, sizeof(*buf), GFP_KERNEL);
	struct page *pages[3];
	struct mosaic_seg seg;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (i = 0; i < 3; i++) {
		pages[i] = alloc_page(GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, pages[i]);
	}
	buf->pages = pages;
	buf->nr_pages = 3;
	buf->size = 3 * PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, mosaic_buf_nr_segs(buf), 3UL);
	KUNIT_EXPECT_EQ(test, mosaic_buf_find_seg(buf, 2, &seg), 2UL);
	KUNIT_EXPECT_EQ(test, seg.pfn, page_to_pfn(pages[2]));
	KUNIT_EXPECT_PTR_EQ(test, seg.kaddr, page_address(pages[2]));
	KUNIT_EXPECT_PTR_EQ(test, mosaic_buf_page(buf, 1), pages[1]);
	KUNIT_EXPECT_NULL(test, mosaic_buf_page(buf, 3));
	for (i = 0; i < 3; i++)
		__free_page(pages[i]);
}

static void order_fallback(struct kunit *test)
{
	/* The default: 9, 8, 4, 0, then nothing. */
	KUNIT_EXPECT_EQ(test, mosaic_next_order(9, -1), 9);
	KUNIT_EXPECT_EQ(test, mosaic_next_order(9, 9), 8);
	KUNIT_EXPECT_EQ(test, mosaic_next_order(9, 8), 4);
	KUNIT_EXPECT_EQ(test, mosaic_next_order(9, 4), 0);
	KUNIT_EXPECT_EQ(test, mosaic_next_order(9, 0), -1);
	/* A caller's order outside the list goes first, then the list below. */
	KUNIT_EXPECT_EQ(test, mosaic_next_order(10, -1), 10);
	KUNIT_EXPECT_EQ(test, mosaic_next_order(10, 10), 9);
	KUNIT_EXPECT_EQ(test, mosaic_next_order(6, -1), 6);
	KUNIT_EXPECT_EQ(test, mosaic_next_order(6, 6), 4);
	/* Order 0 only (the streaming default). */
	KUNIT_EXPECT_EQ(test, mosaic_next_order(0, -1), 0);
	KUNIT_EXPECT_EQ(test, mosaic_next_order(0, 0), -1);
}

/* Chunks are powers of two: 6 MiB + 4 KiB in 4 MiB chunks is 4M, 2M, 4K. */
static void chunk_sizes(struct kunit *test)
{
	size_t left = SZ_4M + SZ_2M + PAGE_SIZE;
	unsigned long n = 0;

	KUNIT_EXPECT_EQ(test, mosaic_nr_chunks(left, SZ_4M), 3UL);
	KUNIT_EXPECT_EQ(test, mosaic_chunk_len(left, SZ_4M), (size_t)SZ_4M);
	KUNIT_EXPECT_EQ(test, mosaic_chunk_len(SZ_2M + PAGE_SIZE, SZ_4M),
			(size_t)SZ_2M);
	KUNIT_EXPECT_EQ(test, mosaic_chunk_len(PAGE_SIZE, SZ_4M), PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, mosaic_nr_chunks(SZ_8M, SZ_4M), 2UL);
	/* One page short of a chunk: a chunk per bit of the page count. */
	KUNIT_EXPECT_EQ(test, mosaic_nr_chunks(SZ_1M - PAGE_SIZE, SZ_1M),
			(unsigned long)ilog2(SZ_1M / PAGE_SIZE));
	while (left) {
		size_t len = mosaic_chunk_len(left, SZ_4M);

		KUNIT_EXPECT_TRUE(test, is_power_of_2(len));
		left -= len;
		n++;
	}
	KUNIT_EXPECT_EQ(test, n, 3UL);
}

/* Collect the pieces of [off, off + len) as the sync code walks them. */
static unsigned int pieces(const struct mosaic_buf *buf, u64 off, u64 len,
			   struct mosaic_piece *out, unsigned int max)
{
	struct mosaic_piece p;
	unsigned int n = 0;
	u64 pos;

	for (pos = off; mosaic_buf_piece(buf, pos, off + len, &p);
	     pos += p.length)
		if (n < max)
			out[n++] = p;
	return n;
}

static void range_split(struct kunit *test)
{
	static const unsigned int sizes[] = { 1, 2, 4, 1 };
	struct mosaic_buf *buf = fake_buf(test, sizes, ARRAY_SIZE(sizes),
					  0x40000, NULL);
	struct mosaic_piece p[8];
	unsigned int n;

	/* Inside one segment: one piece. */
	n = pieces(buf, PAGE_SIZE + 8, 16, p, 8);
	KUNIT_EXPECT_EQ(test, n, 1U);
	KUNIT_EXPECT_EQ(test, p[0].idx, 1UL);
	KUNIT_EXPECT_EQ(test, p[0].seg_offset, 8ULL);
	KUNIT_EXPECT_EQ(test, p[0].length, 16ULL);

	/* 8 bytes before a boundary to 8 bytes after: two pieces. */
	n = pieces(buf, 3 * PAGE_SIZE - 8, 16, p, 8);
	KUNIT_EXPECT_EQ(test, n, 2U);
	KUNIT_EXPECT_EQ(test, p[0].idx, 1UL);
	KUNIT_EXPECT_EQ(test, p[0].length, 8ULL);
	KUNIT_EXPECT_EQ(test, p[1].idx, 2UL);
	KUNIT_EXPECT_EQ(test, p[1].seg_offset, 0ULL);
	KUNIT_EXPECT_EQ(test, p[1].length, 8ULL);

	/* The whole buffer: every segment exactly once, whole. */
	n = pieces(buf, 0, buf->size, p, 8);
	KUNIT_EXPECT_EQ(test, n, 4U);
	KUNIT_EXPECT_EQ(test, p[2].offset, 3ULL * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, p[2].length, 4ULL * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, p[3].length, (u64)PAGE_SIZE);

	/* The last byte only. */
	n = pieces(buf, buf->size - 1, 1, p, 8);
	KUNIT_EXPECT_EQ(test, n, 1U);
	KUNIT_EXPECT_EQ(test, p[0].idx, 3UL);

	/* An empty range has no pieces. */
	KUNIT_EXPECT_EQ(test, pieces(buf, 100, 0, p, 8), 0U);
	free_fake_buf(buf);
}

static struct kunit_case mosaic_segment_cases[] = {
	KUNIT_CASE(seg_table_build),
	KUNIT_CASE(seg_table_lookup),
	KUNIT_CASE(seg_table_adjacency),
	KUNIT_CASE(seg_table_pages),
	KUNIT_CASE(dev_ranges_from_sgt),
	KUNIT_CASE(dev_ranges_grow),
	KUNIT_CASE(order_fallback),
	KUNIT_CASE(chunk_sizes),
	KUNIT_CASE(range_split),
	{}
};

static struct kunit_suite mosaic_segment_suite = {
	.name = "mosaic_segments",
	.test_cases = mosaic_segment_cases,
};

kunit_test_suites(&mosaic_segment_suite, &mosaic_validate_suite);

MODULE_DESCRIPTION("KUnit tests for mosaic");
MODULE_LICENSE("GPL");
