// SPDX-License-Identifier: GPL-2.0
/*
 * Strategy "fault": nothing at mmap time; pages arrive on first touch.
 *
 * ->fault inserts the page (see mosaic_fault_page()). On a read
 * fault the core first asks ->map_pages to map the neighbours around the
 * faulting address (fault-around), so a sequential read costs one fault
 * per window instead of one per page. mmap set VM_MIXEDMAP, which lets
 * vm_insert_page() run under the mmap read lock the fault path holds.
 */
#include <linux/mm.h>

#include "../mosaic_internal.h"

static int mosaic_fault_mmap(struct mosaic_buf *buf,
			     struct vm_area_struct *vma)
{
	return 0;
}

static vm_fault_t mosaic_fault_around(struct vm_fault *vmf,
				      pgoff_t start_pgoff, pgoff_t end_pgoff)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mosaic_buf *buf = vma->vm_private_data;
	vm_fault_t ret = 0;
	pgoff_t pgoff;

	for (pgoff = start_pgoff; pgoff <= end_pgoff; pgoff++) {
		unsigned long addr = vma->vm_start +
				     ((pgoff - vma->vm_pgoff) << PAGE_SHIFT);
		struct page *page = mosaic_buf_page(buf, pgoff);
		int err;

		if (!page)
			break;
		err = vm_insert_page(vma, addr, page);
		/* -EBUSY: mapped already, which is just as good. */
		if ((!err || err == -EBUSY) &&
		    addr == (vmf->address & PAGE_MASK))
			ret = VM_FAULT_NOPAGE;
	}
	return ret;
}

const struct mosaic_map_ops mosaic_map_fault = {
	.name = "fault",
	.needs_pages = true,
	.mmap = mosaic_fault_mmap,
	.fault = mosaic_fault_page,
	.map_pages = mosaic_fault_around,
};
