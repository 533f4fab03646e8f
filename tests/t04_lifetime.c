// SPDX-License-Identifier: GPL-2.0
/*
 * t04_lifetime: a mapping holds its own reference on the buffer.
 *
 * Mappings must outlive close(fd), survive fork (MAP_SHARED both ways),
 * partial munmap, mremap moves and MADV_DONTNEED (the .fault handler puts
 * the *same* pages back: the memory is the buffer, not anonymous memory),
 * while growing with mremap is refused (VM_DONTEXPAND). The ledger must end
 * where it started.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mosaic_test.h"
#include "tap.h"

#define NP	64			/* pages per buffer in this test */
#define SIZE	(NP * MT_PAGE)

static int dev;
static struct mosaic_stats base;

/* True if [addr, addr+len) is mapped in this process (msync gives ENOMEM if not). */
static bool is_mapped(void *addr, size_t len)
{
	return msync(addr, len, MS_ASYNC) == 0;
}

/* ---- child helpers ---- */

struct touch_arg {
	volatile uint64_t *p;
	uint64_t buf_off;
	uint64_t len;
	uint64_t seed;
	bool write;
};

/* Child: check (or write) a pattern through an inherited mapping. */
static int child_pattern(void *argp)
{
	struct touch_arg *a = argp;

	if (a->write) {
		mt_user_fill((void *)a->p, a->buf_off, a->len, a->seed);
		return 0;
	}
	return mt_user_check((const void *)a->p, a->buf_off, a->len, a->seed, NULL) ? 1 : 0;
}

/* Child: store one word; expected to die with SIGSEGV. */
static int child_store(void *argp)
{
	struct touch_arg *a = argp;

	a->p[0] = 0x1234;
	return 0;
}

static int child_load(void *argp)
{
	struct touch_arg *a = argp;

	return (int)(a->p[0] & 1);
}

static int new_buffer(void)
{
	int bfd = mt_alloc(dev, SIZE, MOSAIC_BACKEND_PAGES, MOSAIC_STRATEGY_AUTO);

	if (bfd < 0)
		tap_bail("ALLOC failed: %s", mt_errname(bfd));
	return bfd;
}

static void *map_buffer(int bfd, size_t len, off_t off, int prot)
{
	void *p = mmap(NULL, len, prot, MAP_SHARED, bfd, off);

	if (p == MAP_FAILED)
		tap_bail("mmap(len %zu, off %lld) failed: %s", len, (long long)off,
			 mt_errname(errno));
	return p;
}

static void test_after_close(void)
{
	int bfd = new_buffer();
	char *p = map_buffer(bfd, SIZE, 0, PROT_READ | PROT_WRITE);
	int ret = mt_fill(bfd, 0, SIZE, 0xc105e);

	close(bfd);
	tap_ok(ret == 0 && mt_user_check(p, 0, SIZE, 0xc105e, NULL) == 0,
	       "after close(fd) the mapping still shows the FILLed data");
	mt_user_fill(p, 0, SIZE, 0xc105f);
	tap_ok(mt_user_check(p, 0, SIZE, 0xc105f, NULL) == 0,
	       "after close(fd) the mapping is still writable");
	tap_ok(mt_ledger_is(dev, &base, 1, NP, 1),
	       "after close(fd) the buffer is still alive (held by the mapping)");
	munmap(p, SIZE);
	tap_ok(mt_ledger_is(dev, &base, 0, 0, 0),
	       "munmap of the last mapping frees the buffer (ledger back to start)");
}

static void test_fork(void)
{
	int bfd = new_buffer();
	char *p = map_buffer(bfd, SIZE, 0, PROT_READ | PROT_WRITE);
	struct touch_arg a = { .p = (void *)p, .buf_off = 0, .len = SIZE, .seed = 0xf0f0 };
	uint64_t mm = 1;
	int ret;

	ret = mt_fill(bfd, 0, SIZE, 0xf0f0);
	tap_ok(ret == 0 && mt_run_child(child_pattern, &a, 30) == 0,
	       "fork: the child reads the parent's data through the inherited mapping");

	/* Child writes the second half; MAP_SHARED: the parent must see it. */
	a.p = (void *)(p + SIZE / 2);
	a.buf_off = SIZE / 2;
	a.len = SIZE / 2;
	a.seed = 0xbeef;
	a.write = true;
	ret = mt_run_child(child_pattern, &a, 30);
	tap_ok(ret == 0 && mt_user_check(p + SIZE / 2, SIZE / 2, SIZE / 2, 0xbeef, NULL) == 0 &&
	       mt_user_check(p, 0, SIZE / 2, 0xf0f0, NULL) == 0,
	       "fork: the parent sees the child's writes (MAP_SHARED), first half untouched");
	ret = mt_verify(bfd, SIZE / 2, SIZE / 2, 0xbeef, &mm, NULL);
	tap_ok(ret == 0 && mm == 0, "fork: VERIFY through the fd confirms the child's writes (%llu)",
	       ULL(mm));
	tap_ok(mt_ledger_is(dev, &base, 1, NP, 1), "fork: after the children exited only 1 map is left");

	/*
	 * The parent drops everything while a child still maps the buffer:
	 * the child's VMA alone must keep it alive and intact.
	 */
	{
		int go[2];
		pid_t pid;
		int status;
		char c = 0;

		if (pipe(go))
			tap_bail("pipe: %s", strerror(errno));
		pid = mt_fork();
		if (pid == 0) {
			alarm(30);
			close(go[1]);
			close(bfd);
			if (read(go[0], &c, 1) != 1)
				_exit(3);
			/* The parent has unmapped and closed by now. */
			if (mt_user_check(p, 0, SIZE / 2, 0xf0f0, NULL) ||
			    mt_user_check(p + SIZE / 2, SIZE / 2, SIZE / 2, 0xbeef, NULL))
				_exit(1);
			mt_user_fill(p, 0, SIZE, 0x1);
			_exit(mt_user_check(p, 0, SIZE, 0x1, NULL) ? 2 : 0);
		}
		close(go[0]);
		munmap(p, SIZE);
		close(bfd);
		tap_ok(mt_ledger_is(dev, &base, 1, NP, 1),
		       "parent closed and unmapped: the child's mapping keeps the buffer alive");
		if (write(go[1], &c, 1) != 1)
			tap_diag("could not wake the child");
		close(go[1]);
		waitpid(pid, &status, 0);
		tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		       "the child reads intact data and writes after the parent let go (status %#x)",
		       status);
		tap_ok(mt_ledger_is(dev, &base, 0, 0, 0),
		       "the child's exit frees the buffer (ledger back to start)");
	}
}

static void test_two_maps(void)
{
	int bfd = new_buffer();
	volatile uint64_t *a = map_buffer(bfd, SIZE, 0, PROT_READ | PROT_WRITE);
	volatile uint64_t *b = map_buffer(bfd, SIZE, 0, PROT_READ | PROT_WRITE);
	struct touch_arg ta = { .p = a };
	int ret;

	tap_ok(a != b, "two mappings of one buffer are at different addresses");
	a[100] = 0x1111222233334444ULL;
	tap_ok(b[100] == 0x1111222233334444ULL, "a write through mapping A is seen through mapping B");
	b[NP * MT_PAGE / 8 - 1] = 0x5555666677778888ULL;
	tap_ok(a[NP * MT_PAGE / 8 - 1] == 0x5555666677778888ULL,
	       "a write through mapping B (last word) is seen through mapping A");

	/* mprotect A read-only; writes via B still show in A; writes via A fault. */
	ret = mprotect((void *)a, SIZE, PROT_READ);
	tap_ok(ret == 0, "mprotect(A, PROT_READ) (%s)", ret ? mt_errname(errno) : "ok");
	b[7] = 0xabcdefULL;
	tap_ok(a[7] == 0xabcdefULL, "read-only mapping A sees a write made through B");
	ret = mt_run_child(child_store, &ta, 10);
	tap_ok(ret == 128 + SIGSEGV, "a store through read-only A faults (child %s)",
	       ret == 128 + SIGSEGV ? "got SIGSEGV" : "did not get SIGSEGV");
	tap_ok(a[0] != 0x1234, "and the faulting store did not land");
	ret = mprotect((void *)a, SIZE, PROT_READ | PROT_WRITE);
	tap_ok(ret == 0, "mprotect(A, PROT_READ|PROT_WRITE) back (%s)",
	       ret ? mt_errname(errno) : "ok");
	a[9] = 0x99;
	tap_ok(b[9] == 0x99, "after mprotect back, writes through A reach B again");

	munmap((void *)a, SIZE);
	munmap((void *)b, SIZE);
	close(bfd);
	tap_ok(mt_ledger_is(dev, &base, 0, 0, 0), "two mappings: ledger back to start");
}

static void test_partial_munmap(void)
{
	int bfd = new_buffer();
	char *p = map_buffer(bfd, SIZE, 0, PROT_READ | PROT_WRITE);
	struct touch_arg ta = { .p = (void *)(p + 10 * MT_PAGE) };
	struct mosaic_info info;
	int ret;

	mt_fill(bfd, 0, SIZE, 0x5117);
	ret = munmap(p + 10 * MT_PAGE, 4 * MT_PAGE);
	tap_ok(ret == 0, "munmap pages [10, 14) of a 64-page mapping");
	tap_ok(mt_user_check(p, 0, 10 * MT_PAGE, 0x5117, NULL) == 0 &&
	       mt_user_check(p + 14 * MT_PAGE, 14 * MT_PAGE, SIZE - 14 * MT_PAGE, 0x5117, NULL) == 0,
	       "both remaining pieces still show the right data");
	ret = mt_run_child(child_load, &ta, 10);
	tap_ok(ret == 128 + SIGSEGV, "the unmapped hole faults (child exit %d)", ret);
	ret = mt_info(bfd, &info);
	tap_ok(ret == 0 && info.nr_maps == 2, "INFO nr_maps 2 after the split (%llu)",
	       ULL(info.nr_maps));
	close(bfd);
	tap_ok(mt_ledger_is(dev, &base, 1, NP, 2), "after close(fd) the two pieces keep the buffer alive");
	munmap(p, 10 * MT_PAGE);
	tap_ok(mt_ledger_is(dev, &base, 1, NP, 1), "unmapping the first piece leaves 1 map");
	tap_ok(mt_user_check(p + 14 * MT_PAGE, 14 * MT_PAGE, SIZE - 14 * MT_PAGE, 0x5117, NULL) == 0,
	       "the last piece still has its data");
	munmap(p + 14 * MT_PAGE, SIZE - 14 * MT_PAGE);
	tap_ok(mt_ledger_is(dev, &base, 0, 0, 0), "unmapping the last piece frees the buffer");
}

static void test_mremap(void)
{
	int bfd = new_buffer();
	char *p = map_buffer(bfd, SIZE, 0, PROT_READ | PROT_WRITE);
	struct mosaic_info info;
	struct mosaic_refs r;
	uint64_t mm = 1;
	char *dst, *q;
	int ret;

	mt_fill(bfd, 0, SIZE, 0x3e3a);

	/* Growing past the buffer is refused: VM_DONTEXPAND gives EFAULT. */
	errno = 0;
	q = mremap(p, SIZE, SIZE + MT_PAGE, MREMAP_MAYMOVE);
	tap_ok(q == MAP_FAILED && errno == EFAULT,
	       "mremap growing the mapping by one page fails with EFAULT (got %s)",
	       q == MAP_FAILED ? mt_errname(errno) : "success");
	if (q != MAP_FAILED)
		p = q;
	errno = 0;
	q = mremap(p, SIZE, 2 * SIZE, 0);
	tap_ok(q == MAP_FAILED && errno == EFAULT,
	       "mremap growing in place (no MAYMOVE) fails with EFAULT (got %s)",
	       q == MAP_FAILED ? mt_errname(errno) : "success");
	if (q != MAP_FAILED)
		p = q;
	tap_ok(is_mapped(p, SIZE) && mt_user_check(p, 0, SIZE, 0x3e3a, NULL) == 0,
	       "the mapping is intact after the refused grow");

	/* Move to a fixed address reserved with PROT_NONE anonymous memory. */
	dst = mmap(NULL, SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (dst == MAP_FAILED)
		tap_bail("reserve: %s", mt_errname(errno));
	q = mremap(p, SIZE, SIZE, MREMAP_MAYMOVE | MREMAP_FIXED, dst);
	if (!tap_ok(q == dst, "mremap MAYMOVE|FIXED to a new address (%s)",
		    q == MAP_FAILED ? mt_errname(errno) : "ok")) {
		munmap(dst, SIZE);
		munmap(p, SIZE);
		close(bfd);
		return;
	}
	tap_ok(!is_mapped(p, SIZE), "the old address range is no longer mapped");
	tap_ok(mt_user_check(q, 0, SIZE, 0x3e3a, NULL) == 0,
	       "the moved mapping shows the same data");
	mt_user_fill(q, 0, SIZE, 0x3e3b);
	ret = mt_verify(bfd, 0, SIZE, 0x3e3b, &mm, NULL);
	tap_ok(ret == 0 && mm == 0, "writes through the moved mapping reach the buffer (VERIFY %llu)",
	       ULL(mm));
	ret = mt_info(bfd, &info);
	tap_ok(ret == 0 && info.nr_maps == 1, "INFO nr_maps still 1 after the move (%llu)",
	       ULL(info.nr_maps));
	ret = mt_refs(bfd, 0, SIZE, &r);
	tap_ok(ret == 0 && r.refcount_min == 2 && r.refcount_max == 2 &&
	       r.mapcount_min == 1 && r.mapcount_max == 1,
	       "REFS after the move: refcount 2, mapcount 1 (%u..%u, %d..%d)",
	       r.refcount_min, r.refcount_max, r.mapcount_min, r.mapcount_max);
	munmap(q, SIZE);
	close(bfd);
	tap_ok(mt_ledger_is(dev, &base, 0, 0, 0), "mremap: ledger back to start");
}

static void test_dontneed(void)
{
	int bfd = new_buffer();
	char *p = map_buffer(bfd, SIZE, 0, PROT_READ | PROT_WRITE);
	uint64_t before[NP], after[NP];
	size_t gone = 0;
	int ret;

	mt_fill(bfd, 0, SIZE, 0xd0d0);
	ret = mt_pagemap_pfns(p, NP, before);
	tap_ok(ret == 0, "pagemap before MADV_DONTNEED (%s)", mt_errname(ret));

	ret = madvise(p + 8 * MT_PAGE, 16 * MT_PAGE, MADV_DONTNEED);
	tap_ok(ret == 0, "MADV_DONTNEED on pages [8, 24) (%s)", ret ? mt_errname(errno) : "ok");
	/* The zap must really have happened, or the re-touch below proves nothing. */
	ret = mt_pagemap_pfns(p, NP, after);
	for (int i = 8; ret == 0 && i < 24; i++)
		gone += after[i] == MT_PFN_NONE;
	tap_ok(ret == 0 && gone == 16, "the 16 advised pages are no longer present (%zu)", gone);

	/* Re-touch: the fault handler must bring back the buffer's pages. */
	tap_ok(mt_user_check(p, 0, SIZE, 0xd0d0, NULL) == 0,
	       "re-touched pages show the buffer's data again, not zeroes");
	ret = mt_pagemap_pfns(p, NP, after);
	tap_ok(ret == 0 && memcmp(before, after, sizeof(before)) == 0,
	       "after re-touch every page maps the same PFN as before");

	/* Writes after refault still reach the buffer. */
	((volatile uint64_t *)p)[8 * MT_PAGE / 8] = 0;
	{
		uint64_t mm = 0, first = 0;

		ret = mt_verify(bfd, 0, SIZE, 0xd0d0, &mm, &first);
		tap_ok(ret == 0 && mm == 1 && first == 8 * MT_PAGE,
		       "a write to a refaulted page is seen by VERIFY at %#lx (%llu, %#llx)",
		       8 * MT_PAGE, ULL(mm), ULL(first));
	}
	{
		struct mosaic_refs r;

		ret = mt_refs(bfd, 0, SIZE, &r);
		tap_ok(ret == 0 && r.refcount_min == 2 && r.refcount_max == 2 &&
		       r.mapcount_min == 1 && r.mapcount_max == 1,
		       "REFS after zap + refault: refcount 2, mapcount 1 (%u..%u, %d..%d)",
		       r.refcount_min, r.refcount_max, r.mapcount_min, r.mapcount_max);
	}

	/* The whole mapping, after close(fd): the fault path must not need the fd. */
	((volatile uint64_t *)p)[8 * MT_PAGE / 8] = mosaic_pattern_word(0xd0d0, 8 * MT_PAGE);
	close(bfd);
	ret = madvise(p, SIZE, MADV_DONTNEED);
	tap_ok(ret == 0 && mt_user_check(p, 0, SIZE, 0xd0d0, NULL) == 0,
	       "MADV_DONTNEED of the whole mapping after close(fd), re-touch: data intact");
	munmap(p, SIZE);
	tap_ok(mt_ledger_is(dev, &base, 0, 0, 0), "MADV_DONTNEED: ledger back to start");
}

static void test_readonly_map(void)
{
	int bfd = new_buffer();
	char *ro = map_buffer(bfd, SIZE, 0, PROT_READ);
	int ret;

	mt_fill(bfd, 0, SIZE, 0x40);
	tap_ok(mt_user_check(ro, 0, SIZE, 0x40, NULL) == 0, "a PROT_READ mapping reads the data");
	ret = mprotect(ro, SIZE, PROT_READ | PROT_WRITE);
	tap_ok(ret == 0, "a PROT_READ shared mapping can be mprotect'ed writable (%s)",
	       ret ? mt_errname(errno) : "ok");
	if (ret == 0) {
		uint64_t mm = 0;

		mt_user_fill(ro, 0, SIZE, 0x41);
		ret = mt_verify(bfd, 0, SIZE, 0x41, &mm, NULL);
		tap_ok(ret == 0 && mm == 0, "and writes through it reach the buffer (%llu)", ULL(mm));
	} else {
		tap_skip("mprotect failed", "and writes through it reach the buffer");
	}
	munmap(ro, SIZE);
	close(bfd);
	tap_ok(mt_ledger_is(dev, &base, 0, 0, 0), "read-only mapping: ledger back to start");
}

int main(void)
{
	tap_diag("t04_lifetime: mappings after close, fork, split, mremap, DONTNEED, mprotect");
	dev = mt_open_dev_baseline(&base);

	test_after_close();
	test_fork();
	test_two_maps();
	test_partial_munmap();
	test_mremap();
	test_dontneed();
	test_readonly_map();

	close(dev);
	return tap_exit();
}
