// SPDX-License-Identifier: GPL-2.0
/*
 * sysfs and small files: the module's parameters, PCI devices and their
 * BARs, /proc/iomem, and reading or writing one line.
 */
#include "mosaic_test.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Open the module parameter @name under /sys/module: an fd, or -errno. */
static int open_param(const char *name, int flags)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "/sys/module/%s/parameters/%s",
		 MT_MODULE_NAME, name);
	fd = open(path, flags | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int mt_param_u64(const char *name, uint64_t *out)
{
	char buf[64], *end;
	int fd = open_param(name, O_RDONLY);
	ssize_t r;

	if (fd < 0)
		return fd;
	r = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (r < 0)
		return -errno;
	buf[r] = '\0';
	errno = 0;
	*out = strtoull(buf, &end, 0);
	if (errno || end == buf)
		return -EINVAL;
	return 0;
}

int mt_set_param_u64(const char *name, uint64_t v)
{
	char num[32];
	int fd = open_param(name, O_WRONLY);
	int n, ret = 0;

	if (fd < 0)
		return fd;
	n = snprintf(num, sizeof(num), "%llu", (unsigned long long)v);
	if (write(fd, num, n) != n)
		ret = -errno;
	close(fd);
	return ret;
}

bool mt_module_loaded(void)
{
	struct stat st;

	return stat("/sys/module/" MT_MODULE_NAME, &st) == 0;
}

int mt_read_line(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (fd < 0)
		return -errno;
	r = read(fd, buf, size - 1);
	close(fd);
	if (r < 0)
		return -errno;
	buf[r] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

int mt_find_pci(unsigned vendor, unsigned device, char *name, size_t size)
{
	DIR *d = opendir("/sys/bus/pci/devices");
	struct dirent *e;
	int ret = -ENODEV;

	if (!d)
		return -ENODEV;
	while ((e = readdir(d))) {
		char path[512], v[32], dv[32];

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vendor",
			 e->d_name);
		if (mt_read_line(path, v, sizeof(v)) < 0)
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/device",
			 e->d_name);
		if (mt_read_line(path, dv, sizeof(dv)) < 0)
			continue;
		if (strtoul(v, NULL, 0) == vendor &&
		    strtoul(dv, NULL, 0) == device) {
			snprintf(name, size, "%s", e->d_name);
			ret = 0;
			break;
		}
	}
	closedir(d);
	return ret;
}

int mt_pci_bar(const char *pci, int bar, uint64_t *start, uint64_t *len)
{
	char path[128], line[128] = "";
	uint64_t s, e, fl;
	FILE *f;
	int i = 0;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource", pci);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f) && i++ < bar)
		;
	fclose(f);
	if (sscanf(line, "%" SCNx64 " %" SCNx64 " %" SCNx64, &s, &e, &fl) != 3)
		return -EINVAL;
	*start = s;
	*len = s || e ? e - s + 1 : 0;
	return 0;
}

bool mt_iomem_held_by(uint64_t start, uint64_t len, const char *name)
{
	FILE *f = fopen("/proc/iomem", "re");
	char line[256], holder[128];
	uint64_t s, e;
	bool found = false;

	while (f && !found && fgets(line, sizeof(line), f)) {
		if (sscanf(line, " %" SCNx64 "-%" SCNx64 " : %127[^\n]", &s, &e,
			   holder) == 3)
			found = s == start && e + 1 == start + len &&
				!strcmp(holder, name);
	}
	if (f)
		fclose(f);
	return found;
}

int mt_write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

