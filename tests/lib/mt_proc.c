// SPDX-License-Identifier: GPL-2.0
/*
 * What a test reads of the kernel's view of its own process: page tables
 * (/proc/self/pagemap, /proc/kpagecount, /proc/kpageflags), VMAs
 * (/proc/self/smaps), open fds, /proc/meminfo and the kernel log.
 */
#include "mosaic_test.h"
#include "tap.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

int mt_meminfo_kb(const char *name, uint64_t *kb)
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
