// SPDX-License-Identifier: GPL-2.0
/*
 * mosaic-bench: what each mapping method costs, side by side with what the
 * kernel already offers (issue 10, docs/performance.md).
 *
 * Runs in the VM (static, busybox guest). For every row -- each valid
 * mosaic backend x strategy pair, and the kernel's own peers -- and every
 * size it runs the life cycle "get N bytes of zeroed memory into one
 * linear user mapping, touch every page, give it back" several times and
 * times each phase with CLOCK_MONOTONIC:
 *
 *   alloc   MOSAIC_IOC_ALLOC, DMA_HEAP_IOCTL_ALLOC, memfd + UDMABUF_CREATE,
 *           growing the hugetlb pool, MADV_POPULATE_WRITE (see row_desc)
 *   map     the mmap() call
 *   touch   one 64-bit store into every 4 KiB page, in order, of a word
 *           computed before the timing (see touch_words)
 *   munmap  the munmap() call
 *   free    close() of the last fd, shrinking the hugetlb pool
 *
 * Around each phase it reads the fault counters (getrusage), and
 * while the buffer is mapped it reads VmPTE from /proc/self/status. Under
 * QEMU's -icount shift=0,sleep=off the guest clock advances one
 * nanosecond per guest instruction, so the same numbers then count
 * instructions.
 *
 * After the timed touch (untimed) every page is checked: the word written
 * reads back, the page's last word is still zero, and for mosaic rows the
 * kernel's MOSAIC_TEST_IOC_VERIFY sees the word through the segment's own
 * kernel address; mosaic's page ledger must be back where it was after
 * free.
 *
 * Output: CSV records on stdout (bench/report turns them into tables and
 * plots), one progress line per measurement on stderr ("# " prefixed).
 * With --tap it checks one run of every row instead and prints TAP: the
 * smoke test of make check (tests/t40_bench_smoke.sh).
 *
 * Records (one per line, comma separated, no quoting; reasons have their
 * commas replaced):
 *   meta,KEY,VALUE
 *   row,NAME,KIND,LAZY,ZEROED_IN,DESCRIPTION
 *   rep,NAME,SIZE,REP,ALLOC,MAP,TOUCH,MUNMAP,FREE,FLT_ALLOC,FLT_MAP,
 *       FLT_TOUCH,FLT_MUNMAP,FLT_FREE,PTE_BYTES,SEGMENTS,RUNS,HUGE_KB,
 *       ORDER_GE4_PAGES
 *       (times in ns; a phase the row does not have is empty)
 *   skip,NAME,SIZE,REASON
 *   fail,NAME,SIZE,REP,PHASE,REASON
 *   orders,TAG,NAME,SIZE,REP,ALLOC_NS,COUNT0,...,COUNT15
 *   fa,NAME,SIZE,FAULT_AROUND_BYTES,ALIGNED,REP,TOUCH_NS,FAULTS,SEGMENTS,RUNS
 *   frag,KEY,VALUE
 *   end,ELAPSED_NS
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <regex.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <linux/dma-heap.h>
#include <linux/mosaic_testing.h>
#include <linux/udmabuf.h>
#include <mosaic/mosaic.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MAP_HUGE_2MB
#define MAP_HUGE_2MB (21 << 26)
#endif
#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT 0x01
#endif
#ifndef F_ADD_SEALS
#define F_ADD_SEALS 1033
#define F_SEAL_SHRINK 0x0002
#endif
#ifndef MFD_ALLOW_SEALING
#define MFD_ALLOW_SEALING 0x0002U
#endif

#define PAGE		4096UL
#define MiB		(1024UL * 1024UL)
#define HPAGE		(2 * MiB)
#define SEED		0x6d6f73616963ULL	/* "mosaic" */
#define NPHASES		5
#define VERIFY_SAMPLES	64			/* kernel checks per buffer */

enum phase { PH_ALLOC, PH_MAP, PH_TOUCH, PH_MUNMAP, PH_FREE };
static const char *const phase_name[NPHASES] = {
	"alloc", "map", "touch", "munmap", "free",
};

enum kind {
	K_MOSAIC,
	K_ANON_POPULATE,	/* mmap(MAP_POPULATE) */
	K_ANON_MADVISE,		/* mmap, then MADV_POPULATE_WRITE */
	K_ANON_THP,		/* the same with MADV_HUGEPAGE */
	K_HUGETLB,		/* MAP_HUGETLB | MAP_POPULATE, pool grown first */
	K_HEAP_SYSTEM,		/* /dev/dma_heap/system */
	K_HEAP_CMA,		/* the CMA heap, whatever its name */
	K_UDMABUF,		/* memfd + UDMABUF_CREATE */
};

static const char *const kind_name[] = {
	[K_MOSAIC] = "mosaic", [K_ANON_POPULATE] = "anon",
	[K_ANON_MADVISE] = "anon", [K_ANON_THP] = "anon",
	[K_HUGETLB] = "hugetlb", [K_HEAP_SYSTEM] = "dma-heap",
	[K_HEAP_CMA] = "dma-heap", [K_UDMABUF] = "udmabuf",
};

struct row {
	char name[40];
	enum kind kind;
	uint32_t backend, strategy;
	bool lazy;		/* pages arrive at first touch */
	bool has[NPHASES];	/* phases the row has */
	const char *zeroed_in;	/* phase where the memory is zeroed */
	const char *desc;
};

/* Result of one life cycle. */
struct result {
	int status;		/* 0 ok, 1 skip, 2 fail */
	char why[160];		/* skip or fail reason */
	int failed_phase;
	uint64_t ns[NPHASES];
	uint64_t flt[NPHASES];
	uint64_t pte_bytes;	/* VmPTE growth while fully mapped */
	uint64_t segments, runs, huge_kb, order_ge4_pages;
	uint64_t order_count[MOSAIC_INFO_ORDERS];
	uint64_t check_bad;	/* data check: bad pages */
	bool ledger_ok;
	uint32_t strategy_in_use;
};

/* ------------------------------------------------------------------ util */

static bool tap_mode;
static int tap_n, tap_failed, tap_skipped;
static int mosaic_dev = -1;
static int udmabuf_dev = -1;
static char cma_heap[256];	/* name under /dev/dma_heap, "" if none */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * Page faults taken, minor and major: on 5.10 a write fault that dirties
 * a shmem page (udmabuf's memfd) maps it, then returns VM_FAULT_RETRY to
 * balance dirty pages, and the retry counts the fault as major
 * (mm_account_fault(): FAULT_FLAG_TRIED). Nothing here reads a disk, so
 * every fault is one the mapping took.
 */
static uint64_t faults(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt + ru.ru_majflt;
}

static void progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void progress(const char *fmt, ...)
{
	va_list ap;

	if (tap_mode)
		return;
	fputs("# ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* No commas or newlines inside a CSV field. */
static const char *field(char *s)
{
	for (char *p = s; *p; p++)
		if (*p == ',' || *p == '\n')
			*p = ';';
	return s;
}

static const char *size_str(uint64_t size)
{
	static char buf[4][16];
	static int i;

	i = (i + 1) % 4;
	if (size >= (1UL << 30) && !(size % (1UL << 30)))
		snprintf(buf[i], sizeof(buf[i]), "%luG", (unsigned long)(size >> 30));
	else if (size >= MiB)
		snprintf(buf[i], sizeof(buf[i]), "%luM", (unsigned long)(size / MiB));
	else
		snprintf(buf[i], sizeof(buf[i]), "%luK", (unsigned long)(size >> 10));
	return buf[i];
}

static int read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	return (int)n;
}

static int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n, len = strlen(val);

	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	close(fd);
	if (n < 0)
		return -errno;
	return n == len ? 0 : -EIO;
}

static long read_long(const char *path, long dflt)
{
	char buf[64];

	if (read_file(path, buf, sizeof(buf)) <= 0)
		return dflt;
	return strtol(buf, NULL, 10);
}

static int write_long(const char *path, long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%ld", v);
	return write_file(path, buf);
}

/* A "Key:  123 kB" line of a /proc file, in kB; -1 if absent. */
static long proc_kb(const char *path, const char *key)
{
	static char buf[8192];
	size_t klen = strlen(key);
	char *p;

	if (read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	for (p = buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, key, klen) && p[klen] == ':')
			return strtol(p + klen + 1, NULL, 10);
	return -1;
}

static long vm_pte_kb(void)
{
	return proc_kb("/proc/self/status", "VmPTE");
}

static int xioctl(int fd, unsigned long req, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, req, arg);
	} while (ret < 0 && (errno == EINTR || errno == EAGAIN));
	return ret < 0 ? -errno : ret;
}

/* ----------------------------------------------------------- the rows */

/*
 * Rows come from libmosaic: every backend and strategy it has a name for
 * (walked 1, 2, ... until there is none, like mosaicctl), every pair
 * mosaic_backend_accepts(). A strategy added to <linux/mosaic.h> and to
 * libmosaic's name table thus gets its rows here with no change. What the
 * bench cannot ask the library is how the strategy behaves at first
 * touch; that is this table, one line per strategy:
 *   lazy  pages arrive at first touch (a fault each, or fewer with
 *         fault-around): the smoke test then wants some faults, at most
 *         one per page
 *   pmd   it may map 2 MiB at a time, so an eager mapping need not grow
 *         VmPTE
 * A strategy with no line is checked loosely (faults or none, PTEs or
 * none) and says so, but measured like every other.
 */
static const struct strategy_traits {
	bool known, lazy, pmd;
} strategy_traits[] = {
	[MOSAIC_STRATEGY_INSERT_PAGE] = { .known = true },
	[MOSAIC_STRATEGY_INSERT_PAGES] = { .known = true },
	[MOSAIC_STRATEGY_MAP_PAGES] = { .known = true },
	[MOSAIC_STRATEGY_REMAP_PFN] = { .known = true },
	[MOSAIC_STRATEGY_FAULT] = { .known = true, .lazy = true },
	[MOSAIC_STRATEGY_PFN_FAULT] = { .known = true, .lazy = true },
	/* Maps at first touch; a 2 MiB block takes one PMD (PTEs on fallback). */
	[MOSAIC_STRATEGY_HUGE] = { .known = true, .lazy = true, .pmd = true },
};

static struct strategy_traits traits_of(uint32_t s)
{
	static const struct strategy_traits unknown;

	if (s < sizeof(strategy_traits) / sizeof(strategy_traits[0]))
		return strategy_traits[s];
	return unknown;
}

static const char *backend_name(uint32_t b)
{
	const char *n = mosaic_backend_name((enum mosaic_backend)b);

	return n ? n : "?";
}

static const char *strategy_name(uint32_t s)
{
	const char *n = mosaic_strategy_name((enum mosaic_strategy)s);

	return n ? n : "?";
}

static bool valid_pair(uint32_t b, uint32_t s)
{
	return mosaic_backend_accepts((enum mosaic_backend)b,
				      (enum mosaic_strategy)s) == 1;
}

#define MAX_ROWS 64
static struct row rows[MAX_ROWS];
static int nrows;

static struct row *add_row(const char *name, enum kind kind, bool lazy,
			   const char *zeroed_in, const char *desc)
{
	struct row *r = &rows[nrows++];

	snprintf(r->name, sizeof(r->name), "%s", name);
	r->kind = kind;
	r->lazy = lazy;
	r->zeroed_in = zeroed_in;
	r->desc = desc;
	for (int p = 0; p < NPHASES; p++)
		r->has[p] = true;
	return r;
}

static void build_rows(void)
{
	struct row *r;

	for (uint32_t b = 1; mosaic_backend_name((enum mosaic_backend)b); b++) {
		for (uint32_t s = 1; mosaic_strategy_name((enum mosaic_strategy)s); s++) {
			char name[40];

			if (!valid_pair(b, s) || nrows >= MAX_ROWS - 16)
				continue;
			snprintf(name, sizeof(name), "%s/%s", backend_name(b),
				 strategy_name(s));
			r = add_row(name, K_MOSAIC, traits_of(s).lazy,
				    "alloc", "MOSAIC_IOC_ALLOC; mmap; close");
			r->backend = b;
			r->strategy = s;
		}
	}
	r = add_row("anon/populate", K_ANON_POPULATE, false, "map",
		    "mmap(MAP_PRIVATE|MAP_ANONYMOUS|MAP_POPULATE), 4 KiB pages (THP off)");
	r->has[PH_ALLOC] = r->has[PH_FREE] = false;
	r = add_row("anon/madv-populate", K_ANON_MADVISE, false, "alloc",
		    "mmap(MAP_ANONYMOUS), then madvise(MADV_POPULATE_WRITE) in the alloc column, 4 KiB pages");
	r->has[PH_FREE] = false;
	r = add_row("anon/thp", K_ANON_THP, false, "alloc",
		    "2 MiB-aligned mmap + MADV_HUGEPAGE, then MADV_POPULATE_WRITE in the alloc column");
	r->has[PH_FREE] = false;
	add_row("hugetlb/2M", K_HUGETLB, false, "map",
		"alloc: nr_hugepages += N/2M; mmap(MAP_HUGETLB|MAP_HUGE_2MB|MAP_POPULATE); free: pool shrunk back");
	add_row("heap/system", K_HEAP_SYSTEM, false, "alloc",
		"DMA_HEAP_IOCTL_ALLOC on /dev/dma_heap/system; mmap; close");
	add_row("heap/cma", K_HEAP_CMA, true, "alloc",
		"DMA_HEAP_IOCTL_ALLOC on the CMA heap; mmap; close");
	add_row("udmabuf", K_UDMABUF, true, "alloc",
		"memfd_create + ftruncate + F_SEAL_SHRINK + UDMABUF_CREATE; mmap; close both");
}

/* --------------------------------------------------------- environment */

static void find_cma_heap(void)
{
	DIR *d = opendir("/dev/dma_heap");
	struct dirent *e;

	cma_heap[0] = 0;
	if (!d)
		return;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || !strcmp(e->d_name, "system"))
			continue;
		/* "reserved" (cma= on x86), "linux,cma" (device tree), ... */
		snprintf(cma_heap, sizeof(cma_heap), "%s", e->d_name);
		break;
	}
	closedir(d);
}

/* ------------------------------------------------------- touch & check */

/*
 * The word each page's touch stores, mosaic_pattern_word(SEED, off) for
 * off = 0, PAGE, 2 * PAGE, ...: computed once before anything is timed,
 * so that the timed touch is a load and a store per page (6 instructions
 * with the loop's own, about what the reference figures imply)
 * and not the pattern's arithmetic (16 a page): the touch phase is there
 * to show what the *kernel* charges for a first touch.
 */
static uint64_t *touch_words;

static int touch_words_init(uint64_t max_size)
{
	uint64_t n = max_size / PAGE;

	touch_words = malloc(n * sizeof(*touch_words));
	if (!touch_words)
		return -ENOMEM;
	for (uint64_t i = 0; i < n; i++)
		touch_words[i] = mosaic_pattern_word(SEED, i * PAGE);
	return 0;
}

static void touch_pages(volatile uint64_t *p, uint64_t size)
{
	const uint64_t *w = touch_words;

	for (uint64_t i = 0, n = size / PAGE; i < n; i++)
		p[i * (PAGE / 8)] = w[i];
}

/* Read one word of every page (the fault-around experiment). */
static uint64_t read_pages(volatile uint64_t *p, uint64_t size)
{
	uint64_t sum = 0;

	for (uint64_t off = 0; off < size; off += PAGE)
		sum += p[off / 8];
	return sum;
}

/* Bad pages: the written word must read back, the last word be zero. */
static uint64_t check_pages(const volatile uint64_t *p, uint64_t size)
{
	uint64_t bad = 0;

	for (uint64_t off = 0; off < size; off += PAGE)
		if (p[off / 8] != mosaic_pattern_word(SEED, off) ||
		    p[(off + PAGE - 8) / 8] != 0)
			bad++;
	return bad;
}

/* The kernel's view of the words the user wrote (mosaic rows). */
static bool verify_one(int bfd, uint64_t pg)
{
	struct mosaic_pattern v = {
		.argsz = sizeof(v), .offset = pg * PAGE, .length = 8,
		.seed = SEED,
	};

	return xioctl(bfd, MOSAIC_TEST_IOC_VERIFY, &v) == 0 && !v.mismatches;
}

/* Bad pages among all (@all) or VERIFY_SAMPLES spread ones and the last. */
static uint64_t verify_kernel(int bfd, uint64_t size, bool all)
{
	uint64_t npages = size / PAGE, step, bad = 0, pg;

	step = all || npages <= VERIFY_SAMPLES ? 1 : npages / VERIFY_SAMPLES;
	for (pg = 0; pg < npages; pg += step)
		bad += !verify_one(bfd, pg);
	if (pg - step != npages - 1)
		bad += !verify_one(bfd, npages - 1);
	return bad;
}

/* ------------------------------------------------------------ phases */

struct ctx {
	const struct row *row;
	uint64_t size;
	int fd;			/* buffer / dma-buf / udmabuf fd */
	int memfd;		/* udmabuf's memfd */
	void *map;
	long hp_before;		/* hugetlb pool size before */
	struct mosaic_stats stats_before;
	struct result *res;
	bool all_verify;
};

static void fail(struct ctx *c, int phase, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void fail(struct ctx *c, int phase, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->res->why, sizeof(c->res->why), fmt, ap);
	va_end(ap);
	c->res->status = 2;
	c->res->failed_phase = phase;
}

static void skip(struct ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void skip(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->res->why, sizeof(c->res->why), fmt, ap);
	va_end(ap);
	c->res->status = 1;
}

/* Where an aligned region of @len bytes is free right now (anon/thp). */
static void *aligned_hole(uint64_t len, uint64_t align)
{
	void *p = mmap(NULL, len + align, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	uintptr_t a;

	if (p == MAP_FAILED)
		return NULL;
	a = ((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1);
	munmap(p, len + align);
	return (void *)a;
}

/*
 * Phase bodies. Each returns 0 or -errno; the caller times them. Work
 * that is not part of the phase (opening devices, finding an aligned
 * hole) happens in prepare(), untimed.
 */
static void *thp_hint;

static int prepare(struct ctx *c)
{
	const struct row *r = c->row;
	char path[128];

	switch (r->kind) {
	case K_MOSAIC:
		if (mosaic_dev < 0) {
			skip(c, "no /dev/mosaic");
			return -ENODEV;
		}
		if (r->backend == MOSAIC_BACKEND_MMIO) {
			skip(c, "device memory (a PCI BAR): not RAM; not the same job");
			return -ENODEV;
		}
		if (xioctl(mosaic_dev, MOSAIC_IOC_STATS, &c->stats_before) < 0)
			c->stats_before.argsz = 0;
		break;
	case K_ANON_POPULATE:
	case K_ANON_MADVISE:
		prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
		break;
	case K_ANON_THP:
		if (read_file("/sys/kernel/mm/transparent_hugepage/enabled", path,
			      sizeof(path)) <= 0) {
			skip(c, "no transparent huge pages on this kernel");
			return -ENODEV;
		}
		if (strstr(path, "[never]")) {
			skip(c, "transparent_hugepage=never");
			return -ENODEV;
		}
		prctl(PR_SET_THP_DISABLE, 0, 0, 0, 0);
		thp_hint = aligned_hole(c->size, HPAGE);
		if (!thp_hint) {
			fail(c, PH_MAP, "no room for an aligned mapping");
			return -ENOMEM;
		}
		break;
	case K_HUGETLB:
		c->hp_before = read_long("/proc/sys/vm/nr_hugepages", -1);
		if (c->hp_before < 0) {
			skip(c, "no hugetlbfs (/proc/sys/vm/nr_hugepages)");
			return -ENODEV;
		}
		if (c->size % HPAGE) {
			skip(c, "size not a multiple of 2 MiB");
			return -EINVAL;
		}
		/*
		 * The pool needs free 2 MiB blocks; after the other rows they
		 * may be scattered. Compact first (untimed), so that growing
		 * the pool measures the allocation, not a compaction run that
		 * depends on what ran before.
		 */
		if (c->size >= 64 * MiB)
			write_file("/proc/sys/vm/compact_memory", "1");
		break;
	case K_HEAP_SYSTEM:
		if (access("/dev/dma_heap/system", F_OK)) {
			skip(c, "no /dev/dma_heap/system (kernel without CONFIG_DMABUF_HEAPS_SYSTEM)");
			return -ENODEV;
		}
		break;
	case K_HEAP_CMA:
		if (!cma_heap[0]) {
			skip(c, "no CMA heap in /dev/dma_heap (kernel without CONFIG_DMABUF_HEAPS_CMA or CMA area)");
			return -ENODEV;
		}
		break;
	case K_UDMABUF:
		if (udmabuf_dev < 0) {
			skip(c, "no /dev/udmabuf (kernel without CONFIG_UDMABUF)");
			return -ENODEV;
		} else {
			long lim = read_long("/sys/module/udmabuf/parameters/size_limit_mb", -1);

			if (lim >= 0 && (uint64_t)lim * MiB < c->size &&
			    write_long("/sys/module/udmabuf/parameters/size_limit_mb",
				       (long)(c->size / MiB)) < 0) {
				skip(c, "udmabuf size_limit_mb is %ld MiB and cannot be raised", lim);
				return -EFBIG;
			}
		}
		break;
	}
	return 0;
}

static int heap_alloc(struct ctx *c, const char *heap)
{
	char path[128];
	struct dma_heap_allocation_data d = {
		.len = c->size, .fd_flags = O_RDWR | O_CLOEXEC,
	};
	int hfd, ret;

	snprintf(path, sizeof(path), "/dev/dma_heap/%s", heap);
	hfd = open(path, O_RDONLY | O_CLOEXEC);
	if (hfd < 0)
		return -errno;
	ret = xioctl(hfd, DMA_HEAP_IOCTL_ALLOC, &d);
	close(hfd);
	if (ret < 0)
		return ret;
	c->fd = d.fd;
	return 0;
}

static int do_alloc(struct ctx *c)
{
	const struct row *r = c->row;

	switch (r->kind) {
	case K_MOSAIC: {
		struct mosaic_alloc a = {
			.argsz = sizeof(a), .size = c->size,
			.backend = r->backend, .strategy = r->strategy,
		};
		int fd = xioctl(mosaic_dev, MOSAIC_IOC_ALLOC, &a);

		if (fd < 0)
			return fd;
		c->fd = fd;
		return 0;
	}
	case K_ANON_MADVISE:
	case K_ANON_THP:
		return madvise(c->map, c->size, MADV_POPULATE_WRITE) ? -errno : 0;
	case K_HUGETLB: {
		long want = c->hp_before + (long)(c->size / HPAGE), got;
		int ret = write_long("/proc/sys/vm/nr_hugepages", want);

		got = read_long("/proc/sys/vm/nr_hugepages", -1);
		if (ret == 0 && got != want)
			ret = -ENOMEM;
		return ret;
	}
	case K_HEAP_SYSTEM:
		return heap_alloc(c, "system");
	case K_HEAP_CMA:
		return heap_alloc(c, cma_heap);
	case K_UDMABUF: {
		struct udmabuf_create u = {
			.flags = UDMABUF_FLAGS_CLOEXEC, .offset = 0, .size = c->size,
		};
		int ret;

		c->memfd = (int)syscall(SYS_memfd_create, "mosaic-bench",
					MFD_ALLOW_SEALING | 0x0001U /* CLOEXEC */);
		if (c->memfd < 0)
			return -errno;
		if (ftruncate(c->memfd, (off_t)c->size) ||
		    fcntl(c->memfd, F_ADD_SEALS, F_SEAL_SHRINK) < 0)
			return -errno;
		u.memfd = c->memfd;
		ret = xioctl(udmabuf_dev, UDMABUF_CREATE, &u);
		if (ret < 0)
			return ret;
		c->fd = ret;
		return 0;
	}
	default:
		return 0;
	}
}

static int do_map(struct ctx *c)
{
	const struct row *r = c->row;
	int prot = PROT_READ | PROT_WRITE;
	void *p;

	switch (r->kind) {
	case K_ANON_POPULATE:
		p = mmap(NULL, c->size, prot,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		break;
	case K_ANON_MADVISE:
		p = mmap(NULL, c->size, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		break;
	case K_ANON_THP:
		p = mmap(thp_hint, c->size, prot,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		if (p != MAP_FAILED && madvise(p, c->size, MADV_HUGEPAGE)) {
			int e = errno;

			munmap(p, c->size);
			return -e;
		}
		break;
	case K_HUGETLB:
		p = mmap(NULL, c->size, prot,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_2MB |
			 MAP_POPULATE, -1, 0);
		break;
	default:
		p = mmap(NULL, c->size, prot, MAP_SHARED, c->fd, 0);
		break;
	}
	if (p == MAP_FAILED)
		return -errno;
	c->map = p;
	return 0;
}

static int do_munmap(struct ctx *c)
{
	int ret = munmap(c->map, c->size) ? -errno : 0;

	c->map = NULL;
	return ret;
}

static int do_free(struct ctx *c)
{
	int ret = 0;

	switch (c->row->kind) {
	case K_HUGETLB:
		return write_long("/proc/sys/vm/nr_hugepages", c->hp_before);
	case K_UDMABUF:
		if (c->fd >= 0 && close(c->fd))
			ret = -errno;
		if (c->memfd >= 0 && close(c->memfd))
			ret = -errno;
		c->fd = c->memfd = -1;
		return ret;
	default:
		if (c->fd >= 0 && close(c->fd))
			ret = -errno;
		c->fd = -1;
		return ret;
	}
}

/* Best effort after a failure: give everything back, untimed. */
static void cleanup(struct ctx *c)
{
	if (c->map)
		munmap(c->map, c->size);
	c->map = NULL;
	if (c->row->kind == K_HUGETLB && c->hp_before >= 0)
		write_long("/proc/sys/vm/nr_hugepages", c->hp_before);
	if (c->fd >= 0)
		close(c->fd);
	if (c->memfd >= 0)
		close(c->memfd);
	c->fd = c->memfd = -1;
}

static void mosaic_info(struct ctx *c)
{
	struct mosaic_info in = { .argsz = sizeof(in) };
	struct result *res = c->res;

	if (xioctl(c->fd, MOSAIC_IOC_INFO, &in) < 0)
		return;
	res->segments = in.nr_segments;
	res->runs = in.nr_runs;
	res->strategy_in_use = in.strategy;
	memcpy(res->order_count, in.order_count, sizeof(res->order_count));
	for (int k = 4; k < MOSAIC_INFO_ORDERS; k++)
		res->order_ge4_pages += in.order_count[k] << k;
}

typedef int (*phase_fn)(struct ctx *);

/*
 * Time one phase: fault counter and clock read outside of it, so the
 * numbers hold the phase and nothing else (a clock read under icount is a
 * few dozen instructions, well below any phase).
 */
static bool timed(struct ctx *c, int ph, phase_fn fn)
{
	uint64_t f0, t0, t1, f1;
	int ret;

	f0 = faults();
	t0 = now_ns();
	ret = fn(c);
	t1 = now_ns();
	f1 = faults();
	c->res->ns[ph] = t1 - t0;
	c->res->flt[ph] = f1 - f0;
	if (ret < 0) {
		fail(c, ph, "%s: %s", phase_name[ph], strerror(-ret));
		return false;
	}
	return true;
}

static int do_touch(struct ctx *c)
{
	touch_pages(c->map, c->size);
	return 0;
}

/* One life cycle of @r at @size into @res. */
static void run_once(const struct row *r, uint64_t size, struct result *res,
		     bool all_verify)
{
	struct ctx c = {
		.row = r, .size = size, .fd = -1, .memfd = -1, .res = res,
		.hp_before = -1, .all_verify = all_verify,
	};
	long pte0, pte1;
	bool anon_first = r->kind == K_ANON_MADVISE || r->kind == K_ANON_THP;

	memset(res, 0, sizeof(*res));
	res->ledger_ok = true;
	if (prepare(&c) < 0)
		goto out;

	pte0 = vm_pte_kb();
	/* The two populate-after-mmap rows map first, then "allocate". */
	if (anon_first) {
		if (!timed(&c, PH_MAP, do_map) || !timed(&c, PH_ALLOC, do_alloc))
			goto out;
	} else {
		if ((r->has[PH_ALLOC] && !timed(&c, PH_ALLOC, do_alloc)) ||
		    !timed(&c, PH_MAP, do_map))
			goto out;
	}
	if (r->kind == K_MOSAIC)
		mosaic_info(&c);
	if (!timed(&c, PH_TOUCH, do_touch))
		goto out;

	pte1 = vm_pte_kb();
	res->pte_bytes = pte1 >= pte0 && pte0 >= 0 ? (pte1 - pte0) * 1024 : 0;
	if (r->kind == K_ANON_THP || r->kind == K_HUGETLB) {
		long h = proc_kb("/proc/self/smaps_rollup",
				 r->kind == K_HUGETLB ? "Private_Hugetlb" :
							"AnonHugePages");
		res->huge_kb = h > 0 ? h : 0;
	}
	res->check_bad = check_pages(c.map, size);
	if (r->kind == K_MOSAIC)
		res->check_bad += verify_kernel(c.fd, size, all_verify);

	if (!timed(&c, PH_MUNMAP, do_munmap))
		goto out;
	if (r->has[PH_FREE] && !timed(&c, PH_FREE, do_free))
		goto out;
	if (r->kind == K_MOSAIC && c.stats_before.argsz) {
		struct mosaic_stats now = { .argsz = sizeof(now) };

		if (xioctl(mosaic_dev, MOSAIC_IOC_STATS, &now) < 0 ||
		    now.pages != c.stats_before.pages ||
		    now.buffers != c.stats_before.buffers ||
		    now.maps != c.stats_before.maps)
			res->ledger_ok = false;
	}
out:
	/* A backend the kernel lacks is a skip, not a failure. */
	if (res->status == 2 && r->kind == K_MOSAIC &&
	    res->failed_phase == PH_ALLOC && strstr(res->why, strerror(EOPNOTSUPP))) {
		res->status = 1;
		snprintf(res->why, sizeof(res->why),
			 "backend %s not available on this kernel (EOPNOTSUPP)",
			 backend_name(r->backend));
	}
	if (res->status == 2 && anon_first && res->failed_phase == PH_ALLOC &&
	    strstr(res->why, strerror(EINVAL))) {
		res->status = 1;
		snprintf(res->why, sizeof(res->why),
			 "MADV_POPULATE_WRITE refused (EINVAL): needs Linux 5.14");
	}
	cleanup(&c);
	if (r->kind == K_ANON_THP || r->kind == K_ANON_POPULATE ||
	    r->kind == K_ANON_MADVISE)
		prctl(PR_SET_THP_DISABLE, 0, 0, 0, 0);
}

/* ------------------------------------------------------------- output */

static void print_rows(void)
{
	for (int i = 0; i < nrows; i++) {
		const struct row *r = &rows[i];
		char desc[200];

		snprintf(desc, sizeof(desc), "%s", r->desc);
		printf("row,%s,%s,%d,%s,%s\n", r->name, kind_name[r->kind],
		       r->lazy, r->zeroed_in, field(desc));
	}
}

static void print_rep(const struct row *r, uint64_t size, int rep,
		      const struct result *res)
{
	char why[sizeof(res->why)];

	memcpy(why, res->why, sizeof(why));
	if (res->status == 1) {
		printf("skip,%s,%llu,%s\n", r->name, (unsigned long long)size,
		       field(why));
		return;
	}
	if (res->status == 2) {
		printf("fail,%s,%llu,%d,%s,%s\n", r->name,
		       (unsigned long long)size, rep,
		       phase_name[res->failed_phase], field(why));
		return;
	}
	if (res->check_bad || !res->ledger_ok) {
		printf("fail,%s,%llu,%d,check,%llu bad pages; ledger %s\n",
		       r->name, (unsigned long long)size, rep,
		       (unsigned long long)res->check_bad,
		       res->ledger_ok ? "ok" : "not back to zero");
		return;
	}
	printf("rep,%s,%llu,%d", r->name, (unsigned long long)size, rep);
	for (int p = 0; p < NPHASES; p++) {
		if (r->has[p])
			printf(",%llu", (unsigned long long)res->ns[p]);
		else
			printf(",");
	}
	for (int p = 0; p < NPHASES; p++)
		printf(",%llu", (unsigned long long)res->flt[p]);
	printf(",%llu,%llu,%llu,%llu,%llu\n",
	       (unsigned long long)res->pte_bytes,
	       (unsigned long long)res->segments,
	       (unsigned long long)res->runs,
	       (unsigned long long)res->huge_kb,
	       (unsigned long long)res->order_ge4_pages);
	fflush(stdout);
}

static void print_orders(const char *tag, const char *name, uint64_t size,
			 int rep, uint64_t alloc_ns, const uint64_t *cnt)
{
	printf("orders,%s,%s,%llu,%d,%llu", tag, name, (unsigned long long)size,
	       rep, (unsigned long long)alloc_ns);
	for (int k = 0; k < MOSAIC_INFO_ORDERS; k++)
		printf(",%llu", (unsigned long long)cnt[k]);
	printf("\n");
	fflush(stdout);
}

/* ---------------------------------------------------------------- TAP */

static void tap(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tap(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", ok ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!ok)
		tap_failed++;
}

static void tap_skip(const char *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tap_skip(const char *why, const char *fmt, ...)
{
	va_list ap;

	printf("ok %d - ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" # SKIP %s\n", why);
	fflush(stdout);
	tap_skipped++;
}

static void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* Three points per row, skipped together: the count never changes. */
static void tap_row(const struct row *r, uint64_t size, const struct result *res)
{
	double mib = (double)size / MiB;
	double touch_per_mib = res->flt[PH_TOUCH] / mib;
	bool huge = r->kind == K_HUGETLB || r->kind == K_ANON_THP ||
		    (r->kind == K_MOSAIC && traits_of(r->strategy).pmd);
	bool times_ok = true;
	uint64_t total = 0;

	if (res->status == 1) {
		tap_skip(res->why, "%s %s: life cycle", r->name, size_str(size));
		tap_skip(res->why, "%s %s: faults", r->name, size_str(size));
		tap_skip(res->why, "%s %s: data", r->name, size_str(size));
		return;
	}
	for (int p = 0; p < NPHASES; p++) {
		total += res->ns[p];
		/* Nothing takes a minute on 4 MiB, even under TCG. */
		if (res->ns[p] > 60ULL * 1000000000ULL)
			times_ok = false;
	}
	tap(res->status == 0 && times_ok && total > 0,
	    "%s %s: life cycle completes: alloc %.1f map %.1f touch %.1f munmap %.1f free %.1f us%s%s",
	    r->name, size_str(size), res->ns[0] / 1e3, res->ns[1] / 1e3,
	    res->ns[2] / 1e3, res->ns[3] / 1e3, res->ns[4] / 1e3,
	    res->status ? ": " : "", res->status ? res->why : "");
	if (res->status) {
		tap_skip("the life cycle failed", "%s %s: faults", r->name, size_str(size));
		tap_skip("the life cycle failed", "%s %s: data", r->name, size_str(size));
		return;
	}
	if (r->kind == K_MOSAIC && !traits_of(r->strategy).known)
		/* A strategy the table above does not describe yet. */
		tap(touch_per_mib <= 260,
		    "%s %s: strategy without a line in strategy_traits: first touch faults %.0f/MiB (<= 256); VmPTE +%llu KiB",
		    r->name, size_str(size), touch_per_mib,
		    (unsigned long long)res->pte_bytes / 1024);
	else if (r->lazy)
		/* One fault per page, or fewer with fault-around; never none. */
		tap(res->flt[PH_TOUCH] > 0 && touch_per_mib <= 260,
		    "%s %s: lazy: first touch faults %.0f/MiB (0 < f <= 256); VmPTE +%llu KiB",
		    r->name, size_str(size), touch_per_mib,
		    (unsigned long long)res->pte_bytes / 1024);
	else
		tap(res->flt[PH_TOUCH] == 0 && (huge || res->pte_bytes > 0),
		    "%s %s: eager: first touch faults %.0f/MiB (want 0); VmPTE +%llu KiB%s",
		    r->name, size_str(size), touch_per_mib,
		    (unsigned long long)res->pte_bytes / 1024,
		    huge ? " (huge pages: no PTE tables needed)" : " (want > 0)");
	tap(res->check_bad == 0 && res->ledger_ok,
	    "%s %s: data check: %llu of %llu pages bad%s%s", r->name,
	    size_str(size), (unsigned long long)res->check_bad,
	    (unsigned long long)(size / PAGE),
	    r->kind == K_MOSAIC ? " (user readback + kernel VERIFY)" : " (user readback)",
	    res->ledger_ok ? "" : "; mosaic ledger not back to zero");
}

/* ------------------------------------------------------------ extras */

/* Target 6: a compound buffer's orders, fresh after boot. */
static void orders_fresh(uint64_t size)
{
	struct row *r = NULL;
	struct result res;

	for (int i = 0; i < nrows; i++)
		if (rows[i].kind == K_MOSAIC &&
		    rows[i].backend == MOSAIC_BACKEND_COMPOUND &&
		    rows[i].strategy == MOSAIC_STRATEGY_INSERT_PAGES)
			r = &rows[i];
	if (!r)
		return;
	progress("fresh: compound %s allocation quality", size_str(size));
	run_once(r, size, &res, false);
	if (tap_mode) {
		uint64_t pages = 0;

		for (int k = 0; k < MOSAIC_INFO_ORDERS; k++)
			pages += res.order_count[k] << k;
		tap(res.status == 0 && pages == size / PAGE,
		    "compound %s: INFO order_count covers the buffer (%llu pages, %.1f%% in order >= 4)",
		    size_str(size), (unsigned long long)pages,
		    pages ? 100.0 * res.order_ge4_pages / pages : 0.0);
		return;
	}
	if (res.status)
		print_rep(r, size, 0, &res);
	else
		print_orders("fresh", r->name, size, 0, res.ns[PH_ALLOC],
			     res.order_count);
}

static int fault_around_path(char *buf, size_t len)
{
	snprintf(buf, len, "/sys/kernel/debug/fault_around_bytes");
	return access(buf, R_OK) ? -ENOENT : 0;
}

/*
 * Target 5: a lazy "fault" mapping read page by page. mosaic's fault
 * strategy maps from its ->fault handler the 64 KiB window around the
 * address and the rest of the page's contiguous segment, within the 2 MiB
 * of the page table (kernel/map/fault.c); pfn-fault maps one page per
 * fault. The kernel's own fault-around (->map_pages, sized by the debugfs
 * knob fault_around_bytes) is used by neither, so the knob must not change
 * the counts. Three settings: the defaults; a 2 MiB fault_around_bytes; a
 * 2 MiB fault_around_bytes over a 2 MiB-aligned mapping, where order-9
 * segments coincide with page tables.
 */
struct fa_result {
	int err;		/* -errno of ALLOC or mmap */
	uint64_t touch_ns, faults, segments, runs;
};

static void fa_one(uint32_t backend, uint32_t strategy, uint64_t size,
		   bool aligned, struct fa_result *fr)
{
	struct mosaic_alloc a = {
		.argsz = sizeof(a), .size = size, .backend = backend,
		.strategy = strategy,
	};
	struct mosaic_info in = { .argsz = sizeof(in) };
	uint64_t f0, t0, t1, f1;
	void *hint = NULL, *p;
	int fd, flags = MAP_SHARED;

	memset(fr, 0, sizeof(*fr));
	fd = xioctl(mosaic_dev, MOSAIC_IOC_ALLOC, &a);
	if (fd < 0) {
		fr->err = fd;
		return;
	}
	xioctl(fd, MOSAIC_IOC_INFO, &in);
	if (aligned) {
		hint = aligned_hole(size, HPAGE);
		flags |= MAP_FIXED_NOREPLACE;
	}
	p = mmap(hint, size, PROT_READ | PROT_WRITE, flags, fd, 0);
	if (p == MAP_FAILED) {
		fr->err = -errno;
		close(fd);
		return;
	}
	f0 = faults();
	t0 = now_ns();
	read_pages(p, size);
	t1 = now_ns();
	f1 = faults();
	munmap(p, size);
	close(fd);
	fr->touch_ns = t1 - t0;
	fr->faults = f1 - f0;
	fr->segments = in.nr_segments;
	fr->runs = in.nr_runs;
}

static void fault_around(uint64_t size, int reps)
{
	static const uint32_t backends[] = {
		MOSAIC_BACKEND_PAGES, MOSAIC_BACKEND_COMPOUND, MOSAIC_BACKEND_CMA,
	};
	static const uint32_t strategies[] = {
		MOSAIC_STRATEGY_FAULT, MOSAIC_STRATEGY_PFN_FAULT,
	};
	struct { long fab; bool aligned; } cfg[3];
	char fab_path[128];
	long fab_default = -1;
	int ncfg = 0;

	if (mosaic_dev < 0)
		return;
	if (!fault_around_path(fab_path, sizeof(fab_path)))
		fab_default = read_long(fab_path, -1);
	cfg[ncfg].fab = fab_default;
	cfg[ncfg++].aligned = false;
	if (fab_default > 0 && fab_default != (long)HPAGE) {
		cfg[ncfg].fab = HPAGE;
		cfg[ncfg++].aligned = false;
	}
	if (fab_default > 0) {
		cfg[ncfg].fab = HPAGE;
		cfg[ncfg++].aligned = true;
	}

	for (int c = 0; c < ncfg; c++) {
		if (cfg[c].fab > 0 && write_long(fab_path, cfg[c].fab) < 0)
			continue;
		for (size_t b = 0; b < sizeof(backends) / sizeof(backends[0]); b++) {
			for (size_t s = 0; s < sizeof(strategies) / sizeof(strategies[0]); s++) {
				uint32_t be = backends[b], st = strategies[s];
				char name[40];

				if (!valid_pair(be, st))
					continue;
				snprintf(name, sizeof(name), "%s/%s", backend_name(be),
					 strategy_name(st));
				for (int rep = 0; rep < reps; rep++) {
					struct fa_result fr;
					double per_mib;

					progress("fault-around %ld%s: %s %s rep %d/%d",
						 cfg[c].fab, cfg[c].aligned ? " aligned" : "",
						 name, size_str(size), rep + 1, reps);
					fa_one(be, st, size, cfg[c].aligned, &fr);
					if (fr.err && !tap_mode) {
						printf("skip,fa:%s,%llu,%s\n", name,
						       (unsigned long long)size, strerror(-fr.err));
						break;
					}
					if (!tap_mode) {
						printf("fa,%s,%llu,%ld,%d,%d,%llu,%llu,%llu,%llu\n",
						       name, (unsigned long long)size, cfg[c].fab,
						       cfg[c].aligned, rep,
						       (unsigned long long)fr.touch_ns,
						       (unsigned long long)fr.faults,
						       (unsigned long long)fr.segments,
						       (unsigned long long)fr.runs);
						continue;
					}
					/* TAP: the defaults, and the aligned 2 MiB window. */
					if (c != 0 && !cfg[c].aligned)
						break;
					if (fr.err == -EOPNOTSUPP) {
						tap_skip("backend not available on this kernel",
							 "fault-around: %s", name);
						break;
					}
					if (fr.err) {
						tap(false, "fault-around %s: %s", name, strerror(-fr.err));
						break;
					}
					per_mib = fr.faults / ((double)size / MiB);
					if (st == MOSAIC_STRATEGY_PFN_FAULT)
						tap(per_mib >= 256 && per_mib <= 260,
						    "%s %s, window %ld%s: read touch, one page per fault: %.0f faults/MiB",
						    name, size_str(size), cfg[c].fab,
						    cfg[c].aligned ? " aligned" : "", per_mib);
					else if (!cfg[c].aligned)
						tap(per_mib > 0 && (cfg[c].fab <= (long)PAGE || per_mib < 256),
						    "%s %s: read touch with the fault handler's fault-around (knob %ld bytes): %.0f faults/MiB (< 256), %llu segments",
						    name, size_str(size), cfg[c].fab, per_mib,
						    (unsigned long long)fr.segments);
					else
						tap(fr.faults > 0 && fr.faults <= fr.segments,
						    "%s %s: 2 MiB window, aligned mapping: %llu faults for %llu segments (at most one each)",
						    name, size_str(size),
						    (unsigned long long)fr.faults,
						    (unsigned long long)fr.segments);
					break;
				}
			}
		}
	}
	if (fab_default > 0)
		write_long(fab_path, fab_default);
}

/*
 * Target 7: fragment memory, then allocate. The fragmenter fills free
 * memory with anonymous 4 KiB pages, frees every other one
 * (MADV_DONTNEED), and mlocks the rest with compaction of unevictable
 * pages turned off, so that neither reclaim nor compaction can undo the
 * holes: what is left free is mostly single pages between pinned ones.
 */
static void fragmented(uint64_t size, uint64_t frag_limit, int reps)
{
	static const char cua[] = "/proc/sys/vm/compact_unevictable_allowed";
	static const char cpro[] = "/proc/sys/vm/compaction_proactiveness";
	long free_kb = proc_kb("/proc/meminfo", "MemFree");
	long cua_before = read_long(cua, -1);
	long cpro_before = read_long(cpro, -1);
	uint64_t frag, t0, t1, left_kb;
	char *p;

	if (mosaic_dev < 0 || free_kb < 0)
		return;
	/* Leave a little for the kernel; the rest becomes holes. */
	frag = ((uint64_t)free_kb * 1024 > 96 * MiB + size / 2) ?
	       (uint64_t)free_kb * 1024 - 96 * MiB : 0;
	if (frag_limit && frag > frag_limit)
		frag = frag_limit;
	frag &= ~(HPAGE - 1);
	if (frag < 2 * size) {
		if (!tap_mode)
			printf("frag,skipped,only %ld kB free\n", free_kb);
		else
			tap_skip("not enough free memory", "fragmenter");
		return;
	}
	progress("fragmenter: %llu MiB of interleaved pages",
		 (unsigned long long)(frag / MiB));
	prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
	if (cua_before >= 0)
		write_long(cua, 0);
	/*
	 * Until the survivors are locked they are movable: proactive
	 * compaction (kcompactd) would migrate them while the holes are
	 * punched and undo the fragmentation.
	 */
	if (cpro_before >= 0)
		write_long(cpro, 0);
	t0 = now_ns();
	p = mmap(NULL, frag, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (p == MAP_FAILED) {
		if (!tap_mode)
			printf("frag,skipped,mmap %llu MiB: %s\n",
			       (unsigned long long)(frag / MiB), strerror(errno));
		else
			tap(false, "fragmenter: mmap: %s", strerror(errno));
		goto out;
	}
	for (uint64_t off = PAGE; off < frag; off += 2 * PAGE)
		madvise(p + off, PAGE, MADV_DONTNEED);
	if (syscall(SYS_mlock2, p, frag, MLOCK_ONFAULT))
		progress("fragmenter: mlock2: %s", strerror(errno));
	t1 = now_ns();
	left_kb = proc_kb("/proc/meminfo", "MemFree");
	if (!tap_mode) {
		printf("frag,fragmenter_bytes,%llu\n", (unsigned long long)frag);
		printf("frag,fragmenter_ns,%llu\n", (unsigned long long)(t1 - t0));
		printf("frag,memfree_before_kb,%ld\n", free_kb);
		printf("frag,memfree_after_kb,%llu\n", (unsigned long long)left_kb);
		printf("frag,compact_unevictable_allowed,%ld->0\n", cua_before);
		printf("frag,compaction_proactiveness,%ld->0\n", cpro_before);
		fflush(stdout);
	}

	for (int i = 0; i < nrows; i++) {
		const struct row *r = &rows[i];
		struct result res;

		if (!((r->kind == K_MOSAIC && r->strategy == MOSAIC_STRATEGY_INSERT_PAGES &&
		       (r->backend == MOSAIC_BACKEND_PAGES ||
			r->backend == MOSAIC_BACKEND_COMPOUND ||
			r->backend == MOSAIC_BACKEND_SPLIT)) ||
		      r->kind == K_ANON_POPULATE || r->kind == K_HEAP_SYSTEM))
			continue;
		for (int rep = 0; rep < reps; rep++) {
			progress("fragmented: %s %s rep %d/%d", r->name,
				 size_str(size), rep + 1, reps);
			run_once(r, size, &res, false);
			if (tap_mode) {
				uint64_t pages = 0;

				if (res.status == 1) {
					tap_skip(res.why, "fragmented: %s %s", r->name,
						 size_str(size));
					break;
				}
				for (int k = 0; k < MOSAIC_INFO_ORDERS; k++)
					pages += res.order_count[k] << k;
				tap(res.status == 0 && !res.check_bad &&
				    (r->kind != K_MOSAIC || pages == size / PAGE),
				    "fragmented: %s %s completes; %llu segments, %.1f%% in order >= 4%s%s",
				    r->name, size_str(size),
				    (unsigned long long)res.segments,
				    pages ? 100.0 * res.order_ge4_pages / pages : 0.0,
				    res.status ? ": " : "", res.status ? res.why : "");
				break;
			}
			if (res.status) {
				printf("frag,%s,%s,%llu,%s\n",
				       res.status == 1 ? "skip" : "fail", r->name,
				       (unsigned long long)size, field(res.why));
				break;
			}
			printf("frag,rep,%s,%llu,%d,%llu,%llu,%llu,%llu,%llu\n",
			       r->name, (unsigned long long)size, rep,
			       (unsigned long long)res.ns[PH_ALLOC],
			       (unsigned long long)res.ns[PH_MAP],
			       (unsigned long long)res.ns[PH_MUNMAP],
			       (unsigned long long)res.ns[PH_FREE],
			       (unsigned long long)res.segments);
			if (r->kind == K_MOSAIC)
				print_orders("fragmented", r->name, size, rep,
					     res.ns[PH_ALLOC], res.order_count);
		}
	}
	munmap(p, frag);
out:
	if (cua_before >= 0)
		write_long(cua, cua_before);
	if (cpro_before >= 0)
		write_long(cpro, cpro_before);
	prctl(PR_SET_THP_DISABLE, 0, 0, 0, 0);
}

/*
 * How the clock counts page zeroing. Under -icount every iteration of a
 * rep-prefixed string instruction counts as one instruction here (QEMU
 * 7.2), so zeroing a 4 KiB page costs 512 with rep stosq (the kernel's
 * clear_page_rep) and 4096 with rep stosb (clear_page_erms): measured in
 * user space, per page, so the report can say how much of a phase is
 * zeroing.
 */
static void zero_calibration(void)
{
#if defined(__x86_64__)
	static char buf[64 * PAGE] __attribute__((aligned(4096)));
	uint64_t best_b = UINT64_MAX, best_q = UINT64_MAX;

	for (int r = 0; r < 3; r++) {
		void *d = buf;
		size_t c = sizeof(buf);
		uint64_t t0 = now_ns(), t1;

		__asm__ volatile("rep stosb" : "+D"(d), "+c"(c) : "a"(0) : "memory");
		t1 = now_ns();
		if (r && t1 - t0 < best_b)
			best_b = t1 - t0;
		d = buf;
		c = sizeof(buf) / 8;
		t0 = now_ns();
		__asm__ volatile("rep stosq" : "+D"(d), "+c"(c) : "a"(0) : "memory");
		t1 = now_ns();
		if (r && t1 - t0 < best_q)
			best_q = t1 - t0;
	}
	printf("meta,zero_page_stosq_ns,%.1f\n", best_q / 64.0);
	printf("meta,zero_page_stosb_ns,%.1f\n", best_b / 64.0);
#endif
}

/* ------------------------------------------------------------- main */

/*
 * The rows run at sizes of --large-size (1 GiB) and more: all of them by
 * default (the whole run took under 8 minutes on the bench kernel on 2
 * cores). On a host so loaded that it would not fit in the 25 minutes
 * `make bench` may take, --large-rows REGEX keeps only some at 1 GiB,
 * e.g. the references: '^(pages/insert-pages?|compound/remap-pfn|
 * anon/populate|hugetlb/2M|heap/system)$'.
 */
#define DEFAULT_LARGE_ROWS "."

static bool row_selected(const struct row *r, uint64_t size, regex_t *rows_re,
			 regex_t *large_re, uint64_t large_size)
{
	if (rows_re && regexec(rows_re, r->name, 0, NULL, 0))
		return false;
	return size < large_size || !regexec(large_re, r->name, 0, NULL, 0);
}

static uint64_t parse_size(const char *s)
{
	char *end;
	uint64_t v = strtoull(s, &end, 10);

	switch (toupper((unsigned char)*end)) {
	case 'G': return v << 30;
	case 'M': return v << 20;
	case 'K': return v << 10;
	default: return v;
	}
}

static void usage(void)
{
	fprintf(stderr,
		"usage: mosaic-bench [--sizes 4M,64M,256M,1G] [--reps N] [--rows REGEX]\n"
		"                    [--no-extras] [--fresh-size SIZE] [--fa-size SIZE]\n"
		"                    [--frag-size SIZE] [--frag-limit SIZE]\n"
		"                    [--large-rows REGEX] [--large-size SIZE] [--tap]\n"
		"  CSV on stdout, progress on stderr; --tap: one 4 MiB run of\n"
		"  every row, checked, as TAP (the smoke test); at --large-size (1G)\n"
		"  and more only the rows --large-rows matches (default: all)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "sizes", required_argument, NULL, 's' },
		{ "reps", required_argument, NULL, 'r' },
		{ "rows", required_argument, NULL, 'R' },
		{ "no-extras", no_argument, NULL, 'n' },
		{ "fresh-size", required_argument, NULL, 'F' },
		{ "fa-size", required_argument, NULL, 'A' },
		{ "frag-size", required_argument, NULL, 'g' },
		{ "frag-limit", required_argument, NULL, 'L' },
		{ "large-rows", required_argument, NULL, 'G' },
		{ "large-size", required_argument, NULL, 'z' },
		{ "tap", no_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t sizes[8] = { 4 * MiB, 64 * MiB, 256 * MiB, 1024 * MiB };
	int nsizes = 4, reps = 5, opt;
	uint64_t fresh_size = 0, fa_size = 32 * MiB, frag_size = 256 * MiB;
	uint64_t frag_limit = 0, t_start = now_ns(), max_size;
	bool extras = true, rows_set = false;
	regex_t rows_re, large_re;
	const char *large_rows = DEFAULT_LARGE_ROWS;
	uint64_t large_size = 1024 * MiB;
	struct utsname u;
	static char cpuinfo[32768];
	char buf[512];
	int total, done = 0;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 's': {
			char *tok, *save = NULL;

			nsizes = 0;
			for (tok = strtok_r(optarg, ",", &save); tok && nsizes < 8;
			     tok = strtok_r(NULL, ",", &save))
				sizes[nsizes++] = parse_size(tok);
			break;
		}
		case 'r': reps = atoi(optarg); break;
		case 'R':
			if (regcomp(&rows_re, optarg, REG_EXTENDED | REG_NOSUB))
				usage();
			rows_set = true;
			break;
		case 'n': extras = false; break;
		case 'F': fresh_size = parse_size(optarg); break;
		case 'A': fa_size = parse_size(optarg); break;
		case 'g': frag_size = parse_size(optarg); break;
		case 'L': frag_limit = parse_size(optarg); break;
		case 'G': large_rows = optarg; break;
		case 'z': large_size = parse_size(optarg); break;
		case 't':
			tap_mode = true;
			nsizes = 1;
			sizes[0] = 4 * MiB;
			reps = 1;
			fa_size = 4 * MiB;
			frag_size = 4 * MiB;
			frag_limit = 64 * MiB;
			fresh_size = 64 * MiB;
			break;
		default: usage();
		}
	}
	if (!nsizes || reps < 1 || !large_size ||
	    regcomp(&large_re, large_rows, REG_EXTENDED | REG_NOSUB))
		usage();
	if (!fresh_size)
		fresh_size = sizes[nsizes - 1];

	setvbuf(stdout, NULL, _IOLBF, 0);
	mosaic_dev = open(MOSAIC_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	udmabuf_dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	find_cma_heap();
	build_rows();

	if (tap_mode) {
		diag("mosaic-bench --tap: every row once at 4 MiB, checked");
		if (mosaic_dev < 0)
			diag("no /dev/mosaic: %s; mosaic rows skip", strerror(errno));
	} else {
		uname(&u);
		printf("meta,kernel,%s %s\n", u.release, u.version);
		if (read_file("/proc/cmdline", buf, sizeof(buf)) > 0) {
			buf[strcspn(buf, "\n")] = 0;
			printf("meta,cmdline,%s\n", field(buf));
		}
		printf("meta,reps,%d\n", reps);
		printf("meta,mem_total_kb,%ld\n", proc_kb("/proc/meminfo", "MemTotal"));
		printf("meta,cma_total_kb,%ld\n", proc_kb("/proc/meminfo", "CmaTotal"));
		printf("meta,cma_heap,%s\n", cma_heap[0] ? cma_heap : "");
		if (read_file("/sys/kernel/mm/transparent_hugepage/enabled", buf, sizeof(buf)) > 0) {
			buf[strcspn(buf, "\n")] = 0;
			printf("meta,thp,%s\n", buf);
		}
		if (!fault_around_path(buf, sizeof(buf)))
			printf("meta,fault_around_bytes,%ld\n", read_long(buf, -1));
		/* clear_page: rep stosb (erms), rep stosq (rep_good) or a loop. */
		if (read_file("/proc/cpuinfo", cpuinfo, sizeof(cpuinfo)) > 0) {
			const char *v = strstr(cpuinfo, " erms") ? "clear_page_erms (rep stosb)" :
					strstr(cpuinfo, " rep_good") ? "clear_page_rep (rep stosq)" :
					"clear_page_orig (loop)";
			char *model = strstr(cpuinfo, "model name");

			printf("meta,clear_page,%s\n", v);
			if (model && strchr(model, ':')) {
				model = strchr(model, ':') + 2;
				model[strcspn(model, "\n")] = 0;
				printf("meta,cpu,%s\n", field(model));
			}
		}
		zero_calibration();
		print_rows();
	}

	/* Every touch_pages() stores these words (2 MiB for 1 GiB). */
	max_size = fresh_size > frag_size ? fresh_size : frag_size;
	max_size = fa_size > max_size ? fa_size : max_size;
	for (int si = 0; si < nsizes; si++)
		max_size = sizes[si] > max_size ? sizes[si] : max_size;
	if (touch_words_init(max_size) < 0) {
		fprintf(stderr, "mosaic-bench: no memory for the touch pattern\n");
		return 1;
	}

	/* Target 6 first, while the VM is fresh. */
	if (extras)
		orders_fresh(fresh_size);

	total = 0;
	for (int si = 0; si < nsizes; si++)
		for (int i = 0; i < nrows; i++)
			if (row_selected(&rows[i], sizes[si], rows_set ? &rows_re : NULL,
					 &large_re, large_size))
				total += reps;
	if (!tap_mode)
		printf("meta,large_rows,%llu,%s\n", (unsigned long long)large_size,
		       large_rows);

	for (int si = 0; si < nsizes; si++) {
		uint64_t size = sizes[si];
		bool dead[MAX_ROWS] = { false };

		/* Repetition outside, rows inside: slow drift hits every row alike. */
		for (int rep = 0; rep < reps; rep++) {
			for (int i = 0; i < nrows; i++) {
				const struct row *r = &rows[i];
				struct result res;

				if (!row_selected(r, size, rows_set ? &rows_re : NULL,
						  &large_re, large_size))
					continue;
				done++;
				if (dead[i])
					continue;
				progress("[%d/%d] %6.1f s  %-22s %5s rep %d/%d", done, total,
					 (now_ns() - t_start) / 1e9, r->name, size_str(size),
					 rep + 1, reps);
				run_once(r, size, &res, tap_mode);
				if (tap_mode) {
					tap_row(r, size, &res);
					continue;
				}
				print_rep(r, size, rep, &res);
				/* A skip or failure will not change: do not retry it. */
				if (res.status)
					dead[i] = true;
			}
		}
	}

	if (extras) {
		fault_around(fa_size, tap_mode ? 1 : reps);
		fragmented(frag_size, frag_limit, tap_mode ? 1 : reps);
	}

	if (tap_mode) {
		printf("1..%d\n", tap_n);
		if (tap_failed)
			return 1;
		return tap_skipped == tap_n ? 77 : 0;
	}
	printf("end,%llu\n", (unsigned long long)(now_ns() - t_start));
	progress("done in %.1f s", (now_ns() - t_start) / 1e9);
	return 0;
}
