// SPDX-License-Identifier: GPL-2.0
/*
 * t53_edu_unbind: the sample PCI driver cannot be taken from under a live
 * mapping.
 *
 * mosaic_edu sets suppress_bind_attrs: sysfs has no unbind (nor bind)
 * file for it, so unbinding through sysfs is refused, always (the choice
 * and why are in docs/security.md). The driver goes away only with its
 * module, and the module cannot be unloaded while a mapping of one of its
 * buffers lives: only after the last munmap does delete_module succeed.
 * Before, during and after the attempts the device still DMAs into the
 * mapped buffer and the mapping still holds its bytes: nothing was freed
 * under it. A dma-buf exported from one of its buffers pins the module
 * too, through its fd and through a mapping of it, since neither is the
 * driver's own file. (Unloading mosaic itself under a live mapping is
 * t06_unload.)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "edu_test.h"
#include "mosaic_test.h"
#include "tap.h"

#define SIZE	(256 * 1024UL)
#define SEED	0x5353

/* Opening @path for writing must fail: the file must not exist. */
static void expect_no_file(const char *path, const char *what)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	int err = fd < 0 ? errno : 0;

	if (fd >= 0)
		close(fd);
	tap_ok(fd < 0 && err == ENOENT, "%s: %s does not exist (%s)", what, path,
	       fd < 0 ? mt_errname(-err) : "it does");
}

/*
 * A dma-buf of a driver's buffer keeps the driver loaded: while its fd
 * is open, then while only a mapping of it is left, delete_module fails;
 * once both are gone it succeeds.
 */
static void test_dmabuf_pins(int dev, const struct mosaic_stats *base)
{
	struct edu_setup s;
	int edu, bfd, dfd = -1, ret;
	char *m = MAP_FAILED;

	edu = edu_setup(&s);
	bfd = edu < 0 ? edu : edu_alloc(edu, SIZE, MOSAIC_BACKEND_STREAMING,
					MOSAIC_STRATEGY_AUTO, 0, 0);
	ret = bfd < 0 ? bfd : edu_export(bfd, 0, 0);
	if (ret >= 0)
		dfd = ret;
	if (bfd >= 0)
		close(bfd);
	if (edu >= 0)
		close(edu);
	tap_ok(dfd >= 0, "an edu buffer exported as a dma-buf; buffer fd and device fd closed (%s)",
	       dfd < 0 ? mt_errname(ret) : "exported");
	ret = edu_unload();
	tap_ok(ret == -EWOULDBLOCK || ret == -EBUSY,
	       "delete_module(mosaic_edu) with the dma-buf fd open -> EWOULDBLOCK/EBUSY (got %s)",
	       ret ? mt_errname(ret) : "UNLOADED");
	if (dfd >= 0) {
		m = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, dfd, 0);
		close(dfd);
	}
	ret = edu_unload();
	tap_ok(m != MAP_FAILED && (ret == -EWOULDBLOCK || ret == -EBUSY),
	       "delete_module(mosaic_edu) with only a mapping of the dma-buf -> EWOULDBLOCK/EBUSY (got %s)",
	       ret ? mt_errname(ret) : "UNLOADED");
	if (m != MAP_FAILED)
		munmap(m, SIZE);
	tap_ok(mt_ledger_is(dev, base, 0, 0, 0),
	       "dma-buf and its mapping gone: the buffer is freed (ledger back)");
	ret = edu_unload();
	tap_ok(ret == 0, "delete_module(mosaic_edu) once the dma-buf is gone (%s)",
	       ret ? mt_errname(ret) : "success");
}

int main(void)
{
	struct mosaic_stats base;
	struct mosaic_edu_dma d;
	struct edu_setup s;
	char path[256];
	int dev, edu, fd, ret;
	uint64_t bad, first;
	char *m;

	tap_diag("t53_edu_unbind: no unbind, no unload under a live mapping");
	dev = mt_open_dev_or_bail();
	mt_stats(dev, &base);
	edu = edu_setup(&s);
	if (edu < 0) {
		printf("1..0 # SKIP no edu device or mosaic_edu module (%s)\n", mt_errname(edu));
		return 77;
	}
	edu_diag_setup("t53_edu_unbind", &s);

	fd = edu_alloc(edu, SIZE, MOSAIC_BACKEND_STREAMING, MOSAIC_STRATEGY_AUTO, 0, 0);
	m = fd >= 0 ? mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) : MAP_FAILED;
	if (m == MAP_FAILED)
		tap_bail("edu buffer: %s", mt_errname(fd < 0 ? fd : -errno));
	ret = edu_dma(fd, 0, SIZE, SEED, MOSAIC_EDU_TO_RAM, &d);
	bad = mt_user_check(m, 0, SIZE, SEED, &first);
	tap_ok(ret == 0 && bad == 0, "the device writes the mapped buffer (%s, %llu bad words)",
	       mt_errname(ret), ULL(bad));

	expect_no_file("/sys/bus/pci/drivers/mosaic_edu/unbind", "driver unbind");
	expect_no_file("/sys/bus/pci/drivers/mosaic_edu/bind", "driver bind");
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver/unbind", s.pci);
	expect_no_file(path, "the device's driver link");
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", s.pci);
	{
		struct stat st;

		tap_ok(lstat(path, &st) == 0, "the device is still bound to mosaic_edu (%s)", path);
	}

	/* Only the mapping is left: the fds go. */
	close(fd);
	close(edu);
	ret = edu_unload();
	tap_ok(ret == -EWOULDBLOCK || ret == -EBUSY,
	       "delete_module(mosaic_edu) with a live mapping -> EWOULDBLOCK/EBUSY (got %s)",
	       ret ? mt_errname(ret) : "UNLOADED");
	bad = mt_user_check(m, 0, SIZE, SEED, &first);
	tap_ok(bad == 0, "the mapping still holds the device's bytes (%llu bad words)", ULL(bad));
	mt_user_fill(m, 0, SIZE, SEED + 1);
	bad = mt_user_check(m, 0, SIZE, SEED + 1, &first);
	tap_ok(bad == 0, "and is still writable memory");

	munmap(m, SIZE);
	tap_ok(mt_ledger_is(dev, &base, 0, 0, 0), "after munmap the buffer is freed (ledger back)");
	ret = edu_unload();
	tap_ok(ret == 0, "delete_module(mosaic_edu) after the last munmap (%s)",
	       ret ? mt_errname(ret) : "success");
	test_dmabuf_pins(dev, &base);
	/* Leave it loaded for whatever runs next, as the edu tests expect. */
	edu = edu_open();
	tap_ok(edu >= 0, "mosaic_edu loads and binds again (%s)",
	       edu < 0 ? mt_errname(edu) : "success");
	if (edu >= 0)
		close(edu);
	close(dev);
	return tap_exit();
}
