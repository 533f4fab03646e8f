// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_ALLOC_PAGES_BULK_ARRAY: the array form of the bulk page allocator
 * arrived in 5.13 ("mm/page_alloc: add an array-based interface to the
 * bulk page allocator") and was renamed alloc_pages_bulk() in 6.14 ("mm:
 * alloc_pages_bulk: rename API"), see alloc_pages_bulk.c.
 */
#include <linux/gfp.h>

unsigned long mosaic_probe(unsigned long nr, struct page **pages);

unsigned long mosaic_probe(unsigned long nr, struct page **pages)
{
	return alloc_pages_bulk_array(GFP_KERNEL, nr, pages);
}
