// SPDX-License-Identifier: GPL-2.0
/*
 * Validation of the uapi structs the ioctls accept.
 *
 * Every function here is pure: it looks at a kernel copy of one argument
 * (and, for the buffer ioctls, at the buffer's size) and says whether the
 * kernel may act on it. Nothing is allocated, locked or changed, so the
 * KUnit suite (kernel/kunit/validate_kunit.c) calls them on hand-built
 * structs and checks every rule and every errno, including the ones no
 * user-space test can reach without a huge buffer.
 *
 * The rules are those of the uapi header: unknown flags and non-zero
 * reserved or padding fields are refused with -EINVAL so they can gain a
 * meaning later, out fields are ignored (the ioctl overwrites them), and
 * a range must lie inside the buffer without wrapping around.
 */
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/pci.h>
#include <linux/string.h>

#include "compat.h"
#include "mosaic_internal.h"
#include "testing.h"

#ifdef MOSAIC_TESTING
#include <uapi/linux/mosaic_testing.h>
#endif

#define mosaic_reserved_zero(s) \
	(!memchr_inv((s)->__reserved, 0, sizeof((s)->__reserved)))

/**
 * mosaic_range_inside() - whether a range lies inside [0, @size)
 * @offset: first byte (or page: any unit, the same for all three)
 * @length: bytes in the range
 * @size: bytes in what the range must lie in
 *
 * The one range check of the module, written so that no sum can wrap.
 * An empty range lies inside wherever it starts from 0 to @size, the end
 * included: it touches nothing. The ioctls and calls that refuse an empty
 * range (SYNC, EXPORT, REFS, mosaic_buf_sync(), mosaic_buf_export())
 * check for it themselves; FILL and VERIFY accept one.
 *
 * Return: true if the range lies inside.
 */
bool mosaic_range_inside(u64 offset, u64 length, u64 size)
{
	return offset <= size && length <= size - offset;
}

/**
 * mosaic_validate_alloc_header() - flags and reserved fields of an ALLOC
 * @req: kernel copy of the request
 *
 * Return: 0, or -EINVAL for an unknown flag or a reserved byte that is set.
 */
int mosaic_validate_alloc_header(const struct mosaic_alloc *req)
{
	if ((req->flags & ~MOSAIC_ALLOC_FLAGS) || !mosaic_reserved_zero(req))
		return -EINVAL;
	return 0;
}

/**
 * mosaic_validate_alloc_ids() - size, backend and strategy of an ALLOC
 * @req: kernel copy of the request
 *
 * Whether the strategy can map the backend's memory depends on the
 * backend's ops and is checked by the caller.
 *
 * Return: 0, or -EINVAL for a zero size, a backend or a strategy that
 * names nothing (%MOSAIC_STRATEGY_AUTO is a valid strategy).
 */
int mosaic_validate_alloc_ids(const struct mosaic_alloc *req)
{
	if (!req->size)
		return -EINVAL;
	if (req->backend < MOSAIC_BACKEND_PAGES ||
	    req->backend > MOSAIC_BACKEND_MAX)
		return -EINVAL;
	if (req->strategy > MOSAIC_STRATEGY_MAX)
		return -EINVAL;
	return 0;
}

/**
 * mosaic_validate_alloc_size() - an ALLOC size against the module's limit
 * @size: &mosaic_alloc.size, before rounding up to a page
 * @max_size: the largest size accepted (module parameter max_buffer_size)
 *
 * Compared before rounding, so a size near U64_MAX cannot wrap to a small
 * one.
 *
 * Return: 0, or -EFBIG above @max_size.
 */
int mosaic_validate_alloc_size(u64 size, u64 max_size)
{
	return size > max_size ? -EFBIG : 0;
}

/**
 * mosaic_validate_alloc_knobs() - the backend-specific fields of an ALLOC
 * @req: kernel copy of the request, whose backend is valid
 *
 * A knob a backend does not use must be zero, so it can gain a meaning for
 * that backend later: max_order belongs to compound, split and streaming,
 * chunk_size to coherent and noncontig, bar and cache to mmio.
 *
 * Return: 0, or -EINVAL for a knob the backend does not take or one out of
 * range: a BAR index past the last standard BAR, an unknown cache mode, an
 * order above the page allocator's largest, or a chunk size that is not a
 * power of two from a page to the page allocator's largest block.
 */
int mosaic_validate_alloc_knobs(const struct mosaic_alloc *req)
{
	bool orders = req->backend == MOSAIC_BACKEND_COMPOUND ||
		      req->backend == MOSAIC_BACKEND_SPLIT ||
		      req->backend == MOSAIC_BACKEND_STREAMING;
	bool chunks = req->backend == MOSAIC_BACKEND_COHERENT ||
		      req->backend == MOSAIC_BACKEND_NONCONTIG;
	bool mmio = req->backend == MOSAIC_BACKEND_MMIO;

	if ((req->max_order && !orders) || (req->chunk_size && !chunks) ||
	    ((req->bar || req->cache) && !mmio))
		return -EINVAL;
	if (req->bar >= PCI_STD_NUM_BARS || req->cache > MOSAIC_CACHE_MAX)
		return -EINVAL;
	if (req->max_order > MOSAIC_MAX_PAGE_ORDER)
		return -EINVAL;
	if (req->chunk_size &&
	    (!is_power_of_2(req->chunk_size) || req->chunk_size < PAGE_SIZE ||
	     req->chunk_size > (PAGE_SIZE << MOSAIC_MAX_PAGE_ORDER)))
		return -EINVAL;
	return 0;
}

/**
 * mosaic_validate_stats() - argument of %MOSAIC_IOC_STATS
 * @st: kernel copy
 *
 * Return: 0, or -EINVAL for an unknown flag or a reserved byte that is set.
 */
int mosaic_validate_stats(const struct mosaic_stats *st)
{
	if (st->flags || !mosaic_reserved_zero(st))
		return -EINVAL;
	return 0;
}

/**
 * mosaic_validate_info() - argument of %MOSAIC_IOC_INFO
 * @info: kernel copy
 *
 * Return: 0, or -EINVAL for an unknown flag, padding or a reserved byte
 * that is set.
 */
int mosaic_validate_info(const struct mosaic_info *info)
{
	if (info->flags || info->__pad || !mosaic_reserved_zero(info))
		return -EINVAL;
	return 0;
}

/**
 * mosaic_validate_sync() - argument of %MOSAIC_IOC_SYNC
 * @s: kernel copy
 * @size: the buffer's size in bytes
 *
 * Return: 0, or -EINVAL unless exactly one of %MOSAIC_SYNC_BEGIN and
 * %MOSAIC_SYNC_END is set, for padding or reserved bytes that are set, an
 * unknown direction, an empty range or one that does not lie
 * inside the buffer (a range starting at its end included).
 */
int mosaic_validate_sync(const struct mosaic_sync *s, u64 size)
{
	if ((s->flags != MOSAIC_SYNC_BEGIN && s->flags != MOSAIC_SYNC_END) ||
	    s->__pad || !mosaic_reserved_zero(s))
		return -EINVAL;
	if (s->direction < MOSAIC_SYNC_READ || s->direction > MOSAIC_SYNC_RW)
		return -EINVAL;
	if (!s->length || !mosaic_range_inside(s->offset, s->length, size))
		return -EINVAL;
	return 0;
}

/**
 * mosaic_validate_export() - argument of %MOSAIC_IOC_EXPORT
 * @e: kernel copy
 * @size: the buffer's size in bytes
 *
 * A zero length means "to the end of the buffer".
 *
 * Return: 0, or -EINVAL for a flag, padding or reserved byte that is set,
 * an unaligned range, or one that is empty or not inside the buffer.
 */
int mosaic_validate_export(const struct mosaic_export *e, u64 size)
{
	u64 length = e->length;

	if ((e->flags & ~MOSAIC_EXPORT_FLAGS) || e->__pad ||
	    !mosaic_reserved_zero(e))
		return -EINVAL;
	if (!length && e->offset < size)
		length = size - e->offset;
	/* Still empty: the offset is at or past the end. */
	if (!length || !PAGE_ALIGNED(e->offset | length) ||
	    !mosaic_range_inside(e->offset, length, size))
		return -EINVAL;
	return 0;
}

/**
 * mosaic_validate_segments() - argument of %MOSAIC_IOC_SEGMENTS
 * @g: kernel copy
 *
 * @g->first and @g->count may point past the last segment: the kernel
 * then reports fewer entries, down to none.
 *
 * Return: 0, or -EINVAL for an unknown flag, padding or reserved byte
 * that is set, or an entry size below the first
 * published &struct mosaic_seg_entry or above a page.
 */
int mosaic_validate_segments(const struct mosaic_segments *g)
{
	if ((g->flags & ~MOSAIC_SEGMENTS_FLAGS) || g->__pad ||
	    !mosaic_reserved_zero(g))
		return -EINVAL;
	if (g->entry_size < MOSAIC_SEG_ENTRY_SIZE_VER0 ||
	    g->entry_size > PAGE_SIZE)
		return -EINVAL;
	return 0;
}

#ifdef MOSAIC_TESTING
/* The test build's inspection ioctls (testing.c). */

/**
 * mosaic_validate_pattern() - argument of %MOSAIC_TEST_IOC_FILL and VERIFY
 * @p: kernel copy
 * @size: the buffer's size in bytes
 *
 * Return: 0, or -EINVAL for a flag or reserved byte that is set, an offset
 * or length that is not a multiple of 8, or a range outside the buffer.
 */
int mosaic_validate_pattern(const struct mosaic_pattern *p, u64 size)
{
	if (p->flags || !mosaic_reserved_zero(p))
		return -EINVAL;
	if (!IS_ALIGNED(p->offset | p->length, sizeof(u64)) ||
	    !mosaic_range_inside(p->offset, p->length, size))
		return -EINVAL;
	return 0;
}

/**
 * mosaic_validate_refs() - argument of %MOSAIC_TEST_IOC_REFS
 * @r: kernel copy
 * @size: the buffer's size in bytes
 *
 * Return: 0, or -EINVAL for a flag or reserved byte that is set, an
 * unaligned or empty range, or a range outside the buffer.
 */
int mosaic_validate_refs(const struct mosaic_refs *r, u64 size)
{
	if (r->flags || !mosaic_reserved_zero(r))
		return -EINVAL;
	if (!PAGE_ALIGNED(r->offset | r->length) || !r->length ||
	    !mosaic_range_inside(r->offset, r->length, size))
		return -EINVAL;
	return 0;
}
#endif /* MOSAIC_TESTING */
