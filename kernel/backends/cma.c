// SPDX-License-Identifier: GPL-2.0
/*
 * Backend "cma": one physically contiguous block from the CMA area.
 *
 * Modules cannot call cma_alloc() on every kernel we support, so the block
 * comes from dma_alloc_pages(), which asks CMA first for anything larger
 * than a page. CMA hands out a range of order-0 pages that each hold a
 * reference; the page allocator fallback hands out one non-compound block
 * whose tail pages hold none. A block that did not come from CMA is given
 * back and the allocation fails with ENOMEM (the CMA area is too small or
 * fragmented): it would not be the contiguous CMA memory asked for.
 *
 * Only the PFN strategies map it. Pages in a CMA area may never be pinned
 * long-term (io_uring fixed buffers, RDMA, vfio): the kernel first tries
 * to migrate them out of CMA, and pages that are not on an LRU list cannot
 * migrate, so on 6.1 FOLL_LONGTERM retries forever (until a fatal signal).
 * A VM_PFNMAP mapping makes every get_user_pages() fail at once instead.
 */
#include <linux/dma-mapping.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "../mosaic_internal.h"

struct mosaic_cma {
	struct page *page;
	dma_addr_t dma;
};

static void mosaic_cma_free(struct mosaic_buf *buf)
{
	struct mosaic_cma *cma = buf->priv;

	dma_free_pages(buf->dev, buf->size, cma->page, cma->dma,
		       DMA_BIDIRECTIONAL);
	mosaic_ledger_add(buf, -(long)buf->nr_pages);
	kfree(cma);
	buf->priv = NULL;
	kvfree(buf->pages);
	buf->pages = NULL;
	kvfree(buf->segs);
	buf->segs = NULL;
}

static int mosaic_cma_alloc(struct mosaic_buf *buf)
{
	struct mosaic_cma *cma;
	unsigned long i;
	int ret;

	if (!IS_ENABLED(CONFIG_DMA_CMA))
		return -EOPNOTSUPP;
	/* dma_alloc_contiguous() never uses CMA for a single page. */
	if (buf->nr_pages < 2)
		return -EINVAL;

	cma = kzalloc(sizeof(*cma), GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!cma)
		return -ENOMEM;
	buf->pages = kvcalloc(buf->nr_pages, sizeof(*buf->pages),
			      GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!buf->pages) {
		ret = -ENOMEM;
		goto err_free_cma;
	}
	ret = mosaic_buf_reserve_segs(buf, 1);
	if (ret)
		goto err_free_pages;

	cma->page = dma_alloc_pages(buf->dev, buf->size, &cma->dma,
				    DMA_BIDIRECTIONAL,
				    GFP_KERNEL | __GFP_NOWARN);
	if (!cma->page) {
		ret = -ENOMEM;
		goto err_free_segs;
	}
	/*
	 * dma_alloc_pages() records its handle with DMA-API debugging as an
	 * unchecked streaming mapping, and dma_free_pages() then reports
	 * "failed to check map error". The handle is valid (the page is
	 * not NULL); asking marks it checked.
	 */
	dma_mapping_error(buf->dev, cma->dma);
	buf->priv = cma;
	mosaic_ledger_add(buf, buf->nr_pages);
	for (i = 0; i < buf->nr_pages; i++) {
		buf->pages[i] = cma->page + i;
		if (page_count(buf->pages[i]) != 1) {
			ret = -ENOMEM;
			goto err_free_all;
		}
	}
	mosaic_buf_add_seg(buf, page_to_pfn(cma->page), buf->nr_pages,
			   ilog2(buf->nr_pages), page_address(cma->page));
	ret = mosaic_buf_add_dev_range(buf, cma->dma, buf->size);
	if (ret)
		goto err_free_all;
	return 0;

err_free_all:
	mosaic_cma_free(buf);
	return ret;
err_free_segs:
	kvfree(buf->segs);
	buf->segs = NULL;
err_free_pages:
	kvfree(buf->pages);
	buf->pages = NULL;
err_free_cma:
	kfree(cma);
	return ret;
}

const struct mosaic_backend_ops mosaic_backend_cma = {
	.name = "cma",
	.needs_device = true,
	.maps_for_device = true,
	.page_backed = false,
	.default_strategy = MOSAIC_STRATEGY_REMAP_PFN,
	.alloc = mosaic_cma_alloc,
	.free = mosaic_cma_free,
};
