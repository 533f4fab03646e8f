// SPDX-License-Identifier: GPL-2.0
/*
 * The edu device and its driver mosaic_edu for the device DMA tests:
 * finding, loading and opening them, the IOMMU setup, the driver's ioctls.
 */
#include "edu_test.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

bool edu_swiotlb_forced(void)
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

int edu_find_setup(struct edu_setup *s)
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

bool edu_remapped(const struct edu_setup *s, bool scatterlist)
{
	return s->translated || (s->bounce && scatterlist);
}

void edu_diag_setup(const char *test, const struct edu_setup *s)
{
	tap_diag("%s: edu %s, iommu %s, iommu_group type %s: device addresses %s%s; segment limit %s",
		 test, s->pci, s->iommu, s->group_type,
		 s->translated ? "are IOVAs (translated)" :
				 "are physical (untranslated)",
		 s->bounce ? ", streaming mappings bounce (swiotlb=force)" : "",
		 s->max_seg ? "set by max_seg_size" : "none");
}

int edu_load(char *what, size_t size)
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

int edu_find_bar0(char *pci, size_t size, uint64_t *start,
		  uint64_t *len)
{
	if (mt_find_pci(EDU_VENDOR, EDU_DEVICE, pci, size) < 0 ||
	    mt_pci_bar(pci, 0, start, len) < 0 || !*len)
		return -ENODEV;
	return 0;
}

int edu_unload(void)
{
	long r = syscall(SYS_delete_module, "mosaic_edu", O_NONBLOCK);

	return r < 0 ? -errno : 0;
}

int edu_open(void)
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

int edu_alloc(int edu, uint64_t size, uint32_t backend,
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

int edu_dma_flags(int fd, uint64_t off, uint64_t len,
		  uint64_t seed, uint32_t dir, uint32_t flags,
		  struct mosaic_edu_dma *d)
{
	*d = (struct mosaic_edu_dma){
		.argsz = sizeof(*d), .flags = flags, .offset = off,
		.length = len, .seed = seed, .direction = dir,
	};
	return mt_ioctl(fd, MOSAIC_EDU_IOC_DMA, d);
}

int edu_dma(int fd, uint64_t off, uint64_t len, uint64_t seed,
	    uint32_t dir, struct mosaic_edu_dma *d)
{
	return edu_dma_flags(fd, off, len, seed, dir, 0, d);
}

int edu_info(int fd, uint64_t off, struct mosaic_edu_info *in)
{
	*in = (struct mosaic_edu_info){ .argsz = sizeof(*in), .offset = off };
	return mt_ioctl(fd, MOSAIC_EDU_IOC_INFO, in);
}

int edu_import(int edu, int dmabuf_fd, uint64_t *size,
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

int edu_export(int bfd, uint64_t off, uint64_t len)
{
	struct mosaic_edu_export e = {
		.argsz = sizeof(e), .offset = off, .length = len, .fd = -1,
	};

	return mt_fd_ioctl(bfd, MOSAIC_EDU_IOC_EXPORT, &e, &e.fd, "EDU EXPORT");
}

int edu_setup(struct edu_setup *s)
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
