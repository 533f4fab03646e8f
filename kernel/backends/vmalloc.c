// SPDX-License-Identifier: GPL-2.0
/*
 * Backend "vmalloc": zeroed vmalloc memory.
 *
 * vmalloc memory is order-0 pages, each with its own reference, stitched
 * into a linear kernel range. The page array is the segment table; the
 * pages are mapped one by one like any page-backed buffer's, so the area
 * needs no VM_USERMAP (vmalloc_user()'s only addition, for
 * remap_vmalloc_range()).
 *
 * __GFP_NOWARN: a buffer too big for the machine is the caller's ENOMEM,
 * not a kernel problem; without it vmalloc logs "vmalloc error" with a
 * stack trace for every failed request. The pages are charged to the
 * caller's memory cgroup (kernel/limits.c).
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "../compat.h"
#include "../mosaic_internal.h"

static void mosaic_vmalloc_free(struct mosaic_buf *buf)
{
	vfree(buf->priv);
	buf->priv = NULL;
	kvfree(buf->pages);
	buf->pages = NULL;
	mosaic_ledger_add(buf, -(long)buf->nr_pages);
}

static int mosaic_vmalloc_alloc(struct mosaic_buf *buf)
{
	unsigned long i;
	void *vaddr;

	buf->pages = kvcalloc(buf->nr_pages, sizeof(*buf->pages),
			      GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!buf->pages)
		return -ENOMEM;
	vaddr = __vmalloc(buf->size, GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN |
			  MOSAIC_GFP_ACCOUNT_PAGES);
	if (!vaddr) {
		kvfree(buf->pages);
		buf->pages = NULL;
		return -ENOMEM;
	}
	buf->priv = vaddr;
	mosaic_ledger_add(buf, buf->nr_pages);
	for (i = 0; i < buf->nr_pages; i++)
		buf->pages[i] = vmalloc_to_page(vaddr + (i << PAGE_SHIFT));
	buf->filled = buf->nr_pages;
	return 0;
}

const struct mosaic_backend_ops mosaic_backend_vmalloc = {
	.name = "vmalloc",
	.page_backed = true,
	.default_strategy = MOSAIC_STRATEGY_INSERT_PAGES,
	.alloc = mosaic_vmalloc_alloc,
	.free = mosaic_vmalloc_free,
};
