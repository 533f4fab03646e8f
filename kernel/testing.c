// SPDX-License-Identifier: GPL-2.0
/*
 * The test build's inspection ioctls (linux/mosaic_testing.h): FILL and
 * VERIFY walk a range through each segment's own kernel address, REFS
 * reads the page references and mapcounts behind a range.
 *
 * Only a module built with MOSAIC_TESTING=y contains this file. The
 * production module has no way to write a buffer without a mapping or to
 * show who else pins its pages, and answers these numbers with -ENOTTY.
 */
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/uaccess.h>
#include <uapi/linux/mosaic_testing.h>

#include "compat.h"
#include "mosaic_internal.h"
#include "testing.h"

/*
 * Walk [offset, offset + length) of the buffer one page at a time through
 * each segment's own kernel address, filling or checking the pattern.
 */
static int mosaic_pattern_walk(struct mosaic_buf *buf, struct mosaic_pattern *p,
			       bool fill)
{
	u64 off = p->offset, end = p->offset + p->length;

	p->mismatches = 0;
	p->first_mismatch = ~0ULL;
	while (off < end) {
		u64 page_end = min_t(u64, end, (off | ~PAGE_MASK) + 1);
		pgoff_t pgoff = off >> PAGE_SHIFT;
		struct mosaic_seg seg;
		u64 *kaddr;

		if (fatal_signal_pending(current))
			return -EINTR;
		mosaic_buf_find_seg(buf, pgoff, &seg);
		kaddr = seg.kaddr + ((pgoff - seg.pgoff) << PAGE_SHIFT);
		for (; off < page_end; off += sizeof(u64)) {
			u64 *word = kaddr + ((off & ~PAGE_MASK) / sizeof(u64));
			u64 want = mosaic_pattern_word(p->seed, off);

			if (fill) {
				*word = want;
			} else if (*word != want) {
				if (!p->mismatches)
					p->first_mismatch = off;
				p->mismatches++;
			}
		}
		cond_resched();
	}
	return 0;
}

static int mosaic_ioctl_pattern(struct mosaic_buf *buf,
				struct mosaic_pattern __user *uarg, bool fill)
{
	struct mosaic_pattern p;
	int ret;

	ret = mosaic_copy_arg_from_user(&p, sizeof(p),
					MOSAIC_PATTERN_SIZE_VER0, uarg);
	if (ret)
		return ret;
	ret = mosaic_validate_pattern(&p, buf->size);
	if (ret)
		return ret;
	/* Device memory has no kernel address to walk. */
	if (buf->backend->io)
		return -EOPNOTSUPP;
	/* FILL is a write from user space: not into read-only memory. */
	if (fill && buf->read_only)
		return -EPERM;

	ret = mosaic_pattern_walk(buf, &p, fill);
	if (ret)
		return ret;
	return mosaic_copy_arg_to_user(uarg, &p, sizeof(p));
}

/*
 * References on one allocation unit that the refcount rule does not
 * explain: its count minus the buffer's own reference minus one per PTE
 * and one per PMD. A compound page is one unit and is counted once, at
 * its head, and only when it lies wholly inside [first, end). A PMD
 * mapping is counted once in the entire mapcount, and also in the
 * mapcount of every page (page_mapcount() includes it), so those pages
 * count PTEs only once the entire mapcount is taken off.
 */
static long mosaic_unexplained_refs(struct page *page, pgoff_t pgoff,
				    pgoff_t end)
{
	struct page *head = compound_head(page);
	unsigned long i, nr;
	long refs;
	int entire;

	if (head != page)
		return 0;
	nr = compound_nr(head);
	if (pgoff + nr > end)
		return 0;
	entire = nr > 1 ? mosaic_entire_mapcount(head) : 0;
	refs = page_count(head) - 1 - entire;
	for (i = 0; i < nr; i++)
		refs -= mosaic_page_mapcount(head + i) - entire;
	return refs;
}

static int mosaic_ioctl_refs(struct mosaic_buf *buf,
			     struct mosaic_refs __user *uarg)
{
	struct mosaic_refs r;
	pgoff_t first, end, i;
	int ret;

	ret = mosaic_copy_arg_from_user(&r, sizeof(r), MOSAIC_REFS_SIZE_VER0,
					uarg);
	if (ret)
		return ret;
	ret = mosaic_validate_refs(&r, buf->size);
	if (ret)
		return ret;
	/*
	 * pfn_valid() alone does not tell: a BAR may share a memory section
	 * with RAM and then has a struct page that means nothing.
	 */
	if (buf->backend->io)
		return -EOPNOTSUPP;

	r.unexplained_refs = 0;
	r.refcount_min = U32_MAX;
	r.refcount_max = 0;
	r.mapcount_min = S32_MAX;
	r.mapcount_max = S32_MIN;
	first = r.offset >> PAGE_SHIFT;
	end = first + (r.length >> PAGE_SHIFT);
	for (i = first; i < end; i++) {
		unsigned long pfn = mosaic_buf_pfn(buf, i);
		struct page *page;
		s32 mapcount;
		u32 count;

		if (!pfn_valid(pfn))
			return -EOPNOTSUPP;
		page = pfn_to_page(pfn);
		count = page_count(page);
		mapcount = mosaic_page_mapcount(page);
		r.refcount_min = min(r.refcount_min, count);
		r.refcount_max = max(r.refcount_max, count);
		r.mapcount_min = min(r.mapcount_min, mapcount);
		r.mapcount_max = max(r.mapcount_max, mapcount);
		/*
		 * Memory the DMA layer owns has no reference of ours to
		 * account for; any mapcount on it is already wrong.
		 */
		if (buf->backend->page_backed)
			r.unexplained_refs += mosaic_unexplained_refs(page, i, end);
		else
			r.unexplained_refs += mapcount;
		if (!(i % 1024))
			cond_resched();
	}
	return mosaic_copy_arg_to_user(uarg, &r, sizeof(r));
}

/**
 * mosaic_testing_ioctl() - the inspection ioctls of a buffer fd
 * @buf: the fd's buffer
 * @cmd: ioctl number
 * @uarg: user argument
 *
 * Return: 0 or -errno as documented in linux/mosaic_testing.h; -ENOTTY
 * for a number that is not one of them.
 */
long mosaic_testing_ioctl(struct mosaic_buf *buf, unsigned int cmd,
			  void __user *uarg)
{
	switch (cmd) {
	case MOSAIC_TEST_IOC_FILL:
		return mosaic_ioctl_pattern(buf, uarg, true);
	case MOSAIC_TEST_IOC_VERIFY:
		return mosaic_ioctl_pattern(buf, uarg, false);
	case MOSAIC_TEST_IOC_REFS:
		return mosaic_ioctl_refs(buf, uarg);
	default:
		return -ENOTTY;
	}
}
