// SPDX-License-Identifier: GPL-2.0
/*
 * Resource limits: how much memory buffers may hold, module-wide and per
 * user; and the ledger of what they hold now (struct mosaic_ledger).
 *
 * The largest single buffer is the max_buffer_size parameter.
 *
 * Two limits apply to every buffer of RAM (device memory, the mmio
 * backend, is not RAM and is not counted):
 *
 * - The module-wide cap, the max_total_size parameter: the bytes all live
 *   buffers hold together. Above it an allocation fails with -EAGAIN, for
 *   everyone, root included: it protects the machine, not a user from
 *   another. 0 means no cap.
 * - The per-user limit, RLIMIT_MEMLOCK, charged to user->locked_vm the way
 *   io_uring charges its fixed buffers (io_uring/rsrc.c, __io_account_mem):
 *   the buffer's pages count against the allocating user's locked-memory
 *   limit, shared with mlock()ed memory of that user's processes, io_uring
 *   and BPF. Above it an allocation fails with -ENOMEM. CAP_IPC_LOCK
 *   exempts a caller, as it exempts mlock().
 *
 * Every RAM backend is charged the memory it allocates, which is the
 * buffer's size: the coherent and noncontig backends cut a buffer into
 * power-of-two chunks (backends/orders.h, mosaic_chunk_len()), because
 * without an IOMMU the DMA layer allocates a chunk as one block of
 * get_order(size) pages and a chunk of any other size would pin more than
 * it is charged. The other backends allocate exact page counts (CMA too:
 * cma_alloc() takes the page count). Page arrays and segment tables are
 * metadata, charged to the memcg below; vmalloc's own page array and page
 * tables are the kernel's and charged nowhere.
 *
 * A third limit is the memory cgroup's (memcg), which RLIMIT_MEMLOCK does
 * not replace nor is replaced by: the allocating task's memcg is charged
 * with __GFP_ACCOUNT, as io_uring charges its rings,
 *
 * - for the pages of the page-allocator backends (pages, compound, split,
 *   streaming, vmalloc). Above memory.max the allocation fails with
 *   -ENOMEM (__GFP_RETRY_MAYFAIL) or the memcg's OOM killer acts, as the
 *   kernel decides. The charge stays with the pages, whoever frees them.
 *   Not before 5.11 (compat.h, MOSAIC_GFP_ACCOUNT_PAGES): a charged page
 *   was marked with a page type that overlays the map count, and
 *   vm_insert_page() refuses such pages.
 * - for every per-buffer allocation (the buffer, its page array, segment
 *   table, device ranges, scatterlists, chunk arrays), on every backend.
 *
 * The pages of the DMA layer's backends (coherent, noncontig, cma) are
 * not charged to the memcg. The DMA API documents no gfp accounting, and
 * the kernel's sources (5.10 to 7.2) show why it cannot be relied on:
 * dma-direct asks CMA first for anything larger than a page
 * (dma_alloc_contiguous()), and cma_alloc() takes no gfp at all; per-device
 * coherent pools and swiotlb's restricted pools ignore it too; only the
 * page allocator fallbacks of dma-direct and dma-iommu would pass
 * __GFP_ACCOUNT on, by accident rather than by contract. A buffer would
 * be charged for some chunks and not others, depending on where the DMA
 * layer found memory. RLIMIT_MEMLOCK and max_total_size bound those
 * backends as every other.
 *
 * The charge is taken before the backend allocates and given back when
 * the buffer is freed, which may be long after the allocating process
 * exited (a mapping inherited by a child, a dma-buf passed on): the
 * buffer holds a reference on the credentials whose user_struct it
 * charged.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/sched/signal.h>
#include <linux/sched/user.h>
#include <linux/sysfs.h>

#include "mosaic_internal.h"

struct mosaic_ledger mosaic_ledger;

/*
 * The limit keeps one ioctl from asking the page allocator for more than
 * the machine can give; root can raise it at run time.
 */
unsigned long mosaic_max_buffer_size = 2UL << 30;
module_param_named(max_buffer_size, mosaic_max_buffer_size, ulong, 0644);
MODULE_PARM_DESC(max_buffer_size,
		 "Largest buffer MOSAIC_IOC_ALLOC accepts, in bytes (default 2 GiB)");

static unsigned long mosaic_max_total_size;
module_param_named(max_total_size, mosaic_max_total_size, ulong, 0644);
MODULE_PARM_DESC(max_total_size,
		 "Bytes all buffers together may hold; 0 (default) means 3/4 of RAM at load time");

/* Bytes charged to the module-wide cap now. */
static atomic_long_t mosaic_total_size;

/* Read-only view of mosaic_total_size, for tests and administrators. */
static int mosaic_total_size_get(char *out, const struct kernel_param *kp)
{
	return sysfs_emit(out, "%ld\n", atomic_long_read(&mosaic_total_size));
}

/*
 * The count is the module's own; a value given at load is ignored (a
 * reload with every parameter it had before passes one). The core calls
 * ->set unconditionally for a parameter given at load: it must exist.
 */
static int mosaic_total_size_set(const char *val, const struct kernel_param *kp)
{
	return 0;
}

static const struct kernel_param_ops mosaic_total_size_ops = {
	.set = mosaic_total_size_set,
	.get = mosaic_total_size_get,
};
module_param_cb(total_size, &mosaic_total_size_ops, NULL, 0444);
MODULE_PARM_DESC(total_size, "Bytes all live buffers hold now (read only)");

/**
 * mosaic_limits_init() - set the default module-wide cap
 *
 * 3/4 of RAM: well beyond any sane workload, yet far enough from all of it
 * that buffers alone cannot push the machine into the OOM killer.
 */
void mosaic_limits_init(void)
{
	if (!mosaic_max_total_size)
		mosaic_max_total_size = (totalram_pages() / 4 * 3) << PAGE_SHIFT;
}

static int mosaic_charge_total(unsigned long bytes)
{
	unsigned long cap = READ_ONCE(mosaic_max_total_size);
	long cur = atomic_long_read(&mosaic_total_size);

	do {
		if (cap && (bytes > cap || cur > cap - bytes))
			return -EAGAIN;
	} while (!atomic_long_try_cmpxchg(&mosaic_total_size, &cur,
					  cur + bytes));
	return 0;
}

/* As io_uring's __io_account_mem(): locked_vm against RLIMIT_MEMLOCK. */
static int mosaic_charge_user(struct user_struct *user, unsigned long pages)
{
	unsigned long limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	unsigned long cur = atomic_long_read(&user->locked_vm);

	do {
		if (pages > limit || cur > limit - pages)
			return -ENOMEM;
	} while (!atomic_long_try_cmpxchg(&user->locked_vm, &cur,
					  cur + pages));
	return 0;
}

/**
 * mosaic_limits_charge() - charge a new buffer to the caller and the cap
 * @buf: the buffer, sized, with its backend set, not yet allocated
 *
 * Charges @buf->size bytes to the module-wide cap and, unless the caller
 * has CAP_IPC_LOCK, @buf->nr_pages pages to the calling user's
 * RLIMIT_MEMLOCK. mosaic_limits_uncharge() gives both back.
 *
 * Return: 0, -EAGAIN above the module-wide cap, -ENOMEM above the user's
 * RLIMIT_MEMLOCK.
 */
int mosaic_limits_charge(struct mosaic_buf *buf)
{
	const struct cred *cred;
	int ret;

	if (buf->backend->io)
		return 0;
	ret = mosaic_charge_total(buf->size);
	if (ret)
		return ret;
	buf->charged_bytes = buf->size;
	if (capable(CAP_IPC_LOCK))
		return 0;

	/*
	 * The reference that keeps the charged user_struct alive is taken
	 * on the credentials that point to it: free_uid() is not exported
	 * to modules before 5.11, put_cred() is.
	 */
	cred = get_current_cred();
	ret = mosaic_charge_user(cred->user, buf->nr_pages);
	if (ret) {
		put_cred(cred);
		mosaic_limits_uncharge(buf);
		return ret;
	}
	buf->charged_cred = cred;
	buf->charged_pages = buf->nr_pages;
	return 0;
}

/**
 * mosaic_limits_uncharge() - give back what mosaic_limits_charge() took
 * @buf: the buffer; safe to call when nothing was charged
 */
void mosaic_limits_uncharge(struct mosaic_buf *buf)
{
	if (buf->charged_cred) {
		atomic_long_sub(buf->charged_pages,
				&buf->charged_cred->user->locked_vm);
		put_cred(buf->charged_cred);
		buf->charged_cred = NULL;
		buf->charged_pages = 0;
	}
	atomic_long_sub(buf->charged_bytes, &mosaic_total_size);
	buf->charged_bytes = 0;
}
