// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_DMA_BUF_MAP: dma_buf_ops.vmap filled a struct dma_buf_map from
 * 5.11 ("dma-buf: Use struct dma_buf_map in dma_buf_vmap() interfaces")
 * until its rename to iosys_map in 5.18.  5.10 has neither: its vmap
 * returns the address.
 */
#include <linux/dma-buf.h>

static int mosaic_probe_vmap(struct dma_buf *dmabuf, struct dma_buf_map *map)
{
	return 0;
}

void mosaic_probe(struct dma_buf_ops *ops);

void mosaic_probe(struct dma_buf_ops *ops)
{
	ops->vmap = mosaic_probe_vmap;
}
