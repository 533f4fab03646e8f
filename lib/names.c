// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libmosaic: names of backends, strategies and huge modes, and human sizes.
 *
 * The names are the ones the module's backends and strategies use for
 * themselves, so a log line, mosaicctl and a program agree.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "include/mosaic/mosaic.h"

static const char *const mosaic_backend_names[] = {
	[MOSAIC_BACKEND_PAGES] = "pages",
	[MOSAIC_BACKEND_COMPOUND] = "compound",
	[MOSAIC_BACKEND_SPLIT] = "split",
	[MOSAIC_BACKEND_COHERENT] = "coherent",
	[MOSAIC_BACKEND_STREAMING] = "streaming",
	[MOSAIC_BACKEND_NONCONTIG] = "noncontig",
	[MOSAIC_BACKEND_VMALLOC] = "vmalloc",
	[MOSAIC_BACKEND_CMA] = "cma",
	[MOSAIC_BACKEND_MMIO] = "mmio",
};

static const char *const mosaic_strategy_names[] = {
	[MOSAIC_STRATEGY_AUTO] = "auto",
	[MOSAIC_STRATEGY_INSERT_PAGE] = "insert-page",
	[MOSAIC_STRATEGY_INSERT_PAGES] = "insert-pages",
	[MOSAIC_STRATEGY_MAP_PAGES] = "map-pages",
	[MOSAIC_STRATEGY_REMAP_PFN] = "remap-pfn",
	[MOSAIC_STRATEGY_FAULT] = "fault",
	[MOSAIC_STRATEGY_PFN_FAULT] = "pfn-fault",
	[MOSAIC_STRATEGY_HUGE] = "huge",
};

static const char *const mosaic_huge_mode_names[] = {
	[MOSAIC_HUGE_NONE] = "none",
	[MOSAIC_HUGE_PTE] = "pte-fallback",
	[MOSAIC_HUGE_FAULT_PMD] = "fault-pmd",
	[MOSAIC_HUGE_PFN_PMD] = "pfn-pmd",
	[MOSAIC_HUGE_FOLIO_PMD] = "folio-pmd",
};

#define MOSAIC_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Case-insensitive, and '_' matches '-' ("INSERT_PAGES" is insert-pages). */
static int mosaic_name_eq(const char *name, const char *canonical)
{
	for (; *name && *canonical; name++, canonical++) {
		char c = *name == '_' ? '-' : (char)tolower((unsigned char)*name);

		if (c != *canonical)
			return 0;
	}
	return !*name && !*canonical;
}

static int mosaic_lookup(const char *const *names, size_t n, size_t first,
			 const char *name)
{
	size_t i;

	if (!name)
		return -EINVAL;
	for (i = first; i < n; i++)
		if (names[i] && mosaic_name_eq(name, names[i]))
			return (int)i;
	return -EINVAL;
}

/* names[@value], or NULL past the table's end. */
static const char *mosaic_name_at(const char *const *names, size_t n,
				  unsigned int value)
{
	return value < n ? names[value] : NULL;
}

MOSAIC_API const char *mosaic_backend_name(enum mosaic_backend backend)
{
	return mosaic_name_at(mosaic_backend_names,
			      MOSAIC_ARRAY_SIZE(mosaic_backend_names), backend);
}

MOSAIC_API int mosaic_backend_from_name(const char *name,
					enum mosaic_backend *backend)
{
	int v = mosaic_lookup(mosaic_backend_names,
			      MOSAIC_ARRAY_SIZE(mosaic_backend_names), 1, name);

	if (v < 0 || !backend)
		return -EINVAL;
	*backend = (enum mosaic_backend)v;
	return 0;
}

MOSAIC_API const char *mosaic_strategy_name(enum mosaic_strategy strategy)
{
	return mosaic_name_at(mosaic_strategy_names,
			      MOSAIC_ARRAY_SIZE(mosaic_strategy_names), strategy);
}

MOSAIC_API int mosaic_strategy_from_name(const char *name,
					 enum mosaic_strategy *strategy)
{
	int v = mosaic_lookup(mosaic_strategy_names,
			      MOSAIC_ARRAY_SIZE(mosaic_strategy_names), 0, name);

	if (v < 0 || !strategy)
		return -EINVAL;
	*strategy = (enum mosaic_strategy)v;
	return 0;
}

MOSAIC_API const char *mosaic_huge_mode_name(enum mosaic_huge_mode mode)
{
	return mosaic_name_at(mosaic_huge_mode_names,
			      MOSAIC_ARRAY_SIZE(mosaic_huge_mode_names), mode);
}

/*
 * The rule of enum mosaic_strategy in <linux/mosaic.h>: the page strategies
 * need memory whose every page carries a reference, which the DMA layer's
 * coherent, noncontig and cma memory does not, and mmio memory has no pages
 * at all; the PFN strategies map anything.
 */
MOSAIC_API int mosaic_backend_accepts(enum mosaic_backend backend,
				      enum mosaic_strategy strategy)
{
	int dma_owned;

	if (!mosaic_backend_name(backend) || backend == 0 ||
	    !mosaic_strategy_name(strategy))
		return -EINVAL;
	/* Memory the page strategies may not map (see <linux/mosaic.h>). */
	dma_owned = backend == MOSAIC_BACKEND_COHERENT ||
		    backend == MOSAIC_BACKEND_NONCONTIG ||
		    backend == MOSAIC_BACKEND_CMA ||
		    backend == MOSAIC_BACKEND_MMIO;
	switch (strategy) {
	case MOSAIC_STRATEGY_AUTO:
	case MOSAIC_STRATEGY_REMAP_PFN:
	case MOSAIC_STRATEGY_PFN_FAULT:
		return 1;
	/* Pages where they carry references, PFNs otherwise; not a BAR. */
	case MOSAIC_STRATEGY_HUGE:
		return backend != MOSAIC_BACKEND_MMIO;
	default:
		return !dma_owned;
	}
}

/* Power-of-1024 exponent of a unit letter, or -1. */
static int mosaic_unit_shift(char c)
{
	switch (c) {
	case 'k': case 'K':
		return 10;
	case 'm': case 'M':
		return 20;
	case 'g': case 'G':
		return 30;
	case 't': case 'T':
		return 40;
	case 'p': case 'P':
		return 50;
	case 'e': case 'E':
		return 60;
	default:
		return -1;
	}
}

MOSAIC_API int mosaic_parse_size(const char *text, uint64_t *bytes)
{
	unsigned long long v;
	const char *s;
	char *end;
	int base = 10, shift = 0;

	if (!text || !bytes)
		return -EINVAL;
	/* strtoull() would take "-1", " 1" and "+1"; a size is digits first. */
	if (!isdigit((unsigned char)text[0]))
		return -EINVAL;
	/* Decimal, or hex with 0x: a leading zero does not mean octal here. */
	if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
		if (!isxdigit((unsigned char)text[2]))
			return -EINVAL;
		base = 16;
	}
	errno = 0;
	v = strtoull(text, &end, base);
	if (errno == ERANGE)
		return -ERANGE;
	s = end;
	if (*s && (shift = mosaic_unit_shift(*s)) >= 0) {
		s++;
		/* "64M", "64MB" and "64MiB" all mean 64 << 20. */
		if (s[0] == 'i' && s[1] == 'B')
			s += 2;
		else if (s[0] == 'B')
			s++;
	} else if (*s == 'B') {
		shift = 0;
		s++;
	} else {
		shift = 0;
	}
	if (*s)
		return -EINVAL;
	if (shift && v > (UINT64_MAX >> shift))
		return -ERANGE;
	*bytes = (uint64_t)v << shift;
	return 0;
}
