/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * mosaic: map a physically scattered DMA buffer as one linear user range.
 *
 * This header is the whole ABI between the mosaic module and user space.
 * The kernel module, libmosaic, mosaicctl and the tests all include it.
 */
#ifndef _UAPI_LINUX_MOSAIC_H
#define _UAPI_LINUX_MOSAIC_H

#include <linux/ioctl.h>
#include <linux/types.h>

/**
 * DOC: mosaic uapi
 *
 * Open ``/dev/mosaic`` and call %MOSAIC_IOC_ALLOC. The ioctl returns a new
 * *buffer fd* (an anonymous-inode file, always ``O_CLOEXEC``). Everything
 * else about the buffer goes through that fd:
 *
 * - ``mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, buffer_fd, off)``
 *   maps ``len`` bytes starting at byte ``off`` of the buffer as one VMA.
 *   ``off`` must be page aligned and ``off + len`` must not pass the end of
 *   the buffer (%EINVAL otherwise). ``MAP_PRIVATE`` is refused with %EINVAL:
 *   the buffer is DMA memory shared with a device, and a private
 *   copy-on-write view of it would silently stop seeing device writes.
 * - A mapping holds its own reference on the buffer, so it stays valid after
 *   ``close(buffer_fd)``, in children after ``fork()``, and across partial
 *   ``munmap()``. The memory is freed when the last fd and the last mapping
 *   are gone. While any buffer exists the module cannot be unloaded.
 * - Buffers count against three limits (see docs/security.md): the bytes
 *   all buffers hold together may not pass the module's ``max_total_size``
 *   parameter (%EAGAIN), and a caller without ``CAP_IPC_LOCK`` is charged
 *   for every page against its user's ``RLIMIT_MEMLOCK``, as io_uring
 *   and mlock() are (%ENOMEM), and the allocating task's memory cgroup is
 *   charged for the pages of the page-allocator backends and for every
 *   buffer's metadata (%ENOMEM at memory.max). The charge is given back
 *   when the buffer is freed, even if the allocating process is long gone.
 * - Every buffer starts zeroed: no byte of earlier users of the memory
 *   is ever visible.
 *
 * Every ioctl argument starts with ``argsz`` (the size of the struct as the
 * caller knows it) and ``flags``. The rules are the same for every ioctl
 * (docs/abi.md has the whole compatibility promise):
 *
 * - The kernel accepts any ``argsz`` from the struct's first version (the
 *   size the ioctl number encodes, ``MOSAIC_*_SIZE_VER0``) up to one page.
 *   Bytes the caller does not send are taken as zero; bytes the kernel
 *   does not know must be zero (%E2BIG otherwise). Results are written
 *   back only up to ``argsz``.
 * - Unknown flags, unknown enum values and non-zero ``__reserved`` or
 *   ``__pad`` fields are refused with %EINVAL, so they can gain a meaning
 *   later without changing what old binaries get.
 * - A field documented as *out* is ignored on input and always written on
 *   success, so one struct can be passed again without clearing it; an
 *   *in/out* field is read, then written; every other field is an input.
 */

#define MOSAIC_DEVICE_PATH	"/dev/mosaic"

/**
 * enum mosaic_backend - where the buffer's memory comes from
 * @MOSAIC_BACKEND_PAGES: order-0 pages from the page allocator, allocated in
 *	bulk and zeroed. Each page is its own segment.
 * @MOSAIC_BACKEND_COMPOUND: high-order ``__GFP_COMP`` pages. Tries
 *	&mosaic_alloc.max_order first (default 9, 2 MiB) and falls back
 *	through orders 8, 4 and 0. One reference per compound page, held on
 *	its head.
 * @MOSAIC_BACKEND_SPLIT: high-order pages without ``__GFP_COMP``, turned into
 *	independent order-0 pages by split_page(), so every page carries its
 *	own reference. Same orders as %MOSAIC_BACKEND_COMPOUND.
 * @MOSAIC_BACKEND_COHERENT: several dma_alloc_coherent() chunks of
 *	&mosaic_alloc.chunk_size bytes (default 1 MiB) for a device. The
 *	pages belong to the DMA layer, so only the PFN strategies may map them.
 * @MOSAIC_BACKEND_STREAMING: pages (order 0, or compound up to
 *	&mosaic_alloc.max_order if it is set) mapped for a device with
 *	dma_map_sgtable().
 * @MOSAIC_BACKEND_NONCONTIG: dma_alloc_noncontiguous() for a device, in
 *	chunks of &mosaic_alloc.chunk_size (without an IOMMU each call is one
 *	contiguous block, which caps its size). The pages belong to the DMA
 *	layer: PFN strategies only.
 * @MOSAIC_BACKEND_VMALLOC: zeroed vmalloc memory (__vmalloc()), order-0
 *	pages each with its own reference.
 * @MOSAIC_BACKEND_CMA: physically contiguous memory from the kernel's CMA
 *	area. PFN strategies only: CMA pages may never be pinned long-term,
 *	and a page mapping of them would let io_uring or RDMA registration
 *	spin in the kernel's migrate-and-retry loop. %EOPNOTSUPP on kernels
 *	built without CMA (Debian's stock kernel among them).
 * @MOSAIC_BACKEND_MMIO: the first &mosaic_alloc.size bytes of memory BAR
 *	&mosaic_alloc.bar of the PCI device named in &mosaic_alloc.device
 *	(%EINVAL without one, for an I/O port or unaligned BAR, or for a
 *	size larger than the BAR). Device memory, not RAM: it has no
 *	&struct page, no kernel address and no DMA address, and it is not
 *	counted in the page ledger. Only the PFN strategies map it, with
 *	the caching mode in &mosaic_alloc.cache. %MOSAIC_IOC_EXPORT refuses
 *	it with %EOPNOTSUPP: the kernel never touches the BAR itself.
 *	A BAR is mapped only where pci-sysfs and /dev/mem would map it:
 *	%EPERM when the kernel is locked down (a buffer made before stays
 *	usable); %EBUSY when a driver is bound to the device (a driver
 *	shares its own BAR through the in-kernel API instead) or anyone
 *	holds the BAR's region, a live mmio buffer of it included. While
 *	the buffer lives mosaic holds the region ("mosaic" in /proc/iomem),
 *	so a driver probing the device meanwhile fails with %EBUSY.
 *
 * The backends that need a device (coherent, streaming, noncontig, cma,
 * mmio) use the device named in &mosaic_alloc.device, or else the
 * ``mosaic`` platform device the module registers (which no IOMMU
 * translates, and which has no BARs for mmio).
 */
enum mosaic_backend {
	MOSAIC_BACKEND_PAGES = 1,
	MOSAIC_BACKEND_COMPOUND = 2,
	MOSAIC_BACKEND_SPLIT = 3,
	MOSAIC_BACKEND_COHERENT = 4,
	MOSAIC_BACKEND_STREAMING = 5,
	MOSAIC_BACKEND_NONCONTIG = 6,
	MOSAIC_BACKEND_VMALLOC = 7,
	MOSAIC_BACKEND_CMA = 8,
	MOSAIC_BACKEND_MMIO = 9,
};

#define MOSAIC_BACKEND_MAX	MOSAIC_BACKEND_MMIO

/**
 * enum mosaic_cache - how a user mapping of an mmio buffer is cached
 * @MOSAIC_CACHE_DEFAULT: the backend default (uncached for mmio); the
 *	only value the other backends accept.
 * @MOSAIC_CACHE_UNCACHED: uncached (``pgprot_noncached()``): every load
 *	and store reaches the device, in order. For registers.
 * @MOSAIC_CACHE_WC: write-combining (``pgprot_writecombine()``): stores
 *	may be merged and reordered into bursts, loads are uncached. For
 *	frame buffers and shared memory BARs.
 */
enum mosaic_cache {
	MOSAIC_CACHE_DEFAULT = 0,
	MOSAIC_CACHE_UNCACHED = 1,
	MOSAIC_CACHE_WC = 2,
};

#define MOSAIC_CACHE_MAX	MOSAIC_CACHE_WC

/**
 * enum mosaic_strategy - how the segments are put into a user VMA
 * @MOSAIC_STRATEGY_AUTO: the backend's default: %MOSAIC_STRATEGY_REMAP_PFN
 *	for coherent, noncontig, cma and mmio, %MOSAIC_STRATEGY_INSERT_PAGES
 *	otherwise.
 * @MOSAIC_STRATEGY_INSERT_PAGE: a vm_insert_page() loop at mmap time, the
 *	method most drivers use; kept as the reference.
 * @MOSAIC_STRATEGY_INSERT_PAGES: vm_insert_pages() at mmap time, batched.
 * @MOSAIC_STRATEGY_MAP_PAGES: vm_map_pages() at mmap time.
 * @MOSAIC_STRATEGY_REMAP_PFN: every PTE at mmap time, special PTEs with no
 *	page reference (as remap_pfn_range() makes them); device memory through
 *	io_remap_pfn_range() once per physically contiguous run.
 * @MOSAIC_STRATEGY_FAULT: nothing at mmap time; each fault, read or
 *	write, maps its page and its neighbours: the 64 KiB around the
 *	address and the rest of the page's physically contiguous segment,
 *	within the 2 MiB of the faulting page table.
 * @MOSAIC_STRATEGY_PFN_FAULT: nothing at mmap time; ``.fault`` calls
 *	vmf_insert_pfn().
 * @MOSAIC_STRATEGY_HUGE: nothing at mmap time; a fault maps each 2 MiB
 *	block that is physically contiguous and 2 MiB-aligned with one PMD
 *	entry, everything else with PTEs. Page-backed memory is mapped as
 *	refcounted pages (a PMD takes one reference and one entire
 *	mapcount on its order-9 compound page; get_user_pages() works),
 *	any other RAM as PFNs. Which mechanism the running kernel allows,
 *	if any, is &mosaic_info.huge_mode; see &enum mosaic_huge_mode.
 *	Not for mmio (%EINVAL). The buffer fd aligns a mapping to 2 MiB
 *	when mmap() gets no address hint.
 *
 * The four page strategies (insert-page, insert-pages, map-pages, fault)
 * install normal refcounted pages: each PTE takes one page reference and
 * one mapcount, and get_user_pages() (O_DIRECT, process_vm_readv,
 * vmsplice) works. io_uring fixed buffers are the exception: kernels up
 * to 6.4 refuse any file-backed mapping other than shmem and hugetlbfs
 * with %EOPNOTSUPP (see docs/gup.md). They need memory whose every page carries a
 * reference (or belongs to a compound page), so they are refused with
 * %EINVAL on coherent and noncontig buffers, whose pages the DMA layer
 * owns and may hand out as non-compound high-order blocks with tail pages
 * at refcount zero, on cma buffers (see %MOSAIC_BACKEND_CMA), and on mmio
 * buffers, which have no pages at all. The
 * two PFN strategies (remap-pfn, pfn-fault) build a
 * ``VM_PFNMAP`` mapping: no page references are taken, get_user_pages()
 * fails with %EFAULT and ``MADV_DONTNEED`` with %EINVAL.
 *
 * Every strategy has a ``.fault`` handler, so a PTE zapped after mmap comes
 * back with the same memory on the next touch.
 */
enum mosaic_strategy {
	MOSAIC_STRATEGY_AUTO = 0,
	MOSAIC_STRATEGY_INSERT_PAGE = 1,
	MOSAIC_STRATEGY_INSERT_PAGES = 2,
	MOSAIC_STRATEGY_MAP_PAGES = 3,
	MOSAIC_STRATEGY_REMAP_PFN = 4,
	MOSAIC_STRATEGY_FAULT = 5,
	MOSAIC_STRATEGY_PFN_FAULT = 6,
	MOSAIC_STRATEGY_HUGE = 7,
};

#define MOSAIC_STRATEGY_MAX	MOSAIC_STRATEGY_HUGE

/**
 * enum mosaic_huge_mode - how %MOSAIC_STRATEGY_HUGE maps 2 MiB blocks
 * @MOSAIC_HUGE_NONE: the buffer's strategy is not huge.
 * @MOSAIC_HUGE_PTE: huge, but this kernel has no safe way to map this
 *	backend's memory with PMDs: every page is mapped with a PTE. Raw PFN
 *	PMDs are unsafe before kernels have ``pmd_special()`` (6.12):
 *	get_user_pages_fast() would take references on pages the PMD does
 *	not own.
 * @MOSAIC_HUGE_FAULT_PMD: page-backed memory: ``.fault`` returns the
 *	page, and the kernel's fault path maps a whole order-9 compound
 *	page with one PMD, as it does for the page cache.
 * @MOSAIC_HUGE_PFN_PMD: memory without refcounted pages (coherent, cma,
 *	noncontig): ``.huge_fault`` calls vmf_insert_pfn_pmd(), which marks
 *	the PMD special.
 * @MOSAIC_HUGE_FOLIO_PMD: page-backed memory: ``.huge_fault`` calls
 *	vmf_insert_folio_pmd().
 */
enum mosaic_huge_mode {
	MOSAIC_HUGE_NONE = 0,
	MOSAIC_HUGE_PTE = 1,
	MOSAIC_HUGE_FAULT_PMD = 2,
	MOSAIC_HUGE_PFN_PMD = 3,
	MOSAIC_HUGE_FOLIO_PMD = 4,
};

#define MOSAIC_HUGE_MODE_MAX	MOSAIC_HUGE_FOLIO_PMD

/*
 * struct mosaic_alloc.flags
 *
 * MOSAIC_ALLOC_READ_ONLY: user space may read the buffer but never write
 * it. The buffer fd is opened O_RDONLY, so a MAP_SHARED mmap with
 * PROT_WRITE fails with EACCES, and every mapping lacks VM_MAYWRITE, so
 * mprotect(PROT_WRITE) fails with EACCES too, and every export of the buffer is read-only
 * (MOSAIC_EXPORT_READ_ONLY). Devices and the kernel may still write it.
 */
#define MOSAIC_ALLOC_READ_ONLY	(1U << 0)
#define MOSAIC_ALLOC_FLAGS	MOSAIC_ALLOC_READ_ONLY

/**
 * struct mosaic_alloc - argument of %MOSAIC_IOC_ALLOC
 * @argsz: sizeof(struct mosaic_alloc) as the caller knows it.
 * @flags: %MOSAIC_ALLOC_READ_ONLY or 0; other bits are %EINVAL.
 * @size: buffer size in bytes; rounded up to a whole number of pages.
 *	Zero is %EINVAL; more than the module's ``max_buffer_size`` parameter
 *	is %EFBIG.
 * @backend: an &enum mosaic_backend value (%EINVAL if unknown).
 * @strategy: an &enum mosaic_strategy value (%EINVAL if unknown or if it
 *	cannot map this backend's memory).
 * @fd: out: the new buffer fd, opened ``O_RDWR | O_CLOEXEC``; the ioctl
 *	also returns it. If it cannot be stored the ioctl fails with %EFAULT
 *	and no fd or buffer is left behind.
 * @max_order: compound, split, streaming: the largest page order to try;
 *	0 means the backend default. Other backends: must be 0.
 * @chunk_size: coherent and noncontig: bytes per DMA allocation call, a
 *	power of two from a page up to the page allocator's largest block
 *	(4 MiB on x86); 0 means 1 MiB for coherent and the largest block for
 *	noncontig. Noncontig chunks are also no longer than the device's DMA
 *	segment limit (64 KiB for a PCI device whose driver does not raise
 *	it). Other backends: must be 0.
 * @device: user pointer to the NUL-terminated name of the PCI device to
 *	allocate for (``"0000:00:04.0"``), or 0 for the module's own
 *	platform device. Only for the device backends; needs
 *	``CAP_SYS_RAWIO`` (%EPERM), and %ENODEV if no such device exists.
 * @bar: mmio: index of the memory BAR to map (0-5). Other backends: must
 *	be 0.
 * @cache: mmio: an &enum mosaic_cache value. Other backends: must be 0.
 * @__reserved: must be zero.
 */
struct mosaic_alloc {
	__u32 argsz;
	__u32 flags;
	__u64 size;
	__u32 backend;
	__u32 strategy;
	__s32 fd;
	__u32 max_order;
	__u64 chunk_size;
	__u64 device;
	__u32 bar;
	__u32 cache;
	__u64 __reserved[1];
};

#define MOSAIC_INFO_ORDERS	16

/**
 * struct mosaic_info - argument of %MOSAIC_IOC_INFO (on a buffer fd)
 * @argsz: sizeof(struct mosaic_info) as the caller knows it.
 * @flags: must be zero.
 * @size: out: buffer size in bytes (a whole number of pages).
 * @backend: out: &enum mosaic_backend.
 * @strategy: out: &enum mosaic_strategy actually in use (never AUTO).
 * @nr_segments: out: number of physically contiguous segments.
 * @nr_adjacent: out: segments that start right where the previous segment
 *	ends in physical memory (a segment table with no such neighbours is
 *	fully scattered).
 * @nr_runs: out: physically contiguous runs once adjacent segments are
 *	merged (``nr_segments - nr_adjacent``).
 * @nr_maps: out: VMAs that currently map this buffer.
 * @order_count: out: how many segments have each page order
 *	(``order_count[k]`` counts segments of ``2^k`` pages).
 * @huge_mode: out: &enum mosaic_huge_mode; %MOSAIC_HUGE_NONE unless the
 *	strategy is %MOSAIC_STRATEGY_HUGE.
 * @__pad: must be zero.
 * @pmd_bytes: out: bytes of the buffer a mapping at a 2 MiB-aligned
 *	address maps with PMDs (0 when @huge_mode is NONE or PTE).
 * @pmd_mapped: out: PMD entries that map the buffer now, in all
 *	mappings and processes; counted from the compound pages' entire
 *	mapcounts, so ``~0`` for %MOSAIC_HUGE_PFN_PMD, whose PMDs leave no
 *	count, and 0 when no PMD can exist.
 * @__reserved: must be zero.
 */
struct mosaic_info {
	__u32 argsz;
	__u32 flags;
	__u64 size;
	__u32 backend;
	__u32 strategy;
	__u64 nr_segments;
	__u64 nr_adjacent;
	__u64 nr_runs;
	__u64 nr_maps;
	__u64 order_count[MOSAIC_INFO_ORDERS];
	__u32 huge_mode;
	__u32 __pad;
	__u64 pmd_bytes;
	__u64 pmd_mapped;
	__u64 __reserved[1];
};

/**
 * mosaic_pattern_word() - the pattern word at a buffer offset
 * @seed: &mosaic_pattern.seed
 * @offset: byte offset of the word in the buffer (a multiple of 8)
 *
 * A cheap mix that differs for every word and every seed, so a segment
 * mapped at the wrong place or twice shows up as a mismatch. It is the
 * pattern libmosaic's mosaic_buf_fill() writes and mosaic_buf_verify()
 * checks, and the one the test build's inspection ioctls use
 * (linux/mosaic_testing.h).
 *
 * Return: the 64-bit word expected at @offset.
 */
static __inline__ __u64 mosaic_pattern_word(__u64 seed, __u64 offset)
{
	__u64 x = (offset >> 3) * 0x9e3779b97f4a7c15ULL + seed;

	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ULL;
	return x ^ (x >> 29);
}

/**
 * struct mosaic_stats - argument of %MOSAIC_IOC_STATS (on ``/dev/mosaic``)
 * @argsz: sizeof(struct mosaic_stats) as the caller knows it.
 * @flags: must be zero.
 * @buffers: out: buffers alive now, module-wide.
 * @pages: out: pages the module holds now (the page ledger). Zero means
 *	every page went back to the allocator.
 * @maps: out: VMAs that map any mosaic buffer now.
 * @total_buffers: out: buffers created since the module was loaded.
 * @total_pages: out: pages allocated since the module was loaded.
 * @__reserved: must be zero.
 */
struct mosaic_stats {
	__u32 argsz;
	__u32 flags;
	__u64 buffers;
	__u64 pages;
	__u64 maps;
	__u64 total_buffers;
	__u64 total_pages;
	__u64 __reserved[4];
};

/**
 * enum mosaic_sync_dir - what the CPU does with a range, for %MOSAIC_IOC_SYNC
 * @MOSAIC_SYNC_READ: the CPU reads what the device wrote.
 * @MOSAIC_SYNC_WRITE: the CPU writes what the device will read.
 * @MOSAIC_SYNC_RW: both.
 */
enum mosaic_sync_dir {
	MOSAIC_SYNC_READ = 1,
	MOSAIC_SYNC_WRITE = 2,
	MOSAIC_SYNC_RW = 3,
};

/* struct mosaic_sync.flags: exactly one of BEGIN and END. */
#define MOSAIC_SYNC_BEGIN	(1U << 0)	/* CPU access begins */
#define MOSAIC_SYNC_END		(1U << 1)	/* CPU access ends */

/**
 * struct mosaic_sync - argument of %MOSAIC_IOC_SYNC (on a buffer fd)
 * @argsz: sizeof(struct mosaic_sync) as the caller knows it.
 * @flags: %MOSAIC_SYNC_BEGIN before the CPU touches the range,
 *	%MOSAIC_SYNC_END after it is done and before the device uses it.
 * @offset: first byte of the range.
 * @length: bytes in the range; non-zero, and the range must lie inside the
 *	buffer (%EINVAL otherwise, also when offset + length overflows).
 * @direction: an &enum mosaic_sync_dir (%EINVAL otherwise).
 * @__pad: must be zero.
 * @first_segment: out: index of the first segment the range touches.
 * @nr_segments: out: segments the range touches.
 * @nr_synced: out: segments that needed cache maintenance and got it; 0
 *	when the buffer has no streaming DMA mapping or the DMA layer says no
 *	sync is needed (dma_need_sync() is false, e.g. coherent memory on a
 *	cache-coherent machine without swiotlb bouncing).
 * @__reserved: must be zero.
 *
 * Only the segments the range touches are synced, and only the part of
 * each that lies inside the range: a sync of 4 KiB in a 1 GiB buffer
 * costs one page of cache maintenance, not a gigabyte of it.
 */
struct mosaic_sync {
	__u32 argsz;
	__u32 flags;
	__u64 offset;
	__u64 length;
	__u32 direction;
	__u32 __pad;
	__u64 first_segment;
	__u64 nr_segments;
	__u64 nr_synced;
	__u64 __reserved[2];
};

/*
 * struct mosaic_export.flags
 *
 * MOSAIC_EXPORT_READ_ONLY: the dma-buf fd is opened O_RDONLY, its CPU
 * mappings are never writable (PROT_WRITE with MAP_SHARED and a later
 * mprotect(PROT_WRITE) fail with EACCES), and an importer may map it for
 * DMA_TO_DEVICE only (the device reads; other directions fail with
 * EACCES). Implied for every export of a MOSAIC_ALLOC_READ_ONLY buffer.
 */
#define MOSAIC_EXPORT_READ_ONLY	(1U << 0)
#define MOSAIC_EXPORT_FLAGS	MOSAIC_EXPORT_READ_ONLY

/**
 * struct mosaic_export - argument of %MOSAIC_IOC_EXPORT (on a buffer fd)
 * @argsz: sizeof(struct mosaic_export) as the caller knows it.
 * @flags: %MOSAIC_EXPORT_READ_ONLY or 0; other bits are %EINVAL.
 * @offset: first byte to export; page aligned.
 * @length: bytes to export; page aligned, or 0 for "to the end of the
 *	buffer". The range must lie inside the buffer (%EINVAL).
 * @fd: out: a dma-buf fd (``O_RDWR | O_CLOEXEC``); the ioctl also returns
 *	it. The dma-buf holds its own reference on the buffer: the memory
 *	lives until the last buffer fd, mapping, dma-buf fd, attachment and
 *	import are gone, in any order.
 * @__pad: must be zero.
 * @__reserved: must be zero.
 *
 * The dma-buf supports attach and map_attachment for any device,
 * ``mmap()`` and ``DMA_BUF_IOCTL_SYNC`` (which syncs the exported range
 * like %MOSAIC_IOC_SYNC).
 */
struct mosaic_export {
	__u32 argsz;
	__u32 flags;
	__u64 offset;
	__u64 length;
	__s32 fd;
	__u32 __pad;
	__u64 __reserved[2];
};

/* struct mosaic_seg_entry.flags */
#define MOSAIC_SEG_HAS_DMA	(1U << 0)	/* @dma is a device address */
#define MOSAIC_SEG_ADDR_HIDDEN	(1U << 1)	/* caller lacks CAP_SYS_ADMIN */
#define MOSAIC_SEG_DMA_SPLIT	(1U << 2)	/* several device ranges */

/**
 * struct mosaic_seg_entry - one segment, as %MOSAIC_IOC_SEGMENTS reports it
 * @offset: byte offset of the segment in the buffer.
 * @length: bytes.
 * @phys: physical address of its first byte, or 0 if hidden.
 * @dma: device address of its first byte, or 0 if hidden or none.
 * @order: order of the allocation unit it came from.
 * @flags: %MOSAIC_SEG_HAS_DMA, %MOSAIC_SEG_ADDR_HIDDEN, and
 *	%MOSAIC_SEG_DMA_SPLIT when the device does not see the segment as one
 *	range: the DMA layer mapped it in pieces (split at the device's
 *	segment limit, or bounced by swiotlb piece by piece), and only the
 *	first piece starts at @dma. %MOSAIC_SEGMENTS_DEVICE lists the pieces.
 *
 * With %MOSAIC_SEGMENTS_DEVICE an entry is one device range instead: the
 * bytes the device sees as one contiguous range, the (@dma, @length) pair
 * a driver programs; @phys is the physical address of its first byte,
 * @order is 0 and @flags has %MOSAIC_SEG_HAS_DMA (or the address is
 * hidden).
 */
struct mosaic_seg_entry {
	__u64 offset;
	__u64 length;
	__u64 phys;
	__u64 dma;
	__u32 order;
	__u32 flags;
};

/* struct mosaic_segments.flags */
#define MOSAIC_SEGMENTS_DEVICE	(1U << 0)	/* list the device ranges */
#define MOSAIC_SEGMENTS_FLAGS	MOSAIC_SEGMENTS_DEVICE

/**
 * struct mosaic_segments - argument of %MOSAIC_IOC_SEGMENTS (on a buffer fd)
 * @argsz: sizeof(struct mosaic_segments) as the caller knows it.
 * @flags: 0 for the segments (the CPU's view: physically contiguous
 *	pieces), or %MOSAIC_SEGMENTS_DEVICE for the device ranges (the
 *	device's view: what the DMA layer mapped as one piece, in buffer
 *	order; none for a buffer without device addresses). Other bits are
 *	%EINVAL.
 * @first: index of the first segment (or device range) to report.
 * @count: in/out: room in @entries on input, entries written on output.
 * @entries: user pointer to an array of struct mosaic_seg_entry.
 * @entry_size: sizeof(struct mosaic_seg_entry) as the caller knows it
 *	(at least 40); the kernel writes that many bytes per entry.
 * @__pad: must be zero.
 * @nr_segments: out: segments (or device ranges) in the buffer.
 * @__reserved: must be zero.
 *
 * Physical and DMA addresses tell an attacker where kernel memory is, so
 * they are reported only to callers with ``CAP_SYS_ADMIN``; everyone else
 * gets zeros and %MOSAIC_SEG_ADDR_HIDDEN.
 */
struct mosaic_segments {
	__u32 argsz;
	__u32 flags;
	__u64 first;
	__u64 count;
	__u64 entries;
	__u32 entry_size;
	__u32 __pad;
	__u64 nr_segments;
	__u64 __reserved[2];
};

/*
 * The ioctl numbers: magic 0xB9 (free in the kernel's
 * Documentation/userspace-api/ioctl/ioctl-number.rst), read and write
 * (every argument carries argsz in and results out), and the size of the
 * struct's first version. The numbers never change: when a struct grows,
 * its ioctl keeps the number, and argsz tells the kernel which version
 * the caller has. Numbers 0xf0-0xff are the test build's
 * (linux/mosaic_testing.h); a production module answers them with
 * %ENOTTY, as it does every number it does not know.
 */
#define MOSAIC_IOC_MAGIC	0xB9

#define MOSAIC_IOC_ALLOC	_IOWR(MOSAIC_IOC_MAGIC, 0x00, struct mosaic_alloc)
#define MOSAIC_IOC_STATS	_IOWR(MOSAIC_IOC_MAGIC, 0x01, struct mosaic_stats)
#define MOSAIC_IOC_INFO		_IOWR(MOSAIC_IOC_MAGIC, 0x10, struct mosaic_info)
#define MOSAIC_IOC_SYNC		_IOWR(MOSAIC_IOC_MAGIC, 0x11, struct mosaic_sync)
#define MOSAIC_IOC_EXPORT	_IOWR(MOSAIC_IOC_MAGIC, 0x12, struct mosaic_export)
#define MOSAIC_IOC_SEGMENTS	_IOWR(MOSAIC_IOC_MAGIC, 0x13, struct mosaic_segments)

/* Struct sizes of the first version: the smallest accepted argsz. */
#define MOSAIC_ALLOC_SIZE_VER0		64
#define MOSAIC_INFO_SIZE_VER0		216
#define MOSAIC_STATS_SIZE_VER0		80
#define MOSAIC_SYNC_SIZE_VER0		72
#define MOSAIC_EXPORT_SIZE_VER0		48
#define MOSAIC_SEGMENTS_SIZE_VER0	64
#define MOSAIC_SEG_ENTRY_SIZE_VER0	40

#endif /* _UAPI_LINUX_MOSAIC_H */
