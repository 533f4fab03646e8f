// SPDX-License-Identifier: GPL-2.0
/*
 * t99_kmemleak: the suite ends with a kmemleak scan (debug kernel only).
 *
 * Runs last (name order) so that every other test has allocated, mapped,
 * freed, unloaded and reloaded by then. On a kernel without
 * CONFIG_DEBUG_KMEMLEAK (the stock Debian kernel) there is no
 * /sys/kernel/debug/kmemleak and the whole program is a SKIP.
 *
 * Otherwise: wait until the last test's objects are older than kmemleak's
 * minimum reporting age, scan twice (Documentation/dev-tools/kmemleak.rst:
 * a transient pointer in a register or on a stack can hide a leak from one
 * scan), read the report, and count
 *   - all leaks (the kernel's own false positives included: reported, not
 *     judged),
 *   - leaks whose backtrace names mosaic (a symbol "mosaic_*" or the
 *     "[mosaic]" module tag),
 *   - leaks whose backtrace has a frame kallsyms cannot name: code of a
 *     module that has been unloaded since (t06_unload unloads and reloads
 *     mosaic) or a module's freed __init code. mosaic is the only module the
 *     suite loads, so those are mosaic's too.
 * The last two must be 0. Finally "clear", so a later scan in the same boot
 * starts from a clean slate.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mosaic_test.h"
#include "tap.h"

#define KMEMLEAK	"/sys/kernel/debug/kmemleak"
/* mm/kmemleak.c MSECS_MIN_AGE: younger objects are never reported. */
#define MIN_AGE_S	5
/* How many leak records to print in full / as one-line summaries. */
#define SHOW_FULL	3
#define SHOW_SUMMARY	20

/* Write one command to the kmemleak file: 0 or -errno. */
static int kmemleak_cmd(const char *cmd)
{
	ssize_t n;
	int fd, err = 0;

	fd = open(KMEMLEAK, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, cmd, strlen(cmd));
	if (n < 0)
		err = -errno;
	else if ((size_t)n != strlen(cmd))
		err = -EIO;
	close(fd);
	return err;
}

/* The whole report as one NUL-terminated string, or NULL with errno set. */
static char *read_report(size_t *lenp)
{
	size_t len = 0, cap = 1 << 16;
	char *buf = malloc(cap);
	ssize_t n;
	int fd;

	if (!buf)
		return NULL;
	fd = open(KMEMLEAK, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		free(buf);
		return NULL;
	}
	for (;;) {
		if (cap - len < 4096) {
			char *nb = realloc(buf, cap * 2);

			if (!nb) {
				free(buf);
				close(fd);
				errno = ENOMEM;
				return NULL;
			}
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			free(buf);
			close(fd);
			errno = e;
			return NULL;
		}
		if (n == 0)
			break;
		len += n;
	}
	close(fd);
	buf[len] = '\0';
	*lenp = len;
	return buf;
}

/*
 * A backtrace line is "    [<hashed>] symbol+0x12/0x40 [module]" or, when
 * kallsyms has no name for the address, "    [<hashed>] 0xffffffffc0123456".
 */
static const char *frame_text(const char *line)
{
	const char *p = strstr(line, "] ");

	return (strncmp(line, "    [<", 6) == 0 && p) ? p + 2 : NULL;
}

static int frame_unnamed(const char *frame)
{
	return strncmp(frame, "0x", 2) == 0 &&
	       strspn(frame + 2, "0123456789abcdef") == strlen(frame + 2);
}

struct leak {
	const char *start;	/* "unreferenced object ..." */
	size_t len;		/* bytes up to the next record */
	char first[128];	/* first frame outside the allocator */
	int mosaic;		/* a frame names mosaic */
	int unnamed;		/* a frame kallsyms cannot name */
};

/* Frames that only say "something allocated": skip them in summaries. */
static int allocator_frame(const char *f)
{
	static const char *const alloc[] = {
		"kmalloc", "__kmalloc", "kmem_cache_alloc", "slab_post_alloc",
		"__alloc_pages", "alloc_pages", "__vmalloc", "vmalloc",
		"kvmalloc", "kmemleak_", "kstrdup", "kmemdup", "krealloc",
	};

	for (size_t i = 0; i < sizeof(alloc) / sizeof(alloc[0]); i++)
		if (strncmp(f, alloc[i], strlen(alloc[i])) == 0)
			return 1;
	return 0;
}

/* Classify one record (NUL-terminated copy of it in @rec). */
static void classify(char *rec, struct leak *lk)
{
	int in_bt = 0;
	char *save = NULL;

	lk->first[0] = '\0';
	for (char *line = strtok_r(rec, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		const char *f;

		if (strcmp(line, "  backtrace:") == 0) {
			in_bt = 1;
			continue;
		}
		if (!in_bt || !(f = frame_text(line)))
			continue;
		if (strstr(f, "mosaic"))
			lk->mosaic = 1;
		if (frame_unnamed(f))
			lk->unnamed = 1;
		if (!lk->first[0] && !allocator_frame(f))
			snprintf(lk->first, sizeof(lk->first), "%s", f);
	}
}

/* Print a record as "#" lines. */
static void show_record(const struct leak *lk)
{
	char *copy = strndup(lk->start, lk->len);
	char *save = NULL;

	if (!copy)
		return;
	for (char *line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		tap_diag("  %s", line);
	free(copy);
}

int main(void)
{
	int nleaks = 0, nmosaic = 0, nunnamed = 0, shown = 0, ret;
	struct leak *leaks = NULL;
	size_t len = 0;
	double t0, t1, t2;
	char *report;

	tap_diag("t99_kmemleak: kmemleak finds no leak from mosaic after the whole suite");

	if (access(KMEMLEAK, F_OK) != 0) {
		tap_skip(access("/sys/kernel/debug", F_OK) == 0
			 ? "no " KMEMLEAK ": kernel without CONFIG_DEBUG_KMEMLEAK (only the debug tier has it)"
			 : "debugfs is not mounted on /sys/kernel/debug",
			 "kmemleak scan after the suite");
		return tap_exit();
	}

	/* Everything the previous tests leaked must be old enough to report. */
	sleep(MIN_AGE_S + 1);

	t0 = mt_now_s();
	ret = kmemleak_cmd("scan");
	t1 = mt_now_s();
	if (ret == 0)
		ret = kmemleak_cmd("scan");
	t2 = mt_now_s();
	if (!tap_ok(ret == 0, "two kmemleak scans (%s)",
		    ret == -EPERM ? "EPERM: kmemleak disabled itself at run time, see dmesg" :
		    ret ? strerror(-ret) : "ok"))
		return tap_exit();
	tap_diag("scan 1 took %.1f s, scan 2 took %.1f s", t1 - t0, t2 - t1);

	report = read_report(&len);
	if (!tap_ok(report != NULL, "read the report from " KMEMLEAK " (%s)",
		    report ? "ok" : strerror(errno)))
		return tap_exit();

	/* Split into records, each starting with "unreferenced object". */
	for (const char *p = strstr(report, "unreferenced object"); p;) {
		const char *next = strstr(p + 1, "\nunreferenced object");
		struct leak *nl = realloc(leaks, (nleaks + 1) * sizeof(*leaks));
		char *rec;

		if (!nl)
			tap_bail("out of memory");
		leaks = nl;
		memset(&leaks[nleaks], 0, sizeof(leaks[nleaks]));
		leaks[nleaks].start = p;
		leaks[nleaks].len = next ? (size_t)(next + 1 - p) : strlen(p);
		rec = strndup(p, leaks[nleaks].len);
		if (!rec)
			tap_bail("out of memory");
		classify(rec, &leaks[nleaks]);
		free(rec);
		nmosaic += leaks[nleaks].mosaic;
		nunnamed += leaks[nleaks].unnamed;
		nleaks++;
		p = next ? next + 1 : NULL;
	}

	tap_diag("kmemleak: %d leaks in total (%zu bytes of report)", nleaks, len);
	tap_diag("kmemleak: %d leaks with mosaic in the backtrace", nmosaic);
	tap_diag("kmemleak: %d leaks with unnamed (unloaded module or __init) frames",
		 nunnamed);
	for (int i = 0; i < nleaks && shown < SHOW_FULL; i++) {
		if (!leaks[i].mosaic && !leaks[i].unnamed)
			continue;
		tap_diag("leak %d of %d:", i + 1, nleaks);
		show_record(&leaks[i]);
		shown++;
	}
	for (int i = 0; i < nleaks && i < SHOW_SUMMARY; i++) {
		char head[160];
		const char *eol = memchr(leaks[i].start, '\n', leaks[i].len);
		int hl = eol ? (int)(eol - leaks[i].start) : (int)leaks[i].len;

		snprintf(head, sizeof(head), "%.*s", hl, leaks[i].start);
		tap_diag("leak %d: %s from %s", i + 1, head,
			 leaks[i].first[0] ? leaks[i].first : "?");
	}
	if (nleaks > SHOW_SUMMARY)
		tap_diag("... and %d more", nleaks - SHOW_SUMMARY);

	tap_ok(nmosaic == 0, "no leaked object was allocated by mosaic code (%d of %d leaks)",
	       nmosaic, nleaks);
	tap_ok(nunnamed == 0,
	       "no leaked object was allocated by module code kallsyms cannot name"
	       " (unloaded, or __init) (%d of %d leaks)",
	       nunnamed, nleaks);

	ret = kmemleak_cmd("clear");
	tap_ok(ret == 0, "kmemleak clear (%s)", ret ? strerror(-ret) : "ok");

	free(leaks);
	free(report);
	return tap_exit();
}
