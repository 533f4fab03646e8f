// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_MAX_PAGE_ORDER: MAX_ORDER was renamed MAX_PAGE_ORDER in 6.8 ("mm,
 * treewide: rename MAX_ORDER to MAX_PAGE_ORDER"); it is the largest order
 * the page allocator hands out.
 */
#include <linux/mmzone.h>

int mosaic_probe(void);

int mosaic_probe(void)
{
	return MAX_PAGE_ORDER;
}
