// SPDX-License-Identifier: GPL-2.0
/*
 * mosaic-bench's small helpers: the clock and the fault counter every
 * phase is read with, progress lines, CSV fields, and /proc and /sys
 * files.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "mosaic-bench.h"

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * Page faults taken, minor and major: on 5.10 a write fault that dirties
 * a shmem page (udmabuf's memfd) maps it, then returns VM_FAULT_RETRY to
 * balance dirty pages, and the retry counts the fault as major
 * (mm_account_fault(): FAULT_FLAG_TRIED). Nothing here reads a disk, so
 * every fault is one the mapping took.
 */
uint64_t faults(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt + ru.ru_majflt;
}

void progress(const char *fmt, ...)
{
	va_list ap;

	if (tap_mode)
		return;
	fputs("# ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* No commas or newlines inside a CSV field. */
const char *field(char *s)
{
	for (char *p = s; *p; p++)
		if (*p == ',' || *p == '\n')
			*p = ';';
	return s;
}

const char *size_str(uint64_t size)
{
	static char buf[4][16];
	static int i;

	i = (i + 1) % 4;
	if (size >= (1UL << 30) && !(size % (1UL << 30)))
		snprintf(buf[i], sizeof(buf[i]), "%luG", (unsigned long)(size >> 30));
	else if (size >= MiB)
		snprintf(buf[i], sizeof(buf[i]), "%luM", (unsigned long)(size / MiB));
	else
		snprintf(buf[i], sizeof(buf[i]), "%luK", (unsigned long)(size >> 10));
	return buf[i];
}

int read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	return (int)n;
}

int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n, len = strlen(val);

	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	close(fd);
	if (n < 0)
		return -errno;
	return n == len ? 0 : -EIO;
}

long read_long(const char *path, long dflt)
{
	char buf[64];

	if (read_file(path, buf, sizeof(buf)) <= 0)
		return dflt;
	return strtol(buf, NULL, 10);
}

int write_long(const char *path, long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%ld", v);
	return write_file(path, buf);
}

/* A "Key:  123 kB" line of a /proc file, in kB; -1 if absent. */
long proc_kb(const char *path, const char *key)
{
	static char buf[8192];
	size_t klen = strlen(key);
	char *p;

	if (read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	for (p = buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, key, klen) && p[klen] == ':')
			return strtol(p + klen + 1, NULL, 10);
	return -1;
}

long vm_pte_kb(void)
{
	return proc_kb("/proc/self/status", "VmPTE");
}

int xioctl(int fd, unsigned long req, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, req, arg);
	} while (ret < 0 && (errno == EINTR || errno == EAGAIN));
	return ret < 0 ? -errno : ret;
}
