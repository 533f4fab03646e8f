// SPDX-License-Identifier: GPL-2.0
/*
 * One life cycle of a row at a size: prepare (untimed), then allocate,
 * map, touch, munmap and free, each timed with its faults counted; after
 * the touch (untimed) every page is checked, and for mosaic rows the
 * kernel's VERIFY and page ledger too.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/dma-heap.h>
#include <linux/udmabuf.h>

#include "mosaic-bench.h"

const char *const phase_name[NPHASES] = {
	"alloc", "map", "touch", "munmap", "free",
};

/*
 * The word each page's touch stores, mosaic_pattern_word(SEED, off) for
 * off = 0, PAGE, 2 * PAGE, ...: computed once before anything is timed,
 * so that the timed touch is a load and a store per page (6 instructions
 * with the loop's own, about what the reference figures of the targets imply)
 * and not the pattern's arithmetic (16 a page): the touch phase is there
 * to show what the *kernel* charges for a first touch.
 */
static uint64_t *touch_words;

int touch_words_init(uint64_t max_size)
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
uint64_t read_pages(volatile uint64_t *p, uint64_t size)
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
void *aligned_hole(uint64_t len, uint64_t align)
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
void run_once(const struct row *r, uint64_t size, struct result *res,
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
