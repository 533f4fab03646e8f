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

#include <linux/device.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/pci.h>
#include <linux/pseudo_fs.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include "compat.h"
#include "mosaic_internal.h"

static const struct mosaic_backend_ops *const mosaic_backends[] = {
	[MOSAIC_BACKEND_PAGES] = &mosaic_backend_pages,
	[MOSAIC_BACKEND_COMPOUND] = &mosaic_backend_compound,
	[MOSAIC_BACKEND_SPLIT] = &mosaic_backend_split,
	[MOSAIC_BACKEND_COHERENT] = &mosaic_backend_coherent,
	[MOSAIC_BACKEND_STREAMING] = &mosaic_backend_streaming,
	[MOSAIC_BACKEND_NONCONTIG] = &mosaic_backend_noncontig,
	[MOSAIC_BACKEND_VMALLOC] = &mosaic_backend_vmalloc,
	[MOSAIC_BACKEND_CMA] = &mosaic_backend_cma,
	[MOSAIC_BACKEND_MMIO] = &mosaic_backend_mmio,
};

static const struct mosaic_map_ops *const mosaic_strategies[] = {
	[MOSAIC_STRATEGY_INSERT_PAGE] = &mosaic_map_insert_page,
	[MOSAIC_STRATEGY_INSERT_PAGES] = &mosaic_map_insert_pages,
	[MOSAIC_STRATEGY_MAP_PAGES] = &mosaic_map_map_pages,
	[MOSAIC_STRATEGY_REMAP_PFN] = &mosaic_map_remap_pfn,
	[MOSAIC_STRATEGY_FAULT] = &mosaic_map_fault,
	[MOSAIC_STRATEGY_PFN_FAULT] = &mosaic_map_pfn_fault,
	[MOSAIC_STRATEGY_HUGE] = &mosaic_map_huge,
};

/**
 * mosaic_backend_needs_device() - whether a backend allocates for a device
 * @backend: &enum mosaic_backend value, possibly invalid
 *
 * Return: true for the device backends; false for the rest and for
 * values that name no backend (mosaic_buf_create() refuses those).
 */
bool mosaic_backend_needs_device(u32 backend)
{
	return backend <= MOSAIC_BACKEND_MAX && mosaic_backends[backend] &&
	       mosaic_backends[backend]->needs_device;
}

/**
 * mosaic_backend_name() - short name of a backend, for logs and debugfs
 * @backend: &enum mosaic_backend value, possibly invalid
 *
 * Return: the name, or NULL for a value that names no backend.
 */
const char *mosaic_backend_name(u32 backend)
{
	if (backend > MOSAIC_BACKEND_MAX || !mosaic_backends[backend])
		return NULL;
	return mosaic_backends[backend]->name;
}

/*
 * Check the backend-specific knobs of @req and fill them into @buf.
 * A knob a backend does not use must be zero, so it can gain a meaning
 * for that backend later.
 */
static int mosaic_buf_set_params(struct mosaic_buf *buf,
				 const struct mosaic_alloc *req)
{
	int ret = mosaic_validate_alloc_knobs(req);

	if (ret)
		return ret;

	/* Streaming defaults to order 0; the others to a PMD's worth. */
	if (req->max_order)
		buf->max_order = req->max_order;
	else if (req->backend != MOSAIC_BACKEND_STREAMING)
		buf->max_order = min(MOSAIC_DEFAULT_MAX_ORDER,
				     MOSAIC_MAX_PAGE_ORDER);
	/*
	 * Coherent: 1 MiB, big enough to matter, small enough to succeed.
	 * Noncontig: the largest block the page allocator has, because that
	 * is what one call costs without an IOMMU, and with one it keeps
	 * the device's address range contiguous.
	 */
	if (req->chunk_size)
		buf->chunk_size = req->chunk_size;
	else if (req->backend == MOSAIC_BACKEND_NONCONTIG)
		buf->chunk_size = PAGE_SIZE << MOSAIC_MAX_PAGE_ORDER;
	else
		buf->chunk_size = SZ_1M;
	buf->bar = req->bar;
	buf->cache = req->cache ?: MOSAIC_CACHE_UNCACHED;
	return 0;
}

/**
 * mosaic_buf_create() - allocate a buffer as @req describes
 * @req: a validated %MOSAIC_IOC_ALLOC request (flags and reserved are zero)
 * @dev: device for the device backends, with a reference the buffer takes
 *	over on success; NULL for the others
 * @requester: user space or @dev's driver (what a BAR may be mapped for)
 *
 * Return: a buffer holding one reference, or an ERR_PTR: -EINVAL for a zero
 * size, an unknown backend or strategy, a strategy that cannot map the
 * backend's memory or a knob the backend does not take; -EFBIG above the
 * module's limit; -EOPNOTSUPP, -ENOMEM or -EINTR from the backend; -EPERM
 * or -EBUSY from mmio for a device user space named (backends/mmio.c).
 */
struct mosaic_buf *mosaic_buf_create(const struct mosaic_alloc *req,
				     struct device *dev,
				     enum mosaic_requester requester)
{
	const struct mosaic_backend_ops *backend;
	const struct mosaic_map_ops *strategy;
	struct mosaic_buf *buf;
	u32 strategy_id = req->strategy;
	int ret;

	ret = mosaic_validate_alloc_ids(req);
	if (ret)
		return ERR_PTR(ret);
	backend = mosaic_backends[req->backend];
	if (strategy_id == MOSAIC_STRATEGY_AUTO)
		strategy_id = backend->default_strategy;
	if (!mosaic_strategies[strategy_id])
		return ERR_PTR(-EINVAL);
	strategy = mosaic_strategies[strategy_id];
	/* See enum mosaic_strategy: whose pages may be mapped as pages. */
	if (strategy->needs_pages && !backend->page_backed)
		return ERR_PTR(-EINVAL);
	if (strategy->pages_or_pfns && backend->io)
		return ERR_PTR(-EINVAL);
	/* A device is optional for page-backed memory: it gets mapped. */
	if (backend->needs_device && !dev)
		return ERR_PTR(-EINVAL);
	ret = mosaic_validate_alloc_size(req->size,
					 READ_ONCE(mosaic_max_buffer_size));
	if (ret)
		return ERR_PTR(ret);

	buf = kzalloc(sizeof(*buf), GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!buf)
		return ERR_PTR(-ENOMEM);
	kref_init(&buf->ref);
	buf->size = PAGE_ALIGN(req->size);
	buf->nr_pages = buf->size >> PAGE_SHIFT;
	buf->backend_id = req->backend;
	buf->strategy_id = strategy_id;
	buf->backend = backend;
	buf->strategy = strategy;
	buf->dev = dev;
	buf->requester = requester;
	atomic_long_set(&buf->nr_maps, 0);
	buf->read_only = req->flags & MOSAIC_ALLOC_READ_ONLY;
	mutex_init(&buf->lock);
	INIT_LIST_HEAD(&buf->mms);
	INIT_LIST_HEAD(&buf->exports);
	ret = mosaic_buf_set_params(buf, req);
	if (ret)
		goto err_free_buf;

	/* Before the backend runs, so a refused request costs nothing. */
	ret = mosaic_limits_charge(buf);
	if (ret)
		goto err_free_buf;
	ret = backend->alloc(buf);
	if (ret)
		goto err_uncharge;
	mosaic_buf_trim_segs(buf);
	if (dev && !backend->maps_for_device && !backend->io) {
		ret = mosaic_buf_dma_map(buf);
		if (ret)
			goto err_free_memory;
	}

	if (dev)
		mosaic_revoke_track(buf);
	atomic_long_inc(&mosaic_ledger.buffers);
	atomic_long_inc(&mosaic_ledger.total_buffers);
	return buf;

err_free_memory:
	backend->free(buf);
err_uncharge:
	mosaic_buf_free_dev_ranges(buf);
	mosaic_limits_uncharge(buf);
err_free_buf:
	kfree(buf);
	return ERR_PTR(ret);
}

static void mosaic_buf_release(struct kref *ref)
{
	struct mosaic_buf *buf = container_of(ref, struct mosaic_buf, ref);

	/*
	 * First what the buffer holds for its device, while it is there:
	 * its DMA mapping, and memory the device owns (revoke.c frees that,
	 * here or when the device went away). The rest is freed here.
	 */
	if (buf->dev)
		mosaic_revoke_release(buf);
	if (!mosaic_buf_device_owned(buf))
		buf->backend->free(buf);
	/* The backend freed its segment table; the device ranges are ours. */
	mosaic_buf_free_dev_ranges(buf);
	mosaic_limits_uncharge(buf);
	if (buf->inode)
		iput(buf->inode);
	put_device(buf->dev);
	atomic_long_dec(&mosaic_ledger.buffers);
	kfree(buf);
}

/**
 * mosaic_buf_get() - take a reference on a buffer
 * @buf: the buffer
 */
void mosaic_buf_get(struct mosaic_buf *buf)
{
	kref_get(&buf->ref);
}
EXPORT_SYMBOL_GPL(mosaic_buf_get);

/**
 * mosaic_buf_put() - drop a reference; the last one frees the memory
 * @buf: the buffer, or NULL
 *
 * Must be called from process context: freeing unmaps DMA and may sleep.
 */
void mosaic_buf_put(struct mosaic_buf *buf)
{
	if (buf)
		kref_put(&buf->ref, mosaic_buf_release);
}
EXPORT_SYMBOL_GPL(mosaic_buf_put);

/**
 * mosaic_buf_check_range() - whether a byte range lies inside a buffer
 * @buf: the buffer
 * @offset: first byte
 * @length: bytes; must be non-zero
 *
 * Return: 0 or -EINVAL (also when @offset + @length overflows).
 */
int mosaic_buf_check_range(const struct mosaic_buf *buf, u64 offset,
			   u64 length)
{
	if (!length || offset >= buf->size || length > buf->size - offset)
		return -EINVAL;
	return 0;
}

/* A new VMA maps @buf: count it, and note its mm for revoke.c. */
static void mosaic_vm_add(struct mosaic_buf *buf, struct vm_area_struct *vma)
{
	int idx = srcu_read_lock(&mosaic_revoke_srcu);

	if (!READ_ONCE(buf->revoked))
		mosaic_revoke_note_mm(buf, vma->vm_mm);
	srcu_read_unlock(&mosaic_revoke_srcu, idx);
	mosaic_buf_get(buf);
	atomic_long_inc(&buf->nr_maps);
	atomic_long_inc(&mosaic_ledger.maps);
}

static void mosaic_vm_open(struct vm_area_struct *vma)
{
	/* A VMA split, fork or mremap created another VMA on this buffer. */
	mosaic_vm_add(vma->vm_private_data, vma);
}

static void mosaic_vm_close(struct vm_area_struct *vma)
{
	struct mosaic_buf *buf = vma->vm_private_data;

	atomic_long_dec(&mosaic_ledger.maps);
	atomic_long_dec(&buf->nr_maps);
	mosaic_buf_put(buf);
}

/*
 * Faults check, inside an SRCU read section, that the memory has not gone
 * with its device: revoke.c waits for the section before it zaps the
 * mappings and frees the memory, so nothing is inserted after the zap.
 */
static vm_fault_t mosaic_vm_fault(struct vm_fault *vmf)
{
	struct mosaic_buf *buf = vmf->vma->vm_private_data;
	int idx = srcu_read_lock(&mosaic_revoke_srcu);
	vm_fault_t ret;

	ret = mosaic_buf_gone(buf) ? VM_FAULT_SIGBUS : buf->strategy->fault(vmf);
	srcu_read_unlock(&mosaic_revoke_srcu, idx);
	return ret;
}

static vm_fault_t mosaic_vm_do_huge_fault(struct vm_fault *vmf)
{
	struct mosaic_buf *buf = vmf->vma->vm_private_data;
	int idx = srcu_read_lock(&mosaic_revoke_srcu);
	vm_fault_t ret;

	ret = mosaic_buf_gone(buf) ? VM_FAULT_SIGBUS :
				     buf->strategy->huge_fault(vmf);
	srcu_read_unlock(&mosaic_revoke_srcu, idx);
	return ret;
}

/* ->huge_fault() took an enum page_entry_size before 6.6 (compat.h). */
MOSAIC_DEFINE_HUGE_FAULT(mosaic_vm)

static const struct vm_operations_struct mosaic_vm_ops = {
	.open = mosaic_vm_open,
	.close = mosaic_vm_close,
	.fault = mosaic_vm_fault,
};

static const struct vm_operations_struct mosaic_vm_ops_huge = {
	.open = mosaic_vm_open,
	.close = mosaic_vm_close,
	.fault = mosaic_vm_fault,
	.huge_fault = mosaic_vm_huge_fault,
};

/*
 * VM flags by kind of mapping; see mosaic_buf_mmap(). A strategy that maps
 * page-backed memory as plain file pages (huge) sets neither MIXEDMAP nor
 * PFNMAP: to the core's PMD zap and split paths such a VMA is "special",
 * and they would give back neither the reference nor the mapcount of a
 * PMD-mapped compound page.
 */
static vm_flags_t mosaic_buf_vm_kind(const struct mosaic_buf *buf)
{
	if (buf->strategy->pages_or_pfns)
		return buf->backend->page_backed ? 0 : VM_PFNMAP | VM_IO;
	return buf->strategy->needs_pages ? VM_MIXEDMAP : VM_PFNMAP | VM_IO;
}

/**
 * mosaic_buf_mmap() - map a buffer, or part of it, into a user VMA
 * @buf: the buffer
 * @vma: a VMA from the caller's ->mmap; @vma->vm_pgoff is the page offset
 *	into the buffer and the VMA's length is the length to map
 *
 * Call it from a driver's own ->mmap. The VMA takes its own reference on
 * the buffer, so the driver may drop its reference while the mapping
 * lives. The mapping must be shared: a private copy-on-write view of DMA
 * memory would stop seeing the device's writes.
 *
 * Return: 0, or -EINVAL for a private mapping or a range outside the
 * buffer, -ENODEV if the memory went with its device, or an error from
 * the mapping strategy.
 */
int mosaic_buf_mmap(struct mosaic_buf *buf, struct vm_area_struct *vma)
{
	return __mosaic_buf_mmap(buf, vma, false);
}
EXPORT_SYMBOL_GPL(mosaic_buf_mmap);

/* __mosaic_buf_mmap() of memory that is there. */
static int __mosaic_buf_mmap_live(struct mosaic_buf *buf,
				  struct vm_area_struct *vma, bool read_only)
{
	unsigned long npages = vma_pages(vma);
	int ret;

	/*
	 * VM_MAYSHARE, not VM_SHARED: the core clears VM_SHARED (and
	 * VM_MAYWRITE) of a MAP_SHARED mapping of a file opened read-only,
	 * which is what a read-only buffer fd or export is.
	 */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	/*
	 * Read-only memory: no PROT_WRITE now, and no VM_MAYWRITE, so
	 * mprotect() cannot add it later either.
	 */
	if (read_only || buf->read_only) {
		if (vma->vm_flags & VM_WRITE)
			return -EACCES;
		mosaic_vm_flags_clear(vma, VM_MAYWRITE);
	}
	if (vma->vm_pgoff >= buf->nr_pages ||
	    npages > buf->nr_pages - vma->vm_pgoff)
		return -EINVAL;

	/*
	 * DONTEXPAND: mremap must not grow the VMA past what was checked
	 * above. DONTDUMP: core dumps of DMA buffers are rarely wanted and
	 * can be huge. MIXEDMAP for page strategies: pages may then be
	 * inserted from the fault path, under the mmap read lock. PFNMAP|IO
	 * for PFN strategies: vmf_insert_pfn() of RAM requires it, and it
	 * tells get_user_pages() there are no pages to take. Neither for
	 * huge on page-backed memory (mosaic_buf_vm_kind()).
	 */
	mosaic_vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP |
			    mosaic_buf_vm_kind(buf));
	/*
	 * Device memory is mapped with the caching mode it was asked for.
	 * Memory from the DMA layer (coherent, noncontig, cma) is mapped as
	 * the DMA layer's own mmap would: uncached for a non-coherent
	 * device, decrypted where the DMA layer decrypted it (a confidential
	 * guest). Page-backed memory is the buffer's own, ordinary encrypted
	 * RAM, mapped as it is: the device may see a bounce buffer, which is
	 * never mapped to user space.
	 */
	if (buf->backend->vm_page_prot)
		vma->vm_page_prot = buf->backend->vm_page_prot(buf,
							       vma->vm_page_prot);
	else if (buf->backend->maps_for_device)
		vma->vm_page_prot = mosaic_dma_pgprot(buf->dev,
						      vma->vm_page_prot);
	vma->vm_ops = buf->strategy->huge_fault ? &mosaic_vm_ops_huge :
						  &mosaic_vm_ops;
	vma->vm_private_data = buf;

	ret = buf->strategy->mmap(buf, vma);
	if (ret)
		return ret;

	/*
	 * Take the VMA's reference only on success: when ->mmap fails the
	 * core unmaps the VMA without calling ->close.
	 */
	mosaic_vm_add(buf, vma);
	return 0;
}

/**
 * __mosaic_buf_mmap() - mosaic_buf_mmap(), optionally never writable
 * @buf: the buffer
 * @vma: as for mosaic_buf_mmap()
 * @read_only: refuse a writable mapping even if @buf is writable (a
 *	read-only export); a read-only @buf is never mapped writable anyway
 *
 * Return: as mosaic_buf_mmap(), and -EACCES for a writable mapping of
 * read-only memory, -ENODEV for memory that went with its device.
 */
int __mosaic_buf_mmap(struct mosaic_buf *buf, struct vm_area_struct *vma,
		      bool read_only)
{
	int idx, ret;

	idx = srcu_read_lock(&mosaic_revoke_srcu);
	if (mosaic_buf_gone(buf))
		ret = -ENODEV;
	else
		ret = __mosaic_buf_mmap_live(buf, vma, read_only);
	srcu_read_unlock(&mosaic_revoke_srcu, idx);
	return ret;
}

static int mosaic_buf_file_mmap(struct file *file, struct vm_area_struct *vma)
{
	return mosaic_buf_mmap(file->private_data, vma);
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
	.mmap = mosaic_buf_file_mmap,
	.release = mosaic_buf_file_release,
	.unlocked_ioctl = mosaic_buf_file_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

/*
 * Strategy huge: a mapping without an address hint starts at an address
 * congruent to its buffer offset modulo 2 MiB, so that every aligned block
 * can get a PMD. The kernel's helper for file THPs does exactly that
 * (before 5.18 only for DAX files, which compat.h makes up for). Without
 * THP there are no PMD mappings to align for: the default allocator.
 */
#ifdef CONFIG_TRANSPARENT_HUGEPAGE
/**
 * mosaic_buf_get_unmapped_area() - ->get_unmapped_area for huge buffer files
 * @file: the file being mapped
 * @addr: the caller's address hint, 0 for none
 * @len: bytes
 * @pgoff: page offset into the buffer
 * @flags: mmap flags
 *
 * For a driver's buffer fd (mosaic_buf_file()) that may map a buffer of
 * strategy huge: without a hint, the mapping starts where every 2 MiB
 * block of the buffer can get a PMD. Without CONFIG_TRANSPARENT_HUGEPAGE
 * it is NULL, the default allocator.
 *
 * Return: the address, or -errno.
 */
unsigned long mosaic_buf_get_unmapped_area(struct file *file,
					   unsigned long addr,
					   unsigned long len,
					   unsigned long pgoff,
					   unsigned long flags)
{
	unsigned long ret = thp_get_unmapped_area(file, addr, len, pgoff,
						  flags);

	return mosaic_thp_align_area(ret, file, addr, len, pgoff, flags);
}
EXPORT_SYMBOL_GPL(mosaic_buf_get_unmapped_area);
#endif

static const struct file_operations mosaic_buf_huge_fops = {
	.owner = THIS_MODULE,
	.mmap = mosaic_buf_file_mmap,
	.get_unmapped_area = mosaic_buf_get_unmapped_area,
	.release = mosaic_buf_file_release,
	.unlocked_ioctl = mosaic_buf_file_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

/*
 * Buffer files live on a pseudo filesystem of the module's own, one inode
 * per buffer with the buffer's size, as dma-buf does. When the buffer's
 * device goes away, revoke.c zaps every mapping through that inode. The core reads the
 * mapped file's size: since 6.12.y ("mm/memory: do not populate page table
 * entries beyond i_size") finish_fault() maps no PMD past it, and the one
 * inode that anon_inode_getfile() shares among all its files has size 0.
 * The filesystem has no owner: a mount would pin the module for good. The
 * files pin it instead (mosaic_buf_file()).
 */
#define MOSAIC_FS_MAGIC	0x6d736963	/* "msic" */

static struct vfsmount *mosaic_buf_mnt;

/* What /proc/PID/maps and /proc/PID/fd show: mosaic:[inode number]. */
static char *mosaic_buf_dname(struct dentry *dentry, char *buffer, int buflen)
{
	char name[32];
	int len;

	/* i_ino: unsigned long on 6.12, u64 on 7.2. */
	len = snprintf(name, sizeof(name), "mosaic:[%llu]",
		       (unsigned long long)d_inode(dentry)->i_ino) + 1;
	if (len > buflen)
		return ERR_PTR(-ENAMETOOLONG);
	return memcpy(buffer + buflen - len, name, len);
}

static const struct dentry_operations mosaic_buf_dentry_ops = {
	.d_dname = mosaic_buf_dname,
};

static int mosaic_buf_fs_init_context(struct fs_context *fc)
{
	struct pseudo_fs_context *ctx = init_pseudo(fc, MOSAIC_FS_MAGIC);

	if (!ctx)
		return -ENOMEM;
	ctx->dops = &mosaic_buf_dentry_ops;
	return 0;
}

static struct file_system_type mosaic_buf_fs_type = {
	.name = "mosaic",
	.init_fs_context = mosaic_buf_fs_init_context,
	.kill_sb = kill_anon_super,
};

/**
 * mosaic_buf_fs_init() - mount the filesystem buffer files live on
 *
 * Return: 0 or -errno.
 */
int mosaic_buf_fs_init(void)
{
	mosaic_buf_mnt = kern_mount(&mosaic_buf_fs_type);
	return PTR_ERR_OR_ZERO(mosaic_buf_mnt);
}

/**
 * mosaic_buf_fs_exit() - unmount it; no buffer file is left by then
 */
void mosaic_buf_fs_exit(void)
{
	kern_unmount(mosaic_buf_mnt);
}

/*
 * The buffer's inode, created with its first file, with a reference for
 * the caller. All its files share it, and with it one address_space.
 */
static struct inode *mosaic_buf_inode(struct mosaic_buf *buf)
{
	struct inode *inode;

	mutex_lock(&buf->lock);
	if (!buf->inode) {
		inode = alloc_anon_inode(mosaic_buf_mnt->mnt_sb);
		if (IS_ERR(inode))
			goto out;
		inode->i_size = buf->size;
		buf->inode = inode;
	}
	inode = buf->inode;
	ihold(inode);
out:
	mutex_unlock(&buf->lock);
	return inode;
}

/**
 * mosaic_buf_file() - a file for a buffer fd of a driver's own
 * @buf: the buffer the file stands for; the file's size is its size
 * @fops: the file's operations, whose owner the file pins
 * @priv: the file's private_data
 *
 * What anon_inode_getfile() gives, but on the buffer's own inode, whose
 * size is the buffer's, the way mosaic's own buffer fds are made. Since
 * 6.12.y the core maps no PMD past a file's i_size, so strategy huge
 * mapped from the one inode all anon files share (size 0) gets PTEs only.
 * The file takes no buffer reference: @fops->release drops whatever the
 * driver holds. It is read-only if @buf is. The file's release drops the
 * module reference taken here, as for any file whose fops have an owner.
 *
 * Return: the file, or an ERR_PTR(): -ENOENT if @fops' owner is going
 * away, -ENOMEM.
 */
struct file *mosaic_buf_file(struct mosaic_buf *buf,
			     const struct file_operations *fops, void *priv)
{
	struct inode *inode;
	struct file *file;

	if (!try_module_get(fops->owner))
		return ERR_PTR(-ENOENT);
	inode = mosaic_buf_inode(buf);
	if (IS_ERR(inode)) {
		file = ERR_CAST(inode);
		goto err_put_module;
	}
	file = alloc_file_pseudo(inode, mosaic_buf_mnt, "mosaic",
				 buf->read_only ? O_RDONLY : O_RDWR, fops);
	if (IS_ERR(file))
		goto err_iput;
	file->private_data = priv;
	return file;

err_iput:
	iput(inode);
err_put_module:
	module_put(fops->owner);
	return file;
}
EXPORT_SYMBOL_GPL(mosaic_buf_file);

/**
 * mosaic_buf_install_fd() - give @buf a new O_CLOEXEC buffer fd
 * @buf: the buffer; its caller's reference moves to the fd on success
 * @ufd: where user space wants the fd number
 *
 * The fd goes live only after its number reached user space, so a failed
 * copy leaves nothing behind: no fd, no buffer.
 *
 * Return: the fd, or -errno. On failure @buf's reference has been dropped.
 */
int mosaic_buf_install_fd(struct mosaic_buf *buf, __s32 __user *ufd)
{
	struct file *file;
	int fd, ret;

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto err_put_buf;
	}

	/*
	 * A read-only buffer gets a read-only fd: the core then refuses
	 * MAP_SHARED with PROT_WRITE itself (mosaic_buf_mmap() checks too).
	 */
	file = mosaic_buf_file(buf, buf->strategy_id == MOSAIC_STRATEGY_HUGE ?
			       &mosaic_buf_huge_fops : &mosaic_buf_fops, buf);
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		goto err_put_fd;
	}
	if (put_user(fd, ufd)) {
		/* The file owns the buffer's reference now; fput drops it. */
		fput(file);
		put_unused_fd(fd);
		return -EFAULT;
	}
	fd_install(fd, file);
	return fd;

err_put_fd:
	put_unused_fd(fd);
err_put_buf:
	mosaic_buf_put(buf);
	return ret;
}
