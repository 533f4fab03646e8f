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
#include "../mosaic_internal.h"

/* The core maps page-backed buffers that have a device. */
static int mosaic_streaming_alloc(struct mosaic_buf *buf)
{
	return mosaic_alloc_highorder(buf, false);
}

static void mosaic_streaming_free(struct mosaic_buf *buf)
{
	mosaic_free_highorder(buf, false);
}

const struct mosaic_backend_ops mosaic_backend_streaming = {
	.name = "streaming",
	.needs_device = true,
	.page_backed = true,
	.default_strategy = MOSAIC_STRATEGY_INSERT_PAGES,
	.alloc = mosaic_streaming_alloc,
	.free = mosaic_streaming_free,
};
