// SPDX-License-Identifier: GPL-2.0
/*
 * t56_memcg: buffers are charged to the allocating task's memory cgroup.
 *
 * A child moves itself into a cgroup v2 memory cgroup with a limit and
 * reads the cgroup's memory.current around its own buffers:
 *
 * - the page-allocator backends (pages, compound, split, vmalloc,
 *   streaming) raise memory.current by the buffer's size and give it back
 *   when the buffer is freed. Tolerance MEMCG_SLACK either way: the memcg
 *   charges in batches of 64 pages per CPU (its per-CPU stock, 256 KiB
 *   each on the VM's 2 CPUs); and MEMCG_META more above, for the metadata
 *   charged with the pages (8,192 pages: an 8-byte page array entry, a
 *   segment, a scatterlist entry and a device range each, 768 KiB for a
 *   streaming buffer);
 * - a buffer beyond memory.max fails with ENOMEM (the page backends
 *   allocate with __GFP_RETRY_MAYFAIL, which makes the memcg give up
 *   rather than invoke its OOM killer), or the OOM killer takes the
 *   child: either is the kernel's decision, and one must happen;
 * - the metadata of a DMA-layer buffer is charged although its pages are
 *   not (docs/security.md): a coherent buffer of 16,384 one-page chunks
 *   holds a chunk array, a segment table and device ranges of well over
 *   512 KiB, and raises memory.current by that, far below its 64 MiB;
 *   noncontig and cma pages are not charged either.
 *
 * Before 5.11 a page charged to a memcg carries the PageKmemcg page type,
 * which shares its word with the map count, and such a page cannot be
 * mapped to user space (vm_insert_page() refuses it): there mosaic charges
 * only the metadata, and this test expects that (the kernel release says
 * which case applies).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mosaic_test.h"
#include "tap.h"
#include "unpriv.h"

#define CG		"/sys/fs/cgroup/t56"
#define CG_MAX		(96 * MT_MiB)
#define BUF_SIZE	(32 * MT_MiB)
#define MEMCG_SLACK	(1 * MT_MiB)
#define MEMCG_META	(1 * MT_MiB)
#define DMA_SIZE	(64 * MT_MiB)
#define META_MIN	(512 * 1024LL)

static int dev;

/* What the child measured, in shared memory. */
struct memcg_report {
	int alloc[8];			/* 0 or -errno, per backend */
	long long rise[8], after[8];	/* memory.current deltas, bytes */
	int over;			/* the ALLOC beyond memory.max */
	int dma[3];
	long long dma_rise[3];
	int done;
};

static struct memcg_report *rep;

static long long memory_current(void)
{
	char line[64];

	if (mt_read_line(CG "/memory.current", line, sizeof(line)) < 0)
		return -1;
	return strtoll(line, NULL, 10);
}

/* memory.current once it is within MEMCG_SLACK of @want, or after 1 s. */
static long long memory_current_near(long long want)
{
	long long now = memory_current();

	for (int i = 0; i < 20 && llabs(now - want) > (long long)MEMCG_SLACK; i++) {
		usleep(50 * 1000);
		now = memory_current();
	}
	return now;
}

/* Whether this kernel marks memcg-charged pages PageKmemcg (before 5.11). */
static bool kernel_has_page_kmemcg(void)
{
	struct utsname u;
	int major = 0, minor = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return false;
	return major < 5 || (major == 5 && minor < 11);
}

static const uint32_t page_backends[] = {
	MOSAIC_BACKEND_PAGES, MOSAIC_BACKEND_COMPOUND, MOSAIC_BACKEND_SPLIT,
	MOSAIC_BACKEND_VMALLOC, MOSAIC_BACKEND_STREAMING,
};
#define NR_PAGE_BACKENDS	(sizeof(page_backends) / sizeof(page_backends[0]))

static const uint32_t dma_backends[] = {
	MOSAIC_BACKEND_COHERENT, MOSAIC_BACKEND_NONCONTIG, MOSAIC_BACKEND_CMA,
};

static void child_measure(void)
{
	for (size_t i = 0; i < NR_PAGE_BACKENDS; i++) {
		long long base = memory_current();
		int fd = mt_alloc(dev, BUF_SIZE, page_backends[i], MOSAIC_STRATEGY_AUTO);

		rep->alloc[i] = fd < 0 ? fd : 0;
		if (fd < 0)
			continue;
		rep->rise[i] = memory_current() - base;
		close(fd);
		rep->after[i] = memory_current_near(base) - base;
	}
	for (size_t i = 0; i < 3; i++) {
		long long base = memory_current();
		/* coherent in one-page chunks: the most metadata per byte */
		int fd = mt_alloc_knobs(dev, DMA_SIZE, dma_backends[i],
					MOSAIC_STRATEGY_AUTO, 0,
					i == 0 ? MT_PAGE : 0, NULL);

		rep->dma[i] = fd < 0 ? fd : 0;
		if (fd < 0)
			continue;
		rep->dma_rise[i] = memory_current() - base;
		close(fd);
	}
	rep->over = 1;
	fflush(stdout);
	{
		int fd = mt_alloc(dev, CG_MAX + BUF_SIZE, MOSAIC_BACKEND_PAGES,
				  MOSAIC_STRATEGY_AUTO);

		rep->over = fd < 0 ? fd : 0;
		if (fd >= 0)
			close(fd);
	}
	rep->done = 1;
}

static void check_page_backends(bool charged)
{
	for (size_t i = 0; i < NR_PAGE_BACKENDS; i++) {
		const char *name = mt_backend_name(page_backends[i]);
		long long want = charged ? (long long)BUF_SIZE : 0;

		if (rep->alloc[i]) {
			tap_ok(0, "%s: ALLOC 32 MiB in the memcg (%s)", name,
			       mt_errname(rep->alloc[i]));
			continue;
		}
		tap_diag("%s: memory.current +%lld KiB while allocated, %+lld KiB after close",
			 name, rep->rise[i] >> 10, rep->after[i] >> 10);
		tap_ok(rep->rise[i] >= want - (long long)MEMCG_SLACK &&
		       rep->rise[i] <= want + (long long)(MEMCG_SLACK + MEMCG_META),
		       "%s: memory.current rises by %s (%lld KiB, -%lu/+%lu KiB)",
		       name, charged ? "the buffer's 32 MiB" : "its metadata only (PageKmemcg kernel)",
		       rep->rise[i] >> 10, MEMCG_SLACK >> 10, (MEMCG_SLACK + MEMCG_META) >> 10);
		tap_ok(llabs(rep->after[i]) <= (long long)MEMCG_SLACK,
		       "%s: memory.current falls back after close (%+lld KiB, within %lu KiB)",
		       name, rep->after[i] >> 10, MEMCG_SLACK >> 10);
	}
}

static void check_dma_backends(void)
{
	for (size_t i = 0; i < 3; i++) {
		const char *name = mt_backend_name(dma_backends[i]);
		const char *skip;

		if (rep->dma[i]) {
			skip = mt_alloc_skip_reason(dma_backends[i], rep->dma[i], DMA_SIZE);
			if (skip)
				tap_skip(skip, "%s: pages not charged to the memcg", name);
			else
				tap_ok(0, "%s: ALLOC 64 MiB in the memcg (%s)", name,
				       mt_errname(rep->dma[i]));
			continue;
		}
		tap_diag("%s: 64 MiB: memory.current +%lld KiB", name, rep->dma_rise[i] >> 10);
		tap_ok(rep->dma_rise[i] < (long long)DMA_SIZE / 4,
		       "%s: the DMA layer's pages are not charged (documented): +%lld KiB for 64 MiB",
		       name, rep->dma_rise[i] >> 10);
		if (i == 0)
			tap_ok(rep->dma_rise[i] >= META_MIN,
			       "coherent in 16,384 chunks: its metadata is charged (+%lld KiB, at least %lld KiB)",
			       rep->dma_rise[i] >> 10, META_MIN >> 10);
	}
}

int main(void)
{
	bool charged = !kernel_has_page_kmemcg();
	struct mosaic_stats base;
	char num[32];
	int status = 0;
	pid_t pid;

	tap_diag("t56_memcg: buffers charged to the allocating task's memory cgroup");
	dev = mt_open_dev_or_bail();
	mt_stats(dev, &base);
	rep = mt_shared(sizeof(*rep));

	mkdir("/sys/fs/cgroup", 0755);
	mount("cgroup2", "/sys/fs/cgroup", "cgroup2", 0, NULL);
	mt_write_file("/sys/fs/cgroup/cgroup.subtree_control", "+memory");
	mkdir(CG, 0755);
	snprintf(num, sizeof(num), "%lu", CG_MAX);
	if (mt_write_file(CG "/memory.max", num)) {
		tap_skip("no cgroup2 memory controller", "buffers charged to the memcg");
		return tap_exit();
	}
	/* The over-limit ALLOC may end in the memcg's OOM killer: vm/log-scan. */
	mt_write_file("/dev/kmsg", "mosaic-test: an OOM kill report is expected from here\n");
	pid = mt_fork();
	if (pid == 0) {
		snprintf(num, sizeof(num), "%d", getpid());
		if (mt_write_file(CG "/cgroup.procs", num))
			_exit(100);
		alarm(120);
		child_measure();
		_exit(0);
	}
	waitpid(pid, &status, 0);
	mt_write_file("/dev/kmsg", "mosaic-test: no OOM kill report is expected from here\n");
	tap_ok(WIFEXITED(status) ? WEXITSTATUS(status) == 0 && rep->done :
	       WTERMSIG(status) == SIGKILL && rep->over == 1,
	       "the child ran in the memcg (status %#x)", status);

	check_page_backends(charged);
	check_dma_backends();
	if (!charged)
		tap_skip("PageKmemcg kernel: buffer pages are not charged",
			 "ALLOC beyond memory.max");
	else
		tap_ok(rep->over == -ENOMEM ||
		       (rep->over == 1 && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL),
		       "ALLOC of 128 MiB in a memcg of 96 MiB: ENOMEM or the OOM killer takes the child (%s)",
		       rep->over == 1 ? "killed" : mt_errname(rep->over));
	tap_ok(mt_ledger_is(dev, &base, 0, 0, 0), "ledger back to the start");
	rmdir(CG);
	close(dev);
	return tap_exit();
}
