// SPDX-License-Identifier: GPL-2.0
/*
 * t34_addr: physical and device addresses only for CAP_SYS_ADMIN.
 *
 * MOSAIC_IOC_SEGMENTS and mosaic_edu's INFO tell where kernel memory is.
 * As root (the test runs as root) they report real addresses; a forked
 * child that dropped CAP_SYS_ADMIN with capset() and asks about the very
 * same (inherited) buffers gets zeros and the ADDR_HIDDEN flag, while
 * everything that is not an address (offsets, lengths, orders, the
 * HAS_DMA flag, run lengths) stays the same.
 */
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "edu_test.h"
#include "mosaic_test.h"
#include "tap.h"

#define SIZE	(64 * 1024UL)
#define NP	(SIZE / MT_PAGE)

static int dev, edu = -1, bfd, ebfd = -1;
static struct edu_setup setup;

/* What the child saw, in shared memory. */
struct child_view {
	int capset;			/* 0 or errno */
	int admin_after;		/* CAP_SYS_ADMIN still effective */
	long nsegs;
	struct mosaic_seg_entry segs[NP];
	int info_ret;
	struct mosaic_edu_info info;
};

static volatile struct child_view *cv;

static int drop_sys_admin(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	int i = CAP_TO_INDEX(CAP_SYS_ADMIN);
	unsigned int m = CAP_TO_MASK(CAP_SYS_ADMIN);

	if (syscall(SYS_capget, &hdr, data) < 0)
		return errno;
	data[i].effective &= ~m;
	data[i].permitted &= ~m;
	data[i].inheritable &= ~m;
	if (syscall(SYS_capset, &hdr, data) < 0)
		return errno;
	if (syscall(SYS_capget, &hdr, data) < 0)
		return errno;
	cv->admin_after = !!(data[i].effective & m);
	return 0;
}

static int child(void *unused)
{
	struct mosaic_seg_entry segs[NP];
	struct mosaic_edu_info in;

	(void)unused;
	cv->capset = drop_sys_admin();
	if (cv->capset)
		return 1;
	memset(segs, 0xa5, sizeof(segs));
	cv->nsegs = mt_segments(bfd, segs, NP);
	memcpy((void *)cv->segs, segs, sizeof(segs));
	if (ebfd >= 0) {
		memset(&in, 0xa5, sizeof(in));
		cv->info_ret = edu_info(ebfd, 0, &in);
		memcpy((void *)&cv->info, &in, sizeof(in));
	}
	return 0;
}

int main(void)
{
	struct mosaic_seg_entry segs[NP];
	struct mosaic_edu_info in;
	long n;
	int rc, ret;
	bool ok;

	dev = mt_open_dev_or_bail();
	/* A buffer with device addresses: streaming for edu when there is one. */
	edu = edu_setup(&setup);
	if (edu != -ENODEV) {
		edu_diag_setup("t34_addr", &setup);
		bfd = mt_alloc_knobs(dev, SIZE, MOSAIC_BACKEND_STREAMING,
				     MOSAIC_STRATEGY_AUTO, 0, 0, setup.pci);
		if (edu >= 0)
			ebfd = edu_alloc(edu, SIZE, MOSAIC_BACKEND_PAGES, 0, 0, 0);
	} else {
		tap_diag("t34_addr: no edu device: streaming for mosaic's own device, no edu INFO");
		bfd = mt_alloc_knobs(dev, SIZE, MOSAIC_BACKEND_STREAMING,
				     MOSAIC_STRATEGY_AUTO, 0, 0, NULL);
	}
	if (bfd < 0)
		tap_bail("ALLOC failed: %s", mt_errname(bfd));

	/* As root: real addresses. */
	n = mt_segments(bfd, segs, NP);
	ok = n > 0;
	for (long i = 0; i < n && ok; i++)
		ok = segs[i].phys && segs[i].dma &&
		     (segs[i].flags & MOSAIC_SEG_HAS_DMA) &&
		     !(segs[i].flags & MOSAIC_SEG_ADDR_HIDDEN);
	tap_ok(ok, "with CAP_SYS_ADMIN: SEGMENTS reports the physical and device address of all %ld segments",
	       n);
	if (ebfd >= 0) {
		ret = edu_info(ebfd, 0, &in);
		tap_ok(ret == 0 && in.phys && in.dma &&
		       !(in.info_flags & MOSAIC_EDU_INFO_ADDR_HIDDEN),
		       "with CAP_SYS_ADMIN: edu INFO reports phys %#llx and device address %#llx",
		       ULL(in.phys), ULL(in.dma));
	} else {
		tap_skip("no mosaic_edu", "with CAP_SYS_ADMIN: edu INFO reports addresses");
	}

	/* A child without CAP_SYS_ADMIN asks about the same buffers. */
	cv = mt_shared(sizeof(*cv));
	rc = mt_run_child(child, NULL, 30);
	tap_ok(rc == 0 && cv->capset == 0 && !cv->admin_after,
	       "child dropped CAP_SYS_ADMIN with capset() (%s, still effective: %d)",
	       mt_errname(cv->capset), cv->admin_after);

	ok = rc == 0 && cv->nsegs == n;
	for (long i = 0; i < n && ok; i++) {
		const volatile struct mosaic_seg_entry *c = &cv->segs[i];

		ok = c->phys == 0 && c->dma == 0 &&
		     (c->flags & MOSAIC_SEG_ADDR_HIDDEN) &&
		     (c->flags & MOSAIC_SEG_HAS_DMA) &&
		     c->offset == segs[i].offset && c->length == segs[i].length &&
		     c->order == segs[i].order;
	}
	tap_ok(ok, "without CAP_SYS_ADMIN: SEGMENTS gives zeros and ADDR_HIDDEN for all %ld segments, offsets, lengths, orders and HAS_DMA unchanged",
	       n);
	if (ebfd >= 0) {
		ok = rc == 0 && cv->info_ret == 0 && cv->info.phys == 0 &&
		     cv->info.dma == 0 &&
		     (cv->info.info_flags & MOSAIC_EDU_INFO_ADDR_HIDDEN) &&
		     cv->info.seg_len == in.seg_len &&
		     cv->info.dma_len == in.dma_len &&
		     (cv->info.info_flags & MOSAIC_EDU_INFO_TRANSLATED) ==
		     (in.info_flags & MOSAIC_EDU_INFO_TRANSLATED);
		tap_ok(ok, "without CAP_SYS_ADMIN: edu INFO gives zeros and ADDR_HIDDEN, the run lengths unchanged (%s)",
		       mt_errname(cv->info_ret));
	} else {
		tap_skip("no mosaic_edu", "without CAP_SYS_ADMIN: edu INFO hides addresses");
	}

	munmap((void *)cv, sizeof(*cv));
	if (ebfd >= 0)
		close(ebfd);
	if (edu >= 0)
		close(edu);
	close(bfd);
	close(dev);
	return tap_exit();
}
