// SPDX-License-Identifier: GPL-2.0
/*
 * t20_libmosaic: libmosaic's functions against the real module.
 *
 * Names and size parsing, opening the device (and the ways that fails),
 * the struct_size rules of every struct, allocation with its error paths,
 * mapping (whole, a sub-range, outliving the buffer), fill/verify, refs,
 * wrapping a foreign fd, features, every backend x strategy pair, and the
 * ledger and fd table being back where they started at the end: the
 * functions of LIBMOSAIC_1.0. t23_libmosaic_1_1 covers LIBMOSAIC_1.1.
 */
#include "libmosaic_test.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mosaic_test.h"
#include "tap.h"

/* A caller built against a newer libmosaic: one more field at the end. */
struct params_v2 {
	struct mosaic_buf_params v1;
	uint64_t future;
};

struct stats_v2 {
	struct mosaic_dev_stats v1;
	uint64_t future;
};

/*
 * The names the library must give (the spelling users and scripts rely
 * on), written out here on purpose: test_names() checks lib/names.c
 * against them, so they cannot come from it.
 */
static const char *const backend_names[] = {
	NULL, "pages", "compound", "split", "coherent", "streaming",
	"noncontig", "vmalloc", "cma", "mmio",
};
static const char *const strategy_names[] = {
	"auto", "insert-page", "insert-pages", "map-pages", "remap-pfn",
	"fault", "pfn-fault", "huge",
};
/* Named backends; the all-pairs walk stops before mmio (it needs a BAR). */
#define NR_BACKENDS	9
#define NR_PAIR_BACKENDS	8
#define NR_STRATEGIES	8

static void test_names(void)
{
	enum mosaic_backend b;
	enum mosaic_strategy s;
	bool ok = true;
	int i;

	for (i = 1; i <= NR_BACKENDS; i++) {
		const char *n = mosaic_backend_name((enum mosaic_backend)i);

		if (!n || strcmp(n, backend_names[i]) ||
		    mosaic_backend_from_name(n, &b) || (int)b != i) {
			tap_diag("backend %d: name %s", i, n ? n : "(null)");
			ok = false;
		}
	}
	tap_ok(ok, "mosaic_backend_name/from_name round-trip all %d backends",
	       NR_BACKENDS);
	ok = true;
	for (i = 0; i < NR_STRATEGIES; i++) {
		const char *n = mosaic_strategy_name((enum mosaic_strategy)i);

		if (!n || strcmp(n, strategy_names[i]) ||
		    mosaic_strategy_from_name(n, &s) || (int)s != i) {
			tap_diag("strategy %d: name %s", i, n ? n : "(null)");
			ok = false;
		}
	}
	tap_ok(ok, "mosaic_strategy_name/from_name round-trip all %d strategies",
	       NR_STRATEGIES);
	tap_ok(!mosaic_backend_name((enum mosaic_backend)0) &&
	       !mosaic_backend_name((enum mosaic_backend)99) &&
	       !mosaic_strategy_name((enum mosaic_strategy)99) &&
	       !mosaic_strategy_name((enum mosaic_strategy)-1),
	       "names of unknown values are NULL");
	tap_ok(mosaic_backend_from_name("COMPOUND", &b) == 0 &&
	       b == MOSAIC_BACKEND_COMPOUND &&
	       mosaic_strategy_from_name("Insert_Pages", &s) == 0 &&
	       s == MOSAIC_STRATEGY_INSERT_PAGES,
	       "from_name ignores case and takes '_' for '-'");
	tap_ok(mosaic_backend_from_name("bogus", &b) == -EINVAL &&
	       mosaic_backend_from_name("", &b) == -EINVAL &&
	       mosaic_backend_from_name(NULL, &b) == -EINVAL &&
	       mosaic_backend_from_name("auto", &b) == -EINVAL &&
	       mosaic_strategy_from_name("pagesx", &s) == -EINVAL &&
	       mosaic_strategy_from_name("pages", NULL) == -EINVAL,
	       "from_name: unknown names, NULL and empty are -EINVAL");

	tap_ok(mosaic_backend_accepts(MOSAIC_BACKEND_COHERENT,
				      MOSAIC_STRATEGY_INSERT_PAGE) == 0 &&
	       mosaic_backend_accepts(MOSAIC_BACKEND_NONCONTIG,
				      MOSAIC_STRATEGY_FAULT) == 0 &&
	       mosaic_backend_accepts(MOSAIC_BACKEND_COHERENT,
				      MOSAIC_STRATEGY_REMAP_PFN) == 1 &&
	       mosaic_backend_accepts(MOSAIC_BACKEND_NONCONTIG,
				      MOSAIC_STRATEGY_AUTO) == 1 &&
	       mosaic_backend_accepts(MOSAIC_BACKEND_PAGES,
				      MOSAIC_STRATEGY_PFN_FAULT) == 1 &&
	       mosaic_backend_accepts(MOSAIC_BACKEND_VMALLOC,
				      MOSAIC_STRATEGY_MAP_PAGES) == 1,
	       "mosaic_backend_accepts follows the page/PFN strategy rule");
	tap_ok(mosaic_backend_accepts(MOSAIC_BACKEND_MMIO,
				      MOSAIC_STRATEGY_INSERT_PAGES) == 0 &&
	       mosaic_backend_accepts(MOSAIC_BACKEND_MMIO,
				      MOSAIC_STRATEGY_FAULT) == 0 &&
	       mosaic_backend_accepts(MOSAIC_BACKEND_MMIO,
				      MOSAIC_STRATEGY_PFN_FAULT) == 1 &&
	       mosaic_backend_accepts(MOSAIC_BACKEND_MMIO,
				      MOSAIC_STRATEGY_AUTO) == 1 &&
	       mosaic_backend_from_name("MMIO", &b) == 0 && b == MOSAIC_BACKEND_MMIO,
	       "mmio: named, and only the PFN strategies (and auto) accept it");
	tap_ok(mosaic_backend_accepts(MOSAIC_BACKEND_MMIO,
				      MOSAIC_STRATEGY_HUGE) == 0 &&
	       mosaic_backend_accepts(MOSAIC_BACKEND_COHERENT,
				      MOSAIC_STRATEGY_HUGE) == 1 &&
	       mosaic_backend_accepts(MOSAIC_BACKEND_COMPOUND,
				      MOSAIC_STRATEGY_HUGE) == 1 &&
	       mosaic_strategy_from_name("HUGE", &s) == 0 &&
	       s == MOSAIC_STRATEGY_HUGE,
	       "huge: named, accepted by every backend but mmio");
	tap_ok(mosaic_backend_accepts((enum mosaic_backend)0,
				      MOSAIC_STRATEGY_AUTO) == -EINVAL &&
	       mosaic_backend_accepts(MOSAIC_BACKEND_PAGES,
				      (enum mosaic_strategy)42) == -EINVAL,
	       "mosaic_backend_accepts: unknown values are -EINVAL");
}

static void size_case(const char *text, int want_ret, uint64_t want)
{
	uint64_t v = 0xdeadULL;
	int ret = mosaic_parse_size(text, &v);

	if (want_ret)
		tap_ok(ret == want_ret, "parse_size(\"%s\") is %s (%s)", text,
		       mt_errname(want_ret), mt_errname(ret));
	else
		tap_ok(ret == 0 && v == want, "parse_size(\"%s\") = %llu (%s, %llu)",
		       text, ULL(want), mt_errname(ret), ULL(v));
}

/* LIBMOSAIC_1.2: the names mosaicctl prints for enum mosaic_huge_mode. */
static void test_huge_mode_names(void)
{
	static const char *const want[] = {
		[MOSAIC_HUGE_NONE] = "none",
		[MOSAIC_HUGE_PTE] = "pte-fallback",
		[MOSAIC_HUGE_FAULT_PMD] = "fault-pmd",
		[MOSAIC_HUGE_PFN_PMD] = "pfn-pmd",
		[MOSAIC_HUGE_FOLIO_PMD] = "folio-pmd",
	};
	bool ok = true;
	int i;

	for (i = 0; i <= MOSAIC_HUGE_MODE_MAX; i++) {
		const char *n = mosaic_huge_mode_name((enum mosaic_huge_mode)i);

		if (!n || strcmp(n, want[i])) {
			tap_diag("huge mode %d: name %s", i, n ? n : "(null)");
			ok = false;
		}
	}
	tap_ok(ok && !mosaic_huge_mode_name((enum mosaic_huge_mode)(MOSAIC_HUGE_MODE_MAX + 1)),
	       "mosaic_huge_mode_name names all %d huge modes, NULL past them",
	       MOSAIC_HUGE_MODE_MAX + 1);
}

static void test_parse_size(void)
{
	uint64_t v;

	size_case("4096", 0, 4096);
	size_case("64K", 0, 64ULL << 10);
	size_case("64M", 0, 64ULL << 20);
	size_case("64m", 0, 64ULL << 20);
	size_case("1G", 0, 1ULL << 30);
	size_case("1GiB", 0, 1ULL << 30);
	size_case("2MB", 0, 2ULL << 20);
	size_case("3T", 0, 3ULL << 40);
	size_case("512B", 0, 512);
	size_case("0x1000", 0, 4096);
	size_case("0x10K", 0, 16ULL << 10);
	size_case("010", 0, 10);
	size_case("0", 0, 0);
	size_case("", -EINVAL, 0);
	size_case("-1", -EINVAL, 0);
	size_case(" 1M", -EINVAL, 0);
	size_case("+1M", -EINVAL, 0);
	size_case("1.5G", -EINVAL, 0);
	size_case("12Q", -EINVAL, 0);
	size_case("1M ", -EINVAL, 0);
	size_case("1Mi", -EINVAL, 0);
	size_case("0x", -EINVAL, 0);
	size_case("M", -EINVAL, 0);
	size_case("16E", -ERANGE, 0);
	size_case("99999999999999999999", -ERANGE, 0);
	size_case("18446744073709551615", 0, UINT64_MAX);
	tap_ok(mosaic_parse_size(NULL, &v) == -EINVAL &&
	       mosaic_parse_size("1", NULL) == -EINVAL,
	       "parse_size(NULL) and a NULL result are -EINVAL");
}

static int child_open_as_nobody(void *arg)
{
	struct mosaic_dev *dev = (struct mosaic_dev *)1;
	int ret;

	(void)arg;
	if (setgid(65534) || setuid(65534))
		return 100;
	ret = mosaic_dev_open(NULL, &dev);
	if (ret == -EACCES && dev == NULL)
		return 0;
	return ret == 0 ? 101 : 102;
}

static struct mosaic_dev *test_dev_open(void)
{
	struct mosaic_dev *dev = (struct mosaic_dev *)1;
	int ret, fl;

	ret = mosaic_dev_open("/nonexistent/mosaic", &dev);
	tap_ok(ret == -ENOENT && dev == NULL,
	       "dev_open of a missing path is -ENOENT and sets *devp to NULL (%s)",
	       mt_errname(ret));
	ret = mosaic_dev_open("/dev/null", &dev);
	tap_ok(ret == -ENOTTY && dev == NULL,
	       "dev_open of a file that is not /dev/mosaic is -ENOTTY (%s)",
	       mt_errname(ret));
	tap_ok(mosaic_dev_open(NULL, NULL) == -EINVAL, "dev_open(NULL devp) is -EINVAL");

	ret = mt_run_child(child_open_as_nobody, NULL, 10);
	tap_ok(ret == 0, "dev_open as uid 65534 is -EACCES (/dev/mosaic is 0600) (child %d)",
	       ret);

	ret = mosaic_dev_open(MOSAIC_DEVICE_PATH, &dev);
	if (!tap_ok(ret == 0 && dev, "dev_open(\"%s\") works (%s)",
		    MOSAIC_DEVICE_PATH, mt_errname(ret)))
		tap_bail("cannot open the device through the library");
	mosaic_dev_close(dev);
	ret = mosaic_dev_open(NULL, &dev);
	if (!tap_ok(ret == 0 && dev, "dev_open(NULL) opens the default device (%s)",
		    mt_errname(ret)))
		tap_bail("cannot open the device through the library");
	fl = fcntl(mosaic_dev_fd(dev), F_GETFD);
	tap_ok(fl >= 0 && (fl & FD_CLOEXEC), "device fd is close-on-exec (F_GETFD %#x)", fl);
	fl = fcntl(mosaic_dev_fd(dev), F_GETFL);
	tap_ok(fl >= 0 && (fl & O_ACCMODE) == O_RDWR, "device fd is O_RDWR");
	tap_ok(mosaic_dev_fd(NULL) == -EINVAL, "dev_fd(NULL) is -EINVAL");
	return dev;
}

static void test_stats(struct mosaic_dev *dev)
{
	struct mosaic_dev_stats st = { .struct_size = sizeof(st) }, raw;
	struct mosaic_stats k;
	struct stats_v2 big;
	int ret;

	ret = mosaic_dev_stats(dev, &st);
	tap_ok(ret == 0 && st.struct_size == sizeof(st),
	       "dev_stats works and leaves struct_size alone (%s)", mt_errname(ret));
	ret = mt_stats(mosaic_dev_fd(dev), &k);
	tap_ok(ret == 0 && st.total_buffers <= k.total_buffers &&
	       st.buffers == k.buffers && st.pages == k.pages,
	       "dev_stats agrees with MOSAIC_IOC_STATS");

	memset(&raw, 0xa5, sizeof(raw));
	raw.struct_size = 8;
	tap_ok(mosaic_dev_stats(dev, &raw) == -EINVAL,
	       "dev_stats with struct_size below the first version is -EINVAL");
	tap_ok(mosaic_dev_stats(dev, NULL) == -EINVAL &&
	       mosaic_dev_stats(NULL, &st) == -EINVAL,
	       "dev_stats with NULL arguments is -EINVAL");

	memset(&big, 0xa5, sizeof(big));
	big.v1.struct_size = sizeof(big);
	ret = mosaic_dev_stats(dev, &big.v1);
	tap_ok(ret == 0 && big.future == 0 && big.v1.struct_size == sizeof(big),
	       "dev_stats zeroes the fields of a newer caller it does not know");
}

static void test_alloc_errors(struct mosaic_dev *dev)
{
	struct mosaic_buf *buf = (struct mosaic_buf *)1;
	struct mosaic_buf_params p;
	struct params_v2 p2;
	uint64_t limit = 0;
	int ret;

	p = params(SIZE1, MOSAIC_BACKEND_COHERENT, MOSAIC_STRATEGY_INSERT_PAGES);
	ret = mosaic_buf_alloc(dev, &p, &buf);
	tap_ok(ret == -EINVAL && buf == NULL,
	       "buf_alloc coherent/insert-pages (a bad pair) is -EINVAL, *bufp NULL (%s)",
	       mt_errname(ret));
	p = params(SIZE1, MOSAIC_BACKEND_NONCONTIG, MOSAIC_STRATEGY_FAULT);
	ret = mosaic_buf_alloc(dev, &p, &buf);
	tap_ok(ret == -EINVAL, "buf_alloc noncontig/fault (a bad pair) is -EINVAL (%s)",
	       mt_errname(ret));
	p = params(SIZE1, (enum mosaic_backend)99, MOSAIC_STRATEGY_AUTO);
	ret = mosaic_buf_alloc(dev, &p, &buf);
	tap_ok(ret == -EINVAL, "buf_alloc with an unknown backend is -EINVAL (%s)",
	       mt_errname(ret));
	p = params(0, MOSAIC_BACKEND_PAGES, MOSAIC_STRATEGY_AUTO);
	ret = mosaic_buf_alloc(dev, &p, &buf);
	tap_ok(ret == -EINVAL, "buf_alloc of size 0 is -EINVAL (%s)", mt_errname(ret));
	p = params(SIZE1, MOSAIC_BACKEND_PAGES, MOSAIC_STRATEGY_AUTO);
	p.max_order = 4;
	ret = mosaic_buf_alloc(dev, &p, &buf);
	tap_ok(ret == -EINVAL, "buf_alloc pages with max_order is -EINVAL (%s)",
	       mt_errname(ret));
	p = params(SIZE1, MOSAIC_BACKEND_PAGES, MOSAIC_STRATEGY_AUTO);
	p.flags = MOSAIC_ALLOC_FLAGS + 1;	/* the first bit no flag uses */
	ret = mosaic_buf_alloc(dev, &p, &buf);
	tap_ok(ret == -EINVAL, "buf_alloc with unknown flags is -EINVAL (%s)",
	       mt_errname(ret));

	ret = mosaic_max_buffer_size(&limit);
	tap_ok(ret == 0 && limit > 0, "max_buffer_size reads the module parameter (%llu, %s)",
	       ULL(limit), mt_errname(ret));
	if (limit && limit < UINT64_MAX) {
		p = params(limit + 1, MOSAIC_BACKEND_PAGES, MOSAIC_STRATEGY_AUTO);
		ret = mosaic_buf_alloc(dev, &p, &buf);
		tap_ok(ret == -EFBIG, "buf_alloc of max_buffer_size + 1 is -EFBIG (%s)",
		       mt_errname(ret));
	} else {
		tap_skip("no limit known", "buf_alloc of max_buffer_size + 1 is -EFBIG");
	}
	tap_ok(mosaic_max_buffer_size(NULL) == -EINVAL, "max_buffer_size(NULL) is -EINVAL");

	p = params(SIZE1, MOSAIC_BACKEND_PAGES, MOSAIC_STRATEGY_AUTO);
	p.struct_size = 0;
	tap_ok(mosaic_buf_alloc(dev, &p, &buf) == -EINVAL,
	       "buf_alloc with struct_size 0 is -EINVAL");
	tap_ok(mosaic_buf_alloc(dev, NULL, &buf) == -EINVAL &&
	       mosaic_buf_alloc(NULL, &p, &buf) == -EINVAL &&
	       mosaic_buf_alloc(dev, &p, NULL) == -EINVAL,
	       "buf_alloc with NULL arguments is -EINVAL");

	memset(&p2, 0, sizeof(p2));
	p2.v1 = params(SIZE1, MOSAIC_BACKEND_PAGES, MOSAIC_STRATEGY_AUTO);
	p2.v1.struct_size = sizeof(p2);
	p2.future = 7;
	ret = mosaic_buf_alloc(dev, &p2.v1, &buf);
	tap_ok(ret == -E2BIG,
	       "buf_alloc: a newer caller's unknown non-zero field is -E2BIG (%s)",
	       mt_errname(ret));
	p2.future = 0;
	ret = mosaic_buf_alloc(dev, &p2.v1, &buf);
	tap_ok(ret == 0, "buf_alloc: a newer caller's zero field is accepted (%s)",
	       mt_errname(ret));
	if (!ret)
		mosaic_buf_close(buf);

	/* Older callers: a struct that ends before a field is taken as zero. */
	p = params(SIZE1, MOSAIC_BACKEND_PAGES, MOSAIC_STRATEGY_AUTO);
	p.struct_size = offsetof(struct mosaic_buf_params, flags);
	ret = mosaic_buf_alloc(dev, &p, &buf);
	tap_ok(ret == -EINVAL,
	       "buf_alloc: struct_size below the first version's is -EINVAL (%s)",
	       mt_errname(ret));

	p = params(SIZE1, MOSAIC_BACKEND_CMA, MOSAIC_STRATEGY_AUTO);
	ret = mosaic_buf_alloc(dev, &p, &buf);
	if (ret == 0) {
		tap_ok(true, "buf_alloc cma works (this kernel has CMA)");
		mosaic_buf_close(buf);
	} else {
		tap_ok(ret == -EOPNOTSUPP || ret == -ENOMEM,
		       "buf_alloc cma without CMA is -EOPNOTSUPP (%s)", mt_errname(ret));
	}
}

/* Alloc 1 MiB pages: info, ledger, fd flags, size rounding, accessors. */
static void test_alloc_info(struct mosaic_dev *dev, const struct mosaic_stats *base)
{
	struct mosaic_buf_params p = params(SIZE1, 0, MOSAIC_STRATEGY_AUTO);
	struct mosaic_buf_info info = { .struct_size = sizeof(info) };
	struct mosaic_buf *buf;
	uint64_t pages = 0;
	int ret, fl, k;

	ret = mosaic_buf_alloc(dev, &p, &buf);
	if (!tap_ok(ret == 0, "buf_alloc 1 MiB, backend 0 (= pages), auto (%s)",
		    mt_errname(ret)))
		tap_bail("cannot allocate through the library");
	tap_ok(mosaic_buf_size(buf) == SIZE1, "buf_size is 1 MiB (%llu)",
	       ULL(mosaic_buf_size(buf)));
	fl = fcntl(mosaic_buf_fd(buf), F_GETFD);
	tap_ok(fl >= 0 && (fl & FD_CLOEXEC), "buffer fd is close-on-exec");
	tap_ok(mt_ledger_is(mosaic_dev_fd(dev), base, 1, NPAGES1, 0),
	       "ledger: +1 buffer, +%lu pages", NPAGES1);

	ret = mosaic_buf_info(buf, &info);
	for (k = 0; k < MOSAIC_BUF_INFO_ORDERS; k++)
		pages += info.order_count[k] << k;
	tap_ok(ret == 0 && info.size == SIZE1 &&
	       info.backend == MOSAIC_BACKEND_PAGES &&
	       info.strategy == MOSAIC_STRATEGY_INSERT_PAGES && info.nr_maps == 0,
	       "buf_info: 1 MiB, pages, auto resolved to insert-pages, no maps (%s)",
	       mt_errname(ret));
	tap_ok(pages == NPAGES1 && info.nr_segments >= 1 &&
	       info.nr_runs == info.nr_segments - info.nr_adjacent,
	       "buf_info: order_count covers the buffer, runs = segments - adjacent "
	       "(%llu pages, %llu segs, %llu adj, %llu runs)", ULL(pages),
	       ULL(info.nr_segments), ULL(info.nr_adjacent), ULL(info.nr_runs));
	info.struct_size = 4;
	tap_ok(mosaic_buf_info(buf, &info) == -EINVAL && mosaic_buf_info(buf, NULL) == -EINVAL &&
	       mosaic_buf_info(NULL, &info) == -EINVAL,
	       "buf_info with a short struct or NULL is -EINVAL");
	mosaic_buf_close(buf);
	tap_ok(mt_ledger_is(mosaic_dev_fd(dev), base, 0, 0, 0), "ledger back after buf_close");

	p.size = 5000;
	ret = mosaic_buf_alloc(dev, &p, &buf);
	tap_ok(ret == 0 && mosaic_buf_size(buf) == 2 * MT_PAGE,
	       "buf_alloc 5000 bytes: buf_size is rounded up to 2 pages (%llu)",
	       ret ? 0ULL : ULL(mosaic_buf_size(buf)));
	if (!ret)
		mosaic_buf_close(buf);

	tap_ok(mosaic_buf_fd(NULL) == -EINVAL && mosaic_buf_size(NULL) == 0,
	       "buf_fd(NULL) is -EINVAL, buf_size(NULL) is 0");
	mosaic_buf_close(NULL);
	mosaic_dev_close(NULL);
	tap_ok(true, "buf_close(NULL) and dev_close(NULL) are no-ops");
}

static void test_map_pattern(struct mosaic_dev *dev, const struct mosaic_stats *base)
{
	struct mosaic_buf_params p = params(SIZE1, MOSAIC_BACKEND_PAGES,
					    MOSAIC_STRATEGY_AUTO);
	struct mosaic_buf_info info = { .struct_size = sizeof(info) };
	uint64_t mm = 0, first = 0;
	struct mosaic_refs refs;
	struct mosaic_buf *buf;
	void *map, *sub;
	int ret;

	if (mosaic_buf_alloc(dev, &p, &buf)) {
		tap_skip("no buffer", "mapping tests");
		return;
	}
	/* The test build's REFS: what the library's buffer holds. */
	ret = mt_refs(mosaic_buf_fd(buf), 0, SIZE1, &refs);
	tap_ok(ret == 0 && refs.refcount_min == 1 && refs.refcount_max == 1 &&
	       refs.mapcount_min == 0 && refs.mapcount_max == 0 &&
	       refs.unexplained_refs == 0,
	       "REFS before buf_map: refcount 1, mapcount 0 (%s)", mt_errname(ret));

	ret = mosaic_buf_map(buf, 0, 0, &map);
	if (!tap_ok(ret == 0 && map, "buf_map(length 0) maps the whole buffer (%s)",
		    mt_errname(ret))) {
		mosaic_buf_close(buf);
		return;
	}
	ret = mosaic_buf_info(buf, &info);
	tap_ok(ret == 0 && info.nr_maps == 1, "buf_info nr_maps is 1 while mapped");

	mt_user_fill(map, 0, SIZE1, 0x2001);
	ret = mosaic_buf_verify(buf, 0, SIZE1, 0x2001, &mm, &first);
	tap_ok(ret == 0 && mm == 0 && first == UINT64_MAX,
	       "user write, buf_verify: 0 mismatches, first = ~0 (%s, %llu, %#llx)",
	       mt_errname(ret), ULL(mm), ULL(first));
	((volatile uint64_t *)map)[3 * MT_PAGE / 8 + 1] ^= 1;
	ret = mosaic_buf_verify(buf, 0, SIZE1, 0x2001, &mm, &first);
	tap_ok(ret == 0 && mm == 1 && first == 3 * MT_PAGE + 8,
	       "buf_verify finds one flipped word at its offset (%llu at %#llx)",
	       ULL(mm), ULL(first));
	ret = mosaic_buf_verify(buf, 0, SIZE1, 0x2001, NULL, NULL);
	tap_ok(ret == 0, "buf_verify with NULL outputs works");

	/* What the library writes, the kernel reads through its own view. */
	ret = mosaic_buf_fill(buf, 0, SIZE1, 0x2005);
	tap_ok(ret == 0 && mt_verify(mosaic_buf_fd(buf), 0, SIZE1, 0x2005, &mm, NULL) == 0 &&
	       mm == 0, "buf_fill's pattern is what the kernel's VERIFY reads (%s)",
	       mt_errname(ret));
	ret = mt_fill(mosaic_buf_fd(buf), 0, SIZE1, 0x2006);
	tap_ok(ret == 0 && mosaic_buf_verify(buf, 0, SIZE1, 0x2006, &mm, NULL) == 0 &&
	       mm == 0, "the kernel's FILL is what buf_verify reads");
	ret = mosaic_buf_fill(buf, 0, SIZE1, 0x2002);
	tap_ok(ret == 0 && mt_user_check(map, 0, SIZE1, 0x2002, NULL) == 0,
	       "buf_fill is visible through the mapping (%s)", mt_errname(ret));
	ret = mosaic_buf_fill(buf, 4096, 8192, 0x2003);
	tap_ok(ret == 0 && mt_user_check((char *)map + 4096, 4096, 8192, 0x2003, NULL) == 0 &&
	       mt_user_check(map, 0, 4096, 0x2002, NULL) == 0,
	       "buf_fill of a sub-range changes only that range");
	tap_ok(mosaic_buf_fill(buf, 3, 8, 1) == -EINVAL &&
	       mosaic_buf_fill(buf, 0, SIZE1 + 8, 1) == -EINVAL &&
	       mosaic_buf_verify(buf, 0, 12, 1, &mm, NULL) == -EINVAL &&
	       mosaic_buf_fill(NULL, 0, 8, 1) == -EINVAL,
	       "buf_fill/verify: misaligned, out-of-range or NULL is -EINVAL");

	/* buf_fill and buf_verify leave no mapping and no reference behind. */
	ret = mt_refs(mosaic_buf_fd(buf), 0, SIZE1, &refs);
	tap_ok(ret == 0 && refs.refcount_min == 2 && refs.refcount_max == 2 &&
	       refs.mapcount_min == 1 && refs.mapcount_max == 1 &&
	       refs.unexplained_refs == 0,
	       "REFS while buf_map'd: refcount 2, mapcount 1, 0 unexplained "
	       "(%u-%u, %d-%d, %lld)", refs.refcount_min, refs.refcount_max,
	       refs.mapcount_min, refs.mapcount_max, (long long)refs.unexplained_refs);
	ret = mosaic_buf_info(buf, &info);
	tap_ok(ret == 0 && info.nr_maps == 1,
	       "buf_fill/verify left no mapping of their own (nr_maps %llu)",
	       ULL(info.nr_maps));

	/* A sub-range: the pattern is a function of the buffer offset. */
	ret = mosaic_buf_map(buf, 2 * MT_PAGE, 3 * MT_PAGE, &sub);
	tap_ok(ret == 0 && mt_user_check(sub, 2 * MT_PAGE, MT_PAGE, 0x2003, NULL) == 0 &&
	       mt_user_check((char *)sub + MT_PAGE, 3 * MT_PAGE, 2 * MT_PAGE, 0x2002, NULL) == 0,
	       "buf_map of pages 2-4 shows those pages of the buffer (%s)",
	       mt_errname(ret));
	if (!ret)
		tap_ok(mosaic_buf_unmap(sub, 3 * MT_PAGE) == 0, "buf_unmap of the sub-range");
	else
		tap_skip("no mapping", "buf_unmap of the sub-range");
	tap_ok(mosaic_buf_map(buf, 100, MT_PAGE, &sub) == -EINVAL && sub == NULL,
	       "buf_map at a misaligned offset is -EINVAL, *addr NULL");
	tap_ok(mosaic_buf_map(buf, SIZE1 + MT_PAGE, 0, &sub) == -EINVAL &&
	       mosaic_buf_map(buf, SIZE1, 0, &sub) == -EINVAL,
	       "buf_map past the end or of nothing is -EINVAL");
	ret = mosaic_buf_map(buf, MT_PAGE, SIZE1, &sub);
	tap_ok(ret == -EINVAL, "buf_map with offset + length past the end is -EINVAL (%s)",
	       mt_errname(ret));
	tap_ok(mosaic_buf_map(buf, 0, 0, NULL) == -EINVAL &&
	       mosaic_buf_map(NULL, 0, 0, &sub) == -EINVAL,
	       "buf_map with NULL arguments is -EINVAL");
	tap_ok(mosaic_buf_unmap(NULL, MT_PAGE) == -EINVAL &&
	       mosaic_buf_unmap(map, 0) == -EINVAL,
	       "buf_unmap(NULL) and of length 0 are -EINVAL");

	/* The mapping outlives the buffer object and its fd. */
	mosaic_buf_close(buf);
	tap_ok(mt_user_check(map, 0, MT_PAGE, 0x2002, NULL) == 0 &&
	       mt_ledger_is(mosaic_dev_fd(dev), base, 1, NPAGES1, 1),
	       "after buf_close the mapping still holds the data and the pages");
	tap_ok(mosaic_buf_unmap(map, SIZE1) == 0, "buf_unmap of the whole mapping");
	tap_ok(mt_ledger_is(mosaic_dev_fd(dev), base, 0, 0, 0),
	       "ledger back once the last mapping is gone");
}

static void test_from_fd(struct mosaic_dev *dev)
{
	struct mosaic_buf_params p = params(64 * 1024, MOSAIC_BACKEND_PAGES,
					    MOSAIC_STRATEGY_AUTO);
	struct mosaic_buf *buf, *other = (struct mosaic_buf *)1;
	uint64_t mm = 1;
	int ret, fd, fl;

	if (mosaic_buf_alloc(dev, &p, &buf)) {
		tap_skip("no buffer", "buf_from_fd tests");
		return;
	}
	fd = mosaic_buf_fd(buf);
	ret = mosaic_buf_from_fd(fd, &other);
	tap_ok(ret == 0 && mosaic_buf_fd(other) != fd &&
	       mosaic_buf_size(other) == 64 * 1024,
	       "buf_from_fd wraps a buffer fd in a dup with the right size (%s)",
	       mt_errname(ret));
	if (!ret) {
		fl = fcntl(mosaic_buf_fd(other), F_GETFD);
		tap_ok(fl >= 0 && (fl & FD_CLOEXEC), "the dup is close-on-exec");
		mosaic_buf_fill(buf, 0, 64 * 1024, 0x2004);
		mosaic_buf_close(buf);
		ret = mosaic_buf_verify(other, 0, 64 * 1024, 0x2004, &mm, NULL);
		tap_ok(ret == 0 && mm == 0,
		       "the wrapped buffer is the same memory and outlives the original");
		mosaic_buf_close(other);
	} else {
		mosaic_buf_close(buf);
	}
	ret = mosaic_buf_from_fd(mosaic_dev_fd(dev), &other);
	tap_ok(ret == -ENOTTY && other == NULL,
	       "buf_from_fd of the device fd is -ENOTTY (%s)", mt_errname(ret));
	tap_ok(mosaic_buf_from_fd(-1, &other) == -EBADF &&
	       mosaic_buf_from_fd(1000, &other) == -EBADF &&
	       mosaic_buf_from_fd(0, NULL) == -EINVAL,
	       "buf_from_fd of a bad fd is -EBADF, of a NULL result -EINVAL");
}

static void test_features(struct mosaic_dev *dev, const struct mosaic_stats *base)
{
	struct mosaic_features f = { .struct_size = sizeof(f) };
	uint64_t param = 0;
	int ret, s;
	uint32_t must = 0;

	ret = mosaic_features(dev, &f);
	tap_ok(ret == 0, "features works (%s)", mt_errname(ret));
	for (int b = MOSAIC_BACKEND_PAGES; b <= MOSAIC_BACKEND_VMALLOC; b++)
		if (b != MOSAIC_BACKEND_NONCONTIG)
			must |= 1u << b;
	tap_ok((f.backends & must) == must,
	       "features: pages, compound, split, coherent, streaming and "
	       "vmalloc work (backends %#x)", f.backends);
	/* The noncontiguous DMA API arrived in Linux 5.15 (kernel/compat.h). */
	if (!((f.backends >> MOSAIC_BACKEND_NONCONTIG) & 1) &&
	    f.backend_error[MOSAIC_BACKEND_NONCONTIG] == -EOPNOTSUPP)
		tap_skip("noncontig backend: EOPNOTSUPP, this kernel has no dma_alloc_noncontiguous() (Linux < 5.15)",
			 "features: noncontig works");
	else
		tap_ok((f.backends >> MOSAIC_BACKEND_NONCONTIG) & 1,
		       "features: noncontig works (%s)",
		       mt_errname(f.backend_error[MOSAIC_BACKEND_NONCONTIG]));
	tap_ok(((f.backends >> MOSAIC_BACKEND_CMA) & 1) ?
	       f.backend_error[MOSAIC_BACKEND_CMA] == 0 :
	       f.backend_error[MOSAIC_BACKEND_CMA] == -EOPNOTSUPP,
	       "features: cma is supported or its error is -EOPNOTSUPP (%s)",
	       mt_errname(f.backend_error[MOSAIC_BACKEND_CMA]));
	for (s = 1; s < NR_STRATEGIES; s++)
		if (!(f.strategies & (1u << s)))
			tap_diag("strategy %s not reported", mt_strategy_name(s));
	tap_ok(f.strategies == 0xfe, "features: all seven explicit strategies (%#x)",
	       f.strategies);
	/* Pages are never compound: every kernel maps them (or falls back). */
	tap_ok(f.huge_mode[MOSAIC_BACKEND_PAGES] != MOSAIC_HUGE_NONE &&
	       f.huge_mode[MOSAIC_BACKEND_PAGES] <= MOSAIC_HUGE_MODE_MAX &&
	       f.huge_mode[MOSAIC_BACKEND_MMIO] == MOSAIC_HUGE_NONE,
	       "features: a huge mode for pages (%u), none for the unprobed mmio",
	       f.huge_mode[MOSAIC_BACKEND_PAGES]);
	tap_ok(mt_param_u64("max_buffer_size", &param) == 0 &&
	       f.max_buffer_size == param,
	       "features: max_buffer_size is the module parameter (%llu)",
	       ULL(f.max_buffer_size));
	tap_ok(f.backend_error[MOSAIC_BACKEND_MMIO] == -ENODEV &&
	       !(f.backends & (1u << MOSAIC_BACKEND_MMIO)),
	       "features: mmio is not probed (needs a PCI BAR), its error is -ENODEV (%s)",
	       mt_errname(f.backend_error[MOSAIC_BACKEND_MMIO]));
	tap_ok(mt_ledger_is(mosaic_dev_fd(dev), base, 0, 0, 0),
	       "features leaves nothing allocated");
	f.struct_size = 0;
	tap_ok(mosaic_features(dev, &f) == -EINVAL && mosaic_features(NULL, NULL) == -EINVAL,
	       "features with a short struct or NULL is -EINVAL");
}

/* Every valid pair, small: alloc, map, both directions of the pattern. */
static void test_all_pairs(struct mosaic_dev *dev)
{
	int ok = 0, bad = 0, skipped = 0;

	for (int b = 1; b <= NR_PAIR_BACKENDS; b++) {
		for (int s = 0; s < NR_STRATEGIES; s++) {
			struct mosaic_buf_params p = params(64 * 1024, (enum mosaic_backend)b,
							    (enum mosaic_strategy)s);
			int want = mosaic_backend_accepts(p.backend, p.strategy);
			struct mosaic_buf *buf;
			uint64_t mm = 1;
			void *map;
			int ret = mosaic_buf_alloc(dev, &p, &buf);

			if (want != 1) {
				if (ret == -EINVAL) {
					ok++;
				} else {
					bad++;
					tap_diag("%s/%s: %s, expected EINVAL", mt_backend_name(b),
						 mt_strategy_name(s), mt_errname(ret));
					if (!ret)
						mosaic_buf_close(buf);
				}
				continue;
			}
			if (ret == -EOPNOTSUPP) {
				skipped++;
				continue;
			}
			if (ret == 0)
				ret = mosaic_buf_map(buf, 0, 0, &map);
			else
				buf = NULL;
			if (ret == 0) {
				mt_user_fill(map, 0, 64 * 1024, b * 16 + s);
				ret = mosaic_buf_verify(buf, 0, 64 * 1024, b * 16 + s, &mm, NULL);
				mosaic_buf_unmap(map, 64 * 1024);
			}
			if (ret == 0 && mm == 0) {
				ok++;
			} else {
				bad++;
				tap_diag("%s/%s: %s, %llu mismatches", mt_backend_name(b),
					 mt_strategy_name(s), mt_errname(ret), ULL(mm));
			}
			mosaic_buf_close(buf);
		}
	}
	tap_ok(bad == 0, "every backend x strategy: valid pairs map and verify, "
	       "invalid ones are -EINVAL (%d ok, %d failed, %d unsupported)",
	       ok, bad, skipped);
}

int main(void)
{
	struct mosaic_stats base;
	struct mosaic_dev *dev;
	int fds_before, raw;

	tap_diag("t20_libmosaic: LIBMOSAIC_1.0 against the module");
	test_names();
	test_huge_mode_names();
	test_parse_size();

	fds_before = mt_count_fds();
	raw = mt_open_dev_baseline(&base);
	close(raw);

	dev = test_dev_open();
	test_stats(dev);
	test_alloc_errors(dev);
	tap_ok(mt_ledger_is(mosaic_dev_fd(dev), &base, 0, 0, 0),
	       "ledger unchanged after the refused allocations");
	test_alloc_info(dev, &base);
	test_map_pattern(dev, &base);
	test_from_fd(dev);
	test_features(dev, &base);
	test_all_pairs(dev);
	return lib_test_end(dev, &base, fds_before);
}
