// SPDX-License-Identifier: GPL-2.0
/*
 * t36_device_removal: the device goes away under live buffers.
 *
 * For every backend that allocates or maps for a device, buffers are
 * allocated for the edu device both through /dev/mosaic and through the
 * sample driver, mapped, exported as dma-bufs (and those mapped too) and
 * imported by the edu device itself; a pages buffer without a device is
 * exported and imported as well. Then the device is removed (sysfs
 * remove), and:
 *
 * - memory the device owned (coherent, noncontig, cma, a BAR) is gone:
 *   touching any mapping of it, the buffer's or its dma-buf's, is SIGBUS,
 *   and the ledger no longer counts its pages while the fds are still
 *   open;
 * - page-backed memory (streaming, pages and compound mapped for the
 *   device) keeps its bytes in every mapping and stays writable;
 * - what needs the device fails with ENODEV: SYNC, mmap, EXPORT and INFO
 *   of memory that is gone, DMA_BUF_IOCTL_SYNC on its dma-bufs, the
 *   driver's ioctls on its buffer and import fds;
 * - once everything is closed the ledger is back where it started; the
 *   kernel log stays clean (run-tests checks it after every test: no
 *   double free, no "Bad page", no KASAN or DMA-API report in the debug
 *   tier).
 *
 * A PCI rescan brings the device back, and it does DMA again. Then the
 * same as a real hot unplug: QEMU's device_del (vm/run forwards the
 * request to its monitor) on the device in its PCIe root port's slot, the
 * checks, and device_add to plug it back in.
 *
 * Last, a BAR mapped through /dev/mosaic. mosaic_edu holds edu's BAR 0
 * while bound, and /dev/mosaic refuses a BAR a driver holds, so this runs
 * with mosaic_edu unloaded: mosaic holds the BAR's region itself, and the
 * removal of a device without a driver (BUS_NOTIFY_DEL_DEVICE) revokes the
 * buffer and gives the region back, once (a second release would log
 * "Trying to free nonexistent resource", which run-tests' log check
 * reports). After a rescan mosaic_edu binds and does DMA again.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "edu_test.h"
#include "mosaic_test.h"
#include "tap.h"

#define SIZE		(256 * 1024UL)
#define MMIO_SIZE	(4096UL)

struct obj {
	const char *what;
	bool driver;		/* allocated through mosaic_edu */
	uint32_t backend;
	uint64_t chunk;
	bool no_device;		/* /dev/mosaic, no device: the control */
	uint64_t size;
	int bfd, dfd, ifd;
	char *map, *dmap;
	bool live;
};

#define OBJ(w, drv, b, c, nodev) \
	{ .what = (w), .driver = (drv), .backend = (b), .chunk = (c), \
	  .no_device = (nodev) }

static struct obj objs[] = {
	OBJ("/dev/mosaic coherent", false, MOSAIC_BACKEND_COHERENT, 64 << 10, false),
	OBJ("/dev/mosaic noncontig", false, MOSAIC_BACKEND_NONCONTIG, 0, false),
	OBJ("/dev/mosaic streaming", false, MOSAIC_BACKEND_STREAMING, 0, false),
	OBJ("/dev/mosaic cma", false, MOSAIC_BACKEND_CMA, 0, false),
	OBJ("/dev/mosaic pages, no device", false, MOSAIC_BACKEND_PAGES, 0, true),
	OBJ("driver coherent", true, MOSAIC_BACKEND_COHERENT, 64 << 10, false),
	OBJ("driver noncontig", true, MOSAIC_BACKEND_NONCONTIG, 0, false),
	OBJ("driver streaming", true, MOSAIC_BACKEND_STREAMING, 0, false),
	OBJ("driver pages", true, MOSAIC_BACKEND_PAGES, 0, false),
	OBJ("driver compound", true, MOSAIC_BACKEND_COMPOUND, 0, false),
	OBJ("driver cma", true, MOSAIC_BACKEND_CMA, 0, false),
};
#define NR_OBJS	(sizeof(objs) / sizeof(objs[0]))

static struct obj mmio_obj =
	OBJ("/dev/mosaic mmio (edu BAR 0, no driver)", false,
	    MOSAIC_BACKEND_MMIO, 0, false);

static int dev, edu;
static struct edu_setup setup;
static struct mosaic_stats base;

static bool device_owned(const struct obj *o)
{
	return !mt_backend_page_backed(o->backend);
}

static uint64_t seed_of(const struct obj *o)
{
	return 0x3600 + (uint64_t)(o - objs);
}

static int alloc_obj(struct obj *o)
{
	o->size = o->backend == MOSAIC_BACKEND_MMIO ? MMIO_SIZE : SIZE;
	if (o->driver)
		return edu_alloc(edu, o->size, o->backend, MOSAIC_STRATEGY_AUTO,
				 0, o->chunk);
	if (o->backend != MOSAIC_BACKEND_MMIO)
		return mt_alloc_knobs(dev, o->size, o->backend,
				      MOSAIC_STRATEGY_AUTO, 0, o->chunk,
				      o->no_device ? NULL : setup.pci);
	return mt_alloc_mmio(dev, setup.pci, 0, o->size, MOSAIC_STRATEGY_AUTO,
			     MOSAIC_CACHE_UNCACHED);
}

/*
 * Allocate, map, fill, export, map the dma-buf, import. The BAR is only
 * mapped: it has no pages to export. One point.
 */
static void setup_obj(struct obj *o)
{
	bool mmio = o->backend == MOSAIC_BACKEND_MMIO;
	const char *why;

	o->bfd = o->dfd = o->ifd = -1;
	o->map = o->dmap = MAP_FAILED;
	o->bfd = alloc_obj(o);
	if (o->bfd < 0) {
		why = mt_alloc_skip_reason(o->backend, o->bfd, o->size);
		if (why)
			tap_skip(why, "%s: allocated, mapped, exported, imported",
				 o->what);
		else
			tap_ok(false, "%s: ALLOC (%s)", o->what,
			       mt_errname(o->bfd));
		return;
	}
	o->map = mmap(NULL, o->size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      o->bfd, 0);
	if (o->map != MAP_FAILED && !mmio)
		mt_user_fill(o->map, 0, o->size, seed_of(o));
	if (!mmio) {
		o->dfd = o->driver ? edu_export(o->bfd, 0, 0) :
				     mt_export(o->bfd, 0, 0);
		if (o->dfd >= 0) {
			o->dmap = mmap(NULL, o->size, PROT_READ | PROT_WRITE,
				       MAP_SHARED, o->dfd, 0);
			o->ifd = edu_import(edu, o->dfd, NULL, NULL);
		}
	}
	o->live = o->map != MAP_FAILED &&
		  (mmio || (o->dmap != MAP_FAILED && o->ifd >= 0));
	tap_ok(o->live, "%s: allocated, mapped%s (%s)", o->what,
	       mmio ? "" : ", exported, dma-buf mapped, imported by the device",
	       o->dfd < 0 && !mmio ? mt_errname(o->dfd) :
	       o->ifd < 0 && !mmio ? mt_errname(o->ifd) : "live");
}

static int touch_fn(void *arg)
{
	volatile char *p = arg;

	p[0] = 1;
	(void)p[0];
	return 0;
}

/* What a child that touches @p dies of: 128 + signal, or 0. */
static int touch(char *p)
{
	return mt_run_child(touch_fn, p, 10);
}

/* The checks after removal; see the file comment. */
static void check_obj(struct obj *o)
{
	bool mmio = o->backend == MOSAIC_BACKEND_MMIO;
	struct mosaic_edu_dma d;
	struct mosaic_info info;
	int ret, r2;

	if (!o->live) {
		tap_skip("not set up", "%s: after removal", o->what);
		return;
	}
	if (device_owned(o)) {
		ret = touch(o->map);
		r2 = mmio ? 128 + SIGBUS : touch(o->dmap);
		tap_ok(ret == 128 + SIGBUS && r2 == 128 + SIGBUS,
		       "%s: the memory went with the device: touching the buffer's mapping and the dma-buf's is SIGBUS (%d, %d)",
		       o->what, ret, r2);
	} else {
		uint64_t bad = mt_user_check(o->map, 0, o->size, seed_of(o),
					     NULL);
		uint64_t dbad = mt_user_check(o->dmap, 0, o->size, seed_of(o),
					      NULL);

		mt_user_fill(o->map, 0, MT_PAGE, seed_of(o) + 1);
		bad += mt_user_check(o->dmap, 0, MT_PAGE, seed_of(o) + 1, NULL);
		tap_ok(bad == 0 && dbad == 0,
		       "%s: page-backed memory keeps its bytes in the buffer's and the dma-buf's mappings, and stays writable (%llu, %llu bad words)",
		       o->what, ULL(bad), ULL(dbad));
	}

	if (o->driver) {
		ret = edu_dma(o->bfd, 0, 64, 1, MOSAIC_EDU_TO_RAM, &d);
		r2 = mt_sync(o->bfd, 0, 64, MOSAIC_SYNC_BEGIN, MOSAIC_SYNC_READ,
			     NULL);
		tap_ok(ret == -ENODEV && r2 == -ENODEV,
		       "%s: the driver's buffer fd: DMA and SYNC are ENODEV (%s, %s)",
		       o->what, mt_errname(ret), mt_errname(r2));
	} else if (o->no_device) {
		ret = mt_sync(o->bfd, 0, 64, MOSAIC_SYNC_BEGIN,
			      MOSAIC_SYNC_READ, NULL);
		r2 = mt_info(o->bfd, &info);
		tap_ok(ret == 0 && r2 == 0,
		       "%s: no device, nothing changes: SYNC and INFO work (%s, %s)",
		       o->what, mt_errname(ret), mt_errname(r2));
	} else if (device_owned(o)) {
		void *m = mmap(NULL, o->size, PROT_READ, MAP_SHARED, o->bfd, 0);
		int merr = m == MAP_FAILED ? errno : 0;

		ret = mt_sync(o->bfd, 0, 64, MOSAIC_SYNC_BEGIN,
			      MOSAIC_SYNC_READ, NULL);
		r2 = mt_info(o->bfd, &info);
		tap_ok(ret == -ENODEV && r2 == -ENODEV && merr == ENODEV &&
		       (mmio || mt_export(o->bfd, 0, 0) == -ENODEV),
		       "%s: SYNC, INFO, a new mmap and EXPORT are ENODEV (%s, %s, mmap %s)",
		       o->what, mt_errname(ret), mt_errname(r2),
		       m == MAP_FAILED ? mt_errname(-merr) : "worked");
		if (m != MAP_FAILED)
			munmap(m, o->size);
	} else {
		ret = mt_sync(o->bfd, 0, 64, MOSAIC_SYNC_BEGIN,
			      MOSAIC_SYNC_READ, NULL);
		r2 = mt_info(o->bfd, &info);
		tap_ok(ret == -ENODEV && r2 == 0,
		       "%s: SYNC is ENODEV (no device to sync for), INFO works (%s, %s)",
		       o->what, mt_errname(ret), mt_errname(r2));
	}

	if (mmio)
		return;
	ret = mt_dmabuf_sync(o->dfd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	if (!ret)
		mt_dmabuf_sync(o->dfd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	r2 = edu_dma(o->ifd, 0, 64, 1, MOSAIC_EDU_TO_RAM, &d);
	tap_ok((device_owned(o) ? ret == -ENODEV : ret == 0) && r2 == -ENODEV,
	       "%s: DMA_BUF_IOCTL_SYNC %s (%s); the device's import fd: DMA is ENODEV (%s)",
	       o->what, device_owned(o) ? "is ENODEV" : "works",
	       mt_errname(ret), mt_errname(r2));
}

static void close_obj(struct obj *o)
{
	if (o->map != MAP_FAILED)
		munmap(o->map, o->size);
	if (o->dmap != MAP_FAILED)
		munmap(o->dmap, o->size);
	if (o->ifd >= 0)
		close(o->ifd);
	if (o->dfd >= 0)
		close(o->dfd);
	if (o->bfd >= 0)
		close(o->bfd);
	o->live = false;
}

/* Wait up to @secs for the device's sysfs directory to (dis)appear. */
static bool wait_device(bool present, int secs)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", setup.pci);
	for (int i = 0; i < secs * 10; i++) {
		if ((access(path, F_OK) == 0) == present)
			return true;
		usleep(100 * 1000);
	}
	return false;
}

/* After it came back: mosaic_edu drives it again, and it does DMA. */
static void check_back(const char *how)
{
	struct mosaic_edu_dma d;
	int bfd = -1, ret;
	uint64_t bad = ~0ULL;
	char *m = MAP_FAILED;

	if (edu >= 0)
		close(edu);
	edu = edu_open();
	if (edu >= 0)
		bfd = edu_alloc(edu, SIZE, MOSAIC_BACKEND_STREAMING,
				MOSAIC_STRATEGY_AUTO, 0, 0);
	ret = bfd < 0 ? bfd : edu_dma(bfd, 0, 4096, 0x3636, MOSAIC_EDU_TO_RAM,
				      &d);
	if (!ret)
		m = mmap(NULL, SIZE, PROT_READ, MAP_SHARED, bfd, 0);
	if (m != MAP_FAILED) {
		bad = mt_user_check(m, 0, 4096, 0x3636, NULL);
		munmap(m, SIZE);
	}
	tap_ok(ret == 0 && bad == 0,
	       "after %s the device is back, bound, and does DMA (%s, %llu bad words)",
	       how, mt_errname(ret), ULL(bad));
	if (bfd >= 0)
		close(bfd);
}

/* Expected ledger while the fds live: page-backed memory only. */
static void check_ledger_after_removal(void)
{
	uint64_t bufs = 0, pages = 0, maps = 0;

	for (size_t i = 0; i < NR_OBJS; i++) {
		if (!objs[i].live)
			continue;
		bufs++;
		maps += 1 + (objs[i].dmap != MAP_FAILED);
		if (!device_owned(&objs[i]))
			pages += objs[i].size / MT_PAGE;
	}
	tap_ok(mt_ledger_is(dev, &base, bufs, pages, maps),
	       "after removal, fds and mappings still open: %llu buffers, %llu mappings, and only the %llu page-backed pages are held",
	       ULL(bufs), ULL(maps), ULL(pages));
}

/* sysfs remove of the device, @with (what is live) for the point. */
static void remove_device(const char *with)
{
	char path[128];
	int ret;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/remove",
		 setup.pci);
	ret = mt_write_file(path, "1");
	tap_ok(ret == 0 && wait_device(false, 20),
	       "sysfs remove of %s with %s (%s)", setup.pci, with,
	       mt_errname(ret));
}

static void rescan_device(void)
{
	int ret = mt_write_file("/sys/bus/pci/rescan", "1");

	tap_ok(ret == 0 && wait_device(true, 20), "PCI rescan finds %s again (%s)",
	       setup.pci, mt_errname(ret));
}

static void test_sysfs_remove(void)
{
	for (size_t i = 0; i < NR_OBJS; i++)
		setup_obj(&objs[i]);
	remove_device("every buffer live");
	for (size_t i = 0; i < NR_OBJS; i++)
		check_obj(&objs[i]);
	check_ledger_after_removal();
	for (size_t i = 0; i < NR_OBJS; i++)
		close_obj(&objs[i]);
	tap_ok(mt_ledger_is(dev, &base, 0, 0, 0),
	       "everything closed: the ledger is back where it started");
	rescan_device();
	check_back("a rescan");
}

/*
 * Ask vm/run to unplug or plug back the device of QEMU id @id through the
 * QEMU monitor (see vm/run): a line of our output it takes out.
 */
static void qemu_request(const char *verb, const char *id)
{
	printf("# @@MOSAIC-QEMU %s %s@@\n", verb, id);
	fflush(stdout);
}

/*
 * Whether a hot-plug driver manages the device's slot: it then has a
 * /sys/bus/pci/slots/N whose address is the device's domain:bus:device.
 */
static bool in_hotplug_slot(void)
{
	char want[64], path[300], addr[64];
	struct dirent *de;
	bool found = false;
	DIR *d;

	snprintf(want, sizeof(want), "%.*s",
		 (int)(strrchr(setup.pci, '.') - setup.pci), setup.pci);
	d = opendir("/sys/bus/pci/slots");
	while (d && !found && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/slots/%s/address",
			 de->d_name);
		found = mt_read_line(path, addr, sizeof(addr)) >= 0 &&
			!strcmp(addr, want);
	}
	if (d)
		closedir(d);
	return found;
}

static void test_hot_unplug(void)
{
	static const size_t pick[] = { 0, 2, 5, 7 };
	const char *id = getenv("MOSAIC_EDU_QEMU_ID");

	if (!id || !*id) {
		tap_skip("the VM names no QEMU id for edu (MOSAIC_EDU_QEMU_ID): nothing to unplug",
			 "hot unplug");
		return;
	}
	if (!in_hotplug_slot()) {
		tap_skip("no hot-plug driver manages edu's slot (a kernel without pciehp, or edu not in a root port)",
			 "hot unplug");
		return;
	}
	for (size_t i = 0; i < sizeof(pick) / sizeof(pick[0]); i++)
		setup_obj(&objs[pick[i]]);
	/* The guest's pciehp takes the attention button press after 5 s. */
	qemu_request("device_del", id);
	tap_ok(wait_device(false, 60),
	       "QEMU device_del %s: %s is hot-unplugged with buffers live",
	       id, setup.pci);
	for (size_t i = 0; i < sizeof(pick) / sizeof(pick[0]); i++)
		check_obj(&objs[pick[i]]);
	for (size_t i = 0; i < sizeof(pick) / sizeof(pick[0]); i++)
		close_obj(&objs[pick[i]]);
	tap_ok(mt_ledger_is(dev, &base, 0, 0, 0),
	       "everything closed: the ledger is back where it started");
	qemu_request("device_add", id);
	tap_ok(wait_device(true, 60), "QEMU device_add %s: %s is back", id,
	       setup.pci);
	check_back("a hot plug");
}

static void test_mmio_removal(void)
{
	struct obj *o = &mmio_obj;
	uint64_t bar, len;
	int ret;

	if (edu >= 0)
		close(edu);
	edu = -1;
	ret = edu_unload();
	tap_ok(ret == 0, "mosaic_edu unloaded: edu has no driver (%s)",
	       mt_errname(ret));
	setup_obj(o);
	ret = mt_pci_bar(setup.pci, 0, &bar, &len);
	tap_ok(ret == 0 && mt_iomem_held_by(bar, len, "mosaic"),
	       "%s: mosaic holds the BAR's region (/proc/iomem)", o->what);
	remove_device("the BAR mapped");
	check_obj(o);
	tap_ok(!o->live || mt_ledger_is(dev, &base, 1, 0, 1),
	       "after removal, fd and mapping still open: 1 buffer, 1 mapping, nothing held");
	close_obj(o);
	tap_ok(mt_ledger_is(dev, &base, 0, 0, 0),
	       "everything closed: the ledger is back where it started");
	rescan_device();
	check_back("a rescan with the BAR given back");
}

int main(void)
{
	dev = mt_open_dev_baseline(&base);
	edu = edu_setup(&setup);
	if (edu < 0) {
		printf("1..0 # SKIP no edu device or mosaic_edu module (%s)\n",
		       mt_errname(edu));
		return 77;
	}
	edu_diag_setup("t36_device_removal", &setup);
	test_sysfs_remove();
	test_hot_unplug();
	test_mmio_removal();
	if (edu >= 0)
		close(edu);
	close(dev);
	return tap_exit();
}
