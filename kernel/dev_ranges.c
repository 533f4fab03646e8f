// SPDX-License-Identifier: GPL-2.0
/*
 * The device ranges of a buffer: what its device really sees.
 *
 * The segment table says which memory backs which bytes, for the CPU.
 * The device sees something else: each piece the DMA layer mapped on its
 * own has a device address of its own. A scatterlist entry split at the
 * device's segment limit, an entry that swiotlb bounced to a slot of its
 * own, entries an IOMMU merged into one, a coherent or noncontig chunk:
 * each is one device range, ordered by buffer offset, and together they
 * cover the whole buffer. Nothing is contiguous for the device across two
 * of them, so syncs, the lookups drivers program their engines from and
 * the device listing of SEGMENTS all go by this table.
 */
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "mosaic_internal.h"

/* Room for at least one more range; the table doubles as it grows. */
static int mosaic_buf_grow_dev_ranges(struct mosaic_buf *buf)
{
	unsigned long max = max(16UL, buf->max_dev_ranges * 2);
	struct mosaic_dev_range *ranges;

	ranges = kvmalloc_array(max, sizeof(*ranges),
				GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!ranges)
		return -ENOMEM;
	if (buf->nr_dev_ranges)
		memcpy(ranges, buf->dev_ranges,
		       buf->nr_dev_ranges * sizeof(*ranges));
	kvfree(buf->dev_ranges);
	buf->dev_ranges = ranges;
	buf->max_dev_ranges = max;
	return 0;
}

/**
 * mosaic_buf_add_dev_range() - append the next device range of a buffer
 * @buf: the buffer
 * @dma: device address of the range's first byte
 * @length: bytes
 *
 * The range covers the buffer bytes right after the previous one.
 *
 * Return: 0 or -ENOMEM.
 */
int mosaic_buf_add_dev_range(struct mosaic_buf *buf, dma_addr_t dma,
			     u64 length)
{
	struct mosaic_dev_range *r;
	u64 offset = 0;
	int ret;

	if (buf->nr_dev_ranges == buf->max_dev_ranges) {
		ret = mosaic_buf_grow_dev_ranges(buf);
		if (ret)
			return ret;
	}
	r = &buf->dev_ranges[buf->nr_dev_ranges];
	if (buf->nr_dev_ranges)
		offset = r[-1].offset + r[-1].length;
	r->offset = offset;
	r->length = length;
	r->dma = dma;
	buf->nr_dev_ranges++;
	return 0;
}

/**
 * mosaic_buf_add_dev_ranges_sgt() - append a mapped table's device ranges
 * @buf: the buffer
 * @sgt: a table mapped for the buffer's device, covering the buffer bytes
 *	right after the last range, in order
 *
 * One range per DMA entry of @sgt: the DMA layer split, bounced or merged
 * the CPU entries into exactly these.
 *
 * Return: 0 or -ENOMEM.
 */
int mosaic_buf_add_dev_ranges_sgt(struct mosaic_buf *buf,
				  struct sg_table *sgt)
{
	struct scatterlist *sg;
	unsigned int i;
	int ret;

	for_each_sgtable_dma_sg(sgt, sg, i) {
		ret = mosaic_buf_add_dev_range(buf, sg_dma_address(sg),
					       sg_dma_len(sg));
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * mosaic_buf_free_dev_ranges() - forget a buffer's device ranges
 * @buf: the buffer; its DMA mappings are gone or being undone
 */
void mosaic_buf_free_dev_ranges(struct mosaic_buf *buf)
{
	kvfree(buf->dev_ranges);
	buf->dev_ranges = NULL;
	buf->nr_dev_ranges = 0;
	buf->max_dev_ranges = 0;
}

/**
 * mosaic_buf_has_dev_ranges() - whether a buffer has device addresses
 * @buf: the buffer
 *
 * Return: true once the ranges cover every byte of the buffer.
 */
bool mosaic_buf_has_dev_ranges(const struct mosaic_buf *buf)
{
	const struct mosaic_dev_range *last;

	if (!buf->nr_dev_ranges)
		return false;
	last = &buf->dev_ranges[buf->nr_dev_ranges - 1];
	return last->offset + last->length == buf->size;
}

/* Where range @i of a table starts, for mosaic_find_sorted(). */
static u64 mosaic_dev_range_start(const void *ranges, unsigned long i)
{
	return ((const struct mosaic_dev_range *)ranges)[i].offset;
}

/**
 * mosaic_buf_find_dev_range() - the device range that holds a byte
 * @buf: a buffer with device ranges (mosaic_buf_has_dev_ranges())
 * @offset: byte offset inside the buffer
 *
 * Return: the range's index.
 */
unsigned long mosaic_buf_find_dev_range(const struct mosaic_buf *buf,
					u64 offset)
{
	/* The last range that starts at or before @offset. */
	return mosaic_find_sorted(buf->dev_ranges, buf->nr_dev_ranges, offset,
				  mosaic_dev_range_start);
}
