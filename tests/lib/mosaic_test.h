/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the mosaic test programs.
 *
 * They call the ioctls directly on the uapi structs, not through libmosaic,
 * so a test sees exactly what the kernel returned. Functions that can
 * fail return 0 / a non-negative fd on success and -errno on failure, so a
 * test can compare the errno without a racy global.
 */
#ifndef MOSAIC_TESTS_MOSAIC_TEST_H
#define MOSAIC_TESTS_MOSAIC_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/mosaic_testing.h>

#define MT_PAGE		4096UL
#define MT_MiB		(1024UL * 1024UL)
/* __u64 is unsigned long long in user space: print it with %llu / ULL(). */
#define ULL(x)		((unsigned long long)(x))
#define MT_PFN_NONE	UINT64_MAX	/* pagemap: page not present */

/* Name of the module as seen by delete_module and /sys/module. */
#define MT_MODULE_NAME	"mosaic"

/* ---- mosaic_test.c: the device, its ioctls, the ledger, the pattern ---- */

/* open(/dev/mosaic, O_RDWR | O_CLOEXEC): fd or -errno. */
int mt_open_dev(void);
/* Same, but bail out of the whole program if the device is missing. */
int mt_open_dev_or_bail(void);
/*
 * The start of most programs: /dev/mosaic opened and the ledger's values
 * now in *@base, or the program bails out. Returns the device fd.
 */
int mt_open_dev_baseline(struct mosaic_stats *base);
/*
 * The end of most programs: one test point @what, that the ledger is back
 * at @base; then @devfd is closed. Returns tap_exit()'s code for main().
 */
int mt_end_ledger_back(int devfd, const struct mosaic_stats *base,
		       const char *what);

/*
 * An ioctl that returns a new fd and also stores it in the out field
 * @out_fd of its argument: the fd, -errno, or -EPROTO (with a diagnostic
 * naming @what) when the two disagree.
 */
int mt_fd_ioctl(int fd, unsigned long req, void *arg, const int32_t *out_fd,
		const char *what);
/* MOSAIC_IOC_ALLOC with a fully initialised struct: buffer fd or -errno. */
int mt_alloc(int devfd, uint64_t size, uint32_t backend, uint32_t strategy);
/* Raw ioctl wrapper: returns ioctl()'s result or -errno. */
int mt_ioctl(int fd, unsigned long req, void *arg);

int mt_info(int bfd, struct mosaic_info *out);
int mt_stats(int devfd, struct mosaic_stats *out);
int mt_refs(int bfd, uint64_t off, uint64_t len, struct mosaic_refs *out);
/*
 * MOSAIC_IOC_SEGMENTS: the segment table from its start into @ents (room
 * for @max entries). Returns the number of segments in the buffer, which
 * may be more than @max, or -errno.
 */
long mt_segments(int bfd, struct mosaic_seg_entry *ents, uint64_t max);
/*
 * The whole segment table into *@ents, an array allocated to fit (free()
 * it). Returns the number of segments, or -errno (*@ents is then NULL).
 */
long mt_segments_all(int bfd, struct mosaic_seg_entry **ents);
/* As mt_segments_all(), for the device ranges (MOSAIC_SEGMENTS_DEVICE). */
long mt_dev_ranges_all(int bfd, struct mosaic_seg_entry **ents);
/* A struct mosaic_sync for one range, argsz set, everything else zero. */
struct mosaic_sync mt_sync_arg(uint64_t off, uint64_t len, uint32_t flags,
			       uint32_t dir);
/* MOSAIC_IOC_SYNC of one range; *out (if not NULL) gets the answer. */
int mt_sync(int bfd, uint64_t off, uint64_t len, uint32_t flags,
	    uint32_t dir, struct mosaic_sync *out);
int mt_fill(int bfd, uint64_t off, uint64_t len, uint64_t seed);
/* VERIFY; *mismatches and *first get the kernel's answer. */
int mt_verify(int bfd, uint64_t off, uint64_t len, uint64_t seed,
	      uint64_t *mismatches, uint64_t *first);

/* MOSAIC_IOC_EXPORT on a mosaic buffer fd: the dma-buf fd, or -errno. */
int mt_export(int bfd, uint64_t off, uint64_t len);

/* DMA_BUF_IOCTL_SYNC with @flags (DMA_BUF_SYNC_START | ..._READ, ...). */
int mt_dmabuf_sync(int dfd, uint64_t flags);

/* Index of the segment that holds byte @off (the table is ordered). */
uint64_t mt_seg_index(const struct mosaic_seg_entry *ents,
		      uint64_t nr, uint64_t off);

/* First segment boundary at or after @from, or 0 if there is none. */
uint64_t mt_seg_boundary(const struct mosaic_seg_entry *ents,
			 uint64_t nr, uint64_t from);

/*
 * Ledger comparison: true if buffers, pages and maps of @now equal @base
 * plus the given deltas. Prints a diagnostic on mismatch.
 */
bool mt_stats_delta_is(const struct mosaic_stats *base,
		       const struct mosaic_stats *now,
		       int64_t buffers, int64_t pages, int64_t maps);
/* Take a fresh STATS snapshot and compare it with @base plus deltas. */
bool mt_ledger_is(int devfd, const struct mosaic_stats *base,
		  int64_t buffers, int64_t pages, int64_t maps);

/*
 * User-side pattern helpers. @buf_off is the buffer offset of map[0]
 * (the pattern is a function of the *buffer* offset, so a sub-range
 * mapping is checked against the right words).
 */
void mt_user_fill(void *map, uint64_t buf_off, uint64_t len, uint64_t seed);
/* Number of mismatching words; *first_bad = buffer offset of the first. */
uint64_t mt_user_check(const void *map, uint64_t buf_off, uint64_t len,
		       uint64_t seed, uint64_t *first_bad);
/* Number of non-zero 64-bit words in [map, map+len). */
uint64_t mt_count_nonzero(const void *map, uint64_t len);

/*
 * MOSAIC_IOC_ALLOC with every knob: @device is a PCI device name or NULL.
 * Returns the buffer fd or -errno, like mt_alloc().
 */
int mt_alloc_knobs(int devfd, uint64_t size, uint32_t backend,
		   uint32_t strategy, uint32_t max_order, uint64_t chunk_size,
		   const char *device);
/* MOSAIC_IOC_ALLOC of a caller-built request (argsz is set here). */
int mt_alloc_req(int devfd, struct mosaic_alloc *req);
/*
 * MOSAIC_IOC_ALLOC of the mmio backend: @size bytes of BAR @bar of PCI
 * device @pci (NULL: none), with @strategy and @cache. fd or -errno.
 */
int mt_alloc_mmio(int devfd, const char *pci, uint32_t bar, uint64_t size,
		  uint32_t strategy, uint32_t cache);

/*
 * The buffers of the backend x strategy matrix (t10-t12): @want bytes,
 * coherent in 256 KiB chunks (MT_MATRIX_CHUNK) so there are many segment
 * boundaries, the other knobs at their defaults, the default device.
 * *size gets the size allocated. Returns the buffer fd or -errno.
 */
#define MT_MATRIX_CHUNK	(256 * 1024UL)
int mt_alloc_matrix(int devfd, uint32_t backend, uint32_t strategy,
		    uint64_t want, uint64_t *size);

/* ---- mt_backends.c: backends and strategies (enum mosaic_backend, mosaic_strategy) ---- */

/*
 * "pages", "compound", ... / "insert-page", ...: libmosaic's names
 * (lib/names.c, linked into every test program), "?" for unknown values.
 */
const char *mt_backend_name(uint32_t backend);
const char *mt_strategy_name(uint32_t strategy);
/* remap-pfn and pfn-fault: VM_PFNMAP, no page references, no GUP. */
bool mt_strategy_is_pfn(uint32_t strategy);
/*
 * Every page carries a reference of the buffer's: pages, compound, split,
 * streaming and vmalloc; not the DMA layer's coherent, noncontig and cma
 * memory, nor mmio (nor unknown values).
 */
bool mt_backend_page_backed(uint32_t backend);
/* coherent, streaming, noncontig and cma allocate for a device. */
bool mt_backend_needs_device(uint32_t backend);
/*
 * The header's rule: page strategies only on page-backed backends; huge on
 * everything but mmio.
 * The matrix tests (t10-t12) cover the RAM backends, pages .. cma
 * (MT_MATRIX_LAST_BACKEND).
 */
#define MT_MATRIX_LAST_BACKEND	MOSAIC_BACKEND_CMA
bool mt_pair_valid(uint32_t backend, uint32_t strategy);
/* Every pair of the matrix, valid or not: RAM backend @b, strategy @s. */
#define MT_FOR_EACH_MATRIX_PAIR(b, s)					\
	for (uint32_t b = MOSAIC_BACKEND_PAGES; b <= MT_MATRIX_LAST_BACKEND; b++) \
		for (uint32_t s = MOSAIC_STRATEGY_INSERT_PAGE;		\
		     s <= MOSAIC_STRATEGY_MAX; s++)
/*
 * The bookkeeping of one pair of a matrix test as it runs: its name for
 * the test points ("compound/insert-pages"), the ledger before it and when
 * it started.
 */
struct mt_pair_run {
	uint32_t backend, strategy;
	char tag[48];
	struct mosaic_stats base;
	double t0;
};
/* Start pair (@b, @s): the tag, the ledger now (or bail out), the clock. */
void mt_pair_start(struct mt_pair_run *run, int devfd, uint32_t b, uint32_t s);
/*
 * The pair's buffer, from mt_alloc_matrix() of @want bytes (*@size gets
 * the size): the fd, or -errno with a diagnostic, and *@skip set to
 * mt_alloc_skip_reason() (NULL when the failure is a real one).
 */
int mt_pair_alloc(const struct mt_pair_run *run, int devfd, uint64_t want,
		  uint64_t *size, const char **skip);
/*
 * Its last test point, "<tag>: @what": with @bfd closed (when it is open)
 * the ledger is back at the start (a skip with @skip when that is set);
 * then a diagnostic of how long the pair took.
 */
void mt_pair_finish(const struct mt_pair_run *run, int devfd, int bfd,
		    const char *skip, const char *what);
/*
 * Whether the pair builds a VM_PFNMAP mapping: the PFN strategies, and huge
 * on memory that is not page-backed (huge maps page-backed memory as
 * refcounted pages in a VMA that is neither VM_MIXEDMAP nor VM_PFNMAP).
 */
bool mt_maps_pfn(uint32_t backend, uint32_t strategy);

/*
 * When ALLOC of @backend failed with @err for @size bytes because of the
 * machine rather than the module, the reason to skip with: the noncontig
 * backend on a kernel without dma_alloc_noncontiguous() (EOPNOTSUPP), the
 * cma backend on a kernel without CMA (EOPNOTSUPP), or with a CMA area
 * smaller than the buffer (ENOMEM while /proc/meminfo CmaFree < size), or
 * the mmio backend without a PCI device to map a BAR of (EINVAL). NULL
 * otherwise: then the failure is a real one.
 */
const char *mt_alloc_skip_reason(uint32_t backend, int err, uint64_t size);

/* ---- mt_proc.c: page tables, VMAs, fds, meminfo, the kernel log ---- */

/*
 * /proc/self/pagemap: PFN of each page of [addr, addr + npages pages) into
 * pfns[], MT_PFN_NONE where no page is present. Returns 0 or -errno.
 */
int mt_pagemap_pfns(const void *addr, size_t npages, uint64_t *pfns);
/*
 * True if PFNs are really visible (root with CAP_SYS_ADMIN). Without it the
 * kernel reports present pages with PFN 0, which makes kpagecount useless.
 */
bool mt_pfns_visible(const uint64_t *pfns, size_t n);
/*
 * /proc/kpagecount for each pfn (the page's mapcount). Consecutive PFNs are
 * read with one pread. Returns 0 or -errno. pfns[i] == MT_PFN_NONE gives
 * counts[i] = UINT64_MAX.
 */
int mt_kpagecount(const uint64_t *pfns, size_t n, uint64_t *counts);
/*
 * Check that kpagecount is @want for every pfn; on failure print where the
 * first difference is. Returns true if all equal.
 */
bool mt_kpagecount_all(const uint64_t *pfns, size_t n, uint64_t want,
		       const char *what);

/* /proc/kpageflags for each pfn, like mt_kpagecount(). */
int mt_kpageflags(const uint64_t *pfns, size_t n, uint64_t *flags);
#define MT_KPF_COMPOUND_HEAD	15
#define MT_KPF_COMPOUND_TAIL	16

/*
 * A field of the /proc/self/smaps entry of the VMA that holds @addr, the
 * text after "<field>:" ("FilePmdMapped" gives "        0 kB"): 0, or
 * -ENOENT if no VMA holds it or it has no such field.
 */
int mt_smaps_field(const void *addr, const char *field, char *buf, size_t size);
/* That field's number of kB ("FilePmdMapped" -> 8192), or -1. */
long mt_smaps_kb(const void *addr, const char *field);
/*
 * Its "VmFlags:" line (" rd wr sh mr mw me ms pf io de dd"). Test a flag
 * with mt_vmflag().
 */
int mt_smaps_vmflags(const void *addr, char *buf, size_t size);
bool mt_vmflag(const char *vmflags, const char *flag);

/* Number of open fds of this process (entries in /proc/self/fd). */
int mt_count_fds(void);

/* A "Name:   123 kB" line of /proc/meminfo, in kB: 0 or -errno. */
int mt_meminfo_kb(const char *name, uint64_t *kb);

/*
 * The kernel log from now on: /dev/kmsg opened at its end, for
 * mt_kmsg_find(). fd or -errno.
 */
int mt_kmsg_open(void);
/* Whether a record logged since @fd was opened holds @needle. */
bool mt_kmsg_find(int fd, const char *needle);

/* ---- mt_sysfs.c: module parameters, PCI devices, small files ---- */

/* /sys/module/mosaic/parameters/<name> as an unsigned number: 0 or -errno. */
int mt_param_u64(const char *name, uint64_t *out);
/* Writes @v to /sys/module/mosaic/parameters/<name>: 0 or -errno. */
int mt_set_param_u64(const char *name, uint64_t v);
/* True if /sys/module/mosaic exists. */
bool mt_module_loaded(void);

/*
 * Find the first PCI device with this vendor and device id under
 * /sys/bus/pci/devices; its name ("0000:00:04.0") goes to @name.
 * Returns 0, or -ENODEV if there is none.
 */
int mt_find_pci(unsigned vendor, unsigned device, char *name, size_t size);
/*
 * Start and length of BAR @bar of PCI device @pci, from its sysfs
 * "resource" file (a BAR that does not exist has length 0): 0 or -errno.
 */
int mt_pci_bar(const char *pci, int bar, uint64_t *start, uint64_t *len);
/*
 * Whether /proc/iomem lists [start, start + len) as held by @name (a
 * driver's or module's name, as it passed it to request_mem_region()).
 */
bool mt_iomem_held_by(uint64_t start, uint64_t len, const char *name);
/* Write @val to the file @path (sysfs, /dev/kmsg): 0 or -errno. */
int mt_write_file(const char *path, const char *val);
/* First line of a small file without the newline: 0 or -errno. */
int mt_read_line(const char *path, char *buf, size_t size);

/* ---- mt_process.c: children, scratch memory, time, environment ---- */

/*
 * fork() after flushing stdout (a child must not print the parent's
 * buffered lines a second time); bails out if fork fails. 0 in the child,
 * the child's pid in the parent.
 */
pid_t mt_fork(void);
/*
 * Run fn(arg) in a forked child and return its exit code, or 128 + signal
 * number if the child was killed. The child has @timeout_s seconds (alarm).
 * Returns -errno if fork/wait failed.
 */
int mt_run_child(int (*fn)(void *arg), void *arg, unsigned timeout_s);
/*
 * Fork @n workers: worker i runs fn(i, arg) with @timeout_s seconds
 * (alarm) and exits with its result; pids[i] gets its pid, written by the
 * parent only (so @pids may be shared memory the workers read). Bails out
 * if a fork fails.
 */
void mt_spawn(int n, int (*fn)(int i, void *arg), void *arg,
	      unsigned timeout_s, pid_t *pids);
/*
 * Wait for the @n workers of mt_spawn(); each one that did not exit with
 * 0 gets a diagnostic "@what i: status ...". Returns how many did not.
 */
int mt_reap(int n, const pid_t *pids, const char *what);

/*
 * Zeroed memory shared with the children forked after this, which report
 * their results through it (never NULL).
 */
void *mt_shared(size_t len);
/* Page-aligned anonymous memory for large scratch arrays (never NULL). */
void *mt_xcalloc(size_t n, size_t size);
void mt_xfree(void *p, size_t n, size_t size);

/* Human readable errno name ("EINVAL"), or "E?" for unknown ones. */
const char *mt_errname(int err);

/* Seconds on the monotonic clock, for durations. */
double mt_now_s(void);
/* The number in environment variable @name, @def if unset, within [min, max]. */
long mt_env_num(const char *name, long def, long min, long max);

/*
 * mmap() at an address that is a multiple of @align (a power of two), so
 * a test controls the VMA's alignment against huge page boundaries.
 * Returns MAP_FAILED with errno set on failure.
 */
void *mt_mmap_aligned(size_t len, int prot, int flags, int fd, off_t off,
		      size_t align);

#endif /* MOSAIC_TESTS_MOSAIC_TEST_H */
