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
 * reading here is MemFree plus every per-CPU list's count from
 * /proc/zoneinfo: the allocator's whole free pool. Tolerance: 4 MiB for
 * whatever the rest of the system allocates meanwhile; a leak of the
 * 256 MiB buffer, or of any sizeable part of it, is far outside it.
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

/* MemFree plus the pages on per-CPU free lists, in KiB. */
static long long mem_free_kib(void)
{
	FILE *f = fopen("/proc/meminfo", "re");
	long long kib = -1, pcp_pages = 0, n;
	char line[160];

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemFree: %lld kB", &kib) == 1)
			break;
	if (f)
		fclose(f);
	/* Each CPU's pageset in each zone has a line "count: N". */
	f = fopen("/proc/zoneinfo", "re");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, " count: %lld", &n) == 1)
			pcp_pages += n;
	if (f)
		fclose(f);
	return kib < 0 ? -1 : kib + pcp_pages * (long long)(MT_PAGE / 1024);
}

/* One large cycle; returns the MemFree readings around it. */
static void cycle(int dev, uint32_t backend, const char *name)
{
	long long before, held, after;
	struct mosaic_stats base;
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
	after = mem_free_kib();

	tap_diag("%s: free pages %lld MiB before, %lld MiB held, %lld MiB after",
		 name, before >> 10, held >> 10, after >> 10);
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
