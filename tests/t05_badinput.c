// SPDX-License-Identifier: GPL-2.0
/*
 * t05_badinput: every malformed request is refused with its exact errno,
 * and a refused request leaks nothing (no buffer, page, map or fd).
 *
 * One test point per case. The rules come from the DOC comments of
 * include/uapi/linux/mosaic.h: argsz from the first published size up to a
 * page, unknown tail bytes must be zero (E2BIG), unknown flags and non-zero
 * reserved fields are EINVAL, size 0 is EINVAL, too big is EFBIG, only
 * MAP_SHARED inside the buffer can be mapped. Out fields are the other
 * way round: ignored on input, for every ioctl alike.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mosaic_test.h"
#include "tap.h"
#include "unpriv.h"

#define MAX_FDS	256	/* fds scanned for leaks; the test opens only a few */
#define BUF_NP	16
#define BUF_SIZE (BUF_NP * MT_PAGE)

static int dev;
static int bfd;			/* a valid buffer for the buffer-fd cases */
static unsigned char *argbuf;	/* 2 RW pages followed by 1 PROT_NONE page */

/*
 * Run one ioctl that must fail with @want and must not change the ledger or
 * the process's fd table. If it unexpectedly succeeds and returns an fd,
 * that fd is closed again so later cases start clean.
 */
static void expect_err(int fd, unsigned long req, void *arg, int want,
		       const char *fmt, ...) TAP_PRINTF(5, 6);
static void expect_err(int fd, unsigned long req, void *arg, int want,
		       const char *fmt, ...)
{
	struct mosaic_stats before, after;
	bool open_before[MAX_FDS], leaked = false, ledger;
	int ret, err, sret;
	char desc[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(desc, sizeof(desc), fmt, ap);
	va_end(ap);

	for (int i = 0; i < MAX_FDS; i++)
		open_before[i] = fcntl(i, F_GETFD) >= 0;
	sret = mt_stats(dev, &before);
	errno = 0;
	ret = ioctl(fd, req, arg);
	err = ret < 0 ? errno : 0;
	/*
	 * Any fd that appeared is a leak on failure (or the product of an
	 * unexpected success). Close it, so it does not pin a buffer and
	 * spoil the ledger checks of the cases after this one.
	 */
	for (int i = 0; i < MAX_FDS; i++) {
		if (!open_before[i] && fcntl(i, F_GETFD) >= 0) {
			if (ret < 0) {
				tap_diag("failed ioctl left a new fd %d behind", i);
				leaked = true;
			}
			close(i);
		}
	}
	if (sret == 0)
		sret = mt_stats(dev, &after);
	ledger = sret == 0 && mt_stats_delta_is(&before, &after, 0, 0, 0);
	/* The ledger after the leaked fd was closed: is anything left for good? */
	if (leaked && sret == 0)
		tap_diag("after closing the leaked fd the ledger is %s",
			 mt_ledger_is(dev, &before, 0, 0, 0) ? "back" : "still off");
	tap_ok(ret < 0 && err == want && ledger && !leaked,
	       "%s -> %s (got %s%s%s)", desc, mt_errname(want),
	       ret < 0 ? mt_errname(err) : "success",
	       leaked ? ", but a new fd was left open" : "",
	       ledger ? "" : ", ledger changed");
}

/*
 * argbuf holding @arg at its start and zeros after it (the bytes past a
 * struct are what an oversized argsz makes the kernel read).
 */
static void *argbuf_with(const void *arg, size_t size)
{
	memset(argbuf, 0, 2 * MT_PAGE);
	memcpy(argbuf, arg, size);
	return argbuf;
}

/* argbuf holding a @type built from the designated initializers given. */
#define ARGBUF(type, ...) \
	((type *)argbuf_with(&(type){ .argsz = sizeof(type), __VA_ARGS__ }, \
			     sizeof(type)))

/* A valid ALLOC argument at the start of argbuf; the rest zeroed. */
static struct mosaic_alloc *alloc_arg(void)
{
	return ARGBUF(struct mosaic_alloc, .size = 16 * MT_PAGE,
		      .backend = MOSAIC_BACKEND_PAGES,
		      .strategy = MOSAIC_STRATEGY_AUTO, .fd = -1);
}

static struct mosaic_pattern *pattern_arg(uint64_t off, uint64_t len)
{
	return ARGBUF(struct mosaic_pattern, .offset = off, .length = len,
		      .seed = 42);
}

static struct mosaic_refs *refs_arg(uint64_t off, uint64_t len)
{
	return ARGBUF(struct mosaic_refs, .offset = off, .length = len);
}

static struct mosaic_info *info_arg(void)
{
	return ARGBUF(struct mosaic_info);
}

static struct mosaic_stats *stats_arg(void)
{
	return ARGBUF(struct mosaic_stats);
}

/* An ALLOC that must be accepted (forward compatibility), then released. */
static void expect_alloc_ok(uint32_t argsz, const char *desc)
{
	struct mosaic_stats before;
	struct mosaic_alloc *a = alloc_arg();
	struct mosaic_info info;
	int ret, iret = -1;

	a->argsz = argsz;
	mt_stats(dev, &before);
	ret = mt_ioctl(dev, MOSAIC_IOC_ALLOC, a);
	if (ret >= 0) {
		/* .fd is the documented out field (t01 checks the return value). */
		ret = a->fd;
		iret = mt_info(ret, &info);
		close(ret);
	}
	tap_ok(ret >= 0 && iret == 0 && info.size == 16 * MT_PAGE &&
	       mt_ledger_is(dev, &before, 0, 0, 0),
	       "%s is accepted and gives a working 16-page buffer (%s)", desc,
	       mt_errname(ret < 0 ? ret : 0));
}

/* mmap that must fail with @want and must not add a map to the ledger. */
static void expect_mmap_err(size_t len, off_t off, int prot, int flags, int want,
			    const char *desc)
{
	struct mosaic_stats before;
	void *p;
	int err;

	mt_stats(dev, &before);
	/* Raw syscall: libc must not pre-check anything, the kernel answers. */
	errno = 0;
	p = (void *)syscall(SYS_mmap, NULL, len, prot, flags, bfd, off);
	err = p == MAP_FAILED ? errno : 0;
	if (p != MAP_FAILED)
		munmap(p, len);
	tap_ok(p == MAP_FAILED && err == want && mt_ledger_is(dev, &before, 0, 0, 0),
	       "%s -> %s (got %s)", desc, mt_errname(want),
	       p == MAP_FAILED ? mt_errname(err) : "success");
}

/* Exec'd copy of ourselves: is fd N still open after execve? */
static int cloexec_probe(const char *arg)
{
	int fd = atoi(arg);

	return fcntl(fd, F_GETFD) < 0 && errno == EBADF ? 0 : 1;
}

static void test_cloexec(void)
{
	int fd = mt_alloc(dev, 16 * MT_PAGE, MOSAIC_BACKEND_PAGES, MOSAIC_STRATEGY_AUTO);
	int fl, status = -1;
	char num[16];
	pid_t pid;

	fl = fd >= 0 ? fcntl(fd, F_GETFD) : -1;
	tap_ok(fd >= 0 && fl >= 0 && (fl & FD_CLOEXEC),
	       "buffer fd from ALLOC has FD_CLOEXEC (F_GETFD %#x)", fl);
	if (fd < 0) {
		tap_skip("no buffer fd", "buffer fd is closed across execve");
		return;
	}
	/* Prove the flag works: a re-exec'd copy of this program must not have it. */
	snprintf(num, sizeof(num), "%d", fd);
	pid = mt_fork();
	if (pid == 0) {
		execl("/proc/self/exe", "t05_badinput", "--cloexec-probe", num, (char *)NULL);
		_exit(99);
	}
	if (pid > 0)
		waitpid(pid, &status, 0);
	if (pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 99)
		tap_skip("cannot re-exec /proc/self/exe", "buffer fd is closed across execve");
	else
		tap_ok(pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
		       "buffer fd is closed across execve (probe status %#x)", status);
	close(fd);
}

static void test_alloc(void)
{
	static const struct {
		uint32_t backend, strategy;
		const char *what;
	} bad_kinds[] = {
		{ 0, MOSAIC_STRATEGY_AUTO, "ALLOC backend = 0" },
		{ MOSAIC_BACKEND_PAGES + 1000, MOSAIC_STRATEGY_AUTO,
		  "ALLOC backend = 1001 (unknown)" },
		{ UINT32_MAX, MOSAIC_STRATEGY_AUTO, "ALLOC backend = 0xffffffff" },
		{ MOSAIC_BACKEND_PAGES, MOSAIC_STRATEGY_MAX + 1,
		  "ALLOC strategy = MAX + 1 (unknown)" },
		{ MOSAIC_BACKEND_PAGES, 1000, "ALLOC strategy = 1000 (unknown)" },
		{ MOSAIC_BACKEND_PAGES, UINT32_MAX, "ALLOC strategy = 0xffffffff" },
	};
	struct mosaic_alloc *a;
	uint64_t max = 0;
	int ret;

	/* flags */
	a = alloc_arg(); a->flags = 2;
	expect_err(dev, MOSAIC_IOC_ALLOC, a, EINVAL, "ALLOC flags = 2 (unknown flag)");
	a = alloc_arg(); a->flags = MOSAIC_ALLOC_READ_ONLY | 2;
	expect_err(dev, MOSAIC_IOC_ALLOC, a, EINVAL, "ALLOC flags = READ_ONLY | 2 (one unknown flag)");
	a = alloc_arg(); a->flags = 0x80000000u;
	expect_err(dev, MOSAIC_IOC_ALLOC, a, EINVAL, "ALLOC flags = 0x80000000 (unknown flag)");

	/* reserved fields */
	/* backend knobs the pages backend does not take must stay zero */
	a = alloc_arg(); a->max_order = 1;
	expect_err(dev, MOSAIC_IOC_ALLOC, a, EINVAL, "ALLOC pages with max_order = 1");
	a = alloc_arg(); a->chunk_size = 1 << 20;
	expect_err(dev, MOSAIC_IOC_ALLOC, a, EINVAL, "ALLOC pages with chunk_size = 1 MiB");
	a = alloc_arg(); a->device = (uintptr_t)"0000:00:00.0";
	expect_err(dev, MOSAIC_IOC_ALLOC, a, EINVAL, "ALLOC pages with a device name");
	a = alloc_arg(); a->bar = 2;
	expect_err(dev, MOSAIC_IOC_ALLOC, a, EINVAL, "ALLOC pages with bar = 2 (mmio only)");
	a = alloc_arg(); a->cache = MOSAIC_CACHE_WC;
	expect_err(dev, MOSAIC_IOC_ALLOC, a, EINVAL, "ALLOC pages with cache = WC (mmio only)");
	for (int i = 0; i < (int)(sizeof(a->__reserved) / sizeof(a->__reserved[0])); i++) {
		a = alloc_arg();
		a->__reserved[i] = 1ULL << 63;
		expect_err(dev, MOSAIC_IOC_ALLOC, a, EINVAL, "ALLOC __reserved[%d] != 0", i);
	}

	/* argsz */
	a = alloc_arg(); a->argsz = MOSAIC_ALLOC_SIZE_VER0 - 8;
	expect_err(dev, MOSAIC_IOC_ALLOC, a, EINVAL, "ALLOC argsz = VER0 - 8 (too small)");
	a = alloc_arg(); a->argsz = 0;
	expect_err(dev, MOSAIC_IOC_ALLOC, a, EINVAL, "ALLOC argsz = 0");
	a = alloc_arg(); a->argsz = sizeof(*a) + 8;
	argbuf[sizeof(*a)] = 1;
	expect_err(dev, MOSAIC_IOC_ALLOC, a, E2BIG,
		   "ALLOC argsz = sizeof + 8 with a non-zero byte right after the struct");
	a = alloc_arg(); a->argsz = 4096;
	argbuf[4095] = 0x80;
	expect_err(dev, MOSAIC_IOC_ALLOC, a, E2BIG,
		   "ALLOC argsz = 4096 with a non-zero last byte");
	a = alloc_arg(); a->argsz = 4096 + 8;	/* tail all zero: size alone is refused */
	expect_err(dev, MOSAIC_IOC_ALLOC, a, E2BIG, "ALLOC argsz = 4104 (> one page), zero tail");
	a = alloc_arg(); a->argsz = UINT32_MAX;
	expect_err(dev, MOSAIC_IOC_ALLOC, a, E2BIG, "ALLOC argsz = 0xffffffff");
	expect_alloc_ok(sizeof(struct mosaic_alloc) + 8, "ALLOC argsz = sizeof + 8 with a zero tail");
	expect_alloc_ok(4096, "ALLOC argsz = 4096 with a zero tail");

	/* size */
	a = alloc_arg(); a->size = 0;
	expect_err(dev, MOSAIC_IOC_ALLOC, a, EINVAL, "ALLOC size = 0");
	ret = mt_param_u64("max_buffer_size", &max);
	if (ret == 0) {
		tap_diag("max_buffer_size = %llu", ULL(max));
		a = alloc_arg(); a->size = max + 1;
		expect_err(dev, MOSAIC_IOC_ALLOC, a, EFBIG, "ALLOC size = max_buffer_size + 1");
	} else {
		tap_skip("cannot read /sys/module/mosaic/parameters/max_buffer_size",
			 "ALLOC size = max_buffer_size + 1 -> EFBIG");
	}
	a = alloc_arg(); a->size = UINT64_MAX;
	expect_err(dev, MOSAIC_IOC_ALLOC, a, EFBIG, "ALLOC size = 2^64-1");
	a = alloc_arg(); a->size = UINT64_MAX - MT_PAGE + 2;	/* page round-up would wrap to 0 */
	expect_err(dev, MOSAIC_IOC_ALLOC, a, EFBIG, "ALLOC size whose page round-up overflows");

	/* backend / strategy: unknown values, the other one valid */
	for (size_t i = 0; i < sizeof(bad_kinds) / sizeof(bad_kinds[0]); i++) {
		a = alloc_arg();
		a->backend = bad_kinds[i].backend;
		a->strategy = bad_kinds[i].strategy;
		expect_err(dev, MOSAIC_IOC_ALLOC, a, EINVAL, bad_kinds[i].what);
	}

	/* bad pointers */
	expect_err(dev, MOSAIC_IOC_ALLOC, NULL, EFAULT, "ALLOC with a NULL argument");
	expect_err(dev, MOSAIC_IOC_ALLOC, argbuf + 2 * MT_PAGE, EFAULT,
		   "ALLOC with an argument in a PROT_NONE page");
	a = (struct mosaic_alloc *)(argbuf + 2 * MT_PAGE - sizeof(*a));
	memset(argbuf, 0, 2 * MT_PAGE);
	a->argsz = 4096;
	a->size = 16 * MT_PAGE;
	a->backend = MOSAIC_BACKEND_PAGES;
	expect_err(dev, MOSAIC_IOC_ALLOC, a, EFAULT,
		   "ALLOC argsz = 4096 whose tail runs into a PROT_NONE page");

	/*
	 * The struct is readable but not writable: the buffer gets made, then
	 * copying .fd back fails. The fd must not stay installed and the
	 * buffer must be freed.
	 */
	{
		struct mosaic_alloc *ro = mmap(NULL, MT_PAGE, PROT_READ | PROT_WRITE,
					       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (ro == MAP_FAILED)
			tap_bail("mmap: %s", strerror(errno));
		ro->argsz = sizeof(*ro);
		ro->size = 16 * MT_PAGE;
		ro->backend = MOSAIC_BACKEND_PAGES;
		ro->fd = -1;
		mprotect(ro, MT_PAGE, PROT_READ);
		expect_err(dev, MOSAIC_IOC_ALLOC, ro, EFAULT,
			   "ALLOC with a read-only argument (copy-out of .fd fails), no fd or buffer leaked");
		munmap(ro, MT_PAGE);
	}

	/* unknown ioctl numbers on /dev/mosaic */
	expect_err(dev, _IO(MOSAIC_IOC_MAGIC, 0x7f), argbuf, ENOTTY, "/dev/mosaic: unknown ioctl nr 0x7f");
	expect_err(dev, _IO('X', 0x00), argbuf, ENOTTY, "/dev/mosaic: ioctl with another magic");
	a = alloc_arg();
	expect_err(dev, _IO(MOSAIC_IOC_MAGIC, 0x00), a, ENOTTY,
		   "/dev/mosaic: ALLOC's nr without its size and direction (a different request)");
	a = alloc_arg();
	expect_err(dev, _IOW(MOSAIC_IOC_MAGIC, 0x00, struct mosaic_alloc), a, ENOTTY,
		   "/dev/mosaic: ALLOC's nr and size, write-only direction");
	a = alloc_arg();
	expect_err(dev, _IOC(_IOC_READ | _IOC_WRITE, MOSAIC_IOC_MAGIC, 0x00,
			     sizeof(struct mosaic_alloc) + 8), a, ENOTTY,
		   "/dev/mosaic: ALLOC's nr with a larger size encoded");
	a = alloc_arg();
	expect_err(dev, _IO('M', 0x00), a, ENOTTY,
		   "/dev/mosaic: the pre-v1 ALLOC number ('M', no size) is gone");
}

static void test_buffer_ioctls(void)
{
	struct mosaic_pattern *p;
	struct mosaic_refs *r;
	struct mosaic_info *in;
	struct mosaic_stats *s;

	/* FILL / VERIFY ranges */
	p = pattern_arg(4, 64);
	expect_err(bfd, MOSAIC_TEST_IOC_FILL, p, EINVAL, "FILL offset 4 (not a multiple of 8)");
	p = pattern_arg(0, 12);
	expect_err(bfd, MOSAIC_TEST_IOC_FILL, p, EINVAL, "FILL length 12 (not a multiple of 8)");
	p = pattern_arg(BUF_SIZE, 8);
	expect_err(bfd, MOSAIC_TEST_IOC_FILL, p, EINVAL, "FILL offset == buffer size");
	p = pattern_arg(BUF_SIZE - 8, 16);
	expect_err(bfd, MOSAIC_TEST_IOC_FILL, p, EINVAL, "FILL range ending one word past the buffer");
	p = pattern_arg(0, BUF_SIZE + MT_PAGE);
	expect_err(bfd, MOSAIC_TEST_IOC_FILL, p, EINVAL, "FILL length bigger than the buffer");
	p = pattern_arg(UINT64_MAX - 7, 16);
	expect_err(bfd, MOSAIC_TEST_IOC_FILL, p, EINVAL, "FILL offset 2^64-8 (offset+length wraps)");
	p = pattern_arg(8, UINT64_MAX - 7);
	expect_err(bfd, MOSAIC_TEST_IOC_FILL, p, EINVAL, "FILL length 2^64-8 (offset+length wraps)");
	p = pattern_arg(4, 64);
	expect_err(bfd, MOSAIC_TEST_IOC_VERIFY, p, EINVAL, "VERIFY offset 4 (not a multiple of 8)");
	p = pattern_arg(0, 20);
	expect_err(bfd, MOSAIC_TEST_IOC_VERIFY, p, EINVAL, "VERIFY length 20 (not a multiple of 8)");
	p = pattern_arg(MT_PAGE, BUF_SIZE);
	expect_err(bfd, MOSAIC_TEST_IOC_VERIFY, p, EINVAL, "VERIFY range past the end of the buffer");
	p = pattern_arg(UINT64_MAX - 7, 16);
	expect_err(bfd, MOSAIC_TEST_IOC_VERIFY, p, EINVAL, "VERIFY offset 2^64-8 (offset+length wraps)");

	/* REFS ranges */
	r = refs_arg(8, MT_PAGE);
	expect_err(bfd, MOSAIC_TEST_IOC_REFS, r, EINVAL, "REFS offset 8 (not page aligned)");
	r = refs_arg(0, MT_PAGE + 8);
	expect_err(bfd, MOSAIC_TEST_IOC_REFS, r, EINVAL, "REFS length not page aligned");
	r = refs_arg(BUF_SIZE - MT_PAGE, 2 * MT_PAGE);
	expect_err(bfd, MOSAIC_TEST_IOC_REFS, r, EINVAL, "REFS range past the end of the buffer");
	r = refs_arg(UINT64_MAX - MT_PAGE + 1, 2 * MT_PAGE);
	expect_err(bfd, MOSAIC_TEST_IOC_REFS, r, EINVAL, "REFS offset+length wraps");

	/* flags != 0 */
	in = info_arg(); in->flags = 1;
	expect_err(bfd, MOSAIC_IOC_INFO, in, EINVAL, "INFO flags = 1");
	r = refs_arg(0, MT_PAGE); r->flags = 1;
	expect_err(bfd, MOSAIC_TEST_IOC_REFS, r, EINVAL, "REFS flags = 1");
	p = pattern_arg(0, 64); p->flags = 1;
	expect_err(bfd, MOSAIC_TEST_IOC_FILL, p, EINVAL, "FILL flags = 1");
	p = pattern_arg(0, 64); p->flags = 0x100;
	expect_err(bfd, MOSAIC_TEST_IOC_VERIFY, p, EINVAL, "VERIFY flags = 0x100");
	s = stats_arg(); s->flags = 1;
	expect_err(dev, MOSAIC_IOC_STATS, s, EINVAL, "STATS flags = 1");

	/* reserved != 0 */
	in = info_arg(); in->__reserved[0] = 1;
	expect_err(bfd, MOSAIC_IOC_INFO, in, EINVAL, "INFO __reserved[0] != 0");
	p = pattern_arg(0, 64); p->__reserved[1] = 1;
	expect_err(bfd, MOSAIC_TEST_IOC_FILL, p, EINVAL, "FILL __reserved[1] != 0");
	r = refs_arg(0, MT_PAGE); r->__reserved[0] = 1;
	expect_err(bfd, MOSAIC_TEST_IOC_REFS, r, EINVAL, "REFS __reserved[0] != 0");
	s = stats_arg(); s->__reserved[3] = 1;
	expect_err(dev, MOSAIC_IOC_STATS, s, EINVAL, "STATS __reserved[3] != 0");

	/* argsz below the first version, for each struct */
	in = info_arg(); in->argsz = MOSAIC_INFO_SIZE_VER0 - 8;
	expect_err(bfd, MOSAIC_IOC_INFO, in, EINVAL, "INFO argsz = VER0 - 8");
	p = pattern_arg(0, 64); p->argsz = MOSAIC_PATTERN_SIZE_VER0 - 8;
	expect_err(bfd, MOSAIC_TEST_IOC_FILL, p, EINVAL, "FILL argsz = VER0 - 8");
	r = refs_arg(0, MT_PAGE); r->argsz = MOSAIC_REFS_SIZE_VER0 - 8;
	expect_err(bfd, MOSAIC_TEST_IOC_REFS, r, EINVAL, "REFS argsz = VER0 - 8");
	s = stats_arg(); s->argsz = MOSAIC_STATS_SIZE_VER0 - 8;
	expect_err(dev, MOSAIC_IOC_STATS, s, EINVAL, "STATS argsz = VER0 - 8");
	p = pattern_arg(0, 64); p->argsz = sizeof(*p) + 8;
	argbuf[sizeof(*p) + 3] = 1;
	expect_err(bfd, MOSAIC_TEST_IOC_VERIFY, p, E2BIG, "VERIFY argsz = sizeof + 8 with a non-zero tail");

	/* bad pointers */
	expect_err(bfd, MOSAIC_IOC_INFO, NULL, EFAULT, "INFO with a NULL argument");
	expect_err(bfd, MOSAIC_TEST_IOC_FILL, NULL, EFAULT, "FILL with a NULL argument");
	expect_err(bfd, MOSAIC_TEST_IOC_VERIFY, argbuf + 2 * MT_PAGE, EFAULT,
		   "VERIFY with an argument in a PROT_NONE page");
	expect_err(bfd, MOSAIC_TEST_IOC_REFS, NULL, EFAULT, "REFS with a NULL argument");
	expect_err(dev, MOSAIC_IOC_STATS, NULL, EFAULT, "STATS with a NULL argument");

	/* unknown ioctl numbers on a buffer fd */
	expect_err(bfd, _IO(MOSAIC_IOC_MAGIC, 0x7f), argbuf, ENOTTY, "buffer fd: unknown ioctl nr 0x7f");
	expect_err(bfd, _IO('X', 0x11), argbuf, ENOTTY, "buffer fd: ioctl with another magic");

	/* None of the refused FILLs may have written anything. */
	{
		uint64_t nz = UINT64_MAX;
		void *m = mmap(NULL, BUF_SIZE, PROT_READ, MAP_SHARED, bfd, 0);

		if (m != MAP_FAILED) {
			nz = mt_count_nonzero(m, BUF_SIZE);
			munmap(m, BUF_SIZE);
		}
		tap_ok(nz == 0, "refused FILLs left the buffer all zero (%llu non-zero words)", ULL(nz));
	}
}

static struct mosaic_sync *sync_arg(void)
{
	return ARGBUF(struct mosaic_sync, .flags = MOSAIC_SYNC_BEGIN,
		      .length = MT_PAGE, .direction = MOSAIC_SYNC_RW);
}

static struct mosaic_export *export_arg(void)
{
	return ARGBUF(struct mosaic_export, .fd = -1);
}

static struct mosaic_seg_entry seg_room[BUF_NP];

static struct mosaic_segments *segments_arg(void)
{
	return ARGBUF(struct mosaic_segments, .count = BUF_NP,
		      .entries = (uintptr_t)seg_room,
		      .entry_size = sizeof(struct mosaic_seg_entry));
}

/* SYNC, EXPORT and SEGMENTS: the buffer-fd ioctls added after the first four. */
static void test_more_buffer_ioctls(void)
{
	struct mosaic_segments *g;
	struct mosaic_export *e;
	struct mosaic_sync *y;

	y = sync_arg(); y->flags = 0;
	expect_err(bfd, MOSAIC_IOC_SYNC, y, EINVAL, "SYNC flags = 0 (neither BEGIN nor END)");
	y = sync_arg(); y->flags = MOSAIC_SYNC_BEGIN | MOSAIC_SYNC_END;
	expect_err(bfd, MOSAIC_IOC_SYNC, y, EINVAL, "SYNC flags = BEGIN | END");
	y = sync_arg(); y->flags = 4;
	expect_err(bfd, MOSAIC_IOC_SYNC, y, EINVAL, "SYNC flags = 4 (unknown)");
	y = sync_arg(); y->direction = 0;
	expect_err(bfd, MOSAIC_IOC_SYNC, y, EINVAL, "SYNC direction = 0");
	y = sync_arg(); y->direction = 4;
	expect_err(bfd, MOSAIC_IOC_SYNC, y, EINVAL, "SYNC direction = 4 (unknown)");
	y = sync_arg(); y->length = 0;
	expect_err(bfd, MOSAIC_IOC_SYNC, y, EINVAL, "SYNC length = 0");
	y = sync_arg(); y->offset = BUF_SIZE - 8; y->length = 16;
	expect_err(bfd, MOSAIC_IOC_SYNC, y, EINVAL, "SYNC range ending past the buffer");
	y = sync_arg(); y->offset = UINT64_MAX - 7; y->length = 16;
	expect_err(bfd, MOSAIC_IOC_SYNC, y, EINVAL, "SYNC offset + length wraps");
	y = sync_arg(); y->__pad = 1;
	expect_err(bfd, MOSAIC_IOC_SYNC, y, EINVAL, "SYNC __pad != 0");
	y = sync_arg(); y->__reserved[1] = 1;
	expect_err(bfd, MOSAIC_IOC_SYNC, y, EINVAL, "SYNC __reserved[1] != 0");
	y = sync_arg(); y->argsz = MOSAIC_SYNC_SIZE_VER0 - 8;
	expect_err(bfd, MOSAIC_IOC_SYNC, y, EINVAL, "SYNC argsz = VER0 - 8");
	expect_err(bfd, MOSAIC_IOC_SYNC, NULL, EFAULT, "SYNC with a NULL argument");

	e = export_arg(); e->flags = 2;
	expect_err(bfd, MOSAIC_IOC_EXPORT, e, EINVAL, "EXPORT flags = 2 (unknown)");
	e = export_arg(); e->flags = MOSAIC_EXPORT_READ_ONLY | 0x80000000u;
	expect_err(bfd, MOSAIC_IOC_EXPORT, e, EINVAL, "EXPORT flags = READ_ONLY | 0x80000000");
	e = export_arg(); e->__pad = 1;
	expect_err(bfd, MOSAIC_IOC_EXPORT, e, EINVAL, "EXPORT __pad != 0");
	e = export_arg(); e->__reserved[0] = 1;
	expect_err(bfd, MOSAIC_IOC_EXPORT, e, EINVAL, "EXPORT __reserved[0] != 0");
	e = export_arg(); e->offset = 100;
	expect_err(bfd, MOSAIC_IOC_EXPORT, e, EINVAL, "EXPORT offset 100 (not page aligned)");
	e = export_arg(); e->length = MT_PAGE + 8;
	expect_err(bfd, MOSAIC_IOC_EXPORT, e, EINVAL, "EXPORT length not page aligned");
	e = export_arg(); e->offset = BUF_SIZE;
	expect_err(bfd, MOSAIC_IOC_EXPORT, e, EINVAL, "EXPORT offset == buffer size");
	e = export_arg(); e->offset = MT_PAGE; e->length = BUF_SIZE;
	expect_err(bfd, MOSAIC_IOC_EXPORT, e, EINVAL, "EXPORT range past the end of the buffer");
	e = export_arg(); e->offset = UINT64_MAX - MT_PAGE + 1; e->length = 2 * MT_PAGE;
	expect_err(bfd, MOSAIC_IOC_EXPORT, e, EINVAL, "EXPORT offset + length wraps");
	e = export_arg(); e->argsz = MOSAIC_EXPORT_SIZE_VER0 - 8;
	expect_err(bfd, MOSAIC_IOC_EXPORT, e, EINVAL, "EXPORT argsz = VER0 - 8");
	expect_err(bfd, MOSAIC_IOC_EXPORT, NULL, EFAULT, "EXPORT with a NULL argument");

	g = segments_arg(); g->flags = MOSAIC_SEGMENTS_FLAGS << 1;
	expect_err(bfd, MOSAIC_IOC_SEGMENTS, g, EINVAL, "SEGMENTS with the first unknown flag");
	g = segments_arg(); g->entry_size = MOSAIC_SEG_ENTRY_SIZE_VER0 - 1;
	expect_err(bfd, MOSAIC_IOC_SEGMENTS, g, EINVAL, "SEGMENTS entry_size = 39 (below the first version)");
	g = segments_arg(); g->entry_size = 4097;
	expect_err(bfd, MOSAIC_IOC_SEGMENTS, g, EINVAL, "SEGMENTS entry_size = 4097 (above a page)");
	g = segments_arg(); g->__pad = 1;
	expect_err(bfd, MOSAIC_IOC_SEGMENTS, g, EINVAL, "SEGMENTS __pad != 0");
	g = segments_arg(); g->__reserved[0] = 1;
	expect_err(bfd, MOSAIC_IOC_SEGMENTS, g, EINVAL, "SEGMENTS __reserved[0] != 0");
	g = segments_arg(); g->entries = 0;
	expect_err(bfd, MOSAIC_IOC_SEGMENTS, g, EFAULT, "SEGMENTS entries = NULL with count > 0");
	g = segments_arg(); g->entries = 0xffff888000000000ULL;
	expect_err(bfd, MOSAIC_IOC_SEGMENTS, g, EFAULT, "SEGMENTS entries = a kernel address");
	g = segments_arg(); g->entries = (uintptr_t)(argbuf + 2 * MT_PAGE);
	expect_err(bfd, MOSAIC_IOC_SEGMENTS, g, EFAULT, "SEGMENTS entries in a PROT_NONE page");
	g = segments_arg(); g->argsz = MOSAIC_SEGMENTS_SIZE_VER0 - 8;
	expect_err(bfd, MOSAIC_IOC_SEGMENTS, g, EINVAL, "SEGMENTS argsz = VER0 - 8");

	/* the buffer ioctls belong to buffer fds, ALLOC to /dev/mosaic */
	expect_err(dev, MOSAIC_IOC_INFO, info_arg(), ENOTTY, "/dev/mosaic: INFO (a buffer-fd ioctl)");
	expect_err(bfd, MOSAIC_IOC_ALLOC, alloc_arg(), ENOTTY, "buffer fd: ALLOC (a /dev/mosaic ioctl)");
}

/* The backend knobs, each outside its range. */
static void test_alloc_knobs(void)
{
	struct mosaic_alloc *a;

	a = alloc_arg(); a->backend = MOSAIC_BACKEND_COHERENT; a->chunk_size = 3 * MT_PAGE;
	expect_err(dev, MOSAIC_IOC_ALLOC, a, EINVAL, "ALLOC coherent chunk_size = 3 pages (not a power of two)");
	a = alloc_arg(); a->backend = MOSAIC_BACKEND_COHERENT; a->chunk_size = 2048;
	expect_err(dev, MOSAIC_IOC_ALLOC, a, EINVAL, "ALLOC coherent chunk_size = 2 KiB (below a page)");
	a = alloc_arg(); a->backend = MOSAIC_BACKEND_COHERENT; a->chunk_size = 1ULL << 40;
	expect_err(dev, MOSAIC_IOC_ALLOC, a, EINVAL, "ALLOC coherent chunk_size = 1 TiB (above the largest block)");
	a = alloc_arg(); a->backend = MOSAIC_BACKEND_COMPOUND; a->max_order = 64;
	expect_err(dev, MOSAIC_IOC_ALLOC, a, EINVAL, "ALLOC compound max_order = 64");
	a = alloc_arg(); a->backend = MOSAIC_BACKEND_COHERENT; a->strategy = MOSAIC_STRATEGY_INSERT_PAGES;
	expect_err(dev, MOSAIC_IOC_ALLOC, a, EINVAL, "ALLOC coherent with a page strategy (insert-pages)");
	a = alloc_arg(); a->backend = MOSAIC_BACKEND_MMIO;
	expect_err(dev, MOSAIC_IOC_ALLOC, a, EINVAL, "ALLOC mmio without a device");
	a = alloc_arg(); a->backend = MOSAIC_BACKEND_MMIO; a->bar = 6;
	a->device = (uintptr_t)"0000:00:00.0";
	expect_err(dev, MOSAIC_IOC_ALLOC, a, EINVAL, "ALLOC mmio bar = 6");
	a = alloc_arg(); a->backend = MOSAIC_BACKEND_MMIO; a->cache = MOSAIC_CACHE_MAX + 1;
	a->device = (uintptr_t)"0000:00:00.0";
	expect_err(dev, MOSAIC_IOC_ALLOC, a, EINVAL, "ALLOC mmio cache = MAX + 1");
	a = alloc_arg(); a->backend = MOSAIC_BACKEND_STREAMING; a->device = (uintptr_t)"9999:99:99.9";
	expect_err(dev, MOSAIC_IOC_ALLOC, a, ENODEV, "ALLOC streaming for a device that does not exist");
	a = alloc_arg(); a->backend = MOSAIC_BACKEND_STREAMING; a->device = 0xffff888000000000ULL;
	expect_err(dev, MOSAIC_IOC_ALLOC, a, EFAULT, "ALLOC streaming with device = a kernel address");
	a = alloc_arg(); a->backend = MOSAIC_BACKEND_STREAMING;
	a->device = (uintptr_t)(argbuf + 2 * MT_PAGE);
	expect_err(dev, MOSAIC_IOC_ALLOC, a, EFAULT, "ALLOC streaming with device in a PROT_NONE page");
	a = alloc_arg(); a->backend = MOSAIC_BACKEND_STREAMING;
	memset(argbuf + MT_PAGE, 'a', MT_PAGE);
	a->device = (uintptr_t)(argbuf + MT_PAGE);
	expect_err(dev, MOSAIC_IOC_ALLOC, a, EINVAL, "ALLOC streaming with a device name longer than 64 bytes");
}

/* Naming a device needs CAP_SYS_RAWIO: an unprivileged user gets EPERM. */
static void test_unprivileged_device(void)
{
	int *res = mt_shared(sizeof(int));
	pid_t pid;
	int st = -1;

	pid = mt_fork();
	if (pid == 0) {
		struct mosaic_alloc *a = alloc_arg();

		if (unpriv_drop(RLIM_INFINITY))
			_exit(100);
		a->backend = MOSAIC_BACKEND_STREAMING;
		a->device = (uintptr_t)"0000:00:00.0";
		*res = mt_ioctl(dev, MOSAIC_IOC_ALLOC, a);
		if (*res >= 0)
			close(*res);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	tap_ok(st == 0 && *res == -EPERM,
	       "ALLOC naming a PCI device without CAP_SYS_RAWIO -> EPERM (got %s)",
	       *res < 0 ? mt_errname(*res) : "success");
	munmap(res, sizeof(int));
}

/*
 * One rule for out fields on input, the same for every ioctl: they are
 * ignored, and written. The same request twice, once with its out fields
 * zero and once full of garbage, must succeed both times with the same
 * answer, byte for byte.
 */
static void expect_out_ignored(int fd, unsigned long req, const void *clean,
			       const void *dirty, size_t size, const char *what)
{
	unsigned char a[512], b[512];
	int ra, rb;

	memcpy(a, clean, size);
	memcpy(b, dirty, size);
	ra = mt_ioctl(fd, req, a);
	rb = mt_ioctl(fd, req, b);
	tap_ok(ra == 0 && rb == 0 && !memcmp(a, b, size),
	       "%s: out fields full of garbage on input are ignored and overwritten (%s, %s)",
	       what, mt_errname(ra), mt_errname(rb));
}

static void test_out_fields(void)
{
	struct mosaic_seg_entry ents[4];
	struct mosaic_segments g0 = {
		.argsz = sizeof(g0), .count = 4,
		.entries = (uintptr_t)ents, .entry_size = sizeof(ents[0]),
	}, g1 = g0;
	struct mosaic_sync y0 = mt_sync_arg(MT_PAGE, 2 * MT_PAGE, MOSAIC_SYNC_BEGIN,
					    MOSAIC_SYNC_RW), y1 = y0;
	struct mosaic_info i0 = { .argsz = sizeof(i0) }, i1 = i0;
	struct mosaic_stats t0 = { .argsz = sizeof(t0) }, t1 = t0;
	struct mosaic_refs r0 = { .argsz = sizeof(r0), .length = BUF_SIZE }, r1 = r0;
	struct mosaic_pattern p0 = { .argsz = sizeof(p0), .length = BUF_SIZE,
				     .seed = 5 }, p1 = p0;

	memset(&i1.size, 0xa5, offsetof(struct mosaic_info, huge_mode) -
	       offsetof(struct mosaic_info, size));
	i1.huge_mode = 77;
	i1.pmd_bytes = i1.pmd_mapped = 0xa5a5;
	expect_out_ignored(bfd, MOSAIC_IOC_INFO, &i0, &i1, sizeof(i0), "INFO");
	y1.first_segment = y1.nr_segments = y1.nr_synced = 0xa5a5a5a5;
	y0.flags = y1.flags = MOSAIC_SYNC_END;
	expect_out_ignored(bfd, MOSAIC_IOC_SYNC, &y0, &y1, sizeof(y0), "SYNC");
	g1.nr_segments = 0xa5a5a5a5;
	expect_out_ignored(bfd, MOSAIC_IOC_SEGMENTS, &g0, &g1, sizeof(g0), "SEGMENTS");
	/* STATS: no buffer comes or goes between the two calls. */
	memset(&t1.buffers, 0xa5, offsetof(struct mosaic_stats, __reserved) -
	       offsetof(struct mosaic_stats, buffers));
	expect_out_ignored(dev, MOSAIC_IOC_STATS, &t0, &t1, sizeof(t0), "STATS");
	r1.refcount_min = r1.refcount_max = 0xa5a5;
	r1.mapcount_min = r1.mapcount_max = -5;
	r1.unexplained_refs = 0xa5a5;
	expect_out_ignored(bfd, MOSAIC_TEST_IOC_REFS, &r0, &r1, sizeof(r0), "REFS (test build)");
	p1.mismatches = 0xa5a5;
	p1.first_mismatch = 3;
	expect_out_ignored(bfd, MOSAIC_TEST_IOC_VERIFY, &p0, &p1, sizeof(p0),
			   "VERIFY (test build)");
}

static void test_mmap(void)
{
	int rw = PROT_READ | PROT_WRITE;

	expect_mmap_err(MT_PAGE, 100, rw, MAP_SHARED, EINVAL, "mmap offset 100 (not page aligned)");
	expect_mmap_err(MT_PAGE, BUF_SIZE, rw, MAP_SHARED, EINVAL, "mmap offset == buffer size");
	expect_mmap_err(MT_PAGE, 1000 * MT_PAGE, rw, MAP_SHARED, EINVAL, "mmap offset far past the end");
	/* Large but below the VFS's own EOVERFLOW limit, so the module decides. */
	expect_mmap_err(MT_PAGE, 0x4000000000000000LL, rw, MAP_SHARED, EINVAL,
			"mmap offset 2^62");
	expect_mmap_err(9 * MT_PAGE, 8 * MT_PAGE, rw, MAP_SHARED, EINVAL,
			"mmap offset 8 pages + length 9 pages (one page past the end)");
	expect_mmap_err(BUF_SIZE + MT_PAGE, 0, rw, MAP_SHARED, EINVAL,
			"mmap length one page bigger than the buffer");
	expect_mmap_err(BUF_SIZE, 0, rw, MAP_PRIVATE, EINVAL, "mmap MAP_PRIVATE read-write");
	expect_mmap_err(BUF_SIZE, 0, PROT_READ, MAP_PRIVATE, EINVAL, "mmap MAP_PRIVATE read-only");
}

int main(int argc, char **argv)
{
	struct mosaic_stats base;

	if (argc == 3 && strcmp(argv[1], "--cloexec-probe") == 0)
		return cloexec_probe(argv[2]);

	tap_diag("t05_badinput: refused requests, exact errnos, nothing leaked");
	dev = mt_open_dev_baseline(&base);

	argbuf = mmap(NULL, 3 * MT_PAGE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (argbuf == MAP_FAILED || mprotect(argbuf + 2 * MT_PAGE, MT_PAGE, PROT_NONE))
		tap_bail("argument buffer: %s", strerror(errno));

	test_cloexec();
	test_alloc();

	bfd = mt_alloc(dev, BUF_SIZE, MOSAIC_BACKEND_PAGES, MOSAIC_STRATEGY_AUTO);
	if (bfd < 0)
		tap_bail("cannot allocate the buffer for the buffer-fd cases: %s", mt_errname(bfd));
	test_buffer_ioctls();
	test_more_buffer_ioctls();
	test_out_fields();
	test_alloc_knobs();
	test_unprivileged_device();
	test_mmap();
	close(bfd);

	return mt_end_ledger_back(dev, &base,
				  "ledger back to the start at the end");
}
