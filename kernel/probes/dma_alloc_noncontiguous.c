// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_DMA_ALLOC_NONCONTIGUOUS: the noncontiguous DMA API arrived in 5.15
 * ("dma-mapping: add a dma_alloc_noncontiguous API"), with
 * dma_vmap_noncontiguous() and dma_mmap_noncontiguous().  Without it the
 * noncontig backend reports EOPNOTSUPP.
 */
#include <linux/dma-mapping.h>

struct sg_table *mosaic_probe(struct device *dev, size_t size);

struct sg_table *mosaic_probe(struct device *dev, size_t size)
{
	struct sg_table *sgt;

	sgt = dma_alloc_noncontiguous(dev, size, DMA_BIDIRECTIONAL,
				      GFP_KERNEL, 0);
	if (sgt && !dma_vmap_noncontiguous(dev, size, sgt)) {
		dma_free_noncontiguous(dev, size, sgt, DMA_BIDIRECTIONAL);
		return NULL;
	}
	return sgt;
}
