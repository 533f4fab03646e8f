/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mosaic internals shared by the core, the backends and the mapping
 * strategies. Nothing here is visible outside the module.
 *
 * The files form layers, lowest first. A file calls only downward: into
 * a lower layer, or into a file of its own layer that is listed before
 * it. The declarations below are grouped by file, in this order.
 *
 *  1. Leaves, which know only the structs below and one another:
 *     limits.c (and the ledger), segments.c, dev_ranges.c, validate.c, ioctl_arg.c,
 *     dma_map.c (a buffer's streaming mapping), planted.c, the backends
 *     (backends/) and the mapping strategies (map/).
 *  2. The buffer object: buffer.c, its creation, lifetime and VMAs.
 *  3. The device side: dma.c, ranged syncs and address lookups.
 *  4. dma-buf export: dmabuf.c.
 *  5. What reaches a buffer from outside: its ioctls (testing.c, then
 *     ioctl.c), its files (file.c) and its device going away (revoke.c).
 *  6. The module and its in-kernel API: api.c, core.c.
 *
 * Calls through the ops tables go downward too: buffer.c reaches the
 * backends and strategies through &struct mosaic_backend_ops and &struct
 * mosaic_map_ops. Where a lower layer's state needs an upper layer's
 * decision, the upper one drives it: buffer.c keeps the buffers that have
 * a device, revoke.c decides when they are revoked.
 */
#ifndef _MOSAIC_INTERNAL_H
#define _MOSAIC_INTERNAL_H

#include <linux/atomic.h>
#include <linux/dma-mapping.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mosaic.h>
#include <linux/mutex.h>
#include <linux/srcu.h>
#include <linux/types.h>

struct inode;
struct mm_struct;
struct mosaic_buf;
struct sg_table;

/**
 * struct mosaic_seg - one physically contiguous piece of a buffer
 * @pgoff: first buffer page this segment covers
 * @pfn: its first page frame
 * @kaddr: kernel address of its first byte
 * @nr_pages: pages in the segment
 * @order: order of the allocation unit it came from (statistics)
 */
struct mosaic_seg {
	pgoff_t pgoff;
	unsigned long pfn;
	void *kaddr;
	unsigned int nr_pages;
	unsigned int order;
};

/**
 * struct mosaic_dev_range - a piece of a buffer the DMA layer mapped as one
 * @offset: buffer offset of its first byte
 * @length: bytes
 * @dma: device address of its first byte
 *
 * See dev_ranges.c: nothing is contiguous for the device across two.
 */
struct mosaic_dev_range {
	u64 offset;
	u64 length;
	dma_addr_t dma;
};

/**
 * struct mosaic_piece - the part of one segment inside a byte range
 * @idx: index of the segment
 * @seg: the segment
 * @offset: buffer offset of the piece's first byte
 * @length: bytes in the piece
 * @seg_offset: offset of the piece's first byte inside the segment
 */
struct mosaic_piece {
	unsigned long idx;
	struct mosaic_seg seg;
	u64 offset;
	u64 length;
	u64 seg_offset;
};

/**
 * struct mosaic_backend_ops - where a buffer's memory comes from
 * @name: short name for logs
 * @needs_device: allocates for a &struct device
 * @maps_for_device: the allocation already yields DMA addresses, so the
 *	core must not map it for the device again
 * @coherent: the memory is DMA-coherent and never needs a sync
 * @page_backed: every page carries its own reference, or belongs to a
 *	compound page, so the page strategies may map it
 * @io: device memory (a PCI BAR): no &struct page, no kernel address and
 *	no DMA address; the core never maps it for a device, FILL, VERIFY,
 *	REFS and export refuse it, and remap-pfn uses io_remap_pfn_range()
 * @default_strategy: what %MOSAIC_STRATEGY_AUTO means for this backend
 * @alloc: fill @buf's segment table with @buf->nr_pages of zeroed memory,
 *	using mosaic_buf_add_seg(); undo everything on failure
 * @free: give everything @alloc took back; called once, on release
 * @vm_page_prot: optional: the page protection of a user mapping, given
 *	the VMA's default one (caching mode of device memory)
 */
struct mosaic_backend_ops {
	const char *name;
	bool needs_device;
	bool maps_for_device;
	bool coherent;
	bool page_backed;
	bool io;
	u32 default_strategy;
	int (*alloc)(struct mosaic_buf *buf);
	void (*free)(struct mosaic_buf *buf);
	pgprot_t (*vm_page_prot)(const struct mosaic_buf *buf, pgprot_t prot);
};

/**
 * struct mosaic_map_ops - how a buffer's segments get into a user VMA
 * @name: short name for logs
 * @needs_pages: maps &struct page (page strategy) rather than PFNs
 * @pages_or_pfns: maps the pages of page-backed memory as refcounted
 *	pages in a VMA that is neither VM_MIXEDMAP nor VM_PFNMAP, and any
 *	other RAM as PFNs (VM_PFNMAP); not device memory
 * @mmap: populate @vma (or prepare it for lazy faults) from @buf, starting
 *	at buffer page @vma->vm_pgoff. Called with the mmap lock held for
 *	writing, after the core has checked the range and set the VMA flags.
 * @fault: install what backs @vmf. Every strategy needs one, even the
 *	eager ones, because a zap (MADV_DONTNEED) removes PTEs that were
 *	inserted at mmap time and the next touch must find the same memory.
 * @huge_fault: optional: install a PMD for @vmf, or %VM_FAULT_FALLBACK
 */
struct mosaic_map_ops {
	const char *name;
	bool needs_pages;
	bool pages_or_pfns;
	int (*mmap)(struct mosaic_buf *buf, struct vm_area_struct *vma);
	vm_fault_t (*fault)(struct vm_fault *vmf);
	vm_fault_t (*huge_fault)(struct vm_fault *vmf);
};

/**
 * enum mosaic_requester - who asks mosaic_buf_create() for a buffer
 * @MOSAIC_FOR_USER: user space, through %MOSAIC_IOC_ALLOC; a device it
 *	names is not its own
 * @MOSAIC_FOR_DRIVER: a driver, through the in-kernel API, for its own
 *	device
 */
enum mosaic_requester {
	MOSAIC_FOR_USER,
	MOSAIC_FOR_DRIVER,
};

/**
 * struct mosaic_buf - one buffer: an ordered table of segments
 * @ref: one reference for the buffer fd, one per VMA, one per in-kernel
 *	user. The memory is freed when the last one goes.
 * @size: bytes, a whole number of pages
 * @nr_pages: @size in pages
 * @backend_id: &enum mosaic_backend value
 * @strategy_id: &enum mosaic_strategy value in use (never AUTO)
 * @max_order: largest order the high-order backends may use
 * @chunk_size: bytes per chunk for the coherent backend
 * @bar: BAR index for the mmio backend
 * @cache: &enum mosaic_cache for the mmio backend (never DEFAULT there)
 * @backend: allocation backend
 * @strategy: mapping strategy
 * @dev: device the memory is allocated or mapped for, with a reference
 * @owner: the driver module that allocated it through the in-kernel API
 *	(its dma-bufs pin it), or NULL for /dev/mosaic's buffers
 * @requester: who asked for it: user space through /dev/mosaic, or the
 *	driver of @dev through the in-kernel API (backends/mmio.c maps a BAR
 *	of a device user space named only as pci-sysfs would)
 * @sgt: the core's streaming DMA mapping of a page-backed buffer for @dev
 * @dev_ranges: what @dev sees, ordered by offset (dev_ranges.c); NULL
 *	when the buffer has no device addresses
 * @nr_dev_ranges: entries in @dev_ranges
 * @max_dev_ranges: room in @dev_ranges
 * @pages: page @i backs buffer page @i; every page-backed backend keeps
 *	it (eight bytes per page), NULL for the others
 * @segs: the segment table, ordered by @pgoff; NULL when every segment is
 *	one order-0 page, in which case @pages is the table
 * @nr_segs: entries in @segs
 * @max_segs: room in @segs
 * @filled: buffer pages covered so far while the backend allocates
 * @priv: backend-private state
 * @nr_maps: VMAs that map this buffer now
 * @read_only: %MOSAIC_ALLOC_READ_ONLY: user mappings may never write
 * @charged_bytes: bytes charged to the module-wide cap (limits.c)
 * @charged_cred: a reference on the credentials whose user was charged
 *	for @charged_pages, or NULL (CAP_IPC_LOCK, device memory)
 * @charged_pages: pages charged to @charged_cred's user's RLIMIT_MEMLOCK
 * @lock: protects @inode, @mms and @exports
 * @inode: the inode every file of the buffer shares (mosaic_buf_file()),
 *	so that one unmap_mapping_range() reaches all their mappings
 * @mms: address spaces that mapped memory the device owns (revoke.c)
 * @exports: its dma-bufs (dmabuf.c)
 * @dev_node: in revoke.c's list of buffers that have a device
 * @revoke_node: in revoke.c's list of buffers it is revoking
 * @revoked: @dev went away (revoke.c): no DMA mapping is left, and what
 *	needs the device fails with -ENODEV; set once, read with READ_ONCE()
 *	inside an SRCU read section of mosaic_revoke_srcu
 */
struct mosaic_buf {
	struct kref ref;
	size_t size;
	unsigned long nr_pages;
	u32 backend_id;
	u32 strategy_id;
	unsigned int max_order;
	size_t chunk_size;
	u32 bar;
	u32 cache;
	const struct mosaic_backend_ops *backend;
	const struct mosaic_map_ops *strategy;
	struct device *dev;
	struct module *owner;
	enum mosaic_requester requester;
	struct sg_table *sgt;
	struct mosaic_dev_range *dev_ranges;
	unsigned long nr_dev_ranges;
	unsigned long max_dev_ranges;
	struct page **pages;
	struct mosaic_seg *segs;
	unsigned long nr_segs;
	unsigned long max_segs;
	unsigned long filled;
	void *priv;
	atomic_long_t nr_maps;
	bool read_only;
	unsigned long charged_bytes;
	const struct cred *charged_cred;
	unsigned long charged_pages;
	struct mutex lock;	/* @inode, @mms, @exports */
	struct inode *inode;
	struct list_head mms;
	struct list_head exports;
	struct list_head dev_node;
	struct list_head revoke_node;
	bool revoked;
};

/* Memory the device owns: it goes when the device goes (revoke.c). */
static inline bool mosaic_buf_device_owned(const struct mosaic_buf *buf)
{
	return buf->backend->maps_for_device || buf->backend->io;
}

/*
 * Whether @buf's memory went with its device. Inside an SRCU read section
 * of mosaic_revoke_srcu a false answer holds until the section ends.
 */
static inline bool mosaic_buf_gone(const struct mosaic_buf *buf)
{
	return READ_ONCE(buf->revoked) && mosaic_buf_device_owned(buf);
}

/**
 * struct mosaic_buf_mm - an address space that mapped a buffer
 * @node: in &mosaic_buf.mms
 * @mm: the address space, grabbed (mmgrab()) until the buffer is freed
 */
struct mosaic_buf_mm {
	struct list_head node;
	struct mm_struct *mm;
};

/**
 * struct mosaic_ledger_backend - what one backend holds now
 * @pages: pages of RAM
 * @bytes: bytes of memory, RAM or device memory (an mmio BAR has no pages
 *	but its bytes are held all the same)
 */
struct mosaic_ledger_backend {
	atomic_long_t pages;
	atomic_long_t bytes;
};

/**
 * struct mosaic_ledger - module-wide counters behind %MOSAIC_IOC_STATS
 * @buffers: buffers alive now
 * @pages: pages the backends hold now
 * @maps: VMAs that map a buffer now
 * @total_buffers: buffers created since load
 * @total_pages: pages allocated since load
 * @backend: the same holdings per backend, indexed by &enum mosaic_backend
 *	(debugfs ``mosaic/ledger``, one line each)
 *
 * The only module-wide state. Every page a backend takes is counted in
 * @pages and uncounted when it is given back, so a non-zero reading with
 * no buffers alive is a leak, and @backend names the backend that leaked.
 */
struct mosaic_ledger {
	atomic_long_t buffers;
	atomic_long_t pages;
	atomic_long_t maps;
	atomic_long_t total_buffers;
	atomic_long_t total_pages;
	struct mosaic_ledger_backend backend[MOSAIC_BACKEND_MAX + 1];
};

/*
 * The index of the last of @n sorted entries whose start is at or before
 * @key, given @start(@table, i), the start of entry i; 0 when none is.
 * For the segment table and the device ranges alike; inline, so that the
 * compiler inlines @start too.
 */
static __always_inline unsigned long
mosaic_find_sorted(const void *table, unsigned long n, u64 key,
		   u64 (*start)(const void *table, unsigned long i))
{
	unsigned long lo = 0, hi = n;

	while (hi - lo > 1) {
		unsigned long mid = lo + (hi - lo) / 2;

		if (start(table, mid) <= key)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* limits.c: the limits, and the ledger of what buffers hold */
extern struct mosaic_ledger mosaic_ledger;
extern unsigned long mosaic_max_buffer_size;
void mosaic_limits_init(void);
int mosaic_limits_charge(struct mosaic_buf *buf);
void mosaic_limits_uncharge(struct mosaic_buf *buf);

/*
 * A backend of @buf took (@nr_pages > 0) or gave back (< 0) pages of RAM.
 * Backends call it for every page they hold, at the moment they hold it.
 */
static inline void mosaic_ledger_add(const struct mosaic_buf *buf,
				     long nr_pages)
{
	struct mosaic_ledger_backend *lb;

	lb = &mosaic_ledger.backend[buf->backend_id];

	atomic_long_add(nr_pages, &mosaic_ledger.pages);
	if (nr_pages > 0)
		atomic_long_add(nr_pages, &mosaic_ledger.total_pages);
	atomic_long_add(nr_pages, &lb->pages);
	atomic_long_add(nr_pages * (long)PAGE_SIZE, &lb->bytes);
}

/*
 * A backend of @buf took or gave back @bytes of device memory, which is
 * not RAM and not counted in pages.
 */
static inline void mosaic_ledger_add_io(const struct mosaic_buf *buf,
					long bytes)
{
	atomic_long_add(bytes, &mosaic_ledger.backend[buf->backend_id].bytes);
}

/* segments.c */
int mosaic_buf_reserve_segs(struct mosaic_buf *buf, unsigned long max_segs);
void mosaic_buf_trim_segs(struct mosaic_buf *buf);
void mosaic_buf_add_seg(struct mosaic_buf *buf, unsigned long pfn,
			unsigned int nr_pages, unsigned int order,
			void *kaddr);
unsigned long mosaic_buf_nr_segs(const struct mosaic_buf *buf);
void mosaic_buf_seg(const struct mosaic_buf *buf, unsigned long idx,
		    struct mosaic_seg *seg);
unsigned long mosaic_buf_find_seg(const struct mosaic_buf *buf, pgoff_t pgoff,
				  struct mosaic_seg *seg);
unsigned long mosaic_buf_pfn(const struct mosaic_buf *buf, pgoff_t pgoff);
bool mosaic_buf_piece(const struct mosaic_buf *buf, u64 pos, u64 end,
		      struct mosaic_piece *piece);
unsigned long mosaic_buf_count_adjacent(const struct mosaic_buf *buf);
struct page *mosaic_buf_page(const struct mosaic_buf *buf, pgoff_t pgoff);

/* dev_ranges.c */
int mosaic_buf_add_dev_range(struct mosaic_buf *buf, dma_addr_t dma,
			     u64 length);
int mosaic_buf_add_dev_ranges_sgt(struct mosaic_buf *buf,
				  struct sg_table *sgt);
void mosaic_buf_free_dev_ranges(struct mosaic_buf *buf);
bool mosaic_buf_has_dev_ranges(const struct mosaic_buf *buf);
unsigned long mosaic_buf_find_dev_range(const struct mosaic_buf *buf,
					u64 offset);

/* validate.c: pure checks of the uapi structs, 0 or -errno */
bool mosaic_range_inside(u64 offset, u64 length, u64 size);
int mosaic_validate_alloc_header(const struct mosaic_alloc *req);
int mosaic_validate_alloc_ids(const struct mosaic_alloc *req);
int mosaic_validate_alloc_size(u64 size, u64 max_size);
int mosaic_validate_alloc_knobs(const struct mosaic_alloc *req);
int mosaic_validate_stats(const struct mosaic_stats *st);
int mosaic_validate_info(const struct mosaic_info *info);
int mosaic_validate_sync(const struct mosaic_sync *s, u64 size);
int mosaic_validate_export(const struct mosaic_export *e, u64 size);
int mosaic_validate_segments(const struct mosaic_segments *g);

/* ioctl_arg.c */
int mosaic_copy_arg_from_user(void *karg, size_t ksize, size_t min_size,
			      const void __user *uarg);
int mosaic_copy_arg_to_user(void __user *uarg, const void *karg, size_t ksize);

/* dma_map.c */
pgprot_t mosaic_dma_pgprot(struct device *dev, pgprot_t prot);
struct sg_table *mosaic_buf_build_sgt(const struct mosaic_buf *buf,
				      u64 offset, u64 length,
				      struct device *dev);
void mosaic_buf_free_sgt(struct sg_table *sgt);
int mosaic_buf_dma_map(struct mosaic_buf *buf);
void mosaic_buf_dma_unmap(struct mosaic_buf *buf);

/* backends/: one file each */

/* Orders the high-order backends try, largest first. */
#define MOSAIC_DEFAULT_MAX_ORDER	9

extern const struct mosaic_backend_ops mosaic_backend_pages;
extern const struct mosaic_backend_ops mosaic_backend_compound;
extern const struct mosaic_backend_ops mosaic_backend_split;
extern const struct mosaic_backend_ops mosaic_backend_coherent;
extern const struct mosaic_backend_ops mosaic_backend_streaming;
extern const struct mosaic_backend_ops mosaic_backend_noncontig;
extern const struct mosaic_backend_ops mosaic_backend_vmalloc;
extern const struct mosaic_backend_ops mosaic_backend_cma;
extern const struct mosaic_backend_ops mosaic_backend_mmio;

/* backends/highorder.c: shared by compound, split and streaming */
int mosaic_alloc_highorder(struct mosaic_buf *buf, bool split);
void mosaic_free_highorder(struct mosaic_buf *buf, bool split);

/* map/: one file each */
extern const struct mosaic_map_ops mosaic_map_insert_page;
extern const struct mosaic_map_ops mosaic_map_insert_pages;
extern const struct mosaic_map_ops mosaic_map_map_pages;
extern const struct mosaic_map_ops mosaic_map_remap_pfn;
extern const struct mosaic_map_ops mosaic_map_fault;
extern const struct mosaic_map_ops mosaic_map_pfn_fault;
extern const struct mosaic_map_ops mosaic_map_huge;

/* map/common.c */
vm_fault_t mosaic_fault_page(struct vm_fault *vmf);
vm_fault_t mosaic_fault_pfn(struct vm_fault *vmf);

/* map/huge.c */
u32 mosaic_huge_mode(const struct mosaic_buf *buf);
void mosaic_huge_info(const struct mosaic_buf *buf, struct mosaic_info *info);

/* buffer.c */
/* Readers of a buffer that revoke.c must wait for before it revokes. */
extern struct srcu_struct mosaic_revoke_srcu;
bool mosaic_backend_needs_device(u32 backend);
const char *mosaic_backend_name(u32 backend);
struct mosaic_buf *mosaic_buf_create(const struct mosaic_alloc *req,
				     struct device *dev,
				     enum mosaic_requester requester);
int __mosaic_buf_mmap(struct mosaic_buf *buf, struct vm_area_struct *vma,
		      bool read_only);
void mosaic_bufs_mark_revoked(struct device *dev, struct list_head *live);
void mosaic_buf_teardown_device(struct mosaic_buf *buf);

/* dma.c */
int mosaic_buf_sync_range(struct mosaic_buf *buf, u64 offset, u64 length,
			  enum dma_data_direction dir, bool for_device,
			  unsigned long *first_seg, unsigned long *nr_segs);

/* dmabuf.c */
struct dma_buf *__mosaic_buf_export(struct mosaic_buf *buf, u64 offset,
				    u64 length, bool read_only);
void mosaic_export_revoke(struct mosaic_buf *buf);

/* testing.c: see testing.h */

/* ioctl.c */
long mosaic_buf_ioctl(struct mosaic_buf *buf, unsigned int cmd,
		      void __user *uarg);

/* file.c */
int mosaic_buf_install_fd(struct mosaic_buf *buf, __s32 __user *ufd);
int mosaic_buf_fs_init(void);
void mosaic_buf_fs_exit(void);

/* revoke.c */
int mosaic_revoke_init(void);
void mosaic_revoke_exit(void);

#endif /* _MOSAIC_INTERNAL_H */
