// SPDX-License-Identifier: GPL-2.0
/*
 * t38_mmio_lockdown: a locked-down kernel makes no new MMIO buffers.
 *
 * Locking the kernel down cannot be undone, and it stops what the rest of
 * the suite needs (loading unsigned modules, most of debugfs), so this
 * test only runs where the VM says it may: make check's "lockdown" pass
 * boots a VM for it alone and sets MOSAIC_LOCKDOWN_TEST=1. Anywhere else
 * it skips.
 *
 * On edu's BAR 0, with no driver bound:
 * - before: an mmio buffer is made and mapped; it reads edu's
 *   identification register;
 * - "integrity" is written to /sys/kernel/security/lockdown;
 * - the buffer made before stays usable, as an open /dev/mem does: its
 *   mapping still reads the register, and a new mmap of its fd works
 *   (mosaic checks lockdown when a buffer is made, as /dev/mem does at
 *   open; docs/security.md says why);
 * - once it is closed, a new ALLOC mmio of the same, now free, BAR is
 *   EPERM, the kernel log names lockdown's "direct PCI access", and
 *   nothing is left behind; a pages buffer is still made (lockdown is
 *   about device registers, not memory).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <unistd.h>

#include "edu_test.h"
#include "mosaic_test.h"
#include "tap.h"

#define LOCKDOWN	"/sys/kernel/security/lockdown"

static int dev;
static char pci[64];
static struct mosaic_stats base;

/* The mode in brackets ("[none] integrity confidentiality"), or "". */
static void lockdown_mode(char *mode, size_t size)
{
	char line[128];
	const char *open, *close_br;

	mode[0] = '\0';
	if (mt_read_line(LOCKDOWN, line, sizeof(line)) < 0)
		return;
	open = strchr(line, '[');
	close_br = open ? strchr(open, ']') : NULL;
	if (close_br)
		snprintf(mode, size, "%.*s", (int)(close_br - open - 1), open + 1);
}

static uint32_t read_id(int bfd)
{
	volatile uint32_t *regs = mmap(NULL, MT_PAGE, PROT_READ, MAP_SHARED,
				       bfd, 0);
	uint32_t id;

	if (regs == MAP_FAILED)
		return 0;
	id = regs[0];
	munmap((void *)regs, MT_PAGE);
	return id;
}

int main(void)
{
	const char *env = getenv("MOSAIC_LOCKDOWN_TEST");
	volatile uint32_t *before = MAP_FAILED;
	uint64_t bar_start, bar_len;
	char mode[32];
	int bfd, fd, kmsg, ret;
	uint32_t id = 0, id2;

	if (!env || strcmp(env, "1")) {
		printf("1..0 # SKIP locking down cannot be undone: only in make check's lockdown pass (MOSAIC_LOCKDOWN_TEST=1)\n");
		return 77;
	}
	if (edu_find_bar0(pci, sizeof(pci), &bar_start, &bar_len) < 0) {
		printf("1..0 # SKIP no edu device (QEMU: -device edu)\n");
		return 77;
	}
	if (access(LOCKDOWN, F_OK) != 0)
		mount("securityfs", "/sys/kernel/security", "securityfs", 0, NULL);
	lockdown_mode(mode, sizeof(mode));
	if (!mode[0]) {
		printf("1..0 # SKIP no " LOCKDOWN ": this kernel has no lockdown LSM (CONFIG_SECURITY_LOCKDOWN_LSM, CONFIG_LSM)\n");
		return 77;
	}
	if (strcmp(mode, "none"))
		tap_bail("the kernel is locked down already (%s): no buffer can be made before", mode);
	tap_diag("t38_mmio_lockdown: edu %s, BAR 0 at %#llx", pci, ULL(bar_start));
	dev = mt_open_dev_baseline(&base);
	/* Leave edu without a driver: a bound one holds BAR 0 (t37). */
	edu_unload();

	bfd = mt_alloc_mmio(dev, pci, 0, MT_PAGE, MOSAIC_STRATEGY_AUTO,
			    MOSAIC_CACHE_UNCACHED);
	if (bfd >= 0)
		before = mmap(NULL, MT_PAGE, PROT_READ, MAP_SHARED, bfd, 0);
	if (before != MAP_FAILED)
		id = before[0];
	tap_ok(before != MAP_FAILED && id == EDU_ID,
	       "not locked down: an mmio buffer of BAR 0 is made and mapped, it reads edu's id register (%#x) (%s)",
	       id, mt_errname(bfd < 0 ? bfd : before == MAP_FAILED ? -errno : 0));
	if (bfd < 0)
		tap_bail("cannot go on without the buffer");

	ret = mt_write_file(LOCKDOWN, "integrity");
	lockdown_mode(mode, sizeof(mode));
	tap_ok(ret == 0 && !strcmp(mode, "integrity"),
	       "integrity written to " LOCKDOWN ": the kernel is locked down (%s, now [%s])",
	       mt_errname(ret), mode);

	id = before != MAP_FAILED ? before[0] : 0;
	id2 = read_id(bfd);
	tap_ok(id == EDU_ID && id2 == EDU_ID,
	       "the buffer made before stays usable: its mapping reads the register (%#x), and so does a new mmap of its fd (%#x)",
	       id, id2);
	if (before != MAP_FAILED)
		munmap((void *)before, MT_PAGE);
	close(bfd);
	tap_ok(mt_ledger_is(dev, &base, 0, 0, 0) &&
	       !mt_iomem_held_by(bar_start, bar_len, "mosaic"),
	       "closed: the buffer is freed and its BAR's region given back");

	kmsg = mt_kmsg_open();
	fd = mt_alloc_mmio(dev, pci, 0, MT_PAGE, MOSAIC_STRATEGY_AUTO,
			   MOSAIC_CACHE_UNCACHED);
	if (fd >= 0)
		close(fd);
	tap_ok(fd == -EPERM && mt_kmsg_find(kmsg, "direct PCI access is restricted") &&
	       mt_ledger_is(dev, &base, 0, 0, 0) &&
	       !mt_iomem_held_by(bar_start, bar_len, "mosaic"),
	       "locked down: a new ALLOC mmio of the free BAR is EPERM, the log names lockdown's direct PCI access, nothing is left behind (%s)",
	       mt_errname(fd < 0 ? fd : 0));
	if (kmsg >= 0)
		close(kmsg);
	fd = mt_alloc(dev, 16 * MT_PAGE, MOSAIC_BACKEND_PAGES, MOSAIC_STRATEGY_AUTO);
	if (fd >= 0)
		close(fd);
	tap_ok(fd >= 0, "locked down: a pages buffer is still made (%s)",
	       mt_errname(fd < 0 ? fd : 0));
	close(dev);
	return tap_exit();
}
