// SPDX-License-Identifier: GPL-2.0
/*
 * Backend "coherent": several dma_alloc_coherent() chunks for one device,
 * mapped as one VMA.
 *
 * This is the case of the oldest driver question: N coherent chunks in one
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
 */
#include <linux/dma-mapping.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "../mosaic_internal.h"
#include "orders.h"

struct mosaic_coherent_chunk {
	void *vaddr;
	dma_addr_t dma;
	size_t size;
};

struct mosaic_coherent {
	unsigned long nr_chunks;
	struct mosaic_coherent_chunk chunk[];
};

static unsigned long mosaic_coherent_pfn(void *vaddr)
{
	if (is_vmalloc_addr(vaddr))
		return vmalloc_to_pfn(vaddr);
	return page_to_pfn(virt_to_page(vaddr));
}

/* One segment per physically contiguous run inside the chunk. */
static void mosaic_coherent_add_runs(struct mosaic_buf *buf,
				     struct mosaic_coherent_chunk *c)
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

static void mosaic_coherent_free(struct mosaic_buf *buf)
{
	struct mosaic_coherent *co = buf->priv;
	unsigned long i;

	for (i = 0; i < co->nr_chunks; i++) {
		struct mosaic_coherent_chunk *c = &co->chunk[i];

		dma_free_coherent(buf->dev, c->size, c->vaddr, c->dma);
		mosaic_ledger_add(buf, -(long)(c->size >> PAGE_SHIFT));
	}
	kvfree(co);
	buf->priv = NULL;
	kvfree(buf->segs);
	buf->segs = NULL;
}

static int mosaic_coherent_alloc(struct mosaic_buf *buf)
{
	unsigned long nr_chunks = mosaic_nr_chunks(buf->size, buf->chunk_size);
	struct mosaic_coherent *co;
	size_t left = buf->size;
	int ret;

	co = kvzalloc(struct_size(co, chunk, nr_chunks),
		      GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!co)
		return -ENOMEM;
	buf->priv = co;
	ret = mosaic_buf_reserve_segs(buf, buf->nr_pages);
	if (ret)
		goto err_free;

	while (left) {
		struct mosaic_coherent_chunk *c = &co->chunk[co->nr_chunks];

		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			goto err_free;
		}
		c->size = mosaic_chunk_len(left, buf->chunk_size);
		/* dma_alloc_coherent() returns zeroed memory. */
		c->vaddr = dma_alloc_coherent(buf->dev, c->size, &c->dma,
					      GFP_KERNEL | __GFP_NOWARN);
		if (!c->vaddr) {
			ret = -ENOMEM;
			goto err_free;
		}
		co->nr_chunks++;
		mosaic_ledger_add(buf, c->size >> PAGE_SHIFT);
		if (!is_vmalloc_addr(c->vaddr) && !virt_addr_valid(c->vaddr)) {
			/* Device-local memory we cannot name by PFN. */
			ret = -EOPNOTSUPP;
			goto err_free;
		}
		mosaic_coherent_add_runs(buf, c);
		/* One allocation, one range of device addresses. */
		ret = mosaic_buf_add_dev_range(buf, c->dma, c->size);
		if (ret)
			goto err_free;
		left -= c->size;
		cond_resched();
	}
	return 0;

err_free:
	mosaic_coherent_free(buf);
	return ret;
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
