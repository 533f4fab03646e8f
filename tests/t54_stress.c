// SPDX-License-Identifier: GPL-2.0
/*
 * t54_stress: T threads in each of P processes race each other over
 * shared buffers for a bounded time.
 *
 * Every process has a table of buffer fds its threads share: one thread
 * replaces and closes an entry while others map it, sync it or export it
 * through the same fd number. The operations, picked at random:
 *
 *   alloc/close      allocate (random backend, strategy, size, read-only
 *                    or not), swap into the table, close what was there
 *   mmap/munmap      map a table entry, write and read back this thread's
 *                    own word of every page, unmap
 *   remap            a fresh mapping: mremap shrink, move and grow (grow
 *                    must fail: VM_DONTEXPAND), mprotect read-only and
 *                    back, MADV_DONTNEED and refault (same bytes again)
 *   fork/exit        a child maps a table entry, touches it, exits
 *   process_vm_readv read another process's long-lived mapping
 *   sync/export      MOSAIC_IOC_SYNC, then EXPORT, mmap the dma-buf,
 *                    DMA_BUF_IOCTL_SYNC, close
 *   attach/detach    EXPORT and import the dma-buf into mosaic_edu
 *                    (dma_buf_attach + map_attachment; close detaches),
 *                    when the edu device is there
 *
 * Failures an fd race explains (EBADF, a number reused by another kind of
 * file) are counted, not failed. What fails the test: a word that does
 * not read back, an operation on a thread's own mapping that fails, a
 * process that crashes, and a ledger not back to zero at the end. The
 * kernel side is judged by the harness's log check (on the debug kernel:
 * KASAN, lockdep, DEBUG_VM, kmemleak via t99).
 *
 * MOSAIC_STRESS_SECS (default 15) bounds the run; make check-debug runs
 * it for 90 s. MOSAIC_STRESS_PROCS and MOSAIC_STRESS_THREADS default to
 * the CPU count and 3. The load figure is the operations per second.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/dma-buf.h>

#include "edu_test.h"
#include "mosaic_test.h"
#include "tap.h"

#define SLOTS		16
#define MAX_PROCS	16
#define MAX_THREADS	8
#define MAX_PAGES	32
#define STABLE_PAGES	8

enum op {
	OP_ALLOC, OP_MMAP, OP_REMAP, OP_FORK, OP_VMREAD, OP_EXPORT, OP_ATTACH,
	NR_OPS
};

static const char *const op_names[NR_OPS] = {
	"alloc/close", "mmap/munmap", "mremap/mprotect/madvise", "fork/exit",
	"process_vm_readv", "sync/export", "dma-buf attach/detach",
};

/* Shared by every process (MAP_SHARED anonymous). */
struct shared {
	atomic_long ops[NR_OPS];
	atomic_long refused[NR_OPS];
	atomic_long bad_words;
	atomic_long own_failures;
	atomic_int stop;
	pid_t pid[MAX_PROCS];
	uintptr_t stable[MAX_PROCS];	/* each process's long-lived mapping */
	char first_failure[256];
	atomic_int have_failure;
};

static struct shared *sh;
static int dev, edu = -1, nprocs, nthreads;
static atomic_int slots[SLOTS];

static void failure(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void failure(const char *fmt, ...)
{
	va_list ap;

	atomic_fetch_add(&sh->own_failures, 1);
	if (atomic_exchange(&sh->have_failure, 1))
		return;
	va_start(ap, fmt);
	vsnprintf(sh->first_failure, sizeof(sh->first_failure), fmt, ap);
	va_end(ap);
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* A random valid request; *strategy gets the strategy in use. */
static int random_alloc(uint64_t *rs, uint32_t *strategy, bool *ro)
{
	static const uint32_t backends[] = {
		MOSAIC_BACKEND_PAGES, MOSAIC_BACKEND_COMPOUND, MOSAIC_BACKEND_SPLIT,
		MOSAIC_BACKEND_VMALLOC, MOSAIC_BACKEND_STREAMING,
		MOSAIC_BACKEND_COHERENT,
	};
	struct mosaic_alloc a = { .argsz = sizeof(a), .fd = -1 };

	a.backend = backends[rnd(rs) % 6];
	do {
		a.strategy = rnd(rs) % (MOSAIC_STRATEGY_MAX + 1);
	} while (!mt_pair_valid(a.backend, a.strategy));
	a.size = (1 + rnd(rs) % MAX_PAGES) * MT_PAGE;
	if (a.backend == MOSAIC_BACKEND_COHERENT)
		a.chunk_size = MT_PAGE << (rnd(rs) % 3);
	a.flags = rnd(rs) % 8 == 0 ? MOSAIC_ALLOC_READ_ONLY : 0;
	if (strategy)
		*strategy = a.strategy;
	if (ro)
		*ro = a.flags;
	return mt_alloc_req(dev, &a);
}

static uint64_t fd_size(int fd)
{
	struct mosaic_info in;

	return mt_info(fd, &in) ? 0 : in.size;
}

/* Write this thread's word of every page, read it back. */
static void touch(volatile uint64_t *m, size_t len, unsigned int word, uint64_t tag)
{
	for (size_t off = 0; off < len; off += MT_PAGE)
		m[off / 8 + word] = tag + off;
	for (size_t off = 0; off < len; off += MT_PAGE)
		if (m[off / 8 + word] != tag + off)
			atomic_fetch_add(&sh->bad_words, 1);
}

static void check(volatile uint64_t *m, size_t len, unsigned int word, uint64_t tag,
		  const char *what)
{
	for (size_t off = 0; off < len; off += MT_PAGE)
		if (m[off / 8 + word] != tag + off) {
			atomic_fetch_add(&sh->bad_words, 1);
			failure("%s: word %u of page %zu lost", what, word, off / MT_PAGE);
			return;
		}
}

static void op_alloc(uint64_t *rs)
{
	int fd = random_alloc(rs, NULL, NULL), old;

	if (fd < 0) {
		atomic_fetch_add(&sh->refused[OP_ALLOC], 1);
		return;
	}
	old = atomic_exchange(&slots[rnd(rs) % SLOTS], fd);
	if (old >= 0)
		close(old);
}

static void op_mmap(uint64_t *rs, unsigned int word)
{
	int fd = atomic_load(&slots[rnd(rs) % SLOTS]);
	uint64_t size = fd >= 0 ? fd_size(fd) : 0;
	size_t pages, first, len;
	void *m;

	if (!size) {
		atomic_fetch_add(&sh->refused[OP_MMAP], 1);
		return;
	}
	pages = size / MT_PAGE;
	first = rnd(rs) % pages;
	len = (1 + rnd(rs) % (pages - first)) * MT_PAGE;
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, first * MT_PAGE);
	if (m == MAP_FAILED) {
		/* read-only buffers, or the number now names another buffer */
		m = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, first * MT_PAGE);
		if (m == MAP_FAILED) {
			atomic_fetch_add(&sh->refused[OP_MMAP], 1);
			return;
		}
		(void)*(volatile uint64_t *)m;
	} else {
		touch(m, len, word, rnd(rs));
	}
	munmap(m, len);
}

static void op_remap(uint64_t *rs, unsigned int word)
{
	uint32_t strategy;
	bool pfn;
	size_t len = 8 * MT_PAGE;
	uint64_t tag = rnd(rs);
	char *m, *n;
	int fd;

	struct mosaic_alloc a = {
		.argsz = sizeof(a), .size = len, .backend = MOSAIC_BACKEND_PAGES,
		.fd = -1,
	};
	do {
		strategy = 1 + rnd(rs) % MOSAIC_STRATEGY_MAX;
	} while (!mt_pair_valid(MOSAIC_BACKEND_PAGES, strategy));
	a.strategy = strategy;
	pfn = mt_strategy_is_pfn(strategy);
	fd = mt_alloc_req(dev, &a);
	if (fd < 0) {
		atomic_fetch_add(&sh->refused[OP_REMAP], 1);
		return;
	}
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (m == MAP_FAILED) {
		failure("remap: mmap of an own %s buffer: %s", mt_strategy_name(strategy),
			strerror(errno));
		return;
	}
	touch((uint64_t *)m, len, word, tag);
	/* shrink in place */
	n = mremap(m, len, len / 2, 0);
	if (n == MAP_FAILED) {
		failure("remap: mremap shrink: %s", strerror(errno));
		munmap(m, len);
		return;
	}
	/* the tail is gone already, and may be another thread's by now */
	len /= 2;
	/* grow: refused, VM_DONTEXPAND */
	if (mremap(m, len, 2 * len, 0) != MAP_FAILED)
		failure("remap: mremap grew a VM_DONTEXPAND mapping");
	/* move */
	n = mremap(m, len, len, MREMAP_MAYMOVE | MREMAP_FIXED,
		   mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	if (n == MAP_FAILED) {
		failure("remap: mremap move: %s", strerror(errno));
		munmap(m, len);
		return;
	}
	m = n;
	check((uint64_t *)m, len, word, tag, "after mremap move");
	if (mprotect(m, len, PROT_READ) || mprotect(m, len, PROT_READ | PROT_WRITE))
		failure("remap: mprotect: %s", strerror(errno));
	if (madvise(m, len, MADV_DONTNEED) != (pfn ? -1 : 0))
		failure("remap: MADV_DONTNEED on %s: %s", mt_strategy_name(strategy),
			strerror(errno));
	/* refault: the same memory comes back */
	check((uint64_t *)m, len, word, tag, "after MADV_DONTNEED");
	munmap(m, len);
}

static void op_fork(uint64_t *rs, unsigned int word)
{
	int fd = atomic_load(&slots[rnd(rs) % SLOTS]), status;
	uint64_t tag = rnd(rs);
	pid_t pid;

	pid = fork();
	if (pid < 0) {
		atomic_fetch_add(&sh->refused[OP_FORK], 1);
		return;
	}
	if (pid == 0) {
		uint64_t size = fd >= 0 ? fd_size(fd) : 0;
		void *m = size ? mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
			       : MAP_FAILED;

		if (m != MAP_FAILED)
			touch(m, size, word, tag);
		/* exit with the mapping and every inherited fd still open */
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		failure("fork: child status %#x", status);
}

static void op_vmread(uint64_t *rs)
{
	int peer = rnd(rs) % nprocs;
	char page[MT_PAGE];
	struct iovec l = { page, sizeof(page) }, r;

	r.iov_base = (void *)(sh->stable[peer] + (rnd(rs) % STABLE_PAGES) * MT_PAGE);
	r.iov_len = MT_PAGE;
	if (!sh->stable[peer] || process_vm_readv(sh->pid[peer], &l, 1, &r, 1, 0) != MT_PAGE)
		atomic_fetch_add(&sh->refused[OP_VMREAD], 1);
}

static int export(int fd, uint64_t *rs, uint64_t size, uint64_t *len)
{
	struct mosaic_export e = { .argsz = sizeof(e), .fd = -1 };
	uint64_t pages = size / MT_PAGE, first = rnd(rs) % pages;

	e.offset = first * MT_PAGE;
	e.length = (rnd(rs) % (pages - first)) * MT_PAGE;	/* 0: to the end */
	e.flags = rnd(rs) % 4 == 0 ? MOSAIC_EXPORT_READ_ONLY : 0;
	*len = e.length ? e.length : size - e.offset;
	return mt_ioctl(fd, MOSAIC_IOC_EXPORT, &e);
}

static void op_export(uint64_t *rs)
{
	int fd = atomic_load(&slots[rnd(rs) % SLOTS]), dfd;
	struct mosaic_sync s = { .argsz = sizeof(s) };
	struct dma_buf_sync ds;
	uint64_t size = fd >= 0 ? fd_size(fd) : 0, len;
	void *m;

	if (!size) {
		atomic_fetch_add(&sh->refused[OP_EXPORT], 1);
		return;
	}
	s.offset = rnd(rs) % size;
	s.length = 1 + rnd(rs) % (size - s.offset);
	s.direction = 1 + rnd(rs) % 3;
	s.flags = MOSAIC_SYNC_BEGIN;
	mt_ioctl(fd, MOSAIC_IOC_SYNC, &s);
	memset(&s.first_segment, 0, 24);
	s.flags = MOSAIC_SYNC_END;
	mt_ioctl(fd, MOSAIC_IOC_SYNC, &s);
	dfd = export(fd, rs, size, &len);
	if (dfd < 0) {
		atomic_fetch_add(&sh->refused[OP_EXPORT], 1);
		return;
	}
	m = mmap(NULL, len, PROT_READ, MAP_SHARED, dfd, 0);
	ds.flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ;
	ioctl(dfd, DMA_BUF_IOCTL_SYNC, &ds);
	if (m != MAP_FAILED)
		(void)*(volatile char *)m;
	ds.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ;
	ioctl(dfd, DMA_BUF_IOCTL_SYNC, &ds);
	if (m != MAP_FAILED)
		munmap(m, len);
	close(dfd);
}

static void op_attach(uint64_t *rs)
{
	int fd = atomic_load(&slots[rnd(rs) % SLOTS]), dfd, im;
	uint64_t size = fd >= 0 ? fd_size(fd) : 0, len;

	if (!size || (dfd = export(fd, rs, size, &len)) < 0) {
		atomic_fetch_add(&sh->refused[OP_ATTACH], 1);
		return;
	}
	im = edu_import(edu, dfd, NULL, NULL);
	/* the edu driver maps for DMA_BIDIRECTIONAL: read-only ones refuse */
	if (im < 0)
		atomic_fetch_add(&sh->refused[OP_ATTACH], 1);
	close(dfd);		/* the import holds the dma-buf */
	if (im >= 0)
		close(im);	/* unmap and detach */
}

struct thread_arg {
	unsigned int word;
	uint64_t seed;
};

static void *worker(void *p)
{
	struct thread_arg *ta = p;
	uint64_t rs = ta->seed | 1;

	while (!atomic_load(&sh->stop)) {
		enum op op = rnd(&rs) % NR_OPS;

		if (op == OP_ATTACH && edu < 0)
			op = OP_EXPORT;
		switch (op) {
		case OP_ALLOC: op_alloc(&rs); break;
		case OP_MMAP: op_mmap(&rs, ta->word); break;
		case OP_REMAP: op_remap(&rs, ta->word); break;
		case OP_FORK: op_fork(&rs, ta->word); break;
		case OP_VMREAD: op_vmread(&rs); break;
		case OP_EXPORT: op_export(&rs); break;
		case OP_ATTACH: op_attach(&rs); break;
		default: break;
		}
		atomic_fetch_add(&sh->ops[op], 1);
	}
	return NULL;
}

static int process_main(int idx, void *unused __attribute__((unused)))
{
	struct thread_arg ta[MAX_THREADS];
	pthread_t th[MAX_THREADS];
	uint64_t rs = 0x9e3779b97f4a7c15ULL * (idx + 1);
	unsigned int word = idx * MAX_THREADS + MAX_THREADS - 1;
	volatile uint64_t *stable;
	int fd;

	for (int i = 0; i < SLOTS; i++)
		atomic_store(&slots[i], -1);
	/* A long-lived mapping the others read with process_vm_readv. */
	fd = mt_alloc(dev, STABLE_PAGES * MT_PAGE, MOSAIC_BACKEND_PAGES, MOSAIC_STRATEGY_AUTO);
	stable = fd >= 0 ? mmap(NULL, STABLE_PAGES * MT_PAGE, PROT_READ | PROT_WRITE,
				MAP_SHARED, fd, 0) : MAP_FAILED;
	if (stable == MAP_FAILED) {
		failure("process %d: stable mapping: %s", idx, strerror(errno));
		return 1;
	}
	atomic_store(&slots[0], fd);
	sh->stable[idx] = (uintptr_t)stable;
	for (int t = 0; t < nthreads; t++) {
		ta[t].word = idx * MAX_THREADS + t;
		ta[t].seed = rnd(&rs);
		if (pthread_create(&th[t], NULL, worker, &ta[t])) {
			failure("pthread_create");
			nthreads = t;
			break;
		}
	}
	while (!atomic_load(&sh->stop)) {
		uint64_t tag = rnd(&rs);

		touch(stable, STABLE_PAGES * MT_PAGE, word, tag);
		usleep(10000);
	}
	for (int t = 0; t < nthreads; t++)
		pthread_join(th[t], NULL);
	/* exit closes whatever is left in the table */
	return 0;
}

int main(void)
{
	struct mosaic_stats base;
	struct edu_setup es;
	long secs, total = 0;
	int crashed = 0;
	uint64_t tsize = 1;
	double t0, el;

	secs = mt_env_num("MOSAIC_STRESS_SECS", 15, 1, 600);
	nprocs = mt_env_num("MOSAIC_STRESS_PROCS", sysconf(_SC_NPROCESSORS_ONLN), 1, MAX_PROCS);
	nthreads = mt_env_num("MOSAIC_STRESS_THREADS", 3, 1, MAX_THREADS - 1);
	tap_diag("t54_stress: %d processes x %d threads for %ld s", nprocs, nthreads, secs);
	dev = mt_open_dev_baseline(&base);
	edu = edu_setup(&es);
	if (edu < 0)
		tap_diag("no edu device: dma-buf attach/detach is not exercised (%s)",
			 mt_errname(edu));
	else
		edu_diag_setup("t54_stress", &es);
	sh = mt_shared(sizeof(*sh));

	t0 = mt_now_s();
	mt_spawn(nprocs, process_main, NULL, secs + 120, sh->pid);
	sleep(secs);
	atomic_store(&sh->stop, 1);
	crashed = mt_reap(nprocs, sh->pid, "process");
	el = mt_now_s() - t0;
	if (edu >= 0)
		close(edu);

	for (int op = 0; op < NR_OPS; op++) {
		long n = atomic_load(&sh->ops[op]), r = atomic_load(&sh->refused[op]);

		total += n;
		if (op == OP_ATTACH && edu < 0)
			tap_skip("no edu device to import the dma-bufs", "%s ran", op_names[op]);
		else
			tap_ok(n > r, "%s: %ld operations, %ld of them refused", op_names[op], n, r);
	}
	tap_diag("load: %ld operations in %.1f s = %.0f ops/s (%d processes x %d threads)",
		 total, el, total / el, nprocs, nthreads);
	tap_ok(crashed == 0, "every process exited cleanly (%d did not)", crashed);
	tap_ok(atomic_load(&sh->bad_words) == 0, "every word read back what was written (%ld lost)",
	       (long)atomic_load(&sh->bad_words));
	tap_ok(atomic_load(&sh->own_failures) == 0, "no operation on a thread's own mapping failed (%ld%s%s)",
	       (long)atomic_load(&sh->own_failures), sh->have_failure ? ", first: " : "",
	       sh->first_failure);
	tap_ok(mt_ledger_is(dev, &base, 0, 0, 0), "page ledger back to the start");
	mt_param_u64("total_size", &tsize);
	tap_ok(tsize == 0, "total_size back to 0 (%llu)", ULL(tsize));
	close(dev);
	return tap_exit();
}
