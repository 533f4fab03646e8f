// SPDX-License-Identifier: GPL-2.0
/*
 * Backend "pages": order-0 pages from the page allocator, zeroed.
 *
 * Each page is its own segment, so the page array is the segment table:
 * eight bytes per page and O(1) lookup. The pages keep the single
 * reference the allocator gave them; that is the buffer's own reference,
 * and every PTE that maps a page adds one more.
 */
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "../compat.h"
#include "../mosaic_internal.h"
#include "../planted.h"

/*
 * Pages per bulk call: small enough to notice a fatal signal and to
 * reschedule promptly while allocating gigabytes, large enough that the
 * bulk allocator stays on its fast path.
 */
#define MOSAIC_PAGES_BATCH	1024UL

/*
 * USER, not HIGHUSER: the kernel reaches every segment through its linear
 * address. RETRY_MAYFAIL: a request too big for the machine fails with
 * ENOMEM instead of waking the OOM killer. NOWARN: that failure is the
 * caller's answer, not a kernel problem, and in a memory cgroup at its
 * limit RETRY_MAYFAIL makes the charge fail the same way rather than call
 * the cgroup's OOM killer. ACCOUNT: the pages are charged to the caller's
 * memory cgroup (kernel/limits.c); the bulk allocator then hands out one
 * page per call (it does not charge, 5.13 to 7.2), which the loop below
 * takes in its stride.
 */
#define MOSAIC_PAGES_GFP \
	(GFP_USER | __GFP_ZERO | __GFP_RETRY_MAYFAIL | __GFP_NOWARN | \
	 MOSAIC_GFP_ACCOUNT_PAGES)

static void mosaic_pages_release(struct mosaic_buf *buf, struct page **pages,
				 unsigned long nr)
{
	unsigned long i;

	for (i = 0; i < nr; i++) {
		if (mosaic_planted("missing_put"))
			continue;
		/* put_page: a get_user_pages() pin may still hold the page. */
		put_page(pages[i]);
		if (!(i % MOSAIC_PAGES_BATCH))
			cond_resched();
	}
	mosaic_ledger_add(buf, -(long)nr);
}

static int mosaic_pages_alloc(struct mosaic_buf *buf)
{
	unsigned long filled = 0;
	struct page **pages;
	int ret;

	/* Zeroed: the bulk allocator only fills NULL slots. */
	pages = kvcalloc(buf->nr_pages, sizeof(*pages),
			 GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!pages)
		return -ENOMEM;

	while (filled < buf->nr_pages) {
		unsigned long want = min(buf->nr_pages,
					 filled + MOSAIC_PAGES_BATCH);
		unsigned long got;

		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			goto err_release;
		}
		got = mosaic_alloc_pages_bulk(MOSAIC_PAGES_GFP, want, pages);
		mosaic_ledger_add(buf, got - filled);
		if (got == filled) {
			ret = -ENOMEM;
			goto err_release;
		}
		filled = got;
		cond_resched();
	}
	buf->pages = pages;
	buf->filled = filled;
	return 0;

err_release:
	mosaic_pages_release(buf, pages, filled);
	kvfree(pages);
	return ret;
}

static void mosaic_pages_free(struct mosaic_buf *buf)
{
	mosaic_pages_release(buf, buf->pages, buf->nr_pages);
	kvfree(buf->pages);
	buf->pages = NULL;
}

const struct mosaic_backend_ops mosaic_backend_pages = {
	.name = "pages",
	.page_backed = true,
	.default_strategy = MOSAIC_STRATEGY_INSERT_PAGES,
	.alloc = mosaic_pages_alloc,
	.free = mosaic_pages_free,
};
