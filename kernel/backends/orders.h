/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The order fallback of the high-order backends and the chunk sizes of
 * the DMA backends, in a header so the KUnit suite tests the very code the
 * backends run.
 */
#ifndef _MOSAIC_ORDERS_H
#define _MOSAIC_ORDERS_H

#include <linux/kernel.h>
#include <linux/log2.h>

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

/**
 * mosaic_chunk_len() - the next chunk of a chunked DMA buffer
 * @left: bytes still to allocate, a multiple of PAGE_SIZE
 * @chunk_size: the largest chunk, a power of two
 *
 * A power of two, always: without an IOMMU, dma-direct allocates a chunk
 * as one block of get_order(size) (__dma_direct_alloc_pages(), 5.10 to
 * 7.2; 5.10's intel-iommu too), so a chunk of 2 MiB + 4 KiB would pin
 * 4 MiB while the buffer is charged for what it asked. Whole chunks of
 * @chunk_size first, then the remainder in its binary decomposition,
 * largest first: what the DMA layer allocates is what is charged.
 *
 * Return: the chunk's length in bytes.
 */
static inline size_t mosaic_chunk_len(size_t left, size_t chunk_size)
{
	return min_t(size_t, chunk_size, rounddown_pow_of_two(left));
}

/**
 * mosaic_nr_chunks() - how many chunks mosaic_chunk_len() cuts @size into
 * @size: the buffer's size, a multiple of PAGE_SIZE
 * @chunk_size: the largest chunk, a power of two
 *
 * Return: @size / @chunk_size whole chunks plus one per bit set in the
 * remainder.
 */
static inline unsigned long mosaic_nr_chunks(size_t size, size_t chunk_size)
{
	return size / chunk_size + hweight_long(size % chunk_size);
}

#endif /* _MOSAIC_ORDERS_H */
