// SPDX-License-Identifier: GPL-2.0
/*
 * The segment table: which physically contiguous piece backs which part of
 * a buffer.
 *
 * Two shapes, one interface. When every segment is a single order-0 page
 * (pages, vmalloc, cma and order-0 streaming buffers) the page array is
 * the table: eight bytes per page and O(1) lookup. Otherwise @segs holds
 * one entry per segment, ordered by buffer offset, and a lookup is a
 * binary search: O(log n) in the number of segments.
 */
#include <linux/sched.h>
#include <linux/slab.h>

#include "mosaic_internal.h"

/**
 * mosaic_buf_reserve_segs() - make room for a backend's segments
 * @buf: buffer being allocated
 * @max_segs: the most segments the backend can produce
 *
 * Return: 0 or -ENOMEM.
 */
int mosaic_buf_reserve_segs(struct mosaic_buf *buf, unsigned long max_segs)
{
	buf->segs = kvcalloc(max_segs, sizeof(*buf->segs),
			     GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!buf->segs)
		return -ENOMEM;
	buf->max_segs = max_segs;
	return 0;
}

/**
 * mosaic_buf_trim_segs() - give back the room a backend did not use
 * @buf: buffer whose backend has finished allocating
 *
 * Backends reserve for the worst case (every segment one page); keeping
 * that for the buffer's lifetime would cost a segment per page. If the
 * smaller copy cannot be allocated the larger table simply stays.
 */
void mosaic_buf_trim_segs(struct mosaic_buf *buf)
{
	struct mosaic_seg *segs;

	if (!buf->segs || buf->nr_segs == buf->max_segs)
		return;
	segs = kvmalloc_array(buf->nr_segs, sizeof(*segs),
			      GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!segs)
		return;
	memcpy(segs, buf->segs, buf->nr_segs * sizeof(*segs));
	kvfree(buf->segs);
	buf->segs = segs;
	buf->max_segs = buf->nr_segs;
}

/**
 * mosaic_buf_add_seg() - append the next segment of a buffer
 * @buf: buffer being allocated, with room reserved
 * @pfn: first page frame
 * @nr_pages: pages in the segment
 * @order: order of the allocation unit it belongs to
 * @kaddr: kernel address of its first byte
 *
 * The segment covers the buffer pages right after the previous one.
 */
void mosaic_buf_add_seg(struct mosaic_buf *buf, unsigned long pfn,
			unsigned int nr_pages, unsigned int order,
			void *kaddr)
{
	struct mosaic_seg *seg;

	if (WARN_ON_ONCE(buf->nr_segs >= buf->max_segs))
		return;
	seg = &buf->segs[buf->nr_segs++];
	seg->pgoff = buf->filled;
	seg->pfn = pfn;
	seg->nr_pages = nr_pages;
	seg->order = order;
	seg->kaddr = kaddr;
	buf->filled += nr_pages;
}

/**
 * mosaic_buf_nr_segs() - number of segments in a buffer
 * @buf: the buffer
 *
 * Return: the count.
 */
unsigned long mosaic_buf_nr_segs(const struct mosaic_buf *buf)
{
	return buf->segs ? buf->nr_segs : buf->nr_pages;
}

/**
 * mosaic_buf_seg() - copy out segment @idx
 * @buf: the buffer
 * @idx: segment index, below mosaic_buf_nr_segs()
 * @seg: filled in
 */
void mosaic_buf_seg(const struct mosaic_buf *buf, unsigned long idx,
		    struct mosaic_seg *seg)
{
	struct page *page;

	if (buf->segs) {
		*seg = buf->segs[idx];
		return;
	}
	page = buf->pages[idx];
	seg->pgoff = idx;
	seg->pfn = page_to_pfn(page);
	/* Order-0 tables hold lowmem pages only (GFP_USER, never HIGHUSER). */
	seg->kaddr = page_address(page);
	seg->nr_pages = 1;
	seg->order = 0;
}

/* Where segment @i of a table starts, for mosaic_find_sorted(). */
static u64 mosaic_seg_start(const void *segs, unsigned long i)
{
	return ((const struct mosaic_seg *)segs)[i].pgoff;
}

/**
 * mosaic_buf_find_seg() - the segment that holds a buffer page
 * @buf: the buffer
 * @pgoff: page index inside the buffer, below @buf->nr_pages
 * @seg: filled in with the segment
 *
 * Return: the segment's index.
 */
unsigned long mosaic_buf_find_seg(const struct mosaic_buf *buf, pgoff_t pgoff,
				  struct mosaic_seg *seg)
{
	unsigned long idx;

	if (!buf->segs) {
		mosaic_buf_seg(buf, pgoff, seg);
		return pgoff;
	}
	/* The last segment that starts at or before @pgoff. */
	idx = mosaic_find_sorted(buf->segs, buf->nr_segs, pgoff,
				 mosaic_seg_start);
	*seg = buf->segs[idx];
	return idx;
}

/**
 * mosaic_buf_pfn() - page frame behind a buffer page
 * @buf: the buffer
 * @pgoff: page index inside the buffer, below @buf->nr_pages
 *
 * Return: the PFN.
 */
unsigned long mosaic_buf_pfn(const struct mosaic_buf *buf, pgoff_t pgoff)
{
	struct mosaic_seg seg;

	mosaic_buf_find_seg(buf, pgoff, &seg);
	return seg.pfn + (pgoff - seg.pgoff);
}

/**
 * mosaic_buf_page() - the refcounted page behind a buffer page
 * @buf: the buffer
 * @pgoff: page index inside the buffer
 *
 * Return: the page, or NULL past the end or when the backend's pages may
 * not be mapped as pages.
 */
struct page *mosaic_buf_page(const struct mosaic_buf *buf, pgoff_t pgoff)
{
	if (!buf->pages || pgoff >= buf->nr_pages)
		return NULL;
	return buf->pages[pgoff];
}

/**
 * mosaic_buf_piece() - the part of one segment that a byte range covers
 * @buf: the buffer
 * @pos: current position in the range, a buffer offset
 * @end: end of the range (exclusive), at most @buf->size
 * @piece: filled in when there is a piece at @pos
 *
 * Walk a range segment by segment with
 * ``for (pos = off; mosaic_buf_piece(buf, pos, end, &p); pos += p.length)``:
 * every piece lies inside one segment, the pieces cover [off, end) in
 * order, and only the segments the range touches are visited.
 *
 * Return: false once @pos has reached @end.
 */
bool mosaic_buf_piece(const struct mosaic_buf *buf, u64 pos, u64 end,
		      struct mosaic_piece *piece)
{
	u64 seg_start, seg_end;

	if (pos >= end)
		return false;
	piece->idx = mosaic_buf_find_seg(buf, pos >> PAGE_SHIFT, &piece->seg);
	seg_start = (u64)piece->seg.pgoff << PAGE_SHIFT;
	seg_end = seg_start + ((u64)piece->seg.nr_pages << PAGE_SHIFT);
	piece->offset = pos;
	piece->length = min(end, seg_end) - pos;
	piece->seg_offset = pos - seg_start;
	return true;
}

/**
 * mosaic_buf_count_adjacent() - segments that continue the previous one
 * @buf: the buffer
 *
 * Return: how many segments start at the physical address right after
 * the end of the segment before them; the buffer has
 * mosaic_buf_nr_segs() minus this many physically contiguous runs.
 */
unsigned long mosaic_buf_count_adjacent(const struct mosaic_buf *buf)
{
	unsigned long i, nr = mosaic_buf_nr_segs(buf), adjacent = 0;
	struct mosaic_seg seg, prev;

	for (i = 0; i < nr; i++) {
		mosaic_buf_seg(buf, i, &seg);
		if (i && seg.pfn == prev.pfn + prev.nr_pages)
			adjacent++;
		prev = seg;
		if (!(i % 1024))
			cond_resched();
	}
	return adjacent;
}
