/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The chunked DMA backends, coherent and noncontig: one allocation per
 * chunk, in the sizes mosaic_chunk_len() gives (orders.h). chunks.c has
 * what they share; each backend says how it allocates, describes and
 * frees one chunk.
 */
#ifndef _MOSAIC_CHUNKS_H
#define _MOSAIC_CHUNKS_H

#include <linux/types.h>

struct mosaic_buf;
struct sg_table;

/**
 * struct mosaic_chunk - one allocation of a chunked backend
 * @size: bytes, a power of two
 * @vaddr: coherent: the CPU address dma_alloc_coherent() returned
 * @dma: coherent: its device address
 * @sgt: noncontig: the table dma_alloc_noncontiguous() returned
 */
struct mosaic_chunk {
	size_t size;
	union {
		struct {
			void *vaddr;
			dma_addr_t dma;
		};
		struct sg_table *sgt;
	};
};

/**
 * struct mosaic_chunk_ops - what differs between the chunked backends
 * @alloc: allocate @c->size bytes of memory for @buf->dev into @c;
 *	0 or -ENOMEM
 * @describe: append @c's segments and device ranges to @buf, with every
 *	byte of it zeroed; 0 or -errno
 * @free: give back what @alloc took
 */
struct mosaic_chunk_ops {
	int (*alloc)(struct mosaic_buf *buf, struct mosaic_chunk *c);
	int (*describe)(struct mosaic_buf *buf, struct mosaic_chunk *c);
	void (*free)(struct mosaic_buf *buf, struct mosaic_chunk *c);
};

int mosaic_chunks_alloc(struct mosaic_buf *buf,
			const struct mosaic_chunk_ops *ops);
void mosaic_chunks_free(struct mosaic_buf *buf,
			const struct mosaic_chunk_ops *ops);

#endif /* _MOSAIC_CHUNKS_H */
