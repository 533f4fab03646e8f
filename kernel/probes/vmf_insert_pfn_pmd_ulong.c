// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_VMF_INSERT_PFN_PMD_ULONG: vmf_insert_pfn_pmd() takes a plain
 * unsigned long frame number since pfn_t was removed (6.17, "mm: remove
 * pfn_t type" series, "mm: convert vmf_insert_mixed() and friends from
 * pfn_t to unsigned long"); before, a pfn_t.
 */
#include <linux/mm.h>

vm_fault_t mosaic_probe(struct vm_fault *vmf, unsigned long pfn);

vm_fault_t mosaic_probe(struct vm_fault *vmf, unsigned long pfn)
{
	return vmf_insert_pfn_pmd(vmf, pfn, true);
}
