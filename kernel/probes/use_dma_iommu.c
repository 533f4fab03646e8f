// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_USE_DMA_IOMMU: since 6.12 ("dma-mapping: direct calls for
 * dma-iommu") the DMA layer calls dma-iommu directly for a device that
 * use_dma_iommu() (<linux/iommu-dma.h>) names, and that device has no
 * dma_map_ops; before, dma-iommu was the device's get_dma_ops().
 */
#include <linux/device.h>
#include <linux/iommu-dma.h>

bool mosaic_probe(struct device *dev);

bool mosaic_probe(struct device *dev)
{
	return use_dma_iommu(dev);
}
