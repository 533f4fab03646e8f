// SPDX-License-Identifier: GPL-2.0
/*
 * t52_confidential: no byte of a former owner, no write through a
 * read-only handle, no physical address for an unprivileged user.
 *
 * Zeroing: for every RAM backend, a buffer is filled with a pattern and
 * freed, then buffers are allocated until pages of the old one come back
 * (the privileged segment table gives the PFNs); none of them, and no
 * other page of the new buffers, holds anything but zeros.
 *
 * Read-only: a MOSAIC_ALLOC_READ_ONLY buffer, its exports, and a
 * MOSAIC_EXPORT_READ_ONLY export of a writable buffer refuse every way of
 * getting write access: MAP_SHARED + PROT_WRITE, mprotect(PROT_WRITE),
 * /proc/self/mem, process_vm_writev, reopening the fd through /proc,
 * FILL, and (with the edu device) an importer's DMA_BIDIRECTIONAL map.
 *
 * Addresses: SEGMENTS shows physical and DMA addresses to CAP_SYS_ADMIN
 * only; an unprivileged user gets zeros and MOSAIC_SEG_ADDR_HIDDEN.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "edu_test.h"
#include "mosaic_test.h"
#include "tap.h"
#include "unpriv.h"

#define ZSIZE		(4 * MT_MiB)
#define ZPAGES		(ZSIZE / MT_PAGE)
#define ZTRIES		16
#define RSIZE		(64 * MT_PAGE)

static int dev;

/* PFN of every page of @bfd (privileged SEGMENTS); 0 or -errno. */
static int buffer_pfns(int bfd, uint64_t *pfns, size_t npages)
{
	static struct mosaic_seg_entry ents[ZPAGES];
	long nr = mt_segments(bfd, ents, ZPAGES);
	size_t k = 0;

	if (nr < 0)
		return (int)nr;
	for (long i = 0; i < nr && k < npages; i++) {
		if (ents[i].flags & MOSAIC_SEG_ADDR_HIDDEN)
			return -EPERM;
		for (uint64_t o = 0; o < ents[i].length && k < npages; o += MT_PAGE)
			pfns[k++] = (ents[i].phys + o) / MT_PAGE;
	}
	return k == npages ? 0 : -EPROTO;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static size_t overlap(const uint64_t *sorted_old, const uint64_t *pfns, size_t n)
{
	size_t hits = 0;

	for (size_t i = 0; i < n; i++)
		if (bsearch(&pfns[i], sorted_old, ZPAGES, sizeof(uint64_t), cmp_u64))
			hits++;
	return hits;
}

static void test_zeroing(uint32_t backend)
{
	static uint64_t old[ZPAGES], now[ZPAGES];
	const char *name = mt_backend_name(backend);
	int fds[ZTRIES], nfds = 0, fd, ret;
	size_t back = 0;
	uint64_t nonzero = 0;

	fd = mt_alloc(dev, ZSIZE, backend, MOSAIC_STRATEGY_AUTO);
	if (fd < 0) {
		const char *why = mt_alloc_skip_reason(backend, fd, ZSIZE);

		if (why)
			tap_skip(why, "%s: freed pages come back zeroed", name);
		else
			tap_ok(false, "%s: ALLOC 4 MiB (%s)", name, mt_errname(fd));
		return;
	}
	ret = mt_fill(fd, 0, ZSIZE, 0xdeadbeef);
	if (!ret)
		ret = buffer_pfns(fd, old, ZPAGES);
	close(fd);
	if (ret) {
		tap_ok(false, "%s: FILL and SEGMENTS of the first buffer (%s)", name,
		       mt_errname(ret));
		return;
	}
	qsort(old, ZPAGES, sizeof(old[0]), cmp_u64);

	/* Keep every new buffer open, so each try reaches further. */
	while (nfds < ZTRIES && back == 0) {
		void *m;

		fd = mt_alloc(dev, ZSIZE, backend, MOSAIC_STRATEGY_AUTO);
		if (fd < 0)
			break;
		fds[nfds++] = fd;
		if (buffer_pfns(fd, now, ZPAGES))
			break;
		back += overlap(old, now, ZPAGES);
		m = mmap(NULL, ZSIZE, PROT_READ, MAP_SHARED, fd, 0);
		if (m == MAP_FAILED) {
			nonzero = UINT64_MAX;
			break;
		}
		nonzero += mt_count_nonzero(m, ZSIZE);
		munmap(m, ZSIZE);
	}
	for (int i = 0; i < nfds; i++)
		close(fds[i]);
	tap_ok(nonzero == 0, "%s: %d new 4 MiB buffers after a filled one was freed are all zero (%llu non-zero words)",
	       name, nfds, ULL(nonzero));
	if (back)
		tap_ok(nonzero == 0, "%s: %zu pages of the filled buffer came back, no old byte in them",
		       name, back);
	else
		tap_skip("the allocator did not hand back any of the old pages",
			 "%s: old pages came back zeroed", name);
}

/* Every way to write through a read-only handle @fd must fail. */
static void check_no_write(int fd, const char *what, bool fill_refused)
{
	char vmflags[128] = "", path[64];
	struct iovec local, remote;
	int fl, ret, pfd;
	char *m, byte = 1;
	void *w;

	fl = fcntl(fd, F_GETFL);
	tap_ok(fl >= 0 && (fl & O_ACCMODE) == O_RDONLY, "%s: the fd is O_RDONLY (%#x)", what, fl);
	errno = 0;
	w = mmap(NULL, RSIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	tap_ok(w == MAP_FAILED && errno == EACCES, "%s: mmap MAP_SHARED + PROT_WRITE -> EACCES (got %s)",
	       what, w == MAP_FAILED ? mt_errname(-errno) : "success");
	if (w != MAP_FAILED)
		munmap(w, RSIZE);
	errno = 0;
	w = mmap(NULL, RSIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	tap_ok(w == MAP_FAILED, "%s: mmap MAP_PRIVATE + PROT_WRITE is refused (got %s)",
	       what, w == MAP_FAILED ? mt_errname(-errno) : "success");
	if (w != MAP_FAILED)
		munmap(w, RSIZE);

	m = mmap(NULL, RSIZE, PROT_READ, MAP_SHARED, fd, 0);
	tap_ok(m != MAP_FAILED, "%s: mmap MAP_SHARED + PROT_READ works (%s)", what,
	       m == MAP_FAILED ? mt_errname(-errno) : "success");
	if (m == MAP_FAILED)
		return;
	mt_smaps_vmflags(m, vmflags, sizeof(vmflags));
	tap_ok(!mt_vmflag(vmflags, "mw") && !mt_vmflag(vmflags, "wr"),
	       "%s: the VMA has neither VM_WRITE nor VM_MAYWRITE (VmFlags:%s)", what, vmflags);
	errno = 0;
	ret = mprotect(m, RSIZE, PROT_READ | PROT_WRITE);
	tap_ok(ret < 0 && errno == EACCES, "%s: mprotect(PROT_READ | PROT_WRITE) -> EACCES (got %s)",
	       what, ret < 0 ? mt_errname(-errno) : "success");

	/* /proc/self/mem writes with FOLL_FORCE, which may break COW only. */
	pfd = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
	ret = pfd >= 0 ? (int)pwrite(pfd, &byte, 1, (off_t)(uintptr_t)m) : 0;
	tap_ok(pfd >= 0 && ret < 0, "%s: a write through /proc/self/mem is refused (%s)", what,
	       ret < 0 ? mt_errname(-errno) : "written");
	if (pfd >= 0)
		close(pfd);
	local.iov_base = &byte;
	local.iov_len = 1;
	remote.iov_base = m;
	remote.iov_len = 1;
	errno = 0;
	ret = (int)process_vm_writev(getpid(), &local, 1, &remote, 1, 0);
	tap_ok(ret < 0 && errno == EFAULT, "%s: process_vm_writev into the mapping -> EFAULT (got %s)",
	       what, ret < 0 ? mt_errname(-errno) : "written");
	tap_ok(mt_count_nonzero(m, RSIZE) == 0, "%s: the mapping still reads all zero", what);
	munmap(m, RSIZE);

	/* A new open of the same file through /proc must not be writable. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	pfd = open(path, O_RDWR | O_CLOEXEC);
	w = MAP_FAILED;
	if (pfd >= 0) {
		w = mmap(NULL, RSIZE, PROT_READ | PROT_WRITE, MAP_SHARED, pfd, 0);
		if (w != MAP_FAILED)
			munmap(w, RSIZE);
		close(pfd);
	}
	tap_ok(w == MAP_FAILED, "%s: reopening %s O_RDWR gives no writable mapping (open %s)",
	       what, path, pfd >= 0 ? "worked" : "refused");

	if (fill_refused) {
		ret = mt_fill(fd, 0, RSIZE, 1);
		tap_ok(ret == -EPERM, "%s: FILL -> EPERM (got %s)", what,
		       ret ? mt_errname(ret) : "success");
	}
}

static void test_read_only_buffer(uint32_t backend, uint32_t strategy)
{
	struct mosaic_alloc a = {
		.argsz = sizeof(a), .flags = MOSAIC_ALLOC_READ_ONLY, .size = RSIZE,
		.backend = backend, .strategy = strategy, .fd = -1,
	};
	char what[96];
	int fd, dfd;

	snprintf(what, sizeof(what), "read-only %s/%s buffer", mt_backend_name(backend),
		 mt_strategy_name(strategy));
	fd = mt_alloc_req(dev, &a);
	if (fd < 0) {
		tap_ok(false, "%s: ALLOC (%s)", what, mt_errname(fd));
		return;
	}
	check_no_write(fd, what, true);
	if (strategy == MOSAIC_STRATEGY_AUTO || strategy == MOSAIC_STRATEGY_INSERT_PAGES) {
		dfd = mt_export(fd, 0, 0);
		snprintf(what, sizeof(what), "export of a read-only %s buffer",
			 mt_backend_name(backend));
		tap_ok(dfd >= 0, "%s: EXPORT without flags works (%s)", what,
		       dfd < 0 ? mt_errname(dfd) : "success");
		if (dfd >= 0) {
			check_no_write(dfd, what, false);
			close(dfd);
		}
	}
	close(fd);
}

static int export_flags(int bfd, uint32_t flags)
{
	struct mosaic_export e = { .argsz = sizeof(e), .flags = flags, .fd = -1 };

	return mt_ioctl(bfd, MOSAIC_IOC_EXPORT, &e);
}

static void test_read_only_export(void)
{
	const char *what = "MOSAIC_EXPORT_READ_ONLY export of a writable buffer";
	int fd, ro, rw, ret;
	char *bm, *em;

	fd = mt_alloc(dev, RSIZE, MOSAIC_BACKEND_PAGES, MOSAIC_STRATEGY_AUTO);
	bm = fd >= 0 ? mmap(NULL, RSIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) : MAP_FAILED;
	if (bm == MAP_FAILED)
		tap_bail("writable buffer: %s", strerror(errno));
	ro = export_flags(fd, MOSAIC_EXPORT_READ_ONLY);
	tap_ok(ro >= 0, "%s: EXPORT (%s)", what, ro < 0 ? mt_errname(ro) : "success");
	if (ro < 0)
		return;
	/* check_no_write() wants zeros: write after it, then look. */
	check_no_write(ro, what, false);
	memset(bm, 0x77, RSIZE);
	em = mmap(NULL, RSIZE, PROT_READ, MAP_SHARED, ro, 0);
	tap_ok(em != MAP_FAILED && em[0] == 0x77 && em[RSIZE - 1] == 0x77,
	       "%s: a read-only mapping sees the buffer's writes", what);
	if (em != MAP_FAILED)
		munmap(em, RSIZE);
	rw = export_flags(fd, 0);
	em = rw >= 0 ? mmap(NULL, RSIZE, PROT_READ | PROT_WRITE, MAP_SHARED, rw, 0) : MAP_FAILED;
	tap_ok(em != MAP_FAILED, "control: an export without the flag still maps writable (%s)",
	       em == MAP_FAILED ? mt_errname(-errno) : "success");
	if (em != MAP_FAILED)
		munmap(em, RSIZE);
	if (rw >= 0)
		close(rw);
	ret = export_flags(fd, 2);
	tap_ok(ret == -EINVAL, "EXPORT flags = 2 (unknown) -> EINVAL (got %s)",
	       ret < 0 ? mt_errname(ret) : "success");
	if (ret >= 0)
		close(ret);

	/* A device may read a read-only export, never write it. */
	{
		struct edu_setup s;
		int edu = edu_setup(&s), im;

		if (edu < 0) {
			tap_skip("no edu device", "%s: importer's DMA_BIDIRECTIONAL map -> EACCES", what);
		} else {
			im = edu_import(edu, ro, NULL, NULL);
			tap_ok(im == -EACCES, "%s: edu import (DMA_BIDIRECTIONAL) -> EACCES (got %s)",
			       what, im < 0 ? mt_errname(im) : "success");
			if (im >= 0)
				close(im);
			close(edu);
		}
	}
	close(ro);
	munmap(bm, RSIZE);
	close(fd);
}

struct addr_report {
	int ret;
	uint32_t flags_and, flags_or;
	uint64_t phys_or, dma_or;
	uint64_t pagemap_or;
	long nr;
};

static struct addr_report *arep;

static int addr_child(void *arg)
{
	static struct mosaic_seg_entry ents[256];
	uint32_t backend = *(uint32_t *)arg;
	uint64_t pfns[16];
	int fd;
	void *m;

	fd = mt_alloc(dev, 16 * MT_PAGE, backend, MOSAIC_STRATEGY_AUTO);
	if (fd < 0) {
		arep->ret = fd;
		return 0;
	}
	arep->nr = mt_segments(fd, ents, 256);
	arep->flags_and = ~0u;
	for (long i = 0; i < arep->nr; i++) {
		arep->flags_and &= ents[i].flags;
		arep->flags_or |= ents[i].flags;
		arep->phys_or |= ents[i].phys;
		arep->dma_or |= ents[i].dma;
	}
	m = mmap(NULL, 16 * MT_PAGE, PROT_READ, MAP_SHARED, fd, 0);
	if (m != MAP_FAILED && mt_pagemap_pfns(m, 16, pfns) == 0)
		for (int i = 0; i < 16; i++)
			arep->pagemap_or |= pfns[i] == MT_PFN_NONE ? 0 : pfns[i];
	close(fd);
	return 0;
}

static void test_addresses(uint32_t backend)
{
	static struct mosaic_seg_entry ents[256];
	const char *name = mt_backend_name(backend);
	uint64_t phys = 0;
	pid_t pid;
	long nr;
	int fd, st = -1;

	fd = mt_alloc(dev, 16 * MT_PAGE, backend, MOSAIC_STRATEGY_AUTO);
	nr = fd >= 0 ? mt_segments(fd, ents, 256) : fd;
	for (long i = 0; i < nr; i++)
		phys |= ents[i].phys;
	tap_ok(nr > 0 && phys && !(ents[0].flags & MOSAIC_SEG_ADDR_HIDDEN),
	       "%s: root (CAP_SYS_ADMIN) sees physical addresses in SEGMENTS", name);
	if (fd >= 0)
		close(fd);

	memset(arep, 0, sizeof(*arep));
	pid = mt_fork();
	if (pid == 0) {
		if (unpriv_drop(RLIM_INFINITY))
			_exit(100);
		_exit(addr_child(&backend));
	}
	waitpid(pid, &st, 0);
	tap_ok(st == 0 && arep->ret == 0 && arep->nr > 0 && arep->phys_or == 0 &&
	       arep->dma_or == 0 && (arep->flags_and & MOSAIC_SEG_ADDR_HIDDEN),
	       "%s: an unprivileged user gets SEGMENTS with phys = dma = 0 and ADDR_HIDDEN on every entry (%ld entries, flags %#x..%#x, %s)",
	       name, arep->nr, arep->flags_and, arep->flags_or,
	       arep->ret ? mt_errname(arep->ret) : "ok");
	tap_ok(st == 0 && arep->pagemap_or == 0,
	       "%s: and /proc/self/pagemap of its mapping shows no PFN", name);
}

int main(void)
{
	static const uint32_t zero_backends[] = {
		MOSAIC_BACKEND_PAGES, MOSAIC_BACKEND_COMPOUND, MOSAIC_BACKEND_SPLIT,
		MOSAIC_BACKEND_VMALLOC, MOSAIC_BACKEND_STREAMING,
		MOSAIC_BACKEND_COHERENT, MOSAIC_BACKEND_NONCONTIG, MOSAIC_BACKEND_CMA,
	};
	static const uint32_t ro_strategies[] = {
		MOSAIC_STRATEGY_INSERT_PAGE, MOSAIC_STRATEGY_INSERT_PAGES,
		MOSAIC_STRATEGY_MAP_PAGES, MOSAIC_STRATEGY_REMAP_PFN,
		MOSAIC_STRATEGY_FAULT, MOSAIC_STRATEGY_PFN_FAULT,
	};
	struct mosaic_stats base;

	tap_diag("t52_confidential: zeroed memory, read-only handles, hidden addresses");
	dev = mt_open_dev_baseline(&base);
	arep = mt_shared(sizeof(*arep));

	for (size_t i = 0; i < sizeof(zero_backends) / sizeof(zero_backends[0]); i++)
		test_zeroing(zero_backends[i]);
	for (size_t i = 0; i < sizeof(ro_strategies) / sizeof(ro_strategies[0]); i++)
		test_read_only_buffer(MOSAIC_BACKEND_PAGES, ro_strategies[i]);
	test_read_only_buffer(MOSAIC_BACKEND_COHERENT, MOSAIC_STRATEGY_AUTO);
	test_read_only_export();
	test_addresses(MOSAIC_BACKEND_PAGES);
	test_addresses(MOSAIC_BACKEND_STREAMING);

	return mt_end_ledger_back(dev, &base,
				  "ledger back to the start at the end");
}
