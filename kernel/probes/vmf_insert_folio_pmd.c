// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_VMF_INSERT_FOLIO_PMD: vmf_insert_folio_pmd() maps a PMD-sized folio
 * with its reference and entire mapcount from a ->huge_fault handler
 * (6.15, "mm/huge_memory: add vmf_insert_folio_pmd()", from the series
 * that refcounts fs DAX pages).
 */
#include <linux/mm.h>

vm_fault_t mosaic_probe(struct vm_fault *vmf, struct folio *folio);

vm_fault_t mosaic_probe(struct vm_fault *vmf, struct folio *folio)
{
	return vmf_insert_folio_pmd(vmf, folio, true);
}
