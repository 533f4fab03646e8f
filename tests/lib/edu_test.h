/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the tests that drive real device DMA through mosaic_edu
 * (t30-t34): the edu driver's ioctls, where the edu device is and which
 * IOMMU setup the VM booted with.
 *
 * Header-only (static inline), so the shared test library stays as it is.
 */
#ifndef MOSAIC_TESTS_EDU_TEST_H
#define MOSAIC_TESTS_EDU_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/mosaic.h>
#include <linux/mosaic_edu.h>

#include "mosaic_test.h"
#include "tap.h"

#define EDU_VENDOR	0x1234
#define EDU_DEVICE	0x11e8
/* What the driver moves per step (half the device buffer). */
#define EDU_STEP	2048
/* BAR 0 offset 0, the identification register: version 1.0, "ed". */
#define EDU_ID		0x010000edU

/* The IOMMU setup the edu device sits behind, from sysfs. */
struct edu_setup {
	char pci[64];		/* "0000:00:01.0" */
	char group_type[32];	/* "DMA", "DMA-FQ", "identity", "none" */
	char iommu[64];		/* the IOMMU's name, or "none" */
	bool translated;	/* DMA or DMA-FQ: device addresses are IOVAs */
	bool bounce;		/* untranslated, swiotlb=force: mappings bounce */
	uint64_t max_seg;	/* mosaic_edu's max_seg_size; 0: no limit */
};

/*
 * Whether the kernel was booted with swiotlb=...,force: every streaming
 * mapping that is not behind an IOMMU then bounces through swiotlb.
 */
static inline bool edu_swiotlb_forced(void)
{
	char cmdline[4096];
	const char *p;

	if (mt_read_line("/proc/cmdline", cmdline, sizeof(cmdline)) < 0)
		return false;
	for (p = cmdline; (p = strstr(p, "swiotlb=")); p++) {
		size_t n = strcspn(p, " ");

		if (memmem(p, n, "force", 5))
			return true;
	}
	return false;
}

/* /sys/bus/pci/devices/<pci>/iommu_group/type and the IOMMU's name. */
static inline int edu_find_setup(struct edu_setup *s)
{
	char path[256], link[256];
	ssize_t n;
	int ret;

	memset(s, 0, sizeof(*s));
	ret = mt_find_pci(EDU_VENDOR, EDU_DEVICE, s->pci, sizeof(s->pci));
	if (ret < 0)
		return ret;
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group/type",
		 s->pci);
	if (mt_read_line(path, s->group_type, sizeof(s->group_type)) < 0)
		snprintf(s->group_type, sizeof(s->group_type), "none");
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu", s->pci);
	n = readlink(path, link, sizeof(link) - 1);
	if (n > 0) {
		const char *base;

		link[n] = '\0';
		base = strrchr(link, '/');
		snprintf(s->iommu, sizeof(s->iommu), "%.63s", base ? base + 1 : link);
	} else {
		snprintf(s->iommu, sizeof(s->iommu), "none");
	}
	s->translated = !strcmp(s->group_type, "DMA") ||
			!strcmp(s->group_type, "DMA-FQ");
	s->bounce = !s->translated && edu_swiotlb_forced();
	if (mt_read_line("/sys/module/mosaic_edu/parameters/max_seg_size",
			 link, sizeof(link)) >= 0)
		s->max_seg = strtoull(link, NULL, 0);
	return 0;
}

/*
 * Whether the device reaches memory at an address other than its
 * physical one: behind an IOMMU always, and where swiotlb bounces for
 * memory mapped with a scatterlist (streaming mappings, dma-buf
 * attachments), not for memory the DMA layer allocated itself.
 */
static inline bool edu_remapped(const struct edu_setup *s, bool scatterlist)
{
	return s->translated || (s->bounce && scatterlist);
}

/* One line that says which setup this run proves things about. */
static inline void edu_diag_setup(const char *test, const struct edu_setup *s)
{
	tap_diag("%s: edu %s, iommu %s, iommu_group type %s: device addresses %s%s; segment limit %s",
		 test, s->pci, s->iommu, s->group_type,
		 s->translated ? "are IOVAs (translated)" :
				 "are physical (untranslated)",
		 s->bounce ? ", streaming mappings bounce (swiotlb=force)" : "",
		 s->max_seg ? "set by max_seg_size" : "none");
}

/*
 * Load mosaic_edu.ko from $MOSAIC_MODULES_DIR unless it is loaded, with
 * the module parameters in $MOSAIC_EDU_PARAMS, separated by commas (a
 * kernel command line word carries them into the VM; the bounce passes of
 * make check set the DMA mask and PCI's 64 KiB segment limit that way).
 * The check VMs ship it there without loading it at boot: a module that
 * uses mosaic's symbols pins mosaic, and t06_unload and t21_mosaicctl
 * must be able to unload mosaic before the edu tests run. Returns 0 (loaded now), 1 (was
 * loaded) or -errno; *what says which file.
 */
static inline int edu_load(char *what, size_t size)
{
	const char *dir = getenv("MOSAIC_MODULES_DIR");
	const char *env = getenv("MOSAIC_EDU_PARAMS");
	char params[256];
	struct stat st;
	long r;
	int fd;

	snprintf(what, size, "%s/mosaic_edu.ko", dir && *dir ? dir : "/lib/mosaic");
	if (stat("/sys/module/mosaic_edu", &st) == 0)
		return 1;
	snprintf(params, sizeof(params), "%s", env ? env : "");
	for (char *c = params; (c = strchr(c, ',')); c++)
		*c = ' ';
	fd = open(what, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = syscall(SYS_finit_module, fd, params, 0);
	close(fd);
	return r < 0 && errno != EEXIST ? -errno : 0;
}

/*
 * The edu device and its register BAR 0, for the tests that map the BAR
 * through /dev/mosaic: 0, or -ENODEV without them.
 */
static inline int edu_find_bar0(char *pci, size_t size, uint64_t *start,
				uint64_t *len)
{
	if (mt_find_pci(EDU_VENDOR, EDU_DEVICE, pci, size) < 0 ||
	    mt_pci_bar(pci, 0, start, len) < 0 || !*len)
		return -ENODEV;
	return 0;
}

/* delete_module(mosaic_edu), without waiting: 0 or -errno. */
static inline int edu_unload(void)
{
	long r = syscall(SYS_delete_module, "mosaic_edu", O_NONBLOCK);

	return r < 0 ? -errno : 0;
}

/*
 * open(/dev/mosaic-edu), loading the driver first if need be; devtmpfs
 * creates the node asynchronously, so wait for it a little. fd or -errno.
 */
static inline int edu_open(void)
{
	char ko[256];
	int fd = -ENOENT, ret = edu_load(ko, sizeof(ko));

	if (ret < 0)
		tap_diag("mosaic_edu is not loaded and %s does not load: %s", ko,
			 mt_errname(ret));
	else if (ret == 0)
		tap_diag("loaded %s", ko);
	for (int i = 0; i < 50; i++) {
		fd = open(MOSAIC_EDU_DEVICE_PATH, O_RDWR | O_CLOEXEC);
		if (fd >= 0 || errno != ENOENT)
			break;
		usleep(100 * 1000);
	}
	return fd < 0 ? -errno : fd;
}

/* MOSAIC_EDU_IOC_ALLOC: the edu buffer fd, or -errno. */
static inline int edu_alloc(int edu, uint64_t size, uint32_t backend,
			    uint32_t strategy, uint32_t max_order,
			    uint64_t chunk_size)
{
	struct mosaic_edu_alloc a = {
		.argsz = sizeof(a), .size = size, .backend = backend,
		.strategy = strategy, .max_order = max_order,
		.chunk_size = chunk_size, .fd = -1,
	};

	return mt_fd_ioctl(edu, MOSAIC_EDU_IOC_ALLOC, &a, &a.fd, "EDU ALLOC");
}

/* MOSAIC_EDU_IOC_DMA on a buffer or import fd; *d gets the answer. */
static inline int edu_dma_flags(int fd, uint64_t off, uint64_t len,
				uint64_t seed, uint32_t dir, uint32_t flags,
				struct mosaic_edu_dma *d)
{
	*d = (struct mosaic_edu_dma){
		.argsz = sizeof(*d), .flags = flags, .offset = off,
		.length = len, .seed = seed, .direction = dir,
	};
	return mt_ioctl(fd, MOSAIC_EDU_IOC_DMA, d);
}

/* The same, with the driver's own syncs around the transfer. */
static inline int edu_dma(int fd, uint64_t off, uint64_t len, uint64_t seed,
			  uint32_t dir, struct mosaic_edu_dma *d)
{
	return edu_dma_flags(fd, off, len, seed, dir, 0, d);
}

static inline int edu_info(int fd, uint64_t off, struct mosaic_edu_info *in)
{
	*in = (struct mosaic_edu_info){ .argsz = sizeof(*in), .offset = off };
	return mt_ioctl(fd, MOSAIC_EDU_IOC_INFO, in);
}

/* MOSAIC_EDU_IOC_IMPORT: the import fd, or -errno; *size and *nents out. */
static inline int edu_import(int edu, int dmabuf_fd, uint64_t *size,
			     uint64_t *nents)
{
	struct mosaic_edu_import im = {
		.argsz = sizeof(im), .dmabuf_fd = dmabuf_fd, .fd = -1,
	};
	int ret;

	ret = mt_fd_ioctl(edu, MOSAIC_EDU_IOC_IMPORT, &im, &im.fd, "EDU IMPORT");
	if (ret < 0)
		return ret;
	if (size)
		*size = im.size;
	if (nents)
		*nents = im.nents;
	return ret;
}

/* MOSAIC_IOC_EXPORT on a mosaic buffer fd: the dma-buf fd, or -errno. */
static inline int mt_export(int bfd, uint64_t off, uint64_t len)
{
	struct mosaic_export e = {
		.argsz = sizeof(e), .offset = off, .length = len, .fd = -1,
	};

	return mt_fd_ioctl(bfd, MOSAIC_IOC_EXPORT, &e, &e.fd, "EXPORT");
}

/*
 * MOSAIC_EDU_IOC_EXPORT of [@off, @off + @len) of a driver's buffer (@len
 * 0: to the end): the dma-buf fd, or -errno.
 */
static inline int edu_export(int bfd, uint64_t off, uint64_t len)
{
	struct mosaic_edu_export e = {
		.argsz = sizeof(e), .offset = off, .length = len, .fd = -1,
	};

	return mt_fd_ioctl(bfd, MOSAIC_EDU_IOC_EXPORT, &e, &e.fd, "EDU EXPORT");
}

/* DMA_BUF_IOCTL_SYNC with @flags (DMA_BUF_SYNC_START | ..._READ, ...). */
static inline int mt_dmabuf_sync(int dfd, uint64_t flags)
{
	struct dma_buf_sync s = { .flags = flags };

	return mt_ioctl(dfd, DMA_BUF_IOCTL_SYNC, &s);
}

/* Index of the segment that holds byte @off (the table is ordered). */
static inline uint64_t mt_seg_index(const struct mosaic_seg_entry *ents,
				    uint64_t nr, uint64_t off)
{
	uint64_t i;

	for (i = 0; i + 1 < nr; i++)
		if (off < ents[i + 1].offset)
			break;
	return i;
}

/* First segment boundary at or after @from, or 0 if there is none. */
static inline uint64_t mt_seg_boundary(const struct mosaic_seg_entry *ents,
				       uint64_t nr, uint64_t from)
{
	for (uint64_t i = 1; i < nr; i++)
		if (ents[i].offset >= from)
			return ents[i].offset;
	return 0;
}

/*
 * Find the edu device, load and bind mosaic_edu, then read the setup: with
 * an IOMMU described by ACPI VIOT (virtio-iommu) a device is attached to
 * its IOMMU only when a driver binds, so sysfs shows no iommu_group before.
 * Returns the /dev/mosaic-edu fd or -errno (setup filled in), or -ENODEV
 * without an edu device.
 */
static inline int edu_setup(struct edu_setup *s)
{
	char pci[64];
	int fd;

	if (mt_find_pci(EDU_VENDOR, EDU_DEVICE, pci, sizeof(pci)) < 0)
		return -ENODEV;
	fd = edu_open();
	if (edu_find_setup(s) < 0) {
		if (fd >= 0)
			close(fd);
		return -ENODEV;
	}
	return fd;
}

#endif /* MOSAIC_TESTS_EDU_TEST_H */
