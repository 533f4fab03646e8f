// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_IOSYS_MAP: dma_buf_ops.vmap fills a struct iosys_map since 5.18
 * ("dma-buf-map: Rename to iosys-map"); see dma_buf_map.c for 5.11-5.17.
 */
#include <linux/dma-buf.h>
#include <linux/iosys-map.h>

static int mosaic_probe_vmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	return 0;
}

void mosaic_probe(struct dma_buf_ops *ops);

void mosaic_probe(struct dma_buf_ops *ops)
{
	ops->vmap = mosaic_probe_vmap;
}
