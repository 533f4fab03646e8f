// SPDX-License-Identifier: GPL-2.0
#include "mosaic_test.h"
#include "tap.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int mt_open_dev(void)
{
	int fd = open(MOSAIC_DEVICE_PATH, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int mt_open_dev_or_bail(void)
{
	int fd = mt_open_dev();

	if (fd < 0)
		tap_bail("cannot open %s: %s (is the module loaded?)",
			 MOSAIC_DEVICE_PATH, strerror(-fd));
	return fd;
}

int mt_ioctl(int fd, unsigned long req, void *arg)
{
	int ret = ioctl(fd, req, arg);

	return ret < 0 ? -errno : ret;
}

int mt_fd_ioctl(int fd, unsigned long req, void *arg, const int32_t *out_fd,
		const char *what)
{
	int ret = mt_ioctl(fd, req, arg);

	if (ret >= 0 && *out_fd != ret) {
		tap_diag("%s returned %d but .fd = %d", what, ret, *out_fd);
		return -EPROTO;
	}
	return ret;
}

int mt_alloc(int devfd, uint64_t size, uint32_t backend, uint32_t strategy)
{
	struct mosaic_alloc a;

	memset(&a, 0, sizeof(a));
	a.size = size;
	a.backend = backend;
	a.strategy = strategy;
	return mt_alloc_req(devfd, &a);
}

int mt_info(int bfd, struct mosaic_info *out)
{
	memset(out, 0, sizeof(*out));
	out->argsz = sizeof(*out);
	return mt_ioctl(bfd, MOSAIC_IOC_INFO, out);
}

int mt_stats(int devfd, struct mosaic_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->argsz = sizeof(*out);
	return mt_ioctl(devfd, MOSAIC_IOC_STATS, out);
}

int mt_refs(int bfd, uint64_t off, uint64_t len, struct mosaic_refs *out)
{
	memset(out, 0, sizeof(*out));
	out->argsz = sizeof(*out);
	out->offset = off;
	out->length = len;
	return mt_ioctl(bfd, MOSAIC_TEST_IOC_REFS, out);
}

static long segments_flags(int bfd, uint32_t flags,
			   struct mosaic_seg_entry *ents, uint64_t max)
{
	struct mosaic_segments g;
	int ret;

	memset(&g, 0, sizeof(g));
	g.argsz = sizeof(g);
	g.flags = flags;
	g.count = max;
	g.entries = (uintptr_t)ents;
	g.entry_size = sizeof(*ents);
	ret = mt_ioctl(bfd, MOSAIC_IOC_SEGMENTS, &g);
	if (ret < 0)
		return ret;
	if (g.count != (g.nr_segments < max ? g.nr_segments : max)) {
		tap_diag("SEGMENTS: count %llu of %llu entries, room for %llu",
			 ULL(g.count), ULL(g.nr_segments), ULL(max));
		return -EPROTO;
	}
	return (long)g.nr_segments;
}

static long segments_flags_all(int bfd, uint32_t flags,
			       struct mosaic_seg_entry **ents)
{
	long n = segments_flags(bfd, flags, NULL, 0);
	long got;

	*ents = NULL;
	if (n < 0)
		return n;
	*ents = calloc(n ? n : 1, sizeof(**ents));
	if (!*ents)
		return -ENOMEM;
	got = segments_flags(bfd, flags, *ents, n);
	if (got != n) {
		free(*ents);
		*ents = NULL;
		return got < 0 ? got : -EPROTO;
	}
	return n;
}

long mt_segments(int bfd, struct mosaic_seg_entry *ents, uint64_t max)
{
	return segments_flags(bfd, 0, ents, max);
}

long mt_segments_all(int bfd, struct mosaic_seg_entry **ents)
{
	return segments_flags_all(bfd, 0, ents);
}

long mt_dev_ranges_all(int bfd, struct mosaic_seg_entry **ents)
{
	return segments_flags_all(bfd, MOSAIC_SEGMENTS_DEVICE, ents);
}

struct mosaic_sync mt_sync_arg(uint64_t off, uint64_t len, uint32_t flags,
			       uint32_t dir)
{
	struct mosaic_sync s;

	memset(&s, 0, sizeof(s));
	s.argsz = sizeof(s);
	s.flags = flags;
	s.offset = off;
	s.length = len;
	s.direction = dir;
	return s;
}

int mt_sync(int bfd, uint64_t off, uint64_t len, uint32_t flags,
	    uint32_t dir, struct mosaic_sync *out)
{
	struct mosaic_sync s = mt_sync_arg(off, len, flags, dir);
	int ret;

	ret = mt_ioctl(bfd, MOSAIC_IOC_SYNC, &s);
	if (out)
		*out = s;
	return ret;
}

int mt_fill(int bfd, uint64_t off, uint64_t len, uint64_t seed)
{
	struct mosaic_pattern p;

	memset(&p, 0, sizeof(p));
	p.argsz = sizeof(p);
	p.offset = off;
	p.length = len;
	p.seed = seed;
	return mt_ioctl(bfd, MOSAIC_TEST_IOC_FILL, &p);
}

int mt_verify(int bfd, uint64_t off, uint64_t len, uint64_t seed,
	      uint64_t *mismatches, uint64_t *first)
{
	struct mosaic_pattern p;
	int ret;

	memset(&p, 0, sizeof(p));
	p.argsz = sizeof(p);
	p.offset = off;
	p.length = len;
	p.seed = seed;
	/* Poison the out fields so a kernel that never writes them is caught. */
	p.mismatches = 0xdeadbeefULL;
	p.first_mismatch = 0xdeadbeefULL;
	ret = mt_ioctl(bfd, MOSAIC_TEST_IOC_VERIFY, &p);
	if (mismatches)
		*mismatches = p.mismatches;
	if (first)
		*first = p.first_mismatch;
	return ret;
}

bool mt_stats_delta_is(const struct mosaic_stats *base,
		       const struct mosaic_stats *now,
		       int64_t buffers, int64_t pages, int64_t maps)
{
	bool ok = now->buffers == base->buffers + (uint64_t)buffers &&
		  now->pages == base->pages + (uint64_t)pages &&
		  now->maps == base->maps + (uint64_t)maps;

	if (!ok)
		tap_diag("ledger: buffers/pages/maps = %llu/%llu/%llu, expected "
			 "%llu/%llu/%llu (base %llu/%llu/%llu %+lld/%+lld/%+lld)",
			 ULL(now->buffers), ULL(now->pages), ULL(now->maps),
			 ULL(base->buffers + (uint64_t)buffers),
			 ULL(base->pages + (uint64_t)pages),
			 ULL(base->maps + (uint64_t)maps),
			 ULL(base->buffers), ULL(base->pages), ULL(base->maps),
			 (long long)buffers, (long long)pages, (long long)maps);
	return ok;
}

bool mt_ledger_is(int devfd, const struct mosaic_stats *base,
		  int64_t buffers, int64_t pages, int64_t maps)
{
	struct mosaic_stats now;
	int ret = mt_stats(devfd, &now);

	if (ret < 0) {
		tap_diag("STATS failed: %s", strerror(-ret));
		return false;
	}
	return mt_stats_delta_is(base, &now, buffers, pages, maps);
}

void mt_user_fill(void *map, uint64_t buf_off, uint64_t len, uint64_t seed)
{
	volatile uint64_t *w = map;

	/* volatile: the stores must really reach the shared pages. */
	for (uint64_t i = 0; i < len / 8; i++)
		w[i] = mosaic_pattern_word(seed, buf_off + i * 8);
}

uint64_t mt_user_check(const void *map, uint64_t buf_off, uint64_t len,
		       uint64_t seed, uint64_t *first_bad)
{
	const volatile uint64_t *w = map;
	uint64_t bad = 0;

	if (first_bad)
		*first_bad = UINT64_MAX;
	for (uint64_t i = 0; i < len / 8; i++) {
		if (w[i] != mosaic_pattern_word(seed, buf_off + i * 8)) {
			if (!bad && first_bad)
				*first_bad = buf_off + i * 8;
			bad++;
		}
	}
	return bad;
}

uint64_t mt_count_nonzero(const void *map, uint64_t len)
{
	const volatile uint64_t *w = map;
	uint64_t n = 0;

	for (uint64_t i = 0; i < len / 8; i++)
		n += w[i] != 0;
	return n;
}

/* Read exactly len bytes at off, or return -errno (-EIO on short read). */
static int pread_full(int fd, void *buf, size_t len, off_t off)
{
	char *p = buf;

	while (len) {
		ssize_t r = pread(fd, p, len, off);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			return -EIO;
		p += r;
		len -= (size_t)r;
		off += r;
	}
	return 0;
}

int mt_pagemap_pfns(const void *addr, size_t npages, uint64_t *pfns)
{
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	uint64_t vpn = (uintptr_t)addr / MT_PAGE;
	int ret;

	if (fd < 0)
		return -errno;
	/* One read for the whole range: pagemap entries are 8 bytes each. */
	ret = pread_full(fd, pfns, npages * 8, (off_t)(vpn * 8));
	close(fd);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < npages; i++) {
		uint64_t e = pfns[i];

		/* bit 63: present; bits 0-54: PFN. */
		pfns[i] = (e >> 63) & 1 ? (e & ((1ULL << 55) - 1)) : MT_PFN_NONE;
	}
	return 0;
}

bool mt_pfns_visible(const uint64_t *pfns, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (pfns[i] != MT_PFN_NONE && pfns[i] != 0)
			return true;
	return false;
}

/* One u64 per pfn from /proc/kpagecount or /proc/kpageflags. */
static int read_kpage_file(const char *path, const uint64_t *pfns, size_t n,
			   uint64_t *out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int ret = 0;

	if (fd < 0)
		return -errno;
	for (size_t i = 0; i < n;) {
		size_t run = 1;

		if (pfns[i] == MT_PFN_NONE) {
			out[i++] = UINT64_MAX;
			continue;
		}
		/* Batch physically consecutive pages into one pread. */
		while (i + run < n && pfns[i + run] == pfns[i] + run)
			run++;
		ret = pread_full(fd, &out[i], run * 8, (off_t)(pfns[i] * 8));
		if (ret < 0)
			break;
		i += run;
	}
	close(fd);
	return ret;
}

int mt_kpagecount(const uint64_t *pfns, size_t n, uint64_t *counts)
{
	return read_kpage_file("/proc/kpagecount", pfns, n, counts);
}

int mt_kpageflags(const uint64_t *pfns, size_t n, uint64_t *flags)
{
	return read_kpage_file("/proc/kpageflags", pfns, n, flags);
}

bool mt_kpagecount_all(const uint64_t *pfns, size_t n, uint64_t want,
		       const char *what)
{
	uint64_t *counts = mt_xcalloc(n, sizeof(*counts));
	size_t bad = 0, first = 0;
	int ret = mt_kpagecount(pfns, n, counts);

	if (ret < 0) {
		tap_diag("%s: reading /proc/kpagecount failed: %s", what,
			 strerror(-ret));
		mt_xfree(counts, n, sizeof(*counts));
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if (counts[i] != want) {
			if (!bad)
				first = i;
			bad++;
		}
	}
	if (bad)
		tap_diag("%s: %zu of %zu pages have kpagecount != %llu; "
			 "first: page %zu pfn %#llx count %lld",
			 what, bad, n, ULL(want), first, ULL(pfns[first]),
			 (long long)counts[first]);
	mt_xfree(counts, n, sizeof(*counts));
	return bad == 0;
}

/* Open the module parameter @name under /sys/module: an fd, or -errno. */
static int open_param(const char *name, int flags)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "/sys/module/%s/parameters/%s",
		 MT_MODULE_NAME, name);
	fd = open(path, flags | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int mt_param_u64(const char *name, uint64_t *out)
{
	char buf[64], *end;
	int fd = open_param(name, O_RDONLY);
	ssize_t r;

	if (fd < 0)
		return fd;
	r = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (r < 0)
		return -errno;
	buf[r] = '\0';
	errno = 0;
	*out = strtoull(buf, &end, 0);
	if (errno || end == buf)
		return -EINVAL;
	return 0;
}

int mt_set_param_u64(const char *name, uint64_t v)
{
	char num[32];
	int fd = open_param(name, O_WRONLY);
	int n, ret = 0;

	if (fd < 0)
		return fd;
	n = snprintf(num, sizeof(num), "%llu", (unsigned long long)v);
	if (write(fd, num, n) != n)
		ret = -errno;
	close(fd);
	return ret;
}

bool mt_module_loaded(void)
{
	struct stat st;

	return stat("/sys/module/" MT_MODULE_NAME, &st) == 0;
}

int mt_count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -errno;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;	/* the DIR's own fd */
}

int mt_run_child(int (*fn)(void *arg), void *arg, unsigned timeout_s)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		alarm(timeout_s);
		_exit(fn(arg) & 0x7f);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

void *mt_xcalloc(size_t n, size_t size)
{
	size_t len = n * size;
	void *p;

	if (len == 0)
		len = 1;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		tap_bail("out of memory (%zu bytes)", len);
	return p;
}

void mt_xfree(void *p, size_t n, size_t size)
{
	if (p)
		munmap(p, n * size > 0 ? n * size : 1);
}

const char *mt_errname(int err)
{
	const char *s;

	if (err < 0)
		err = -err;
	if (err == 0)
		return "success";
	s = strerrorname_np(err);
	return s ? s : "E?";
}

const char *mt_backend_name(uint32_t backend)
{
	static const char *const names[] = {
		[MOSAIC_BACKEND_PAGES] = "pages",
		[MOSAIC_BACKEND_COMPOUND] = "compound",
		[MOSAIC_BACKEND_SPLIT] = "split",
		[MOSAIC_BACKEND_COHERENT] = "coherent",
		[MOSAIC_BACKEND_STREAMING] = "streaming",
		[MOSAIC_BACKEND_NONCONTIG] = "noncontig",
		[MOSAIC_BACKEND_VMALLOC] = "vmalloc",
		[MOSAIC_BACKEND_CMA] = "cma",
		[MOSAIC_BACKEND_MMIO] = "mmio",
	};

	if (backend < sizeof(names) / sizeof(names[0]) && names[backend])
		return names[backend];
	return "?";
}

const char *mt_strategy_name(uint32_t strategy)
{
	static const char *const names[] = {
		[MOSAIC_STRATEGY_AUTO] = "auto",
		[MOSAIC_STRATEGY_INSERT_PAGE] = "insert-page",
		[MOSAIC_STRATEGY_INSERT_PAGES] = "insert-pages",
		[MOSAIC_STRATEGY_MAP_PAGES] = "map-pages",
		[MOSAIC_STRATEGY_REMAP_PFN] = "remap-pfn",
		[MOSAIC_STRATEGY_FAULT] = "fault",
		[MOSAIC_STRATEGY_PFN_FAULT] = "pfn-fault",
		[MOSAIC_STRATEGY_HUGE] = "huge",
	};

	if (strategy < sizeof(names) / sizeof(names[0]) && names[strategy])
		return names[strategy];
	return "?";
}

bool mt_strategy_is_pfn(uint32_t strategy)
{
	return strategy == MOSAIC_STRATEGY_REMAP_PFN ||
	       strategy == MOSAIC_STRATEGY_PFN_FAULT;
}

bool mt_backend_page_backed(uint32_t backend)
{
	switch (backend) {
	case MOSAIC_BACKEND_PAGES:
	case MOSAIC_BACKEND_COMPOUND:
	case MOSAIC_BACKEND_SPLIT:
	case MOSAIC_BACKEND_STREAMING:
	case MOSAIC_BACKEND_VMALLOC:
		return true;
	default:
		return false;
	}
}

bool mt_backend_needs_device(uint32_t backend)
{
	return backend == MOSAIC_BACKEND_COHERENT ||
	       backend == MOSAIC_BACKEND_STREAMING ||
	       backend == MOSAIC_BACKEND_NONCONTIG ||
	       backend == MOSAIC_BACKEND_CMA ||
	       backend == MOSAIC_BACKEND_MMIO;
}

bool mt_pair_valid(uint32_t backend, uint32_t strategy)
{
	if (strategy == MOSAIC_STRATEGY_HUGE)
		return backend != MOSAIC_BACKEND_MMIO;
	return mt_strategy_is_pfn(strategy) || mt_backend_page_backed(backend);
}

bool mt_maps_pfn(uint32_t backend, uint32_t strategy)
{
	if (strategy == MOSAIC_STRATEGY_HUGE)
		return !mt_backend_page_backed(backend);
	return mt_strategy_is_pfn(strategy);
}

int mt_alloc_req(int devfd, struct mosaic_alloc *req)
{
	int ret;

	req->argsz = sizeof(*req);
	req->fd = -1;
	ret = mt_ioctl(devfd, MOSAIC_IOC_ALLOC, req);
	if (ret < 0)
		return ret;
	/*
	 * The .fd out field is the documented place for the new fd; whether
	 * the ioctl's return value also carries it is checked by t01 only, so
	 * one disagreement there does not break every other test.
	 */
	if (req->fd < 0 || (ret != 0 && ret != req->fd)) {
		tap_diag("ALLOC returned %d but .fd = %d", ret, req->fd);
		return -EPROTO;
	}
	return req->fd;
}

int mt_alloc_mmio(int devfd, const char *pci, uint32_t bar, uint64_t size,
		  uint32_t strategy, uint32_t cache)
{
	struct mosaic_alloc a;

	memset(&a, 0, sizeof(a));
	a.size = size;
	a.backend = MOSAIC_BACKEND_MMIO;
	a.strategy = strategy;
	a.bar = bar;
	a.cache = cache;
	a.device = (uintptr_t)pci;
	return mt_alloc_req(devfd, &a);
}

int mt_alloc_knobs(int devfd, uint64_t size, uint32_t backend,
		   uint32_t strategy, uint32_t max_order, uint64_t chunk_size,
		   const char *device)
{
	struct mosaic_alloc a;

	memset(&a, 0, sizeof(a));
	a.size = size;
	a.backend = backend;
	a.strategy = strategy;
	a.max_order = max_order;
	a.chunk_size = chunk_size;
	a.device = (uintptr_t)device;
	return mt_alloc_req(devfd, &a);
}

int mt_alloc_matrix(int devfd, uint32_t backend, uint32_t strategy,
		    uint64_t want, uint64_t *size)
{
	int fd;

	*size = want;
	fd = mt_alloc_knobs(devfd, want, backend, strategy, 0,
			    backend == MOSAIC_BACKEND_COHERENT ? MT_MATRIX_CHUNK : 0,
			    NULL);
	return fd;
}

/* A "Name:   123 kB" line of /proc/meminfo, in kB: 0 or -errno. */
static int meminfo_kb(const char *name, uint64_t *kb)
{
	FILE *f = fopen("/proc/meminfo", "re");
	char line[256];
	size_t len = strlen(name);
	int ret = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, name, len) == 0 && line[len] == ':') {
			*kb = strtoull(line + len + 1, NULL, 10);
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

const char *mt_alloc_skip_reason(uint32_t backend, int err, uint64_t size)
{
	static char reason[160];
	uint64_t kb;

	if (err < 0)
		err = -err;
	/* A BAR to map needs a PCI device; the matrix tests name none. */
	if (backend == MOSAIC_BACKEND_MMIO && err == EINVAL)
		return "mmio backend: EINVAL, it maps a PCI BAR and no PCI device was named (t32_mmio covers it)";
	/* The noncontiguous DMA API arrived in Linux 5.15 (kernel/compat.h). */
	if (backend == MOSAIC_BACKEND_NONCONTIG && err == EOPNOTSUPP)
		return "noncontig backend: EOPNOTSUPP, this kernel has no dma_alloc_noncontiguous() (Linux < 5.15)";
	if (backend != MOSAIC_BACKEND_CMA)
		return NULL;
	if (err == EOPNOTSUPP)
		return "cma backend: EOPNOTSUPP, this kernel has no CMA";
	if (err == ENOMEM && meminfo_kb("CmaFree", &kb) == 0 &&
	    kb * 1024 < size) {
		snprintf(reason, sizeof(reason),
			 "cma backend: ENOMEM, CMA area has %llu kB free, need %llu kB",
			 ULL(kb), ULL(size / 1024));
		return reason;
	}
	return NULL;
}

void *mt_mmap_aligned(size_t len, int prot, int flags, int fd, off_t off,
		      size_t align)
{
	size_t span = len + align;
	char *res, *start, *p;

	/* Reserve room for an aligned start, then map over it. */
	res = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (res == MAP_FAILED)
		return MAP_FAILED;
	start = (char *)(((uintptr_t)res + align - 1) & ~(uintptr_t)(align - 1));
	p = mmap(start, len, prot, flags | MAP_FIXED, fd, off);
	if (p == MAP_FAILED) {
		int err = errno;

		munmap(res, span);
		errno = err;
		return MAP_FAILED;
	}
	/* Give back the reservation on either side. */
	if (start > res)
		munmap(res, (size_t)(start - res));
	if (res + span > start + len)
		munmap(start + len, (size_t)(res + span - (start + len)));
	return p;
}

int mt_read_line(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (fd < 0)
		return -errno;
	r = read(fd, buf, size - 1);
	close(fd);
	if (r < 0)
		return -errno;
	buf[r] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

int mt_find_pci(unsigned vendor, unsigned device, char *name, size_t size)
{
	DIR *d = opendir("/sys/bus/pci/devices");
	struct dirent *e;
	int ret = -ENODEV;

	if (!d)
		return -ENODEV;
	while ((e = readdir(d))) {
		char path[512], v[32], dv[32];

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vendor",
			 e->d_name);
		if (mt_read_line(path, v, sizeof(v)) < 0)
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/device",
			 e->d_name);
		if (mt_read_line(path, dv, sizeof(dv)) < 0)
			continue;
		if (strtoul(v, NULL, 0) == vendor &&
		    strtoul(dv, NULL, 0) == device) {
			snprintf(name, size, "%s", e->d_name);
			ret = 0;
			break;
		}
	}
	closedir(d);
	return ret;
}

int mt_pci_bar(const char *pci, int bar, uint64_t *start, uint64_t *len)
{
	char path[128], line[128] = "";
	uint64_t s, e, fl;
	FILE *f;
	int i = 0;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource", pci);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f) && i++ < bar)
		;
	fclose(f);
	if (sscanf(line, "%" SCNx64 " %" SCNx64 " %" SCNx64, &s, &e, &fl) != 3)
		return -EINVAL;
	*start = s;
	*len = s || e ? e - s + 1 : 0;
	return 0;
}

bool mt_iomem_held_by(uint64_t start, uint64_t len, const char *name)
{
	FILE *f = fopen("/proc/iomem", "re");
	char line[256], holder[128];
	uint64_t s, e;
	bool found = false;

	while (f && !found && fgets(line, sizeof(line), f)) {
		if (sscanf(line, " %" SCNx64 "-%" SCNx64 " : %127[^\n]", &s, &e,
			   holder) == 3)
			found = s == start && e + 1 == start + len &&
				!strcmp(holder, name);
	}
	if (f)
		fclose(f);
	return found;
}

int mt_write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

int mt_kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (lseek(fd, 0, SEEK_END) < 0) {
		int err = errno;

		close(fd);
		return -err;
	}
	return fd;
}

bool mt_kmsg_find(int fd, const char *needle)
{
	char rec[2048];
	ssize_t n;

	while (fd >= 0 && (n = read(fd, rec, sizeof(rec) - 1)) != 0) {
		if (n < 0) {
			if (errno == EPIPE)	/* overwritten records: go on */
				continue;
			return false;		/* EAGAIN: read them all */
		}
		rec[n] = '\0';
		if (strstr(rec, needle))
			return true;
	}
	return false;
}

int mt_smaps_field(const void *addr, const char *field, char *buf, size_t size)
{
	FILE *f = fopen("/proc/self/smaps", "re");
	uintptr_t a = (uintptr_t)addr;
	size_t flen = strlen(field);
	bool in_vma = false;
	char line[512];
	int ret = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;

		/* A VMA header line: "lo-hi perms offset dev inode [path]". */
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2) {
			in_vma = a >= lo && a < hi;
			continue;
		}
		if (in_vma && strncmp(line, field, flen) == 0 &&
		    line[flen] == ':') {
			snprintf(buf, size, "%s", line + flen + 1);
			buf[strcspn(buf, "\n")] = '\0';
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

long mt_smaps_kb(const void *addr, const char *field)
{
	char buf[64];
	long kb;

	if (mt_smaps_field(addr, field, buf, sizeof(buf)) ||
	    sscanf(buf, "%ld", &kb) != 1)
		return -1;
	return kb;
}

int mt_smaps_vmflags(const void *addr, char *buf, size_t size)
{
	return mt_smaps_field(addr, "VmFlags", buf, size);
}

bool mt_vmflag(const char *vmflags, const char *flag)
{
	size_t len = strlen(flag);

	for (const char *p = vmflags; (p = strstr(p, flag)); p += len)
		if ((p == vmflags || p[-1] == ' ') && (p[len] == ' ' || !p[len]))
			return true;
	return false;
}
