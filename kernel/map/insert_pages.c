// SPDX-License-Identifier: GPL-2.0
/*
 * Strategy "insert-pages": vm_insert_pages() at mmap time.
 *
 * The pages go in as normal, refcounted pages of a VM_MIXEDMAP VMA, so
 * get_user_pages(), fork and process_vm_readv see ordinary memory. Each
 * inserted PTE takes one page reference and one mapcount; zapping the PTE
 * gives both back, so the driver never has to get_page() by hand.
 */
#include <linux/mm.h>
#include <linux/sched/signal.h>

#include "../mosaic_internal.h"

/*
 * One page table's worth per call, so the PTE lock is taken once per
 * batch and a huge mapping can still be interrupted between batches.
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
		addr += batch << PAGE_SHIFT;
		pages += batch;
		left -= batch;
		cond_resched();
	}
	return 0;
}

/*
 * Refill a PTE that MADV_DONTNEED (or anything else that zaps) removed.
 * The reference we take here is the one the new PTE will own.
 */
static vm_fault_t mosaic_insert_pages_fault(struct vm_fault *vmf)
{
	struct mosaic_buf *buf = vmf->vma->vm_private_data;
	struct page *page = mosaic_buf_page(buf, vmf->pgoff);

	if (!page)
		return VM_FAULT_SIGBUS;
	get_page(page);
	vmf->page = page;
	return 0;
}

const struct mosaic_map_ops mosaic_strategy_insert_pages = {
	.name = "insert-pages",
	.mmap = mosaic_insert_pages_mmap,
	.fault = mosaic_insert_pages_fault,
};
