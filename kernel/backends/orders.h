/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The order fallback of the high-order backends, in a header so the KUnit
 * suite tests the very code the backends run.
 */
#ifndef _MOSAIC_ORDERS_H
#define _MOSAIC_ORDERS_H

#include <linux/kernel.h>

/*
 * 9 is a PMD on x86 (2 MiB), 8 and 4 are what the dma-buf system heap
 * settled on as the next useful sizes, and 0 always succeeds while memory
 * lasts. A caller's max_order is tried first when it is not in the list.
 */
static const unsigned int mosaic_fallback_orders[] = { 9, 8, 4, 0 };

/**
 * mosaic_next_order() - the order to try after @order
 * @max_order: the first order to try
 * @order: the order that just failed, or -1 to get the first one
 *
 * Return: the next smaller order of the fallback list, or -1 when the
 * list is exhausted.
 */
static inline int mosaic_next_order(unsigned int max_order, int order)
{
	int i;

	if (order < 0)
		return max_order;
	for (i = 0; i < ARRAY_SIZE(mosaic_fallback_orders); i++)
		if (mosaic_fallback_orders[i] < order)
			return mosaic_fallback_orders[i];
	return -1;
}

#endif /* _MOSAIC_ORDERS_H */
