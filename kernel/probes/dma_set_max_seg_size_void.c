// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_DMA_SET_MAX_SEG_SIZE_VOID: dma_set_max_seg_size() returns nothing
 * since 6.12 ("dma-mapping: don't return errors from
 * dma_set_max_seg_size"); before, an int.
 */
#include <linux/dma-mapping.h>

void mosaic_probe(struct device *dev);

void mosaic_probe(struct device *dev)
{
	void (*set)(struct device *dev, unsigned int size) =
		dma_set_max_seg_size;

	set(dev, UINT_MAX);
}
