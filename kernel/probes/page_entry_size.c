// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_PAGE_ENTRY_SIZE: ->huge_fault took an enum page_entry_size
 * (PE_SIZE_PTE, PE_SIZE_PMD, PE_SIZE_PUD) until 6.6 ("mm: remove enum
 * page_entry_size"), which gave it the page order of the entry instead.
 * Probed by the enum, not by the op: the compiler takes an enum and an
 * unsigned int argument as compatible.
 */
#include <linux/mm.h>

enum page_entry_size mosaic_probe(void);

enum page_entry_size mosaic_probe(void)
{
	return PE_SIZE_PMD;
}
