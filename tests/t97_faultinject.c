// SPDX-License-Identifier: GPL-2.0
/*
 * t97_faultinject: every allocation an entry point makes may fail, and
 * each failure must come back as a clean error, with nothing leaked and
 * nothing logged.
 *
 * /proc/thread-self/fail-nth (CONFIG_FAULT_INJECTION) makes the N-th
 * fault-injection check this thread passes fail: a slab allocation
 * (failslab), a page allocation (fail_page_alloc) or a user copy
 * (fail_usercopy). For each entry point -- ALLOC of every backend, mmap
 * of every strategy, the first touch of a lazily mapped page, EXPORT and
 * SYNC -- N counts up from 1. At each N:
 *
 * - the call either fails with a clean errno (ENOMEM, or EFAULT for a
 *   failed user copy) or still succeeds because the failure was absorbed
 *   (the high-order backends fall back to a smaller order, a trimmed
 *   segment table keeps the larger one, kmemleak falls back to its pool);
 * - after cleaning up, the module's ledger (buffers, pages, VMAs) is back
 *   where it was;
 * - the kernel logged nothing alarming: no WARNING, BUG or call trace,
 *   and no allocation-failure report ("page allocation failure",
 *   "vmalloc error", "SLUB: Unable to allocate"), which an allocation
 *   whose failure is an expected ENOMEM must silence with __GFP_NOWARN.
 *
 * The count stops at the first N that the call finishes without reaching,
 * and that run must succeed. The failure points exercised (every N that
 * was injected) are reported per entry point and in total.
 *
 * The failslab and fail_page_alloc defaults skip exactly the allocations
 * that matter (those that may sleep, order 0 pages, highmem), so the test
 * sets ignore-gfp-wait and ignore-gfp-highmem to N and min-order to 0,
 * silences every fault attribute (verbose 0: a forced failure would
 * otherwise print a stack trace), keeps probability-driven injection off
 * (probability 0, task-filter Y) and restores every setting at the end.
 * On a kernel without fault injection (Debian's stock kernel) it skips.
 *
 * One kernel reaction is expected and not counted as alarming: when the
 * failed allocation is the GFP_ATOMIC one in DMA-API debugging's own
 * cacheline tracking, that checker switches itself off for the rest of
 * the boot ("DMA-API: cacheline tracking ENOMEM, dma-debug disabled",
 * kernel/dma/debug.c), whatever the driver does. The test notes it in its
 * output when it happens, writes kmsg markers around the injection so the
 * harness's log scan (vm/log-scan) excuses that one line there, and is
 * numbered to run after every other test that maps memory for a device,
 * which keep their DMA-API checks.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ivshmem.h"
#include "mosaic_test.h"
#include "tap.h"

#define FAIL_NTH	"/proc/thread-self/fail-nth"
#define DEBUGFS		"/sys/kernel/debug"
/* No entry point here comes near this many checks; more means a loop. */
#define MAX_NTH		4000

#define EDU_VENDOR	0x1234
#define EDU_DEVICE	0x11e8

static int nth_fd = -1, kmsg_fd = -1, dev = -1;
static unsigned int total_points, total_failed, total_absorbed, nr_entries;

/* ---- debugfs settings, restored at exit ---------------------------------- */

struct setting {
	char path[128];
	char old[64];
};

static struct setting saved[64];
static unsigned int nr_saved;

static int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n < 0 ? -errno : 0;
}

/* Set one attribute, remembering its value; 0 or -errno. */
static int set_attr(const char *path, const char *val)
{
	struct setting *s;
	int ret;

	if (nr_saved == sizeof(saved) / sizeof(saved[0]))
		return -ENOSPC;
	s = &saved[nr_saved];
	ret = mt_read_line(path, s->old, sizeof(s->old));
	if (ret)
		return ret;
	ret = write_file(path, val);
	if (ret)
		return ret;
	snprintf(s->path, sizeof(s->path), "%s", path);
	nr_saved++;
	return 0;
}

static void restore_attrs(void)
{
	while (nr_saved) {
		struct setting *s = &saved[--nr_saved];

		if (write_file(s->path, s->old))
			tap_diag("could not restore %s to %s", s->path, s->old);
	}
}

/*
 * Configure the fault attributes for fail-nth; the reason to skip, or NULL.
 */
static const char *setup_fault_attrs(void)
{
	static const char *const nth_knobs[][2] = {
		{ DEBUGFS "/failslab/ignore-gfp-wait", "N" },
		{ DEBUGFS "/failslab/cache-filter", "N" },
		{ DEBUGFS "/fail_page_alloc/ignore-gfp-wait", "N" },
		{ DEBUGFS "/fail_page_alloc/ignore-gfp-highmem", "N" },
		{ DEBUGFS "/fail_page_alloc/min-order", "0" },
	};
	static const char *const quiet_knobs[][2] = {
		{ "verbose", "0" },
		{ "probability", "0" },
		{ "task-filter", "Y" },
		{ "times", "-1" },
	};
	static char reason[200];
	char path[160];
	glob_t g;
	size_t i, k;
	int ret;

	if (access(DEBUGFS "/failslab", F_OK) ||
	    access(DEBUGFS "/fail_page_alloc", F_OK))
		return "no " DEBUGFS "/failslab or fail_page_alloc: kernel without CONFIG_FAILSLAB / CONFIG_FAIL_PAGE_ALLOC";
	/* Every fault attribute fail-nth drives, not only the two above. */
	if (glob(DEBUGFS "/fail*/verbose", 0, NULL, &g) == 0) {
		for (i = 0; i < g.gl_pathc; i++) {
			char *dir = g.gl_pathv[i];

			dir[strlen(dir) - strlen("/verbose")] = '\0';
			for (k = 0; k < sizeof(quiet_knobs) / sizeof(quiet_knobs[0]); k++) {
				snprintf(path, sizeof(path), "%s/%s", dir,
					 quiet_knobs[k][0]);
				if (access(path, F_OK))
					continue;
				ret = set_attr(path, quiet_knobs[k][1]);
				if (ret) {
					snprintf(reason, sizeof(reason),
						 "cannot set %s: %s", path,
						 strerror(-ret));
					globfree(&g);
					return reason;
				}
			}
		}
		globfree(&g);
	}
	for (i = 0; i < sizeof(nth_knobs) / sizeof(nth_knobs[0]); i++) {
		ret = set_attr(nth_knobs[i][0], nth_knobs[i][1]);
		if (ret) {
			snprintf(reason, sizeof(reason), "cannot set %s: %s",
				 nth_knobs[i][0], strerror(-ret));
			return reason;
		}
	}
	return NULL;
}

/* ---- fail-nth ------------------------------------------------------------- */

static void arm(unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	if (pwrite(nth_fd, buf, len, 0) != len)
		tap_bail("write %s: %s", FAIL_NTH, strerror(errno));
}

/*
 * Disarm; return what was left of the count when the call returned: 0
 * means the N-th check was reached and failed. Reading snapshots the
 * count before the read's own user copy can take from it.
 */
static unsigned int disarm(void)
{
	char buf[16] = "";
	unsigned int left;

	/*
	 * The read's own copy to user space is a check too (fail_usercopy):
	 * EFAULT means the count was 1 when the read took its snapshot, so
	 * the call finished one check short of N.
	 */
	if (pread(nth_fd, buf, sizeof(buf) - 1, 0) < 0) {
		if (errno != EFAULT)
			tap_bail("read %s: %s", FAIL_NTH, strerror(errno));
		snprintf(buf, sizeof(buf), "1");
	}
	left = strtoul(buf, NULL, 10);
	/* Likewise the write's copy; the count is 0 after such a failure. */
	if (pwrite(nth_fd, "0", 1, 0) != 1 &&
	    (errno != EFAULT || pwrite(nth_fd, "0", 1, 0) != 1))
		tap_bail("write %s: %s", FAIL_NTH, strerror(errno));
	return left;
}

/* ---- kernel log ----------------------------------------------------------- */

/* Expected after an injected failure in dma-debug itself (see above). */
#define DMA_DEBUG_OFF	"DMA-API: cacheline tracking ENOMEM, dma-debug disabled"
#define MARK_ON		"mosaic-test: injected allocation failures from here\n"
#define MARK_OFF	"mosaic-test: no injected allocation failures from here\n"
static bool dma_debug_off;

static const char *const bad_log[] = {
	"WARNING:", "BUG:", "kernel BUG", "Oops", "Call Trace:", "KASAN", "Bad page",
	"page allocation failure", "vmalloc error", "Unable to allocate",
	"FAULT_INJECTION", "VM_FAULT_OOM", "refcount_t", "DMA-API",
	"leaked",
};

/* The first alarming kernel log line since the last call, into @line. */
static bool kmsg_new_bad(char *line, size_t size)
{
	char rec[2048];
	bool bad = false, hit;
	const char *text;
	ssize_t n;

	if (kmsg_fd < 0)
		return false;
	for (;;) {
		n = read(kmsg_fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* overwritten records: go on */
		if (n <= 0)
			break;
		rec[n] = '\0';
		/* "prio,seq,time,flags;text\n", then continuation lines. */
		text = strchr(rec, ';');
		text = text ? text + 1 : rec;
		/* SLUB debugging: "BUG kmalloc-64 (Not tainted): ..." */
		if (strstr(text, DMA_DEBUG_OFF)) {
			tap_diag("dma-debug switched itself off after an injected failure in its own tracking: no DMA-API checks from here in this boot");
			dma_debug_off = true;
			continue;
		}
		hit = !strncmp(text, "BUG ", 4);
		for (size_t i = 0; i < sizeof(bad_log) / sizeof(bad_log[0]); i++)
			hit = hit || strstr(text, bad_log[i]);
		if (hit && !bad) {
			size_t len = strcspn(text, "\n");

			if (len >= size)
				len = size - 1;
			memcpy(line, text, len);
			line[len] = '\0';
			bad = true;
		}
	}
	return bad;
}

/* ---- the driver ----------------------------------------------------------- */

/*
 * One entry point: @setup and @cleanup run unarmed around the one call
 * that runs armed. @call returns >= 0 or -errno; @cleanup gets that.
 */
struct entry {
	char name[64];
	int (*setup)(struct entry *e);
	long (*call)(struct entry *e);
	void (*cleanup)(struct entry *e, long ret);
	/* What the entry point works on. */
	int bfd;
	uint64_t size;
	struct mosaic_alloc req;
	char device[32];
	void *map;
	int aux_fd[2];
	/* One more errno that is a clean failure of this entry, or 0. */
	int also_clean;
};

static void run_entry(struct entry *e)
{
	unsigned int n, points = 0, failed = 0, absorbed = 0, enomem = 0,
		     efault = 0, bad_errno = 0, bad_ledger = 0, bad_log_n = 0;
	char log_line[256], bad_errno_desc[96] = "";
	bool finished = false, ledger_ok = true;
	struct mosaic_stats base;
	long ret = 0;

	nr_entries++;
	/* Start from here: what came before is the harness's to report. */
	(void)kmsg_new_bad(log_line, sizeof(log_line));
	if (mt_stats(dev, &base) < 0)
		tap_bail("STATS: %s", strerror(errno));

	for (n = 1; n <= MAX_NTH; n++) {
		unsigned int left;

		if (e->setup && e->setup(e) < 0) {
			tap_ok(0, "%s: setup before fail-nth %u", e->name, n);
			break;
		}
		arm(n);
		ret = e->call(e);
		left = disarm();
		if (e->cleanup)
			e->cleanup(e, ret);

		if (!mt_ledger_is(dev, &base, 0, 0, 0)) {
			if (!bad_ledger++)
				tap_diag("%s: ledger off after fail-nth %u",
					 e->name, n);
			ledger_ok = false;
		}
		if (kmsg_new_bad(log_line, sizeof(log_line))) {
			/* The first one tells most; the harness lists all. */
			if (!bad_log_n++)
				tap_diag("%s: fail-nth %u: kernel logged: %s",
					 e->name, n, log_line);
		}

		if (left) {
			/* Fewer than n checks: the call ran to completion. */
			finished = true;
			break;
		}
		points++;
		if (ret >= 0) {
			absorbed++;
		} else if (ret == -ENOMEM || ret == -EFAULT ||
			   (e->also_clean && ret == -e->also_clean)) {
			failed++;
			if (ret == -ENOMEM)
				enomem++;
			else
				efault++;
		} else {
			if (!bad_errno++)
				snprintf(bad_errno_desc, sizeof(bad_errno_desc),
					 "fail-nth %u gave %s", n,
					 mt_errname((int)-ret));
			failed++;
		}
	}

	total_points += points;
	total_failed += failed;
	total_absorbed += absorbed;
	tap_diag("%s: %u failure points: %u clean errors (ENOMEM %u, EFAULT %u), %u absorbed",
		 e->name, points, failed, enomem, efault, absorbed);
	tap_ok(finished && ret >= 0,
	       "%s: succeeds once every check passes (after %u failure points)%s%s",
	       e->name, points, finished ? "" : ": never finished",
	       finished && ret < 0 ? ": failed without an injected fault" : "");
	tap_ok(!bad_errno,
	       "%s: every injected failure gives ENOMEM or EFAULT%s%s, or is absorbed%s%s",
	       e->name, e->also_clean ? " or " : "",
	       e->also_clean ? mt_errname(-e->also_clean) : "",
	       bad_errno ? ": " : "", bad_errno_desc);
	tap_ok(ledger_ok, "%s: ledger back to its baseline after every attempt",
	       e->name);
	tap_ok(!bad_log_n, "%s: nothing alarming in the kernel log at any failure point%s",
	       e->name, bad_log_n ? " (see above)" : "");
}

/* ---- ALLOC ----------------------------------------------------------------- */

static long alloc_call(struct entry *e)
{
	struct mosaic_alloc req = e->req;

	return mt_alloc_req(dev, &req);
}

static void close_fd(struct entry *e, long ret)
{
	(void)e;
	if (ret >= 0)
		close((int)ret);
}

/* The request for @backend, tried outside fail-nth: NULL, or why not. */
static const char *alloc_request(struct entry *e, uint32_t backend,
				 const char *device, const char *what)
{
	struct mosaic_alloc req;
	int fd;

	memset(e, 0, sizeof(*e));
	e->req.size = 1 * MT_MiB;
	e->req.backend = backend;
	switch (backend) {
	case MOSAIC_BACKEND_COMPOUND:
	case MOSAIC_BACKEND_SPLIT:
	case MOSAIC_BACKEND_STREAMING:
		/* Orders 8, 4 and 0: one block of each. */
		e->req.size = MT_MiB + 64 * 1024 + MT_PAGE;
		e->req.max_order = 8;
		break;
	case MOSAIC_BACKEND_COHERENT:
	case MOSAIC_BACKEND_NONCONTIG:
		e->req.chunk_size = 256 * 1024;
		break;
	case MOSAIC_BACKEND_MMIO:
		e->req.size = 64 * 1024;
		e->req.bar = IVSHMEM_BAR;
		/*
		 * mosaic holds the BAR's region (pci_request_region()), and
		 * the kernel reports a failed allocation of the region's
		 * struct resource as a conflict: __request_region() returns
		 * NULL for both, and pci_request_region() says EBUSY.
		 */
		e->also_clean = EBUSY;
		break;
	}
	if (device) {
		snprintf(e->device, sizeof(e->device), "%s", device);
		e->req.device = (uintptr_t)e->device;
	}
	snprintf(e->name, sizeof(e->name), "ALLOC %s%s%s",
		 mt_backend_name(backend), what ? " for " : "", what ? what : "");
	req = e->req;
	fd = mt_alloc_req(dev, &req);
	if (fd < 0) {
		const char *skip = mt_alloc_skip_reason(backend, fd, e->req.size);

		return skip ? skip : "ALLOC fails without fault injection";
	}
	close(fd);
	e->call = alloc_call;
	e->cleanup = close_fd;
	return NULL;
}

static void alloc_entry(uint32_t backend, const char *device, const char *what)
{
	struct entry e;
	const char *skip = alloc_request(&e, backend, device, what);

	if (skip && !strcmp(skip, "ALLOC fails without fault injection")) {
		tap_ok(0, "%s: %s", e.name, skip);
		return;
	}
	if (skip) {
		tap_skip(skip, "%s", e.name);
		return;
	}
	run_entry(&e);
}

/* ---- mmap and first touch --------------------------------------------------- */

static long mmap_call(struct entry *e)
{
	void *p = mmap(NULL, e->size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       e->bfd, 0);

	if (p == MAP_FAILED)
		return -errno;
	e->map = p;
	return 0;
}

static void unmap(struct entry *e, long ret)
{
	if (ret >= 0 && e->map)
		munmap(e->map, e->size);
	e->map = NULL;
}

static int map_setup(struct entry *e)
{
	return mmap_call(e) < 0 ? -1 : 0;
}

/* A write fault from the kernel: read() from /dev/zero into the page. */
static long touch_write_call(struct entry *e)
{
	ssize_t n = read(e->aux_fd[0], e->map, MT_PAGE);

	return n < 0 ? -errno : 0;
}

/* A read fault from the kernel (mapping its neighbours too): write() to a pipe. */
static long touch_read_call(struct entry *e)
{
	ssize_t n = write(e->aux_fd[1], e->map, MT_PAGE);

	return n < 0 ? -errno : 0;
}

/* The VMA came from setup: it goes whatever the touch did. */
static void touch_write_cleanup(struct entry *e, long ret)
{
	(void)ret;
	unmap(e, 0);
}

static void touch_read_cleanup(struct entry *e, long ret)
{
	char buf[MT_PAGE];

	if (ret >= 0 && read(e->aux_fd[0], buf, sizeof(buf)) < 0)
		tap_diag("draining the pipe: %s", strerror(errno));
	unmap(e, 0);
}

/* A buffer for the mmap and touch entries; fd or -errno. */
static int map_buffer(struct entry *e, uint32_t backend, uint32_t strategy)
{
	memset(e, 0, sizeof(*e));
	e->size = MT_MiB;
	e->bfd = mt_alloc_knobs(dev, e->size, backend, strategy, 0,
				backend == MOSAIC_BACKEND_COHERENT ?
				256 * 1024 : 0, NULL);
	return e->bfd;
}

static void mmap_entry(uint32_t backend, uint32_t strategy)
{
	struct entry e;

	if (map_buffer(&e, backend, strategy) < 0) {
		tap_ok(0, "mmap %s on %s: ALLOC (%s)", mt_strategy_name(strategy),
		       mt_backend_name(backend), mt_errname(-e.bfd));
		return;
	}
	snprintf(e.name, sizeof(e.name), "mmap %s on %s",
		 mt_strategy_name(strategy), mt_backend_name(backend));
	e.call = mmap_call;
	e.cleanup = unmap;
	run_entry(&e);
	close(e.bfd);
}

static void touch_entry(uint32_t backend, uint32_t strategy, bool write_fault)
{
	struct entry e;

	if (map_buffer(&e, backend, strategy) < 0) {
		tap_ok(0, "fault %s: ALLOC (%s)", mt_strategy_name(strategy),
		       mt_errname(-e.bfd));
		return;
	}
	snprintf(e.name, sizeof(e.name), "first %s fault, %s on %s",
		 write_fault ? "write" : "read", mt_strategy_name(strategy),
		 mt_backend_name(backend));
	if (write_fault) {
		e.aux_fd[0] = open("/dev/zero", O_RDONLY | O_CLOEXEC);
		e.aux_fd[1] = -1;
		if (e.aux_fd[0] < 0)
			tap_bail("open /dev/zero: %s", strerror(errno));
		e.call = touch_write_call;
		e.cleanup = touch_write_cleanup;
	} else {
		if (pipe2(e.aux_fd, O_CLOEXEC))
			tap_bail("pipe: %s", strerror(errno));
		e.call = touch_read_call;
		e.cleanup = touch_read_cleanup;
	}
	/* A fresh VMA every time, so every touch is a first one. */
	e.setup = map_setup;
	run_entry(&e);
	close(e.aux_fd[0]);
	if (e.aux_fd[1] >= 0)
		close(e.aux_fd[1]);
	close(e.bfd);
}

/* ---- EXPORT and SYNC ---------------------------------------------------------- */

static long export_call(struct entry *e)
{
	struct mosaic_export x = { .argsz = sizeof(x), .fd = -1 };
	int ret = mt_ioctl(e->bfd, MOSAIC_IOC_EXPORT, &x);

	return ret;
}

static long sync_call(struct entry *e)
{
	struct mosaic_sync s = {
		.argsz = sizeof(s),
		.flags = MOSAIC_SYNC_BEGIN,
		.length = e->size,
		.direction = MOSAIC_SYNC_RW,
	};

	return mt_ioctl(e->bfd, MOSAIC_IOC_SYNC, &s);
}

static void ioctl_entry(const char *what, uint32_t backend,
			long (*call)(struct entry *),
			void (*cleanup)(struct entry *, long))
{
	struct entry e;

	if (map_buffer(&e, backend, MOSAIC_STRATEGY_AUTO) < 0) {
		tap_ok(0, "%s on %s: ALLOC (%s)", what, mt_backend_name(backend),
		       mt_errname(-e.bfd));
		return;
	}
	snprintf(e.name, sizeof(e.name), "%s on %s", what,
		 mt_backend_name(backend));
	e.call = call;
	e.cleanup = cleanup;
	run_entry(&e);
	close(e.bfd);
}

int main(void)
{
	char edu[32], ivshmem[32];
	const char *skip;
	bool have_edu, have_ivshmem;
	uint32_t b, s;

	if (access(FAIL_NTH, F_OK)) {
		printf("1..0 # SKIP no %s: kernel without CONFIG_FAULT_INJECTION (the debug kernel has it)\n",
		       FAIL_NTH);
		return 77;
	}
	skip = setup_fault_attrs();
	if (skip) {
		restore_attrs();
		printf("1..0 # SKIP %s\n", skip);
		return 77;
	}
	dev = mt_open_dev_or_bail();
	nth_fd = open(FAIL_NTH, O_RDWR | O_CLOEXEC);
	if (nth_fd < 0)
		tap_bail("open %s: %s", FAIL_NTH, strerror(errno));
	kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg_fd < 0 || lseek(kmsg_fd, 0, SEEK_END) < 0)
		tap_diag("no /dev/kmsg (%s): the harness's log check still runs",
			 strerror(errno));
	have_edu = !mt_find_pci(EDU_VENDOR, EDU_DEVICE, edu, sizeof(edu));
	have_ivshmem = !mt_find_pci(IVSHMEM_VENDOR, IVSHMEM_DEVICE, ivshmem,
				    sizeof(ivshmem));
	/* The window in which vm/log-scan excuses DMA_DEBUG_OFF. */
	if (write_file("/dev/kmsg", MARK_ON))
		tap_diag("could not mark the injection window in /dev/kmsg");

	/* ALLOC, every backend; the device ones also for a PCI device. */
	for (b = MOSAIC_BACKEND_PAGES; b <= MOSAIC_BACKEND_MAX; b++) {
		if (b == MOSAIC_BACKEND_MMIO) {
			if (have_ivshmem)
				alloc_entry(b, ivshmem, "ivshmem");
			else
				tap_skip("no ivshmem device in this VM (the virtio-iommu pass of make check-debug has one)",
					 "ALLOC mmio");
			continue;
		}
		alloc_entry(b, NULL, NULL);
		if (mt_backend_needs_device(b) && have_edu)
			alloc_entry(b, edu, "edu");
	}

	/* mmap, every strategy; the PFN ones on DMA-owned memory too. */
	for (s = MOSAIC_STRATEGY_INSERT_PAGE; s <= MOSAIC_STRATEGY_MAX; s++) {
		mmap_entry(MOSAIC_BACKEND_PAGES, s);
		if (mt_strategy_is_pfn(s))
			mmap_entry(MOSAIC_BACKEND_COHERENT, s);
	}

	/* The first touch of a page of the lazy strategies. */
	touch_entry(MOSAIC_BACKEND_PAGES, MOSAIC_STRATEGY_FAULT, true);
	touch_entry(MOSAIC_BACKEND_PAGES, MOSAIC_STRATEGY_FAULT, false);
	touch_entry(MOSAIC_BACKEND_PAGES, MOSAIC_STRATEGY_PFN_FAULT, true);
	touch_entry(MOSAIC_BACKEND_PAGES, MOSAIC_STRATEGY_PFN_FAULT, false);

	ioctl_entry("EXPORT", MOSAIC_BACKEND_PAGES, export_call, close_fd);
	ioctl_entry("EXPORT", MOSAIC_BACKEND_COMPOUND, export_call, close_fd);
	ioctl_entry("SYNC", MOSAIC_BACKEND_STREAMING, sync_call, NULL);

	restore_attrs();
	(void)write_file("/dev/kmsg", MARK_OFF);
	if (dma_debug_off)
		tap_diag("DMA-API debugging was off for part of this run (see above): the failure paths after that point were checked without it");
	tap_diag("fault injection: %u distinct failure points exercised over %u entry points (%u clean errors, %u absorbed)",
		 total_points, nr_entries, total_failed, total_absorbed);
	tap_ok(total_points > 0, "fault injection reached %u failure points",
	       total_points);
	close(nth_fd);
	if (kmsg_fd >= 0)
		close(kmsg_fd);
	close(dev);
	tap_done();
	return tap_exit();
}
