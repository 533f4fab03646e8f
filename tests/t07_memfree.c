// SPDX-License-Identifier: GPL-2.0
/*
 * t07_memfree: the allocator's own view agrees with the page ledger.
 *
 * The ledger (MOSAIC_IOC_STATS) is the module's word that it gave every
 * page back. This test asks the page allocator instead: MemFree must drop
 * by about the buffer's size while a large buffer is allocated, mapped and
 * touched, and come back to its baseline after the last unmap and close.
 *
 * Freed order-0 pages first go to per-CPU free lists, which MemFree does
 * not count (and allocations served from them do not lower it), so the
 * reading here is every zone's free pages plus every per-CPU list's count,
 * both from one read of /proc/zoneinfo: the allocator's whole free pool.
 * Tolerance: 4 MiB for whatever the rest of the system allocates
 * meanwhile; a leak of the 256 MiB buffer, or of any sizeable part of it,
 * is far outside it.
 *
 * Since 6.7 the kernel also sizes and drains the per-CPU lists on its own
 * (auto-tuned pcp->high, decayed from the vmstat worker), so pages move
 * between the lists and the zones while the reading is taken, and a
 * reading just after a large free can miss several MiB in flight.  The
 * "after" reading therefore waits up to a second for the pool to settle;
 * a leak does not come back, however long one waits.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mosaic_test.h"
#include "tap.h"

#define BUF_SIZE	(256 * MT_MiB)
#define TOLERANCE_KIB	(4 * 1024LL)

/*
 * Free pages of every zone plus the pages on per-CPU free lists, in KiB,
 * from one pass over /proc/zoneinfo: each zone has a line "pages free N"
 * and each CPU's pageset in it a line "count: N".
 */
static long long mem_free_kib(void)
{
	FILE *f = fopen("/proc/zoneinfo", "re");
	long long pages = 0, n;
	int zones = 0;
	char line[160];

	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, " pages free %lld", &n) == 1) {
			pages += n;
			zones++;
		} else if (sscanf(line, " count: %lld", &n) == 1) {
			pages += n;
		}
	}
	if (f)
		fclose(f);
	return zones ? pages * (long long)(MT_PAGE / 1024) : -1;
}

/* The free pool once it is back within @tolerance of @base, or after 1 s. */
static long long mem_free_settled_kib(long long base, long long tolerance,
				      int *waited_ms)
{
	long long kib = mem_free_kib();

	for (*waited_ms = 0; base - kib > tolerance && *waited_ms < 1000;
	     *waited_ms += 50) {
		usleep(50 * 1000);
		kib = mem_free_kib();
	}
	return kib;
}

/* One large cycle; returns the MemFree readings around it. */
static void cycle(int dev, uint32_t backend, const char *name)
{
	long long before, held, after;
	struct mosaic_stats base;
	int waited_ms;
	uint8_t *map;
	int fd;

	mt_stats(dev, &base);
	before = mem_free_kib();
	fd = mt_alloc(dev, BUF_SIZE, backend, MOSAIC_STRATEGY_AUTO);
	if (fd < 0) {
		tap_ok(0, "%s: ALLOC 256 MiB (%s)", name, strerror(-fd));
		return;
	}
	map = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		tap_ok(0, "%s: mmap 256 MiB (%s)", name, strerror(errno));
		close(fd);
		return;
	}
	for (size_t off = 0; off < BUF_SIZE; off += MT_PAGE)
		map[off] = 1;
	held = mem_free_kib();
	munmap(map, BUF_SIZE);
	close(fd);
	after = mem_free_settled_kib(before, TOLERANCE_KIB, &waited_ms);

	tap_diag("%s: free pages %lld MiB before, %lld MiB held, %lld MiB after (%d ms later)",
		 name, before >> 10, held >> 10, after >> 10, waited_ms);
	tap_ok(before - held >= (long long)(BUF_SIZE >> 10) - TOLERANCE_KIB,
	       "%s: MemFree + per-CPU lists drop by at least the buffer size minus %lld MiB while held (%lld MiB)",
	       name, TOLERANCE_KIB >> 10, (before - held) >> 10);
	tap_ok(before - after <= TOLERANCE_KIB,
	       "%s: MemFree + per-CPU lists back within %lld MiB of its baseline after close (%lld MiB below)",
	       name, TOLERANCE_KIB >> 10, (before - after) >> 10);
	tap_ok(mt_ledger_is(dev, &base, 0, 0, 0),
	       "%s: page ledger back to its baseline", name);
}

int main(void)
{
	int dev = mt_open_dev_or_bail();

	tap_diag("t07_memfree: MemFree agrees with the ledger after a 256 MiB cycle");
	cycle(dev, MOSAIC_BACKEND_PAGES, "pages");
	cycle(dev, MOSAIC_BACKEND_COMPOUND, "compound");
	cycle(dev, MOSAIC_BACKEND_VMALLOC, "vmalloc");
	close(dev);
	tap_done();
	return tap_exit();
}
