/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tiny TAP (Test Anything Protocol) producer for the mosaic test programs.
 *
 * Every line is flushed as soon as it is written because the tests fork:
 * a child that inherits unflushed stdio buffers would print them twice.
 * Children must never call tap_ok()/tap_skip() themselves; they report back
 * to the parent (exit code, pipe or shared memory) and the parent emits the
 * test point, so the numbering stays single-threaded.
 */
#ifndef MOSAIC_TESTS_TAP_H
#define MOSAIC_TESTS_TAP_H

#include <stdbool.h>

#define TAP_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* Print "1..n" up front. Use either this or tap_done(). */
void tap_plan(int n);
/* Print the plan at the end ("1..<tests run so far>"). */
void tap_done(void);

/* Emit "ok N - desc" or "not ok N - desc". Returns cond (normalised to 0/1). */
bool tap_ok(bool cond, const char *fmt, ...) TAP_PRINTF(2, 3);
/* Emit "ok N - desc # SKIP reason". */
void tap_skip(const char *reason, const char *fmt, ...) TAP_PRINTF(2, 3);
/*
 * One test point of a run that may have been cut short: a skip with
 * @skip_reason when that is set (so every run emits the same points),
 * else tap_ok().
 */
#define TAP_POINT(skip_reason, cond, ...)				\
	do {								\
		if (skip_reason)					\
			tap_skip((skip_reason), __VA_ARGS__);		\
		else							\
			tap_ok((cond), __VA_ARGS__);			\
	} while (0)

/* Emit "# ..." diagnostic line(s). */
void tap_diag(const char *fmt, ...) TAP_PRINTF(1, 2);
/* Abort the whole program: "Bail out! ..." then exit(1). */
void tap_bail(const char *fmt, ...) TAP_PRINTF(1, 2) __attribute__((noreturn));

/* Number of test points emitted / failed so far. */
int tap_count(void);
int tap_failed(void);

/*
 * Exit code for main(): 0 if every test passed (skips allowed), 1 if any
 * failed or the plan did not match, 77 if every test point was a skip.
 * Prints the trailing plan when neither tap_plan() nor tap_done() did.
 */
int tap_exit(void);

#endif /* MOSAIC_TESTS_TAP_H */
