// SPDX-License-Identifier: GPL-2.0
/*
 * t51_limits: the module-wide cap and the per-user RLIMIT_MEMLOCK charge.
 *
 * An unprivileged user (tests/lib/unpriv.h) gets exactly its
 * RLIMIT_MEMLOCK worth of buffers and then ENOMEM; the charge lasts as
 * long as the memory (a mapping, a dma-buf, a child holding a mapping),
 * not as long as the fd or the process. Above the max_total_size
 * parameter everyone, root included, gets EAGAIN. CAP_IPC_LOCK exempts
 * from RLIMIT_MEMLOCK. Exiting, and being killed the way an OOM killer
 * kills (SIGKILL, then process_mrelease() runs the OOM reaper on the
 * dying mm), gives everything back: the page ledger, the module's byte
 * count (total_size) and the user's charge.
 *
 * Then the kernel's own OOM killer, in a memory cgroup. Its report has a
 * stack dump ("Call Trace:"), which the harness's log scan excuses only
 * between the markers this test writes to /dev/kmsg (vm/log-scan).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mosaic_test.h"
#include "tap.h"
#include "unpriv.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open		434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal	424
#endif
#ifndef SYS_process_mrelease
#define SYS_process_mrelease	448
#endif

#define LIMIT		(1 * MT_MiB)	/* RLIMIT_MEMLOCK of the small cases */
#define EXIT_LIMIT	(8 * MT_MiB)	/* of the exit and kill cases */

static int dev;

/* Results a child leaves in shared memory: 0 or -errno per step. */
struct report {
	int step[16];
	int ready;
};

static struct report *rep;

static int alloc(uint64_t size, uint32_t backend)
{
	return mt_alloc(dev, size, backend, MOSAIC_STRATEGY_AUTO);
}

/* Run fn in a child with @memlock, unprivileged; its exit status. */
static int as_user(int (*fn)(void *), void *arg, rlim_t memlock)
{
	pid_t pid;
	int status;

	memset(rep, 0, sizeof(*rep));
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int ret = unpriv_drop(memlock);

		if (ret) {
			printf("# cannot drop privileges: %s\n", strerror(-ret));
			_exit(100);
		}
		alarm(60);
		_exit(fn(arg));
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int close_ret(int fd)
{
	if (fd >= 0)
		close(fd);
	return fd < 0 ? fd : 0;
}

/* The RLIMIT_MEMLOCK steps: see the tap points in test_memlock(). */
static int memlock_child(void *arg)
{
	int a, b;
	void *m;

	(void)arg;
	a = alloc(LIMIT, MOSAIC_BACKEND_PAGES);
	rep->step[0] = a < 0 ? a : 0;
	rep->step[1] = close_ret(alloc(MT_PAGE, MOSAIC_BACKEND_PAGES));
	if (a >= 0)
		close(a);
	rep->step[2] = close_ret(alloc(LIMIT, MOSAIC_BACKEND_COMPOUND));
	/* A mapping holds the charge after close(). */
	a = alloc(LIMIT / 2, MOSAIC_BACKEND_VMALLOC);
	m = a >= 0 ? mmap(NULL, LIMIT / 2, PROT_READ, MAP_SHARED, a, 0) : MAP_FAILED;
	if (a >= 0)
		close(a);
	rep->step[3] = m == MAP_FAILED ? -EIO : 0;
	rep->step[4] = close_ret(alloc(LIMIT / 2 + MT_PAGE, MOSAIC_BACKEND_PAGES));
	if (m != MAP_FAILED)
		munmap(m, LIMIT / 2);
	rep->step[5] = close_ret(alloc(LIMIT / 2 + MT_PAGE, MOSAIC_BACKEND_PAGES));
	/* Far above the limit but below max_buffer_size: still ENOMEM. */
	rep->step[6] = close_ret(alloc(512 * MT_MiB, MOSAIC_BACKEND_PAGES));
	/* A dma-buf holds the charge too. */
	a = alloc(LIMIT, MOSAIC_BACKEND_SPLIT);
	b = -1;
	if (a >= 0) {
		struct mosaic_export e = { .argsz = sizeof(e) };

		b = mt_ioctl(a, MOSAIC_IOC_EXPORT, &e);
		close(a);
	}
	rep->step[7] = b < 0 ? b : 0;
	rep->step[8] = close_ret(alloc(MT_PAGE, MOSAIC_BACKEND_PAGES));
	if (b >= 0)
		close(b);
	rep->step[9] = close_ret(alloc(LIMIT, MOSAIC_BACKEND_PAGES));
	return 0;
}

static void step_is(int i, int want, const char *desc)
{
	tap_ok(rep->step[i] == -want, "%s -> %s (got %s)", desc,
	       want ? mt_errname(-want) : "success",
	       rep->step[i] ? mt_errname(rep->step[i]) : "success");
}

static void test_memlock(void)
{
	struct mosaic_stats base;
	int st;

	mt_stats(dev, &base);
	st = as_user(memlock_child, NULL, LIMIT);
	tap_ok(st == 0, "unprivileged child ran (status %d)", st);
	step_is(0, 0, "user, RLIMIT_MEMLOCK 1 MiB: ALLOC 1 MiB");
	step_is(1, ENOMEM, "user: one more page over RLIMIT_MEMLOCK");
	step_is(2, 0, "user: after close() the whole 1 MiB again");
	step_is(3, 0, "user: mmap 512 KiB, close the fd");
	step_is(4, ENOMEM, "user: the mapping still holds its charge: 512 KiB + 1 page");
	step_is(5, 0, "user: after munmap: 512 KiB + 1 page");
	step_is(6, ENOMEM, "user: 512 MiB (below max_buffer_size, above RLIMIT_MEMLOCK)");
	step_is(7, 0, "user: export 1 MiB as a dma-buf, close the buffer fd");
	step_is(8, ENOMEM, "user: the dma-buf still holds the charge: one page");
	step_is(9, 0, "user: after closing the dma-buf: 1 MiB");
	tap_ok(mt_ledger_is(dev, &base, 0, 0, 0), "ledger back after the RLIMIT_MEMLOCK cases");
}

/* Root with CAP_IPC_LOCK is not charged, whatever its RLIMIT_MEMLOCK. */
static void test_ipc_lock(void)
{
	struct rlimit old, small = { LIMIT, LIMIT };
	int fd;

	getrlimit(RLIMIT_MEMLOCK, &old);
	if (setrlimit(RLIMIT_MEMLOCK, &small)) {
		tap_skip("cannot lower RLIMIT_MEMLOCK", "CAP_IPC_LOCK exempts root");
		return;
	}
	fd = alloc(4 * LIMIT, MOSAIC_BACKEND_PAGES);
	tap_ok(fd >= 0, "root (CAP_IPC_LOCK), RLIMIT_MEMLOCK 1 MiB: ALLOC 4 MiB (%s)",
	       fd < 0 ? mt_errname(fd) : "success");
	close_ret(fd);
	setrlimit(RLIMIT_MEMLOCK, &old);
}

static int cap_child(void *arg)
{
	uint64_t room = *(uint64_t *)arg;
	int fd = alloc(room, MOSAIC_BACKEND_PAGES);

	rep->step[0] = fd < 0 ? fd : 0;
	rep->step[1] = close_ret(alloc(MT_PAGE, MOSAIC_BACKEND_PAGES));
	close_ret(fd);
	return 0;
}

static void test_global_cap(void)
{
	uint64_t cap = 0, total = 0, room = 2 * MT_MiB;
	int st, fd, ret;

	ret = mt_param_u64("max_total_size", &cap);
	tap_ok(ret == 0 && cap > 0, "max_total_size parameter is set by default (%llu bytes)",
	       ULL(cap));
	ret = mt_param_u64("total_size", &total);
	tap_ok(ret == 0 && total == 0, "total_size is 0 with no buffer alive (%llu)", ULL(total));
	if (ret || mt_set_param_u64("max_total_size", total + room)) {
		tap_skip("cannot set max_total_size", "global cap enforced");
		return;
	}
	st = as_user(cap_child, &room, RLIM_INFINITY);
	tap_ok(st == 0, "unprivileged child ran (status %d)", st);
	step_is(0, 0, "user, max_total_size = 2 MiB: ALLOC 2 MiB");
	step_is(1, EAGAIN, "user: one more page over max_total_size");
	fd = alloc(room, MOSAIC_BACKEND_PAGES);
	ret = alloc(MT_PAGE, MOSAIC_BACKEND_COMPOUND);
	tap_ok(fd >= 0 && ret == -EAGAIN,
	       "root is held to max_total_size too: 2 MiB ok, one more page -> EAGAIN (got %s)",
	       mt_errname(ret < 0 ? ret : 0));
	close_ret(ret);
	mt_param_u64("total_size", &total);
	tap_ok(total == room, "total_size counts the live 2 MiB (%llu)", ULL(total));
	close_ret(fd);
	mt_set_param_u64("max_total_size", cap);
	mt_param_u64("total_size", &total);
	tap_ok(total == 0, "total_size back to 0 after close (%llu)", ULL(total));
}

/*
 * Allocates from every RAM backend a user may use, maps some, exports
 * one, leaves a grandchild holding a mapping until @hold closes, and then
 * exits (or waits to be killed) without closing anything.
 */
struct holder {
	int hold[2];	/* the grandchild lives until this pipe's EOF */
	bool grandchild;
	bool wait_for_kill;
};

static int holder_child(void *arg)
{
	static const uint32_t backends[] = {
		MOSAIC_BACKEND_PAGES, MOSAIC_BACKEND_COMPOUND, MOSAIC_BACKEND_SPLIT,
		MOSAIC_BACKEND_VMALLOC, MOSAIC_BACKEND_STREAMING,
		MOSAIC_BACKEND_COHERENT, MOSAIC_BACKEND_NONCONTIG,
	};
	struct holder *h = arg;
	size_t each = MT_MiB;
	void *m = MAP_FAILED;

	for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++) {
		int fd = alloc(each, backends[i]);

		rep->step[i] = fd < 0 ? fd : 0;
		if (fd < 0)
			continue;
		if (i % 2 == 0) {
			m = mmap(NULL, each, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
			if (m != MAP_FAILED)
				memset(m, 0x5a, each);
		}
		if (i == 1) {
			struct mosaic_export e = { .argsz = sizeof(e) };

			rep->step[8] = mt_ioctl(fd, MOSAIC_IOC_EXPORT, &e) < 0 ? -errno : 0;
		}
	}
	if (h->grandchild) {
		pid_t pid = fork();

		if (pid == 0) {
			char c;

			/* Only the mappings, inherited: no buffer or dma-buf fd. */
			for (int fd = 3; fd < 256; fd++)
				if (fd != h->hold[0])
					close(fd);
			/* Holds the mappings until EOF. */
			while (read(h->hold[0], &c, 1) > 0)
				;
			_exit(0);
		}
		rep->step[9] = pid < 0 ? -errno : 0;
	}
	rep->ready = 1;
	if (h->wait_for_kill)
		for (;;)
			pause();
	return 0;
}

/* Poll until the ledger is back to @base (exit is asynchronous for us). */
static bool ledger_back(const struct mosaic_stats *base, int secs)
{
	struct mosaic_stats now;

	for (int i = 0; i < secs * 10; i++) {
		if (mt_stats(dev, &now) == 0 &&
		    mt_stats_delta_is(base, &now, 0, 0, 0))
			return true;
		if (i == 0)
			fflush(stdout);
		usleep(100000);
	}
	return mt_ledger_is(dev, base, 0, 0, 0);
}

static int full_limit_child(void *arg)
{
	uint64_t size = *(uint64_t *)arg;

	rep->step[0] = close_ret(alloc(size, MOSAIC_BACKEND_PAGES));
	return 0;
}

/* Can a fresh process of the user allocate @size now? 0 or -errno. */
static int user_can_alloc(uint64_t size)
{
	int st = as_user(full_limit_child, &size, EXIT_LIMIT);

	return st ? -ECHILD : rep->step[0];
}

static void test_exit(void)
{
	struct holder h = { .grandchild = true };
	struct mosaic_stats base;
	uint64_t total = 1;
	int st, ret;

	mt_stats(dev, &base);
	if (pipe(h.hold))
		tap_bail("pipe: %s", strerror(errno));
	st = as_user(holder_child, &h, EXIT_LIMIT);
	close(h.hold[0]);
	ret = 0;
	/* noncontig needs dma_alloc_noncontiguous() (5.12) */
	for (int i = 0; i < 7; i++)
		if (rep->step[i] && rep->step[i] != -EOPNOTSUPP && !ret)
			ret = rep->step[i];
	tap_ok(st == 0 && ret == 0 && rep->step[8] == 0 && rep->step[9] == 0,
	       "user allocates 7 x 1 MiB (every RAM backend), maps, exports, forks, exits (%s)",
	       mt_errname(ret));
	/* The grandchild's mapping keeps one buffer, and its charge. */
	ret = user_can_alloc(EXIT_LIMIT);
	tap_ok(ret == -ENOMEM,
	       "while a grandchild holds a mapping, the user cannot allocate its full limit (%s)",
	       mt_errname(ret));
	close(h.hold[1]);
	tap_ok(ledger_back(&base, 20), "after the grandchild exits the ledger is back to the start");
	mt_param_u64("total_size", &total);
	tap_ok(total == 0, "total_size back to 0 (%llu)", ULL(total));
	ret = user_can_alloc(EXIT_LIMIT);
	tap_ok(ret == 0, "the user's whole RLIMIT_MEMLOCK is free again (%s)",
	       mt_errname(ret));
}

/* Killed as an OOM killer kills: SIGKILL, then reap the mm at once. */
static void test_kill(void)
{
	struct holder h = { .wait_for_kill = true };
	struct mosaic_stats base;
	int pidfd, status = 0, ret;
	uint64_t total = 1;
	pid_t pid;

	mt_stats(dev, &base);
	memset(rep, 0, sizeof(*rep));
	pid = mt_fork();
	if (pid == 0) {
		if (unpriv_drop(EXIT_LIMIT))
			_exit(100);
		alarm(60);
		_exit(holder_child(&h));
	}
	for (int i = 0; i < 600 && !rep->ready; i++)
		usleep(100000);
	tap_ok(rep->ready && !rep->step[0], "user child holds 7 buffers, mapped and exported");
	pidfd = syscall(SYS_pidfd_open, pid, 0);
	ret = pidfd >= 0 ? syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0) : -1;
	if (ret == 0) {
		/* What lmkd and systemd-oomd do: reap the victim's mm now. */
		siginfo_t si;
		int mr;

		/* EINVAL until the victim is marked as dying; stop once it is gone. */
		for (int i = 0; i < 1000; i++) {
			mr = syscall(SYS_process_mrelease, pidfd, 0);
			memset(&si, 0, sizeof(si));
			if (mr == 0 || errno != EINVAL ||
			    waitid(P_PID, pid, &si, WEXITED | WNOHANG | WNOWAIT) ||
			    si.si_pid)
				break;
			usleep(1000);
		}
		tap_diag("process_mrelease: %s", mr == 0 ? "reaped" : strerror(errno));
	} else {
		kill(pid, SIGKILL);
	}
	waitpid(pid, &status, 0);
	tap_ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	       "the child was killed by SIGKILL (status %#x)", status);
	if (pidfd >= 0)
		close(pidfd);
	tap_ok(ledger_back(&base, 20), "after the kill the ledger is back to the start");
	mt_param_u64("total_size", &total);
	tap_ok(total == 0, "total_size back to 0 (%llu)", ULL(total));
	ret = user_can_alloc(EXIT_LIMIT);
	tap_ok(ret == 0, "the killed user's whole RLIMIT_MEMLOCK is free again (%s)",
	       mt_errname(ret));
}

/* The kernel's OOM killer, in a memory cgroup. */
/*
 * Whether the kernel log since @fd was positioned says the OOM killer
 * acted: its report ("invoked oom-killer") and the kill of @pid.
 */
static bool kmsg_saw_oom_kill(int fd, pid_t pid)
{
	char rec[2048], killed[48];
	bool report = false, kill = false;
	ssize_t n;

	snprintf(killed, sizeof(killed), "Killed process %d ", (int)pid);
	while (fd >= 0 && (n = read(fd, rec, sizeof(rec) - 1)) != 0) {
		if (n < 0) {
			if (errno == EPIPE)	/* overwritten records: go on */
				continue;
			break;			/* EAGAIN: read them all */
		}
		rec[n] = '\0';
		report |= strstr(rec, "invoked oom-killer") != NULL;
		kill |= strstr(rec, killed) != NULL;
	}
	return report && kill;
}

static void test_oom(void)
{
	const char *cg = "/sys/fs/cgroup/t51";
	struct mosaic_stats base;
	int status = 0, kmsg;
	pid_t pid;

	mkdir("/sys/fs/cgroup", 0755);
	mount("cgroup2", "/sys/fs/cgroup", "cgroup2", 0, NULL);
	mt_write_file("/sys/fs/cgroup/cgroup.subtree_control", "+memory");
	mkdir(cg, 0755);
	if (mt_write_file("/sys/fs/cgroup/t51/memory.max", "33554432")) {
		tap_skip("no cgroup2 memory controller", "killed by the kernel's OOM killer");
		return;
	}
	mt_stats(dev, &base);
	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg >= 0 && lseek(kmsg, 0, SEEK_END) < 0) {
		close(kmsg);
		kmsg = -1;
	}
	/* The markers vm/log-scan knows: the OOM report's stack is ours. */
	mt_write_file("/dev/kmsg", "mosaic-test: an OOM kill report is expected from here\n");
	pid = mt_fork();
	if (pid == 0) {
		struct holder h = { 0 };
		char num[16];

		snprintf(num, sizeof(num), "%d", getpid());
		mt_write_file("/sys/fs/cgroup/t51/cgroup.procs", num);
		mt_write_file("/proc/self/oom_score_adj", "1000");
		if (unpriv_drop(EXIT_LIMIT))
			_exit(100);
		holder_child(&h);
		for (size_t n = 0;; n += MT_MiB) {
			char *p = mmap(NULL, MT_MiB, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			if (p != MAP_FAILED)
				memset(p, 1, MT_MiB);
		}
	}
	waitpid(pid, &status, 0);
	mt_write_file("/dev/kmsg", "mosaic-test: no OOM kill report is expected from here\n");
	tap_ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	       "the child was killed by SIGKILL (status %#x)", status);
	tap_ok(kmsg_saw_oom_kill(kmsg, pid),
	       "the kernel log has the OOM killer's report and its kill of the child");
	if (kmsg >= 0)
		close(kmsg);
	tap_ok(ledger_back(&base, 20), "after the OOM kill the ledger is back to the start");
	rmdir(cg);
}

int main(void)
{
	struct mosaic_stats base;

	tap_diag("t51_limits: max_total_size and RLIMIT_MEMLOCK, returned on exit and kill");
	dev = mt_open_dev_baseline(&base);
	rep = mt_shared(sizeof(*rep));

	test_memlock();
	test_ipc_lock();
	test_global_cap();
	test_exit();
	test_kill();
	test_oom();

	return mt_end_ledger_back(dev, &base,
				  "ledger back to the start at the end");
}
