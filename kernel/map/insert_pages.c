// SPDX-License-Identifier: GPL-2.0
/*
 * Strategy "insert-pages": vm_insert_pages() at mmap time.
 *
 * Same result as insert-page, but the PTE lock is taken once per page
 * table instead of once per page. Each inserted PTE takes one page
 * reference and one mapcount; zapping it gives both back.
 */
#include <linux/mm.h>
#include <linux/sched/signal.h>

#include "../mosaic_internal.h"
#include "../planted.h"

/*
 * One page table's worth per call, so a huge mapping can still be
 * interrupted and rescheduled between batches.
 */
#define MOSAIC_INSERT_BATCH	PTRS_PER_PTE

static int mosaic_insert_pages_mmap(struct mosaic_buf *buf,
				    struct vm_area_struct *vma)
{
	struct page **pages = buf->pages + vma->vm_pgoff;
	unsigned long addr = vma->vm_start;
	unsigned long left = vma_pages(vma);

	while (left) {
		unsigned long batch = min_t(unsigned long, left,
					    MOSAIC_INSERT_BATCH);
		unsigned long not_inserted = batch;
		int ret;

		ret = vm_insert_pages(vma, addr, pages, &not_inserted);
		if (ret)
			return ret;
		/* The core zaps what we inserted when ->mmap fails. */
		if (fatal_signal_pending(current))
			return -EINTR;
		if (mosaic_planted("extra_get")) {
			unsigned long i;

			for (i = 0; i < batch; i++)
				get_page(pages[i]);
		}
		addr += batch << PAGE_SHIFT;
		pages += batch;
		left -= batch;
		cond_resched();
	}
	return 0;
}

const struct mosaic_map_ops mosaic_map_insert_pages = {
	.name = "insert-pages",
	.needs_pages = true,
	.mmap = mosaic_insert_pages_mmap,
	.fault = mosaic_fault_page,
};
