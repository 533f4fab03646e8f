// SPDX-License-Identifier: GPL-2.0
/*
 * mosaicctl: command-line front end of libmosaic.
 *
 *   mosaicctl [--dev PATH] [--json] COMMAND [OPTIONS]
 *
 * Commands: features, alloc, info, map, sync, export, selftest, stats,
 * bench
 * (mosaicctl(1)).
 * A buffer lives as long as its fd, so the commands that look at a buffer
 * (info, map) allocate their own from the buffer options; alloc --hold
 * keeps one alive for other tools to observe.
 *
 * Every command prints either text or, with --json, exactly one JSON
 * object on stdout. Errors are one line on stderr naming the cause (and,
 * with --json, an object with "ok": false on stdout); the exit status
 * tells the class of failure (enum ctl_exit, documented in mosaicctl(1)).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <mosaic/mosaic.h>

#define PROG	"mosaicctl"

#ifndef MOSAIC_VERSION
#define MOSAIC_VERSION	"unknown"
#endif

/* Where make install puts mosaic-bench (bench looks there last). */
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
	EXIT_NO_BENCH = 8,	/* bench: mosaic-bench not found */
};

/* ------------------------------------------------------------------------
 * JSON output: one object per run, compact, on stdout.
 */

struct json {
	int depth;
	bool first[16];
};

static void json_str_raw(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c == '\n')
			fputs("\\n", stdout);
		else if (c == '\t')
			fputs("\\t", stdout);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/* Comma and key before a value; @key is NULL inside arrays. */
static void json_prefix(struct json *j, const char *key)
{
	if (!j->first[j->depth])
		putchar(',');
	j->first[j->depth] = false;
	if (key) {
		json_str_raw(key);
		putchar(':');
	}
}

static void json_open(struct json *j, const char *key, char brace)
{
	if (j->depth > 0)
		json_prefix(j, key);
	putchar(brace);
	j->depth++;
	j->first[j->depth] = true;
}

static void json_close(struct json *j, char brace)
{
	putchar(brace);
	j->depth--;
	if (j->depth == 0) {
		putchar('\n');
		fflush(stdout);
	}
}

#define json_obj(j, key)	json_open(j, key, '{')
#define json_obj_end(j)		json_close(j, '}')
#define json_arr(j, key)	json_open(j, key, '[')
#define json_arr_end(j)		json_close(j, ']')

static void json_u64(struct json *j, const char *key, uint64_t v)
{
	json_prefix(j, key);
	printf("%" PRIu64, v);
}

static void json_i64(struct json *j, const char *key, int64_t v)
{
	json_prefix(j, key);
	printf("%" PRId64, v);
}

static void json_dbl(struct json *j, const char *key, double v)
{
	json_prefix(j, key);
	printf("%.6f", v);
}

static void json_bool(struct json *j, const char *key, bool v)
{
	json_prefix(j, key);
	fputs(v ? "true" : "false", stdout);
}

static void json_null(struct json *j, const char *key)
{
	json_prefix(j, key);
	fputs("null", stdout);
}

static void json_str(struct json *j, const char *key, const char *s)
{
	json_prefix(j, key);
	if (s)
		json_str_raw(s);
	else
		fputs("null", stdout);
}

/* ------------------------------------------------------------------------
 * Options and errors
 *
 * Backends and strategies are walked by name (1, 2, ... until the library
 * has no name): the ones libmosaic knows, whatever <linux/mosaic.h> adds.
 */

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
	/* parsed */
	struct mosaic_buf_params params;
};

static const char *err_name(int err)
{
	const char *s;

	if (err < 0)
		err = -err;
	s = strerrorname_np(err);
	return s ? s : "E?";
}

/*
 * Print one error line "mosaicctl CMD: MESSAGE" on stderr and, with --json,
 * the error object on stdout. Returns @code for `return fail(...)`.
 */
__attribute__((format(printf, 4, 5)))
static int fail(const struct ctl *c, int code, int err, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s%s%s: %s\n", PROG, c->cmd ? " " : "",
		c->cmd ? c->cmd : "", msg);
	if (c->json) {
		struct json j = { 0 };

		json_obj(&j, NULL);
		json_bool(&j, "ok", false);
		json_str(&j, "command", c->cmd);
		json_str(&j, "error", msg);
		if (err)
			json_str(&j, "errno", err_name(err));
		else
			json_null(&j, "errno");
		json_i64(&j, "exit_status", code);
		json_obj_end(&j);
	}
	return code;
}

/* "64 MiB", "5000 bytes": exact binary units where they fit. */
static const char *fmt_size(uint64_t v, char *buf, size_t len)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	int i, unit = -1;

	for (i = 0; i < 4; i++)
		if (v && !(v & ((1ULL << (10 * (i + 1))) - 1)))
			unit = i;
	if (unit < 0)
		snprintf(buf, len, "%" PRIu64 " bytes", v);
	else
		snprintf(buf, len, "%" PRIu64 " %s", v >> (10 * (unit + 1)),
			 units[unit]);
	return buf;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static bool path_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* Open the device, turning the usual failures into their causes. */
static int open_dev(const struct ctl *c, struct mosaic_dev **dev)
{
	const char *path = c->dev_path ? c->dev_path : MOSAIC_DEVICE_PATH;
	int ret = mosaic_dev_open(c->dev_path, dev);

	switch (ret) {
	case 0:
		return EXIT_OK;
	case -ENOENT:
		if (!path_exists("/sys/module/mosaic"))
			return fail(c, EXIT_NO_MODULE, ret,
				    "mosaic module not loaded (%s does not exist; load it with modprobe mosaic)",
				    path);
		return fail(c, EXIT_NO_MODULE, ret,
			    "%s does not exist, although the mosaic module is loaded%s",
			    path, c->dev_path ? "" : " (no devtmpfs or udev?)");
	case -EACCES:
	case -EPERM:
		return fail(c, EXIT_PERM, ret,
			    "permission denied opening %s (%s): needs root or membership of its group (mosaic)",
			    path, err_name(ret));
	case -ENOTTY:
		return fail(c, EXIT_NO_MODULE, ret,
			    "%s is not a mosaic device (%s)", path,
			    err_name(ret));
	default:
		return fail(c, EXIT_SYSTEM, ret, "cannot open %s: %s (%s)",
			    path, strerror(-ret), err_name(ret));
	}
}

static const char *backend_list(void)
{
	static char buf[256];
	size_t used = 0;
	int b;

	buf[0] = '\0';
	for (b = 1; mosaic_backend_name((enum mosaic_backend)b); b++)
		used += (size_t)snprintf(buf + used, sizeof(buf) - used,
					 "%s%s", b > 1 ? ", " : "",
					 mosaic_backend_name((enum mosaic_backend)b));
	return buf;
}

static const char *strategy_list(void)
{
	static char buf[256];
	size_t used = 0;
	int s;

	buf[0] = '\0';
	for (s = 0; mosaic_strategy_name((enum mosaic_strategy)s); s++)
		used += (size_t)snprintf(buf + used, sizeof(buf) - used,
					 "%s%s", s ? ", " : "",
					 mosaic_strategy_name((enum mosaic_strategy)s));
	return buf;
}

/* A size option: 0 or a usage failure. */
static int parse_size_opt(const struct ctl *c, const char *opt,
			  const char *text, uint64_t *out)
{
	int ret = mosaic_parse_size(text, out);

	if (ret == -ERANGE)
		return fail(c, EXIT_USAGE, 0, "%s %s: too large", opt, text);
	if (ret)
		return fail(c, EXIT_USAGE, 0,
			    "%s %s: not a size (examples: 4096, 64K, 64M, 1G, 0x1000)",
			    opt, text);
	return 0;
}

/* A plain unsigned number (decimal or 0x hex): 0 or a usage failure. */
static int parse_u64_opt(const struct ctl *c, const char *opt,
			 const char *text, uint64_t *out)
{
	char *end;

	errno = 0;
	if (text[0] < '0' || text[0] > '9')
		goto bad;
	*out = strtoull(text, &end, 0);
	if (errno || *end)
		goto bad;
	return 0;
bad:
	return fail(c, EXIT_USAGE, 0, "%s %s: not an unsigned number", opt,
		    text);
}

/* Turn the buffer options into c->params; 0 or a usage failure. */
static int parse_buf_opts(struct ctl *c)
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
			    c->backend_arg, backend_list());
	if (c->strategy_arg &&
	    mosaic_strategy_from_name(c->strategy_arg, &p->strategy))
		return fail(c, EXIT_USAGE, 0,
			    "unknown strategy '%s' (known: %s)",
			    c->strategy_arg, strategy_list());
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
	bool orders = p->backend == MOSAIC_BACKEND_COMPOUND ||
		      p->backend == MOSAIC_BACKEND_SPLIT ||
		      p->backend == MOSAIC_BACKEND_STREAMING;
	bool device = p->backend == MOSAIC_BACKEND_COHERENT ||
		      p->backend == MOSAIC_BACKEND_STREAMING ||
		      p->backend == MOSAIC_BACKEND_NONCONTIG ||
		      p->backend == MOSAIC_BACKEND_CMA ||
		      p->backend == MOSAIC_BACKEND_MMIO;

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
	if (p->max_order && !orders)
		return fail(c, EXIT_REFUSED, EINVAL,
			    "invalid request: --max-order applies to compound, split and streaming, not %s (EINVAL)",
			    b);
	if (p->chunk_size && p->backend != MOSAIC_BACKEND_COHERENT &&
	    p->backend != MOSAIC_BACKEND_NONCONTIG)
		return fail(c, EXIT_REFUSED, EINVAL,
			    "invalid request: --chunk-size applies to coherent and noncontig, not %s (EINVAL)",
			    b);
	if (p->chunk_size)
		return fail(c, EXIT_REFUSED, EINVAL,
			    "invalid request: --chunk-size %s must be a power of two from one page up to the page allocator's largest block (EINVAL)",
			    c->chunk_arg);
	if (p->device && !device)
		return fail(c, EXIT_REFUSED, EINVAL,
			    "invalid request: --pci-device applies to coherent, streaming, noncontig, cma and mmio, not %s (EINVAL)",
			    b);
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

/* ------------------------------------------------------------------------
 * Command line
 */

enum opt_id {
	OPT_HELP = 'h',
	OPT_JSON = 0x100, OPT_DEV, OPT_SIZE, OPT_BACKEND, OPT_STRATEGY,
	OPT_MAX_ORDER, OPT_CHUNK, OPT_PCI, OPT_HOLD, OPT_FILL, OPT_VERIFY,
	OPT_OFFSET, OPT_LENGTH, OPT_BAR, OPT_CACHE, OPT_DIRECTION,
};

/* Which options a command takes. */
#define O_BUF	0x1
#define O_HOLD	0x2
#define O_MAP	0x4
#define O_SIZE	0x8	/* --size only (selftest) */
#define O_RANGE	0x10	/* --offset, --length (sync, export) */
#define O_DIR	0x20	/* --direction (sync) */

struct command {
	const char *name;
	int (*run)(struct ctl *c);
	unsigned int opts;
	const char *args;	/* synopsis after the name */
	const char *help;	/* one-paragraph description */
};

static const char buf_opts_help[] =
	"  -s, --size SIZE        buffer size (default 64M): 4096, 64K, 64M, 1G, 0x1000\n"
	"  -b, --backend NAME     pages (default), compound, split, coherent, streaming,\n"
	"                         noncontig, vmalloc, cma, mmio\n"
	"  -S, --strategy NAME    auto (default), insert-page, insert-pages, map-pages,\n"
	"                         remap-pfn, fault, pfn-fault, huge\n"
	"      --max-order N      compound, split, streaming: largest page order to try\n"
	"      --chunk-size SIZE  coherent, noncontig: bytes per DMA allocation call\n"
	"                         (a power of two)\n"
	"      --pci-device NAME  device backends: allocate for PCI device NAME\n"
	"                         (e.g. 0000:00:04.0; needs CAP_SYS_RAWIO)\n"
	"      --bar N            mmio: memory BAR to map (0-5, default 0)\n"
	"      --cache MODE       mmio: default, uncached or wc\n";

static const char common_opts_help[] =
	"      --dev PATH         the mosaic device (default " MOSAIC_DEVICE_PATH ")\n"
	"      --json             print one JSON object instead of text\n"
	"  -h, --help             show this help\n";

static int cmd_features(struct ctl *c);
static int cmd_alloc(struct ctl *c);
static int cmd_info(struct ctl *c);
static int cmd_map(struct ctl *c);
static int cmd_sync(struct ctl *c);
static int cmd_export(struct ctl *c);
static int cmd_selftest(struct ctl *c);
static int cmd_stats(struct ctl *c);
static int cmd_bench(struct ctl *c);

static const struct command commands[] = {
	{ "features", cmd_features, 0, "",
	  "Probe which backends and strategies this kernel and module support\n"
	  "(a two-page allocation each, freed at once) and show the module's\n"
	  "max_buffer_size." },
	{ "alloc", cmd_alloc, O_BUF | O_HOLD, "[BUFFER OPTIONS] [--hold]",
	  "Allocate a buffer and print its fd number, size, backend and strategy.\n"
	  "With --hold, keep it alive until SIGINT or SIGTERM; a line starting\n"
	  "with \"ready:\" (or the JSON object) is printed once it is allocated." },
	{ "info", cmd_info, O_BUF, "[BUFFER OPTIONS]",
	  "Allocate a buffer and show its segment table: segments, physically\n"
	  "adjacent segments, contiguous runs and the per-order histogram." },
	{ "map", cmd_map, O_BUF | O_MAP,
	  "[BUFFER OPTIONS] [--fill SEED] [--verify SEED] [--offset OFF] [--length LEN]",
	  "Allocate a buffer, map it, and move the mosaic pattern through it.\n"
	  "--fill SEED: user space writes the pattern through the mapping and\n"
	  "checks it through a second mapping of its own. --verify SEED: the\n"
	  "pattern is written through a second mapping and checked through the\n"
	  "first. Without either, both\n"
	  "run (seeds 1 and 2). Exit status 1 on any mismatch. A progress line\n"
	  "goes to stderr when it is a terminal." },
	{ "sync", cmd_sync, O_BUF | O_RANGE | O_DIR,
	  "[BUFFER OPTIONS] [--offset OFF] [--length LEN] [--direction DIR]",
	  "Allocate a buffer, fill it (but an mmio or read-only one), and sync a\n"
	  "range of it for the CPU (MOSAIC_IOC_SYNC, begin and then end of CPU\n"
	  "access). Shows the\n"
	  "first segment the range touches, how many it touches and how many\n"
	  "needed cache maintenance. The range defaults to the whole buffer, the\n"
	  "direction to rw." },
	{ "export", cmd_export, O_BUF | O_RANGE,
	  "[BUFFER OPTIONS] [--offset OFF] [--length LEN]",
	  "Allocate a buffer, fill it, export a range as a\n"
	  "dma-buf (MOSAIC_IOC_EXPORT), map the dma-buf fd and check the pattern\n"
	  "through that mapping between DMA_BUF_IOCTL_SYNC start and end. Exit\n"
	  "status 1 on any mismatch. --offset is page aligned; the range\n"
	  "defaults to the whole buffer." },
	{ "selftest", cmd_selftest, O_SIZE, "[--size SIZE]",
	  "Quick end-to-end check of every backend with every strategy: the valid\n"
	  "pairs allocate, map, pass the pattern both ways between two mappings\n"
	  "and give every page back; the invalid pairs are refused with EINVAL. One line\n"
	  "per pair and a summary; exit status 1 if any pair failed. --size is\n"
	  "per buffer (default 1M)." },
	{ "stats", cmd_stats, 0, "",
	  "Show the module's page ledger: buffers, pages and mappings alive now,\n"
	  "and buffers and pages allocated since the module was loaded." },
	{ "bench", cmd_bench, 0,
	  "[--sizes LIST] [--reps N] [--rows REGEX] [--extras] [--raw] [-- ARGS]",
	  "Run the benchmark program mosaic-bench ($MOSAIC_BENCH, else next to\n"
	  "mosaicctl, else " MOSAIC_LIBEXECDIR "): the life cycle alloc, map,\n"
	  "touch, munmap, free of every valid backend and strategy pair and of\n"
	  "the kernel's own peers (anonymous memory, hugetlbfs, dma-buf heaps,\n"
	  "udmabuf), and print the median of each phase per row and size. Exit\n"
	  "status 8 if mosaic-bench is not found, 1 if a row failed." },
};

#define NR_COMMANDS	(sizeof(commands) / sizeof(commands[0]))

static void usage_main(FILE *f)
{
	size_t i;

	fprintf(f,
		"Usage: %s [--dev PATH] [--json] COMMAND [OPTIONS]\n"
		"       %s COMMAND --help\n\n"
		"Commands:\n", PROG, PROG);
	for (i = 0; i < NR_COMMANDS; i++)
		fprintf(f, "  %-9s%s%s\n", commands[i].name,
			commands[i].args[0] ? " " : "", commands[i].args);
	fprintf(f, "\nOptions:\n%s"
		"      --version          print the version\n\n"
		"Exit status: 0 ok, 1 check failed, 2 usage, 3 module not loaded,\n"
		"4 permission denied, 5 not supported by this kernel, 6 request refused\n"
		"by the module, 7 other error, 8 mosaic-bench not found. See mosaicctl(1).\n",
		common_opts_help);
}

static void usage_cmd(const struct command *cmd, FILE *f)
{
	fprintf(f, "Usage: %s %s%s%s [--dev PATH] [--json]\n\n%s\n\nOptions:\n",
		PROG, cmd->name, cmd->args[0] ? " " : "", cmd->args, cmd->help);
	if (cmd->opts & O_BUF)
		fputs(buf_opts_help, f);
	if (cmd->opts & O_SIZE)
		fputs("  -s, --size SIZE        buffer size per pair (default 1M)\n", f);
	if (cmd->opts & O_HOLD)
		fputs("      --hold             keep the buffer until SIGINT/SIGTERM\n", f);
	if (cmd->opts & O_MAP)
		fputs("      --fill SEED        write the mapping, check a second one\n"
		      "      --verify SEED      write a second mapping, check this one\n"
		      "      --offset OFF       first byte to map (page aligned, default 0)\n"
		      "      --length LEN       bytes to map (default: to the end)\n", f);
	if (cmd->opts & O_RANGE)
		fputs("      --offset OFF       first byte of the range (default 0)\n"
		      "      --length LEN       bytes in the range (default: to the end)\n", f);
	if (cmd->opts & O_DIR)
		fputs("      --direction DIR    read, write or rw (default rw)\n", f);
	fputs(common_opts_help, f);
}

static const struct option long_opts[] = {
	{ "help", no_argument, NULL, OPT_HELP },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "dev", required_argument, NULL, OPT_DEV },
	{ "size", required_argument, NULL, OPT_SIZE },
	{ "backend", required_argument, NULL, OPT_BACKEND },
	{ "strategy", required_argument, NULL, OPT_STRATEGY },
	{ "max-order", required_argument, NULL, OPT_MAX_ORDER },
	{ "chunk-size", required_argument, NULL, OPT_CHUNK },
	{ "pci-device", required_argument, NULL, OPT_PCI },
	{ "hold", no_argument, NULL, OPT_HOLD },
	{ "fill", required_argument, NULL, OPT_FILL },
	{ "verify", required_argument, NULL, OPT_VERIFY },
	{ "offset", required_argument, NULL, OPT_OFFSET },
	{ "length", required_argument, NULL, OPT_LENGTH },
	{ "bar", required_argument, NULL, OPT_BAR },
	{ "cache", required_argument, NULL, OPT_CACHE },
	{ "direction", required_argument, NULL, OPT_DIRECTION },
	{ NULL, 0, NULL, 0 },
};

/* Is option @id allowed for a command with option set @opts? */
static bool opt_allowed(int id, unsigned int opts)
{
	switch (id) {
	case OPT_HELP: case OPT_JSON: case OPT_DEV:
		return true;
	case OPT_SIZE:
		return opts & (O_BUF | O_SIZE);
	case OPT_BACKEND: case OPT_STRATEGY: case OPT_MAX_ORDER:
	case OPT_CHUNK: case OPT_PCI: case OPT_BAR: case OPT_CACHE:
		return opts & O_BUF;
	case OPT_HOLD:
		return opts & O_HOLD;
	case OPT_OFFSET: case OPT_LENGTH:
		return opts & (O_MAP | O_RANGE);
	case OPT_DIRECTION:
		return opts & O_DIR;
	default:
		return opts & O_MAP;
	}
}

static const char *opt_name(int id)
{
	const struct option *o;

	for (o = long_opts; o->name; o++)
		if (o->val == id)
			return o->name;
	return "?";
}

/*
 * Parse argv from optind on for command @cmd (NULL: the global options
 * before the command). Returns -1 to go on, or an exit status.
 */
static int parse_opts(struct ctl *c, const struct command *cmd, int argc,
		      char **argv)
{
	/* "+": stop at the first non-option, which is the command name. */
	/* ":": a missing value is reported as ':', an unknown option as '?'. */
	const char *shorts = cmd ? "+:hs:b:S:" : "+:h";
	unsigned int opts = cmd ? cmd->opts : 0;
	int id;

	opterr = 0;
	while ((id = getopt_long(argc, argv, shorts, long_opts, NULL)) != -1) {
		const char *arg = argv[optind - 1];

		if (id == ':')
			return fail(c, EXIT_USAGE, 0, "option %s needs a value (try --help)",
				    arg);
		if (id == '?') {
			if (optopt > 0 && optopt < 0x80)
				return fail(c, EXIT_USAGE, 0,
					    "unknown option -%c (try --help)", optopt);
			return fail(c, EXIT_USAGE, 0,
				    "unknown option %s (try --help)", arg);
		}
		if (id == 's')
			id = OPT_SIZE;
		else if (id == 'b')
			id = OPT_BACKEND;
		else if (id == 'S')
			id = OPT_STRATEGY;
		if (!opt_allowed(id, opts))
			return fail(c, EXIT_USAGE, 0,
				    "option --%s does not apply to %s (try --help)",
				    opt_name(id), cmd ? cmd->name : "the global options");
		switch (id) {
		case OPT_HELP:
			if (cmd)
				usage_cmd(cmd, stdout);
			else
				usage_main(stdout);
			return EXIT_OK;
		case OPT_JSON: c->json = true; break;
		case OPT_DEV: c->dev_path = optarg; break;
		case OPT_SIZE: c->size_arg = optarg; break;
		case OPT_BACKEND: c->backend_arg = optarg; break;
		case OPT_STRATEGY: c->strategy_arg = optarg; break;
		case OPT_MAX_ORDER: c->max_order_arg = optarg; break;
		case OPT_CHUNK: c->chunk_arg = optarg; break;
		case OPT_PCI: c->pci_arg = optarg; break;
		case OPT_HOLD: c->hold = true; break;
		case OPT_FILL: c->fill_arg = optarg; break;
		case OPT_VERIFY: c->verify_arg = optarg; break;
		case OPT_OFFSET: c->offset_arg = optarg; break;
		case OPT_LENGTH: c->length_arg = optarg; break;
		case OPT_BAR: c->bar_arg = optarg; break;
		case OPT_CACHE: c->cache_arg = optarg; break;
		case OPT_DIRECTION: c->direction_arg = optarg; break;
		}
	}
	return -1;
}

/* ------------------------------------------------------------------------
 * features
 */

/* enum mosaic_huge_mode by name, as the module documents it. */
static const char *huge_mode_name(uint32_t mode)
{
	static const char *const names[] = {
		[MOSAIC_HUGE_NONE] = "none",
		[MOSAIC_HUGE_PTE] = "pte-fallback",
		[MOSAIC_HUGE_FAULT_PMD] = "fault-pmd",
		[MOSAIC_HUGE_PFN_PMD] = "pfn-pmd",
		[MOSAIC_HUGE_FOLIO_PMD] = "folio-pmd",
	};

	return mode <= MOSAIC_HUGE_MODE_MAX ? names[mode] : "unknown";
}

static int cmd_features(struct ctl *c)
{
	struct mosaic_features f = { .struct_size = sizeof(f) };
	struct mosaic_dev *dev;
	struct json j = { 0 };
	char lim[32];
	int ret, b, s;

	ret = open_dev(c, &dev);
	if (ret)
		return ret;
	ret = mosaic_features(dev, &f);
	mosaic_dev_close(dev);
	if (ret)
		return fail(c, EXIT_SYSTEM, ret, "probing features failed: %s (%s)",
			    strerror(-ret), err_name(ret));

	if (c->json) {
		json_obj(&j, NULL);
		json_bool(&j, "ok", true);
		json_str(&j, "command", c->cmd);
		json_str(&j, "device", c->dev_path ? c->dev_path : MOSAIC_DEVICE_PATH);
		if (f.max_buffer_size)
			json_u64(&j, "max_buffer_size", f.max_buffer_size);
		else
			json_null(&j, "max_buffer_size");
		json_arr(&j, "backends");
		for (b = 1; mosaic_backend_name((enum mosaic_backend)b); b++) {
			json_obj(&j, NULL);
			json_str(&j, "name", mosaic_backend_name((enum mosaic_backend)b));
			json_u64(&j, "value", (uint64_t)b);
			json_bool(&j, "supported", f.backends & (1u << b));
			if (f.backend_error[b])
				json_str(&j, "error", err_name(f.backend_error[b]));
			else
				json_null(&j, "error");
			json_str(&j, "huge_mode", huge_mode_name(f.huge_mode[b]));
			json_obj_end(&j);
		}
		json_arr_end(&j);
		json_arr(&j, "strategies");
		for (s = 1; mosaic_strategy_name((enum mosaic_strategy)s); s++) {
			json_obj(&j, NULL);
			json_str(&j, "name", mosaic_strategy_name((enum mosaic_strategy)s));
			json_u64(&j, "value", (uint64_t)s);
			json_bool(&j, "supported", f.strategies & (1u << s));
			json_obj_end(&j);
		}
		json_arr_end(&j);
		json_obj_end(&j);
		return EXIT_OK;
	}

	printf("%-12s %s\n", "backend", "status");
	for (b = 1; mosaic_backend_name((enum mosaic_backend)b); b++) {
		const char *name = mosaic_backend_name((enum mosaic_backend)b);
		int err = f.backend_error[b];

		if (f.backends & (1u << b))
			printf("%-12s supported\n", name);
		else if (err == -EOPNOTSUPP)
			printf("%-12s not supported by this kernel (EOPNOTSUPP)\n", name);
		else if (b == MOSAIC_BACKEND_MMIO && err == -ENODEV)
			printf("%-12s not probed: needs --pci-device with a memory BAR\n",
			       name);
		else
			printf("%-12s failed: %s (%s)\n", name, strerror(-err),
			       err_name(err));
	}
	printf("\n%-12s %s\n", "strategy", "status");
	for (s = 1; mosaic_strategy_name((enum mosaic_strategy)s); s++)
		printf("%-12s %s\n", mosaic_strategy_name((enum mosaic_strategy)s),
		       f.strategies & (1u << s) ? "supported" : "not supported");
	printf("\n%-12s %s\n", "huge", "mode (how strategy huge maps 2 MiB blocks)");
	for (b = 1; mosaic_backend_name((enum mosaic_backend)b); b++)
		if (f.backends & (1u << b))
			printf("%-12s %s\n",
			       mosaic_backend_name((enum mosaic_backend)b),
			       huge_mode_name(f.huge_mode[b]));
	if (f.max_buffer_size)
		printf("\nmax_buffer_size %" PRIu64 " (%s)\n", f.max_buffer_size,
		       fmt_size(f.max_buffer_size, lim, sizeof(lim)));
	return EXIT_OK;
}

/* ------------------------------------------------------------------------
 * alloc, info
 */

/* Allocate c->params and read back its INFO: 0 or an exit status. */
static int alloc_with_info(struct ctl *c, struct mosaic_dev **dev,
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

static void json_buf_head(struct json *j, const struct ctl *c,
			  const struct mosaic_buf_info *info)
{
	json_str(j, "command", c->cmd);
	json_u64(j, "size", info->size);
	json_str(j, "backend", mosaic_backend_name(info->backend));
	json_str(j, "strategy", mosaic_strategy_name(info->strategy));
}

static int cmd_alloc(struct ctl *c)
{
	struct mosaic_buf_info info;
	struct mosaic_dev *dev;
	struct mosaic_buf *buf;
	struct json j = { 0 };
	sigset_t set;
	char sz[32];
	int ret, sig;

	/* Blocked before the buffer exists: no signal is lost after "ready". */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (c->hold) {
		/* A shell starts background jobs with SIGINT ignored. */
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		sigprocmask(SIG_BLOCK, &set, NULL);
	}

	ret = alloc_with_info(c, &dev, &buf, &info);
	if (ret)
		return ret;
	if (c->json) {
		json_obj(&j, NULL);
		json_bool(&j, "ok", true);
		json_buf_head(&j, c, &info);
		json_i64(&j, "fd", mosaic_buf_fd(buf));
		json_i64(&j, "pid", (int64_t)getpid());
		json_bool(&j, "hold", c->hold);
		json_obj_end(&j);
	} else {
		printf("%sfd %d: %s, backend %s, strategy %s, pid %ld%s\n",
		       c->hold ? "ready: " : "", mosaic_buf_fd(buf),
		       fmt_size(info.size, sz, sizeof(sz)),
		       mosaic_backend_name(info.backend),
		       mosaic_strategy_name(info.strategy), (long)getpid(),
		       c->hold ? "; holding it until SIGINT or SIGTERM" : "");
		fflush(stdout);
	}
	if (c->hold)
		while (sigwait(&set, &sig) != 0)
			;
	mosaic_buf_close(buf);
	mosaic_dev_close(dev);
	return EXIT_OK;
}

static int cmd_info(struct ctl *c)
{
	struct mosaic_buf_info info;
	struct mosaic_dev *dev;
	struct mosaic_buf *buf;
	struct json j = { 0 };
	uint64_t most = 0;
	char sz[32], seg[32];
	int ret, k;

	ret = alloc_with_info(c, &dev, &buf, &info);
	if (ret)
		return ret;
	mosaic_buf_close(buf);
	mosaic_dev_close(dev);

	if (c->json) {
		json_obj(&j, NULL);
		json_bool(&j, "ok", true);
		json_buf_head(&j, c, &info);
		json_u64(&j, "segments", info.nr_segments);
		json_u64(&j, "adjacent", info.nr_adjacent);
		json_u64(&j, "runs", info.nr_runs);
		json_u64(&j, "maps", info.nr_maps);
		json_arr(&j, "order_count");
		for (k = 0; k < MOSAIC_BUF_INFO_ORDERS; k++)
			json_u64(&j, NULL, info.order_count[k]);
		json_arr_end(&j);
		json_str(&j, "huge_mode", huge_mode_name(info.huge_mode));
		json_u64(&j, "pmd_bytes", info.pmd_bytes);
		json_obj_end(&j);
		return EXIT_OK;
	}

	printf("buffer     %s, backend %s, strategy %s\n",
	       fmt_size(info.size, sz, sizeof(sz)),
	       mosaic_backend_name(info.backend),
	       mosaic_strategy_name(info.strategy));
	printf("segments   %" PRIu64 "\n", info.nr_segments);
	printf("adjacent   %" PRIu64 " (start where the previous segment ends)\n",
	       info.nr_adjacent);
	printf("runs       %" PRIu64 " (physically contiguous once merged)\n",
	       info.nr_runs);
	if (info.huge_mode != MOSAIC_HUGE_NONE)
		printf("huge       %s, %s in PMD-mappable 2 MiB blocks\n",
		       huge_mode_name(info.huge_mode),
		       fmt_size(info.pmd_bytes, sz, sizeof(sz)));
	printf("\norder  segment size  segments\n");
	for (k = 0; k < MOSAIC_BUF_INFO_ORDERS; k++)
		if (info.order_count[k] > most)
			most = info.order_count[k];
	for (k = 0; k < MOSAIC_BUF_INFO_ORDERS; k++) {
		int bar;

		if (!info.order_count[k])
			continue;
		bar = (int)((info.order_count[k] * 40 + most - 1) / most);
		printf("%5d  %12s  %8" PRIu64 "  %.*s\n", k,
		       fmt_size((uint64_t)sysconf(_SC_PAGESIZE) << k, seg,
				sizeof(seg)),
		       info.order_count[k], bar,
		       "########################################");
	}
	return EXIT_OK;
}

/* ------------------------------------------------------------------------
 * map
 */

#define MAP_CHUNK	(4ULL << 20)

struct progress {
	bool on;
	const char *what;
	uint64_t total;
	int last;
};

static void progress_start(struct progress *pr, const char *what,
			   uint64_t total)
{
	/* Only where someone watches, and only when it takes a while. */
	pr->on = isatty(STDERR_FILENO) && total >= 16 * MAP_CHUNK;
	pr->what = what;
	pr->total = total;
	pr->last = -1;
}

static void progress_update(struct progress *pr, uint64_t done)
{
	int pct;

	if (!pr->on)
		return;
	pct = (int)(done * 100 / pr->total);
	if (pct == pr->last)
		return;
	pr->last = pct;
	fprintf(stderr, "\r%s: %3d%% (%" PRIu64 " of %" PRIu64 " MiB)", pr->what,
		pct, done >> 20, pr->total >> 20);
	fflush(stderr);
}

static void progress_end(struct progress *pr)
{
	if (pr->on)
		fprintf(stderr, "\r\033[K");
}

struct pass_result {
	bool ran;
	uint64_t seed;
	uint64_t mismatches;
	uint64_t first;		/* buffer offset, UINT64_MAX if none */
	double seconds;
};

/* User writes through the mapping, a second mapping checks: 0 or -errno. */
static int pass_write_then_check(struct mosaic_buf *buf, volatile uint64_t *map,
			       uint64_t off, uint64_t len, struct pass_result *r)
{
	struct progress pr;
	uint64_t done, i;
	double t0 = now_s();
	int ret;

	r->ran = true;
	r->mismatches = 0;
	r->first = UINT64_MAX;
	progress_start(&pr, "fill: user write", len);
	for (done = 0; done < len; done += MAP_CHUNK) {
		uint64_t n = len - done < MAP_CHUNK ? len - done : MAP_CHUNK;

		for (i = 0; i < n; i += 8)
			map[(done + i) / 8] = mosaic_pattern_word(r->seed, off + done + i);
		progress_update(&pr, done + n);
	}
	progress_end(&pr);
	progress_start(&pr, "fill: second mapping check", len);
	for (done = 0; done < len; done += MAP_CHUNK) {
		uint64_t n = len - done < MAP_CHUNK ? len - done : MAP_CHUNK;
		uint64_t bad, first;

		ret = mosaic_buf_verify(buf, off + done, n, r->seed, &bad, &first);
		if (ret) {
			progress_end(&pr);
			return ret;
		}
		if (bad && r->first == UINT64_MAX)
			r->first = first;
		r->mismatches += bad;
		progress_update(&pr, done + n);
	}
	progress_end(&pr);
	r->seconds = now_s() - t0;
	return 0;
}

/* A second mapping writes, user space checks the first: 0 or -errno. */
static int pass_check_other_write(struct mosaic_buf *buf, volatile uint64_t *map,
			       uint64_t off, uint64_t len, struct pass_result *r)
{
	struct progress pr;
	uint64_t done, i;
	double t0 = now_s();
	int ret;

	r->ran = true;
	r->mismatches = 0;
	r->first = UINT64_MAX;
	progress_start(&pr, "verify: second mapping write", len);
	for (done = 0; done < len; done += MAP_CHUNK) {
		uint64_t n = len - done < MAP_CHUNK ? len - done : MAP_CHUNK;

		ret = mosaic_buf_fill(buf, off + done, n, r->seed);
		if (ret) {
			progress_end(&pr);
			return ret;
		}
		progress_update(&pr, done + n);
	}
	progress_end(&pr);
	progress_start(&pr, "verify: user check", len);
	for (done = 0; done < len; done += MAP_CHUNK) {
		uint64_t n = len - done < MAP_CHUNK ? len - done : MAP_CHUNK;

		for (i = 0; i < n; i += 8) {
			uint64_t o = off + done + i;

			if (map[(done + i) / 8] != mosaic_pattern_word(r->seed, o)) {
				if (!r->mismatches)
					r->first = o;
				r->mismatches++;
			}
		}
		progress_update(&pr, done + n);
	}
	progress_end(&pr);
	r->seconds = now_s() - t0;
	return 0;
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

static int cmd_map(struct ctl *c)
{
	struct pass_result fill = { .seed = 1 }, verify = { .seed = 2 };
	struct mosaic_buf_info info;
	struct mosaic_dev *dev;
	struct mosaic_buf *buf;
	struct json j = { 0 };
	uint64_t off = 0, len = 0;
	char sz[32], lsz[32];
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

	if (c->fill_arg || !c->verify_arg)
		ret = pass_write_then_check(buf, map, off, len, &fill);
	if (!ret && (c->verify_arg || !c->fill_arg))
		ret = pass_check_other_write(buf, map, off, len, &verify);
	mosaic_buf_unmap(map, (size_t)len);
	if (ret) {
		ret = fail(c, EXIT_SYSTEM, ret, "pattern ioctl failed: %s (%s)",
			   strerror(-ret), err_name(ret));
		goto out;
	}

	ok = !fill.mismatches && !verify.mismatches;
	if (c->json) {
		json_obj(&j, NULL);
		json_bool(&j, "ok", ok);
		json_buf_head(&j, c, &info);
		json_u64(&j, "offset", off);
		json_u64(&j, "length", len);
		json_pass(&j, "fill", &fill);
		json_pass(&j, "verify", &verify);
		json_obj_end(&j);
	} else {
		printf("mapped %s at offset %#" PRIx64 " of a %s buffer, backend %s, strategy %s\n",
		       fmt_size(len, lsz, sizeof(lsz)), off,
		       fmt_size(info.size, sz, sizeof(sz)),
		       mosaic_backend_name(info.backend),
		       mosaic_strategy_name(info.strategy));
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

/* ------------------------------------------------------------------------
 * sync, export
 */

/* --offset and --length of sync and export: 0 or a usage failure. */
static int parse_range(struct ctl *c, uint64_t *off, uint64_t *len)
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
static int pattern_fill(struct mosaic_buf *buf,
			const struct mosaic_buf_info *info, uint64_t seed,
			bool *filled)
{
	int ret;

	*filled = false;
	if (info->backend == MOSAIC_BACKEND_MMIO)
		return 0;
	ret = mosaic_buf_fill(buf, 0, info->size, seed);
	*filled = !ret;
	return ret == -EACCES ? 0 : ret;
}

static int cmd_sync(struct ctl *c)
{
	struct mosaic_buf_sync_result r = { .struct_size = sizeof(r) };
	enum mosaic_sync_dir dir = MOSAIC_SYNC_RW;
	struct mosaic_buf_info info;
	struct mosaic_dev *dev;
	struct mosaic_buf *buf;
	struct json j = { 0 };
	uint64_t off, len;
	const char *dname = "rw";
	char sz[32], lsz[32];
	bool filled;
	int ret;

	ret = parse_range(c, &off, &len);
	if (ret)
		return ret;
	if (c->direction_arg) {
		dname = c->direction_arg;
		if (!strcmp(dname, "read"))
			dir = MOSAIC_SYNC_READ;
		else if (!strcmp(dname, "write"))
			dir = MOSAIC_SYNC_WRITE;
		else if (!strcmp(dname, "rw"))
			dir = MOSAIC_SYNC_RW;
		else
			return fail(c, EXIT_USAGE, 0,
				    "--direction %s: one of read, write, rw", dname);
	}
	ret = alloc_with_info(c, &dev, &buf, &info);
	if (ret)
		return ret;
	if (!c->length_arg && off < info.size)
		len = info.size - off;
	ret = pattern_fill(buf, &info, 1, &filled);
	if (ret) {
		ret = fail(c, EXIT_SYSTEM, ret, "fill failed: %s (%s)",
			   strerror(-ret), err_name(ret));
		goto out;
	}
	ret = mosaic_buf_sync(buf, off, len, dir, MOSAIC_SYNC_BEGIN, &r);
	if (!ret)
		ret = mosaic_buf_sync(buf, off, len, dir, MOSAIC_SYNC_END, NULL);
	if (ret == -EINVAL) {
		ret = fail(c, EXIT_REFUSED, ret,
			   "sync of %" PRIu64 " bytes at offset %#" PRIx64 " refused: the range must be non-empty and inside the %s buffer (EINVAL)",
			   len, off, fmt_size(info.size, sz, sizeof(sz)));
		goto out;
	}
	if (ret) {
		ret = fail(c, ret == -EOPNOTSUPP ? EXIT_UNSUPPORTED : EXIT_SYSTEM,
			   ret, "sync failed: %s (%s)", strerror(-ret),
			   err_name(ret));
		goto out;
	}
	if (c->json) {
		json_obj(&j, NULL);
		json_bool(&j, "ok", true);
		json_buf_head(&j, c, &info);
		json_u64(&j, "offset", off);
		json_u64(&j, "length", len);
		json_str(&j, "direction", dname);
		json_bool(&j, "filled", filled);
		json_u64(&j, "segments", info.nr_segments);
		json_u64(&j, "first_segment", r.first_segment);
		json_u64(&j, "nr_segments", r.nr_segments);
		json_u64(&j, "nr_synced", r.nr_synced);
		json_obj_end(&j);
	} else {
		printf("synced %s at offset %#" PRIx64 " of a %s buffer (%s), backend %s, strategy %s\n",
		       fmt_size(len, lsz, sizeof(lsz)), off,
		       fmt_size(info.size, sz, sizeof(sz)), dname,
		       mosaic_backend_name(info.backend),
		       mosaic_strategy_name(info.strategy));
		printf("first_segment  %" PRIu64 "\n", r.first_segment);
		printf("nr_segments    %" PRIu64 " (of %" PRIu64 ")\n",
		       r.nr_segments, info.nr_segments);
		printf("nr_synced      %" PRIu64 " (needed cache maintenance)\n",
		       r.nr_synced);
	}
	ret = EXIT_OK;
out:
	mosaic_buf_close(buf);
	mosaic_dev_close(dev);
	return ret;
}

/* DMA_BUF_IOCTL_SYNC with EINTR/EAGAIN retried: 0 or -errno. */
static int dmabuf_sync(int fd, uint64_t flags)
{
	struct dma_buf_sync s = { .flags = flags };
	int ret;

	do {
		ret = ioctl(fd, DMA_BUF_IOCTL_SYNC, &s);
	} while (ret == -1 && (errno == EINTR || errno == EAGAIN));
	return ret ? -errno : 0;
}

static int cmd_export(struct ctl *c)
{
	struct mosaic_buf_info info;
	struct mosaic_dev *dev;
	struct mosaic_buf *buf;
	struct json j = { 0 };
	uint64_t off, len, i, bad = 0, first_bad = UINT64_MAX;
	const volatile uint64_t *words;
	char sz[32], lsz[32];
	int ret, dfd = -1;
	bool filled;
	void *map;

	ret = parse_range(c, &off, &len);
	if (ret)
		return ret;
	if (off % (uint64_t)sysconf(_SC_PAGESIZE) ||
	    len % (uint64_t)sysconf(_SC_PAGESIZE))
		return fail(c, EXIT_USAGE, 0,
			    "--offset and --length must be page aligned");
	ret = alloc_with_info(c, &dev, &buf, &info);
	if (ret)
		return ret;
	ret = pattern_fill(buf, &info, 3, &filled);
	if (ret) {
		ret = fail(c, EXIT_SYSTEM, ret, "fill failed: %s (%s)",
			   strerror(-ret), err_name(ret));
		goto out;
	}
	ret = mosaic_buf_export(buf, off, len, &dfd);
	if (ret) {
		int code = ret == -EOPNOTSUPP ? EXIT_UNSUPPORTED :
			   ret == -EINVAL ? EXIT_REFUSED : EXIT_SYSTEM;

		if (ret == -EOPNOTSUPP)
			ret = fail(c, code, ret,
				   "backend %s cannot be exported as a dma-buf (EOPNOTSUPP)",
				   mosaic_backend_name(info.backend));
		else
			ret = fail(c, code, ret,
				   "export of %" PRIu64 " bytes at offset %#" PRIx64 " of the %s buffer failed: %s (%s)",
				   len, off, fmt_size(info.size, sz, sizeof(sz)),
				   strerror(-ret), err_name(ret));
		goto out;
	}
	if (!len)
		len = info.size - off;
	map = mmap(NULL, (size_t)len, PROT_READ, MAP_SHARED, dfd, 0);
	if (map == MAP_FAILED) {
		ret = -errno;
		ret = fail(c, EXIT_SYSTEM, ret, "mmap of the dma-buf failed: %s (%s)",
			   strerror(-ret), err_name(ret));
		goto out_fd;
	}
	words = map;
	ret = dmabuf_sync(dfd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	if (!ret && filled) {
		for (i = 0; i < len; i += 8)
			if (words[i / 8] != mosaic_pattern_word(3, off + i)) {
				if (!bad++)
					first_bad = off + i;
			}
	}
	if (!ret)
		ret = dmabuf_sync(dfd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	munmap(map, (size_t)len);
	if (ret) {
		ret = fail(c, EXIT_SYSTEM, ret, "DMA_BUF_IOCTL_SYNC failed: %s (%s)",
			   strerror(-ret), err_name(ret));
		goto out_fd;
	}
	if (c->json) {
		json_obj(&j, NULL);
		json_bool(&j, "ok", !bad);
		json_buf_head(&j, c, &info);
		json_u64(&j, "offset", off);
		json_u64(&j, "length", len);
		json_bool(&j, "checked", filled);
		json_u64(&j, "mismatches", bad);
		if (bad)
			json_u64(&j, "first_mismatch", first_bad);
		else
			json_null(&j, "first_mismatch");
		json_obj_end(&j);
	} else {
		printf("exported %s at offset %#" PRIx64 " of a %s buffer as dma-buf fd %d, backend %s, strategy %s\n",
		       fmt_size(len, lsz, sizeof(lsz)), off,
		       fmt_size(info.size, sz, sizeof(sz)), dfd,
		       mosaic_backend_name(info.backend),
		       mosaic_strategy_name(info.strategy));
		if (bad)
			printf("dma-buf mmap: %" PRIu64 " mismatches, first at %#" PRIx64 "\n",
			       bad, first_bad);
		else
			printf("dma-buf mmap: %s\n", filled ?
			       "pattern ok (kernel wrote, user read through the dma-buf)" :
			       "mapped (not checked: the kernel cannot write this backend)");
	}
	ret = bad ? EXIT_CHECK : EXIT_OK;
out_fd:
	close(dfd);
out:
	mosaic_buf_close(buf);
	mosaic_dev_close(dev);
	return ret;
}

/* ------------------------------------------------------------------------
 * selftest
 */

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

static int cmd_selftest(struct ctl *c)
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

/* ------------------------------------------------------------------------
 * stats
 */

static int cmd_stats(struct ctl *c)
{
	struct mosaic_dev_stats st = { .struct_size = sizeof(st) };
	struct mosaic_dev *dev;
	struct json j = { 0 };
	int ret;

	ret = open_dev(c, &dev);
	if (ret)
		return ret;
	ret = mosaic_dev_stats(dev, &st);
	mosaic_dev_close(dev);
	if (ret)
		return fail(c, EXIT_SYSTEM, ret, "STATS failed: %s (%s)",
			    strerror(-ret), err_name(ret));
	if (c->json) {
		json_obj(&j, NULL);
		json_bool(&j, "ok", true);
		json_str(&j, "command", c->cmd);
		json_u64(&j, "buffers", st.buffers);
		json_u64(&j, "pages", st.pages);
		json_u64(&j, "maps", st.maps);
		json_u64(&j, "total_buffers", st.total_buffers);
		json_u64(&j, "total_pages", st.total_pages);
		json_obj_end(&j);
		return EXIT_OK;
	}
	printf("buffers        %" PRIu64 "\n", st.buffers);
	printf("pages          %" PRIu64 "\n", st.pages);
	printf("maps           %" PRIu64 "\n", st.maps);
	printf("total buffers  %" PRIu64 " (since the module was loaded)\n",
	       st.total_buffers);
	printf("total pages    %" PRIu64 "\n", st.total_pages);
	return EXIT_OK;
}

/* ------------------------------------------------------------------------
 * bench: a wrapper over mosaic-bench (bench/mosaic-bench.c, installed in
 * $(PREFIX)/libexec/mosaic), the program `make bench` runs in the VM. It
 * finds the program, runs it with the options given, shows its progress,
 * and turns its CSV records into medians per row and size (text or JSON);
 * --raw passes the records through for bench/report.
 */

#define BENCH_PROG	"mosaic-bench"
#define BENCH_MAX_ARGS	64
#define BENCH_MAX_CELLS	512
#define BENCH_MAX_REPS	64
#define BENCH_PHASES	5

static const char *const bench_phase[BENCH_PHASES] = {
	"alloc", "map", "touch", "munmap", "free",
};

/* One row at one size: its repetitions, or why it did not run. */
struct bench_cell {
	char row[48];
	uint64_t size;
	int status;		/* 0 ok, 1 skipped, 2 failed */
	char reason[160];
	int n;
	bool has[BENCH_PHASES];
	uint64_t ns[BENCH_PHASES][BENCH_MAX_REPS];
	uint64_t flt[BENCH_PHASES][BENCH_MAX_REPS];
	uint64_t total[BENCH_MAX_REPS];
	uint64_t pte[BENCH_MAX_REPS];
	uint64_t segments[BENCH_MAX_REPS];
};

struct bench_run {
	struct bench_cell *cells;
	int ncells;
	uint64_t elapsed_ns;
	bool ended;
	int reps;
};

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t median_u64(const uint64_t *v, int n)
{
	uint64_t s[BENCH_MAX_REPS];

	if (n <= 0)
		return 0;
	memcpy(s, v, sizeof(*v) * (size_t)n);
	qsort(s, (size_t)n, sizeof(*s), cmp_u64);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static struct bench_cell *bench_cell(struct bench_run *br, const char *row,
				     uint64_t size)
{
	struct bench_cell *c;
	int i;

	for (i = 0; i < br->ncells; i++)
		if (br->cells[i].size == size && !strcmp(br->cells[i].row, row))
			return &br->cells[i];
	if (br->ncells == BENCH_MAX_CELLS)
		return NULL;
	c = &br->cells[br->ncells++];
	memset(c, 0, sizeof(*c));
	snprintf(c->row, sizeof(c->row), "%s", row);
	c->size = size;
	return c;
}

/* Split a CSV record in place (mosaic-bench never quotes). */
static int bench_split(char *line, char **f, int max)
{
	int n = 0;

	while (n < max) {
		f[n++] = line;
		line = strchr(line, ',');
		if (!line)
			break;
		*line++ = '\0';
	}
	return n;
}

/* Join fields from @first on again with ", " (a reason may hold commas). */
static void bench_rest(char *dst, size_t len, char **f, int first, int n)
{
	size_t used = 0;
	int i;

	dst[0] = '\0';
	for (i = first; i < n && used < len; i++)
		used += (size_t)snprintf(dst + used, len - used, "%s%s",
					 i > first ? "," : "", f[i]);
}

static void bench_record(struct bench_run *br, char *line)
{
	char *f[32];
	struct bench_cell *c;
	int n = bench_split(line, f, 32), p;

	if (!strcmp(f[0], "meta") && n >= 3 && !strcmp(f[1], "reps")) {
		br->reps = atoi(f[2]);
	} else if (!strcmp(f[0], "end") && n >= 2) {
		br->ended = true;
		br->elapsed_ns = strtoull(f[1], NULL, 10);
	} else if (!strcmp(f[0], "rep") && n >= 19) {
		c = bench_cell(br, f[1], strtoull(f[2], NULL, 10));
		if (!c || c->status || c->n == BENCH_MAX_REPS)
			return;
		c->total[c->n] = 0;
		for (p = 0; p < BENCH_PHASES; p++) {
			c->has[p] = f[4 + p][0] != '\0';
			c->ns[p][c->n] = strtoull(f[4 + p], NULL, 10);
			c->total[c->n] += c->ns[p][c->n];
			c->flt[p][c->n] = strtoull(f[9 + p], NULL, 10);
		}
		c->pte[c->n] = strtoull(f[14], NULL, 10);
		c->segments[c->n] = strtoull(f[15], NULL, 10);
		c->n++;
	} else if ((!strcmp(f[0], "skip") && n >= 4) ||
		   (!strcmp(f[0], "fail") && n >= 6)) {
		/* "skip,fa:ROW,..." belongs to the fault-around experiment. */
		if (!strncmp(f[1], "fa:", 3))
			return;
		c = bench_cell(br, f[1], strtoull(f[2], NULL, 10));
		if (!c)
			return;
		if (f[0][0] == 's') {
			c->status = 1;
			bench_rest(c->reason, sizeof(c->reason), f, 3, n);
		} else {
			char why[128];

			c->status = 2;
			bench_rest(why, sizeof(why), f, 5, n);
			snprintf(c->reason, sizeof(c->reason), "%s: %s", f[4], why);
		}
	}
}

/* Where mosaic-bench is: $MOSAIC_BENCH, next to us, or the libexec dir. */
static int bench_find(const struct ctl *c, char *path, size_t len)
{
	const char *env = getenv("MOSAIC_BENCH");
	char self[4096], tried[4200];
	ssize_t n;
	char *slash;

	if (env && *env) {
		if (access(env, X_OK))
			return fail(c, EXIT_NO_BENCH, -errno,
				    "MOSAIC_BENCH=%s: not an executable file (%s)",
				    env, err_name(-errno));
		snprintf(path, len, "%s", env);
		return EXIT_OK;
	}
	tried[0] = '\0';
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash) {
			snprintf(path, len, "%.*s/%s", (int)(slash - self), self,
				 BENCH_PROG);
			if (!access(path, X_OK))
				return EXIT_OK;
			snprintf(tried, sizeof(tried), "%s, ", path);
		}
	}
	snprintf(path, len, "%s/%s", MOSAIC_LIBEXECDIR, BENCH_PROG);
	if (!access(path, X_OK))
		return EXIT_OK;
	return fail(c, EXIT_NO_BENCH, ENOENT,
		    "%s not found (tried %s%s; install it with make install, or set MOSAIC_BENCH)",
		    BENCH_PROG, tried, path);
}

static void bench_print_text(const struct bench_run *br)
{
	uint64_t size = UINT64_MAX;
	int i, p;

	for (i = 0; i < br->ncells; i++) {
		const struct bench_cell *c = &br->cells[i];
		double mib = (double)c->size / (1 << 20);
		uint64_t tot, lo, hi, flt = 0;

		if (c->size != size) {
			size = c->size;
			char sz[32];

			printf("%s%s buffers: median of %d, microseconds (under QEMU -icount:\n"
			       "thousands of guest instructions)\n",
			       i ? "\n" : "", fmt_size(size, sz, sizeof(sz)), br->reps);
			printf("%-24s %9s %9s %9s %9s %9s %10s %7s %10s %8s\n", "row",
			       "alloc", "map", "touch", "munmap", "free", "total",
			       "spread", "faults/MiB", "VmPTE");
		}
		if (c->status) {
			printf("%-24s %s: %s\n", c->row,
			       c->status == 1 ? "skipped" : "FAILED", c->reason);
			continue;
		}
		printf("%-24s", c->row);
		for (p = 0; p < BENCH_PHASES; p++) {
			if (c->has[p])
				printf(" %9.1f", median_u64(c->ns[p], c->n) / 1e3);
			else
				printf(" %9s", "-");
			flt += median_u64(c->flt[p], c->n);
		}
		tot = median_u64(c->total, c->n);
		lo = hi = c->total[0];
		for (p = 1; p < c->n; p++) {
			lo = c->total[p] < lo ? c->total[p] : lo;
			hi = c->total[p] > hi ? c->total[p] : hi;
		}
		printf(" %10.1f %6.1f%% %10.1f %5" PRIu64 " KiB\n", tot / 1e3,
		       tot ? 100.0 * (double)(hi - lo) / (double)tot : 0.0,
		       (double)flt / mib, median_u64(c->pte, c->n) / 1024);
	}
}

static void bench_print_json(const struct ctl *c, const struct bench_run *br,
			     const char *prog, int counts[3])
{
	struct json j = { 0 };
	int i, p;

	json_obj(&j, NULL);
	json_bool(&j, "ok", !counts[2]);
	json_str(&j, "command", c->cmd);
	json_str(&j, "program", prog);
	json_i64(&j, "reps", br->reps);
	json_u64(&j, "elapsed_ns", br->elapsed_ns);
	json_arr(&j, "results");
	for (i = 0; i < br->ncells; i++) {
		const struct bench_cell *bc = &br->cells[i];
		double mib = (double)bc->size / (1 << 20);
		uint64_t lo, hi, tot;

		json_obj(&j, NULL);
		json_str(&j, "row", bc->row);
		json_u64(&j, "size", bc->size);
		json_str(&j, "status", bc->status == 0 ? "ok" :
			 bc->status == 1 ? "skipped" : "failed");
		if (bc->status) {
			json_str(&j, "reason", bc->reason);
			json_obj_end(&j);
			continue;
		}
		json_i64(&j, "reps", bc->n);
		json_obj(&j, "median_ns");
		for (p = 0; p < BENCH_PHASES; p++) {
			if (bc->has[p])
				json_u64(&j, bench_phase[p], median_u64(bc->ns[p], bc->n));
			else
				json_null(&j, bench_phase[p]);
		}
		tot = median_u64(bc->total, bc->n);
		json_u64(&j, "total", tot);
		json_obj_end(&j);
		lo = hi = bc->total[0];
		for (p = 1; p < bc->n; p++) {
			lo = bc->total[p] < lo ? bc->total[p] : lo;
			hi = bc->total[p] > hi ? bc->total[p] : hi;
		}
		json_u64(&j, "total_min_ns", lo);
		json_u64(&j, "total_max_ns", hi);
		json_dbl(&j, "spread", tot ? (double)(hi - lo) / (double)tot : 0.0);
		json_obj(&j, "faults_per_mib");
		for (p = 0; p < BENCH_PHASES; p++)
			json_dbl(&j, bench_phase[p],
				 (double)median_u64(bc->flt[p], bc->n) / mib);
		json_obj_end(&j);
		json_u64(&j, "vmpte_bytes", median_u64(bc->pte, bc->n));
		json_u64(&j, "segments", median_u64(bc->segments, bc->n));
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_i64(&j, "measured", counts[0]);
	json_i64(&j, "skipped", counts[1]);
	json_i64(&j, "failed", counts[2]);
	json_obj_end(&j);
}

/* The progress line: one line rewritten on a terminal, else plain lines. */
static void bench_progress(const char *line, bool tty)
{
	if (tty)
		fprintf(stderr, "\rbench: %.100s\033[K", line);
	else
		fprintf(stderr, "bench: %s\n", line);
	fflush(stderr);
}

static int cmd_bench_main(struct ctl *c, const struct command *cmd, int argc,
			  char **argv)
{
	enum { B_SIZES = 0x200, B_REPS, B_ROWS, B_LARGE, B_EXTRAS, B_RAW,
	       B_PROGRESS };
	static const struct option bopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "dev", required_argument, NULL, OPT_DEV },
		{ "sizes", required_argument, NULL, B_SIZES },
		{ "reps", required_argument, NULL, B_REPS },
		{ "rows", required_argument, NULL, B_ROWS },
		{ "large-rows", required_argument, NULL, B_LARGE },
		{ "extras", no_argument, NULL, B_EXTRAS },
		{ "raw", no_argument, NULL, B_RAW },
		{ "progress", no_argument, NULL, B_PROGRESS },
		{ NULL, 0, NULL, 0 },
	};
	const char *sizes = "64M", *reps = "5", *rows = NULL, *large = NULL;
	bool extras = false, raw = false, progress = isatty(STDERR_FILENO);
	bool tty = isatty(STDERR_FILENO), in_progress = false;
	char prog[4096], *args[BENCH_MAX_ARGS], *line = NULL;
	struct bench_run br = { 0 };
	int counts[3] = { 0 }, nargs = 0, pipefd[2], status, id, i, ret;
	size_t cap = 0;
	FILE *in;
	pid_t pid;

	opterr = 0;
	while ((id = getopt_long(argc, argv, "+:hs:r:", bopts, NULL)) != -1) {
		switch (id) {
		case 'h':
			usage_cmd(cmd, stdout);
			printf("Bench options:\n"
			       "  -s, --sizes LIST       buffer sizes, comma separated (default 64M)\n"
			       "  -r, --reps N           repetitions per row and size (default 5)\n"
			       "      --rows REGEX       only the rows whose name matches\n"
			       "      --large-rows REGEX the rows to run at 1G and more\n"
			       "                         (default: all)\n"
			       "      --extras           also fault-around, allocation quality and\n"
			       "                         the fragmenter\n"
			       "      --raw              print mosaic-bench's CSV records as they are\n"
			       "      --progress         progress lines even when stderr is no terminal\n"
			       "  -- ARGS                more mosaic-bench options, as they are\n");
			return EXIT_OK;
		case OPT_JSON: c->json = true; break;
		case OPT_DEV: c->dev_path = optarg; break;
		case 's': case B_SIZES: sizes = optarg; break;
		case 'r': case B_REPS: reps = optarg; break;
		case B_ROWS: rows = optarg; break;
		case B_LARGE: large = optarg; break;
		case B_EXTRAS: extras = true; break;
		case B_RAW: raw = true; break;
		case B_PROGRESS: progress = true; break;
		case ':':
			return fail(c, EXIT_USAGE, 0, "option %s needs a value (try --help)",
				    argv[optind - 1]);
		default:
			return fail(c, EXIT_USAGE, 0, "unknown option %s (try --help)",
				    argv[optind - 1]);
		}
	}
	if (raw && c->json)
		return fail(c, EXIT_USAGE, 0, "--raw and --json exclude each other");
	if (c->dev_path)
		return fail(c, EXIT_USAGE, 0,
			    "--dev: mosaic-bench always uses " MOSAIC_DEVICE_PATH);
	/* Check the sizes here, so that a typo is our one-line error. */
	{
		char copy[256], *tok, *save = NULL;
		uint64_t v;

		snprintf(copy, sizeof(copy), "%s", sizes);
		for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
			if (mosaic_parse_size(tok, &v) || !v)
				return fail(c, EXIT_USAGE, 0,
					    "--sizes: '%s' is not a size (64M, 1G, ...)", tok);
		if (atoi(reps) < 1)
			return fail(c, EXIT_USAGE, 0, "--reps %s: at least 1", reps);
	}
	ret = bench_find(c, prog, sizeof(prog));
	if (ret)
		return ret;

	args[nargs++] = prog;
	args[nargs++] = (char *)"--sizes";
	args[nargs++] = (char *)sizes;
	args[nargs++] = (char *)"--reps";
	args[nargs++] = (char *)reps;
	if (rows) {
		args[nargs++] = (char *)"--rows";
		args[nargs++] = (char *)rows;
	}
	if (large) {
		args[nargs++] = (char *)"--large-rows";
		args[nargs++] = (char *)large;
	}
	if (!extras)
		args[nargs++] = (char *)"--no-extras";
	for (i = optind; i < argc && nargs < BENCH_MAX_ARGS - 1; i++)
		args[nargs++] = argv[i];
	args[nargs] = NULL;

	br.cells = calloc(BENCH_MAX_CELLS, sizeof(*br.cells));
	if (!br.cells || pipe(pipefd))
		return fail(c, EXIT_SYSTEM, -ENOMEM, "out of memory");
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return fail(c, EXIT_SYSTEM, -errno, "fork: %s", strerror(errno));
	if (!pid) {
		/* Records and progress in one stream, in the order written. */
		dup2(pipefd[1], STDOUT_FILENO);
		dup2(pipefd[1], STDERR_FILENO);
		close(pipefd[0]);
		close(pipefd[1]);
		execv(prog, args);
		fprintf(stderr, "exec %s: %s\n", prog, strerror(errno));
		_exit(127);
	}
	close(pipefd[1]);
	in = fdopen(pipefd[0], "r");
	while (in && getline(&line, &cap, in) > 0) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "# ", 2)) {
			if (progress) {
				bench_progress(line + 2, tty);
				in_progress = tty;
			}
			continue;
		}
		if (in_progress) {
			fprintf(stderr, "\r\033[K");
			in_progress = false;
		}
		if (!strncmp(line, "meta,", 5) || !strncmp(line, "row,", 4) ||
		    !strncmp(line, "rep,", 4) || !strncmp(line, "skip,", 5) ||
		    !strncmp(line, "fail,", 5) || !strncmp(line, "end,", 4) ||
		    !strncmp(line, "orders,", 7) || !strncmp(line, "fa,", 3) ||
		    !strncmp(line, "frag,", 5)) {
			if (raw)
				printf("%s\n", line);
			bench_record(&br, line);
		} else {
			/* mosaic-bench's own complaints. */
			fprintf(stderr, "%s: %s\n", BENCH_PROG, line);
		}
	}
	if (in_progress)
		fprintf(stderr, "\r\033[K");
	free(line);
	if (in)
		fclose(in);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 2)
		return fail(c, EXIT_USAGE, 0, "%s refused the options (see its usage above)",
			    BENCH_PROG);
	if (!WIFEXITED(status) || WEXITSTATUS(status) || !br.ended)
		return fail(c, EXIT_SYSTEM, 0, "%s %s%d before its end record",
			    BENCH_PROG, WIFEXITED(status) ? "exited with status " :
			    "was killed by signal ",
			    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	for (i = 0; i < br.ncells; i++)
		counts[br.cells[i].status]++;
	if (c->json)
		bench_print_json(c, &br, prog, counts);
	else if (!raw) {
		bench_print_text(&br);
		printf("\nbench: %d measured, %d skipped, %d failed, %.1f s (%s)\n",
		       counts[0], counts[1], counts[2], br.elapsed_ns / 1e9, prog);
	}
	free(br.cells);
	return counts[2] ? EXIT_CHECK : EXIT_OK;
}

/* Never called: main() hands bench its own arguments (cmd_bench_main). */
static int cmd_bench(struct ctl *c)
{
	return fail(c, EXIT_USAGE, 0, "internal: bench without its arguments");
}

/* ------------------------------------------------------------------------ */

static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < NR_COMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	const struct command *cmd;
	struct ctl c = { 0 };
	int ret;

	if (argc > 1 && !strcmp(argv[1], "--version")) {
		printf("%s %s\n", PROG, MOSAIC_VERSION);
		return EXIT_OK;
	}
	ret = parse_opts(&c, NULL, argc, argv);
	if (ret >= 0)
		return ret;
	if (optind >= argc) {
		usage_main(stderr);
		return fail(&c, EXIT_USAGE, 0, "no command given");
	}
	if (!strcmp(argv[optind], "help")) {
		if (optind + 1 < argc && (cmd = find_command(argv[optind + 1]))) {
			usage_cmd(cmd, stdout);
			return EXIT_OK;
		}
		usage_main(stdout);
		return EXIT_OK;
	}
	cmd = find_command(argv[optind]);
	if (!cmd)
		return fail(&c, EXIT_USAGE, 0,
			    "unknown command '%s' (commands: features, alloc, info, map, sync, export, selftest, stats, bench)",
			    argv[optind]);
	c.cmd = cmd->name;
	/* getopt_long() starts again after the command name. */
	argc -= optind;
	argv += optind;
	optind = 0;	/* 0: GNU getopt also resets its internal state */
	if (cmd->run == cmd_bench)	/* options of its own, and -- ARGS */
		return cmd_bench_main(&c, cmd, argc, argv);
	ret = parse_opts(&c, cmd, argc, argv);
	if (ret >= 0)
		return ret;
	if (optind < argc)
		return fail(&c, EXIT_USAGE, 0, "unexpected argument '%s' (try --help)",
			    argv[optind]);
	return cmd->run(&c);
}
