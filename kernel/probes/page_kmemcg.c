// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_PAGE_KMEMCG: a page charged to a memcg with __GFP_ACCOUNT carries
 * the PageKmemcg page type, until 5.11 made it a flag of page->memcg_data
 * ("mm: convert page kmemcg type to a page memcg flag"). The page type
 * shares its word with the map count, so such a page cannot be mapped to
 * user space: vm_insert_page() refuses pages with a type.
 */
#include <linux/page-flags.h>

int mosaic_probe(struct page *page);

int mosaic_probe(struct page *page)
{
	return PageKmemcg(page);
}
