// SPDX-License-Identifier: GPL-2.0
/*
 * Backend "coherent": several dma_alloc_coherent() chunks for one device,
 * mapped as one VMA.
 *
 * The classic case of a driver that wants N coherent chunks in one
 * linear user range. The chunks' pages belong to the DMA layer. Without
 * an IOMMU a chunk is one high-order block that is not compound, so its
 * tail pages have refcount 0 and must never be mapped as pages; with an
 * IOMMU a chunk may be scattered pages stitched together in vmalloc space.
 * Either way the segment table records each physically contiguous run of
 * each chunk by PFN, and only the PFN strategies map it: one VMA, each run
 * inserted at its own offset, with no per-chunk sub-VMA to get wrong.
 *
 * Every chunk is a power of two (mosaic_chunk_len()): the DMA layer
 * without an IOMMU rounds a chunk up to one, and the buffer is charged
 * for its size, so any other chunk would pin more than it is charged.
 * The chunking itself is chunks.c's, shared with noncontig.
 */
#include <linux/dma-mapping.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/vmalloc.h>

#include "../mosaic_internal.h"
#include "chunks.h"

static unsigned long mosaic_coherent_pfn(void *vaddr)
{
	if (is_vmalloc_addr(vaddr))
		return vmalloc_to_pfn(vaddr);
	return page_to_pfn(virt_to_page(vaddr));
}

/* One segment per physically contiguous run inside the chunk. */
static void mosaic_coherent_add_runs(struct mosaic_buf *buf,
				     struct mosaic_chunk *c)
{
	size_t off = 0;

	while (off < c->size) {
		unsigned long pfn = mosaic_coherent_pfn(c->vaddr + off);
		size_t run = PAGE_SIZE;

		while (off + run < c->size &&
		       mosaic_coherent_pfn(c->vaddr + off + run) ==
		       pfn + (run >> PAGE_SHIFT))
			run += PAGE_SIZE;
		mosaic_buf_add_seg(buf, pfn, run >> PAGE_SHIFT,
				   ilog2(run >> PAGE_SHIFT), c->vaddr + off);
		off += run;
	}
}

static int mosaic_coherent_alloc_chunk(struct mosaic_buf *buf,
				       struct mosaic_chunk *c)
{
	/* dma_alloc_coherent() returns zeroed memory. */
	c->vaddr = dma_alloc_coherent(buf->dev, c->size, &c->dma,
				      GFP_KERNEL | __GFP_NOWARN);
	return c->vaddr ? 0 : -ENOMEM;
}

static int mosaic_coherent_describe(struct mosaic_buf *buf,
				    struct mosaic_chunk *c)
{
	/* Device-local memory we cannot name by PFN. */
	if (!is_vmalloc_addr(c->vaddr) && !virt_addr_valid(c->vaddr))
		return -EOPNOTSUPP;
	mosaic_coherent_add_runs(buf, c);
	/* One allocation, one range of device addresses. */
	return mosaic_buf_add_dev_range(buf, c->dma, c->size);
}

static void mosaic_coherent_free_chunk(struct mosaic_buf *buf,
				       struct mosaic_chunk *c)
{
	dma_free_coherent(buf->dev, c->size, c->vaddr, c->dma);
}

static const struct mosaic_chunk_ops mosaic_coherent_chunk_ops = {
	.alloc = mosaic_coherent_alloc_chunk,
	.describe = mosaic_coherent_describe,
	.free = mosaic_coherent_free_chunk,
};

static int mosaic_coherent_alloc(struct mosaic_buf *buf)
{
	return mosaic_chunks_alloc(buf, &mosaic_coherent_chunk_ops);
}

static void mosaic_coherent_free(struct mosaic_buf *buf)
{
	mosaic_chunks_free(buf, &mosaic_coherent_chunk_ops);
}

const struct mosaic_backend_ops mosaic_backend_coherent = {
	.name = "coherent",
	.needs_device = true,
	.maps_for_device = true,
	.coherent = true,
	.page_backed = false,
	.default_strategy = MOSAIC_STRATEGY_REMAP_PFN,
	.alloc = mosaic_coherent_alloc,
	.free = mosaic_coherent_free,
};
