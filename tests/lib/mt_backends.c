// SPDX-License-Identifier: GPL-2.0
/*
 * Backends and strategies: their names (libmosaic's table, lib/names.c),
 * which pairs the module accepts, and why an ALLOC may fail for the
 * machine rather than the module.
 */
#include "mosaic_test.h"
#include "tap.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "../../lib/include/mosaic/mosaic.h"

const char *mt_backend_name(uint32_t backend)
{
	const char *name = mosaic_backend_name((enum mosaic_backend)backend);

	return name ? name : "?";
}

const char *mt_strategy_name(uint32_t strategy)
{
	const char *name = mosaic_strategy_name((enum mosaic_strategy)strategy);

	return name ? name : "?";
}

bool mt_strategy_is_pfn(uint32_t strategy)
{
	return strategy == MOSAIC_STRATEGY_REMAP_PFN ||
	       strategy == MOSAIC_STRATEGY_PFN_FAULT;
}

bool mt_backend_page_backed(uint32_t backend)
{
	switch (backend) {
	case MOSAIC_BACKEND_PAGES:
	case MOSAIC_BACKEND_COMPOUND:
	case MOSAIC_BACKEND_SPLIT:
	case MOSAIC_BACKEND_STREAMING:
	case MOSAIC_BACKEND_VMALLOC:
		return true;
	default:
		return false;
	}
}

bool mt_backend_needs_device(uint32_t backend)
{
	return backend == MOSAIC_BACKEND_COHERENT ||
	       backend == MOSAIC_BACKEND_STREAMING ||
	       backend == MOSAIC_BACKEND_NONCONTIG ||
	       backend == MOSAIC_BACKEND_CMA ||
	       backend == MOSAIC_BACKEND_MMIO;
}

bool mt_pair_valid(uint32_t backend, uint32_t strategy)
{
	if (strategy == MOSAIC_STRATEGY_HUGE)
		return backend != MOSAIC_BACKEND_MMIO;
	return mt_strategy_is_pfn(strategy) || mt_backend_page_backed(backend);
}

void mt_pair_start(struct mt_pair_run *run, int devfd, uint32_t b, uint32_t s)
{
	run->backend = b;
	run->strategy = s;
	snprintf(run->tag, sizeof(run->tag), "%s/%s", mt_backend_name(b),
		 mt_strategy_name(s));
	if (mt_stats(devfd, &run->base) < 0)
		tap_bail("STATS failed");
	run->t0 = mt_now_s();
}

int mt_pair_alloc(const struct mt_pair_run *run, int devfd, uint64_t want,
		  uint64_t *size, const char **skip)
{
	int bfd = mt_alloc_matrix(devfd, run->backend, run->strategy, want, size);

	*skip = NULL;
	if (bfd < 0) {
		*skip = mt_alloc_skip_reason(run->backend, bfd, *size);
		tap_diag("%s: ALLOC: %s%s%s", run->tag, mt_errname(bfd),
			 *skip ? ": " : "", *skip ? *skip : "");
	}
	return bfd;
}

void mt_pair_finish(const struct mt_pair_run *run, int devfd, int bfd,
		    const char *skip, const char *what)
{
	if (bfd >= 0)
		close(bfd);
	TAP_POINT(skip, mt_ledger_is(devfd, &run->base, 0, 0, 0), "%s: %s",
		  run->tag, what);
	if (!skip)
		tap_diag("%s: %.2f s", run->tag, mt_now_s() - run->t0);
}

bool mt_maps_pfn(uint32_t backend, uint32_t strategy)
{
	if (strategy == MOSAIC_STRATEGY_HUGE)
		return !mt_backend_page_backed(backend);
	return mt_strategy_is_pfn(strategy);
}

const char *mt_alloc_skip_reason(uint32_t backend, int err, uint64_t size)
{
	static char reason[160];
	uint64_t kb;

	if (err < 0)
		err = -err;
	/* A BAR to map needs a PCI device; the matrix tests name none. */
	if (backend == MOSAIC_BACKEND_MMIO && err == EINVAL)
		return "mmio backend: EINVAL, it maps a PCI BAR and no PCI device was named (t32_mmio covers it)";
	/* The noncontiguous DMA API arrived in Linux 5.15 (kernel/compat.h). */
	if (backend == MOSAIC_BACKEND_NONCONTIG && err == EOPNOTSUPP)
		return "noncontig backend: EOPNOTSUPP, this kernel has no dma_alloc_noncontiguous() (Linux < 5.15)";
	if (backend != MOSAIC_BACKEND_CMA)
		return NULL;
	if (err == EOPNOTSUPP)
		return "cma backend: EOPNOTSUPP, this kernel has no CMA";
	if (err == ENOMEM && mt_meminfo_kb("CmaFree", &kb) == 0 &&
	    kb * 1024 < size) {
		snprintf(reason, sizeof(reason),
			 "cma backend: ENOMEM, CMA area has %llu kB free, need %llu kB",
			 ULL(kb), ULL(size / 1024));
		return reason;
	}
	return NULL;
}
