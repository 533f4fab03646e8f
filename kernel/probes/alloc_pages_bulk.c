// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_ALLOC_PAGES_BULK: alloc_pages_bulk(gfp, nr, page_array), the name
 * the array form of the bulk allocator has had since 6.14 ("mm:
 * alloc_pages_bulk: rename API").  Before, that name was absent or took a
 * list and an array, and fails this probe.
 */
#include <linux/gfp.h>

unsigned long mosaic_probe(unsigned long nr, struct page **pages);

unsigned long mosaic_probe(unsigned long nr, struct page **pages)
{
	return alloc_pages_bulk(GFP_KERNEL, nr, pages);
}
