// SPDX-License-Identifier: GPL-2.0
/*
 * Planted bug "missing_put": the pages backend does not give its pages
 * back at free, while its page ledger says it did. The allocator's own
 * free pool (as in t07_memfree) must notice.
 */
#include <stdio.h>
#include <unistd.h>

#include "mosaic_test.h"
#include "planted.h"
#include "tap.h"

#define SIZE (64 * MT_MiB)
#define TOLERANCE_KIB (4 * 1024LL)

/* MemFree plus the per-CPU free lists, in KiB (see t07_memfree). */
static long long free_pool_kib(void)
{
	FILE *f = fopen("/proc/meminfo", "re");
	long long kib = -1, pcp = 0, n;
	char line[160];

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemFree: %lld kB", &kib) == 1)
			break;
	if (f)
		fclose(f);
	f = fopen("/proc/zoneinfo", "re");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, " count: %lld", &n) == 1)
			pcp += n;
	if (f)
		fclose(f);
	return kib + pcp * (long long)(MT_PAGE / 1024);
}

int main(void)
{
	int dev = mt_open_dev_or_bail();
	long long before, after;
	int fd;

	plant_or_bail("missing_put");
	before = free_pool_kib();
	fd = mt_alloc(dev, SIZE, MOSAIC_BACKEND_PAGES, MOSAIC_STRATEGY_AUTO);
	tap_ok(fd >= 0, "ALLOC 64 MiB of pages");
	close(fd);
	after = free_pool_kib();
	plant("none");
	tap_ok(before - after <= TOLERANCE_KIB,
	       "free pool back within 4 MiB after close (%lld MiB below)",
	       (before - after) >> 10);
	tap_done();
	return tap_exit();
}
