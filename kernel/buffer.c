// SPDX-License-Identifier: GPL-2.0
/*
 * The buffer object: its lifetime, its fd and its VMAs.
 *
 * Lifetime rule: one kref counts the buffer fd, every VMA that maps the
 * buffer and every in-kernel user. The backend frees the memory when the
 * last reference goes, whichever it is. The module cannot be unloaded
 * meanwhile because the buffer fd (and, after close(), each VMA's vm_file,
 * which is the same file) pins it through fops->owner.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "compat.h"
#include "mosaic_internal.h"

static const struct mosaic_backend_ops *mosaic_backend_lookup(u32 id)
{
	switch (id) {
	case MOSAIC_BACKEND_PAGES:
		return &mosaic_backend_pages;
	default:
		return NULL;
	}
}

/* Resolve AUTO to the default and refuse unknown strategies. */
static int mosaic_strategy_resolve(u32 *strategy,
				   const struct mosaic_map_ops **ops)
{
	if (*strategy == MOSAIC_STRATEGY_AUTO)
		*strategy = MOSAIC_STRATEGY_INSERT_PAGES;

	switch (*strategy) {
	case MOSAIC_STRATEGY_INSERT_PAGES:
		*ops = &mosaic_strategy_insert_pages;
		return 0;
	default:
		return -EINVAL;
	}
}

/**
 * mosaic_buf_create() - allocate a buffer as @req describes
 * @req: a validated %MOSAIC_IOC_ALLOC request (flags and reserved are zero)
 *
 * Return: a buffer holding one reference, or an ERR_PTR: -EINVAL for a zero
 * size or an unknown backend or strategy, -EFBIG above the module's limit,
 * -ENOMEM or -EINTR from the backend.
 */
struct mosaic_buf *mosaic_buf_create(const struct mosaic_alloc *req)
{
	const struct mosaic_map_ops *strategy;
	const struct mosaic_backend_ops *backend;
	struct mosaic_buf *buf;
	u32 strategy_id = req->strategy;
	int ret;

	if (!req->size)
		return ERR_PTR(-EINVAL);
	backend = mosaic_backend_lookup(req->backend);
	if (!backend)
		return ERR_PTR(-EINVAL);
	ret = mosaic_strategy_resolve(&strategy_id, &strategy);
	if (ret)
		return ERR_PTR(ret);
	/* Compare before rounding so a size near U64_MAX cannot wrap. */
	if (req->size > READ_ONCE(mosaic_max_buffer_size))
		return ERR_PTR(-EFBIG);

	buf = kzalloc(sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return ERR_PTR(-ENOMEM);
	kref_init(&buf->ref);
	buf->size = PAGE_ALIGN(req->size);
	buf->nr_pages = buf->size >> PAGE_SHIFT;
	buf->backend_id = req->backend;
	buf->strategy_id = strategy_id;
	buf->backend = backend;
	buf->strategy = strategy;
	atomic_long_set(&buf->nr_maps, 0);

	ret = backend->alloc(buf);
	if (ret)
		goto err_free_buf;

	atomic_long_inc(&mosaic_ledger.buffers);
	atomic_long_inc(&mosaic_ledger.total_buffers);
	return buf;

err_free_buf:
	kfree(buf);
	return ERR_PTR(ret);
}

static void mosaic_buf_release(struct kref *ref)
{
	struct mosaic_buf *buf = container_of(ref, struct mosaic_buf, ref);

	buf->backend->free(buf);
	atomic_long_dec(&mosaic_ledger.buffers);
	kfree(buf);
}

void mosaic_buf_get(struct mosaic_buf *buf)
{
	kref_get(&buf->ref);
}

void mosaic_buf_put(struct mosaic_buf *buf)
{
	kref_put(&buf->ref, mosaic_buf_release);
}

/**
 * mosaic_buf_page() - the page that backs one page of the buffer
 * @buf: the buffer
 * @pgoff: page index inside the buffer
 *
 * Return: the page, or NULL if @pgoff is past the end.
 */
struct page *mosaic_buf_page(struct mosaic_buf *buf, pgoff_t pgoff)
{
	if (pgoff >= buf->nr_pages)
		return NULL;
	return buf->pages[pgoff];
}

static void mosaic_vm_open(struct vm_area_struct *vma)
{
	struct mosaic_buf *buf = vma->vm_private_data;

	/* A VMA split, fork or mremap created another VMA on this buffer. */
	mosaic_buf_get(buf);
	atomic_long_inc(&buf->nr_maps);
	atomic_long_inc(&mosaic_ledger.maps);
}

static void mosaic_vm_close(struct vm_area_struct *vma)
{
	struct mosaic_buf *buf = vma->vm_private_data;

	atomic_long_dec(&mosaic_ledger.maps);
	atomic_long_dec(&buf->nr_maps);
	mosaic_buf_put(buf);
}

static vm_fault_t mosaic_vm_fault(struct vm_fault *vmf)
{
	struct mosaic_buf *buf = vmf->vma->vm_private_data;

	return buf->strategy->fault(vmf);
}

static const struct vm_operations_struct mosaic_vm_ops = {
	.open = mosaic_vm_open,
	.close = mosaic_vm_close,
	.fault = mosaic_vm_fault,
};

static int mosaic_buf_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct mosaic_buf *buf = file->private_data;
	unsigned long npages = vma_pages(vma);
	int ret;

	/*
	 * The buffer is memory shared with a device: a private COW copy
	 * would silently stop seeing what the device writes.
	 */
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (vma->vm_pgoff >= buf->nr_pages ||
	    npages > buf->nr_pages - vma->vm_pgoff)
		return -EINVAL;

	/*
	 * DONTEXPAND: mremap must not grow the VMA past what was checked
	 * above. DONTDUMP: core dumps of DMA buffers are rarely wanted and
	 * can be huge.
	 */
	mosaic_vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_ops = &mosaic_vm_ops;
	vma->vm_private_data = buf;

	ret = buf->strategy->mmap(buf, vma);
	if (ret)
		return ret;

	/*
	 * Take the VMA's reference only on success: when ->mmap fails the
	 * core unmaps the VMA without calling ->close.
	 */
	mosaic_vm_open(vma);
	return 0;
}

static int mosaic_buf_file_release(struct inode *inode, struct file *file)
{
	mosaic_buf_put(file->private_data);
	return 0;
}

static long mosaic_buf_file_ioctl(struct file *file, unsigned int cmd,
				  unsigned long arg)
{
	return mosaic_buf_ioctl(file->private_data, cmd, (void __user *)arg);
}

static const struct file_operations mosaic_buf_fops = {
	.owner = THIS_MODULE,
	.mmap = mosaic_buf_mmap,
	.release = mosaic_buf_file_release,
	.unlocked_ioctl = mosaic_buf_file_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

/**
 * mosaic_buf_install_fd() - give @buf a new O_CLOEXEC buffer fd
 * @buf: the buffer; its caller's reference moves to the fd on success
 *
 * Return: the fd, or -errno. On failure @buf's reference has been dropped.
 */
int mosaic_buf_install_fd(struct mosaic_buf *buf)
{
	struct file *file;
	int fd;

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		goto err_put_buf;

	file = anon_inode_getfile("[mosaic]", &mosaic_buf_fops, buf,
				  O_RDWR | O_CLOEXEC);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		fd = PTR_ERR(file);
		goto err_put_buf;
	}
	fd_install(fd, file);
	return fd;

err_put_buf:
	mosaic_buf_put(buf);
	return fd;
}
