// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_PMD_SPECIAL: PMDs got a special bit in 6.12 ("mm: introduce
 * ARCH_SUPPORTS_HUGE_PFNMAP and special bits to pmd/pud"),
 * and vmf_insert_pfn_pmd() sets it, so that get_user_pages_fast() leaves a
 * PFN PMD alone as it leaves a special PTE alone. Before, a PFN PMD over
 * RAM looked like a THP to it (TTM removed its huge_fault for that). It
 * only means something where the architecture has the bit:
 * CONFIG_ARCH_SUPPORTS_PMD_PFNMAP (compat.h checks both).
 */
#include <linux/mm.h>

bool mosaic_probe(pmd_t pmd);

bool mosaic_probe(pmd_t pmd)
{
	return pmd_special(pmd);
}
