// SPDX-License-Identifier: GPL-2.0
/*
 * json-check: validate JSON on stdin and pick values out of it.
 *
 * The test VM has busybox and nothing else, so the mosaicctl tests bring
 * their own parser. It is strict RFC 8259: one value, optional whitespace
 * around it, no trailing commas, no comments, proper string escapes
 * (including surrogate pairs) and number syntax, and nesting deeper than
 * 256 is refused.
 *
 * Usage: json-check [-o] [-g PATH]... < input
 *   -o       the value must be an object
 *   -g PATH  print the value at PATH, one line per -g: a dot-separated list
 *            of member names and array indexes ("backends.0.name").
 *            Strings are printed without quotes (escapes decoded for
 *            ASCII, otherwise kept as written), other values as written.
 * Exit status: 0 valid (and every PATH found), 1 invalid JSON, 2 usage,
 * 3 a PATH is missing.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PATHS	32
#define MAX_DEPTH	256
#define MAX_INPUT	(16 << 20)

struct parser {
	const char *s;
	size_t len, pos;
	const char *err;
	int depth;
	char path[1024];	/* of the value being parsed */
	const char *want[MAX_PATHS];
	size_t found_start[MAX_PATHS], found_end[MAX_PATHS];
	bool found[MAX_PATHS];
	int nr_want;
};

static bool parse_value(struct parser *p);

static void skip_ws(struct parser *p)
{
	while (p->pos < p->len && strchr(" \t\r\n", p->s[p->pos]))
		p->pos++;
}

static int peek(struct parser *p)
{
	return p->pos < p->len ? (unsigned char)p->s[p->pos] : -1;
}

static bool fail(struct parser *p, const char *why)
{
	if (!p->err)
		p->err = why;
	return false;
}

static bool literal(struct parser *p, const char *word)
{
	size_t n = strlen(word);

	if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n))
		return fail(p, "invalid literal");
	p->pos += n;
	return true;
}

static int hex4(struct parser *p)
{
	int v = 0, i;

	for (i = 0; i < 4; i++) {
		int c = peek(p), d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		v = v * 16 + d;
		p->pos++;
	}
	return v;
}

static bool parse_string(struct parser *p)
{
	if (peek(p) != '"')
		return fail(p, "expected a string");
	p->pos++;
	for (;;) {
		int c = peek(p);

		if (c < 0)
			return fail(p, "unterminated string");
		p->pos++;
		if (c == '"')
			return true;
		if (c < 0x20)
			return fail(p, "control character in string");
		if (c != '\\')
			continue;
		c = peek(p);
		p->pos++;
		if (c == 'u') {
			int v = hex4(p);

			if (v < 0)
				return fail(p, "bad \\u escape");
			if (v >= 0xdc00 && v <= 0xdfff)
				return fail(p, "lone low surrogate");
			if (v >= 0xd800 && v <= 0xdbff) {
				int lo;

				if (peek(p) != '\\')
					return fail(p, "lone high surrogate");
				p->pos++;
				if (peek(p) != 'u')
					return fail(p, "lone high surrogate");
				p->pos++;
				lo = hex4(p);
				if (lo < 0xdc00 || lo > 0xdfff)
					return fail(p, "bad surrogate pair");
			}
		} else if (c < 0 || !strchr("\"\\/bfnrt", c)) {
			return fail(p, "bad escape in string");
		}
	}
}

static bool digits(struct parser *p)
{
	size_t start = p->pos;

	while (peek(p) >= '0' && peek(p) <= '9')
		p->pos++;
	return p->pos > start;
}

static bool parse_number(struct parser *p)
{
	if (peek(p) == '-')
		p->pos++;
	if (peek(p) == '0')
		p->pos++;
	else if (!digits(p))
		return fail(p, "bad number");
	if (peek(p) == '.') {
		p->pos++;
		if (!digits(p))
			return fail(p, "bad fraction");
	}
	if (peek(p) == 'e' || peek(p) == 'E') {
		p->pos++;
		if (peek(p) == '+' || peek(p) == '-')
			p->pos++;
		if (!digits(p))
			return fail(p, "bad exponent");
	}
	return true;
}

/* Append ".component" (or "component" at the top) to the path. */
static size_t path_push(struct parser *p, const char *comp, size_t n)
{
	size_t old = strlen(p->path), need = old + (old ? 1 : 0) + n;

	if (need >= sizeof(p->path))
		return old;	/* too deep to match anything: harmless */
	if (old)
		p->path[old] = '.';
	memcpy(p->path + old + (old ? 1 : 0), comp, n);
	p->path[need] = '\0';
	return old;
}

static bool parse_member_value(struct parser *p, const char *comp, size_t n)
{
	size_t old = path_push(p, comp, n);
	bool ok = parse_value(p);

	p->path[old] = '\0';
	return ok;
}

static bool parse_object(struct parser *p)
{
	p->pos++;	/* '{' */
	skip_ws(p);
	if (peek(p) == '}') {
		p->pos++;
		return true;
	}
	for (;;) {
		size_t kstart, kend;

		skip_ws(p);
		kstart = p->pos + 1;
		if (!parse_string(p))
			return false;
		kend = p->pos - 1;	/* the closing quote */
		skip_ws(p);
		if (peek(p) != ':')
			return fail(p, "expected ':'");
		p->pos++;
		/* Names are matched as written (mosaicctl's are plain ASCII). */
		if (!parse_member_value(p, p->s + kstart, kend - kstart))
			return false;
		skip_ws(p);
		if (peek(p) == ',') {
			p->pos++;
			continue;
		}
		if (peek(p) == '}') {
			p->pos++;
			return true;
		}
		return fail(p, "expected ',' or '}'");
	}
}

static bool parse_array(struct parser *p)
{
	unsigned long i = 0;

	p->pos++;	/* '[' */
	skip_ws(p);
	if (peek(p) == ']') {
		p->pos++;
		return true;
	}
	for (;; i++) {
		char idx[24];

		snprintf(idx, sizeof(idx), "%lu", i);
		if (!parse_member_value(p, idx, strlen(idx)))
			return false;
		skip_ws(p);
		if (peek(p) == ',') {
			p->pos++;
			continue;
		}
		if (peek(p) == ']') {
			p->pos++;
			return true;
		}
		return fail(p, "expected ',' or ']'");
	}
}

static bool parse_value(struct parser *p)
{
	size_t start;
	bool ok;
	int c, i;

	if (++p->depth > MAX_DEPTH)
		return fail(p, "nested too deeply");
	skip_ws(p);
	start = p->pos;
	c = peek(p);
	if (c == '{')
		ok = parse_object(p);
	else if (c == '[')
		ok = parse_array(p);
	else if (c == '"')
		ok = parse_string(p);
	else if (c == 't')
		ok = literal(p, "true");
	else if (c == 'f')
		ok = literal(p, "false");
	else if (c == 'n')
		ok = literal(p, "null");
	else if (c == '-' || (c >= '0' && c <= '9'))
		ok = parse_number(p);
	else
		ok = fail(p, c < 0 ? "unexpected end of input" : "unexpected character");
	p->depth--;
	if (!ok)
		return false;
	for (i = 0; i < p->nr_want; i++) {
		if (!p->found[i] && !strcmp(p->want[i], p->path)) {
			p->found[i] = true;
			p->found_start[i] = start;
			p->found_end[i] = p->pos;
		}
	}
	return true;
}

/* Print a found value: strings unquoted, simple escapes decoded. */
static void print_value(const char *s, size_t start, size_t end)
{
	size_t i;

	if (s[start] != '"') {
		fwrite(s + start, 1, end - start, stdout);
		putchar('\n');
		return;
	}
	for (i = start + 1; i < end - 1; i++) {
		char c = s[i];

		if (c == '\\') {
			c = s[++i];
			switch (c) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'u':
				fwrite(s + i - 1, 1, 6, stdout);
				i += 4;
				continue;
			default: break;
			}
		}
		putchar(c);
	}
	putchar('\n');
}

int main(int argc, char **argv)
{
	static struct parser p;
	bool want_object = false;
	char *buf;
	size_t n = 0;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-o")) {
			want_object = true;
		} else if (!strcmp(argv[i], "-g") && i + 1 < argc &&
			   p.nr_want < MAX_PATHS) {
			p.want[p.nr_want++] = argv[++i];
		} else {
			fprintf(stderr, "usage: json-check [-o] [-g PATH]... < input\n");
			return 2;
		}
	}
	buf = malloc(MAX_INPUT + 1);
	if (!buf)
		return 2;
	n = fread(buf, 1, MAX_INPUT + 1, stdin);
	if (n > MAX_INPUT) {
		fprintf(stderr, "json-check: input too large\n");
		return 1;
	}
	buf[n] = '\0';
	p.s = buf;
	p.len = n;
	if (memchr(buf, '\0', n)) {
		fprintf(stderr, "json-check: NUL byte in input\n");
		return 1;
	}
	skip_ws(&p);
	if (want_object && peek(&p) != '{') {
		fprintf(stderr, "json-check: not an object\n");
		return 1;
	}
	if (!parse_value(&p)) {
		fprintf(stderr, "json-check: byte %zu: %s\n", p.pos, p.err);
		return 1;
	}
	skip_ws(&p);
	if (p.pos != p.len) {
		fprintf(stderr, "json-check: byte %zu: data after the value\n", p.pos);
		return 1;
	}
	for (i = 0; i < p.nr_want; i++) {
		if (!p.found[i]) {
			fprintf(stderr, "json-check: no value at %s\n", p.want[i]);
			return 3;
		}
		print_value(p.s, p.found_start[i], p.found_end[i]);
	}
	free(buf);
	return 0;
}
