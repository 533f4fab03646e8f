// SPDX-License-Identifier: GPL-2.0
/*
 * The device side of a buffer: its streaming DMA mapping, ranged syncs,
 * and address lookups for drivers.
 *
 * Backends that allocate through the DMA API (coherent, noncontig, cma)
 * come with DMA addresses. Page-backed buffers that have a device get a
 * streaming mapping here, one scatterlist entry per segment.
 */
#include <linux/dma-mapping.h>
#include <linux/mosaic.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include "mosaic_internal.h"

/*
 * A DMA mapping needs a DMA address per segment, and an order-0 page
 * table has nowhere to keep one: give it a real segment table first.
 */
static int mosaic_buf_segs_from_pages(struct mosaic_buf *buf)
{
	unsigned long i;
	int ret;

	if (buf->segs)
		return 0;
	ret = mosaic_buf_reserve_segs(buf, buf->nr_pages);
	if (ret)
		return ret;
	buf->filled = 0;
	for (i = 0; i < buf->nr_pages; i++)
		mosaic_buf_add_seg(buf, page_to_pfn(buf->pages[i]), 1, 0,
				   page_address(buf->pages[i]),
				   DMA_MAPPING_ERROR);
	return 0;
}

/**
 * mosaic_buf_dma_map() - map a page-backed buffer for its device
 * @buf: buffer with @buf->dev set and no DMA addresses yet
 *
 * Return: 0 or -errno; on error nothing stays mapped.
 */
int mosaic_buf_dma_map(struct mosaic_buf *buf)
{
	struct scatterlist *sg;
	struct sg_table *sgt;
	unsigned int i;
	int ret;

	ret = mosaic_buf_segs_from_pages(buf);
	if (ret)
		return ret;
	sgt = kzalloc(sizeof(*sgt), GFP_KERNEL);
	if (!sgt)
		return -ENOMEM;
	ret = sg_alloc_table(sgt, buf->nr_segs, GFP_KERNEL);
	if (ret)
		goto err_free_sgt;
	for_each_sgtable_sg(sgt, sg, i)
		sg_set_page(sg, pfn_to_page(buf->segs[i].pfn),
			    buf->segs[i].nr_pages << PAGE_SHIFT, 0);

	ret = dma_map_sgtable(buf->dev, sgt, DMA_BIDIRECTIONAL, 0);
	if (ret)
		goto err_free_table;
	ret = mosaic_buf_set_dma_from_sgt(buf, sgt);
	if (WARN_ON_ONCE(ret))
		goto err_unmap;
	buf->sgt = sgt;
	return 0;

err_unmap:
	dma_unmap_sgtable(buf->dev, sgt, DMA_BIDIRECTIONAL, 0);
err_free_table:
	sg_free_table(sgt);
err_free_sgt:
	kfree(sgt);
	return ret;
}

/**
 * mosaic_buf_dma_unmap() - undo mosaic_buf_dma_map(), if it was done
 * @buf: the buffer
 */
void mosaic_buf_dma_unmap(struct mosaic_buf *buf)
{
	if (!buf->sgt)
		return;
	dma_unmap_sgtable(buf->dev, buf->sgt, DMA_BIDIRECTIONAL, 0);
	sg_free_table(buf->sgt);
	kfree(buf->sgt);
	buf->sgt = NULL;
}

/* Whether @buf has a streaming mapping whose caches may need syncing. */
static bool mosaic_buf_has_streaming_dma(const struct mosaic_buf *buf)
{
	return buf->dev && !buf->backend->coherent &&
	       (buf->sgt || buf->backend->maps_for_device);
}

/**
 * mosaic_buf_sync_range() - sync the segments a byte range touches
 * @buf: the buffer
 * @offset: first byte
 * @length: bytes, non-zero, inside the buffer (checked by the caller)
 * @dir: what the CPU does with the range, as a DMA direction
 * @for_device: true once the CPU is done, false before it starts
 * @first_seg: out: first segment the range touches
 * @nr_segs: out: segments the range touches
 *
 * Return: the number of segments that needed and got cache maintenance.
 */
int mosaic_buf_sync_range(struct mosaic_buf *buf, u64 offset, u64 length,
			  enum dma_data_direction dir, bool for_device,
			  unsigned long *first_seg, unsigned long *nr_segs)
{
	pgoff_t pgoff = offset >> PAGE_SHIFT;
	u64 end = offset + length;
	struct mosaic_seg seg;
	unsigned long idx;
	int synced = 0;

	idx = mosaic_buf_find_seg(buf, pgoff, &seg);
	*first_seg = idx;
	*nr_segs = 0;
	for (;;) {
		u64 seg_start = (u64)seg.pgoff << PAGE_SHIFT;
		u64 seg_end = seg_start + ((u64)seg.nr_pages << PAGE_SHIFT);
		u64 from = max(offset, seg_start), to = min(end, seg_end);
		dma_addr_t dma = seg.dma + (from - seg_start);

		(*nr_segs)++;
		if (mosaic_buf_has_streaming_dma(buf) &&
		    seg.dma != DMA_MAPPING_ERROR && dma_need_sync(buf->dev, dma)) {
			if (for_device)
				dma_sync_single_for_device(buf->dev, dma,
							   to - from, dir);
			else
				dma_sync_single_for_cpu(buf->dev, dma,
							to - from, dir);
			synced++;
		}
		if (to >= end || ++idx >= mosaic_buf_nr_segs(buf))
			break;
		mosaic_buf_seg(buf, idx, &seg);
	}
	return synced;
}

/**
 * mosaic_buf_sync() - make a byte range coherent for the CPU or the device
 * @buf: the buffer
 * @offset: first byte of the range
 * @length: bytes in the range
 * @dir: %DMA_FROM_DEVICE when the CPU reads what the device wrote,
 *	%DMA_TO_DEVICE when the device reads what the CPU wrote,
 *	%DMA_BIDIRECTIONAL for both
 * @for_device: false before the CPU accesses the range, true after
 *
 * Syncs only the segments the range touches, and only the part of each
 * that lies inside the range. Costs nothing for coherent memory or when
 * the DMA layer reports that no sync is needed.
 *
 * Return: 0, or -EINVAL for a range outside the buffer or a bad @dir.
 */
int mosaic_buf_sync(struct mosaic_buf *buf, u64 offset, u64 length,
		    enum dma_data_direction dir, bool for_device)
{
	unsigned long first, nr;
	int ret;

	if (!valid_dma_direction(dir))
		return -EINVAL;
	ret = mosaic_buf_check_range(buf, offset, length);
	if (ret)
		return ret;
	mosaic_buf_sync_range(buf, offset, length, dir, for_device, &first,
			      &nr);
	return 0;
}
EXPORT_SYMBOL_GPL(mosaic_buf_sync);

/**
 * mosaic_buf_dma_range() - device address of a byte and how far it runs
 * @buf: the buffer
 * @offset: byte offset inside the buffer
 * @dma: out: device address of that byte
 * @len: out: bytes from @offset that are contiguous in device space
 *
 * A driver programs its DMA engine with one (@dma, @len) pair at a time,
 * advancing @offset by @len. Adjacent segments that are contiguous for
 * the device (for example behind an IOMMU) come back as one run.
 *
 * Return: 0, -EINVAL past the end, or -ENODEV if @buf has no DMA mapping.
 */
int mosaic_buf_dma_range(const struct mosaic_buf *buf, u64 offset,
			 dma_addr_t *dma, size_t *len)
{
	unsigned long idx, nr = mosaic_buf_nr_segs(buf);
	struct mosaic_seg seg, next;
	u64 run;

	if (offset >= buf->size)
		return -EINVAL;
	idx = mosaic_buf_find_seg(buf, offset >> PAGE_SHIFT, &seg);
	if (seg.dma == DMA_MAPPING_ERROR)
		return -ENODEV;
	*dma = seg.dma + (offset - ((u64)seg.pgoff << PAGE_SHIFT));
	run = ((u64)(seg.pgoff + seg.nr_pages) << PAGE_SHIFT) - offset;
	for (idx++; idx < nr; idx++) {
		mosaic_buf_seg(buf, idx, &next);
		if (next.dma != seg.dma + ((u64)seg.nr_pages << PAGE_SHIFT))
			break;
		run += (u64)next.nr_pages << PAGE_SHIFT;
		seg = next;
	}
	*len = run;
	return 0;
}
EXPORT_SYMBOL_GPL(mosaic_buf_dma_range);

/**
 * mosaic_buf_kaddr_range() - kernel address of a byte and how far it runs
 * @buf: the buffer
 * @offset: byte offset inside the buffer
 * @kaddr: out: kernel address of that byte
 * @len: out: bytes from @offset to the end of its segment
 *
 * Return: 0, -EINVAL past the end, or -EOPNOTSUPP for device memory (the
 * mmio backend), which has no kernel address.
 */
int mosaic_buf_kaddr_range(const struct mosaic_buf *buf, u64 offset,
			   void **kaddr, size_t *len)
{
	struct mosaic_seg seg;
	u64 seg_start;

	if (offset >= buf->size)
		return -EINVAL;
	mosaic_buf_find_seg(buf, offset >> PAGE_SHIFT, &seg);
	if (!seg.kaddr)
		return -EOPNOTSUPP;
	seg_start = (u64)seg.pgoff << PAGE_SHIFT;
	*kaddr = seg.kaddr + (offset - seg_start);
	*len = seg_start + ((u64)seg.nr_pages << PAGE_SHIFT) - offset;
	return 0;
}
EXPORT_SYMBOL_GPL(mosaic_buf_kaddr_range);
