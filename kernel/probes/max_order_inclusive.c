// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_MAX_ORDER_INCLUSIVE: from 6.4 (commit 23baf831a32c, "mm, treewide:
 * redefine MAX_ORDER sanely") until its rename to MAX_PAGE_ORDER in 6.8,
 * MAX_ORDER is the largest order itself; before, it counted one past it.
 * Only the blocks' size tells the two meanings apart.
 */
#include <linux/build_bug.h>
#include <linux/mmzone.h>

void mosaic_probe(void);

void mosaic_probe(void)
{
	BUILD_BUG_ON(MAX_ORDER_NR_PAGES != 1UL << MAX_ORDER);
}
