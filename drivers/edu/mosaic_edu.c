// SPDX-License-Identifier: GPL-2.0
/*
 * mosaic_edu: a complete PCI driver for QEMU's "edu" device that uses
 * mosaic's in-kernel API (include/linux/mosaic.h) and nothing else of
 * mosaic's. docs/driver-guide.md walks through it.
 *
 * The edu device has one DMA engine and a 4 KiB buffer of its own at
 * device address 0x40000. It can copy between that buffer and RAM in
 * either direction, and raises an interrupt when a transfer is done. The
 * driver uses it to move a known pattern through mosaic buffers:
 *
 * - to RAM: the CPU writes the pattern into a bounce page of the driver's
 *   (coherent DMA memory), the device copies it into its buffer and from
 *   there into the mosaic buffer, one transfer per device-contiguous run;
 *   user space then reads it through its mapping.
 * - from RAM: user space writes the pattern through its mapping, the
 *   device copies the range into its buffer and from there into the
 *   bounce page, where the CPU checks it.
 *
 * Completion is by interrupt (MSI if the platform gives it, else INTx),
 * with a timeout: the device takes about 100 ms per transfer, and polling
 * would keep a CPU busy for all of that.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/capability.h>
#include <linux/completion.h>
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/iommu.h>
#include <linux/kref.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mosaic.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/rwsem.h>
#include <linux/scatterlist.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <uapi/linux/mosaic_edu.h>

#include "../../kernel/compat.h"

#define EDU_VENDOR_ID		0x1234
#define EDU_DEVICE_ID		0x11e8

/* BAR 0 registers; 0x80 and up take 64-bit accesses. */
#define EDU_REG_LIVENESS	0x04	/* reads back the complement */
#define EDU_REG_IRQ_STATUS	0x24
#define EDU_REG_IRQ_ACK		0x64
#define EDU_REG_DMA_SRC		0x80
#define EDU_REG_DMA_DST		0x88
#define EDU_REG_DMA_COUNT	0x90
#define EDU_REG_DMA_CMD		0x98

#define EDU_DMA_START		BIT(0)	/* write: start; read: busy */
#define EDU_DMA_TO_RAM		BIT(1)	/* device buffer to RAM, else back */
#define EDU_DMA_IRQ		BIT(2)	/* raise EDU_IRQ_DMA when done */
#define EDU_IRQ_DMA		0x100

/*
 * The device's own buffer, in the device's address space, and how much of
 * it one step uses: half. QEMU before 8.0 aborts the whole VM on a
 * transfer that reaches the buffer's last byte (an off-by-one in its range
 * check), and halves keep every step inside one page of the buffer.
 */
#define EDU_BUF_ADDR		0x40000
#define EDU_BUF_SIZE		4096
#define EDU_STEP		(EDU_BUF_SIZE / 2)

/* What edu accepts unless QEMU is told otherwise (-device edu,dma_mask=). */
#define EDU_DEFAULT_DMA_BITS	28

static unsigned int dma_bits;
module_param(dma_bits, uint, 0444);
MODULE_PARM_DESC(dma_bits,
		 "DMA address bits of the device; 0 (default) probes: 28 behind an IOMMU, else 64 if the device really uses them");

static unsigned int max_seg_size;
module_param(max_seg_size, uint, 0444);
MODULE_PARM_DESC(max_seg_size,
		 "Longest DMA segment the device is said to take; 0 (default): any length, 65536: PCI's default, as for a driver that does not set it");

static unsigned int timeout_ms = 10000;
module_param(timeout_ms, uint, 0644);
MODULE_PARM_DESC(timeout_ms, "How long one DMA transfer may take (default 10000 ms)");

/**
 * struct mosaic_edu - one edu device
 * @ref: one for the bound driver, one per open file
 * @pdev: the device, with a reference
 * @regs: BAR 0
 * @misc: ``/dev/mosaic-edu``
 * @gone_sem: held for reading while a file uses the device, for writing
 *	by remove, which sets @gone
 * @gone: the driver was unbound: the files fail with -ENODEV
 * @lock: the DMA engine, its buffer, the bounce page and @dead
 * @dead: a transfer timed out; the device is not used again
 * @dma_done: completed by the interrupt handler
 * @bounce: one coherent page the CPU reads and writes
 * @bounce_dma: its device address
 * @imports_lock: protects @imports
 * @imports: dma-bufs the device imported (&struct mosaic_edu_importer)
 */
struct mosaic_edu {
	struct kref ref;
	struct pci_dev *pdev;
	void __iomem *regs;
	struct miscdevice misc;
	struct rw_semaphore gone_sem;
	bool gone;
	struct mutex lock;	/* the DMA engine and what it uses */
	bool dead;
	struct completion dma_done;
	void *bounce;
	dma_addr_t bounce_dma;
	struct mutex imports_lock;	/* @imports */
	struct list_head imports;
};

/**
 * struct mosaic_edu_buffer - what a buffer fd holds
 * @edu: the device, with a reference
 * @buf: the mosaic buffer, with the driver's reference
 */
struct mosaic_edu_buffer {
	struct mosaic_edu *edu;
	struct mosaic_buf *buf;
};

/**
 * struct mosaic_edu_importer - what an import fd holds
 * @edu: the device, with a reference
 * @dmabuf: the imported dma-buf, with a reference
 * @attach: the edu device's attachment
 * @sgt: the attachment's mapping for the edu device
 * @node: in &mosaic_edu.imports
 * @detached: remove() unmapped and detached it: the device is gone
 */
struct mosaic_edu_importer {
	struct mosaic_edu *edu;
	struct dma_buf *dmabuf;
	struct dma_buf_attachment *attach;
	struct sg_table *sgt;
	struct list_head node;
	bool detached;
};

/**
 * struct mosaic_edu_target - the memory a DMA request goes to
 * @buf: a mosaic buffer allocated for the edu device, or NULL
 * @sgt: else an imported dma-buf's mapping for the edu device
 * @size: bytes
 */
struct mosaic_edu_target {
	struct mosaic_buf *buf;
	struct sg_table *sgt;
	u64 size;
};

static void mosaic_edu_release(struct kref *ref)
{
	struct mosaic_edu *edu = container_of(ref, struct mosaic_edu, ref);

	pci_dev_put(edu->pdev);
	kfree(edu);
}

static void mosaic_edu_put(struct mosaic_edu *edu)
{
	kref_put(&edu->ref, mosaic_edu_release);
}

/* Take @gone_sem for reading; -ENODEV (and not held) once unbound. */
static int mosaic_edu_enter(struct mosaic_edu *edu)
{
	down_read(&edu->gone_sem);
	if (edu->gone) {
		up_read(&edu->gone_sem);
		return -ENODEV;
	}
	return 0;
}

static void mosaic_edu_leave(struct mosaic_edu *edu)
{
	up_read(&edu->gone_sem);
}

/* ------------------------------------------------------------ arguments -- */

/* argsz rules as mosaic's: at least @min_size, at most a page. */
static int mosaic_edu_copy_arg(void *karg, size_t ksize, size_t min_size,
			       const void __user *uarg)
{
	u32 argsz;

	if (get_user(argsz, (const u32 __user *)uarg))
		return -EFAULT;
	if (argsz < min_size)
		return -EINVAL;
	if (argsz > PAGE_SIZE)
		return -E2BIG;
	return copy_struct_from_user(karg, ksize, uarg, argsz);
}

static int mosaic_edu_copy_out(void __user *uarg, const void *karg,
			       size_t ksize)
{
	u32 argsz = *(const u32 *)karg;

	if (copy_to_user(uarg, karg, min_t(size_t, argsz, ksize)))
		return -EFAULT;
	return 0;
}

/*
 * A new O_CLOEXEC fd for @priv: for a buffer fd (@buf set) a file on an
 * inode of its own sized as the buffer, so that strategy huge gets PMDs
 * on kernels that map none past i_size (6.12.y); else an anon-inode file
 * named @name. Its number reaches user space before the fd goes live, so
 * on any error no fd exists and @priv is still the caller's to free.
 */
static int mosaic_edu_install_fd(struct mosaic_buf *buf, const char *name,
				 const struct file_operations *fops,
				 void *priv, __s32 __user *ufd)
{
	struct file *file;
	int fd;

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		return fd;
	if (put_user(fd, ufd)) {
		put_unused_fd(fd);
		return -EFAULT;
	}
	file = buf ? mosaic_buf_file(buf, fops, priv) :
		     anon_inode_getfile(name, fops, priv, O_RDWR);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		return PTR_ERR(file);
	}
	fd_install(fd, file);
	return fd;
}

/* --------------------------------------------------------- DMA engine -- */

static irqreturn_t mosaic_edu_irq(int irq, void *data)
{
	struct mosaic_edu *edu = data;
	u32 status = ioread32(edu->regs + EDU_REG_IRQ_STATUS);

	/* INTx may be shared; ~0 is a device that went away. */
	if (!status || status == ~0U)
		return IRQ_NONE;
	iowrite32(status, edu->regs + EDU_REG_IRQ_ACK);
	if (status & EDU_IRQ_DMA)
		complete(&edu->dma_done);
	return IRQ_HANDLED;
}

/* One transfer of @count bytes; @cmd is 0 (RAM to device) or TO_RAM. */
static int mosaic_edu_xfer(struct mosaic_edu *edu, u64 src, u64 dst,
			   u32 count, u32 cmd)
{
	unsigned long left;

	lockdep_assert_held(&edu->lock);
	if (edu->dead)
		return -EIO;
	reinit_completion(&edu->dma_done);
	writeq(src, edu->regs + EDU_REG_DMA_SRC);
	writeq(dst, edu->regs + EDU_REG_DMA_DST);
	writeq(count, edu->regs + EDU_REG_DMA_COUNT);
	writeq(cmd | EDU_DMA_START | EDU_DMA_IRQ, edu->regs + EDU_REG_DMA_CMD);

	left = wait_for_completion_timeout(&edu->dma_done,
					   msecs_to_jiffies(timeout_ms));
	if (left)
		return 0;
	if (!(readq(edu->regs + EDU_REG_DMA_CMD) & EDU_DMA_START)) {
		dev_warn_once(&edu->pdev->dev, "DMA done without an interrupt\n");
		return 0;
	}
	/* It may still write anywhere it was told to: never use it again. */
	edu->dead = true;
	dev_err(&edu->pdev->dev,
		"DMA of %u bytes did not finish in %u ms; device disabled\n",
		count, timeout_ms);
	return -ETIMEDOUT;
}

/*
 * Device address of byte @off of @t and how many bytes from there are
 * contiguous for the device. For a mosaic buffer that is exactly what
 * mosaic_buf_dma_range() answers; for an imported dma-buf it is the
 * mapped scatterlist entry that holds the byte.
 */
static int mosaic_edu_target_dma(const struct mosaic_edu_target *t, u64 off,
				 dma_addr_t *dma, u64 *len)
{
	struct scatterlist *sg;
	u64 start = 0;
	unsigned int i;

	if (t->buf) {
		size_t run;
		int ret = mosaic_buf_dma_range(t->buf, off, dma, &run);

		*len = run;
		return ret;
	}
	for_each_sgtable_dma_sg(t->sgt, sg, i) {
		if (off < start + sg_dma_len(sg)) {
			*dma = sg_dma_address(sg) + (off - start);
			*len = start + sg_dma_len(sg) - off;
			return 0;
		}
		start += sg_dma_len(sg);
	}
	return -EINVAL;
}

/*
 * Move @step bytes between the device buffer and @t at @off, one transfer
 * per device-contiguous run: a transfer never crosses a place where the
 * buffer's device addresses jump.
 */
static int mosaic_edu_runs(struct mosaic_edu *edu,
			   const struct mosaic_edu_target *t, u64 off,
			   u32 step, bool to_ram, struct mosaic_edu_dma *d)
{
	u32 pos, len;
	int ret;

	for (pos = 0; pos < step; pos += len) {
		dma_addr_t dma;
		u64 run;

		ret = mosaic_edu_target_dma(t, off + pos, &dma, &run);
		if (ret)
			return ret;
		len = min_t(u64, run, step - pos);
		if (to_ram)
			ret = mosaic_edu_xfer(edu, EDU_BUF_ADDR + pos, dma, len,
					      EDU_DMA_TO_RAM);
		else
			ret = mosaic_edu_xfer(edu, dma, EDU_BUF_ADDR + pos, len,
					      0);
		if (ret)
			return ret;
		d->nr_transfers++;
	}
	return 0;
}

/* The pattern goes bounce page -> device -> @t. */
static int mosaic_edu_step_to_ram(struct mosaic_edu *edu,
				  const struct mosaic_edu_target *t, u64 off,
				  u32 step, struct mosaic_edu_dma *d)
{
	u64 *word = edu->bounce;
	u32 i;
	int ret;

	for (i = 0; i < step / sizeof(u64); i++)
		word[i] = mosaic_pattern_word(d->seed, off + i * sizeof(u64));
	ret = mosaic_edu_xfer(edu, edu->bounce_dma, EDU_BUF_ADDR, step, 0);
	if (ret)
		return ret;
	return mosaic_edu_runs(edu, t, off, step, true, d);
}

/* @t -> device -> bounce page, where the CPU checks the pattern. */
static int mosaic_edu_step_from_ram(struct mosaic_edu *edu,
				    const struct mosaic_edu_target *t, u64 off,
				    u32 step, struct mosaic_edu_dma *d)
{
	const u64 *word = edu->bounce;
	u32 i;
	int ret;

	/* Stale bounce contents must not pass for what the device read. */
	memset(edu->bounce, 0, step);
	ret = mosaic_edu_runs(edu, t, off, step, false, d);
	if (ret)
		return ret;
	ret = mosaic_edu_xfer(edu, EDU_BUF_ADDR, edu->bounce_dma, step,
			      EDU_DMA_TO_RAM);
	if (ret)
		return ret;
	for (i = 0; i < step / sizeof(u64); i++) {
		u64 o = off + i * sizeof(u64);

		if (word[i] == mosaic_pattern_word(d->seed, o))
			continue;
		if (!d->mismatches)
			d->first_mismatch = o;
		d->mismatches++;
	}
	return 0;
}

/* The whole request, EDU_STEP bytes at a time. */
static int mosaic_edu_run(struct mosaic_edu *edu,
			  const struct mosaic_edu_target *t,
			  struct mosaic_edu_dma *d)
{
	u64 done;
	u32 step;
	int ret;

	ret = mutex_lock_killable(&edu->lock);
	if (ret)
		return ret;
	for (done = 0; done < d->length; done += step) {
		step = min_t(u64, d->length - done, EDU_STEP);
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		if (d->direction == MOSAIC_EDU_TO_RAM)
			ret = mosaic_edu_step_to_ram(edu, t, d->offset + done,
						     step, d);
		else
			ret = mosaic_edu_step_from_ram(edu, t,
						       d->offset + done, step,
						       d);
		if (ret)
			break;
	}
	mutex_unlock(&edu->lock);
	return ret;
}

/* ------------------------------------------------------ DMA and INFO -- */

static int mosaic_edu_ioctl_dma(struct mosaic_edu *edu,
				const struct mosaic_edu_target *t,
				void __user *uarg)
{
	struct mosaic_edu_dma d;
	enum dma_data_direction dir;
	bool sync;
	int ret;

	ret = mosaic_edu_copy_arg(&d, sizeof(d), MOSAIC_EDU_DMA_SIZE_VER0,
				  uarg);
	if (ret)
		return ret;
	if ((d.flags & ~MOSAIC_EDU_DMA_CALLER_SYNCS) || d.__pad ||
	    memchr_inv(d.__reserved, 0, sizeof(d.__reserved)))
		return -EINVAL;
	if (d.direction != MOSAIC_EDU_TO_RAM &&
	    d.direction != MOSAIC_EDU_FROM_RAM)
		return -EINVAL;
	if (!d.length || !IS_ALIGNED(d.offset | d.length, sizeof(u64)) ||
	    d.offset >= t->size || d.length > t->size - d.offset)
		return -EINVAL;
	d.mismatches = 0;
	d.first_mismatch = ~0ULL;
	d.nr_transfers = 0;
	dir = d.direction == MOSAIC_EDU_TO_RAM ? DMA_FROM_DEVICE :
						 DMA_TO_DEVICE;

	ret = mosaic_edu_enter(edu);
	if (ret)
		return ret;
	/*
	 * The range belongs to the device from here on: write back what the
	 * CPU wrote, and drop stale lines the device is about to overwrite.
	 * An importer leaves that to the dma-buf's user (DMA_BUF_IOCTL_SYNC),
	 * and with CALLER_SYNCS user space does it with MOSAIC_IOC_SYNC.
	 */
	sync = t->buf && !(d.flags & MOSAIC_EDU_DMA_CALLER_SYNCS);
	if (sync)
		mosaic_buf_sync(t->buf, d.offset, d.length, dir, true);
	ret = mosaic_edu_run(edu, t, &d);
	if (sync)
		mosaic_buf_sync(t->buf, d.offset, d.length, dir, false);
	mosaic_edu_leave(edu);
	if (ret)
		return ret;
	return mosaic_edu_copy_out(uarg, &d, sizeof(d));
}

static phys_addr_t mosaic_edu_kaddr_phys(void *kaddr)
{
	if (is_vmalloc_addr(kaddr))
		return page_to_phys(vmalloc_to_page(kaddr)) +
		       offset_in_page(kaddr);
	return virt_to_phys(kaddr);
}

/* Whether an IOMMU translates the device's addresses. */
static bool mosaic_edu_translated(struct device *dev)
{
	struct iommu_domain *domain = iommu_get_domain_for_dev(dev);

	return domain && (domain->type & __IOMMU_DOMAIN_PAGING);
}

static int mosaic_edu_ioctl_info(struct mosaic_edu *edu,
				 const struct mosaic_edu_target *t,
				 void __user *uarg)
{
	struct device *dev = &edu->pdev->dev;
	struct mosaic_edu_info in;
	phys_addr_t phys;
	dma_addr_t dma;
	int ret;

	ret = mosaic_edu_copy_arg(&in, sizeof(in), MOSAIC_EDU_INFO_SIZE_VER0,
				  uarg);
	if (ret)
		return ret;
	if (in.flags || in.__pad ||
	    memchr_inv(in.__reserved, 0, sizeof(in.__reserved)))
		return -EINVAL;
	if (in.offset >= t->size)
		return -EINVAL;

	if (t->buf) {
		size_t seg_len, dma_len;
		void *kaddr;

		ret = mosaic_buf_kaddr_range(t->buf, in.offset, &kaddr,
					     &seg_len);
		if (ret)
			return ret;
		ret = mosaic_buf_dma_range(t->buf, in.offset, &dma, &dma_len);
		if (ret)
			return ret;
		phys = mosaic_edu_kaddr_phys(kaddr);
		in.seg_len = seg_len;
		in.dma_len = dma_len;
	} else {
		/*
		 * An importer knows device addresses only: the pages behind a
		 * dma-buf are the exporter's business (CONFIG_DMABUF_DEBUG
		 * even scrambles them in the importer's copy of the table).
		 */
		phys = 0;
		in.seg_len = 0;
		ret = mosaic_edu_target_dma(t, in.offset, &dma, &in.dma_len);
		if (ret)
			return ret;
	}
	in.dma_mask = dma_get_mask(dev);
	in.info_flags = mosaic_edu_translated(dev) ?
			MOSAIC_EDU_INFO_TRANSLATED : 0;
	/* Addresses tell where kernel memory is: admins only. */
	if (capable(CAP_SYS_ADMIN)) {
		in.dma = dma;
		in.phys = phys;
	} else {
		in.dma = 0;
		in.phys = 0;
		in.info_flags |= MOSAIC_EDU_INFO_ADDR_HIDDEN;
	}
	return mosaic_edu_copy_out(uarg, &in, sizeof(in));
}

/* --------------------------------------------------------- buffer fds -- */

static int mosaic_edu_buf_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct mosaic_edu_buffer *eb = file->private_data;

	/* The VMA takes its own buffer reference: it outlives this fd. */
	return mosaic_buf_mmap(eb->buf, vma);
}

static int mosaic_edu_buf_release(struct inode *inode, struct file *file)
{
	struct mosaic_edu_buffer *eb = file->private_data;

	mosaic_buf_put(eb->buf);
	mosaic_edu_put(eb->edu);
	kfree(eb);
	return 0;
}

static int mosaic_edu_ioctl_export(struct mosaic_edu_buffer *eb,
				   void __user *uarg)
{
	struct mosaic_edu_export __user *ue = uarg;
	struct mosaic_edu_export e;
	struct dma_buf *dmabuf;
	int fd, ret;

	ret = mosaic_edu_copy_arg(&e, sizeof(e), MOSAIC_EDU_EXPORT_SIZE_VER0,
				  uarg);
	if (ret)
		return ret;
	if (e.flags || e.__pad ||
	    memchr_inv(e.__reserved, 0, sizeof(e.__reserved)))
		return -EINVAL;

	dmabuf = mosaic_buf_export(eb->buf, e.offset, e.length);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto err_put;
	}
	if (put_user(fd, &ue->fd)) {
		put_unused_fd(fd);
		ret = -EFAULT;
		goto err_put;
	}
	fd_install(fd, dmabuf->file);
	return fd;

err_put:
	dma_buf_put(dmabuf);
	return ret;
}

/* mosaic's own SYNC, while the device is there to sync for. */
static int mosaic_edu_ioctl_sync(struct mosaic_edu_buffer *eb,
				 void __user *uarg)
{
	int ret = mosaic_edu_enter(eb->edu);

	if (ret)
		return ret;
	ret = mosaic_buf_sync_ioctl(eb->buf, uarg);
	mosaic_edu_leave(eb->edu);
	return ret;
}

static long mosaic_edu_buf_ioctl(struct file *file, unsigned int cmd,
				 unsigned long arg)
{
	struct mosaic_edu_buffer *eb = file->private_data;
	struct mosaic_edu_target t = {
		.buf = eb->buf,
		.size = mosaic_buf_size(eb->buf),
	};
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case MOSAIC_EDU_IOC_DMA:
		return mosaic_edu_ioctl_dma(eb->edu, &t, uarg);
	case MOSAIC_EDU_IOC_INFO:
		return mosaic_edu_ioctl_info(eb->edu, &t, uarg);
	case MOSAIC_EDU_IOC_EXPORT:
		return mosaic_edu_ioctl_export(eb, uarg);
	case MOSAIC_IOC_SYNC:
		return mosaic_edu_ioctl_sync(eb, uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations mosaic_edu_buf_fops = {
	.owner = THIS_MODULE,
	.mmap = mosaic_edu_buf_mmap,
	/* PMD-aligned addresses for huge buffers (harmless for the rest). */
	.get_unmapped_area = mosaic_buf_get_unmapped_area,
	.release = mosaic_edu_buf_release,
	.unlocked_ioctl = mosaic_edu_buf_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static int mosaic_edu_ioctl_alloc(struct mosaic_edu *edu, void __user *uarg)
{
	struct mosaic_edu_alloc __user *ua = uarg;
	struct mosaic_buf_params params = {};
	struct mosaic_edu_buffer *eb;
	struct mosaic_edu_alloc a;
	int ret;

	ret = mosaic_edu_copy_arg(&a, sizeof(a), MOSAIC_EDU_ALLOC_SIZE_VER0,
				  uarg);
	if (ret)
		return ret;
	if (a.flags || memchr_inv(a.__reserved, 0, sizeof(a.__reserved)))
		return -EINVAL;
	/* Device memory is not something the device DMAs into. */
	if (a.backend == MOSAIC_BACKEND_MMIO || a.size > SIZE_MAX ||
	    a.chunk_size > SIZE_MAX)
		return -EINVAL;
	params.size = a.size;
	params.backend = a.backend;
	params.strategy = a.strategy;
	params.max_order = a.max_order;
	params.chunk_size = a.chunk_size;

	eb = kzalloc(sizeof(*eb), GFP_KERNEL);
	if (!eb)
		return -ENOMEM;
	ret = mosaic_edu_enter(edu);
	if (ret)
		goto err_free_eb;
	/* Allocated for our device: mosaic maps it for the device too. */
	eb->buf = mosaic_buf_alloc(&edu->pdev->dev, &params);
	mosaic_edu_leave(edu);
	if (IS_ERR(eb->buf)) {
		ret = PTR_ERR(eb->buf);
		goto err_free_eb;
	}
	kref_get(&edu->ref);
	eb->edu = edu;

	ret = mosaic_edu_install_fd(eb->buf, NULL, &mosaic_edu_buf_fops, eb,
				    &ua->fd);
	if (ret < 0)
		goto err_put;
	return ret;

err_put:
	mosaic_edu_put(edu);
	mosaic_buf_put(eb->buf);
err_free_eb:
	kfree(eb);
	return ret;
}

/* --------------------------------------------------------- import fds -- */

/* Unmap and detach, once; under @imports_lock. */
static void mosaic_edu_import_detach(struct mosaic_edu_importer *im)
{
	lockdep_assert_held(&im->edu->imports_lock);
	if (im->detached)
		return;
	mosaic_dma_buf_unmap_attachment_unlocked(im->attach, im->sgt,
						 DMA_BIDIRECTIONAL);
	dma_buf_detach(im->dmabuf, im->attach);
	im->detached = true;
}

static void mosaic_edu_import_free(struct mosaic_edu_importer *im)
{
	struct mosaic_edu *edu = im->edu;

	mutex_lock(&edu->imports_lock);
	list_del(&im->node);
	mosaic_edu_import_detach(im);
	mutex_unlock(&edu->imports_lock);
	dma_buf_put(im->dmabuf);
	mosaic_edu_put(edu);
	kfree(im);
}

static int mosaic_edu_import_release(struct inode *inode, struct file *file)
{
	mosaic_edu_import_free(file->private_data);
	return 0;
}

static long mosaic_edu_import_ioctl(struct file *file, unsigned int cmd,
				    unsigned long arg)
{
	struct mosaic_edu_importer *im = file->private_data;
	struct mosaic_edu_target t = {
		.sgt = im->sgt,
		.size = im->dmabuf->size,
	};
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case MOSAIC_EDU_IOC_DMA:
		return mosaic_edu_ioctl_dma(im->edu, &t, uarg);
	case MOSAIC_EDU_IOC_INFO:
		return mosaic_edu_ioctl_info(im->edu, &t, uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations mosaic_edu_import_fops = {
	.owner = THIS_MODULE,
	.release = mosaic_edu_import_release,
	.unlocked_ioctl = mosaic_edu_import_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static int mosaic_edu_ioctl_import(struct mosaic_edu *edu, void __user *uarg)
{
	struct mosaic_edu_import __user *ui = uarg;
	struct mosaic_edu_importer *im;
	struct mosaic_edu_import imp;
	struct scatterlist *sg;
	unsigned int i;
	int ret;

	ret = mosaic_edu_copy_arg(&imp, sizeof(imp),
				  MOSAIC_EDU_IMPORT_SIZE_VER0, uarg);
	if (ret)
		return ret;
	if (imp.flags || memchr_inv(imp.__reserved, 0, sizeof(imp.__reserved)))
		return -EINVAL;

	im = kzalloc(sizeof(*im), GFP_KERNEL);
	if (!im)
		return -ENOMEM;
	ret = mosaic_edu_enter(edu);
	if (ret)
		goto err_free_im;
	im->dmabuf = dma_buf_get(imp.dmabuf_fd);
	if (IS_ERR(im->dmabuf)) {
		ret = PTR_ERR(im->dmabuf);
		goto err_leave;
	}
	im->attach = dma_buf_attach(im->dmabuf, &edu->pdev->dev);
	if (IS_ERR(im->attach)) {
		ret = PTR_ERR(im->attach);
		goto err_put_dmabuf;
	}
	im->sgt = mosaic_dma_buf_map_attachment_unlocked(im->attach,
							 DMA_BIDIRECTIONAL);
	if (IS_ERR(im->sgt)) {
		ret = PTR_ERR(im->sgt);
		goto err_detach;
	}
	kref_get(&edu->ref);
	im->edu = edu;
	mutex_lock(&edu->imports_lock);
	list_add(&im->node, &edu->imports);
	mutex_unlock(&edu->imports_lock);
	mosaic_edu_leave(edu);

	imp.size = im->dmabuf->size;
	imp.nents = 0;
	for_each_sgtable_dma_sg(im->sgt, sg, i)
		imp.nents++;
	if (put_user(imp.size, &ui->size) || put_user(imp.nents, &ui->nents)) {
		ret = -EFAULT;
		goto err_free;
	}
	ret = mosaic_edu_install_fd(NULL, "[mosaic-edu-import]",
				    &mosaic_edu_import_fops, im, &ui->fd);
	if (ret < 0)
		goto err_free;
	return ret;

err_free:
	mosaic_edu_import_free(im);
	return ret;
err_detach:
	dma_buf_detach(im->dmabuf, im->attach);
err_put_dmabuf:
	dma_buf_put(im->dmabuf);
err_leave:
	mosaic_edu_leave(edu);
err_free_im:
	kfree(im);
	return ret;
}

/* ---------------------------------------------------- /dev/mosaic-edu -- */

static int mosaic_edu_open(struct inode *inode, struct file *file)
{
	/* misc_open() holds misc_mtx: remove cannot have run yet. */
	struct mosaic_edu *edu = container_of(file->private_data,
					      struct mosaic_edu, misc);

	kref_get(&edu->ref);
	file->private_data = edu;
	return 0;
}

static int mosaic_edu_dev_release(struct inode *inode, struct file *file)
{
	mosaic_edu_put(file->private_data);
	return 0;
}

static long mosaic_edu_dev_ioctl(struct file *file, unsigned int cmd,
				 unsigned long arg)
{
	struct mosaic_edu *edu = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case MOSAIC_EDU_IOC_ALLOC:
		return mosaic_edu_ioctl_alloc(edu, uarg);
	case MOSAIC_EDU_IOC_IMPORT:
		return mosaic_edu_ioctl_import(edu, uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations mosaic_edu_dev_fops = {
	.owner = THIS_MODULE,
	.open = mosaic_edu_open,
	.release = mosaic_edu_dev_release,
	.unlocked_ioctl = mosaic_edu_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

/* -------------------------------------------------------- probe/remove -- */

/*
 * Whether the device really drives address bits above the edu default.
 * Its own DMA registers are the test pattern: the device copies them,
 * read through BAR 0 (which sits above 256 MiB on any PC), into its
 * buffer and from there into the bounce page, which lies below the
 * default. While the copy runs they hold exactly what we wrote: source,
 * destination, count and command. A device that drops the high bits reads
 * some other (RAM) address instead, which is harmless: nothing is ever
 * written anywhere but the bounce page, which every device can reach. No
 * memory has to be found above the limit, which early after boot is hard.
 */
static bool mosaic_edu_probe_wide(struct mosaic_edu *edu)
{
	struct device *dev = &edu->pdev->dev;
	phys_addr_t regs = pci_resource_start(edu->pdev, 0) + EDU_REG_DMA_SRC;
	u64 want[4];
	dma_addr_t dma;
	bool wide = false;

	if (!(regs >> EDU_DEFAULT_DMA_BITS) || dma_set_mask(dev, DMA_BIT_MASK(64)))
		return false;
	dma = dma_map_resource(dev, regs, sizeof(want), DMA_TO_DEVICE, 0);
	if (dma_mapping_error(dev, dma))
		return false;
	want[0] = dma;
	want[1] = EDU_BUF_ADDR;
	want[2] = sizeof(want);
	want[3] = EDU_DMA_START | EDU_DMA_IRQ;
	memset(edu->bounce, 0, sizeof(want));
	mutex_lock(&edu->lock);
	if (!mosaic_edu_xfer(edu, dma, EDU_BUF_ADDR, sizeof(want), 0) &&
	    !mosaic_edu_xfer(edu, EDU_BUF_ADDR, edu->bounce_dma, sizeof(want),
			     EDU_DMA_TO_RAM))
		wide = !memcmp(edu->bounce, want, sizeof(want));
	mutex_unlock(&edu->lock);
	dma_unmap_resource(dev, dma, sizeof(want), DMA_TO_DEVICE, 0);
	return wide;
}

/*
 * The DMA mask: the dma_bits parameter if given; behind an IOMMU the edu
 * default, since the IOMMU hands out addresses below any mask; without
 * one, 64 bits if the device really drives them, else the default (and
 * memory above it cannot be mapped).
 */
static int mosaic_edu_setup_dma(struct mosaic_edu *edu)
{
	struct device *dev = &edu->pdev->dev;
	unsigned int bits = dma_bits ?: EDU_DEFAULT_DMA_BITS;
	int ret;

	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(bits));
	if (ret)
		return ret;
	/*
	 * The driver programs every transfer itself, a few KiB at a time,
	 * so one scatterlist entry may be any length; PCI's default limit
	 * (64 KiB) would only make the tables longer. max_seg_size keeps a
	 * limit, for the tests of devices whose drivers set none.
	 */
	ret = mosaic_dma_set_max_seg_size(dev, max_seg_size ?: UINT_MAX);
	if (ret)
		return ret;
	/* Under the narrowest mask, so it works whatever the probe finds. */
	edu->bounce = dma_alloc_coherent(dev, PAGE_SIZE, &edu->bounce_dma,
					 GFP_KERNEL);
	if (!edu->bounce)
		return -ENOMEM;
	if (dma_bits || mosaic_edu_translated(dev))
		return 0;

	if (mosaic_edu_probe_wide(edu))
		bits = 64;
	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(bits));
	if (ret)
		goto err_free_bounce;
	if (bits == EDU_DEFAULT_DMA_BITS)
		dev_warn(dev,
			 "no IOMMU and only %u DMA address bits: memory above them cannot be used (QEMU: -device edu,dma_mask=...)\n",
			 bits);
	return 0;

err_free_bounce:
	dma_free_coherent(dev, PAGE_SIZE, edu->bounce, edu->bounce_dma);
	return ret;
}

static int mosaic_edu_probe(struct pci_dev *pdev,
			    const struct pci_device_id *id)
{
	struct mosaic_edu *edu;
	u32 live;
	int ret;

	edu = kzalloc(sizeof(*edu), GFP_KERNEL);
	if (!edu)
		return -ENOMEM;
	kref_init(&edu->ref);
	init_rwsem(&edu->gone_sem);
	mutex_init(&edu->lock);
	init_completion(&edu->dma_done);
	mutex_init(&edu->imports_lock);
	INIT_LIST_HEAD(&edu->imports);
	edu->pdev = pci_dev_get(pdev);

	ret = pci_enable_device(pdev);
	if (ret)
		goto err_put;
	/*
	 * Ours alone while bound: a BAR mapped through /dev/mosaic's mmio
	 * backend is held by "mosaic" and refused here, so user space and
	 * the driver never both write the registers.
	 */
	ret = pci_request_region(pdev, 0, KBUILD_MODNAME);
	if (ret) {
		dev_err(&pdev->dev, "BAR 0 is held by someone else (/proc/iomem names who): %d\n",
			ret);
		goto err_disable;
	}
	edu->regs = pci_iomap(pdev, 0, 0);
	if (!edu->regs) {
		ret = -ENOMEM;
		goto err_release;
	}
	iowrite32(0x6d6f7361, edu->regs + EDU_REG_LIVENESS);
	live = ioread32(edu->regs + EDU_REG_LIVENESS);
	if (live != ~0x6d6f7361U) {
		dev_err(&pdev->dev, "liveness check failed (%#x)\n", live);
		ret = -ENODEV;
		goto err_unmap;
	}
	pci_set_master(pdev);

	ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI | MOSAIC_PCI_IRQ_INTX);
	if (ret < 0)
		goto err_clear_master;
	ret = request_irq(pci_irq_vector(pdev, 0), mosaic_edu_irq,
			  pdev->msi_enabled ? 0 : IRQF_SHARED, KBUILD_MODNAME,
			  edu);
	if (ret)
		goto err_free_vectors;

	ret = mosaic_edu_setup_dma(edu);
	if (ret)
		goto err_free_irq;

	edu->misc.minor = MISC_DYNAMIC_MINOR;
	edu->misc.name = "mosaic-edu";
	edu->misc.fops = &mosaic_edu_dev_fops;
	edu->misc.parent = &pdev->dev;
	/* Root only: buffers pin memory and INFO may show addresses. */
	edu->misc.mode = 0600;
	ret = misc_register(&edu->misc);
	if (ret)
		goto err_free_bounce;
	pci_set_drvdata(pdev, edu);
	dev_info(&pdev->dev, "%s interrupt, %u-bit DMA, %s\n",
		 pdev->msi_enabled ? "MSI" : "INTx",
		 fls64(dma_get_mask(&pdev->dev)),
		 mosaic_edu_translated(&pdev->dev) ? "IOMMU-translated" :
						     "direct");
	return 0;

err_free_bounce:
	dma_free_coherent(&pdev->dev, PAGE_SIZE, edu->bounce, edu->bounce_dma);
err_free_irq:
	free_irq(pci_irq_vector(pdev, 0), edu);
err_free_vectors:
	pci_free_irq_vectors(pdev);
err_clear_master:
	pci_clear_master(pdev);
err_unmap:
	pci_iounmap(pdev, edu->regs);
err_release:
	pci_release_region(pdev, 0);
err_disable:
	pci_disable_device(pdev);
err_put:
	mosaic_edu_put(edu);
	return ret;
}

/*
 * The device is going (unbind, sysfs remove or a hot unplug): stop using
 * it and give back everything mapped for it while its DMA operations are
 * still there. Files user space still holds stay open, but their ioctls
 * fail with -ENODEV from here on. The imports are unmapped and detached
 * now; mosaic itself revokes the buffers allocated for the device once
 * this returns (their memory, if the device owned it, goes with it).
 */
static void mosaic_edu_remove(struct pci_dev *pdev)
{
	struct mosaic_edu *edu = pci_get_drvdata(pdev);
	struct mosaic_edu_importer *im;

	misc_deregister(&edu->misc);
	/* Waits for every ioctl that is using the device. */
	down_write(&edu->gone_sem);
	edu->gone = true;
	up_write(&edu->gone_sem);

	mutex_lock(&edu->imports_lock);
	list_for_each_entry(im, &edu->imports, node)
		mosaic_edu_import_detach(im);
	mutex_unlock(&edu->imports_lock);

	dma_free_coherent(&pdev->dev, PAGE_SIZE, edu->bounce, edu->bounce_dma);
	free_irq(pci_irq_vector(pdev, 0), edu);
	pci_free_irq_vectors(pdev);
	pci_clear_master(pdev);
	pci_iounmap(pdev, edu->regs);
	pci_release_region(pdev, 0);
	pci_disable_device(pdev);
	mosaic_edu_put(edu);
}

static const struct pci_device_id mosaic_edu_ids[] = {
	{ PCI_DEVICE(EDU_VENDOR_ID, EDU_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, mosaic_edu_ids);

/*
 * No bind/unbind files in sysfs: an unbind would take the device from
 * under user space's buffers for no reason a sample driver has. The
 * driver goes away with its module, which every buffer fd, mapping, import
 * and dma-bufs of its buffers pin, or when the device itself goes (sysfs
 * remove, a hot unplug), which remove() and mosaic handle (t36; tests t06
 * and t53 for the rest, docs/security.md).
 */
static struct pci_driver mosaic_edu_driver = {
	.name = KBUILD_MODNAME,
	.id_table = mosaic_edu_ids,
	.probe = mosaic_edu_probe,
	.remove = mosaic_edu_remove,
	.driver = {
		.suppress_bind_attrs = true,
	},
};
module_pci_driver(mosaic_edu_driver);

static_assert(sizeof(struct mosaic_edu_alloc) == MOSAIC_EDU_ALLOC_SIZE_VER0);
static_assert(sizeof(struct mosaic_edu_dma) == MOSAIC_EDU_DMA_SIZE_VER0);
static_assert(sizeof(struct mosaic_edu_info) == MOSAIC_EDU_INFO_SIZE_VER0);
static_assert(sizeof(struct mosaic_edu_import) ==
	      MOSAIC_EDU_IMPORT_SIZE_VER0);
static_assert(sizeof(struct mosaic_edu_export) ==
	      MOSAIC_EDU_EXPORT_SIZE_VER0);

MOSAIC_MODULE_IMPORT_NS_DMA_BUF();
MOSAIC_IMPORT_NS();
MODULE_SOFTDEP("pre: mosaic");
MODULE_DESCRIPTION("QEMU edu device DMA into mosaic buffers: sample mosaic driver");
MODULE_LICENSE("GPL");
