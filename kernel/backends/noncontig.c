// SPDX-License-Identifier: GPL-2.0
/*
 * Backend "noncontig": dma_alloc_noncontiguous().
 *
 * The DMA layer picks the memory: one high-order block that is not
 * compound when the device is not behind an IOMMU, scattered pages when
 * it is. The pages are the DMA layer's, so only the PFN strategies map
 * them. Each CPU scatterlist entry is physically contiguous and becomes
 * one segment.
 */
#include <linux/dma-mapping.h>
#include <linux/scatterlist.h>
#include <linux/string.h>

#include "../mosaic_internal.h"

static void mosaic_noncontig_free(struct mosaic_buf *buf)
{
	dma_free_noncontiguous(buf->dev, buf->size, buf->priv,
			       DMA_BIDIRECTIONAL);
	buf->priv = NULL;
	mosaic_ledger_add(-(long)buf->nr_pages);
	kvfree(buf->segs);
	buf->segs = NULL;
}

static int mosaic_noncontig_alloc(struct mosaic_buf *buf)
{
	struct scatterlist *sg;
	struct sg_table *sgt;
	unsigned int i;
	int ret;

	sgt = dma_alloc_noncontiguous(buf->dev, buf->size, DMA_BIDIRECTIONAL,
				      GFP_KERNEL | __GFP_NOWARN, 0);
	if (!sgt)
		return -ENOMEM;
	buf->priv = sgt;
	mosaic_ledger_add(buf->nr_pages);

	ret = mosaic_buf_reserve_segs(buf, sgt->orig_nents);
	if (ret)
		goto err_free;
	for_each_sgtable_sg(sgt, sg, i) {
		void *kaddr = page_address(sg_page(sg)) + sg->offset;

		/* Not every path of the DMA layer zeroes; user space must
		 * never see what the pages held before.
		 */
		memset(kaddr, 0, sg->length);
		mosaic_buf_add_seg(buf, page_to_pfn(sg_page(sg)),
				   sg->length >> PAGE_SHIFT,
				   ilog2(sg->length >> PAGE_SHIFT), kaddr,
				   DMA_MAPPING_ERROR);
	}
	ret = mosaic_buf_set_dma_from_sgt(buf, sgt);
	if (WARN_ON_ONCE(ret || buf->filled != buf->nr_pages)) {
		ret = -EINVAL;
		goto err_free;
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
