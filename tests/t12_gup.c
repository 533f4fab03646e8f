// SPDX-License-Identifier: GPL-2.0
/*
 * t12_gup: the kernel's get_user_pages() users against every valid
 * backend x strategy pair.
 *
 * The header's rule: the page strategies install refcounted pages, so
 * get_user_pages() works on them; the PFN strategies build a VM_PFNMAP
 * mapping, where it fails with EFAULT. Each pair's 8 MiB mapping (see
 * mt_alloc_matrix()) is handed to:
 *
 * - process_vm_readv() and process_vm_writev() from another process (a
 *   forked child that names the parent by pid): pin_user_pages_remote();
 * - vmsplice() into a pipe: get_user_pages_fast() references that live as
 *   long as the data sits in the pipe, so REFS sees them as
 *   unexplained_refs, one per page, and sees them go when the pipe is read;
 * - io_uring fixed buffers (IORING_REGISTER_BUFFERS): a long-term
 *   pin_user_pages(), visible in REFS while registered. Before 6.5
 *   io_uring refuses any file-backed VMA but shmem and hugetlbfs there,
 *   after pinning, with EOPNOTSUPP (6.1: io_uring/rsrc.c io_pin_pages();
 *   Debian's 5.10: io_uring/io_uring.c io_sqe_buffer_register()); 6.5
 *   left that check to GUP ("io_uring: rsrc: delegate VMA file-backed
 *   check to GUP"), which lets a long-term pin through where the mapping
 *   needs no dirty tracking, as mosaic's do not. The EOPNOTSUPP answer is
 *   a skip that says so, and the pins it took must all be gone again;
 * - O_DIRECT: pread() from a loop device over an 8 MiB tmpfs file straight
 *   into the mapping.
 *
 * Whatever happens, REFS has no unexplained references once each user is
 * done and the ledger ends where the pair began.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <linux/loop.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "mosaic_test.h"
#include "tap.h"

#define WANT_SIZE	(8 * MT_MiB)
#define FILE_PATH	"/tmp/t12_gup.img"
#define SEED_A		0x2468246824682468ULL
#define SEED_W		0x9999888877776666ULL	/* process_vm_writev */
#define SEED_F		0xf11ef11ef11ef11eULL	/* the loop device's file */
#define SPLICE_PAGES	16			/* a default pipe's capacity */

static int dev;
static int loopfd = -1, loopctl = -1, loopnr = -1;	/* O_DIRECT device */
static char loopname[64];
static const char *loop_skip;		/* why there is no loop device */
static int uring = -1;			/* io_uring instance */
static const char *uring_skip;

/* Per pair. */
static const char *tag;
static int bfd;
static uint64_t size;
static bool pfn;
static const char *skip;

/* Whole-buffer REFS; unexplained_refs or INT64_MIN if REFS failed. */
static int64_t unexplained(void)
{
	struct mosaic_refs r;
	int ret = mt_refs(bfd, 0, size, &r);

	if (ret < 0) {
		tap_diag("%s: REFS failed: %s", tag, mt_errname(ret));
		return INT64_MIN;
	}
	return r.unexplained_refs;
}

static uint64_t verify(uint64_t seed)
{
	uint64_t mm = UINT64_MAX, first = 0;

	if (mt_verify(bfd, 0, size, seed, &mm, &first) < 0)
		return UINT64_MAX;
	if (mm)
		tap_diag("%s: VERIFY: %llu mismatches, first %#llx", tag,
			 ULL(mm), ULL(first));
	return mm;
}

/* ---- one-time setup: the loop device and io_uring ---- */

static int write_full(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* An 8 MiB tmpfs file holding pattern F, on a free loop device. */
static void setup_loop(void)
{
	struct loop_config cfg;
	void *buf = mt_xcalloc(WANT_SIZE, 1);
	int ffd, ret;

	mt_user_fill(buf, 0, WANT_SIZE, SEED_F);
	ffd = open(FILE_PATH, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ret = ffd < 0 ? -errno : write_full(ffd, buf, WANT_SIZE);
	mt_xfree(buf, WANT_SIZE, 1);
	if (ret < 0) {
		tap_diag("cannot write %s: %s", FILE_PATH, mt_errname(ret));
		loop_skip = "cannot create the backing file in /tmp";
		goto out;
	}
	loopctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (loopctl < 0) {
		tap_diag("/dev/loop-control: %s", mt_errname(errno));
		loop_skip = "no /dev/loop-control (loop module not loaded)";
		goto out;
	}
	loopnr = ioctl(loopctl, LOOP_CTL_GET_FREE);
	if (loopnr < 0) {
		tap_diag("LOOP_CTL_GET_FREE: %s", mt_errname(errno));
		loop_skip = "no free loop device";
		goto out;
	}
	snprintf(loopname, sizeof(loopname), "/dev/loop%d", loopnr);
	/* devtmpfs makes the node; give it a moment if it is not there yet. */
	for (int i = 0; i < 50 && access(loopname, F_OK); i++)
		usleep(20000);
	loopfd = open(loopname, O_RDONLY | O_CLOEXEC);
	if (loopfd < 0) {
		tap_diag("%s: %s", loopname, mt_errname(errno));
		loop_skip = "cannot open the loop device";
		goto out;
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.fd = (uint32_t)ffd;
	cfg.info.lo_flags = LO_FLAGS_READ_ONLY;
	ret = ioctl(loopfd, LOOP_CONFIGURE, &cfg);
	if (ret < 0 && (errno == EINVAL || errno == ENOTTY))
		ret = ioctl(loopfd, LOOP_SET_FD, ffd);	/* before 5.8 */
	if (ret < 0) {
		tap_diag("LOOP_CONFIGURE %s: %s", loopname, mt_errname(errno));
		loop_skip = "cannot attach the file to a loop device";
		close(loopfd);
		loopfd = -1;
		goto out;
	}
	/* The configured fd stays usable for LOOP_CLR_FD; reads use O_DIRECT. */
	tap_diag("O_DIRECT source: %s over %s (8 MiB, pattern F)", loopname, FILE_PATH);
out:
	if (ffd >= 0)
		close(ffd);
}

static void teardown_loop(void)
{
	int ret;

	if (loopfd < 0)
		return;
	ret = ioctl(loopfd, LOOP_CLR_FD, 0);
	tap_ok(ret == 0, "loop device %s detached (%s)", loopname,
	       mt_errname(ret ? errno : 0));
	close(loopfd);
	if (loopctl >= 0)
		close(loopctl);
	unlink(FILE_PATH);
}

static int uring_register(void *addr, size_t len)
{
	struct iovec iov = { .iov_base = addr, .iov_len = len };
	long ret = syscall(__NR_io_uring_register, uring,
			   IORING_REGISTER_BUFFERS, &iov, 1);

	return ret < 0 ? -errno : 0;
}

static int uring_unregister(void)
{
	long ret = syscall(__NR_io_uring_register, uring,
			   IORING_UNREGISTER_BUFFERS, NULL, 0);

	return ret < 0 ? -errno : 0;
}

/* An io_uring instance, and proof that fixed buffers work here at all. */
static void setup_uring(void)
{
	struct io_uring_params p;
	void *anon;
	int ret;

	memset(&p, 0, sizeof(p));
	uring = (int)syscall(__NR_io_uring_setup, 4, &p);
	if (uring < 0) {
		tap_diag("io_uring_setup: %s", mt_errname(errno));
		uring_skip = "io_uring_setup failed (io_uring not available)";
		tap_skip(uring_skip, "io_uring fixed buffers work on anonymous memory");
		return;
	}
	anon = mmap(NULL, 16 * MT_PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ret = uring_register(anon, 16 * MT_PAGE);
	tap_ok(ret == 0 && uring_unregister() == 0,
	       "control: io_uring fixed buffers work on 16 anonymous pages (%s)",
	       mt_errname(ret));
	munmap(anon, 16 * MT_PAGE);
}

/* ---- the GUP users ---- */

struct vm_report {
	long rd, wr;		/* bytes, or -1 */
	int rd_err, wr_err;
	uint64_t rd_bad;	/* words of what readv got that are not A */
};

static volatile struct vm_report *report;	/* shared with the child */
static char *map;

/* Child: read and write the parent's mapping by pid. */
static int child_process_vm(void *unused)
{
	pid_t parent = getppid();
	char *local = mt_xcalloc(size, 1);
	struct iovec l = { .iov_base = local, .iov_len = size };
	struct iovec r = { .iov_base = map, .iov_len = size };

	(void)unused;
	report->rd = process_vm_readv(parent, &l, 1, &r, 1, 0);
	report->rd_err = report->rd < 0 ? errno : 0;
	report->rd_bad = report->rd == (long)size ?
			 mt_user_check(local, 0, size, SEED_A, NULL) : UINT64_MAX;
	mt_user_fill(local, 0, size, SEED_W);
	report->wr = process_vm_writev(parent, &l, 1, &r, 1, 0);
	report->wr_err = report->wr < 0 ? errno : 0;
	return 0;
}

static void step_process_vm(void)
{
	int rc = -1;

	if (!skip) {
		memset((void *)report, 0, sizeof(*report));
		report->rd = report->wr = -2;
		rc = mt_run_child(child_process_vm, NULL, 60);
		if (rc)
			tap_diag("%s: process_vm child exit %d", tag, rc);
	}
	if (pfn) {
		TAP_POINT(skip, rc == 0 && report->rd == -1 && report->rd_err == EFAULT,
		      "%s: process_vm_readv from another process fails with EFAULT (%ld, %s)",
		      tag, report->rd, mt_errname(report->rd_err));
		TAP_POINT(skip, rc == 0 && report->wr == -1 && report->wr_err == EFAULT &&
		      verify(SEED_A) == 0,
		      "%s: process_vm_writev from another process fails with EFAULT, the buffer unchanged (%ld, %s)",
		      tag, report->wr, mt_errname(report->wr_err));
	} else {
		TAP_POINT(skip, rc == 0 && report->rd == (long)size && report->rd_bad == 0,
		      "%s: process_vm_readv from another process reads all %llu bytes, pattern right (%ld, %s, %llu bad)",
		      tag, ULL(size), report->rd, mt_errname(report->rd_err),
		      ULL(report->rd_bad));
		TAP_POINT(skip, rc == 0 && report->wr == (long)size && verify(SEED_W) == 0,
		      "%s: process_vm_writev from another process writes all %llu bytes, VERIFY sees them (%ld, %s)",
		      tag, ULL(size), report->wr, mt_errname(report->wr_err));
	}
	if (!skip)
		mt_fill(bfd, 0, size, SEED_A);
}

static void step_vmsplice(void)
{
	uint64_t off = (size / 2 / MT_PAGE - SPLICE_PAGES / 2) * MT_PAGE;
	struct iovec iov = { .iov_base = NULL, .iov_len = SPLICE_PAGES * MT_PAGE };
	int64_t held = INT64_MIN, left = INT64_MIN;
	char *got = NULL;
	ssize_t n = -1, r = 0;
	int p[2] = { -1, -1 }, err = 0;
	uint64_t bad = 1;

	if (!skip && pipe(p) == 0) {
		iov.iov_base = map + off;
		n = vmsplice(p[1], &iov, 1, 0);
		err = n < 0 ? errno : 0;
		held = unexplained();
		if (n > 0) {
			got = mt_xcalloc((size_t)n, 1);
			for (ssize_t k; r < n; r += k) {
				k = read(p[0], got + r, (size_t)(n - r));
				if (k <= 0)
					break;
			}
			bad = r == n ? mt_user_check(got, off, (uint64_t)n, SEED_A, NULL) : 1;
			mt_xfree(got, (size_t)n, 1);
		}
		left = unexplained();
	}
	if (p[0] >= 0) {
		close(p[0]);
		close(p[1]);
	}
	if (pfn)
		TAP_POINT(skip, n == -1 && err == EFAULT && held == 0,
		      "%s: vmsplice of the mapping fails with EFAULT, no reference taken (%s, unexplained %lld)",
		      tag, mt_errname(err), (long long)held);
	else
		TAP_POINT(skip, n == SPLICE_PAGES * (ssize_t)MT_PAGE &&
		      held == SPLICE_PAGES,
		      "%s: vmsplice of %d pages into a pipe: REFS shows its %d page references as unexplained_refs (%zd bytes, %lld)",
		      tag, SPLICE_PAGES, SPLICE_PAGES, n, (long long)held);
	TAP_POINT(skip, left == 0 && (pfn || bad == 0),
	      "%s: %s: unexplained_refs back to 0 (%lld)", tag,
	      pfn ? "after the failed vmsplice" :
	      "the pipe read back gives the mapped pattern, and once drained", (long long)left);
}

static void step_uring(void)
{
	const char *why = skip ? skip : uring_skip;
	int64_t held = INT64_MIN, left = INT64_MIN;
	int ret = 1, uret = 1;

	if (!why) {
		ret = uring_register(map, size);
		tap_diag("%s: IORING_REGISTER_BUFFERS on the mapping: %s", tag,
			 mt_errname(ret));
		held = unexplained();
		if (ret == 0)
			uret = uring_unregister();
		left = unexplained();
	}
	if (why) {
		tap_skip(why, "%s: io_uring fixed buffer registration", tag);
		tap_skip(why, "%s: io_uring pin visible, gone after unregister", tag);
		return;
	}
	if (pfn) {
		if (ret != -EFAULT)
			tap_diag("%s: a VM_PFNMAP fixed buffer fails with %s, not EFAULT",
				 tag, mt_errname(ret));
		tap_ok(ret < 0 && held == 0 && left == 0,
		       "%s: IORING_REGISTER_BUFFERS on the PFN map fails (%s), no reference taken",
		       tag, mt_errname(ret));
		return;
	}
	if (ret == -EOPNOTSUPP) {
		/* Pinned, then refused as file-backed: the pins must be gone. */
		tap_ok(left == 0,
		       "%s: IORING_REGISTER_BUFFERS pinned the pages, the kernel refused the file-backed VMA (EOPNOTSUPP), no pin left (unexplained %lld)",
		       tag, (long long)left);
		tap_skip("io_uring before 6.5 refuses fixed buffers in a file-backed VMA that is not shmem or hugetlbfs (EOPNOTSUPP)",
			 "%s: io_uring pin visible in REFS while registered, gone after unregister", tag);
		return;
	}
	tap_ok(ret == 0, "%s: IORING_REGISTER_BUFFERS on the whole mapping: 0 (%s)",
	       tag, mt_errname(ret));
	tap_ok(ret == 0 && held > 0 && uret == 0 && left == 0,
	       "%s: while registered REFS unexplained_refs %lld > 0 (the pin), after unregister 0 (%lld)",
	       tag, (long long)held, (long long)left);
}

static void step_odirect(void)
{
	const char *why = skip ? skip : loop_skip;
	ssize_t r = -2;
	int fd, err = 0;
	uint64_t bad = UINT64_MAX, mm = UINT64_MAX;
	int64_t left = INT64_MIN;

	if (why) {
		tap_skip(why, "%s: O_DIRECT pread from the loop device into the mapping", tag);
		return;
	}
	fd = open(loopname, O_RDONLY | O_DIRECT | O_CLOEXEC);
	if (fd < 0) {
		tap_ok(false, "%s: open %s O_DIRECT: %s", tag, loopname,
		       mt_errname(errno));
		return;
	}
	r = pread(fd, map, size, 0);
	err = r < 0 ? errno : 0;
	close(fd);
	if (r == (ssize_t)size) {
		bad = mt_user_check(map, 0, size, SEED_F, NULL);
		mm = verify(SEED_F);
	}
	left = unexplained();
	if (pfn)
		tap_ok(r == -1 && err == EFAULT && left == 0 && verify(SEED_A) == 0,
		       "%s: O_DIRECT pread from %s into the PFN map fails with EFAULT, buffer unchanged (%zd, %s)",
		       tag, loopname, r, mt_errname(err));
	else
		tap_ok(r == (ssize_t)size && bad == 0 && mm == 0 && left == 0,
		       "%s: O_DIRECT pread of %llu bytes from %s into the mapping: the file's bytes, seen by the user and by VERIFY; no reference left (%zd, %s)",
		       tag, ULL(size), loopname, r, mt_errname(err));
	mt_fill(bfd, 0, size, SEED_A);
}

static void run_pair(uint32_t b, uint32_t s)
{
	struct mt_pair_run run;
	int ret;

	mt_pair_start(&run, dev, b, s);
	tag = run.tag;
	pfn = mt_maps_pfn(b, s);
	map = MAP_FAILED;

	bfd = mt_pair_alloc(&run, dev, WANT_SIZE, &size, &skip);
	ret = bfd < 0 ? bfd : mt_fill(bfd, 0, size, SEED_A);
	if (ret == 0) {
		map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, bfd, 0);
		if (map == MAP_FAILED)
			ret = -errno;
		else /* lazy strategies: fault everything in first */
			ret = mt_user_check(map, 0, size, SEED_A, NULL) ? -EIO : 0;
	}
	TAP_POINT(skip, ret == 0, "%s: ALLOC %llu MiB, FILL(A), mmap, the user reads A (%s)",
	      tag, ULL(size / MT_MiB), mt_errname(ret));
	if (!skip && ret != 0)
		skip = "ALLOC or mmap failed";

	step_process_vm();
	step_vmsplice();
	step_uring();
	step_odirect();

	TAP_POINT(skip, unexplained() == 0 && verify(SEED_A) == 0,
	      "%s: after all GUP users: REFS unexplained_refs 0, the buffer holds A", tag);
	if (map != MAP_FAILED)
		munmap(map, size);
	mt_pair_finish(&run, dev, bfd, skip,
		       "after munmap and close: ledger back to its value before the pair");
}

int main(void)
{
	struct mosaic_stats start;

	tap_diag("t12_gup: process_vm_readv/writev, vmsplice, io_uring, O_DIRECT per pair");
	dev = mt_open_dev_baseline(&start);
	report = mt_shared(MT_PAGE);
	setup_loop();
	setup_uring();

	MT_FOR_EACH_MATRIX_PAIR(b, s)
		if (mt_pair_valid(b, s))
			run_pair(b, s);

	if (uring >= 0)
		close(uring);
	teardown_loop();
	return mt_end_ledger_back(dev, &start,
				  "after all pairs: ledger back to the start");
}
