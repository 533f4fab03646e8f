// SPDX-License-Identifier: GPL-2.0
/*
 * t55_fuzz: a structure-aware fuzzer of every mosaic ioctl.
 *
 * Each call starts from a valid argument for one ioctl (ALLOC and STATS
 * on /dev/mosaic; INFO, FILL, VERIFY, REFS, SYNC, EXPORT and SEGMENTS on
 * buffer fds of several backends and strategies, read-only ones among
 * them; all of them on dma-buf fds and on the wrong fd kind), then
 * mutates it the way the uapi rules can be broken: argsz (0, below the
 * first version, exact, larger with a zero or non-zero tail, a page, more
 * than a page, random), flags (valid bits, unknown bits, all ones), every
 * field (0, 1, -1, 2^63, around the buffer size, random), reserved
 * fields, user pointers (NULL, unmapped, a kernel address, a PROT_NONE
 * page, a read-only page) and the argument pointer itself. mmap with
 * random offsets, lengths, protections and flags is mixed in.
 *
 * Every answer must be success or one of the errnos the header documents;
 * every fd a successful call returns is closed at once. At the end no fd
 * is left over, the page ledger is back to zero, and so is total_size.
 * The kernel side is judged by the harness's log check.
 *
 * Bounds: MOSAIC_FUZZ_CALLS calls in all (default 1,000,000) or
 * MOSAIC_FUZZ_SECS seconds (default 100), whichever comes first; reaching
 * the call count is a test point. MOSAIC_FUZZ_PROCS processes (default:
 * one per CPU) share the work. make check-debug asks for 1,000,000 calls.
 * During the run max_total_size is lowered to 64 MiB, so a mutated size
 * that would allocate a lot is refused (EAGAIN) before it costs anything.
 *
 * MOSAIC_FUZZ_SEED (default 0) picks the sequence, the same on every run
 * with the same seed and process count, so that make check and a failure
 * replay exactly; vm/fuzz-syscalls, which runs this in a loop, gives each
 * run a seed of its own so that the loop does not replay one sequence.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mosaic_test.h"
#include "tap.h"

#define MAX_PROCS	16
#define BUF_PAGES	16
#define BUF_SIZE	(BUF_PAGES * MT_PAGE)
#define FUZZ_CAP	(64 * MT_MiB)

enum target {
	T_ALLOC, T_STATS, T_INFO, T_FILL, T_VERIFY, T_REFS, T_SYNC, T_EXPORT,
	T_SEGMENTS, T_UNKNOWN, T_MMAP, NR_TARGETS
};

static const char *const target_names[NR_TARGETS] = {
	"ALLOC", "STATS", "INFO", "FILL", "VERIFY", "REFS", "SYNC", "EXPORT",
	"SEGMENTS", "unknown nr", "mmap",
};

static const unsigned long target_nr[NR_TARGETS] = {
	MOSAIC_IOC_ALLOC, MOSAIC_IOC_STATS, MOSAIC_IOC_INFO, MOSAIC_TEST_IOC_FILL,
	MOSAIC_TEST_IOC_VERIFY, MOSAIC_TEST_IOC_REFS, MOSAIC_IOC_SYNC, MOSAIC_IOC_EXPORT,
	MOSAIC_IOC_SEGMENTS, 0, 0,
};

static const size_t target_size[NR_TARGETS] = {
	sizeof(struct mosaic_alloc), sizeof(struct mosaic_stats),
	sizeof(struct mosaic_info), sizeof(struct mosaic_pattern),
	sizeof(struct mosaic_pattern), sizeof(struct mosaic_refs),
	sizeof(struct mosaic_sync), sizeof(struct mosaic_export),
	sizeof(struct mosaic_segments), 64, 0,
};

static const size_t target_ver0[NR_TARGETS] = {
	MOSAIC_ALLOC_SIZE_VER0, MOSAIC_STATS_SIZE_VER0, MOSAIC_INFO_SIZE_VER0,
	MOSAIC_PATTERN_SIZE_VER0, MOSAIC_PATTERN_SIZE_VER0, MOSAIC_REFS_SIZE_VER0,
	MOSAIC_SYNC_SIZE_VER0, MOSAIC_EXPORT_SIZE_VER0, MOSAIC_SEGMENTS_SIZE_VER0,
	64, 0,
};

struct shared {
	atomic_long calls[NR_TARGETS];
	atomic_long ok[NR_TARGETS];
	atomic_long odd[NR_TARGETS];	/* errnos the header does not name */
	atomic_long total;
	atomic_int odd_errno;
	atomic_int odd_target;
};

static struct shared *sh;
static long target_calls;
static int dev;
static unsigned char *arena;	/* 3 RW pages, 1 PROT_NONE, 1 read-only */
/* Room for BUF_PAGES entries of up to a page each (entry_size fuzzed). */
static struct mosaic_seg_entry *entries;
#define ENTRIES_SIZE	((BUF_PAGES + 4) * MT_PAGE)

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* An interesting 64-bit value, sometimes near @hint (a size). */
static uint64_t value(uint64_t *rs, uint64_t hint)
{
	static const uint64_t fixed[] = {
		0, 1, 2, 7, 8, 4095, 4096, 4097, 1ULL << 31, 1ULL << 32,
		1ULL << 63, ~0ULL, ~0ULL - 7, ~0ULL - 4095, 0x7fffffffffffffffULL,
	};

	switch (rnd(rs) % 5) {
	case 0:
		return fixed[rnd(rs) % (sizeof(fixed) / sizeof(fixed[0]))];
	case 1:
		return hint + (rnd(rs) % 17) * 8 - 64;
	case 2:
		return (rnd(rs) % (hint / MT_PAGE + 2)) * MT_PAGE;
	case 3:
		return rnd(rs) % (hint + 1);
	default:
		return rnd(rs);
	}
}

/* A pointer value for a user-pointer field. */
static uint64_t pointer(uint64_t *rs)
{
	switch (rnd(rs) % 7) {
	case 0: return 0;
	case 1: return (uintptr_t)(arena + 3 * MT_PAGE);		/* PROT_NONE */
	case 2: return 0xffff888000000000ULL;			/* kernel */
	case 3: return (uintptr_t)(arena + 4 * MT_PAGE);		/* read-only */
	case 4: return (uintptr_t)entries;		/* room enough */
	case 5: return (uintptr_t)"0000:00:00.0";
	default: return rnd(rs);
	}
}

/* The valid starting point for @t on a buffer of BUF_SIZE bytes. */
static void template(enum target t, unsigned char *a, uint64_t *rs)
{
	memset(a, 0, 2 * MT_PAGE);
	*(uint32_t *)a = target_size[t];
	switch (t) {
	case T_ALLOC: {
		struct mosaic_alloc *x = (void *)a;

		x->size = (1 + rnd(rs) % 4) * MT_PAGE;
		x->backend = 1 + rnd(rs) % MOSAIC_BACKEND_MAX;
		x->strategy = rnd(rs) % (MOSAIC_STRATEGY_MAX + 1);
		x->fd = -1;
		break;
	}
	case T_FILL:
	case T_VERIFY: {
		struct mosaic_pattern *x = (void *)a;

		x->offset = (rnd(rs) % BUF_PAGES) * MT_PAGE;
		x->length = 8 * (1 + rnd(rs) % 64);
		x->seed = rnd(rs);
		break;
	}
	case T_REFS: {
		struct mosaic_refs *x = (void *)a;

		x->length = MT_PAGE;
		break;
	}
	case T_SYNC: {
		struct mosaic_sync *x = (void *)a;

		x->flags = MOSAIC_SYNC_BEGIN << (rnd(rs) % 2);
		x->length = MT_PAGE;
		x->direction = 1 + rnd(rs) % 3;
		break;
	}
	case T_SEGMENTS: {
		struct mosaic_segments *x = (void *)a;

		x->count = rnd(rs) % 64;
		x->entries = (uintptr_t)entries;
		x->entry_size = sizeof(struct mosaic_seg_entry);
		break;
	}
	default:
		break;
	}
}

/* Mutate 1 to 4 things of the argument. */
static void mutate(enum target t, unsigned char *a, uint64_t *rs)
{
	size_t sz = target_size[t];
	int n = 1 + rnd(rs) % 4;

	while (n--) {
		switch (rnd(rs) % 8) {
		case 0: {	/* argsz */
			static const int64_t d[] = { 0, -8, 8, 64 };
			uint32_t v;

			switch (rnd(rs) % 6) {
			case 0: v = 0; break;
			case 1: v = target_ver0[t] - 8; break;
			case 2: v = target_ver0[t]; break;
			case 3: v = 4096 + (rnd(rs) % 2) * 8; break;
			case 4: v = rnd(rs); break;
			default: v = sz + d[rnd(rs) % 4]; break;
			}
			*(uint32_t *)a = v;
			break;
		}
		case 1:		/* a byte of the tail, past the struct */
			a[sz + rnd(rs) % (2 * MT_PAGE - sz)] = rnd(rs) | 1;
			break;
		case 2: {	/* flags */
			static const uint32_t f[] = { 1, 2, 3, 0x80000000u, ~0u };

			*(uint32_t *)(a + 4) = f[rnd(rs) % 5];
			break;
		}
		case 3:		/* a pointer-sized field */
		case 4:
		case 5: {
			size_t off = 8 + 8 * (rnd(rs) % ((sz - 8) / 8));

			*(uint64_t *)(a + off) = value(rs, BUF_SIZE);
			break;
		}
		case 6: {	/* a 32-bit field */
			size_t off = 8 + 4 * (rnd(rs) % ((sz - 8) / 4));

			*(uint32_t *)(a + off) = (uint32_t)value(rs, 16);
			break;
		}
		default:	/* the user pointers */
			if (t == T_ALLOC)
				((struct mosaic_alloc *)a)->device = pointer(rs);
			else if (t == T_SEGMENTS)
				((struct mosaic_segments *)a)->entries = pointer(rs);
			break;
		}
	}
	/* Keep ALLOC cheap: a size that could succeed stays small. */
	if (t == T_ALLOC) {
		struct mosaic_alloc *x = (void *)a;

		if (x->size > FUZZ_CAP && x->size < (1ULL << 40) && rnd(rs) % 2)
			x->size %= 16 * MT_PAGE;
	}
}

/* The argument pointer: mostly the arena, sometimes broken. */
static void *arg_pointer(unsigned char *a, size_t sz, uint64_t *rs)
{
	switch (rnd(rs) % 16) {
	case 0: return NULL;
	case 1: return arena + 3 * MT_PAGE;			/* PROT_NONE */
	case 2: return arena + 3 * MT_PAGE - sz / 2;		/* runs into it */
	case 3: return (void *)0xffff888000000000ULL;
	case 4: return arena + 4 * MT_PAGE;			/* read-only */
	default: return a;
	}
}

static bool documented(int err)
{
	switch (err) {
	case 0: case EINVAL: case E2BIG: case EFAULT: case EFBIG: case ENOTTY:
	case EPERM: case ENODEV: case EOPNOTSUPP: case ENOMEM: case EAGAIN:
	case EACCES: case EBADF: case EINTR:
		return true;
	default:
		return false;
	}
}

static void record(enum target t, int ret, int err)
{
	atomic_fetch_add(&sh->calls[t], 1);
	atomic_fetch_add(&sh->total, 1);
	if (ret >= 0) {
		atomic_fetch_add(&sh->ok[t], 1);
		return;
	}
	if (!documented(err)) {
		atomic_fetch_add(&sh->odd[t], 1);
		atomic_store(&sh->odd_errno, err);
		atomic_store(&sh->odd_target, t);
	}
}

/* Buffer fds this process fuzzes: several backends, strategies, modes. */
static int make_buffers(int *fds, int max)
{
	static const uint32_t kinds[][3] = {
		{ MOSAIC_BACKEND_PAGES, MOSAIC_STRATEGY_INSERT_PAGES, 0 },
		{ MOSAIC_BACKEND_COMPOUND, MOSAIC_STRATEGY_FAULT, 0 },
		{ MOSAIC_BACKEND_STREAMING, MOSAIC_STRATEGY_MAP_PAGES, 0 },
		{ MOSAIC_BACKEND_COHERENT, MOSAIC_STRATEGY_REMAP_PFN, 0 },
		{ MOSAIC_BACKEND_VMALLOC, MOSAIC_STRATEGY_PFN_FAULT, 0 },
		{ MOSAIC_BACKEND_PAGES, MOSAIC_STRATEGY_AUTO, MOSAIC_ALLOC_READ_ONLY },
	};
	int n = 0;

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]) && n < max; i++) {
		struct mosaic_alloc a = {
			.argsz = sizeof(a), .size = BUF_SIZE, .backend = kinds[i][0],
			.strategy = kinds[i][1], .flags = kinds[i][2], .fd = -1,
		};
		int fd = mt_alloc_req(dev, &a);

		if (fd >= 0)
			fds[n++] = fd;
	}
	/* and a dma-buf of the first, where the buffer ioctls do not belong */
	if (n && n < max) {
		struct mosaic_export e = { .argsz = sizeof(e), .fd = -1 };
		int fd = mt_ioctl(fds[0], MOSAIC_IOC_EXPORT, &e);

		if (fd >= 0)
			fds[n++] = fd;
	}
	return n;
}

static uint64_t fuzz_seed;

static int worker(int idx, time_t deadline, long quota)
{
	uint64_t rs = (fuzz_seed + 0x2545f4914f6cdd1dULL * (idx + 1)) | 1;
	unsigned char *a = arena;
	int fds[16], nfds;

	nfds = make_buffers(fds, 16);
	if (nfds < 2)
		return 1;
	for (long i = 0; i < quota; i++) {
		enum target t = rnd(&rs) % NR_TARGETS;
		int fd, ret, err;

		if ((i & 255) == 0 && time(NULL) >= deadline)
			break;
		if (t == T_MMAP) {
			static const int prots[] = { PROT_READ, PROT_READ | PROT_WRITE,
						     PROT_WRITE, PROT_EXEC | PROT_READ, PROT_NONE };
			static const int flags[] = { MAP_SHARED, MAP_PRIVATE,
						     MAP_SHARED | MAP_POPULATE,
						     MAP_SHARED_VALIDATE | MAP_SYNC };
			uint64_t off = value(&rs, BUF_SIZE) & ~(MT_PAGE - 1);
			uint64_t len = value(&rs, BUF_SIZE);
			void *m;

			if (!len || len > (1ULL << 40))
				len = MT_PAGE;
			if (off > (1ULL << 46))
				off = BUF_SIZE;
			fd = fds[rnd(&rs) % nfds];
			m = mmap(NULL, len, prots[rnd(&rs) % 5], flags[rnd(&rs) % 4], fd, off);
			err = m == MAP_FAILED ? errno : 0;
			if (m != MAP_FAILED)
				munmap(m, len);
			/* mmap's own generic refusals are fine too */
			if (err == EOVERFLOW || err == ENOMEM || err == EOPNOTSUPP)
				err = EINVAL;
			record(t, m == MAP_FAILED ? -1 : 0, err);
			continue;
		}
		template(t, a, &rs);
		mutate(t, a, &rs);
		if (t == T_ALLOC || t == T_STATS)
			fd = rnd(&rs) % 16 ? dev : fds[rnd(&rs) % nfds];
		else
			fd = rnd(&rs) % 16 ? fds[rnd(&rs) % nfds] : dev;
		errno = 0;
		/* unknown: past the last mosaic nr, edu's included */
		ret = ioctl(fd, t == T_UNKNOWN ? _IO(MOSAIC_IOC_MAGIC, 0x17 + rnd(&rs) % 0xe9) :
			    target_nr[t], arg_pointer(a, target_size[t], &rs));
		err = ret < 0 ? errno : 0;
		/* ALLOC and EXPORT return new fds: close them at once. */
		if (ret > 2 && (t == T_ALLOC || t == T_EXPORT || t == T_UNKNOWN)) {
			bool ours = false;

			for (int k = 0; k < nfds; k++)
				ours |= fds[k] == ret;
			if (!ours && ret != dev)
				close(ret);
		}
		record(t, ret, err);
	}
	for (int k = 0; k < nfds; k++)
		close(fds[k]);
	return 0;
}

/* What each fuzz process does: its share of the calls, until the deadline. */
struct worker_quota {
	time_t deadline;
	long calls;
};

static int worker_main(int idx, void *arg)
{
	const struct worker_quota *q = arg;

	return worker(idx, q->deadline, q->calls);
}

int main(void)
{
	struct mosaic_stats base;
	struct worker_quota quota;
	uint64_t cap = 0, tsize = 1;
	long secs, total;
	int nprocs, fds0, bad = 0;
	pid_t pids[MAX_PROCS];
	double t0, el;

	target_calls = mt_env_num("MOSAIC_FUZZ_CALLS", 1000000, 1, 100000000);
	secs = mt_env_num("MOSAIC_FUZZ_SECS", 100, 1, 3600);
	nprocs = mt_env_num("MOSAIC_FUZZ_PROCS", sysconf(_SC_NPROCESSORS_ONLN), 1, MAX_PROCS);
	if (getenv("MOSAIC_FUZZ_SEED"))
		fuzz_seed = strtoull(getenv("MOSAIC_FUZZ_SEED"), NULL, 0);
	tap_diag("t55_fuzz: %ld calls or %ld s, %d processes, seed %llu (MOSAIC_FUZZ_SEED)",
		 target_calls, secs, nprocs, (unsigned long long)fuzz_seed);
	dev = mt_open_dev_baseline(&base);
	fds0 = mt_count_fds();
	sh = mt_shared(sizeof(*sh));
	entries = mmap(NULL, ENTRIES_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	arena = mmap(NULL, 5 * MT_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (arena == MAP_FAILED || entries == MAP_FAILED ||
	    mprotect(arena + 3 * MT_PAGE, MT_PAGE, PROT_NONE) ||
	    mprotect(arena + 4 * MT_PAGE, MT_PAGE, PROT_READ))
		tap_bail("memory: %s", strerror(errno));
	if (mt_param_u64("max_total_size", &cap) || mt_set_param_u64("max_total_size", FUZZ_CAP))
		tap_diag("cannot lower max_total_size: large ALLOCs may be slow");

	t0 = mt_now_s();
	quota.deadline = time(NULL) + secs;
	quota.calls = (target_calls + nprocs - 1) / nprocs;
	mt_spawn(nprocs, worker_main, &quota, secs + 120, pids);
	bad = mt_reap(nprocs, pids, "fuzz process");
	el = mt_now_s() - t0;
	if (cap)
		mt_set_param_u64("max_total_size", cap);

	total = atomic_load(&sh->total);
	for (int t = 0; t < NR_TARGETS; t++) {
		long c = atomic_load(&sh->calls[t]), o = atomic_load(&sh->odd[t]);

		tap_ok(c > 0 && o == 0, "%s: %ld calls, %ld succeeded, %ld with an undocumented errno",
		       target_names[t], c, (long)atomic_load(&sh->ok[t]), o);
	}
	if (atomic_load(&sh->odd_errno))
		tap_diag("last undocumented errno: %s from %s",
			 mt_errname(-atomic_load(&sh->odd_errno)),
			 target_names[atomic_load(&sh->odd_target)]);
	tap_diag("fuzz: %ld calls in %.1f s = %.0f calls/s (%d processes)", total, el,
		 total / el, nprocs);
	tap_ok(bad == 0, "every fuzz process exited cleanly (%d did not)", bad);
	tap_ok(total >= target_calls, "%ld calls made, at least the %ld asked for", total,
	       target_calls);
	tap_ok(mt_count_fds() == fds0, "no fd left over (%d open, %d at the start)",
	       mt_count_fds(), fds0);
	tap_ok(mt_ledger_is(dev, &base, 0, 0, 0), "page ledger back to the start");
	mt_param_u64("total_size", &tsize);
	tap_ok(tsize == 0, "total_size back to 0 (%llu)", ULL(tsize));
	close(dev);
	return tap_exit();
}
