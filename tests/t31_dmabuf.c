// SPDX-License-Identifier: GPL-2.0
/*
 * t31_dmabuf: MOSAIC_IOC_EXPORT, and a real importer doing device DMA.
 *
 * - EXPORT of a whole buffer and of a page range: the dma-buf has the
 *   right size, bad ranges are refused, mmap() of the dma-buf shows the
 *   exported pages at the right offset (kernel FILL seen through it, user
 *   writes through it seen by VERIFY) and refuses to map past its end,
 *   DMA_BUF_IOCTL_SYNC accepts the four START/END x READ/WRITE calls and
 *   refuses bad flags.
 * - mosaic_edu imports the dma-buf (dma_buf_get, attach for the edu
 *   device, map_attachment) for three kinds of buffer: pages with no
 *   device, streaming mapped for edu, coherent chunks of mosaic's own
 *   platform device. The CPU address of the first imported byte is the
 *   one MOSAIC_IOC_SEGMENTS reports for that buffer offset, its device
 *   address differs exactly when an IOMMU translates, and the device
 *   moves a pattern both ways across a segment boundary, bracketed by
 *   DMA_BUF_IOCTL_SYNC.
 * - A buffer exported by the edu driver itself (mosaic_buf_export()) and
 *   imported back.
 * - Lifetime: buffer fd, dma-buf fd, mapping of the dma-buf and the edu
 *   import are closed in six orders; the buffer stays alive (ledger) until
 *   the last of them goes, whichever it is, and with only the mapping and
 *   the import left the device still writes what the mapping shows.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/dma-buf.h>

#include "edu_test.h"
#include "mosaic_test.h"
#include "tap.h"

#define SIZE		(256 * 1024UL)
#define NP		(SIZE / MT_PAGE)
#define CHUNK		(64 * 1024UL)
#define HALF		2560UL
#define MAX_SEGS	NP
#define LT_SIZE		(64 * 1024UL)	/* lifetime buffers */

static int dev, edu;
static struct edu_setup setup;
static struct mosaic_stats base;
static struct mosaic_seg_entry segs[MAX_SEGS];

/* ------------------------------------------------------------ EXPORT -- */

static void test_export(void)
{
	int bfd = mt_alloc(dev, SIZE, MOSAIC_BACKEND_PAGES, MOSAIC_STRATEGY_AUTO);
	int whole, part, ret;
	uint64_t bad, len;
	char *p;
	bool ok;

	if (bfd < 0)
		tap_bail("ALLOC failed: %s", mt_errname(bfd));
	whole = mt_export(bfd, 0, 0);
	tap_ok(whole >= 0 && lseek(whole, 0, SEEK_END) == (off_t)SIZE,
	       "EXPORT of the whole buffer (length 0): a dma-buf of %lu KiB (%s)",
	       SIZE / 1024, mt_errname(whole < 0 ? whole : 0));
	part = mt_export(bfd, 64 * 1024, 64 * 1024);
	tap_ok(part >= 0 && lseek(part, 0, SEEK_END) == 64 * 1024,
	       "EXPORT of the page range [64 KiB, 128 KiB): a dma-buf of 64 KiB (%s)",
	       mt_errname(part < 0 ? part : 0));

	ret = mt_export(bfd, 100, MT_PAGE);
	tap_ok(ret == -EINVAL, "EXPORT at an unaligned offset: EINVAL (%s)",
	       mt_errname(ret));
	ret = mt_export(bfd, MT_PAGE, MT_PAGE + 1);
	tap_ok(ret == -EINVAL, "EXPORT of an unaligned length: EINVAL (%s)",
	       mt_errname(ret));
	ret = mt_export(bfd, SIZE - MT_PAGE, 2 * MT_PAGE);
	tap_ok(ret == -EINVAL, "EXPORT past the end of the buffer: EINVAL (%s)",
	       mt_errname(ret));
	ret = mt_export(bfd, SIZE, 0);
	tap_ok(ret == -EINVAL, "EXPORT at offset == size: EINVAL (%s)",
	       mt_errname(ret));

	/* The range's page 0 is the buffer's page 16. */
	len = 64 * 1024;
	p = part < 0 ? MAP_FAILED :
		mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, part, 0);
	ok = p != MAP_FAILED && mt_fill(bfd, 0, SIZE, 0x5eed) == 0 &&
	     mt_dmabuf_sync(part, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ) == 0 &&
	     mt_user_check(p, 64 * 1024, len, 0x5eed, &bad) == 0 &&
	     mt_dmabuf_sync(part, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ) == 0;
	tap_ok(ok, "mmap of the range's dma-buf shows buffer bytes [64 KiB, 128 KiB) as FILLed by the kernel");
	if (p != MAP_FAILED) {
		uint64_t mism = 1, first;

		ok = mt_dmabuf_sync(part, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE) == 0;
		mt_user_fill(p, 64 * 1024, len, 0xbeef);
		ok = ok && mt_dmabuf_sync(part, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE) == 0 &&
		     mt_verify(bfd, 64 * 1024, len, 0xbeef, &mism, &first) == 0 &&
		     mism == 0 &&
		     mt_verify(bfd, 0, 64 * 1024, 0x5eed, &mism, &first) == 0 &&
		     mism == 0;
		tap_ok(ok, "writes through the dma-buf mapping land in the buffer at 64 KiB, and nowhere before it");
		munmap(p, len);
	} else {
		tap_ok(false, "writes through the dma-buf mapping (mmap failed: %s)",
		       mt_errname(errno));
	}
	p = part < 0 ? MAP_FAILED :
		mmap(NULL, len + MT_PAGE, PROT_READ, MAP_SHARED, part, 0);
	tap_ok(p == MAP_FAILED && errno == EINVAL,
	       "mmap of the range's dma-buf past its end: EINVAL");
	if (p != MAP_FAILED)
		munmap(p, len + MT_PAGE);

	ok = whole >= 0;
	for (int rw = DMA_BUF_SYNC_READ; rw <= DMA_BUF_SYNC_RW && ok; rw++)
		ok = mt_dmabuf_sync(whole, DMA_BUF_SYNC_START | rw) == 0 &&
		     mt_dmabuf_sync(whole, DMA_BUF_SYNC_END | rw) == 0;
	tap_ok(ok, "DMA_BUF_IOCTL_SYNC START/END with READ, WRITE and RW");
	ret = whole < 0 ? 0 : mt_dmabuf_sync(whole, DMA_BUF_SYNC_START);
	tap_ok(ret == -EINVAL, "DMA_BUF_IOCTL_SYNC without READ or WRITE: EINVAL (%s)",
	       mt_errname(ret));
	ret = whole < 0 ? 0 : mt_dmabuf_sync(whole, DMA_BUF_SYNC_RW | (1 << 7));
	tap_ok(ret == -EINVAL, "DMA_BUF_IOCTL_SYNC with an unknown flag: EINVAL (%s)",
	       mt_errname(ret));

	if (whole >= 0)
		close(whole);
	if (part >= 0)
		close(part);
	close(bfd);
	tap_ok(mt_ledger_is(dev, &base, 0, 0, 0),
	       "buffer and dma-bufs closed: the ledger is back where it started");
}

/* ------------------------------------------------------------ IMPORT -- */

struct icase {
	const char *what;
	uint32_t backend;
	uint64_t chunk_size;
	bool edu_device;	/* allocate for edu instead of mosaic's own */
	uint64_t exp_off, exp_len;
};

static const struct icase icases[] = {
	{ "pages, no device, whole buffer", MOSAIC_BACKEND_PAGES, 0, false,
	  0, 0 },
	{ "streaming for edu, [32 KiB, 160 KiB)", MOSAIC_BACKEND_STREAMING, 0,
	  true, 32 * 1024, 128 * 1024 },
	{ "coherent for mosaic's platform device, 64 KiB chunks, [32 KiB, 160 KiB)",
	  MOSAIC_BACKEND_COHERENT, CHUNK, false, 32 * 1024, 128 * 1024 },
};

#define IMPORT_POINTS	5

static void test_import(const struct icase *c)
{
	uint64_t exp_len = c->exp_len ?: SIZE - c->exp_off, isize = 0, nents = 0;
	uint64_t bound, x, bad = ~0ULL, first;
	struct mosaic_edu_info in;
	struct mosaic_edu_dma d;
	int bfd, dfd, ifd, ret;
	long nsegs;
	char *bmap, *dmap;
	bool ok;

	bfd = mt_alloc_knobs(dev, SIZE, c->backend, MOSAIC_STRATEGY_AUTO, 0,
			     c->chunk_size, c->edu_device ? setup.pci : NULL);
	nsegs = bfd < 0 ? bfd : mt_segments(bfd, segs, MAX_SEGS);
	dfd = nsegs < 0 ? (int)nsegs : mt_export(bfd, c->exp_off, c->exp_len);
	ifd = dfd < 0 ? dfd : edu_import(edu, dfd, &isize, &nents);
	tap_ok(ifd >= 0 && isize == exp_len && nents >= 1,
	       "%s: EXPORT and edu IMPORT (attach + map for the edu device): %llu KiB, %llu DMA entries (%s)",
	       c->what, ULL(isize / 1024), ULL(nents),
	       mt_errname(ifd < 0 ? ifd : 0));
	if (ifd < 0) {
		for (int i = 1; i < IMPORT_POINTS; i++)
			tap_skip("IMPORT failed", "%s: point %d", c->what, i + 1);
		goto out;
	}

	/*
	 * The importer's device address of byte 0 against mosaic's segment
	 * table: the physical address there when nothing translates, an IOVA
	 * inside the mask when an IOMMU does (an importer sees no pages).
	 */
	ret = edu_info(ifd, 0, &in);
	{
		uint64_t i = mt_seg_index(segs, nsegs, c->exp_off);
		uint64_t phys = segs[i].phys + (c->exp_off - segs[i].offset);

		tap_diag("%s: imported byte 0: device address %#llx, physical (SEGMENTS) %#llx",
			 c->what, ULL(in.dma), ULL(phys));
		tap_ok(ret == 0 && in.phys == 0 && in.seg_len == 0 &&
		       (edu_remapped(&setup, true) ? in.dma != phys :
						     in.dma == phys) &&
		       in.dma + in.dma_len - 1 <= in.dma_mask,
		       "%s: the import's device address for buffer byte %#llx %s its physical address from SEGMENTS (%s), inside the mask",
		       c->what, ULL(c->exp_off),
		       edu_remapped(&setup, true) ? "differs from" : "is",
		       setup.bounce ? "a swiotlb slot" : setup.group_type);
	}

	/* A segment boundary inside the exported range, with room around. */
	bound = mt_seg_boundary(segs, nsegs, c->exp_off + HALF);
	if (!bound || bound + HALF > c->exp_off + exp_len)
		bound = c->exp_off + exp_len / 2;
	x = bound - c->exp_off;		/* the same byte, as a dma-buf offset */
	bmap = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, bfd, 0);
	dmap = mmap(NULL, exp_len, PROT_READ | PROT_WRITE, MAP_SHARED, dfd, 0);
	if (bmap == MAP_FAILED || dmap == MAP_FAILED)
		tap_bail("%s: mmap failed: %s", c->what, mt_errname(errno));

	ret = edu_dma(ifd, x - HALF, 2 * HALF, 0xd1d1, MOSAIC_EDU_TO_RAM, &d);
	ok = ret == 0 &&
	     mt_dmabuf_sync(dfd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ) == 0;
	/* Pattern words are keyed by dma-buf offset; read them in the buffer. */
	bad = mt_user_check(bmap + bound - HALF, x - HALF, 2 * HALF, 0xd1d1,
			    &first);
	ok = ok && bad == 0 &&
	     mt_dmabuf_sync(dfd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ) == 0;
	tap_ok(ok, "%s: device writes dma-buf bytes [%#llx, %#llx) across buffer segment boundary %#llx; the buffer's own mapping shows them there (%s, %llu bad)",
	       c->what, ULL(x - HALF), ULL(x + HALF), ULL(bound),
	       mt_errname(ret), ULL(bad));

	ok = mt_dmabuf_sync(dfd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE) == 0;
	mt_user_fill(dmap + x - HALF, x - HALF, 2 * HALF, 0xd2d2);
	ok = ok && mt_dmabuf_sync(dfd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE) == 0;
	ret = edu_dma(ifd, x - HALF, 2 * HALF, 0xd2d2, MOSAIC_EDU_FROM_RAM, &d);
	tap_ok(ok && ret == 0 && d.mismatches == 0,
	       "%s: user writes through the dma-buf mapping, the device reads them across the boundary (%llu mismatches, %s)",
	       c->what, ULL(d.mismatches), mt_errname(ret));

	munmap(bmap, SIZE);
	munmap(dmap, exp_len);
	close(ifd);
	close(dfd);
	close(bfd);
	tap_ok(mt_ledger_is(dev, &base, 0, 0, 0),
	       "%s: import, dma-buf, buffer and mappings gone: ledger back at the start",
	       c->what);
	return;
out:
	if (dfd >= 0)
		close(dfd);
	if (bfd >= 0)
		close(bfd);
}

/* An edu buffer exported by the driver itself, imported back. */
static void test_edu_export(void)
{
	struct mosaic_edu_dma d;
	int bfd, dfd = -1, ifd = -1, ret;
	uint64_t bad = ~0ULL;
	char *map = MAP_FAILED;

	bfd = edu_alloc(edu, SIZE, MOSAIC_BACKEND_STREAMING, 0, 0, 0);
	ret = bfd < 0 ? bfd : edu_export(bfd, 16 * MT_PAGE, 4 * MT_PAGE);
	if (ret >= 0) {
		dfd = ret;
		ifd = edu_import(edu, dfd, NULL, NULL);
		ret = ifd;
	}
	if (ret >= 0)
		ret = edu_dma(ifd, MT_PAGE - HALF, 2 * HALF, 0xe0e0,
			      MOSAIC_EDU_TO_RAM, &d);
	if (ret >= 0)
		map = mmap(NULL, SIZE, PROT_READ, MAP_SHARED, bfd, 0);
	/* The CPU reads what the importing device wrote: sync first. */
	if (map != MAP_FAILED &&
	    mt_dmabuf_sync(dfd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ) == 0)
		bad = mt_user_check(map + 17 * MT_PAGE - HALF, MT_PAGE - HALF,
				    2 * HALF, 0xe0e0, NULL);
	if (map != MAP_FAILED)
		mt_dmabuf_sync(dfd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	tap_ok(ret == 0 && bad == 0,
	       "edu buffer exported by the driver (mosaic_buf_export of pages 16-19), imported back: device writes land at buffer page 16 + offset (%s)",
	       mt_errname(ret));
	if (map != MAP_FAILED)
		munmap(map, SIZE);
	if (ifd >= 0)
		close(ifd);
	if (dfd >= 0)
		close(dfd);
	if (bfd >= 0)
		close(bfd);
}

/* ---------------------------------------------------------- lifetime -- */

enum { OBJ_B, OBJ_D, OBJ_M, OBJ_I, NR_OBJ };
static const char *const obj_name[NR_OBJ] = {
	"buffer fd", "dma-buf fd", "mapping", "edu import"
};

static void test_order(const int order[NR_OBJ])
{
	int fd[NR_OBJ] = { -1, -1, -1, -1 };
	bool open[NR_OBJ] = { true, true, true, true };
	char desc[160] = "";
	char *map;
	bool ok = true;

	fd[OBJ_B] = mt_alloc(dev, LT_SIZE, MOSAIC_BACKEND_PAGES,
			     MOSAIC_STRATEGY_AUTO);
	fd[OBJ_D] = fd[OBJ_B] < 0 ? -1 : mt_export(fd[OBJ_B], 0, 0);
	map = fd[OBJ_D] < 0 ? MAP_FAILED :
		mmap(NULL, LT_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		     fd[OBJ_D], 0);
	fd[OBJ_I] = fd[OBJ_D] < 0 ? -1 : edu_import(edu, fd[OBJ_D], NULL, NULL);
	if (fd[OBJ_B] < 0 || fd[OBJ_D] < 0 || map == MAP_FAILED ||
	    fd[OBJ_I] < 0)
		tap_bail("lifetime: setup failed (%d %d %p %d)", fd[OBJ_B],
			 fd[OBJ_D], (void *)map, fd[OBJ_I]);
	for (int k = 0; k < NR_OBJ; k++) {
		int o = order[k];

		snprintf(desc + strlen(desc), sizeof(desc) - strlen(desc),
			 "%s%s", k ? ", " : "", obj_name[o]);
		if (o == OBJ_M)
			munmap(map, LT_SIZE);
		else
			close(fd[o]);
		open[o] = false;
		if (k == NR_OBJ - 1)
			break;
		if (!mt_ledger_is(dev, &base, 1, LT_SIZE / MT_PAGE,
				  open[OBJ_M] ? 1 : 0)) {
			tap_diag("lifetime: buffer gone after closing %s", desc);
			ok = false;
		}
	}
	ok = ok && mt_ledger_is(dev, &base, 0, 0, 0);
	tap_ok(ok, "lifetime: closing %s: the buffer lives until the last one goes",
	       desc);
}

/* With only the mapping and the import left, both still reach the memory. */
static void test_orphans(void)
{
	struct mosaic_edu_dma d;
	int bfd, dfd, ifd = -1, ret;
	uint64_t bad = ~0ULL;
	char *map = MAP_FAILED;

	bfd = mt_alloc(dev, LT_SIZE, MOSAIC_BACKEND_PAGES, MOSAIC_STRATEGY_AUTO);
	dfd = bfd < 0 ? bfd : mt_export(bfd, 0, 0);
	if (dfd >= 0) {
		map = mmap(NULL, LT_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
			   dfd, 0);
		ifd = edu_import(edu, dfd, NULL, NULL);
	}
	if (bfd >= 0)
		close(bfd);
	if (dfd >= 0)
		close(dfd);
	ret = ifd < 0 || map == MAP_FAILED ? -EBADF :
		edu_dma(ifd, 3 * MT_PAGE - HALF, 2 * HALF, 0x0f0f,
			MOSAIC_EDU_TO_RAM, &d);
	/*
	 * With no dma-buf fd left there is no DMA_BUF_IOCTL_SYNC: the CPU
	 * sees the device's bytes once the importer unmaps its attachment
	 * (where swiotlb bounces, that is when they are copied back).
	 */
	if (ifd >= 0)
		close(ifd);
	if (ret == 0)
		bad = mt_user_check(map + 3 * MT_PAGE - HALF,
				    3 * MT_PAGE - HALF, 2 * HALF, 0x0f0f, NULL);
	tap_ok(ret == 0 && bad == 0 &&
	       mt_ledger_is(dev, &base, 1, LT_SIZE / MT_PAGE, 1),
	       "buffer fd and dma-buf fd closed: the import still DMAs into the memory the mapping shows once it detaches (%s)",
	       mt_errname(ret));
	if (map != MAP_FAILED)
		munmap(map, LT_SIZE);
}

int main(void)
{
	static const int orders[][NR_OBJ] = {
		{ OBJ_B, OBJ_D, OBJ_M, OBJ_I },
		{ OBJ_I, OBJ_M, OBJ_D, OBJ_B },
		{ OBJ_D, OBJ_I, OBJ_B, OBJ_M },
		{ OBJ_M, OBJ_B, OBJ_I, OBJ_D },
		{ OBJ_B, OBJ_I, OBJ_M, OBJ_D },
		{ OBJ_M, OBJ_I, OBJ_B, OBJ_D },
	};

	edu = edu_setup(&setup);
	if (edu == -ENODEV) {
		printf("1..0 # SKIP no edu PCI device (1234:11e8) in this VM\n");
		return 77;
	}
	edu_diag_setup("t31_dmabuf", &setup);
	if (edu < 0)
		tap_bail("cannot open %s: %s", MOSAIC_EDU_DEVICE_PATH,
			 mt_errname(edu));
	dev = mt_open_dev_baseline(&base);

	test_export();
	for (size_t i = 0; i < sizeof(icases) / sizeof(icases[0]); i++)
		test_import(&icases[i]);
	test_edu_export();
	for (size_t i = 0; i < sizeof(orders) / sizeof(orders[0]); i++)
		test_order(orders[i]);
	test_orphans();

	tap_ok(mt_ledger_is(dev, &base, 0, 0, 0),
	       "at the end: the ledger is back where it started");
	close(dev);
	close(edu);
	return tap_exit();
}
