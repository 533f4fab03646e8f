// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_DMA_BUF_MAP_ATTACHMENT_UNLOCKED: importers that do not hold the
 * reservation lock call the _unlocked variants since 6.2 ("dma-buf: Add
 * unlocked variant of attachment-mapping functions"); Debian's 6.1 has
 * them too, backported.
 */
#include <linux/dma-buf.h>

struct sg_table *mosaic_probe(struct dma_buf_attachment *attach);

struct sg_table *mosaic_probe(struct dma_buf_attachment *attach)
{
	struct sg_table *sgt;

	sgt = dma_buf_map_attachment_unlocked(attach, DMA_BIDIRECTIONAL);
	if (!IS_ERR(sgt))
		dma_buf_unmap_attachment_unlocked(attach, sgt, DMA_BIDIRECTIONAL);
	return sgt;
}
