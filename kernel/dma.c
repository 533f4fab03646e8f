// SPDX-License-Identifier: GPL-2.0
/*
 * The device side of a buffer for its users: ranged syncs (SYNC,
 * DMA_BUF_IOCTL_SYNC, mosaic_buf_sync()) and the address lookups drivers
 * program their engines from.
 *
 * Syncs and address lookups go by the device ranges (dev_ranges.c), what
 * the device really sees, never by the segments alone. The mapping that
 * made them is dma_map.c's.
 */
#include <linux/dma-mapping.h>
#include <linux/mosaic.h>

#include "compat.h"
#include "mosaic_internal.h"
#include "planted.h"

/* Whether @buf has a streaming mapping whose caches may need syncing. */
static bool mosaic_buf_has_streaming_dma(const struct mosaic_buf *buf)
{
	return buf->dev && !buf->backend->coherent &&
	       (buf->sgt || buf->backend->maps_for_device);
}

/*
 * Sync [@pos, @end), which lies inside one segment, one device range at a
 * time: each sync stays inside the piece the DMA layer mapped as one (a
 * swiotlb slot copies only its own bytes). Returns whether any of them
 * needed cache maintenance.
 */
static bool mosaic_buf_sync_piece(struct mosaic_buf *buf, u64 pos, u64 end,
				  enum dma_data_direction dir, bool for_device)
{
	unsigned long idx = mosaic_buf_find_dev_range(buf, pos);
	bool synced = false;

	while (pos < end) {
		const struct mosaic_dev_range *r = &buf->dev_ranges[idx++];
		u64 len = min(end, r->offset + r->length) - pos;
		dma_addr_t dma = r->dma + (pos - r->offset);

		if (dma_need_sync(buf->dev, dma)) {
			if (for_device)
				dma_sync_single_for_device(buf->dev, dma, len,
							   dir);
			else
				dma_sync_single_for_cpu(buf->dev, dma, len,
							dir);
			synced = true;
		}
		pos += len;
	}
	return synced;
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
	bool streaming = mosaic_buf_has_streaming_dma(buf) &&
			 mosaic_buf_has_dev_ranges(buf);
	struct mosaic_piece p;
	int synced = 0;
	u64 pos;

	if (mosaic_planted("sync_swap"))
		for_device = !for_device;
	if (mosaic_planted("sync_skip_end") && for_device)
		streaming = false;
	*nr_segs = 0;
	for (pos = offset; mosaic_buf_piece(buf, pos, offset + length, &p);
	     pos += p.length) {
		if (!(*nr_segs)++)
			*first_seg = p.idx;
		if (streaming &&
		    mosaic_buf_sync_piece(buf, pos, pos + p.length, dir,
					  for_device))
			synced++;
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
 * Return: 0, or -EINVAL for a range outside the buffer or a bad @dir,
 * -ENODEV once the buffer's device went away.
 */
int mosaic_buf_sync(struct mosaic_buf *buf, u64 offset, u64 length,
		    enum dma_data_direction dir, bool for_device)
{
	unsigned long first, nr;
	int idx, ret = 0;

	/* An empty range is refused, as %MOSAIC_IOC_SYNC refuses it. */
	if (!valid_dma_direction(dir) || !length ||
	    !mosaic_range_inside(offset, length, buf->size))
		return -EINVAL;
	idx = srcu_read_lock(&mosaic_revoke_srcu);
	if (READ_ONCE(buf->revoked))
		ret = -ENODEV;
	else
		mosaic_buf_sync_range(buf, offset, length, dir, for_device,
				      &first, &nr);
	srcu_read_unlock(&mosaic_revoke_srcu, idx);
	return ret;
}
EXPORT_SYMBOL_MOSAIC(mosaic_buf_sync);

/**
 * mosaic_buf_dma_range() - device address of a byte and how far it runs
 * @buf: the buffer
 * @offset: byte offset inside the buffer
 * @dma: out: device address of that byte
 * @len: out: bytes from @offset that are contiguous for the device
 *
 * A driver programs its DMA engine with one (@dma, @len) pair at a time,
 * advancing @offset by @len. @len never runs past the piece the DMA layer
 * mapped as one: a scatterlist entry (at most the device's segment limit,
 * dma_get_max_seg_size()), a swiotlb bounce slot, a range an IOMMU merged,
 * a coherent or noncontig chunk. Two pieces are never reported as one,
 * even where their addresses happen to meet.
 *
 * Return: 0, -EINVAL past the end, or -ENODEV if @buf has no DMA mapping
 * (none was made, or its device went away).
 */
int mosaic_buf_dma_range(const struct mosaic_buf *buf, u64 offset,
			 dma_addr_t *dma, size_t *len)
{
	const struct mosaic_dev_range *r;
	int idx, ret = 0;

	if (offset >= buf->size)
		return -EINVAL;
	idx = srcu_read_lock(&mosaic_revoke_srcu);
	if (READ_ONCE(buf->revoked) || !mosaic_buf_has_dev_ranges(buf)) {
		ret = -ENODEV;
	} else {
		r = &buf->dev_ranges[mosaic_buf_find_dev_range(buf, offset)];
		*dma = r->dma + (offset - r->offset);
		*len = r->offset + r->length - offset;
	}
	srcu_read_unlock(&mosaic_revoke_srcu, idx);
	return ret;
}
EXPORT_SYMBOL_MOSAIC(mosaic_buf_dma_range);

/**
 * mosaic_buf_kaddr_range() - kernel address of a byte and how far it runs
 * @buf: the buffer
 * @offset: byte offset inside the buffer
 * @kaddr: out: kernel address of that byte
 * @len: out: bytes from @offset to the end of its segment
 *
 * Return: 0, -EINVAL past the end, -EOPNOTSUPP for device memory (the
 * mmio backend), which has no kernel address, or -ENODEV for memory that
 * went with its device.
 */
int mosaic_buf_kaddr_range(const struct mosaic_buf *buf, u64 offset,
			   void **kaddr, size_t *len)
{
	struct mosaic_seg seg;
	u64 seg_start;
	int idx, ret = 0;

	if (offset >= buf->size)
		return -EINVAL;
	idx = srcu_read_lock(&mosaic_revoke_srcu);
	if (mosaic_buf_gone(buf)) {
		ret = -ENODEV;
		goto out;
	}
	mosaic_buf_find_seg(buf, offset >> PAGE_SHIFT, &seg);
	if (!seg.kaddr) {
		ret = -EOPNOTSUPP;
		goto out;
	}
	seg_start = (u64)seg.pgoff << PAGE_SHIFT;
	*kaddr = seg.kaddr + (offset - seg_start);
	*len = seg_start + ((u64)seg.nr_pages << PAGE_SHIFT) - offset;
out:
	srcu_read_unlock(&mosaic_revoke_srcu, idx);
	return ret;
}
EXPORT_SYMBOL_MOSAIC(mosaic_buf_kaddr_range);
