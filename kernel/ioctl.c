// SPDX-License-Identifier: GPL-2.0
/*
 * The ioctls of a buffer fd: INFO, SYNC, EXPORT and SEGMENTS, and in the
 * test build the inspection ioctls (testing.c). Their arguments come and
 * go through ioctl_arg.c.
 */
#include <linux/capability.h>
#include <linux/dma-buf.h>
#include <linux/file.h>
#include <linux/mm.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "mosaic_internal.h"
#include "testing.h"

static int mosaic_ioctl_info(struct mosaic_buf *buf,
			     struct mosaic_info __user *uarg)
{
	struct mosaic_info info;
	struct mosaic_seg seg;
	unsigned long i;
	int ret;

	ret = mosaic_copy_arg_from_user(&info, sizeof(info),
					MOSAIC_INFO_SIZE_VER0, uarg);
	if (ret)
		return ret;
	ret = mosaic_validate_info(&info);
	if (ret)
		return ret;

	info.size = buf->size;
	info.backend = buf->backend_id;
	info.strategy = buf->strategy_id;
	info.nr_maps = atomic_long_read(&buf->nr_maps);
	info.nr_segments = mosaic_buf_nr_segs(buf);
	info.nr_adjacent = mosaic_buf_count_adjacent(buf);
	memset(info.order_count, 0, sizeof(info.order_count));
	for (i = 0; i < info.nr_segments; i++) {
		mosaic_buf_seg(buf, i, &seg);
		info.order_count[min_t(unsigned int, seg.order,
				       MOSAIC_INFO_ORDERS - 1)]++;
		if (!(i % 1024))
			cond_resched();
	}
	info.nr_runs = info.nr_segments - info.nr_adjacent;
	mosaic_huge_info(buf, &info);
	return mosaic_copy_arg_to_user(uarg, &info, sizeof(info));
}

/**
 * mosaic_buf_sync_ioctl() - %MOSAIC_IOC_SYNC on a buffer
 * @buf: the buffer
 * @uarg: user pointer to a &struct mosaic_sync
 *
 * /dev/mosaic's buffer fds answer %MOSAIC_IOC_SYNC with this. A driver
 * whose own buffer fds let user space sync ranges (because its device
 * runs while user space reads and writes, and only user space knows
 * when) calls it from its ioctl handler, so its users get mosaic's
 * documented SYNC ABI (linux/mosaic.h) rather than one more of their own.
 *
 * Return: 0 or -errno as documented for %MOSAIC_IOC_SYNC; -ENODEV once
 * the buffer's device went away.
 */
int mosaic_buf_sync_ioctl(struct mosaic_buf *buf, void __user *uarg)
{
	static const enum dma_data_direction dirs[] = {
		[MOSAIC_SYNC_READ] = DMA_FROM_DEVICE,
		[MOSAIC_SYNC_WRITE] = DMA_TO_DEVICE,
		[MOSAIC_SYNC_RW] = DMA_BIDIRECTIONAL,
	};
	unsigned long first, nr;
	struct mosaic_sync s;
	int idx, ret;

	ret = mosaic_copy_arg_from_user(&s, sizeof(s), MOSAIC_SYNC_SIZE_VER0,
					uarg);
	if (ret)
		return ret;
	ret = mosaic_validate_sync(&s, buf->size);
	if (ret)
		return ret;

	idx = srcu_read_lock(&mosaic_revoke_srcu);
	if (READ_ONCE(buf->revoked)) {
		srcu_read_unlock(&mosaic_revoke_srcu, idx);
		return -ENODEV;
	}
	s.nr_synced = mosaic_buf_sync_range(buf, s.offset, s.length,
					    dirs[s.direction],
					    s.flags == MOSAIC_SYNC_END,
					    &first, &nr);
	srcu_read_unlock(&mosaic_revoke_srcu, idx);
	s.first_segment = first;
	s.nr_segments = nr;
	return mosaic_copy_arg_to_user(uarg, &s, sizeof(s));
}
EXPORT_SYMBOL_MOSAIC(mosaic_buf_sync_ioctl);

static int mosaic_ioctl_export(struct mosaic_buf *buf,
			       struct mosaic_export __user *uarg)
{
	struct mosaic_export e;
	struct dma_buf *dmabuf;
	int fd, ret;

	ret = mosaic_copy_arg_from_user(&e, sizeof(e),
					MOSAIC_EXPORT_SIZE_VER0, uarg);
	if (ret)
		return ret;
	ret = mosaic_validate_export(&e, buf->size);
	if (ret)
		return ret;

	dmabuf = __mosaic_buf_export(buf, e.offset, e.length,
				     e.flags & MOSAIC_EXPORT_READ_ONLY);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	/* As for ALLOC: the fd goes live only once user space has it. */
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		dma_buf_put(dmabuf);
		return fd;
	}
	if (put_user(fd, &uarg->fd)) {
		put_unused_fd(fd);
		dma_buf_put(dmabuf);
		return -EFAULT;
	}
	fd_install(fd, dmabuf->file);
	return fd;
}

/* Entry @idx of the segment table, as SEGMENTS reports it. */
static void mosaic_seg_entry(const struct mosaic_buf *buf, unsigned long idx,
			     struct mosaic_seg_entry *ent)
{
	const struct mosaic_dev_range *r;
	struct mosaic_seg seg;

	mosaic_buf_seg(buf, idx, &seg);
	memset(ent, 0, sizeof(*ent));
	ent->offset = (u64)seg.pgoff << PAGE_SHIFT;
	ent->length = (u64)seg.nr_pages << PAGE_SHIFT;
	ent->order = seg.order;
	ent->phys = PFN_PHYS(seg.pfn);
	if (mosaic_buf_has_dev_ranges(buf)) {
		r = &buf->dev_ranges[mosaic_buf_find_dev_range(buf,
							       ent->offset)];
		ent->flags |= MOSAIC_SEG_HAS_DMA;
		ent->dma = r->dma + (ent->offset - r->offset);
		if (r->offset + r->length < ent->offset + ent->length)
			ent->flags |= MOSAIC_SEG_DMA_SPLIT;
	}
}

/* Device range @idx, as SEGMENTS with MOSAIC_SEGMENTS_DEVICE reports it. */
static void mosaic_dev_range_entry(const struct mosaic_buf *buf,
				   unsigned long idx,
				   struct mosaic_seg_entry *ent)
{
	const struct mosaic_dev_range *r = &buf->dev_ranges[idx];

	memset(ent, 0, sizeof(*ent));
	ent->offset = r->offset;
	ent->length = r->length;
	ent->phys = PFN_PHYS(mosaic_buf_pfn(buf, r->offset >> PAGE_SHIFT)) +
		    offset_in_page(r->offset);
	ent->dma = r->dma;
	ent->flags = MOSAIC_SEG_HAS_DMA;
}

static int mosaic_ioctl_segments(struct mosaic_buf *buf,
				 struct mosaic_segments __user *uarg)
{
	bool show = capable(CAP_SYS_ADMIN), device;
	struct mosaic_seg_entry ent;
	struct mosaic_segments g;
	unsigned long nr, i;
	u8 __user *out;
	int ret;

	ret = mosaic_copy_arg_from_user(&g, sizeof(g),
					MOSAIC_SEGMENTS_SIZE_VER0, uarg);
	if (ret)
		return ret;
	ret = mosaic_validate_segments(&g);
	if (ret)
		return ret;

	device = g.flags & MOSAIC_SEGMENTS_DEVICE;
	if (!device)
		nr = mosaic_buf_nr_segs(buf);
	else if (mosaic_buf_has_dev_ranges(buf))
		nr = buf->nr_dev_ranges;
	else
		nr = 0;
	out = u64_to_user_ptr(g.entries);
	for (i = 0; i < g.count && g.first + i < nr; i++) {
		if (device)
			mosaic_dev_range_entry(buf, g.first + i, &ent);
		else
			mosaic_seg_entry(buf, g.first + i, &ent);
		if (!show) {
			ent.phys = 0;
			ent.dma = 0;
			ent.flags |= MOSAIC_SEG_ADDR_HIDDEN;
		}
		/* Bytes of a bigger caller-side entry are cleared. */
		if (copy_to_user(out, &ent, sizeof(ent)) ||
		    clear_user(out + sizeof(ent), g.entry_size - sizeof(ent)))
			return -EFAULT;
		out += g.entry_size;
		if (!(i % 1024))
			cond_resched();
	}
	g.count = i;
	g.nr_segments = nr;
	return mosaic_copy_arg_to_user(uarg, &g, sizeof(g));
}

static long mosaic_buf_do_ioctl(struct mosaic_buf *buf, unsigned int cmd,
				void __user *uarg)
{
	switch (cmd) {
	case MOSAIC_IOC_INFO:
		return mosaic_ioctl_info(buf, uarg);
	case MOSAIC_IOC_SYNC:
		return mosaic_buf_sync_ioctl(buf, uarg);
	case MOSAIC_IOC_EXPORT:
		return mosaic_ioctl_export(buf, uarg);
	case MOSAIC_IOC_SEGMENTS:
		return mosaic_ioctl_segments(buf, uarg);
	default:
		return mosaic_testing_ioctl(buf, cmd, uarg);
	}
}

/**
 * mosaic_buf_ioctl() - ioctls on a buffer fd
 * @buf: the fd's buffer
 * @cmd: ioctl number
 * @uarg: user argument
 *
 * Return: 0 or -errno; -ENOTTY for a number this kernel does not know,
 * -ENODEV for every one once the memory went with its device.
 */
long mosaic_buf_ioctl(struct mosaic_buf *buf, unsigned int cmd,
		      void __user *uarg)
{
	int idx = srcu_read_lock(&mosaic_revoke_srcu);
	long ret;

	ret = mosaic_buf_gone(buf) ? -ENODEV :
				     mosaic_buf_do_ioctl(buf, cmd, uarg);
	srcu_read_unlock(&mosaic_revoke_srcu, idx);
	return ret;
}
