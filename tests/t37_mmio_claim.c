// SPDX-License-Identifier: GPL-2.0
/*
 * t37_mmio_claim: /dev/mosaic maps a BAR only where no driver has it, and
 * keeps it while mapped.
 *
 * The BAR is edu's BAR 0, which the sample driver mosaic_edu holds while
 * bound (pcim_iomap_region() requests it, as "mosaic_edu" in /proc/iomem):
 *
 * - bound: ALLOC mmio of the BAR through /dev/mosaic is EBUSY, for either
 *   caching mode, and nothing is left behind (the device is the driver's:
 *   mosaic neither enables nor maps it);
 * - mosaic_edu unloaded: the same ALLOC works, mosaic holds the region as
 *   "mosaic" and the mapping reaches the device (edu's identification
 *   register reads 0x010000ed); a second ALLOC of the BAR is EBUSY, since
 *   the region is held;
 * - with the BAR mapped, mosaic_edu loads but its probe fails with EBUSY:
 *   the device has no driver link, the kernel log says the probe failed
 *   with error -16, and a bind through /sys/bus/pci/drivers_probe does
 *   not bind either;
 * - once the mapping and the fd are gone, the region is free and the same
 *   drivers_probe write binds mosaic_edu, which holds its BAR again.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "edu_test.h"
#include "mosaic_test.h"
#include "tap.h"


static int dev;
static char pci[64];
static uint64_t bar_start, bar_len;
static struct mosaic_stats base;

static bool edu_bound(void)
{
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", pci);
	return lstat(path, &st) == 0;
}

static int alloc_bar0(uint32_t cache)
{
	return mt_alloc_mmio(dev, pci, 0, MT_PAGE, MOSAIC_STRATEGY_AUTO, cache);
}

static void test_claimed_by_driver(void)
{
	static const uint32_t caches[] = {
		MOSAIC_CACHE_UNCACHED, MOSAIC_CACHE_WC,
	};
	int edu = edu_open();

	tap_ok(edu >= 0 && edu_bound() &&
	       mt_iomem_held_by(bar_start, bar_len, "mosaic_edu"),
	       "mosaic_edu is bound to %s and holds BAR 0 (/proc/iomem) (%s)",
	       pci, edu < 0 ? mt_errname(edu) : "bound");
	for (size_t i = 0; i < sizeof(caches) / sizeof(caches[0]); i++) {
		int fd = alloc_bar0(caches[i]);

		if (fd >= 0)
			close(fd);
		tap_ok(fd == -EBUSY && mt_ledger_is(dev, &base, 0, 0, 0) &&
		       mt_iomem_held_by(bar_start, bar_len, "mosaic_edu"),
		       "ALLOC mmio of BAR 0 the driver holds, %s: EBUSY, nothing left behind, the driver still holds it (%s)",
		       caches[i] == MOSAIC_CACHE_WC ? "write-combining" : "uncached",
		       mt_errname(fd < 0 ? fd : 0));
	}
	if (edu >= 0)
		close(edu);
}

/* The driver's probe meets a BAR mosaic maps, then one it gave back. */
static void test_driver_probe(void)
{
	volatile uint32_t *regs = MAP_FAILED;
	int bfd, fd2, kmsg, ret, probe;
	char ko[256];
	uint32_t id = 0;

	ret = edu_unload();
	tap_ok(ret == 0 && !edu_bound(), "mosaic_edu unloaded: %s has no driver (%s)",
	       pci, mt_errname(ret));
	bfd = alloc_bar0(MOSAIC_CACHE_UNCACHED);
	if (bfd >= 0)
		regs = mmap(NULL, MT_PAGE, PROT_READ, MAP_SHARED, bfd, 0);
	if (regs != MAP_FAILED)
		id = regs[0];
	tap_ok(regs != MAP_FAILED && id == EDU_ID &&
	       mt_iomem_held_by(bar_start, bar_len, "mosaic"),
	       "no driver: ALLOC mmio of BAR 0 works, mosaic holds the region, the mapping reads edu's id register (%#x) (%s)",
	       id, mt_errname(bfd < 0 ? bfd : regs == MAP_FAILED ? -errno : 0));
	if (bfd < 0)
		tap_bail("cannot go on without the buffer");
	fd2 = alloc_bar0(MOSAIC_CACHE_UNCACHED);
	if (fd2 >= 0)
		close(fd2);
	tap_ok(fd2 == -EBUSY, "a second ALLOC of the BAR while mosaic holds it: EBUSY (%s)",
	       mt_errname(fd2 < 0 ? fd2 : 0));

	kmsg = mt_kmsg_open();
	ret = edu_load(ko, sizeof(ko));
	tap_ok(ret >= 0 && !edu_bound() &&
	       mt_kmsg_find(kmsg, "failed with error -16") &&
	       mt_iomem_held_by(bar_start, bar_len, "mosaic"),
	       "with BAR 0 mapped, mosaic_edu loads but its probe fails: no driver link, the log says error -16 (EBUSY), mosaic keeps the region (%s)",
	       mt_errname(ret < 0 ? ret : 0));
	/*
	 * The write itself succeeds: the driver core keeps a probe's error
	 * to itself (really_probe() and __device_attach_driver()).
	 */
	probe = mt_write_file("/sys/bus/pci/drivers_probe", pci);
	tap_ok(!edu_bound(),
	       "a bind through drivers_probe does not bind either (the write: %s)",
	       mt_errname(probe));
	if (kmsg >= 0)
		close(kmsg);

	if (regs != MAP_FAILED)
		munmap((void *)regs, MT_PAGE);
	close(bfd);
	tap_ok(mt_ledger_is(dev, &base, 0, 0, 0) &&
	       !mt_iomem_held_by(bar_start, bar_len, "mosaic"),
	       "mapping and fd gone: the buffer is freed and mosaic no longer holds the region");
	probe = mt_write_file("/sys/bus/pci/drivers_probe", pci);
	tap_ok(probe == 0 && edu_bound() &&
	       mt_iomem_held_by(bar_start, bar_len, "mosaic_edu"),
	       "now drivers_probe binds mosaic_edu, which holds BAR 0 (%s)",
	       mt_errname(probe));
}

int main(void)
{
	struct stat st;

	if (edu_find_bar0(pci, sizeof(pci), &bar_start, &bar_len) < 0) {
		printf("1..0 # SKIP no edu device (QEMU: -device edu)\n");
		return 77;
	}
	tap_diag("t37_mmio_claim: edu %s, BAR 0 at %#llx, %llu KiB", pci,
		 ULL(bar_start), ULL(bar_len / 1024));
	dev = mt_open_dev_baseline(&base);
	test_claimed_by_driver();
	if (stat("/sys/module/mosaic_edu", &st) != 0) {
		tap_skip("mosaic_edu did not load", "the driver's probe against a mapped BAR");
	} else {
		test_driver_probe();
	}
	/* Leave mosaic_edu loaded and bound, as the edu tests expect. */
	close(dev);
	return tap_exit();
}
