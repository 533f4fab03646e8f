// SPDX-License-Identifier: GPL-2.0
/*
 * Fault handlers the mapping strategies share.
 *
 * Page strategies refill a zapped PTE with the same refcounted page; PFN
 * strategies with the same frame. Either way the next touch after
 * MADV_DONTNEED (or any other zap) finds the buffer's memory again, never
 * a fresh zero page.
 */
#include <linux/mm.h>

#include "../mosaic_internal.h"

/**
 * mosaic_fault_page() - ->fault of the page strategies
 * @vmf: the fault
 *
 * The reference taken here is the one the new PTE will own.
 *
 * Return: 0 with @vmf->page set, or %VM_FAULT_SIGBUS past the buffer.
 */
vm_fault_t mosaic_fault_page(struct vm_fault *vmf)
{
	struct mosaic_buf *buf = vmf->vma->vm_private_data;
	struct page *page = mosaic_buf_page(buf, vmf->pgoff);

	if (!page)
		return VM_FAULT_SIGBUS;
	get_page(page);
	vmf->page = page;
	return 0;
}

/**
 * mosaic_fault_pfn() - ->fault of the PFN strategies
 * @vmf: the fault
 *
 * Return: %VM_FAULT_NOPAGE once the PTE is in, or an error code.
 */
vm_fault_t mosaic_fault_pfn(struct vm_fault *vmf)
{
	struct mosaic_buf *buf = vmf->vma->vm_private_data;

	if (vmf->pgoff >= buf->nr_pages)
		return VM_FAULT_SIGBUS;
	return vmf_insert_pfn(vmf->vma, vmf->address,
			      mosaic_buf_pfn(buf, vmf->pgoff));
}
