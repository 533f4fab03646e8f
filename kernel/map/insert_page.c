// SPDX-License-Identifier: GPL-2.0
/*
 * Strategy "insert-page": one vm_insert_page() per page at mmap time.
 *
 * The textbook method, kept as the reference and the benchmark baseline.
 * vm_insert_page() takes the page reference and the mapcount itself, and
 * the zap at munmap gives both back, so the driver must not add a
 * get_page() of its own: that extra reference leaks every page it maps.
 */
#include <linux/mm.h>
#include <linux/sched/signal.h>

#include "../mosaic_internal.h"

static int mosaic_insert_page_mmap(struct mosaic_buf *buf,
				   struct vm_area_struct *vma)
{
	unsigned long i, npages = vma_pages(vma);
	int ret;

	for (i = 0; i < npages; i++) {
		ret = vm_insert_page(vma, vma->vm_start + (i << PAGE_SHIFT),
				     buf->pages[vma->vm_pgoff + i]);
		if (ret)
			return ret;
		if (!((i + 1) % PTRS_PER_PTE)) {
			/* The core zaps what we inserted when ->mmap fails. */
			if (fatal_signal_pending(current))
				return -EINTR;
			cond_resched();
		}
	}
	return 0;
}

const struct mosaic_map_ops mosaic_map_insert_page = {
	.name = "insert-page",
	.needs_pages = true,
	.mmap = mosaic_insert_page_mmap,
	.fault = mosaic_fault_page,
};
