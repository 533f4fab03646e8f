/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the tests that drive real device DMA through mosaic_edu
 * (t30-t34): the edu driver's ioctls, where the edu device is and which
 * IOMMU setup the VM booted with (edu_test.c).
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
bool edu_swiotlb_forced(void);

/* /sys/bus/pci/devices/<pci>/iommu_group/type and the IOMMU's name. */
int edu_find_setup(struct edu_setup *s);

/*
 * Whether the device reaches memory at an address other than its
 * physical one: behind an IOMMU always, and where swiotlb bounces for
 * memory mapped with a scatterlist (streaming mappings, dma-buf
 * attachments), not for memory the DMA layer allocated itself.
 */
bool edu_remapped(const struct edu_setup *s, bool scatterlist);

/* One line that says which setup this run proves things about. */
void edu_diag_setup(const char *test, const struct edu_setup *s);

/*
 * Load mosaic_edu.ko from $MOSAIC_MODULES_DIR unless it is loaded, with
 * the module parameters in $MOSAIC_EDU_PARAMS, separated by commas (a
 * kernel command line word carries them into the VM; the bounce passes of
 * make check set the DMA mask and PCI's 64 KiB segment limit that way).
 * The check VMs ship it there without loading it at boot: a module that
 * uses mosaic's symbols pins mosaic, and t06_unload and t21_mosaicctl
 * must be able to unload mosaic before the edu tests run. Returns 0
 * (loaded now), 1 (was loaded) or -errno; *what says which file.
 */
int edu_load(char *what, size_t size);

/*
 * The edu device and its register BAR 0, for the tests that map the BAR
 * through /dev/mosaic: 0, or -ENODEV without them.
 */
int edu_find_bar0(char *pci, size_t size, uint64_t *start,
		  uint64_t *len);

/* delete_module(mosaic_edu), without waiting: 0 or -errno. */
int edu_unload(void);

/*
 * open(/dev/mosaic-edu), loading the driver first if need be; devtmpfs
 * creates the node asynchronously, so wait for it a little. fd or -errno.
 */
int edu_open(void);

/* MOSAIC_EDU_IOC_ALLOC: the edu buffer fd, or -errno. */
int edu_alloc(int edu, uint64_t size, uint32_t backend,
	      uint32_t strategy, uint32_t max_order,
	      uint64_t chunk_size);

/* MOSAIC_EDU_IOC_DMA on a buffer or import fd; *d gets the answer. */
int edu_dma_flags(int fd, uint64_t off, uint64_t len,
		  uint64_t seed, uint32_t dir, uint32_t flags,
		  struct mosaic_edu_dma *d);

/* The same, with the driver's own syncs around the transfer. */
int edu_dma(int fd, uint64_t off, uint64_t len, uint64_t seed,
	    uint32_t dir, struct mosaic_edu_dma *d);

int edu_info(int fd, uint64_t off, struct mosaic_edu_info *in);

/* MOSAIC_EDU_IOC_IMPORT: the import fd, or -errno; *size and *nents out. */
int edu_import(int edu, int dmabuf_fd, uint64_t *size,
	       uint64_t *nents);

/*
 * MOSAIC_EDU_IOC_EXPORT of [@off, @off + @len) of a driver's buffer (@len
 * 0: to the end): the dma-buf fd, or -errno.
 */
int edu_export(int bfd, uint64_t off, uint64_t len);

/*
 * Find the edu device, load and bind mosaic_edu, then read the setup: with
 * an IOMMU described by ACPI VIOT (virtio-iommu) a device is attached to
 * its IOMMU only when a driver binds, so sysfs shows no iommu_group before.
 * Returns the /dev/mosaic-edu fd or -errno (setup filled in), or -ENODEV
 * without an edu device.
 */
int edu_setup(struct edu_setup *s);

#endif /* MOSAIC_TESTS_EDU_TEST_H */
