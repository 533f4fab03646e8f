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
 * entry is physically contiguous and becomes one segment.
 */
#include <linux/dma-mapping.h>
#include <linux/log2.h>
#include <linux/scatterlist.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "../compat.h"
#include "../mosaic_internal.h"
#include "orders.h"

struct mosaic_noncontig_chunk {
	struct sg_table *sgt;
	size_t size;
};

struct mosaic_noncontig {
	unsigned long nr_chunks;
	struct mosaic_noncontig_chunk chunk[];
};

static void mosaic_noncontig_free(struct mosaic_buf *buf)
{
	struct mosaic_noncontig *nc = buf->priv;
	unsigned long i;

	for (i = 0; i < nc->nr_chunks; i++) {
		mosaic_dma_free_noncontiguous(buf->dev, nc->chunk[i].size,
					      nc->chunk[i].sgt,
					      DMA_BIDIRECTIONAL);
		mosaic_ledger_add(buf,
				  -(long)(nc->chunk[i].size >> PAGE_SHIFT));
	}
	kvfree(nc);
	buf->priv = NULL;
	kvfree(buf->segs);
	buf->segs = NULL;
}

/*
 * One segment per CPU scatterlist entry, zeroed on the way, and one
 * device range per DMA entry.
 */
static int mosaic_noncontig_add_chunk(struct mosaic_buf *buf,
				      struct sg_table *sgt)
{
	struct scatterlist *sg;
	unsigned int i;

	for_each_sgtable_sg(sgt, sg, i) {
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
	return mosaic_buf_add_dev_ranges_sgt(buf, sgt);
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

static int mosaic_noncontig_alloc(struct mosaic_buf *buf)
{
	unsigned long nr_chunks;
	struct mosaic_noncontig *nc;
	size_t left = buf->size;
	int ret;

	/* Before 5.15 the kernel has no noncontiguous DMA API (compat.h). */
	if (!MOSAIC_HAVE_DMA_NONCONTIGUOUS)
		return -EOPNOTSUPP;
	buf->chunk_size = min(buf->chunk_size,
			      mosaic_noncontig_max_chunk(buf->dev));
	nr_chunks = mosaic_nr_chunks(buf->size, buf->chunk_size);
	nc = kvzalloc(struct_size(nc, chunk, nr_chunks),
		      GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!nc)
		return -ENOMEM;
	buf->priv = nc;
	ret = mosaic_buf_reserve_segs(buf, buf->nr_pages);
	if (ret)
		goto err_free;

	while (left) {
		struct mosaic_noncontig_chunk *c = &nc->chunk[nc->nr_chunks];

		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			goto err_free;
		}
		c->size = mosaic_chunk_len(left, buf->chunk_size);
		c->sgt = mosaic_dma_alloc_noncontiguous(buf->dev, c->size,
							DMA_BIDIRECTIONAL,
							GFP_KERNEL | __GFP_NOWARN);
		if (!c->sgt) {
			ret = -ENOMEM;
			goto err_free;
		}
		nc->nr_chunks++;
		mosaic_ledger_add(buf, c->size >> PAGE_SHIFT);
		ret = mosaic_noncontig_add_chunk(buf, c->sgt);
		if (ret)
			goto err_free;
		left -= c->size;
		cond_resched();
	}
	return 0;

err_free:
	mosaic_noncontig_free(buf);
	return ret;
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
