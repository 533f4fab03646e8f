/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the mosaic test programs.
 *
 * They call the ioctls directly on the uapi structs (there is no libmosaic
 * yet), so a test sees exactly what the kernel returned. Functions that can
 * fail return 0 / a non-negative fd on success and -errno on failure, so a
 * test can compare the errno without a racy global.
 */
#ifndef MOSAIC_TESTS_MOSAIC_TEST_H
#define MOSAIC_TESTS_MOSAIC_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/mosaic.h>

#define MT_PAGE		4096UL
#define MT_MiB		(1024UL * 1024UL)
/* __u64 is unsigned long long in user space: print it with %llu / ULL(). */
#define ULL(x)		((unsigned long long)(x))
#define MT_PFN_NONE	UINT64_MAX	/* pagemap: page not present */

/* Name of the module as seen by delete_module and /sys/module. */
#define MT_MODULE_NAME	"mosaic"

/* open(/dev/mosaic, O_RDWR | O_CLOEXEC): fd or -errno. */
int mt_open_dev(void);
/* Same, but bail out of the whole program if the device is missing. */
int mt_open_dev_or_bail(void);

/* MOSAIC_IOC_ALLOC with a fully initialised struct: buffer fd or -errno. */
int mt_alloc(int devfd, uint64_t size, uint32_t backend, uint32_t strategy);
/* Raw ioctl wrapper: returns ioctl()'s result or -errno. */
int mt_ioctl(int fd, unsigned long req, void *arg);

int mt_info(int bfd, struct mosaic_info *out);
int mt_stats(int devfd, struct mosaic_stats *out);
int mt_refs(int bfd, uint64_t off, uint64_t len, struct mosaic_refs *out);
int mt_fill(int bfd, uint64_t off, uint64_t len, uint64_t seed);
/* VERIFY; *mismatches and *first get the kernel's answer. */
int mt_verify(int bfd, uint64_t off, uint64_t len, uint64_t seed,
	      uint64_t *mismatches, uint64_t *first);

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

/* /sys/module/mosaic/parameters/<name> as an unsigned number: 0 or -errno. */
int mt_param_u64(const char *name, uint64_t *out);
/* True if /sys/module/mosaic exists. */
bool mt_module_loaded(void);

/* Number of open fds of this process (entries in /proc/self/fd). */
int mt_count_fds(void);

/*
 * Run fn(arg) in a forked child and return its exit code, or 128 + signal
 * number if the child was killed. The child has @timeout_s seconds (alarm).
 * Returns -errno if fork/wait failed.
 */
int mt_run_child(int (*fn)(void *arg), void *arg, unsigned timeout_s);

/* Page-aligned anonymous memory for large scratch arrays (never NULL). */
void *mt_xcalloc(size_t n, size_t size);
void mt_xfree(void *p, size_t n, size_t size);

/* Human readable errno name ("EINVAL"), or "E?" for unknown ones. */
const char *mt_errname(int err);

#endif /* MOSAIC_TESTS_MOSAIC_TEST_H */
