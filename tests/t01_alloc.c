// SPDX-License-Identifier: GPL-2.0
/*
 * t01_alloc: basic MOSAIC_IOC_ALLOC / INFO / STATS behaviour.
 *
 * A buffer fd must come back O_RDWR | O_CLOEXEC, report what was asked for
 * (with AUTO resolved to the strategy really used), be zeroed, and every
 * page, buffer and map it adds to the module's ledger must be gone again
 * once the fd and the mappings are closed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mosaic_test.h"
#include "tap.h"

#define SIZE1	(1 * MT_MiB)
#define NPAGES1	(SIZE1 / MT_PAGE)

/* INFO must be self-consistent about the segment table of a PAGES buffer. */
static void check_info_segments(const struct mosaic_info *in, const char *what)
{
	unsigned long long pages = 0, segs = 0;

	for (int k = 0; k < MOSAIC_INFO_ORDERS; k++) {
		segs += in->order_count[k];
		pages += in->order_count[k] << k;
	}
	tap_ok(segs == in->nr_segments,
	       "%s: order_count[] sums to nr_segments (%llu vs %llu)", what,
	       segs, ULL(in->nr_segments));
	tap_ok(pages * MT_PAGE == in->size,
	       "%s: order_count[] covers exactly the buffer (%llu pages, size %llu)",
	       what, pages, ULL(in->size));
	tap_ok(in->nr_adjacent < in->nr_segments &&
	       in->nr_runs == in->nr_segments - in->nr_adjacent,
	       "%s: nr_runs == nr_segments - nr_adjacent (%llu = %llu - %llu)",
	       what, ULL(in->nr_runs), ULL(in->nr_segments),
	       ULL(in->nr_adjacent));
}

/* What /proc/cmdline says about init_on_alloc (for a diagnostic only). */
static const char *init_on_alloc_state(void)
{
	static char buf[4096];
	FILE *f = fopen("/proc/cmdline", "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

	if (f)
		fclose(f);
	buf[n] = '\0';
	if (strstr(buf, "init_on_alloc=0"))
		return "off (cmdline)";
	if (strstr(buf, "init_on_alloc=1"))
		return "on (cmdline)";
	return "kernel default (not on cmdline)";
}

/*
 * Each buffer is a file of its own whose size is the buffer's: fstat()
 * says so, /proc/self/fd names it "mosaic:[<inode>]", and two buffers
 * have two inodes. (The kernel's fault path reads the mapped file's size,
 * kernel/file.c.)
 */
static void check_buffer_file(int dev, int bfd, uint64_t size)
{
	char path[64], name[64] = "";
	struct stat st = { 0 }, st2 = { 0 };
	ssize_t n;
	int other;

	n = fstat(bfd, &st);
	tap_ok(n == 0 && (uint64_t)st.st_size == size,
	       "fstat: the buffer file's size is the buffer's (%lld)",
	       (long long)st.st_size);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", bfd);
	n = readlink(path, name, sizeof(name) - 1);
	if (n > 0)
		name[n] = '\0';
	snprintf(path, sizeof(path), "mosaic:[%llu]", ULL(st.st_ino));
	tap_ok(!strcmp(name, path), "/proc/self/fd names it %s (%s)", path, name);
	other = mt_alloc(dev, MT_PAGE, MOSAIC_BACKEND_PAGES, MOSAIC_STRATEGY_AUTO);
	n = other >= 0 ? fstat(other, &st2) : -1;
	tap_ok(n == 0 && st2.st_ino != st.st_ino && st2.st_size == MT_PAGE,
	       "a second buffer has an inode of its own and its own size (%llu, %lld)",
	       ULL(st2.st_ino), (long long)st2.st_size);
	if (other >= 0)
		close(other);
}

int main(void)
{
	struct mosaic_stats base, st;
	struct mosaic_info info;
	struct mosaic_alloc a;
	int dev, bfd, bfd2, ret, fl;
	void *map;

	tap_diag("t01_alloc: alloc, info, cloexec, zeroed memory, ledger");
	dev = mt_open_dev_or_bail();

	ret = mt_stats(dev, &base);
	if (!tap_ok(ret == 0, "STATS on /dev/mosaic works (%s)", mt_errname(ret)))
		tap_bail("no STATS, cannot check the ledger");
	tap_diag("ledger at start: buffers %llu pages %llu maps %llu",
		 ULL(base.buffers), ULL(base.pages), ULL(base.maps));

	/* ---- ALLOC itself: return value, out field, fd flags ---- */
	memset(&a, 0, sizeof(a));
	a.argsz = sizeof(a);
	a.size = SIZE1;
	a.backend = MOSAIC_BACKEND_PAGES;
	a.strategy = MOSAIC_STRATEGY_AUTO;
	a.fd = -1;
	ret = ioctl(dev, MOSAIC_IOC_ALLOC, &a);
	if (!tap_ok(ret >= 0 && a.fd >= 0,
		    "ALLOC 1 MiB PAGES/AUTO succeeds and fills .fd (ret %d, .fd %d, %s)",
		    ret, a.fd, ret < 0 ? mt_errname(errno) : "ok"))
		tap_bail("cannot allocate a buffer at all");
	/* uapi DOC: "The ioctl returns a new buffer fd"; .fd is "the new buffer fd". */
	tap_ok(ret == a.fd, "ALLOC's return value is the new fd, equal to .fd (%d vs %d)",
	       ret, a.fd);
	bfd = a.fd;
	tap_ok(bfd != dev && fcntl(bfd, F_GETFD) >= 0,
	       "the buffer fd is a new, valid descriptor");

	fl = fcntl(bfd, F_GETFD);
	tap_ok(fl >= 0 && (fl & FD_CLOEXEC), "buffer fd has FD_CLOEXEC (F_GETFD = %#x)", fl);
	fl = fcntl(bfd, F_GETFL);
	tap_ok(fl >= 0 && (fl & O_ACCMODE) == O_RDWR,
	       "buffer fd is open O_RDWR (F_GETFL = %#x)", fl);

	/* ---- INFO ---- */
	ret = mt_info(bfd, &info);
	tap_ok(ret == 0, "INFO on the buffer fd works (%s)", mt_errname(ret));
	tap_ok(info.size == SIZE1, "INFO size is 1 MiB (%llu)", ULL(info.size));
	tap_ok(info.backend == MOSAIC_BACKEND_PAGES, "INFO backend is PAGES (%u)",
	       info.backend);
	tap_ok(info.strategy == MOSAIC_STRATEGY_INSERT_PAGES,
	       "INFO strategy: AUTO resolved to INSERT_PAGES (%u)", info.strategy);
	tap_ok(info.nr_maps == 0, "INFO nr_maps is 0 before mmap (%llu)",
	       ULL(info.nr_maps));
	tap_ok(info.nr_segments >= 1 && info.nr_segments <= NPAGES1,
	       "INFO nr_segments within 1..%lu (%llu)", NPAGES1,
	       ULL(info.nr_segments));
	check_info_segments(&info, "1 MiB");
	tap_diag("1 MiB buffer: %llu segments, %llu adjacent, %llu runs",
		 ULL(info.nr_segments), ULL(info.nr_adjacent), ULL(info.nr_runs));

	/* ---- STATS ledger follows the allocation ---- */
	ret = mt_stats(dev, &st);
	tap_ok(ret == 0 && mt_stats_delta_is(&base, &st, 1, NPAGES1, 0),
	       "ledger: +1 buffer, +%lu pages, +0 maps after ALLOC", NPAGES1);
	tap_ok(ret == 0 && st.total_buffers == base.total_buffers + 1 &&
	       st.total_pages == base.total_pages + NPAGES1,
	       "total_buffers +1 and total_pages +%lu (%llu, %llu)", NPAGES1,
	       ULL(st.total_buffers - base.total_buffers),
	       ULL(st.total_pages - base.total_pages));
	/* After the ledger points: it allocates a second buffer. */
	check_buffer_file(dev, bfd, SIZE1);

	/* ---- mmap: zeroed, counted as a map, writable ---- */
	map = mmap(NULL, SIZE1, PROT_READ | PROT_WRITE, MAP_SHARED, bfd, 0);
	if (!tap_ok(map != MAP_FAILED, "mmap MAP_SHARED of the whole buffer (%s)",
		    map == MAP_FAILED ? mt_errname(errno) : "ok"))
		tap_bail("cannot map the buffer");
	/*
	 * A kernel booted with init_on_alloc (Debian's default) zeroes every
	 * page anyway, so there these checks cannot tell whether the module
	 * asked for zeroed pages; they still catch a module that dirties them.
	 */
	tap_diag("kernel init_on_alloc: %s", init_on_alloc_state());
	tap_ok(mt_count_nonzero(map, SIZE1) == 0, "a new buffer reads as all zeroes");
	ret = mt_info(bfd, &info);
	tap_ok(ret == 0 && info.nr_maps == 1, "INFO nr_maps is 1 while mapped (%llu)",
	       ULL(info.nr_maps));
	tap_ok(mt_ledger_is(dev, &base, 1, NPAGES1, 1), "ledger: +1 map while mapped");

	/* Dirty every page so the next check can catch unzeroed reuse. */
	ret = mt_fill(bfd, 0, SIZE1, 0x1111);
	tap_ok(ret == 0 && mt_user_check(map, 0, SIZE1, 0x1111, NULL) == 0,
	       "FILL through the kernel is visible in the mapping (%s)",
	       mt_errname(ret));

	tap_ok(munmap(map, SIZE1) == 0, "munmap");
	ret = mt_info(bfd, &info);
	tap_ok(ret == 0 && info.nr_maps == 0, "INFO nr_maps back to 0 after munmap (%llu)",
	       ULL(info.nr_maps));
	tap_ok(mt_ledger_is(dev, &base, 1, NPAGES1, 0), "ledger: map gone after munmap");
	close(bfd);
	tap_ok(mt_ledger_is(dev, &base, 0, 0, 0),
	       "ledger back to the start after close of the only fd");

	/*
	 * The pages just freed were dirty; the allocator is likely to hand
	 * some of them straight back, so a missing memset shows up here.
	 */
	bfd = mt_alloc(dev, SIZE1, MOSAIC_BACKEND_PAGES, MOSAIC_STRATEGY_AUTO);
	tap_ok(bfd >= 0, "second ALLOC 1 MiB (%s)", mt_errname(bfd < 0 ? bfd : 0));
	if (bfd >= 0) {
		map = mmap(NULL, SIZE1, PROT_READ, MAP_SHARED, bfd, 0);
		tap_ok(map != MAP_FAILED && mt_count_nonzero(map, SIZE1) == 0,
		       "a buffer allocated after a dirty one was freed is zeroed");
		if (map != MAP_FAILED)
			munmap(map, SIZE1);
		close(bfd);
	} else {
		tap_skip("no buffer", "a buffer allocated after a dirty one was freed is zeroed");
	}

	/* ---- size rounding: 5000 bytes -> 2 pages ---- */
	bfd = mt_alloc(dev, 5000, MOSAIC_BACKEND_PAGES, MOSAIC_STRATEGY_AUTO);
	tap_ok(bfd >= 0, "ALLOC of 5000 bytes (%s)", mt_errname(bfd < 0 ? bfd : 0));
	if (bfd >= 0) {
		ret = mt_info(bfd, &info);
		tap_ok(ret == 0 && info.size == 2 * MT_PAGE,
		       "size 5000 is rounded up to 2 pages (INFO size %llu)",
		       ULL(info.size));
		tap_ok(mt_ledger_is(dev, &base, 1, 2, 0), "ledger counts 2 pages for 5000 bytes");
		/* The rounded-up tail page must be mappable as part of the buffer. */
		map = mmap(NULL, 2 * MT_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, bfd, 0);
		tap_ok(map != MAP_FAILED && mt_count_nonzero(map, 2 * MT_PAGE) == 0,
		       "both pages of the rounded buffer map and read as zero");
		if (map != MAP_FAILED)
			munmap(map, 2 * MT_PAGE);
		close(bfd);
	} else {
		tap_skip("no buffer", "size 5000 is rounded up to 2 pages");
		tap_skip("no buffer", "ledger counts 2 pages for 5000 bytes");
		tap_skip("no buffer", "both pages of the rounded buffer map and read as zero");
	}

	/* ---- explicit strategy ---- */
	bfd = mt_alloc(dev, 16 * MT_PAGE, MOSAIC_BACKEND_PAGES,
		       MOSAIC_STRATEGY_INSERT_PAGES);
	tap_ok(bfd >= 0, "ALLOC with explicit INSERT_PAGES strategy (%s)",
	       mt_errname(bfd < 0 ? bfd : 0));
	ret = bfd >= 0 ? mt_info(bfd, &info) : bfd;
	tap_ok(ret == 0 && info.strategy == MOSAIC_STRATEGY_INSERT_PAGES &&
	       info.size == 16 * MT_PAGE,
	       "INFO reports INSERT_PAGES and 16 pages (%u, %llu)", info.strategy,
	       ULL(info.size));

	/* ---- two buffers are independent ---- */
	bfd2 = mt_alloc(dev, 16 * MT_PAGE, MOSAIC_BACKEND_PAGES, MOSAIC_STRATEGY_AUTO);
	tap_ok(bfd2 >= 0 && bfd2 != bfd, "a second live buffer gets its own fd (%d, %d)",
	       bfd, bfd2);
	tap_ok(mt_ledger_is(dev, &base, 2, 32, 0), "ledger: 2 buffers, 32 pages");
	if (bfd >= 0 && bfd2 >= 0) {
		uint64_t mm = 0, first = 0;

		ret = mt_fill(bfd, 0, 16 * MT_PAGE, 0xaaaa);
		if (ret == 0)
			ret = mt_verify(bfd2, 0, 16 * MT_PAGE, 0xaaaa, &mm, &first);
		/* bfd2 is still zeroed, so every word must differ from the pattern. */
		tap_ok(ret == 0 && mm == 16 * MT_PAGE / 8,
		       "FILL of one buffer does not touch the other (%llu of %lu words differ)",
		       ULL(mm), 16 * MT_PAGE / 8);
	} else {
		tap_skip("no buffers", "FILL of one buffer does not touch the other");
	}
	if (bfd >= 0)
		close(bfd);
	if (bfd2 >= 0)
		close(bfd2);
	tap_ok(mt_ledger_is(dev, &base, 0, 0, 0), "ledger back to the start at the end");

	close(dev);
	return tap_exit();
}
