// SPDX-License-Identifier: GPL-2.0
/*
 * What mosaic-bench measures: a row per valid backend x strategy pair,
 * and the kernel's own peers.
 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include "mosaic-bench.h"

/*
 * Rows come from libmosaic: every backend and strategy it has a name for
 * (walked 1, 2, ... until there is none, like mosaicctl), every pair
 * mosaic_backend_accepts(). A strategy added to <linux/mosaic.h> and to
 * libmosaic's name table thus gets its rows here with no change. What the
 * bench cannot ask the library is how the strategy behaves at first
 * touch; that is this table, one line per strategy:
 *   lazy  pages arrive at first touch (a fault each, or fewer with
 *         fault-around): the smoke test then wants some faults, at most
 *         one per page
 *   pmd   it may map 2 MiB at a time, so an eager mapping need not grow
 *         VmPTE
 * A strategy with no line is checked loosely (faults or none, PTEs or
 * none) and says so, but measured like every other.
 */
static const struct strategy_traits strategy_traits[] = {
	[MOSAIC_STRATEGY_INSERT_PAGE] = { .known = true },
	[MOSAIC_STRATEGY_INSERT_PAGES] = { .known = true },
	[MOSAIC_STRATEGY_MAP_PAGES] = { .known = true },
	[MOSAIC_STRATEGY_REMAP_PFN] = { .known = true },
	[MOSAIC_STRATEGY_FAULT] = { .known = true, .lazy = true },
	[MOSAIC_STRATEGY_PFN_FAULT] = { .known = true, .lazy = true },
	/* Maps at first touch; a 2 MiB block takes one PMD (PTEs on fallback). */
	[MOSAIC_STRATEGY_HUGE] = { .known = true, .lazy = true, .pmd = true },
};

struct strategy_traits traits_of(uint32_t s)
{
	static const struct strategy_traits unknown;

	if (s < sizeof(strategy_traits) / sizeof(strategy_traits[0]))
		return strategy_traits[s];
	return unknown;
}

const char *backend_name(uint32_t b)
{
	const char *n = mosaic_backend_name((enum mosaic_backend)b);

	return n ? n : "?";
}

const char *strategy_name(uint32_t s)
{
	const char *n = mosaic_strategy_name((enum mosaic_strategy)s);

	return n ? n : "?";
}

bool valid_pair(uint32_t b, uint32_t s)
{
	return mosaic_backend_accepts((enum mosaic_backend)b,
				      (enum mosaic_strategy)s) == 1;
}

struct row rows[MAX_ROWS];
int nrows;
char cma_heap[256];

static struct row *add_row(const char *name, enum kind kind, bool lazy,
			   const char *zeroed_in, const char *desc)
{
	struct row *r = &rows[nrows++];

	snprintf(r->name, sizeof(r->name), "%s", name);
	r->kind = kind;
	r->lazy = lazy;
	r->zeroed_in = zeroed_in;
	r->desc = desc;
	for (int p = 0; p < NPHASES; p++)
		r->has[p] = true;
	return r;
}

void build_rows(void)
{
	struct row *r;

	for (uint32_t b = 1; mosaic_backend_name((enum mosaic_backend)b); b++) {
		for (uint32_t s = 1; mosaic_strategy_name((enum mosaic_strategy)s); s++) {
			char name[40];

			if (!valid_pair(b, s) || nrows >= MAX_ROWS - 16)
				continue;
			snprintf(name, sizeof(name), "%s/%s", backend_name(b),
				 strategy_name(s));
			r = add_row(name, K_MOSAIC, traits_of(s).lazy,
				    "alloc", "MOSAIC_IOC_ALLOC; mmap; close");
			r->backend = b;
			r->strategy = s;
		}
	}
	r = add_row("anon/populate", K_ANON_POPULATE, false, "map",
		    "mmap(MAP_PRIVATE|MAP_ANONYMOUS|MAP_POPULATE), 4 KiB pages (THP off)");
	r->has[PH_ALLOC] = r->has[PH_FREE] = false;
	r = add_row("anon/madv-populate", K_ANON_MADVISE, false, "alloc",
		    "mmap(MAP_ANONYMOUS), then madvise(MADV_POPULATE_WRITE) in the alloc column, 4 KiB pages");
	r->has[PH_FREE] = false;
	r = add_row("anon/thp", K_ANON_THP, false, "alloc",
		    "2 MiB-aligned mmap + MADV_HUGEPAGE, then MADV_POPULATE_WRITE in the alloc column");
	r->has[PH_FREE] = false;
	add_row("hugetlb/2M", K_HUGETLB, false, "map",
		"alloc: nr_hugepages += N/2M; mmap(MAP_HUGETLB|MAP_HUGE_2MB|MAP_POPULATE); free: pool shrunk back");
	add_row("heap/system", K_HEAP_SYSTEM, false, "alloc",
		"DMA_HEAP_IOCTL_ALLOC on /dev/dma_heap/system; mmap; close");
	add_row("heap/cma", K_HEAP_CMA, true, "alloc",
		"DMA_HEAP_IOCTL_ALLOC on the CMA heap; mmap; close");
	add_row("udmabuf", K_UDMABUF, true, "alloc",
		"memfd_create + ftruncate + F_SEAL_SHRINK + UDMABUF_CREATE; mmap; close both");
}

/* The CMA heap, whatever it is called here. */
void find_cma_heap(void)
{
	DIR *d = opendir("/dev/dma_heap");
	struct dirent *e;

	cma_heap[0] = 0;
	if (!d)
		return;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || !strcmp(e->d_name, "system"))
			continue;
		/* "reserved" (cma= on x86), "linux,cma" (device tree), ... */
		snprintf(cma_heap, sizeof(cma_heap), "%s", e->d_name);
		break;
	}
	closedir(d);
}

