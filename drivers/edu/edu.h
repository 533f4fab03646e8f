/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mosaic_edu: a complete PCI driver for QEMU's "edu" device that uses
 * mosaic's in-kernel API (include/linux/mosaic.h) and nothing else of
 * mosaic's. docs/driver-guide.md walks through it. Its files:
 *
 * - pci.c: probe and remove, the DMA mask, the module.
 * - engine.c: the device's DMA engine, and moving the pattern with it.
 * - ioctl.c: /dev/mosaic-edu, the argument rules, the DMA and INFO
 *   commands that buffer and import fds share.
 * - buffer.c: buffer fds (ALLOC), their mmap, EXPORT and SYNC.
 * - import.c: import fds (IMPORT) of dma-bufs.
 * - compat.h: the kernel differences, one shim each.
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
#ifndef _EDU_H
#define _EDU_H

#include <linux/completion.h>
#include <linux/fs.h>
#include <linux/interrupt.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/mosaic.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/rwsem.h>
#include <linux/scatterlist.h>
#include <uapi/linux/mosaic_edu.h>

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

/**
 * struct mosaic_edu - one edu device
 * @ref: one for the bound driver (dropped after the device's managed
 *	resources), one per open file
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

/* pci.c */
void mosaic_edu_put(struct mosaic_edu *edu);
bool mosaic_edu_translated(struct device *dev);

/* engine.c */
irqreturn_t mosaic_edu_irq(int irq, void *data);
int mosaic_edu_xfer(struct mosaic_edu *edu, u64 src, u64 dst, u32 count,
		    u32 cmd);
int mosaic_edu_target_dma(const struct mosaic_edu_target *t, u64 off,
			  dma_addr_t *dma, u64 *len);
int mosaic_edu_run(struct mosaic_edu *edu, const struct mosaic_edu_target *t,
		   struct mosaic_edu_dma *d);

/* ioctl.c */
extern const struct file_operations mosaic_edu_dev_fops;
int mosaic_edu_enter(struct mosaic_edu *edu);
void mosaic_edu_leave(struct mosaic_edu *edu);
int mosaic_edu_copy_arg(unsigned int cmd, void *karg, size_t ksize,
			const void __user *uarg);
int mosaic_edu_copy_out(void __user *uarg, const void *karg, size_t ksize);
int mosaic_edu_install_fd(struct mosaic_buf *buf, const char *name,
			  const struct file_operations *fops, void *priv,
			  __s32 __user *ufd);
long mosaic_edu_ioctl_dma(struct mosaic_edu *edu,
			  const struct mosaic_edu_target *t, void __user *uarg);
long mosaic_edu_ioctl_info(struct mosaic_edu *edu,
			   const struct mosaic_edu_target *t,
			   void __user *uarg);

/* buffer.c */
long mosaic_edu_ioctl_alloc(struct mosaic_edu *edu, void __user *uarg);

/* import.c */
long mosaic_edu_ioctl_import(struct mosaic_edu *edu, void __user *uarg);
void mosaic_edu_imports_detach(struct mosaic_edu *edu);

#endif /* _EDU_H */
