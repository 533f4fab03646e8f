// SPDX-License-Identifier: GPL-2.0
/*
 * Backend "streaming": ordinary pages (order 0, or compound blocks up to
 * max_order) mapped for a device with dma_map_sgtable().
 *
 * The pages stay normal refcounted memory, so every strategy can map them,
 * and the device sees them through whatever the DMA layer set up (an
 * IOMMU, swiotlb or nothing). The CPU and device views are kept coherent
 * by explicit syncs, not by the allocation.
 */
#include <linux/dma-mapping.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include "../mosaic_internal.h"

static void mosaic_streaming_free(struct mosaic_buf *buf)
{
	struct sg_table *sgt = buf->priv;

	dma_unmap_sgtable(buf->dev, sgt, DMA_BIDIRECTIONAL, 0);
	sg_free_table(sgt);
	kfree(sgt);
	buf->priv = NULL;
	mosaic_free_highorder(buf, false);
}

static int mosaic_streaming_alloc(struct mosaic_buf *buf)
{
	struct scatterlist *sg;
	struct sg_table *sgt;
	unsigned long i;
	int ret;

	ret = mosaic_alloc_highorder(buf, false);
	if (ret)
		return ret;

	sgt = kzalloc(sizeof(*sgt), GFP_KERNEL);
	if (!sgt) {
		ret = -ENOMEM;
		goto err_free_pages;
	}
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
	buf->priv = sgt;
	return 0;

err_unmap:
	dma_unmap_sgtable(buf->dev, sgt, DMA_BIDIRECTIONAL, 0);
err_free_table:
	sg_free_table(sgt);
err_free_sgt:
	kfree(sgt);
err_free_pages:
	mosaic_free_highorder(buf, false);
	return ret;
}

const struct mosaic_backend_ops mosaic_backend_streaming = {
	.name = "streaming",
	.needs_device = true,
	.page_backed = true,
	.default_strategy = MOSAIC_STRATEGY_INSERT_PAGES,
	.alloc = mosaic_streaming_alloc,
	.free = mosaic_streaming_free,
};
