// SPDX-License-Identifier: GPL-2.0
/*
 * Backend "noncontig": dma_alloc_noncontiguous(), in chunks.
 *
 * The DMA layer picks the memory: scattered pages behind an IOMMU, but one
 * physically contiguous, non-compound block without one, which caps a
 * single call at the page allocator's largest order. So the buffer is a
 * series of chunks of &mosaic_buf.chunk_size bytes (default: that largest
 * order), each its own dma_alloc_noncontiguous() call, and the remainder
 * in power-of-two chunks, which the DMA layer does not round up
 * (mosaic_chunk_len()). The pages are the
 * DMA layer's, so only the PFN strategies map them. Each CPU scatterlist
 * entry is physically contiguous and becomes one segment. The chunking
 * itself is chunks.c's, shared with coherent.
 */
#include <linux/dma-mapping.h>
#include <linux/log2.h>
#include <linux/scatterlist.h>
#include <linux/string.h>

#include "../compat.h"
#include "../mosaic_internal.h"
#include "chunks.h"

/*
 * One segment per CPU scatterlist entry, zeroed on the way, and one
 * device range per DMA entry.
 */
static int mosaic_noncontig_describe(struct mosaic_buf *buf,
				     struct mosaic_chunk *c)
{
	struct scatterlist *sg;
	unsigned int i;

	for_each_sgtable_sg(c->sgt, sg, i) {
		void *kaddr = page_address(sg_page(sg)) + sg->offset;

		/*
		 * Not every path of the DMA layer zeroes; user space must
		 * never see what the pages held before.
		 */
		memset(kaddr, 0, sg->length);
		mosaic_buf_add_seg(buf, page_to_pfn(sg_page(sg)),
				   sg->length >> PAGE_SHIFT,
				   ilog2(sg->length >> PAGE_SHIFT), kaddr);
	}
	return mosaic_buf_add_dev_ranges_sgt(buf, c->sgt);
}

/*
 * The longest chunk @dev takes. The DMA layer gives the device each chunk
 * as one segment (behind an IOMMU one IOVA range, merged past the
 * device's limit), so a device with short segments (64 KiB for a PCI
 * device whose driver does not raise it, or that no driver owns) gets
 * chunks no longer than its limit.
 */
static size_t mosaic_noncontig_max_chunk(struct device *dev)
{
	unsigned int max_seg = dma_get_max_seg_size(dev);

	return rounddown_pow_of_two(max_t(unsigned int, max_seg, PAGE_SIZE));
}

static int mosaic_noncontig_alloc_chunk(struct mosaic_buf *buf,
					struct mosaic_chunk *c)
{
	c->sgt = mosaic_dma_alloc_noncontiguous(buf->dev, c->size,
						DMA_BIDIRECTIONAL,
						GFP_KERNEL | __GFP_NOWARN);
	return c->sgt ? 0 : -ENOMEM;
}

static void mosaic_noncontig_free_chunk(struct mosaic_buf *buf,
					struct mosaic_chunk *c)
{
	mosaic_dma_free_noncontiguous(buf->dev, c->size, c->sgt,
				      DMA_BIDIRECTIONAL);
}

static const struct mosaic_chunk_ops mosaic_noncontig_chunk_ops = {
	.alloc = mosaic_noncontig_alloc_chunk,
	.describe = mosaic_noncontig_describe,
	.free = mosaic_noncontig_free_chunk,
};

static int mosaic_noncontig_alloc(struct mosaic_buf *buf)
{
	/* Before 5.15 the kernel has no noncontiguous DMA API (compat.h). */
	if (!MOSAIC_HAVE_DMA_NONCONTIGUOUS)
		return -EOPNOTSUPP;
	buf->chunk_size = min(buf->chunk_size,
			      mosaic_noncontig_max_chunk(buf->dev));
	return mosaic_chunks_alloc(buf, &mosaic_noncontig_chunk_ops);
}

static void mosaic_noncontig_free(struct mosaic_buf *buf)
{
	mosaic_chunks_free(buf, &mosaic_noncontig_chunk_ops);
}

const struct mosaic_backend_ops mosaic_backend_noncontig = {
	.name = "noncontig",
	.needs_device = true,
	.maps_for_device = true,
	.page_backed = false,
	.default_strategy = MOSAIC_STRATEGY_REMAP_PFN,
	.alloc = mosaic_noncontig_alloc,
	.free = mosaic_noncontig_free,
};
