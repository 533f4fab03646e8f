// SPDX-License-Identifier: GPL-2.0
#include "tap.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_n;		/* test points emitted */
static int tap_nfail;		/* "not ok" points */
static int tap_nskip;		/* "# SKIP" points */
static int tap_planned = -1;	/* plan printed up front, or -1 */
static bool tap_plan_printed;

void tap_plan(int n)
{
	tap_planned = n;
	tap_plan_printed = true;
	printf("1..%d\n", n);
	fflush(stdout);
}

void tap_done(void)
{
	if (tap_plan_printed)
		return;
	tap_plan_printed = true;
	tap_planned = tap_n;
	printf("1..%d\n", tap_n);
	fflush(stdout);
}

/* Descriptions must stay on one line and must not start a TAP directive. */
static void tap_vdesc(const char *fmt, va_list ap)
{
	char buf[512];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	for (char *p = buf; *p; p++) {
		if (*p == '\n' || *p == '\r')
			*p = ' ';
		else if (*p == '#')
			*p = '_';
	}
	fputs(buf, stdout);
}

bool tap_ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	if (!cond)
		tap_nfail++;
	printf("%sok %d - ", cond ? "" : "not ", tap_n);
	va_start(ap, fmt);
	tap_vdesc(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	return cond;
}

void tap_skip(const char *reason, const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	tap_nskip++;
	printf("ok %d - ", tap_n);
	va_start(ap, fmt);
	tap_vdesc(fmt, ap);
	va_end(ap);
	printf(" # SKIP %s\n", reason);
	fflush(stdout);
}

void tap_diag(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	char *line, *save = NULL;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		printf("# %s\n", line);
	fflush(stdout);
}

void tap_bail(const char *fmt, ...)
{
	va_list ap;

	fputs("Bail out! ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	exit(1);
}

int tap_count(void)
{
	return tap_n;
}

int tap_failed(void)
{
	return tap_nfail;
}

int tap_exit(void)
{
	if (!tap_plan_printed)
		tap_done();
	if (tap_planned != tap_n) {
		tap_diag("planned %d tests but ran %d", tap_planned, tap_n);
		return 1;
	}
	if (tap_n == 0) {
		/* Every program emits at least a skip; none at all is a bug. */
		tap_diag("no test points were emitted");
		return 1;
	}
	if (tap_nfail)
		return 1;
	if (tap_nskip == tap_n)
		return 77;
	return 0;
}
