// SPDX-License-Identifier: GPL-2.0
/*
 * t32_mmio: the mmio backend, a PCI BAR mapped into user space.
 *
 * The check VM has an ivshmem-plain device whose BAR 2 is a host file the
 * host filled with a pattern before boot (see tests/lib/ivshmem.h):
 *
 * - an uncached remap-pfn buffer over the BAR: INFO and SEGMENTS show one
 *   segment at the BAR's physical address with no DMA address, the ledger
 *   counts the buffer but no pages, the mapping shows the host's bytes,
 *   PAT holds the range as uncached-minus while it is mapped, and mosaic
 *   holds the BAR's region while the buffer lives (/proc/iomem), so a
 *   second buffer of the BAR is EBUSY (the device has no driver: a BAR
 *   a driver holds is t37_mmio_claim);
 * - what needs a kernel address or struct page (FILL, VERIFY, REFS,
 *   EXPORT) is EOPNOTSUPP; page strategies, a too-small or missing BAR,
 *   a size past the BAR, an unknown caching mode, another backend's knob
 *   and a missing device are EINVAL;
 * - a write-combining pfn-fault buffer: PAT holds the range as
 *   write-combining, the guest writes its own pattern into the second
 *   half, reads it back, and a third mapping at an offset sees it too;
 * - the two regions are printed for the host, which checks the file after
 *   the VM is gone: the guest's writes went through to the host's memory
 *   and the first half was not touched.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "edu_test.h"
#include "ivshmem.h"
#include "mosaic_test.h"
#include "tap.h"

#define PAT_LIST	"/sys/kernel/debug/x86/pat_memtype_list"

static int dev;
static char pci[64];
static uint64_t bar_start, bar_len;
static struct mosaic_stats base;

static int alloc_mmio(uint64_t size, uint32_t strategy, uint32_t bar,
		      uint32_t cache, const char *device)
{
	return mt_alloc_mmio(dev, device, bar, size, strategy, cache);
}

/* The kernel tracks memory types (CONFIG_X86_PAT, which needs MTRR). */
static bool pat_tracked(void)
{
	return access(PAT_LIST, R_OK) == 0;
}

/* Whether PAT lists exactly [start, start + len) with this type. */
static bool pat_has(uint64_t start, uint64_t len, const char *type)
{
	char want[128], line[256];
	bool found = false;
	FILE *f = fopen(PAT_LIST, "re");

	if (!f)
		return false;
	snprintf(want, sizeof(want), "[mem 0x%016" PRIx64 "-0x%016" PRIx64 "] %s",
		 start, start + len, type);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, want))
			found = true;
	fclose(f);
	return found;
}

static bool pat_has_range(uint64_t start, uint64_t len)
{
	return pat_has(start, len, "");
}

static void test_uncached(void)
{
	struct mosaic_seg_entry seg;
	struct mosaic_info info;
	struct mosaic_refs r;
	uint64_t bad = ~0ULL, first, mism;
	int bfd, ret;
	long n;
	void *p;

	bfd = alloc_mmio(bar_len, MOSAIC_STRATEGY_AUTO, IVSHMEM_BAR,
			 MOSAIC_CACHE_UNCACHED, pci);
	ret = bfd < 0 ? bfd : mt_info(bfd, &info);
	tap_ok(ret == 0 && info.backend == MOSAIC_BACKEND_MMIO &&
	       info.strategy == MOSAIC_STRATEGY_REMAP_PFN &&
	       info.size == bar_len && info.nr_segments == 1,
	       "ALLOC mmio of BAR %d (%" PRIu64 " KiB), uncached: INFO says mmio, remap-pfn, one segment (%s)",
	       IVSHMEM_BAR, bar_len / 1024, mt_errname(ret));
	if (bfd < 0)
		tap_bail("cannot go on without the buffer");
	n = mt_segments(bfd, &seg, 1);
	tap_ok(n == 1 && seg.phys == bar_start && seg.length == bar_len &&
	       seg.dma == 0 && !(seg.flags & MOSAIC_SEG_HAS_DMA),
	       "SEGMENTS: one segment at the BAR's address %#" PRIx64 " (%#llx), no DMA address",
	       bar_start, ULL(seg.phys));
	tap_ok(mt_ledger_is(dev, &base, 1, 0, 0),
	       "the ledger counts the buffer, but no pages: a BAR is not RAM");

	p = mmap(NULL, bar_len, PROT_READ | PROT_WRITE, MAP_SHARED, bfd, 0);
	if (p != MAP_FAILED)
		bad = mt_user_check(p, 0, bar_len, IVSHMEM_HOST_SEED, &first);
	tap_ok(p != MAP_FAILED && bad == 0,
	       "the mapping shows the pattern the host wrote into the file before boot (%llu bad words)",
	       ULL(bad));
	if (pat_tracked())
		tap_ok(p != MAP_FAILED &&
		       pat_has(bar_start, bar_len, "uncached-minus"),
		       "while mapped, PAT holds the BAR as uncached-minus");
	else
		tap_skip("no " PAT_LIST ": this kernel has no PAT (CONFIG_X86_PAT)",
			 "while mapped, PAT holds the BAR as uncached-minus");
	tap_ok(mt_iomem_held_by(bar_start, bar_len, "mosaic"),
	       "while the buffer lives, /proc/iomem shows mosaic holding the BAR's region");
	ret = alloc_mmio(MT_PAGE, MOSAIC_STRATEGY_AUTO, IVSHMEM_BAR,
			 MOSAIC_CACHE_UNCACHED, pci);
	if (ret >= 0)
		close(ret);
	tap_ok(ret == -EBUSY && mt_ledger_is(dev, &base, 1, 0, p != MAP_FAILED),
	       "a second ALLOC of the same BAR: EBUSY, the region is held (%s)",
	       mt_errname(ret < 0 ? ret : 0));

	ret = mt_fill(bfd, 0, MT_PAGE, 1);
	tap_ok(ret == -EOPNOTSUPP, "FILL: EOPNOTSUPP, the kernel does not touch the BAR (%s)",
	       mt_errname(ret));
	ret = mt_verify(bfd, 0, MT_PAGE, 1, &mism, &first);
	tap_ok(ret == -EOPNOTSUPP, "VERIFY: EOPNOTSUPP (%s)", mt_errname(ret));
	ret = mt_refs(bfd, 0, MT_PAGE, &r);
	tap_ok(ret == -EOPNOTSUPP, "REFS: EOPNOTSUPP, no struct page (%s)",
	       mt_errname(ret));
	ret = mt_export(bfd, 0, 0);
	tap_ok(ret == -EOPNOTSUPP, "EXPORT: EOPNOTSUPP, a dma-buf needs pages (%s)",
	       mt_errname(ret));
	if (ret >= 0)
		close(ret);

	if (p != MAP_FAILED)
		munmap(p, bar_len);
	close(bfd);
	tap_ok(mt_ledger_is(dev, &base, 0, 0, 0) &&
	       !pat_has_range(bar_start, bar_len) &&
	       !mt_iomem_held_by(bar_start, bar_len, "mosaic"),
	       "fd and mapping gone: ledger back at the start, neither PAT nor mosaic holds the BAR");
}

static void expect_alloc_einval(uint64_t size, uint32_t strategy,
				uint32_t bar, uint32_t cache,
				const char *device, const char *what)
{
	int fd = alloc_mmio(size, strategy, bar, cache, device);

	if (fd >= 0)
		close(fd);
	tap_ok(fd == -EINVAL && mt_ledger_is(dev, &base, 0, 0, 0),
	       "ALLOC mmio %s: EINVAL, nothing left behind (%s)", what,
	       mt_errname(fd));
}

static void test_refused(void)
{
	struct mosaic_alloc a;
	uint64_t s0, l0;
	int fd;

	expect_alloc_einval(MT_PAGE, MOSAIC_STRATEGY_INSERT_PAGES, IVSHMEM_BAR,
			    0, pci, "with insert-pages (no pages to insert)");
	expect_alloc_einval(MT_PAGE, MOSAIC_STRATEGY_FAULT, IVSHMEM_BAR, 0, pci,
			    "with the fault strategy");
	if (mt_pci_bar(pci, 0, &s0, &l0) == 0 && l0 < MT_PAGE)
		expect_alloc_einval(MT_PAGE, 0, 0, 0, pci,
				    "of a page from BAR 0, a 256-byte register BAR");
	else
		tap_skip("BAR 0 is not smaller than a page here",
			 "ALLOC mmio of a BAR smaller than the buffer");
	expect_alloc_einval(MT_PAGE, 0, 1, 0, pci, "of BAR 1, which does not exist");
	expect_alloc_einval(MT_PAGE, 0, 6, 0, pci, "of BAR 6");
	expect_alloc_einval(bar_len + MT_PAGE, 0, IVSHMEM_BAR, 0, pci,
			    "one page larger than the BAR");
	expect_alloc_einval(MT_PAGE, 0, IVSHMEM_BAR, MOSAIC_CACHE_MAX + 1, pci,
			    "with cache mode MAX + 1");
	expect_alloc_einval(MT_PAGE, 0, IVSHMEM_BAR, 0, NULL,
			    "without a device (mosaic's platform device has no BARs)");
	memset(&a, 0, sizeof(a));
	a.size = MT_PAGE;
	a.backend = MOSAIC_BACKEND_MMIO;
	a.bar = IVSHMEM_BAR;
	a.device = (uintptr_t)pci;
	a.chunk_size = MT_PAGE;
	fd = mt_alloc_req(dev, &a);
	if (fd >= 0)
		close(fd);
	tap_ok(fd == -EINVAL, "ALLOC mmio with chunk_size set: EINVAL (%s)",
	       mt_errname(fd));
}

static void test_write_combining(void)
{
	uint64_t half = bar_len / 2, bad = ~0ULL, bad2 = ~0ULL, bad3 = ~0ULL;
	int bfd, bfd2;
	char *p, *q = MAP_FAILED;

	bfd = alloc_mmio(bar_len, MOSAIC_STRATEGY_PFN_FAULT, IVSHMEM_BAR,
			 MOSAIC_CACHE_WC, pci);
	p = bfd < 0 ? MAP_FAILED :
		mmap(NULL, bar_len, PROT_READ | PROT_WRITE, MAP_SHARED, bfd, 0);
	tap_ok(p != MAP_FAILED &&
	       (!pat_tracked() || pat_has(bar_start, bar_len, "write-combining")),
	       "write-combining pfn-fault buffer: mapped%s (%s)",
	       pat_tracked() ? ", PAT holds the BAR as write-combining" :
			       " (no PAT in this kernel: WC is uncached-minus)",
	       mt_errname(bfd < 0 ? bfd : p == MAP_FAILED ? -errno : 0));
	if (p == MAP_FAILED) {
		tap_skip("no mapping", "guest writes through the WC mapping");
		tap_skip("no mapping", "mapping at an offset");
		if (bfd >= 0)
			close(bfd);
		return;
	}
	mt_user_fill(p + half, half, half, IVSHMEM_GUEST_SEED);
	__sync_synchronize();	/* drain the write-combining buffers */
	bad = mt_user_check(p + half, half, half, IVSHMEM_GUEST_SEED, NULL);
	bad2 = mt_user_check(p, 0, half, IVSHMEM_HOST_SEED, NULL);
	tap_ok(bad == 0 && bad2 == 0,
	       "the guest's pattern in the second half reads back, the host's first half is untouched (%llu, %llu bad)",
	       ULL(bad), ULL(bad2));

	/* A new buffer, mapped from an offset: the bytes stayed in the BAR. */
	munmap(p, bar_len);
	close(bfd);
	bfd2 = alloc_mmio(bar_len, MOSAIC_STRATEGY_PFN_FAULT, IVSHMEM_BAR,
			  MOSAIC_CACHE_WC, pci);
	if (bfd2 >= 0)
		q = mmap(NULL, 16 * MT_PAGE, PROT_READ, MAP_SHARED, bfd2,
			 half + 16 * MT_PAGE);
	if (q != MAP_FAILED)
		bad3 = mt_user_check(q, half + 16 * MT_PAGE, 16 * MT_PAGE,
				     IVSHMEM_GUEST_SEED, NULL);
	tap_ok(q != MAP_FAILED && bad3 == 0,
	       "a new buffer mapped at offset %#" PRIx64 " shows the guest's bytes of that offset",
	       half + 16 * MT_PAGE);
	if (q != MAP_FAILED)
		munmap(q, 16 * MT_PAGE);
	if (bfd2 >= 0)
		close(bfd2);

	/* For the host: what the file must hold once the VM is gone. */
	printf("# " IVSHMEM_CHECK_TAG " %" PRIx64 " %" PRIx64 " %llx host\n",
	       (uint64_t)0, half, (unsigned long long)IVSHMEM_HOST_SEED);
	printf("# " IVSHMEM_CHECK_TAG " %" PRIx64 " %" PRIx64 " %llx guest\n",
	       half, half, (unsigned long long)IVSHMEM_GUEST_SEED);
	fflush(stdout);
}

int main(void)
{
	if (mt_find_pci(IVSHMEM_VENDOR, IVSHMEM_DEVICE, pci, sizeof(pci)) < 0 ||
	    mt_pci_bar(pci, IVSHMEM_BAR, &bar_start, &bar_len) < 0 || !bar_len) {
		printf("1..0 # SKIP no ivshmem-plain device with a BAR %d (QEMU: -device ivshmem-plain,memdev=...)\n",
		       IVSHMEM_BAR);
		return 77;
	}
	tap_diag("t32_mmio: ivshmem-plain %s, BAR %d at %#" PRIx64 ", %" PRIu64 " KiB",
		 pci, IVSHMEM_BAR, bar_start, bar_len / 1024);
	dev = mt_open_dev_baseline(&base);

	test_uncached();
	test_refused();
	test_write_combining();

	return mt_end_ledger_back(dev, &base,
				  "at the end: the ledger is back where it started");
}
