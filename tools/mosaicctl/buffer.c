// SPDX-License-Identifier: GPL-2.0
/*
 * The buffer options of alloc, info, map, sync and export: parsed into
 * struct mosaic_buf_params, allocated, and every refusal of the module
 * turned into what caused it.
 *
 * Backends and strategies are walked by name (1, 2, ... until the library
 * has no name): the ones libmosaic knows, whatever <linux/mosaic.h> adds.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "mosaicctl.h"

static const char *backend_at(int i)
{
	return mosaic_backend_name((enum mosaic_backend)i);
}

static const char *strategy_at(int i)
{
	return mosaic_strategy_name((enum mosaic_strategy)i);
}

/* Turn the buffer options into c->params; 0 or a usage failure. */
int parse_buf_opts(struct ctl *c)
{
	struct mosaic_buf_params *p = &c->params;
	uint64_t v;
	int ret;

	memset(p, 0, sizeof(*p));
	p->struct_size = sizeof(*p);
	p->backend = MOSAIC_BACKEND_PAGES;
	p->strategy = MOSAIC_STRATEGY_AUTO;
	ret = parse_size_opt(c, "--size", c->size_arg ? c->size_arg : "64M",
			     &p->size);
	if (ret)
		return ret;
	if (!p->size)
		return fail(c, EXIT_USAGE, 0, "--size must be more than 0");
	if (c->backend_arg &&
	    mosaic_backend_from_name(c->backend_arg, &p->backend))
		return fail(c, EXIT_USAGE, 0, "unknown backend '%s' (known: %s)",
			    c->backend_arg, name_list(backend_at, 1));
	if (c->strategy_arg &&
	    mosaic_strategy_from_name(c->strategy_arg, &p->strategy))
		return fail(c, EXIT_USAGE, 0,
			    "unknown strategy '%s' (known: %s)",
			    c->strategy_arg, name_list(strategy_at, 0));
	if (c->max_order_arg) {
		ret = parse_u64_opt(c, "--max-order", c->max_order_arg, &v);
		if (ret)
			return ret;
		if (v > 63)
			return fail(c, EXIT_USAGE, 0,
				    "--max-order %s: out of range", c->max_order_arg);
		p->max_order = (unsigned int)v;
	}
	if (c->chunk_arg) {
		ret = parse_size_opt(c, "--chunk-size", c->chunk_arg,
				     &p->chunk_size);
		if (ret)
			return ret;
	}
	p->device = c->pci_arg;
	if (c->bar_arg) {
		ret = parse_u64_opt(c, "--bar", c->bar_arg, &v);
		if (ret)
			return ret;
		if (v > 5)
			return fail(c, EXIT_USAGE, 0, "--bar %s: a BAR index is 0-5",
				    c->bar_arg);
		p->bar = (unsigned int)v;
	}
	if (c->cache_arg) {
		if (!strcmp(c->cache_arg, "default"))
			p->cache = MOSAIC_CACHE_DEFAULT;
		else if (!strcmp(c->cache_arg, "uncached"))
			p->cache = MOSAIC_CACHE_UNCACHED;
		else if (!strcmp(c->cache_arg, "wc"))
			p->cache = MOSAIC_CACHE_WC;
		else
			return fail(c, EXIT_USAGE, 0,
				    "--cache %s: one of default, uncached, wc",
				    c->cache_arg);
	}
	return 0;
}

/* Why the module refused an ALLOC with EINVAL, as far as we can tell. */
static int explain_einval(const struct ctl *c)
{
	const struct mosaic_buf_params *p = &c->params;
	const char *b = mosaic_backend_name(p->backend);
	const char *s = mosaic_strategy_name(p->strategy);
	/* The options only some backends take (bit per enum mosaic_backend). */
	const struct {
		bool given;
		unsigned int backends;
		const char *option, *takers;
	} knobs[] = {
		{ p->max_order != 0,
		  1u << MOSAIC_BACKEND_COMPOUND | 1u << MOSAIC_BACKEND_SPLIT |
		  1u << MOSAIC_BACKEND_STREAMING,
		  "--max-order", "compound, split and streaming" },
		{ p->chunk_size != 0,
		  1u << MOSAIC_BACKEND_COHERENT | 1u << MOSAIC_BACKEND_NONCONTIG,
		  "--chunk-size", "coherent and noncontig" },
		{ p->device != NULL,
		  1u << MOSAIC_BACKEND_COHERENT | 1u << MOSAIC_BACKEND_STREAMING |
		  1u << MOSAIC_BACKEND_NONCONTIG | 1u << MOSAIC_BACKEND_CMA |
		  1u << MOSAIC_BACKEND_MMIO,
		  "--pci-device", "coherent, streaming, noncontig, cma and mmio" },
	};
	size_t i;

	if (p->backend == MOSAIC_BACKEND_MMIO &&
	    mosaic_backend_accepts(p->backend, p->strategy) == 0)
		return fail(c, EXIT_REFUSED, EINVAL,
			    "invalid combination: backend mmio cannot be mapped with strategy %s (EINVAL; a BAR has no pages: use remap-pfn or pfn-fault)",
			    s);
	if ((p->bar || p->cache) && p->backend != MOSAIC_BACKEND_MMIO)
		return fail(c, EXIT_REFUSED, EINVAL,
			    "invalid request: --bar and --cache apply to mmio, not %s (EINVAL)",
			    b);
	if (p->backend == MOSAIC_BACKEND_MMIO && !p->device)
		return fail(c, EXIT_REFUSED, EINVAL,
			    "invalid request: backend mmio needs --pci-device with a memory BAR (EINVAL)");
	if (p->backend == MOSAIC_BACKEND_MMIO)
		return fail(c, EXIT_REFUSED, EINVAL,
			    "invalid request: BAR %u of %s is not a memory BAR, is unaligned, or is smaller than the buffer (EINVAL)",
			    p->bar, p->device);

	if (mosaic_backend_accepts(p->backend, p->strategy) == 0)
		return fail(c, EXIT_REFUSED, EINVAL,
			    "invalid combination: backend %s cannot be mapped with strategy %s (EINVAL; %s memory belongs to the DMA layer: use remap-pfn or pfn-fault)",
			    b, s, b);
	for (i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++)
		if (knobs[i].given && !(knobs[i].backends & (1u << p->backend)))
			return fail(c, EXIT_REFUSED, EINVAL,
				    "invalid request: %s applies to %s, not %s (EINVAL)",
				    knobs[i].option, knobs[i].takers, b);
	/* Given to a backend that takes it, and still refused. */
	if (p->chunk_size)
		return fail(c, EXIT_REFUSED, EINVAL,
			    "invalid request: --chunk-size %s must be a power of two from one page up to the page allocator's largest block (EINVAL)",
			    c->chunk_arg);
	if (p->max_order)
		return fail(c, EXIT_REFUSED, EINVAL,
			    "invalid request: --max-order %u is above the kernel's largest page order (EINVAL)",
			    p->max_order);
	if (p->backend == MOSAIC_BACKEND_CMA)
		return fail(c, EXIT_REFUSED, EINVAL,
			    "invalid request: backend cma needs at least two pages (EINVAL)");
	return fail(c, EXIT_REFUSED, EINVAL,
		    "the module refused backend %s with strategy %s (EINVAL)",
		    b, s);
}

/* mosaic_buf_alloc() with its failures turned into their causes. */
static int alloc_buf(const struct ctl *c, struct mosaic_dev *dev,
		     struct mosaic_buf **buf)
{
	const struct mosaic_buf_params *p = &c->params;
	const char *b = mosaic_backend_name(p->backend);
	char sz[32], lim[32];
	uint64_t limit;
	int ret = mosaic_buf_alloc(dev, p, buf);

	switch (ret) {
	case 0:
		return EXIT_OK;
	case -EOPNOTSUPP:
		return fail(c, EXIT_UNSUPPORTED, ret,
			    "backend %s is not supported on this kernel (EOPNOTSUPP)",
			    b);
	case -EINVAL:
		return explain_einval(c);
	case -EFBIG:
		if (mosaic_max_buffer_size(&limit) == 0)
			return fail(c, EXIT_REFUSED, ret,
				    "size %s is over the module's limit of %s (max_buffer_size=%" PRIu64 " in /sys/module/mosaic/parameters/max_buffer_size) (EFBIG)",
				    fmt_size(p->size, sz, sizeof(sz)),
				    fmt_size(limit, lim, sizeof(lim)), limit);
		return fail(c, EXIT_REFUSED, ret,
			    "size %s is over the module's max_buffer_size limit (EFBIG)",
			    fmt_size(p->size, sz, sizeof(sz)));
	case -EPERM:
		return fail(c, EXIT_PERM, ret,
			    "--pci-device needs CAP_SYS_RAWIO (EPERM)");
	case -ENODEV:
		return fail(c, EXIT_REFUSED, ret, "no PCI device named %s (ENODEV)",
			    p->device ? p->device : "?");
	case -ENOMEM:
		return fail(c, EXIT_SYSTEM, ret,
			    "out of memory allocating %s from backend %s (ENOMEM)",
			    fmt_size(p->size, sz, sizeof(sz)), b);
	default:
		return fail(c, ret == -E2BIG ? EXIT_REFUSED : EXIT_SYSTEM, ret,
			    "allocating %s from backend %s failed: %s (%s)",
			    fmt_size(p->size, sz, sizeof(sz)), b,
			    strerror(-ret), err_name(ret));
	}
}

/* Allocate c->params and read back its INFO: 0 or an exit status. */
int alloc_with_info(struct ctl *c, struct mosaic_dev **dev,
		    struct mosaic_buf **buf, struct mosaic_buf_info *info)
{
	int ret = parse_buf_opts(c);

	if (ret)
		return ret;
	ret = open_dev(c, dev);
	if (ret)
		return ret;
	ret = alloc_buf(c, *dev, buf);
	if (ret)
		goto err_dev;
	info->struct_size = sizeof(*info);
	ret = mosaic_buf_info(*buf, info);
	if (ret) {
		ret = fail(c, EXIT_SYSTEM, ret, "INFO on the new buffer failed: %s (%s)",
			   strerror(-ret), err_name(ret));
		goto err_buf;
	}
	return 0;

err_buf:
	mosaic_buf_close(*buf);
err_dev:
	mosaic_dev_close(*dev);
	return ret;
}

/* The members every buffer command's object starts with. */
void json_buf_head(struct json *j, const struct ctl *c,
		   const struct mosaic_buf_info *info)
{
	json_str(j, "command", c->cmd);
	json_u64(j, "size", info->size);
	json_str(j, "backend", mosaic_backend_name(info->backend));
	json_str(j, "strategy", mosaic_strategy_name(info->strategy));
}

/* The start of the object of map, sync and export: the buffer and the range. */
void json_range_head(struct json *j, const struct ctl *c, bool ok,
		     const struct mosaic_buf_info *info, uint64_t off,
		     uint64_t len)
{
	json_obj(j, NULL);
	json_bool(j, "ok", ok);
	json_buf_head(j, c, info);
	json_u64(j, "offset", off);
	json_u64(j, "length", len);
}

/*
 * The first line of map, sync and export: "mapped 64 KiB at offset 0x2000
 * of a 1 MiB buffer, backend pages, strategy insert-pages", with @how
 * after "buffer".
 */
void print_range_head(const char *done, uint64_t off, uint64_t len,
		      const struct mosaic_buf_info *info, const char *how)
{
	char sz[32], lsz[32];

	printf("%s %s at offset %#" PRIx64 " of a %s buffer%s, backend %s, strategy %s\n",
	       done, fmt_size(len, lsz, sizeof(lsz)), off,
	       fmt_size(info->size, sz, sizeof(sz)), how,
	       mosaic_backend_name(info->backend),
	       mosaic_strategy_name(info->strategy));
}

/* --offset and --length of sync and export: 0 or a usage failure. */
int parse_range(struct ctl *c, uint64_t *off, uint64_t *len)
{
	int ret;

	*off = 0;
	*len = 0;
	if (c->offset_arg && (ret = parse_size_opt(c, "--offset", c->offset_arg, off)))
		return ret;
	if (c->length_arg && (ret = parse_size_opt(c, "--length", c->length_arg, len)))
		return ret;
	return 0;
}

/*
 * Fill the buffer with the pattern, unless it is device memory (an mmio
 * buffer's BAR may be registers) or read-only: 0 or -errno.
 */
int pattern_fill(struct mosaic_buf *buf, const struct mosaic_buf_info *info,
		 uint64_t seed, bool *filled)
{
	int ret;

	*filled = false;
	if (info->backend == MOSAIC_BACKEND_MMIO)
		return 0;
	ret = mosaic_buf_fill(buf, 0, info->size, seed);
	*filled = !ret;
	return ret == -EACCES ? 0 : ret;
}

