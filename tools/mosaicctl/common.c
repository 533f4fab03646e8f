// SPDX-License-Identifier: GPL-2.0
/*
 * What mosaicctl's commands share: the error line (and error object),
 * sizes for people, the device opened with its failures explained, the
 * plain option values, and the progress line of long runs.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mosaicctl.h"

const char *err_name(int err)
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
int fail(const struct ctl *c, int code, int err, const char *fmt, ...)
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
const char *fmt_size(uint64_t v, char *buf, size_t len)
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

double now_s(void)
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
int open_dev(const struct ctl *c, struct mosaic_dev **dev)
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

/*
 * "pages, compound, ...": the names @name_at gives for @first, @first + 1,
 * ... up to the first NULL, for a message.
 */
const char *name_list(const char *(*name_at)(int i), int first)
{
	static char buf[256];
	size_t used = 0;
	int i;

	buf[0] = '\0';
	for (i = first; name_at(i) && used < sizeof(buf); i++)
		used += (size_t)snprintf(buf + used, sizeof(buf) - used, "%s%s",
					 i > first ? ", " : "", name_at(i));
	return buf;
}

/* A size option: 0 or a usage failure. */
int parse_size_opt(const struct ctl *c, const char *opt, const char *text,
		   uint64_t *out)
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
int parse_u64_opt(const struct ctl *c, const char *opt, const char *text,
		  uint64_t *out)
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

/* enum mosaic_huge_mode by libmosaic's name, "unknown" for a newer one. */
const char *huge_mode_name(uint32_t mode)
{
	const char *name = mosaic_huge_mode_name((enum mosaic_huge_mode)mode);

	return name ? name : "unknown";
}

/* Only where someone watches, and only when it takes a while. */
#define PROGRESS_MIN_BYTES	(64ULL << 20)

void progress_start(struct progress *pr, const char *what, uint64_t total)
{
	pr->on = isatty(STDERR_FILENO) && total >= PROGRESS_MIN_BYTES;
	pr->what = what;
	pr->total = total;
	pr->last = -1;
}

void progress_update(struct progress *pr, uint64_t done)
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

void progress_end(struct progress *pr)
{
	if (pr->on)
		fprintf(stderr, "\r\033[K");
}
