// SPDX-License-Identifier: GPL-2.0
/*
 * mosaicctl's JSON writer: one compact object per run on stdout, written
 * as it goes (no tree in memory). The caller nests json_obj()/json_arr()
 * and their ends; the writer adds the commas and the final newline.
 */
#include <inttypes.h>
#include <stdio.h>

#include "mosaicctl.h"

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

void json_open(struct json *j, const char *key, char brace)
{
	if (j->depth > 0)
		json_prefix(j, key);
	putchar(brace);
	j->depth++;
	j->first[j->depth] = true;
}

void json_close(struct json *j, char brace)
{
	putchar(brace);
	j->depth--;
	if (j->depth == 0) {
		putchar('\n');
		fflush(stdout);
	}
}

void json_u64(struct json *j, const char *key, uint64_t v)
{
	json_prefix(j, key);
	printf("%" PRIu64, v);
}

void json_i64(struct json *j, const char *key, int64_t v)
{
	json_prefix(j, key);
	printf("%" PRId64, v);
}

void json_dbl(struct json *j, const char *key, double v)
{
	json_prefix(j, key);
	printf("%.6f", v);
}

void json_bool(struct json *j, const char *key, bool v)
{
	json_prefix(j, key);
	fputs(v ? "true" : "false", stdout);
}

void json_null(struct json *j, const char *key)
{
	json_prefix(j, key);
	fputs("null", stdout);
}

void json_str(struct json *j, const char *key, const char *s)
{
	json_prefix(j, key);
	if (s)
		json_str_raw(s);
	else
		fputs("null", stdout);
}
