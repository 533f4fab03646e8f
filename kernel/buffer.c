// SPDX-License-Identifier: GPL-2.0
/*
 * The buffer object: its creation, its lifetime and its VMAs.
 *
 * Lifetime rule: one kref counts the buffer fd, every VMA that maps the
 * buffer and every in-kernel user. The backend frees the memory when the
 * last reference goes, whichever it is. The module cannot be unloaded
 * meanwhile because the buffer fd (and, after close(), each VMA's vm_file,
 * which is the same file) pins it through fops->owner (file.c).
 *
 * A buffer that has a device is on a list of such buffers, so that
 * revoke.c finds it when the device goes away. What it holds for the
 * device (its streaming mapping, and memory the device owns) is given
 * back exactly once, under that list's lock: by the release of its last
 * reference, or by revoke, whichever comes first.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched/mm.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/srcu.h>

#include "compat.h"
#include "mosaic_internal.h"
#include "planted.h"

DEFINE_SRCU(mosaic_revoke_srcu);

/* Buffers that have a device, and the lock revoke.c serializes on. */
static LIST_HEAD(mosaic_dev_bufs);
static DEFINE_MUTEX(mosaic_dev_bufs_lock);

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
 * Give back what @buf holds for its device: its streaming mapping, and
 * memory the device owns. Called once, under mosaic_dev_bufs_lock, either
 * by revoke or by the release of a buffer that was never revoked.
 */
static void __mosaic_buf_teardown_device(struct mosaic_buf *buf)
{
	lockdep_assert_held(&mosaic_dev_bufs_lock);
	mosaic_buf_dma_unmap(buf);
	if (mosaic_buf_device_owned(buf)) {
		buf->backend->free(buf);
		mosaic_buf_free_dev_ranges(buf);
	}
}

/**
 * mosaic_buf_teardown_device() - give back what a buffer holds for its device
 * @buf: a buffer mosaic_bufs_mark_revoked() returned, whose users no
 *	longer reach its memory (revoke.c)
 */
void mosaic_buf_teardown_device(struct mosaic_buf *buf)
{
	mutex_lock(&mosaic_dev_bufs_lock);
	__mosaic_buf_teardown_device(buf);
	mutex_unlock(&mosaic_dev_bufs_lock);
}

/**
 * mosaic_bufs_mark_revoked() - mark every buffer of a device revoked
 * @dev: the device going away
 * @live: out: the buffers that still have users, each with a reference
 *	for the caller, linked by &mosaic_buf.revoke_node
 *
 * A buffer whose last reference went is on its way to release: nothing
 * maps or uses it any more, so its device's share is given back here and
 * now. Every other one is the caller's to tear down, once no reader of
 * mosaic_revoke_srcu that saw it as it was is left.
 */
void mosaic_bufs_mark_revoked(struct device *dev, struct list_head *live)
{
	struct mosaic_buf *buf;

	mutex_lock(&mosaic_dev_bufs_lock);
	list_for_each_entry(buf, &mosaic_dev_bufs, dev_node) {
		if (buf->dev != dev || buf->revoked)
			continue;
		WRITE_ONCE(buf->revoked, true);
		if (!kref_get_unless_zero(&buf->ref)) {
			__mosaic_buf_teardown_device(buf);
			continue;
		}
		list_add(&buf->revoke_node, live);
	}
	mutex_unlock(&mosaic_dev_bufs_lock);
}

/*
 * A buffer with a device is being freed: its last reference is gone.
 * Under the lock revoke takes, so that its device cannot go away while
 * the buffer still gives back what it holds for it. Memory the device
 * owns is freed here or by revoke, never by the caller: only the rest is
 * left to it.
 */
static void mosaic_buf_release_device(struct mosaic_buf *buf)
{
	struct mosaic_buf_mm *bm, *tmp;

	mutex_lock(&mosaic_dev_bufs_lock);
	list_del(&buf->dev_node);
	if (!buf->revoked)
		__mosaic_buf_teardown_device(buf);
	mutex_unlock(&mosaic_dev_bufs_lock);
	list_for_each_entry_safe(bm, tmp, &buf->mms, node) {
		mmdrop(bm->mm);
		kfree(bm);
	}
}

/*
 * Remember an address space that maps memory @buf's device owns, for
 * revoke.c, which must first wait for every such VMA to be linked where
 * unmap_mapping_range() finds it: it does so by taking the mmap lock of
 * each address space noted here. @mm is that of a VMA being set up for
 * @buf (by ->mmap, a fork or a split), whose mmap lock the caller holds
 * for writing. Called inside an SRCU read section of mosaic_revoke_srcu,
 * after checking that @buf is not revoked.
 */
static void mosaic_buf_note_mm(struct mosaic_buf *buf, struct mm_struct *mm)
{
	struct mosaic_buf_mm *bm;

	if (!buf->dev || !mosaic_buf_device_owned(buf))
		return;
	mutex_lock(&buf->lock);
	list_for_each_entry(bm, &buf->mms, node) {
		if (bm->mm == mm)
			goto out;
	}
	/* Small, and ->open of a VMA cannot fail. */
	bm = kmalloc(sizeof(*bm), GFP_KERNEL | __GFP_NOFAIL);
	bm->mm = mm;
	mmgrab(mm);
	list_add(&bm->node, &buf->mms);
out:
	mutex_unlock(&buf->lock);
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

	if (dev) {
		mutex_lock(&mosaic_dev_bufs_lock);
		list_add(&buf->dev_node, &mosaic_dev_bufs);
		mutex_unlock(&mosaic_dev_bufs_lock);
	}
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
	 * its DMA mapping, and memory the device owns (freed here or when the
	 * device went away). The rest is freed here.
	 */
	if (buf->dev)
		mosaic_buf_release_device(buf);
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
EXPORT_SYMBOL_MOSAIC(mosaic_buf_get);

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
EXPORT_SYMBOL_MOSAIC(mosaic_buf_put);

/* A new VMA maps @buf: count it, and note its mm for revoke.c. */
static void mosaic_vm_add(struct mosaic_buf *buf, struct vm_area_struct *vma)
{
	int idx = srcu_read_lock(&mosaic_revoke_srcu);

	if (!READ_ONCE(buf->revoked))
		mosaic_buf_note_mm(buf, vma->vm_mm);
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
EXPORT_SYMBOL_MOSAIC(mosaic_buf_mmap);

/* __mosaic_buf_mmap() of memory that is there. */
static int __mosaic_buf_mmap_live(struct mosaic_buf *buf,
				  struct vm_area_struct *vma, bool read_only)
{
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
	if (!mosaic_range_inside(vma->vm_pgoff, vma_pages(vma), buf->nr_pages))
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
	/* The planted bug drops the reference the VMA is about to take. */
	if (mosaic_planted("uaf") && buf->strategy == &mosaic_map_insert_pages)
		mosaic_buf_put(buf);

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
