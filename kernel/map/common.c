// SPDX-License-Identifier: GPL-2.0
/*
 * Fault handlers the mapping strategies share.
 *
 * Page strategies refill a zapped PTE with the same refcounted page; PFN
 * strategies with the same frame. Both install the PTE themselves and
 * return %VM_FAULT_NOPAGE. Either way the next touch after
 * MADV_DONTNEED (or any other zap) finds the buffer's memory again, never
 * a fresh zero page.
 */
#include <linux/mm.h>

#include "../mosaic_internal.h"

/**
 * mosaic_fault_page() - ->fault of the page strategies
 * @vmf: the fault
 *
 * Inserts the page itself instead of handing it to the core in
 * @vmf->page: when the page table is still empty and the page belongs to
 * a PMD-sized compound page, the core's finish_fault() would map the whole
 * compound page with one PMD, and a VM_MIXEDMAP VMA is "special" to the
 * PMD zap path, which then gives back neither the reference nor the
 * mapcount nor the RSS count. vm_insert_page() allocates the page table
 * and installs exactly one PTE, with its reference and mapcount.
 *
 * Return: %VM_FAULT_NOPAGE once the PTE is in (or was already there),
 * %VM_FAULT_OOM, or %VM_FAULT_SIGBUS past the buffer.
 */
vm_fault_t mosaic_fault_page(struct vm_fault *vmf)
{
	struct mosaic_buf *buf = vmf->vma->vm_private_data;
	struct page *page = mosaic_buf_page(buf, vmf->pgoff);
	int err;

	if (!page)
		return VM_FAULT_SIGBUS;
	err = vm_insert_page(vmf->vma, vmf->address & PAGE_MASK, page);
	/* -EBUSY: another thread's fault mapped it first. */
	if (!err || err == -EBUSY)
		return VM_FAULT_NOPAGE;
	return err == -ENOMEM ? VM_FAULT_OOM : VM_FAULT_SIGBUS;
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
