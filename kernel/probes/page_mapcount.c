// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_PAGE_MAPCOUNT: page_mapcount() went away with the move of mapcounts
 * to folios; what is left is folio_mapcount().
 */
#include <linux/mm.h>

int mosaic_probe(struct page *page);

int mosaic_probe(struct page *page)
{
	return page_mapcount(page);
}
