/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mosaicctl's own declarations, shared by its files and by nothing else:
 * main.c parses the command line, dispatches and holds the help texts;
 * one file per command runs it; json.c writes JSON; buffer.c turns the
 * buffer options into an allocation with its failures explained;
 * common.c holds the rest the commands share (errors, sizes, the device,
 * progress lines).
 */
#ifndef MOSAICCTL_H
#define MOSAICCTL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <mosaic/mosaic.h>

#define PROG	"mosaicctl"

#ifndef MOSAIC_VERSION
#define MOSAIC_VERSION	"unknown"
#endif

/* Where make install puts mosaic-bench and mosaic-bench-stats (bench looks there last). */
#ifndef MOSAIC_LIBEXECDIR
#define MOSAIC_LIBEXECDIR	"/usr/local/libexec/mosaic"
#endif

enum ctl_exit {
	EXIT_OK = 0,		/* done, every check held */
	EXIT_CHECK = 1,		/* a data check or a selftest case failed */
	EXIT_USAGE = 2,		/* bad command line */
	EXIT_NO_MODULE = 3,	/* module not loaded / no such device */
	EXIT_PERM = 4,		/* EACCES / EPERM */
	EXIT_UNSUPPORTED = 5,	/* EOPNOTSUPP: the kernel lacks a feature */
	EXIT_REFUSED = 6,	/* EINVAL, EFBIG, ENODEV, E2BIG: bad request */
	EXIT_SYSTEM = 7,	/* anything else (ENOMEM, ...) */
	EXIT_NO_BENCH = 8,	/* bench: mosaic-bench or mosaic-bench-stats not found */
};

/* One run: the command and its options, as given, then parsed. */
struct ctl {
	const char *cmd;	/* subcommand, for messages */
	const char *dev_path;	/* NULL: MOSAIC_DEVICE_PATH */
	bool json;
	/* buffer options, as given */
	const char *size_arg, *backend_arg, *strategy_arg, *max_order_arg;
	const char *chunk_arg, *pci_arg, *bar_arg, *cache_arg;
	/* map */
	const char *fill_arg, *verify_arg, *offset_arg, *length_arg;
	bool hold;
	/* sync */
	const char *direction_arg;
	/* bench */
	const char *sizes_arg, *reps_arg, *rows_arg, *large_rows_arg;
	bool extras, raw, progress;
	int nr_bench_args;	/* operands (after --) for mosaic-bench */
	char **bench_args;
	/* parsed */
	struct mosaic_buf_params params;
};

/* Which options a command takes (struct command's opts). */
#define O_BUF	0x1
#define O_HOLD	0x2
#define O_MAP	0x4
#define O_SIZE	0x8	/* --size only (selftest) */
#define O_RANGE	0x10	/* --offset, --length (sync, export) */
#define O_DIR	0x20	/* --direction (sync) */
#define O_BENCH	0x40	/* bench's own, and operands for mosaic-bench */

struct command {
	const char *name;
	int (*run)(struct ctl *c);
	unsigned int opts;
	const char *args;	/* synopsis after the name */
	const char *help;	/* one-paragraph description */
};

/* One file each: the commands. */
int cmd_features(struct ctl *c);
int cmd_alloc(struct ctl *c);
int cmd_info(struct ctl *c);
int cmd_map(struct ctl *c);
int cmd_sync(struct ctl *c);
int cmd_export(struct ctl *c);
int cmd_selftest(struct ctl *c);
int cmd_stats(struct ctl *c);
int cmd_bench(struct ctl *c);

/* json.c: one compact object per run on stdout. */
struct json {
	int depth;
	bool first[16];
};

void json_open(struct json *j, const char *key, char brace);
void json_close(struct json *j, char brace);
#define json_obj(j, key)	json_open(j, key, '{')
#define json_obj_end(j)		json_close(j, '}')
#define json_arr(j, key)	json_open(j, key, '[')
#define json_arr_end(j)		json_close(j, ']')
void json_u64(struct json *j, const char *key, uint64_t v);
void json_i64(struct json *j, const char *key, int64_t v);
void json_dbl(struct json *j, const char *key, double v);
void json_bool(struct json *j, const char *key, bool v);
void json_null(struct json *j, const char *key);
void json_str(struct json *j, const char *key, const char *s);

/* common.c */
const char *err_name(int err);
__attribute__((format(printf, 4, 5)))
int fail(const struct ctl *c, int code, int err, const char *fmt, ...);
const char *fmt_size(uint64_t v, char *buf, size_t len);
double now_s(void);
int open_dev(const struct ctl *c, struct mosaic_dev **dev);
int parse_size_opt(const struct ctl *c, const char *opt, const char *text,
		   uint64_t *out);
int parse_u64_opt(const struct ctl *c, const char *opt, const char *text,
		  uint64_t *out);
const char *huge_mode_name(uint32_t mode);
const char *name_list(const char *(*name_at)(int i), int first);

struct progress {
	bool on;
	const char *what;
	uint64_t total;
	int last;
};

void progress_start(struct progress *pr, const char *what, uint64_t total);
void progress_update(struct progress *pr, uint64_t done);
void progress_end(struct progress *pr);

/* buffer.c */
int parse_buf_opts(struct ctl *c);
int alloc_with_info(struct ctl *c, struct mosaic_dev **dev,
		    struct mosaic_buf **buf, struct mosaic_buf_info *info);
void json_buf_head(struct json *j, const struct ctl *c,
		   const struct mosaic_buf_info *info);
void json_range_head(struct json *j, const struct ctl *c, bool ok,
		     const struct mosaic_buf_info *info, uint64_t off,
		     uint64_t len);
void print_range_head(const char *done, uint64_t off, uint64_t len,
		      const struct mosaic_buf_info *info, const char *how);
int parse_range(struct ctl *c, uint64_t *off, uint64_t *len);
int pattern_fill(struct mosaic_buf *buf, const struct mosaic_buf_info *info,
		 uint64_t seed, bool *filled);

#endif /* MOSAICCTL_H */
