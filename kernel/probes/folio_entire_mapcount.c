// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_FOLIO_ENTIRE_MAPCOUNT: compound_mapcount() became
 * folio_entire_mapcount() with the folio conversion of the mapcount
 * helpers (5.18, "mm: Add folio_mapcount()" and the series around it);
 * compound_mapcount() itself went away in 6.3 ("mm,thp,rmap: simplify
 * compound page mapcount handling").
 */
#include <linux/mm.h>

int mosaic_probe(struct folio *folio);

int mosaic_probe(struct folio *folio)
{
	return folio_entire_mapcount(folio);
}
