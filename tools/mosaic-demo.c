// SPDX-License-Identifier: GPL-2.0
/*
 * mosaic-demo: the main job, end to end.
 *
 * Allocates a buffer from scattered order-0 pages, maps it as one linear
 * range, moves a pattern through it in both directions (user writes, the
 * kernel checks through each page's own kernel address; the kernel writes,
 * user space checks through the mapping), and shows the page refcounts
 * before, during and after the mapping, and the page ledger at the end.
 *
 * Usage: mosaic-demo [--tap] [size in MiB, default 64]
 * --tap prints each check as a TAP line, so the test suite can run the
 * demo exactly as a newcomer sees it.
 * Exit status: 0 when every check holds, 1 otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/mosaic_testing.h>

static int failures, checks;
static bool tap;

static void check(bool ok, const char *what)
{
	checks++;
	if (tap)
		printf("%sok %d - demo: %s\n", ok ? "" : "not ", checks, what);
	else
		printf("  [%s] %s\n", ok ? " ok " : "FAIL", what);
	if (!ok)
		failures++;
}

static void die(const char *what)
{
	fprintf(stderr, "mosaic-demo: %s: %s\n", what, strerror(errno));
	exit(1);
}

static struct mosaic_stats stats(int dev)
{
	struct mosaic_stats st = { .argsz = sizeof(st) };

	if (ioctl(dev, MOSAIC_IOC_STATS, &st))
		die("MOSAIC_IOC_STATS");
	return st;
}

static struct mosaic_refs refs(int buf, uint64_t size)
{
	struct mosaic_refs r = { .argsz = sizeof(r), .length = size };

	if (ioctl(buf, MOSAIC_TEST_IOC_REFS, &r))
		die("MOSAIC_TEST_IOC_REFS");
	return r;
}

static void show_refs(const char *when, const struct mosaic_refs *r)
{
	printf("  page refcount %-16s min %u max %u   mapcount min %d max %d\n",
	       when, r->refcount_min, r->refcount_max, r->mapcount_min,
	       r->mapcount_max);
}

/* Ask the kernel to check the pattern through its own page addresses. */
static struct mosaic_pattern kernel_pattern(int buf, unsigned long cmd,
					    uint64_t size, uint64_t seed)
{
	struct mosaic_pattern p = {
		.argsz = sizeof(p), .length = size, .seed = seed,
	};

	if (ioctl(buf, cmd, &p))
		die(cmd == MOSAIC_TEST_IOC_FILL ? "MOSAIC_TEST_IOC_FILL" :
					     "MOSAIC_TEST_IOC_VERIFY");
	return p;
}

/*
 * The outside view of the refcount rule: /proc/kpagecount holds each
 * page's mapcount, found through this process's own /proc/self/pagemap.
 */
static bool kpagecount_all_equal(const void *map, uint64_t size,
				 uint64_t want)
{
	int pm = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	int kc = open("/proc/kpagecount", O_RDONLY | O_CLOEXEC);
	long psz = sysconf(_SC_PAGESIZE);
	bool ok = pm >= 0 && kc >= 0;
	uint64_t off;

	for (off = 0; ok && off < size; off += psz) {
		uint64_t ent, count;
		uintptr_t va = (uintptr_t)map + off;

		if (pread(pm, &ent, 8, (va / psz) * 8) != 8 ||
		    !(ent >> 63 & 1))
			ok = false;
		else if (pread(kc, &count, 8,
			       (ent & ((1ULL << 55) - 1)) * 8) != 8)
			ok = false;
		else
			ok = count == want;
	}
	if (pm >= 0)
		close(pm);
	if (kc >= 0)
		close(kc);
	return ok;
}

int main(int argc, char **argv)
{
	uint64_t mib, size, off, bad = 0;
	struct mosaic_alloc req = {
		.argsz = sizeof(req),
		.backend = MOSAIC_BACKEND_PAGES,
		.strategy = MOSAIC_STRATEGY_AUTO,
	};
	struct mosaic_info info = { .argsz = sizeof(info) };
	struct mosaic_stats before, after;
	struct mosaic_refs r;
	struct mosaic_pattern p;
	uint64_t *words;
	int dev, buf, k;

	tap = argc > 1 && !strcmp(argv[1], "--tap");
	if (tap) {
		argc--;
		argv++;
	}
	mib = argc > 1 ? strtoull(argv[1], NULL, 0) : 64;
	size = mib << 20;
	req.size = size;
	/* TAP readers take everything else as commentary. */
	if (tap)
		setvbuf(stdout, NULL, _IOLBF, 0);

	dev = open(MOSAIC_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (dev < 0)
		die("open " MOSAIC_DEVICE_PATH " (is the module loaded?)");
	before = stats(dev);

	printf("mosaic demo: %" PRIu64 " MiB from scattered order-0 pages, mapped as one range\n\n",
	       mib);
	buf = ioctl(dev, MOSAIC_IOC_ALLOC, &req);
	if (buf < 0)
		die("MOSAIC_IOC_ALLOC");
	if (ioctl(buf, MOSAIC_IOC_INFO, &info))
		die("MOSAIC_IOC_INFO");

	printf("segment table\n");
	printf("  segments            %" PRIu64 "\n", (uint64_t)info.nr_segments);
	printf("  physically adjacent %" PRIu64 " (each starts where the previous one ends)\n",
	       (uint64_t)info.nr_adjacent);
	printf("  contiguous runs     %" PRIu64 "\n", (uint64_t)info.nr_runs);
	for (k = 0; k < MOSAIC_INFO_ORDERS; k++)
		if (info.order_count[k])
			printf("  order %-2d segments   %" PRIu64 "\n", k,
			       (uint64_t)info.order_count[k]);
	check(info.nr_segments == size / sysconf(_SC_PAGESIZE),
	      "one segment per page");

	printf("\nrefcounts (rule: 1 for the buffer + 1 per mapping)\n");
	r = refs(buf, size);
	show_refs("before mmap", &r);
	check(r.refcount_min == 1 && r.refcount_max == 1 &&
	      r.mapcount_min == 0 && r.mapcount_max == 0,
	      "every page: refcount 1, mapcount 0");

	words = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, buf, 0);
	if (words == MAP_FAILED)
		die("mmap");
	r = refs(buf, size);
	show_refs("while mapped", &r);
	check(r.refcount_min == 2 && r.refcount_max == 2 &&
	      r.mapcount_min == 1 && r.mapcount_max == 1,
	      "every page: refcount 2, mapcount 1");
	check(kpagecount_all_equal(words, size, 1),
	      "/proc/kpagecount agrees for every page of the mapping");

	printf("\nuser -> kernel\n");
	for (off = 0; off < size; off += 8)
		words[off / 8] = mosaic_pattern_word(0xd00d, off);
	p = kernel_pattern(buf, MOSAIC_TEST_IOC_VERIFY, size, 0xd00d);
	printf("  user wrote %" PRIu64 " words; kernel read them through each page's own address: %" PRIu64 " mismatches\n",
	       size / 8, (uint64_t)p.mismatches);
	check(p.mismatches == 0, "kernel sees what user space wrote");

	printf("\nkernel -> user\n");
	kernel_pattern(buf, MOSAIC_TEST_IOC_FILL, size, 0xfeed);
	for (off = 0; off < size; off += 8)
		bad += words[off / 8] != mosaic_pattern_word(0xfeed, off);
	printf("  kernel wrote through each page's own address; user read the mapping: %" PRIu64 " mismatches\n",
	       bad);
	check(bad == 0, "user space sees what the kernel wrote");

	printf("\nunmap\n");
	if (munmap(words, size))
		die("munmap");
	r = refs(buf, size);
	show_refs("after munmap", &r);
	check(r.refcount_min == 1 && r.refcount_max == 1 &&
	      r.mapcount_min == 0 && r.mapcount_max == 0,
	      "every page back to refcount 1, mapcount 0");

	close(buf);
	after = stats(dev);
	printf("\npage ledger after close: %" PRIu64 " pages held (%" PRIu64 " before), %" PRIu64 " buffers\n",
	       (uint64_t)after.pages, (uint64_t)before.pages,
	       (uint64_t)after.buffers);
	check(after.pages == before.pages && after.buffers == before.buffers,
	      "every page went back to the allocator");
	close(dev);

	if (tap)
		printf("1..%d\n", checks);
	else
		printf("\n%s\n", failures ? "demo FAILED" : "demo passed");
	return failures ? 1 : 0;
}
