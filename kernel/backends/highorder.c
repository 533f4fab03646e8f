// SPDX-License-Identifier: GPL-2.0
/*
 * Backends "compound" and "split": high-order pages, and the allocation
 * loop the streaming backend shares.
 *
 * compound: __GFP_COMP pages. The buffer's one reference per allocation
 * sits on the head page; a PTE on any page of it takes a reference on the
 * head too, which is why vm_insert_page() of tail pages is safe here.
 *
 * split: the same high-order blocks without __GFP_COMP, passed through
 * split_page(). That turns a block whose tail pages have refcount 0 (the
 * case that ends in "Bad page" when a driver maps tail pages of a plain
 * high-order allocation) into independent order-0 pages, each holding the
 * buffer's reference.
 */
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "../compat.h"
#include "../mosaic_internal.h"
#include "orders.h"

static struct page *mosaic_alloc_block(unsigned int order, bool split)
{
	/* Charged to the caller's memcg (kernel/limits.c). */
	gfp_t gfp = GFP_USER | __GFP_ZERO | __GFP_NOWARN |
		    MOSAIC_GFP_ACCOUNT_PAGES;

	/*
	 * A high order that fails must fail fast, so the next order down can
	 * be tried instead of compacting for a long time; order 0 may retry
	 * but still fails rather than invoking the OOM killer.
	 */
	if (order)
		gfp |= __GFP_NORETRY | (split ? 0 : __GFP_COMP);
	else
		gfp |= __GFP_RETRY_MAYFAIL;
	return alloc_pages(gfp, order);
}

/**
 * mosaic_alloc_highorder() - fill a buffer with the largest blocks it can
 * @buf: buffer being allocated; @buf->max_order is the first order tried
 * @split: split every block into order-0 pages instead of making it compound
 *
 * Each block becomes one segment. Once an order fails it is not tried
 * again for this buffer: the allocator would most likely fail it again.
 *
 * Return: 0, -ENOMEM or -EINTR; on error nothing is left allocated.
 */
int mosaic_alloc_highorder(struct mosaic_buf *buf, bool split)
{
	int order = mosaic_next_order(buf->max_order, -1);
	int ret;

	buf->pages = kvcalloc(buf->nr_pages, sizeof(*buf->pages),
			      GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!buf->pages)
		return -ENOMEM;
	ret = mosaic_buf_reserve_segs(buf, buf->nr_pages);
	if (ret)
		goto err_free;

	while (buf->filled < buf->nr_pages) {
		unsigned long left = buf->nr_pages - buf->filled;
		struct page *page = NULL;
		unsigned long i;

		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			goto err_free;
		}
		for (; order >= 0; order = mosaic_next_order(buf->max_order, order)) {
			if ((1UL << order) > left)
				continue;
			page = mosaic_alloc_block(order, split);
			if (page)
				break;
		}
		if (!page) {
			ret = -ENOMEM;
			goto err_free;
		}
		if (split && order)
			split_page(page, order);
		for (i = 0; i < (1UL << order); i++)
			buf->pages[buf->filled + i] = page + i;
		mosaic_ledger_add(buf, 1L << order);
		mosaic_buf_add_seg(buf, page_to_pfn(page), 1U << order, order,
				   page_address(page));
		cond_resched();
	}
	return 0;

err_free:
	mosaic_free_highorder(buf, split);
	return ret;
}

/**
 * mosaic_free_highorder() - give back what mosaic_alloc_highorder() took
 * @buf: the buffer
 * @split: the blocks were split
 *
 * Drops the buffer's reference with put_page(), never __free_pages(): a
 * get_user_pages() pin taken through a mapping may outlive the buffer.
 */
void mosaic_free_highorder(struct mosaic_buf *buf, bool split)
{
	unsigned long i, j;

	for (i = 0; i < buf->nr_segs; i++) {
		struct mosaic_seg *seg = &buf->segs[i];
		struct page *page = pfn_to_page(seg->pfn);

		if (split) {
			for (j = 0; j < seg->nr_pages; j++)
				put_page(page + j);
		} else {
			put_page(page);
		}
		mosaic_ledger_add(buf, -(long)seg->nr_pages);
		cond_resched();
	}
	kvfree(buf->segs);
	buf->segs = NULL;
	buf->nr_segs = 0;
	kvfree(buf->pages);
	buf->pages = NULL;
}

static int mosaic_compound_alloc(struct mosaic_buf *buf)
{
	return mosaic_alloc_highorder(buf, false);
}

static void mosaic_compound_free(struct mosaic_buf *buf)
{
	mosaic_free_highorder(buf, false);
}

static int mosaic_split_alloc(struct mosaic_buf *buf)
{
	return mosaic_alloc_highorder(buf, true);
}

static void mosaic_split_free(struct mosaic_buf *buf)
{
	mosaic_free_highorder(buf, true);
}

const struct mosaic_backend_ops mosaic_backend_compound = {
	.name = "compound",
	.page_backed = true,
	.default_strategy = MOSAIC_STRATEGY_INSERT_PAGES,
	.alloc = mosaic_compound_alloc,
	.free = mosaic_compound_free,
};

const struct mosaic_backend_ops mosaic_backend_split = {
	.name = "split",
	.page_backed = true,
	.default_strategy = MOSAIC_STRATEGY_INSERT_PAGES,
	.alloc = mosaic_split_alloc,
	.free = mosaic_split_free,
};
