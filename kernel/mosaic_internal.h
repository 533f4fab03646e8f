/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mosaic internals shared by the core, the backends and the mapping
 * strategies. Nothing here is visible outside the module.
 */
#ifndef _MOSAIC_INTERNAL_H
#define _MOSAIC_INTERNAL_H

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <uapi/linux/mosaic.h>

struct mosaic_buf;

/**
 * struct mosaic_backend_ops - where a buffer's memory comes from
 * @name: short name for logs and info
 * @alloc: fill @buf's segment table with @buf->nr_pages of memory
 * @free: give everything @alloc took back; called once, on release
 */
struct mosaic_backend_ops {
	const char *name;
	int (*alloc)(struct mosaic_buf *buf);
	void (*free)(struct mosaic_buf *buf);
};

/**
 * struct mosaic_map_ops - how a buffer's segments get into a user VMA
 * @name: short name for logs and info
 * @mmap: populate @vma (or prepare it for lazy faults) from @buf, starting
 *	at buffer page @vma->vm_pgoff. Called with the mmap lock held for
 *	writing, after the core has checked the range.
 * @fault: install the page for @vmf. Every strategy needs one, even the
 *	eager ones, because MADV_DONTNEED zaps PTEs that were inserted at
 *	mmap time and the next touch must find the same memory again.
 */
struct mosaic_map_ops {
	const char *name;
	int (*mmap)(struct mosaic_buf *buf, struct vm_area_struct *vma);
	vm_fault_t (*fault)(struct vm_fault *vmf);
};

/**
 * struct mosaic_buf - one buffer: a table of physically contiguous segments
 * @ref: one reference for the buffer fd, one per VMA, one per in-kernel
 *	user. The memory is freed when the last one goes.
 * @size: bytes, a whole number of pages
 * @nr_pages: @size in pages
 * @backend_id: &enum mosaic_backend value
 * @strategy_id: &enum mosaic_strategy value in use (never AUTO)
 * @backend: allocation backend
 * @strategy: mapping strategy
 * @pages: segment table of the order-0 backends: page @i is segment @i and
 *	covers buffer page @i. Eight bytes per page, lookup in O(1).
 * @nr_maps: VMAs that map this buffer now
 */
struct mosaic_buf {
	struct kref ref;
	size_t size;
	unsigned long nr_pages;
	u32 backend_id;
	u32 strategy_id;
	const struct mosaic_backend_ops *backend;
	const struct mosaic_map_ops *strategy;
	struct page **pages;
	atomic_long_t nr_maps;
};

/**
 * struct mosaic_ledger - module-wide counters behind %MOSAIC_IOC_STATS
 * @buffers: buffers alive now
 * @pages: pages the backends hold now
 * @maps: VMAs that map a buffer now
 * @total_buffers: buffers created since load
 * @total_pages: pages allocated since load
 *
 * The only module-wide state. Every page a backend takes is counted in
 * @pages and uncounted when it is given back, so a non-zero reading with
 * no buffers alive is a leak.
 */
struct mosaic_ledger {
	atomic_long_t buffers;
	atomic_long_t pages;
	atomic_long_t maps;
	atomic_long_t total_buffers;
	atomic_long_t total_pages;
};

extern struct mosaic_ledger mosaic_ledger;
extern unsigned long mosaic_max_buffer_size;

extern const struct mosaic_backend_ops mosaic_backend_pages;
extern const struct mosaic_map_ops mosaic_strategy_insert_pages;

/* buffer.c */
struct mosaic_buf *mosaic_buf_create(const struct mosaic_alloc *req);
void mosaic_buf_get(struct mosaic_buf *buf);
void mosaic_buf_put(struct mosaic_buf *buf);
int mosaic_buf_install_fd(struct mosaic_buf *buf);
struct page *mosaic_buf_page(struct mosaic_buf *buf, pgoff_t pgoff);

/* ioctl.c */
int mosaic_copy_arg_from_user(void *karg, size_t ksize, size_t min_size,
			      const void __user *uarg);
int mosaic_copy_arg_to_user(void __user *uarg, const void *karg, size_t ksize);
long mosaic_buf_ioctl(struct mosaic_buf *buf, unsigned int cmd,
		      void __user *uarg);

#endif /* _MOSAIC_INTERNAL_H */
