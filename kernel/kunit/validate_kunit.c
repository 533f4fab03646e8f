// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the validation of the uapi structs (validate.c): every
 * rule of every ioctl argument, each on a struct that is valid but for the
 * one field under test, so a passing case proves that field alone is what
 * the check refuses. Ranges are probed at their edges and past U64_MAX,
 * which no user-space test can do without a buffer of that size.
 */
#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/pci.h>
#ifdef MOSAIC_TESTING
#include <uapi/linux/mosaic_testing.h>
#endif

#include "../compat.h"
#include "../mosaic_internal.h"
#include "../testing.h"
#include "suites.h"

#define BUF_SIZE	(16ULL * PAGE_SIZE)

/**
 * struct range_case - one range, and what a check must answer for it
 * @offset: first byte
 * @length: bytes
 * @want: 0 or the errno the check returns
 */
struct range_case {
	u64 offset;
	u64 length;
	int want;
};

/*
 * name_range(offset, length): @validate's answer for a @type that is
 * valid but for its range, against a buffer of BUF_SIZE.
 */
#define DEFINE_RANGE_CHECK(name, type, validate)			\
static int name##_range(u64 offset, u64 length)				\
{									\
	type arg = {							\
		.argsz = sizeof(arg),					\
		.offset = offset,					\
		.length = length,					\
	};								\
									\
	return validate(&arg, BUF_SIZE);				\
}

/*
 * Every case of @cases through @check, which validates a struct that is
 * valid but for the range it is given, against a buffer of BUF_SIZE.
 */
static void expect_ranges(struct kunit *test, const char *what,
			  int (*check)(u64 offset, u64 length),
			  const struct range_case *cases, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ_MSG(test, check(cases[i].offset, cases[i].length),
				    cases[i].want, "%s: offset %llu, length %llu",
				    what, cases[i].offset, cases[i].length);
}

/* The one range check: an empty range lies inside from 0 to the end. */
static void range_inside(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, mosaic_range_inside(0, BUF_SIZE, BUF_SIZE));
	KUNIT_EXPECT_FALSE(test, mosaic_range_inside(1, BUF_SIZE, BUF_SIZE));
	KUNIT_EXPECT_TRUE(test, mosaic_range_inside(0, 0, BUF_SIZE));
	KUNIT_EXPECT_TRUE(test, mosaic_range_inside(BUF_SIZE, 0, BUF_SIZE));
	KUNIT_EXPECT_FALSE(test, mosaic_range_inside(BUF_SIZE + 1, 0, BUF_SIZE));
	KUNIT_EXPECT_FALSE(test, mosaic_range_inside(BUF_SIZE, 1, BUF_SIZE));
	/* offset + length wraps to a small number. */
	KUNIT_EXPECT_FALSE(test, mosaic_range_inside(2, U64_MAX, BUF_SIZE));
	KUNIT_EXPECT_FALSE(test, mosaic_range_inside(U64_MAX, 2, BUF_SIZE));
}

static struct mosaic_alloc valid_alloc(u32 backend)
{
	struct mosaic_alloc req = {
		.argsz = sizeof(req),
		.size = 1 << 20,
		.backend = backend,
		.strategy = MOSAIC_STRATEGY_AUTO,
	};

	return req;
}

static void alloc_header(struct kunit *test)
{
	struct mosaic_alloc req = valid_alloc(MOSAIC_BACKEND_PAGES);

	KUNIT_EXPECT_EQ(test, mosaic_validate_alloc_header(&req), 0);
	req.flags = MOSAIC_ALLOC_READ_ONLY;
	KUNIT_EXPECT_EQ(test, mosaic_validate_alloc_header(&req), 0);
	req.flags = MOSAIC_ALLOC_FLAGS + 1;	/* the first unknown bit */
	KUNIT_EXPECT_EQ(test, mosaic_validate_alloc_header(&req), -EINVAL);
	req.flags = 1U << 31;
	KUNIT_EXPECT_EQ(test, mosaic_validate_alloc_header(&req), -EINVAL);
	req = valid_alloc(MOSAIC_BACKEND_PAGES);
	req.__reserved[ARRAY_SIZE(req.__reserved) - 1] = 1;
	KUNIT_EXPECT_EQ(test, mosaic_validate_alloc_header(&req), -EINVAL);
}

static void alloc_ids(struct kunit *test)
{
	struct mosaic_alloc req;
	u32 id;

	for (id = MOSAIC_BACKEND_PAGES; id <= MOSAIC_BACKEND_MAX; id++) {
		req = valid_alloc(id);
		KUNIT_EXPECT_EQ_MSG(test, mosaic_validate_alloc_ids(&req), 0,
				    "backend %u", id);
	}
	req = valid_alloc(0);
	KUNIT_EXPECT_EQ(test, mosaic_validate_alloc_ids(&req), -EINVAL);
	req = valid_alloc(MOSAIC_BACKEND_MAX + 1);
	KUNIT_EXPECT_EQ(test, mosaic_validate_alloc_ids(&req), -EINVAL);
	req = valid_alloc(U32_MAX);
	KUNIT_EXPECT_EQ(test, mosaic_validate_alloc_ids(&req), -EINVAL);

	req = valid_alloc(MOSAIC_BACKEND_PAGES);
	for (id = MOSAIC_STRATEGY_AUTO; id <= MOSAIC_STRATEGY_MAX; id++) {
		req.strategy = id;
		KUNIT_EXPECT_EQ_MSG(test, mosaic_validate_alloc_ids(&req), 0,
				    "strategy %u", id);
	}
	req.strategy = MOSAIC_STRATEGY_MAX + 1;
	KUNIT_EXPECT_EQ(test, mosaic_validate_alloc_ids(&req), -EINVAL);

	req = valid_alloc(MOSAIC_BACKEND_PAGES);
	req.size = 0;
	KUNIT_EXPECT_EQ(test, mosaic_validate_alloc_ids(&req), -EINVAL);
	/* Any non-zero size is a size; the limit is checked on its own. */
	req.size = 1;
	KUNIT_EXPECT_EQ(test, mosaic_validate_alloc_ids(&req), 0);
}

static void alloc_size_limit(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, mosaic_validate_alloc_size(1, 1 << 20), 0);
	KUNIT_EXPECT_EQ(test, mosaic_validate_alloc_size(1 << 20, 1 << 20), 0);
	KUNIT_EXPECT_EQ(test, mosaic_validate_alloc_size((1 << 20) + 1, 1 << 20),
			-EFBIG);
	/* A size that would wrap to zero when rounded up to a page. */
	KUNIT_EXPECT_EQ(test, mosaic_validate_alloc_size(U64_MAX, 2ULL << 30),
			-EFBIG);
	KUNIT_EXPECT_EQ(test,
			mosaic_validate_alloc_size(U64_MAX - PAGE_SIZE + 2,
						   U64_MAX - PAGE_SIZE),
			-EFBIG);
}

/* A knob is refused by every backend that does not take it. */
static void alloc_knobs_foreign(struct kunit *test)
{
	struct mosaic_alloc req;
	u32 id;

	for (id = MOSAIC_BACKEND_PAGES; id <= MOSAIC_BACKEND_MAX; id++) {
		bool orders = id == MOSAIC_BACKEND_COMPOUND ||
			      id == MOSAIC_BACKEND_SPLIT ||
			      id == MOSAIC_BACKEND_STREAMING;
		bool chunks = id == MOSAIC_BACKEND_COHERENT ||
			      id == MOSAIC_BACKEND_NONCONTIG;
		bool mmio = id == MOSAIC_BACKEND_MMIO;

		req = valid_alloc(id);
		KUNIT_EXPECT_EQ_MSG(test, mosaic_validate_alloc_knobs(&req), 0,
				    "backend %u, no knobs", id);
		req.max_order = 4;
		KUNIT_EXPECT_EQ_MSG(test, mosaic_validate_alloc_knobs(&req),
				    orders ? 0 : -EINVAL, "backend %u max_order", id);
		req = valid_alloc(id);
		req.chunk_size = 64 * PAGE_SIZE;
		KUNIT_EXPECT_EQ_MSG(test, mosaic_validate_alloc_knobs(&req),
				    chunks ? 0 : -EINVAL, "backend %u chunk_size", id);
		req = valid_alloc(id);
		req.bar = 2;
		KUNIT_EXPECT_EQ_MSG(test, mosaic_validate_alloc_knobs(&req),
				    mmio ? 0 : -EINVAL, "backend %u bar", id);
		req = valid_alloc(id);
		req.cache = MOSAIC_CACHE_WC;
		KUNIT_EXPECT_EQ_MSG(test, mosaic_validate_alloc_knobs(&req),
				    mmio ? 0 : -EINVAL, "backend %u cache", id);
	}
}

static void alloc_knobs_ranges(struct kunit *test)
{
	struct mosaic_alloc req = valid_alloc(MOSAIC_BACKEND_MMIO);

	req.bar = PCI_STD_NUM_BARS - 1;
	KUNIT_EXPECT_EQ(test, mosaic_validate_alloc_knobs(&req), 0);
	req.bar = PCI_STD_NUM_BARS;
	KUNIT_EXPECT_EQ(test, mosaic_validate_alloc_knobs(&req), -EINVAL);
	req.bar = 0;
	req.cache = MOSAIC_CACHE_MAX;
	KUNIT_EXPECT_EQ(test, mosaic_validate_alloc_knobs(&req), 0);
	req.cache = MOSAIC_CACHE_MAX + 1;
	KUNIT_EXPECT_EQ(test, mosaic_validate_alloc_knobs(&req), -EINVAL);

	req = valid_alloc(MOSAIC_BACKEND_COMPOUND);
	req.max_order = MOSAIC_MAX_PAGE_ORDER;
	KUNIT_EXPECT_EQ(test, mosaic_validate_alloc_knobs(&req), 0);
	req.max_order = MOSAIC_MAX_PAGE_ORDER + 1;
	KUNIT_EXPECT_EQ(test, mosaic_validate_alloc_knobs(&req), -EINVAL);

	req = valid_alloc(MOSAIC_BACKEND_COHERENT);
	req.chunk_size = PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, mosaic_validate_alloc_knobs(&req), 0);
	req.chunk_size = PAGE_SIZE << MOSAIC_MAX_PAGE_ORDER;
	KUNIT_EXPECT_EQ(test, mosaic_validate_alloc_knobs(&req), 0);
	req.chunk_size = PAGE_SIZE << (MOSAIC_MAX_PAGE_ORDER + 1);
	KUNIT_EXPECT_EQ(test, mosaic_validate_alloc_knobs(&req), -EINVAL);
	req.chunk_size = PAGE_SIZE / 2;
	KUNIT_EXPECT_EQ(test, mosaic_validate_alloc_knobs(&req), -EINVAL);
	req.chunk_size = 3 * PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, mosaic_validate_alloc_knobs(&req), -EINVAL);
	req.chunk_size = 1ULL << 63;
	KUNIT_EXPECT_EQ(test, mosaic_validate_alloc_knobs(&req), -EINVAL);
}

static void stats_and_info(struct kunit *test)
{
	struct mosaic_stats st = { .argsz = sizeof(st) };
	struct mosaic_info info = { .argsz = sizeof(info) };
	unsigned int i;

	KUNIT_EXPECT_EQ(test, mosaic_validate_stats(&st), 0);
	st.flags = 1;
	KUNIT_EXPECT_EQ(test, mosaic_validate_stats(&st), -EINVAL);
	st.flags = 0;
	for (i = 0; i < ARRAY_SIZE(st.__reserved); i++) {
		st.__reserved[i] = 1;
		KUNIT_EXPECT_EQ(test, mosaic_validate_stats(&st), -EINVAL);
		st.__reserved[i] = 0;
	}
	/* Out fields are overwritten, so what came in does not matter. */
	st.pages = 7;
	KUNIT_EXPECT_EQ(test, mosaic_validate_stats(&st), 0);

	KUNIT_EXPECT_EQ(test, mosaic_validate_info(&info), 0);
	info.flags = 2;
	KUNIT_EXPECT_EQ(test, mosaic_validate_info(&info), -EINVAL);
	info.flags = 0;
	info.__pad = 1;
	KUNIT_EXPECT_EQ(test, mosaic_validate_info(&info), -EINVAL);
	info.__pad = 0;
	for (i = 0; i < ARRAY_SIZE(info.__reserved); i++) {
		info.__reserved[i] = 1;
		KUNIT_EXPECT_EQ(test, mosaic_validate_info(&info), -EINVAL);
		info.__reserved[i] = 0;
	}
}

#ifdef MOSAIC_TESTING
/* The test build's inspection ioctls. */

/*
 * name_header(flags, reserved): @validate's answer for a @type of one
 * page that is valid but for its flags and its reserved byte @reserved
 * (-1: none is set), against a buffer of BUF_SIZE.
 */
#define DEFINE_HEADER_CHECK(name, type, validate)			\
static int name##_header(u32 flags, int reserved)			\
{									\
	type arg = {							\
		.argsz = sizeof(arg),					\
		.flags = flags,						\
		.length = PAGE_SIZE,					\
	};								\
									\
	if (reserved >= 0)						\
		arg.__reserved[reserved] = 1;				\
	return validate(&arg, BUF_SIZE);				\
}

DEFINE_RANGE_CHECK(pattern, struct mosaic_pattern, mosaic_validate_pattern)
DEFINE_HEADER_CHECK(pattern, struct mosaic_pattern, mosaic_validate_pattern)

static const struct range_case pattern_ranges[] = {
	/* Words: 8-byte granularity, not pages. */
	{ 8, 16, 0 },
	{ 4, 16, -EINVAL },
	{ 8, 12, -EINVAL },
	/* An empty range at the very end is allowed; one word further is not. */
	{ BUF_SIZE, 0, 0 },
	{ BUF_SIZE + 8, 0, -EINVAL },
	{ 8, BUF_SIZE, -EINVAL },
	/* offset + length wraps to a small number. */
	{ 64, U64_MAX - 7, -EINVAL },
};

static void pattern(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, pattern_range(0, BUF_SIZE), 0);
	KUNIT_EXPECT_EQ(test, pattern_header(0, -1), 0);
	KUNIT_EXPECT_EQ(test, pattern_header(1, -1), -EINVAL);
	KUNIT_EXPECT_EQ(test, pattern_header(0, 1), -EINVAL);
	expect_ranges(test, "FILL", pattern_range, pattern_ranges,
		      ARRAY_SIZE(pattern_ranges));
}

DEFINE_RANGE_CHECK(refs, struct mosaic_refs, mosaic_validate_refs)
DEFINE_HEADER_CHECK(refs, struct mosaic_refs, mosaic_validate_refs)

/* Pages, never empty. */
static const struct range_case refs_ranges[] = {
	{ 0, 0, -EINVAL },
	{ 0, 8, -EINVAL },
	{ BUF_SIZE - PAGE_SIZE, PAGE_SIZE, 0 },
	{ BUF_SIZE - PAGE_SIZE, 2 * PAGE_SIZE, -EINVAL },
	{ PAGE_SIZE, U64_MAX & PAGE_MASK, -EINVAL },
};

static void refs(struct kunit *test)
{
	struct mosaic_refs r = { .argsz = sizeof(r), .length = PAGE_SIZE };

	KUNIT_EXPECT_EQ(test, mosaic_validate_refs(&r, BUF_SIZE), 0);
	/* Out fields are ignored on input. */
	r.unexplained_refs = 1;
	r.refcount_min = 1;
	KUNIT_EXPECT_EQ(test, mosaic_validate_refs(&r, BUF_SIZE), 0);
	KUNIT_EXPECT_EQ(test, refs_header(1, -1), -EINVAL);
	KUNIT_EXPECT_EQ(test, refs_header(0, 0), -EINVAL);
	expect_ranges(test, "REFS", refs_range, refs_ranges,
		      ARRAY_SIZE(refs_ranges));
}
#endif /* MOSAIC_TESTING */

static struct mosaic_sync valid_sync(void)
{
	struct mosaic_sync s = {
		.argsz = sizeof(s),
		.flags = MOSAIC_SYNC_BEGIN,
		.length = PAGE_SIZE,
		.direction = MOSAIC_SYNC_RW,
	};

	return s;
}

static void sync_fields(struct kunit *test)
{
	struct mosaic_sync s = valid_sync();

	KUNIT_EXPECT_EQ(test, mosaic_validate_sync(&s, BUF_SIZE), 0);
	s.flags = MOSAIC_SYNC_END;
	KUNIT_EXPECT_EQ(test, mosaic_validate_sync(&s, BUF_SIZE), 0);
	/* Exactly one of BEGIN and END. */
	s.flags = MOSAIC_SYNC_BEGIN | MOSAIC_SYNC_END;
	KUNIT_EXPECT_EQ(test, mosaic_validate_sync(&s, BUF_SIZE), -EINVAL);
	s.flags = 0;
	KUNIT_EXPECT_EQ(test, mosaic_validate_sync(&s, BUF_SIZE), -EINVAL);
	s.flags = MOSAIC_SYNC_BEGIN | (1U << 2);
	KUNIT_EXPECT_EQ(test, mosaic_validate_sync(&s, BUF_SIZE), -EINVAL);
	s = valid_sync();
	s.__pad = 1;
	KUNIT_EXPECT_EQ(test, mosaic_validate_sync(&s, BUF_SIZE), -EINVAL);
	/* Out fields are ignored on input. */
	s = valid_sync();
	s.first_segment = 1;
	s.nr_segments = 1;
	s.nr_synced = 1;
	KUNIT_EXPECT_EQ(test, mosaic_validate_sync(&s, BUF_SIZE), 0);
	s = valid_sync();
	s.__reserved[1] = 1;
	KUNIT_EXPECT_EQ(test, mosaic_validate_sync(&s, BUF_SIZE), -EINVAL);
	s = valid_sync();
	s.direction = MOSAIC_SYNC_READ - 1;
	KUNIT_EXPECT_EQ(test, mosaic_validate_sync(&s, BUF_SIZE), -EINVAL);
	s.direction = MOSAIC_SYNC_RW + 1;
	KUNIT_EXPECT_EQ(test, mosaic_validate_sync(&s, BUF_SIZE), -EINVAL);
}

static int sync_range_of(u64 offset, u64 length)
{
	struct mosaic_sync s = valid_sync();

	s.offset = offset;
	s.length = length;
	return mosaic_validate_sync(&s, BUF_SIZE);
}

/* Sync takes byte ranges: no alignment, but never empty or outside. */
static const struct range_case sync_ranges[] = {
	{ 1, 3, 0 },
	{ BUF_SIZE - 1, 1, 0 },
	{ BUF_SIZE - 1, 2, -EINVAL },
	/* Unlike FILL, an empty range is refused, at the end or not. */
	{ 0, 0, -EINVAL },
	{ BUF_SIZE, 0, -EINVAL },
	{ BUF_SIZE, 1, -EINVAL },
	{ PAGE_SIZE, U64_MAX - PAGE_SIZE + 2, -EINVAL },
};

static void sync_range(struct kunit *test)
{
	expect_ranges(test, "SYNC", sync_range_of, sync_ranges,
		      ARRAY_SIZE(sync_ranges));
}

DEFINE_RANGE_CHECK(export, struct mosaic_export, mosaic_validate_export)

/* Pages; length 0 means from the offset to the end of the buffer. */
static const struct range_case export_ranges[] = {
	{ 0, 0, 0 },
	{ BUF_SIZE - PAGE_SIZE, 0, 0 },
	{ BUF_SIZE, 0, -EINVAL },
	{ PAGE_SIZE, 2 * PAGE_SIZE, 0 },
	{ PAGE_SIZE, PAGE_SIZE + 8, -EINVAL },
	{ 8, PAGE_SIZE, -EINVAL },
	{ PAGE_SIZE, BUF_SIZE, -EINVAL },
	{ PAGE_SIZE, U64_MAX & PAGE_MASK, -EINVAL },
};

static void export(struct kunit *test)
{
	struct mosaic_export e = { .argsz = sizeof(e) };

	expect_ranges(test, "EXPORT", export_range, export_ranges,
		      ARRAY_SIZE(export_ranges));

	e.flags = MOSAIC_EXPORT_READ_ONLY;
	KUNIT_EXPECT_EQ(test, mosaic_validate_export(&e, BUF_SIZE), 0);
	e.flags = MOSAIC_EXPORT_FLAGS + 1;	/* the first unknown bit */
	KUNIT_EXPECT_EQ(test, mosaic_validate_export(&e, BUF_SIZE), -EINVAL);
	e.flags = 0;
	e.__pad = 1;
	KUNIT_EXPECT_EQ(test, mosaic_validate_export(&e, BUF_SIZE), -EINVAL);
	e.__pad = 0;
	e.__reserved[1] = 1;
	KUNIT_EXPECT_EQ(test, mosaic_validate_export(&e, BUF_SIZE), -EINVAL);
	e.__reserved[1] = 0;
	/* fd is an out field the ioctl overwrites; what came in is ignored. */
	e.fd = -1;
	KUNIT_EXPECT_EQ(test, mosaic_validate_export(&e, BUF_SIZE), 0);
}

static void segments(struct kunit *test)
{
	struct mosaic_segments g = {
		.argsz = sizeof(g),
		.entry_size = sizeof(struct mosaic_seg_entry),
	};

	KUNIT_EXPECT_EQ(test, mosaic_validate_segments(&g), 0);
	/* Past the last segment is not an error: fewer entries come back. */
	g.first = U64_MAX;
	g.count = U64_MAX;
	KUNIT_EXPECT_EQ(test, mosaic_validate_segments(&g), 0);
	g.entry_size = MOSAIC_SEG_ENTRY_SIZE_VER0 - 1;
	KUNIT_EXPECT_EQ(test, mosaic_validate_segments(&g), -EINVAL);
	g.entry_size = PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, mosaic_validate_segments(&g), 0);
	g.entry_size = PAGE_SIZE + 1;
	KUNIT_EXPECT_EQ(test, mosaic_validate_segments(&g), -EINVAL);
	g.entry_size = MOSAIC_SEG_ENTRY_SIZE_VER0;
	/* Out fields are ignored on input. */
	g.nr_segments = 1;
	KUNIT_EXPECT_EQ(test, mosaic_validate_segments(&g), 0);
	g.nr_segments = 0;
	g.__pad = 1;
	KUNIT_EXPECT_EQ(test, mosaic_validate_segments(&g), -EINVAL);
	g.__pad = 0;
	g.flags = MOSAIC_SEGMENTS_DEVICE;
	KUNIT_EXPECT_EQ(test, mosaic_validate_segments(&g), 0);
	g.flags = MOSAIC_SEGMENTS_FLAGS << 1;
	KUNIT_EXPECT_EQ(test, mosaic_validate_segments(&g), -EINVAL);
	g.flags = 0;
	g.__reserved[0] = 1;
	KUNIT_EXPECT_EQ(test, mosaic_validate_segments(&g), -EINVAL);
}

/* The first published sizes still fit every field the checks read. */
static void ver0_sizes(struct kunit *test)
{
	KUNIT_EXPECT_GE(test, sizeof(struct mosaic_alloc),
			(size_t)MOSAIC_ALLOC_SIZE_VER0);
	KUNIT_EXPECT_GE(test, (size_t)MOSAIC_ALLOC_SIZE_VER0,
			offsetofend(struct mosaic_alloc, cache));
	KUNIT_EXPECT_GE(test, (size_t)MOSAIC_SYNC_SIZE_VER0,
			offsetofend(struct mosaic_sync, nr_synced));
	KUNIT_EXPECT_GE(test, (size_t)MOSAIC_EXPORT_SIZE_VER0,
			offsetofend(struct mosaic_export, __pad));
	KUNIT_EXPECT_GE(test, (size_t)MOSAIC_SEGMENTS_SIZE_VER0,
			offsetofend(struct mosaic_segments, nr_segments));
	KUNIT_EXPECT_EQ(test, sizeof(struct mosaic_seg_entry),
			(size_t)MOSAIC_SEG_ENTRY_SIZE_VER0);
}

static struct kunit_case mosaic_validate_cases[] = {
	KUNIT_CASE(range_inside),
	KUNIT_CASE(alloc_header),
	KUNIT_CASE(alloc_ids),
	KUNIT_CASE(alloc_size_limit),
	KUNIT_CASE(alloc_knobs_foreign),
	KUNIT_CASE(alloc_knobs_ranges),
	KUNIT_CASE(stats_and_info),
#ifdef MOSAIC_TESTING
	KUNIT_CASE(pattern),
	KUNIT_CASE(refs),
#endif
	KUNIT_CASE(sync_fields),
	KUNIT_CASE(sync_range),
	KUNIT_CASE(export),
	KUNIT_CASE(segments),
	KUNIT_CASE(ver0_sizes),
	{}
};

struct kunit_suite mosaic_validate_suite = {
	.name = "mosaic_validate",
	.test_cases = mosaic_validate_cases,
};
