// SPDX-License-Identifier: GPL-2.0
/*
 * Processes, memory, time and the environment for the test programs:
 * children with a timeout, scratch arrays, aligned mappings, errno names.
 */
#include "mosaic_test.h"
#include "tap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

pid_t mt_fork(void)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		tap_bail("fork: %s", strerror(errno));
	return pid;
}

int mt_run_child(int (*fn)(void *arg), void *arg, unsigned timeout_s)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		alarm(timeout_s);
		_exit(fn(arg) & 0x7f);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

void mt_spawn(int n, int (*fn)(int i, void *arg), void *arg,
	      unsigned timeout_s, pid_t *pids)
{
	for (int i = 0; i < n; i++) {
		pid_t pid = mt_fork();

		if (pid == 0) {
			alarm(timeout_s);
			_exit(fn(i, arg));
		}
		/* Only the parent writes: @pids may be shared with the workers. */
		pids[i] = pid;
	}
}

int mt_reap(int n, const pid_t *pids, const char *what)
{
	int failed = 0;

	for (int i = 0; i < n; i++) {
		int status = 0;

		while (waitpid(pids[i], &status, 0) < 0 && errno == EINTR)
			;
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			failed++;
			tap_diag("%s %d: status %#x", what, i, status);
		}
	}
	return failed;
}

void *mt_shared(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		tap_bail("shared memory: %s", strerror(errno));
	return p;	/* anonymous memory starts zeroed */
}

void *mt_xcalloc(size_t n, size_t size)
{
	size_t len = n * size;
	void *p;

	if (len == 0)
		len = 1;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		tap_bail("out of memory (%zu bytes)", len);
	return p;
}

void mt_xfree(void *p, size_t n, size_t size)
{
	if (p)
		munmap(p, n * size > 0 ? n * size : 1);
}

const char *mt_errname(int err)
{
	const char *s;

	if (err < 0)
		err = -err;
	if (err == 0)
		return "success";
	s = strerrorname_np(err);
	return s ? s : "E?";
}

void *mt_mmap_aligned(size_t len, int prot, int flags, int fd, off_t off,
		      size_t align)
{
	size_t span = len + align;
	char *res, *start, *p;

	/* Reserve room for an aligned start, then map over it. */
	res = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (res == MAP_FAILED)
		return MAP_FAILED;
	start = (char *)(((uintptr_t)res + align - 1) & ~(uintptr_t)(align - 1));
	p = mmap(start, len, prot, flags | MAP_FIXED, fd, off);
	if (p == MAP_FAILED) {
		int err = errno;

		munmap(res, span);
		errno = err;
		return MAP_FAILED;
	}
	/* Give back the reservation on either side. */
	if (start > res)
		munmap(res, (size_t)(start - res));
	if (res + span > start + len)
		munmap(start + len, (size_t)(res + span - (start + len)));
	return p;
}

double mt_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

long mt_env_num(const char *name, long def, long min, long max)
{
	const char *s = getenv(name);
	long v = s && *s ? strtol(s, NULL, 10) : def;

	return v < min ? min : v > max ? max : v;
}
