// SPDX-License-Identifier: GPL-2.0
/*
 * What the chunked DMA backends (coherent, noncontig) share: cutting the
 * buffer into chunks of at most &mosaic_buf.chunk_size bytes, counting
 * each in the ledger while it is held, and freeing them all again.
 */
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "../mosaic_internal.h"
#include "chunks.h"
#include "orders.h"

/**
 * struct mosaic_chunks - a buffer's chunks, its &mosaic_buf.priv
 * @nr_chunks: chunks allocated so far
 * @chunk: room for every chunk the buffer needs
 */
struct mosaic_chunks {
	unsigned long nr_chunks;
	struct mosaic_chunk chunk[];
};

/**
 * mosaic_chunks_free() - free every chunk of a buffer
 * @buf: a buffer of a chunked backend, possibly half allocated
 * @ops: the backend's chunk operations
 *
 * Also frees the segment table, which the backend owns.
 */
void mosaic_chunks_free(struct mosaic_buf *buf,
			const struct mosaic_chunk_ops *ops)
{
	struct mosaic_chunks *ch = buf->priv;
	unsigned long i;

	for (i = 0; i < ch->nr_chunks; i++) {
		ops->free(buf, &ch->chunk[i]);
		mosaic_ledger_add(buf, -(long)(ch->chunk[i].size >> PAGE_SHIFT));
	}
	kvfree(ch);
	buf->priv = NULL;
	kvfree(buf->segs);
	buf->segs = NULL;
}

/**
 * mosaic_chunks_alloc() - allocate a buffer as chunks
 * @buf: the buffer, with @buf->chunk_size set
 * @ops: the backend's chunk operations
 *
 * Whole chunks of @buf->chunk_size first, then the remainder in powers
 * of two (mosaic_chunk_len()), each described as it arrives.
 *
 * Return: 0, or -ENOMEM, -EINTR or an error of @ops->describe; on error
 * nothing is left allocated.
 */
int mosaic_chunks_alloc(struct mosaic_buf *buf,
			const struct mosaic_chunk_ops *ops)
{
	unsigned long nr_chunks = mosaic_nr_chunks(buf->size, buf->chunk_size);
	struct mosaic_chunks *ch;
	size_t left = buf->size;
	int ret;

	ch = kvzalloc(struct_size(ch, chunk, nr_chunks),
		      GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!ch)
		return -ENOMEM;
	buf->priv = ch;
	ret = mosaic_buf_reserve_segs(buf, buf->nr_pages);
	if (ret)
		goto err_free;

	while (left) {
		struct mosaic_chunk *c = &ch->chunk[ch->nr_chunks];

		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			goto err_free;
		}
		c->size = mosaic_chunk_len(left, buf->chunk_size);
		ret = ops->alloc(buf, c);
		if (ret)
			goto err_free;
		ch->nr_chunks++;
		mosaic_ledger_add(buf, c->size >> PAGE_SHIFT);
		ret = ops->describe(buf, c);
		if (ret)
			goto err_free;
		left -= c->size;
		cond_resched();
	}
	return 0;

err_free:
	mosaic_chunks_free(buf, ops);
	return ret;
}
