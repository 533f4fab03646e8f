// SPDX-License-Identifier: GPL-2.0
/*
 * mosaicctl selftest: every backend with every strategy, end to end; the
 * valid pairs must work and give every page back, the invalid ones must
 * be refused.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mosaicctl.h"

enum st_result { ST_PASS, ST_FAIL, ST_SKIP };

struct st_case {
	enum mosaic_backend backend;
	enum mosaic_strategy strategy;
	bool valid;		/* the pair should work */
	enum st_result result;
	char detail[160];
	uint64_t segments;
	double seconds;
};

__attribute__((format(printf, 3, 4)))
static enum st_result st_set(struct st_case *t, enum st_result r,
			     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->detail, sizeof(t->detail), fmt, ap);
	va_end(ap);
	t->result = r;
	return r;
}

/* The data checks on a mapped buffer: through it and a second mapping. */
static enum st_result st_check_mapped(struct st_case *t, struct mosaic_buf *buf,
				      volatile uint64_t *map, uint64_t size)
{
	struct mosaic_buf_info info = { .struct_size = sizeof(info) };
	uint64_t bad = 0, first = 0, i;
	int ret;

	for (i = 0; i < size; i += 8)
		map[i / 8] = mosaic_pattern_word(0x5e1f, i);
	ret = mosaic_buf_verify(buf, 0, size, 0x5e1f, &bad, &first);
	if (ret || bad)
		return st_set(t, ST_FAIL, "user write, second mapping verify: %s, %" PRIu64 " mismatches",
			      ret ? err_name(ret) : "ok", bad);
	ret = mosaic_buf_fill(buf, 0, size, 0x7e57);
	if (ret)
		return st_set(t, ST_FAIL, "second mapping fill: %s", err_name(ret));
	for (i = 0; i < size; i += 8)
		bad += map[i / 8] != mosaic_pattern_word(0x7e57, i);
	if (bad)
		return st_set(t, ST_FAIL, "second mapping fill, user check: %" PRIu64 " mismatches",
			      bad);
	ret = mosaic_buf_info(buf, &info);
	if (ret || info.nr_maps != 1)
		return st_set(t, ST_FAIL, "INFO while mapped: %s, nr_maps %" PRIu64,
			      err_name(ret), info.nr_maps);
	return ST_PASS;
}

static enum st_result st_run(struct mosaic_dev *dev, struct st_case *t,
			     uint64_t size)
{
	struct mosaic_buf_params p = {
		.struct_size = sizeof(p), .size = size,
		.backend = t->backend, .strategy = t->strategy,
	};
	struct mosaic_buf_info info = { .struct_size = sizeof(info) };
	uint64_t pages = 0;
	struct mosaic_buf *buf;
	double t0 = now_s();
	enum st_result r;
	void *map;
	int ret, k;

	/* A BAR to map comes only with --pci-device, which selftest has not. */
	if (t->valid && t->backend == MOSAIC_BACKEND_MMIO)
		return st_set(t, ST_SKIP, "needs a PCI device with a memory BAR");
	ret = mosaic_buf_alloc(dev, &p, &buf);
	if (!t->valid) {
		if (!ret)
			mosaic_buf_close(buf);
		if (ret == -EINVAL)
			return st_set(t, ST_PASS, "refused (EINVAL), as it must be");
		return st_set(t, ST_FAIL, "invalid pair not refused with EINVAL (%s)",
			      ret ? err_name(ret) : "allocated");
	}
	if (ret == -EOPNOTSUPP)
		return st_set(t, ST_SKIP, "backend not supported on this kernel (EOPNOTSUPP)");
	if (ret)
		return st_set(t, ST_FAIL, "alloc: %s", err_name(ret));

	ret = mosaic_buf_info(buf, &info);
	for (k = 0; k < MOSAIC_BUF_INFO_ORDERS; k++)
		pages += info.order_count[k] << k;
	if (ret || info.size != mosaic_buf_size(buf) ||
	    info.backend != t->backend || info.strategy != t->strategy ||
	    pages * (uint64_t)sysconf(_SC_PAGESIZE) != info.size ||
	    info.nr_runs != info.nr_segments - info.nr_adjacent) {
		r = st_set(t, ST_FAIL, "INFO inconsistent (%s)", err_name(ret));
		goto out;
	}
	t->segments = info.nr_segments;
	ret = mosaic_buf_map(buf, 0, 0, &map);
	if (ret) {
		r = st_set(t, ST_FAIL, "mmap: %s", err_name(ret));
		goto out;
	}
	r = st_check_mapped(t, buf, map, info.size);
	mosaic_buf_unmap(map, (size_t)info.size);
out:
	mosaic_buf_close(buf);
	t->seconds = now_s() - t0;
	if (r == ST_PASS)
		st_set(t, ST_PASS, "%" PRIu64 " segments, %" PRIu64 " runs, %.1f ms",
		       info.nr_segments, info.nr_runs, t->seconds * 1e3);
	return r;
}

static const char *const st_words[] = { "ok", "FAIL", "skip" };

int cmd_selftest(struct ctl *c)
{
	struct st_case cases[MOSAIC_FEATURES_BACKENDS * 16];
	struct mosaic_dev_stats before = { .struct_size = sizeof(before) };
	struct mosaic_dev_stats after = { .struct_size = sizeof(after) };
	int n = 0, counts[3] = { 0 }, ret, b, s, i;
	struct mosaic_dev *dev;
	struct json j = { 0 };
	bool ledger_ok;
	uint64_t size;
	char sz[32];

	ret = parse_size_opt(c, "--size", c->size_arg ? c->size_arg : "1M", &size);
	if (ret)
		return ret;
	if (!size)
		return fail(c, EXIT_USAGE, 0, "--size must be more than 0");
	ret = open_dev(c, &dev);
	if (ret)
		return ret;
	ret = mosaic_dev_stats(dev, &before);
	if (ret) {
		mosaic_dev_close(dev);
		return fail(c, EXIT_SYSTEM, ret, "STATS failed: %s", err_name(ret));
	}
	if (!c->json)
		printf("selftest: every backend with every strategy, %s buffers\n",
		       fmt_size(size, sz, sizeof(sz)));
	for (b = 1; mosaic_backend_name((enum mosaic_backend)b); b++) {
		for (s = 1; mosaic_strategy_name((enum mosaic_strategy)s); s++) {
			struct st_case *t = &cases[n++];

			memset(t, 0, sizeof(*t));
			t->backend = (enum mosaic_backend)b;
			t->strategy = (enum mosaic_strategy)s;
			t->valid = mosaic_backend_accepts(t->backend, t->strategy) == 1;
			st_run(dev, t, size);
			counts[t->result]++;
			if (!c->json) {
				char pair[40];

				snprintf(pair, sizeof(pair), "%s/%s",
					 mosaic_backend_name(t->backend),
					 mosaic_strategy_name(t->strategy));
				printf("%-4s %-24s %s\n", st_words[t->result], pair,
				       t->detail);
				fflush(stdout);
			}
		}
	}
	/* Only meaningful when nobody else uses the module meanwhile. */
	ret = mosaic_dev_stats(dev, &after);
	ledger_ok = !ret && after.buffers == before.buffers &&
		    after.pages == before.pages && after.maps == before.maps;
	if (!ledger_ok)
		counts[ST_FAIL]++;
	mosaic_dev_close(dev);

	if (c->json) {
		json_obj(&j, NULL);
		json_bool(&j, "ok", counts[ST_FAIL] == 0);
		json_str(&j, "command", c->cmd);
		json_u64(&j, "size", size);
		json_arr(&j, "cases");
		for (i = 0; i < n; i++) {
			json_obj(&j, NULL);
			json_str(&j, "backend", mosaic_backend_name(cases[i].backend));
			json_str(&j, "strategy", mosaic_strategy_name(cases[i].strategy));
			json_bool(&j, "valid", cases[i].valid);
			json_str(&j, "result", st_words[cases[i].result]);
			json_str(&j, "detail", cases[i].detail);
			json_obj_end(&j);
		}
		json_arr_end(&j);
		json_bool(&j, "ledger_ok", ledger_ok);
		json_u64(&j, "passed", (uint64_t)counts[ST_PASS]);
		json_u64(&j, "failed", (uint64_t)counts[ST_FAIL]);
		json_u64(&j, "skipped", (uint64_t)counts[ST_SKIP]);
		json_obj_end(&j);
	} else {
		printf("%-4s %-24s buffers %+" PRId64 ", pages %+" PRId64 ", maps %+" PRId64 "\n",
		       ledger_ok ? "ok" : "FAIL", "ledger back to start",
		       (int64_t)(after.buffers - before.buffers),
		       (int64_t)(after.pages - before.pages),
		       (int64_t)(after.maps - before.maps));
		printf("selftest: %d passed, %d failed, %d skipped\n",
		       counts[ST_PASS] + (ledger_ok ? 1 : 0), counts[ST_FAIL],
		       counts[ST_SKIP]);
	}
	return counts[ST_FAIL] ? EXIT_CHECK : EXIT_OK;
}
