// SPDX-License-Identifier: GPL-2.0
/*
 * mosaicctl map: map a buffer and move the mosaic pattern through it in
 * both directions, between the mapping and a second one the library
 * makes (MOSAIC_IOC_FILL and MOSAIC_IOC_VERIFY).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mosaicctl.h"

/* The pattern moves in chunks, so that a long run can show its progress. */
#define MAP_CHUNK	(4ULL << 20)

struct pass_result {
	bool ran;
	uint64_t seed;
	uint64_t mismatches;
	uint64_t first;		/* buffer offset, UINT64_MAX if none */
	double seconds;
};

/* One pass over the mapped range: @map[0] is byte @off of @buf. */
struct pass {
	struct mosaic_buf *buf;
	volatile uint64_t *map;
	uint64_t off;
	struct pass_result *r;
};

/* One chunk of one half of a pass: @n bytes from @done on. 0 or -errno. */
typedef int (*chunk_fn)(struct pass *p, uint64_t done, uint64_t n);

static void count_mismatch(struct pass_result *r, uint64_t off)
{
	if (!r->mismatches)
		r->first = off;
	r->mismatches++;
}

static int user_write(struct pass *p, uint64_t done, uint64_t n)
{
	uint64_t i;

	for (i = 0; i < n; i += 8)
		p->map[(done + i) / 8] = mosaic_pattern_word(p->r->seed,
							     p->off + done + i);
	return 0;
}

static int user_check(struct pass *p, uint64_t done, uint64_t n)
{
	uint64_t i;

	for (i = 0; i < n; i += 8) {
		uint64_t o = p->off + done + i;

		if (p->map[(done + i) / 8] != mosaic_pattern_word(p->r->seed, o))
			count_mismatch(p->r, o);
	}
	return 0;
}

static int second_mapping_write(struct pass *p, uint64_t done, uint64_t n)
{
	return mosaic_buf_fill(p->buf, p->off + done, n, p->r->seed);
}

static int second_mapping_check(struct pass *p, uint64_t done, uint64_t n)
{
	uint64_t bad, first;
	int ret;

	ret = mosaic_buf_verify(p->buf, p->off + done, n, p->r->seed, &bad,
				&first);
	if (ret)
		return ret;
	if (bad && !p->r->mismatches)
		p->r->first = first;
	p->r->mismatches += bad;
	return 0;
}

static int walk_chunks(struct pass *p, uint64_t len, const char *what,
		       chunk_fn fn)
{
	struct progress pr;
	uint64_t done;
	int ret = 0;

	progress_start(&pr, what, len);
	for (done = 0; done < len && !ret; done += MAP_CHUNK) {
		uint64_t n = len - done < MAP_CHUNK ? len - done : MAP_CHUNK;

		ret = fn(p, done, n);
		if (!ret)
			progress_update(&pr, done + n);
	}
	progress_end(&pr);
	return ret;
}

/* Write the pattern one way, check it the other: 0 or -errno. */
static int run_pass(struct pass *p, uint64_t len,
		    const char *write_what, chunk_fn write,
		    const char *check_what, chunk_fn check)
{
	double t0 = now_s();
	int ret;

	p->r->ran = true;
	p->r->mismatches = 0;
	p->r->first = UINT64_MAX;
	ret = walk_chunks(p, len, write_what, write);
	if (!ret)
		ret = walk_chunks(p, len, check_what, check);
	if (!ret)
		p->r->seconds = now_s() - t0;
	return ret;
}

static void print_pass(const char *name, const char *how,
		       const struct pass_result *r, uint64_t len)
{
	printf("%-6s seed %#" PRIx64 ": %s: %" PRIu64 " mismatches", name,
	       r->seed, how, r->mismatches);
	if (r->mismatches)
		printf(", first at offset %#" PRIx64, r->first);
	if (r->seconds > 0)
		printf(" (%.1f ms, %.0f MiB/s)", r->seconds * 1e3,
		       (double)len / (1 << 20) / r->seconds);
	putchar('\n');
}

static void json_pass(struct json *j, const char *key,
		      const struct pass_result *r)
{
	if (!r->ran) {
		json_null(j, key);
		return;
	}
	json_obj(j, key);
	json_u64(j, "seed", r->seed);
	json_u64(j, "mismatches", r->mismatches);
	if (r->mismatches)
		json_u64(j, "first_mismatch", r->first);
	else
		json_null(j, "first_mismatch");
	json_dbl(j, "seconds", r->seconds);
	json_obj_end(j);
}

int cmd_map(struct ctl *c)
{
	struct pass_result fill = { .seed = 1 }, verify = { .seed = 2 };
	struct mosaic_buf_info info;
	struct mosaic_dev *dev;
	struct mosaic_buf *buf;
	struct json j = { 0 };
	struct pass pass;
	uint64_t off = 0, len = 0;
	char sz[32];
	void *map;
	bool ok;
	int ret;

	if (c->fill_arg && (ret = parse_u64_opt(c, "--fill", c->fill_arg, &fill.seed)))
		return ret;
	if (c->verify_arg &&
	    (ret = parse_u64_opt(c, "--verify", c->verify_arg, &verify.seed)))
		return ret;
	if (c->offset_arg && (ret = parse_size_opt(c, "--offset", c->offset_arg, &off)))
		return ret;
	if (c->length_arg && (ret = parse_size_opt(c, "--length", c->length_arg, &len)))
		return ret;
	if (off % (uint64_t)sysconf(_SC_PAGESIZE))
		return fail(c, EXIT_USAGE, 0, "--offset %s is not page aligned",
			    c->offset_arg);
	if (len % 8)
		return fail(c, EXIT_USAGE, 0, "--length %s is not a multiple of 8",
			    c->length_arg);

	ret = alloc_with_info(c, &dev, &buf, &info);
	if (ret)
		return ret;
	if (off >= info.size || len > info.size - off) {
		ret = fail(c, EXIT_USAGE, 0,
			   "--offset/--length reach past the end of the %s buffer",
			   fmt_size(info.size, sz, sizeof(sz)));
		goto out;
	}
	if (!len)
		len = info.size - off;
	ret = mosaic_buf_map(buf, off, (size_t)len, &map);
	if (ret) {
		ret = fail(c, ret == -EINVAL ? EXIT_REFUSED : EXIT_SYSTEM, ret,
			   "mmap of %s at offset %#" PRIx64 " failed: %s (%s)",
			   fmt_size(len, sz, sizeof(sz)), off, strerror(-ret),
			   err_name(ret));
		goto out;
	}

	pass.buf = buf;
	pass.map = map;
	pass.off = off;
	if (c->fill_arg || !c->verify_arg) {
		pass.r = &fill;
		ret = run_pass(&pass, len, "fill: user write", user_write,
			       "fill: second mapping check", second_mapping_check);
	}
	if (!ret && (c->verify_arg || !c->fill_arg)) {
		pass.r = &verify;
		ret = run_pass(&pass, len, "verify: second mapping write",
			       second_mapping_write, "verify: user check",
			       user_check);
	}
	mosaic_buf_unmap(map, (size_t)len);
	if (ret) {
		ret = fail(c, EXIT_SYSTEM, ret, "pattern ioctl failed: %s (%s)",
			   strerror(-ret), err_name(ret));
		goto out;
	}

	ok = !fill.mismatches && !verify.mismatches;
	if (c->json) {
		json_range_head(&j, c, ok, &info, off, len);
		json_pass(&j, "fill", &fill);
		json_pass(&j, "verify", &verify);
		json_obj_end(&j);
	} else {
		print_range_head("mapped", off, len, &info, "");
		if (fill.ran)
			print_pass("fill", "user wrote, second mapping verified", &fill, len);
		if (verify.ran)
			print_pass("verify", "second mapping wrote, user verified", &verify, len);
	}
	ret = ok ? EXIT_OK : EXIT_CHECK;
out:
	mosaic_buf_close(buf);
	mosaic_dev_close(dev);
	return ret;
}
