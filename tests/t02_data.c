// SPDX-License-Identifier: GPL-2.0
/*
 * t02_data: the user mapping and the kernel's own view are the same memory.
 *
 * FILL writes the pattern through each page's kernel address, so reading it
 * back through the mapping proves every page sits at the right place in the
 * linear user range. The other way round, user space writes a pattern and
 * VERIFY checks it through the kernel. Corrupting single words shows that
 * VERIFY really can fail, and reports where.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mosaic_test.h"
#include "tap.h"

#define SIZE	(64 * MT_MiB)	/* 16384 pages */
#define SEED_A	0x0123456789abcdefULL
#define SEED_B	0xfedcba9876543210ULL
#define SEED_C	0x5555aaaa5555aaaaULL

/* Expected VERIFY(seed) mismatches for a range holding pattern @have. */
static uint64_t expected_diff(uint64_t have, uint64_t seed, uint64_t off,
			      uint64_t len)
{
	uint64_t n = 0;

	for (uint64_t o = off; o < off + len; o += 8)
		n += mosaic_pattern_word(have, o) != mosaic_pattern_word(seed, o);
	return n;
}

/* Tiny deterministic PRNG so runs are reproducible (xorshift64). */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

int main(void)
{
	struct mosaic_stats base;
	uint64_t mm, first, bad, firstbad, off, len, want;
	volatile uint64_t *w;
	int dev, bfd, ret;
	char *map;

	tap_diag("t02_data: FILL/VERIFY against the user mapping, 64 MiB buffer");
	dev = mt_open_dev_baseline(&base);

	bfd = mt_alloc(dev, SIZE, MOSAIC_BACKEND_PAGES, MOSAIC_STRATEGY_AUTO);
	if (!tap_ok(bfd >= 0, "ALLOC 64 MiB (%s)", mt_errname(bfd < 0 ? bfd : 0)))
		tap_bail("cannot allocate the test buffer");
	map = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, bfd, 0);
	if (!tap_ok(map != MAP_FAILED, "mmap the whole 64 MiB (%s)",
		    map == MAP_FAILED ? mt_errname(errno) : "ok"))
		tap_bail("cannot map the test buffer");
	w = (volatile uint64_t *)map;

	/* ---- kernel writes, user reads ---- */
	ret = mt_fill(bfd, 0, SIZE, SEED_A);
	tap_ok(ret == 0, "FILL(A) of the whole buffer (%s)", mt_errname(ret));
	bad = mt_user_check(map, 0, SIZE, SEED_A, &firstbad);
	tap_ok(bad == 0, "mapping holds pattern A in every word (%llu bad, first at %#llx)",
	       ULL(bad), ULL(firstbad));

	ret = mt_verify(bfd, 0, SIZE, SEED_A, &mm, &first);
	tap_ok(ret == 0 && mm == 0 && first == UINT64_MAX,
	       "VERIFY(A) of the whole buffer: 0 mismatches, first_mismatch ~0 (%llu, %#llx)",
	       ULL(mm), ULL(first));

	/* VERIFY with the wrong seed must fail on (practically) every word. */
	want = expected_diff(SEED_A, SEED_B, 0, 4 * MT_PAGE);
	ret = mt_verify(bfd, 0, 4 * MT_PAGE, SEED_B, &mm, &first);
	tap_ok(ret == 0 && mm == want && first == 0,
	       "VERIFY(B) over pattern A fails: %llu mismatches (want %llu), first at %#llx",
	       ULL(mm), ULL(want), ULL(first));

	/* ---- user writes, kernel reads ---- */
	mt_user_fill(map, 0, SIZE, SEED_B);
	ret = mt_verify(bfd, 0, SIZE, SEED_B, &mm, &first);
	tap_ok(ret == 0 && mm == 0 && first == UINT64_MAX,
	       "user wrote pattern B through the mapping, VERIFY(B) sees 0 mismatches (%llu)",
	       ULL(mm));
	want = expected_diff(SEED_B, SEED_A, 0, SIZE);
	ret = mt_verify(bfd, 0, SIZE, SEED_A, &mm, &first);
	tap_ok(ret == 0 && mm == want,
	       "VERIFY(A) now reports %llu mismatches (want %llu, every word)",
	       ULL(mm), ULL(want));

	/* ---- single corrupted words: VERIFY must find exactly them ---- */
	off = 4321 * MT_PAGE + 13 * 8;	/* deep inside, mid-page */
	w[off / 8] ^= 1;
	ret = mt_verify(bfd, 0, SIZE, SEED_B, &mm, &first);
	tap_ok(ret == 0 && mm == 1 && first == off,
	       "one flipped bit at %#llx: VERIFY reports 1 mismatch at %#llx (%llu)",
	       ULL(off), ULL(first), ULL(mm));
	w[(SIZE - 8) / 8] = ~w[(SIZE - 8) / 8];	/* last word of the buffer */
	ret = mt_verify(bfd, 0, SIZE, SEED_B, &mm, &first);
	tap_ok(ret == 0 && mm == 2 && first == off,
	       "second corruption in the last word: 2 mismatches, first still %#llx (%llu, %#llx)",
	       ULL(off), ULL(mm), ULL(first));
	w[0] = ~w[0];			/* first word of the buffer */
	ret = mt_verify(bfd, 0, SIZE, SEED_B, &mm, &first);
	tap_ok(ret == 0 && mm == 3 && first == 0,
	       "third corruption in word 0: 3 mismatches, first at 0 (%llu, %#llx)",
	       ULL(mm), ULL(first));
	/* A range that excludes the bad words must still pass. */
	ret = mt_verify(bfd, 8, off - 8, SEED_B, &mm, &first);
	tap_ok(ret == 0 && mm == 0, "VERIFY of [8, %#llx) around the bad words: 0 mismatches (%llu)",
	       ULL(off), ULL(mm));
	/* Restore, then the whole buffer is clean again. */
	w[off / 8] ^= 1;
	w[(SIZE - 8) / 8] = ~w[(SIZE - 8) / 8];
	w[0] = ~w[0];
	ret = mt_verify(bfd, 0, SIZE, SEED_B, &mm, &first);
	tap_ok(ret == 0 && mm == 0, "after repairing the three words VERIFY(B) is clean (%llu)",
	       ULL(mm));

	/* ---- sub-ranges crossing page boundaries ---- */
	/* Two words straddling the page 0/1 boundary. */
	ret = mt_fill(bfd, MT_PAGE - 8, 16, SEED_C);
	tap_ok(ret == 0 &&
	       mt_user_check(map + MT_PAGE - 8, MT_PAGE - 8, 16, SEED_C, NULL) == 0 &&
	       mt_user_check(map, 0, MT_PAGE - 8, SEED_B, NULL) == 0 &&
	       mt_user_check(map + MT_PAGE + 8, MT_PAGE + 8, MT_PAGE - 8, SEED_B, NULL) == 0,
	       "FILL(C) of 16 bytes across the page 0/1 boundary changes exactly those words");

	/* A multi-page range starting and ending mid-page. */
	off = 3 * MT_PAGE + 1000;
	len = 5 * MT_PAGE + 24;
	ret = mt_fill(bfd, off, len, SEED_C);
	bad = mt_user_check(map + off, off, len, SEED_C, &firstbad);
	tap_ok(ret == 0 && bad == 0,
	       "FILL(C) of [%#llx, +%#llx) across 6 pages is read back by the mapping (%llu bad)",
	       ULL(off), ULL(len), ULL(bad));
	tap_ok(mt_user_check(map + off - 8, off - 8, 8, SEED_B, NULL) == 0 &&
	       mt_user_check(map + off + len, off + len, 8, SEED_B, NULL) == 0,
	       "the words just before and after the FILL range are untouched");
	ret = mt_verify(bfd, off, len, SEED_C, &mm, &first);
	tap_ok(ret == 0 && mm == 0, "VERIFY(C) of exactly that range: 0 mismatches (%llu)", ULL(mm));
	ret = mt_verify(bfd, off - 8, len + 16, SEED_C, &mm, &first);
	tap_ok(ret == 0 && mm == 2 && first == off - 8,
	       "VERIFY(C) one word wider each side: 2 mismatches, first at %#llx (%llu, %#llx)",
	       ULL(off - 8), ULL(mm), ULL(first));

	/* User writes a cross-page range, the kernel checks it. */
	off = 9000 * MT_PAGE - 3 * 8;
	len = 2 * MT_PAGE + 6 * 8;
	mt_user_fill(map + off, off, len, SEED_A);
	ret = mt_verify(bfd, off, len, SEED_A, &mm, &first);
	tap_ok(ret == 0 && mm == 0,
	       "user-written cross-page range [%#llx, +%#llx) VERIFYs clean (%llu)",
	       ULL(off), ULL(len), ULL(mm));
	w[(off + MT_PAGE + 24) / 8] ^= 0x8000000000000000ULL;
	ret = mt_verify(bfd, off, len, SEED_A, &mm, &first);
	tap_ok(ret == 0 && mm == 1 && first == off + MT_PAGE + 24,
	       "and one corrupted word in its middle page is found at %#llx (%llu, %#llx)",
	       ULL(off + MT_PAGE + 24), ULL(mm), ULL(first));

	/* Last word of the buffer alone. */
	ret = mt_fill(bfd, SIZE - 8, 8, SEED_C);
	tap_ok(ret == 0 && w[(SIZE - 8) / 8] == mosaic_pattern_word(SEED_C, SIZE - 8),
	       "FILL of the last 8 bytes of the buffer (%s)", mt_errname(ret));

	/* Pseudo-random ranges, alternating who writes and who checks. */
	{
		int fails = 0;

		for (int i = 0; i < 24; i++) {
			uint64_t seed = rng();
			uint64_t o = (rng() % (SIZE / 8)) * 8;
			uint64_t l = ((rng() % (3 * MT_PAGE / 8)) + 1) * 8;

			if (o + l > SIZE)
				l = SIZE - o;
			if (i & 1) {
				ret = mt_fill(bfd, o, l, seed);
				bad = mt_user_check(map + o, o, l, seed, NULL);
			} else {
				mt_user_fill(map + o, o, l, seed);
				ret = mt_verify(bfd, o, l, seed, &bad, NULL);
			}
			if (ret != 0 || bad != 0) {
				if (!fails)
					tap_diag("random range %d [%#llx, +%#llx): ret %d, %llu bad",
						 i, ULL(o), ULL(l), ret, ULL(bad));
				fails++;
			}
		}
		tap_ok(fails == 0, "24 random ranges filled/checked alternately by kernel and user (%d failed)",
		       fails);
	}

	/* ---- sub-range mapping at an offset maps the right pages ---- */
	ret = mt_fill(bfd, 0, SIZE, SEED_A);
	{
		uint64_t moff = 777 * MT_PAGE, mlen = 37 * MT_PAGE;
		char *sub = mmap(NULL, mlen, PROT_READ | PROT_WRITE, MAP_SHARED, bfd, moff);

		if (tap_ok(ret == 0 && sub != MAP_FAILED,
			   "mmap of 37 pages at buffer offset 777 pages (%s)",
			   sub == MAP_FAILED ? mt_errname(errno) : "ok")) {
			bad = mt_user_check(sub, moff, mlen, SEED_A, &firstbad);
			tap_ok(bad == 0,
			       "the offset mapping shows buffer bytes [%#llx, +%#llx) (%llu bad, first %#llx)",
			       ULL(moff), ULL(mlen), ULL(bad), ULL(firstbad));
			/* Writes through it land at the buffer offset, seen by the full map. */
			((volatile uint64_t *)sub)[5] = 0x5a5a5a5a5a5a5a5aULL;
			tap_ok(w[(moff + 40) / 8] == 0x5a5a5a5a5a5a5a5aULL,
			       "a write through the offset mapping appears at buffer offset %#llx",
			       ULL(moff + 40));
			munmap(sub, mlen);
		} else {
			tap_skip("no offset mapping", "the offset mapping shows the right buffer bytes");
			tap_skip("no offset mapping", "a write through the offset mapping appears in the full map");
		}
		sub = mmap(NULL, MT_PAGE, PROT_READ, MAP_SHARED, bfd, SIZE - MT_PAGE);
		tap_ok(sub != MAP_FAILED &&
		       mt_user_check(sub, SIZE - MT_PAGE, MT_PAGE, SEED_A, NULL) == 0,
		       "mmap of just the last page shows the last page's pattern");
		if (sub != MAP_FAILED)
			munmap(sub, MT_PAGE);
	}

	munmap(map, SIZE);
	close(bfd);
	return mt_end_ledger_back(dev, &base,
				  "ledger back to the start after munmap + close");
}
