// SPDX-License-Identifier: GPL-2.0
/*
 * The experiments besides the main table (--no-extras leaves them out):
 * the orders of a fresh compound buffer (target 6), fault-around of the
 * lazy strategies (target 5), allocation under a fragmenter (target 7),
 * and how the clock counts page zeroing.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tap.h"
#include "mosaic-bench.h"

/* Target 6: a compound buffer's orders, fresh after boot. */
void orders_fresh(uint64_t size)
{
	struct row *r = NULL;
	struct result res;

	for (int i = 0; i < nrows; i++)
		if (rows[i].kind == K_MOSAIC &&
		    rows[i].backend == MOSAIC_BACKEND_COMPOUND &&
		    rows[i].strategy == MOSAIC_STRATEGY_INSERT_PAGES)
			r = &rows[i];
	if (!r)
		return;
	progress("fresh: compound %s allocation quality", size_str(size));
	run_once(r, size, &res, false);
	if (tap_mode) {
		uint64_t pages = 0;

		for (int k = 0; k < MOSAIC_INFO_ORDERS; k++)
			pages += res.order_count[k] << k;
		tap_ok(res.status == 0 && pages == size / PAGE,
		    "compound %s: INFO order_count covers the buffer (%llu pages, %.1f%% in order >= 4)",
		    size_str(size), (unsigned long long)pages,
		    pages ? 100.0 * res.order_ge4_pages / pages : 0.0);
		return;
	}
	if (res.status)
		print_rep(r, size, 0, &res);
	else
		print_orders("fresh", r->name, size, 0, res.ns[PH_ALLOC],
			     res.order_count);
}

int fault_around_path(char *buf, size_t len)
{
	snprintf(buf, len, "/sys/kernel/debug/fault_around_bytes");
	return access(buf, R_OK) ? -ENOENT : 0;
}

/*
 * Target 5: a lazy "fault" mapping read page by page. mosaic's fault
 * strategy maps from its ->fault handler the 64 KiB window around the
 * address and the rest of the page's contiguous segment, within the 2 MiB
 * of the page table (kernel/map/fault.c); pfn-fault maps one page per
 * fault. The kernel's own fault-around (->map_pages, sized by the debugfs
 * knob fault_around_bytes) is used by neither, so the knob must not change
 * the counts. Three settings: the defaults; a 2 MiB fault_around_bytes; a
 * 2 MiB fault_around_bytes over a 2 MiB-aligned mapping, where order-9
 * segments coincide with page tables.
 */
struct fa_result {
	int err;		/* -errno of ALLOC or mmap */
	uint64_t touch_ns, faults, segments, runs;
};

static void fa_one(uint32_t backend, uint32_t strategy, uint64_t size,
		   bool aligned, struct fa_result *fr)
{
	struct mosaic_alloc a = {
		.argsz = sizeof(a), .size = size, .backend = backend,
		.strategy = strategy,
	};
	struct mosaic_info in = { .argsz = sizeof(in) };
	uint64_t f0, t0, t1, f1;
	void *hint = NULL, *p;
	int fd, flags = MAP_SHARED;

	memset(fr, 0, sizeof(*fr));
	fd = xioctl(mosaic_dev, MOSAIC_IOC_ALLOC, &a);
	if (fd < 0) {
		fr->err = fd;
		return;
	}
	xioctl(fd, MOSAIC_IOC_INFO, &in);
	if (aligned) {
		hint = aligned_hole(size, HPAGE);
		flags |= MAP_FIXED_NOREPLACE;
	}
	p = mmap(hint, size, PROT_READ | PROT_WRITE, flags, fd, 0);
	if (p == MAP_FAILED) {
		fr->err = -errno;
		close(fd);
		return;
	}
	f0 = faults();
	t0 = now_ns();
	read_pages(p, size);
	t1 = now_ns();
	f1 = faults();
	munmap(p, size);
	close(fd);
	fr->touch_ns = t1 - t0;
	fr->faults = f1 - f0;
	fr->segments = in.nr_segments;
	fr->runs = in.nr_runs;
}

void fault_around(uint64_t size, int reps)
{
	static const uint32_t backends[] = {
		MOSAIC_BACKEND_PAGES, MOSAIC_BACKEND_COMPOUND, MOSAIC_BACKEND_CMA,
	};
	static const uint32_t strategies[] = {
		MOSAIC_STRATEGY_FAULT, MOSAIC_STRATEGY_PFN_FAULT,
	};
	struct { long fab; bool aligned; } cfg[3];
	char fab_path[128];
	long fab_default = -1;
	int ncfg = 0;

	if (mosaic_dev < 0)
		return;
	if (!fault_around_path(fab_path, sizeof(fab_path)))
		fab_default = read_long(fab_path, -1);
	cfg[ncfg].fab = fab_default;
	cfg[ncfg++].aligned = false;
	if (fab_default > 0 && fab_default != (long)HPAGE) {
		cfg[ncfg].fab = HPAGE;
		cfg[ncfg++].aligned = false;
	}
	if (fab_default > 0) {
		cfg[ncfg].fab = HPAGE;
		cfg[ncfg++].aligned = true;
	}

	for (int c = 0; c < ncfg; c++) {
		if (cfg[c].fab > 0 && write_long(fab_path, cfg[c].fab) < 0)
			continue;
		for (size_t b = 0; b < sizeof(backends) / sizeof(backends[0]); b++) {
			for (size_t s = 0; s < sizeof(strategies) / sizeof(strategies[0]); s++) {
				uint32_t be = backends[b], st = strategies[s];
				char name[40];

				if (!valid_pair(be, st))
					continue;
				snprintf(name, sizeof(name), "%s/%s", backend_name(be),
					 strategy_name(st));
				for (int rep = 0; rep < reps; rep++) {
					struct fa_result fr;
					double per_mib;

					progress("fault-around %ld%s: %s %s rep %d/%d",
						 cfg[c].fab, cfg[c].aligned ? " aligned" : "",
						 name, size_str(size), rep + 1, reps);
					fa_one(be, st, size, cfg[c].aligned, &fr);
					if (fr.err && !tap_mode) {
						printf("skip,fa:%s,%llu,%s\n", name,
						       (unsigned long long)size, strerror(-fr.err));
						break;
					}
					if (!tap_mode) {
						printf("fa,%s,%llu,%ld,%d,%d,%llu,%llu,%llu,%llu\n",
						       name, (unsigned long long)size, cfg[c].fab,
						       cfg[c].aligned, rep,
						       (unsigned long long)fr.touch_ns,
						       (unsigned long long)fr.faults,
						       (unsigned long long)fr.segments,
						       (unsigned long long)fr.runs);
						continue;
					}
					/* TAP: the defaults, and the aligned 2 MiB window. */
					if (c != 0 && !cfg[c].aligned)
						break;
					if (fr.err == -EOPNOTSUPP) {
						tap_skip("backend not available on this kernel",
							 "fault-around: %s", name);
						break;
					}
					if (fr.err) {
						tap_ok(false, "fault-around %s: %s", name, strerror(-fr.err));
						break;
					}
					per_mib = fr.faults / ((double)size / MiB);
					if (st == MOSAIC_STRATEGY_PFN_FAULT)
						tap_ok(per_mib >= 256 && per_mib <= 260,
						    "%s %s, window %ld%s: read touch, one page per fault: %.0f faults/MiB",
						    name, size_str(size), cfg[c].fab,
						    cfg[c].aligned ? " aligned" : "", per_mib);
					else if (!cfg[c].aligned)
						tap_ok(per_mib > 0 && (cfg[c].fab <= (long)PAGE || per_mib < 256),
						    "%s %s: read touch with the fault handler's fault-around (knob %ld bytes): %.0f faults/MiB (< 256), %llu segments",
						    name, size_str(size), cfg[c].fab, per_mib,
						    (unsigned long long)fr.segments);
					else
						tap_ok(fr.faults > 0 && fr.faults <= fr.segments,
						    "%s %s: 2 MiB window, aligned mapping: %llu faults for %llu segments (at most one each)",
						    name, size_str(size),
						    (unsigned long long)fr.faults,
						    (unsigned long long)fr.segments);
					break;
				}
			}
		}
	}
	if (fab_default > 0)
		write_long(fab_path, fab_default);
}

/*
 * Target 7: fragment memory, then allocate. The fragmenter fills free
 * memory with anonymous 4 KiB pages, frees every other one
 * (MADV_DONTNEED), and mlocks the rest with compaction of unevictable
 * pages turned off, so that neither reclaim nor compaction can undo the
 * holes: what is left free is mostly single pages between pinned ones.
 */
void fragmented(uint64_t size, uint64_t frag_limit, int reps)
{
	static const char cua[] = "/proc/sys/vm/compact_unevictable_allowed";
	static const char cpro[] = "/proc/sys/vm/compaction_proactiveness";
	long free_kb = proc_kb("/proc/meminfo", "MemFree");
	long cua_before = read_long(cua, -1);
	long cpro_before = read_long(cpro, -1);
	uint64_t frag, t0, t1, left_kb;
	char *p;

	if (mosaic_dev < 0 || free_kb < 0)
		return;
	/* Leave a little for the kernel; the rest becomes holes. */
	frag = ((uint64_t)free_kb * 1024 > 96 * MiB + size / 2) ?
	       (uint64_t)free_kb * 1024 - 96 * MiB : 0;
	if (frag_limit && frag > frag_limit)
		frag = frag_limit;
	frag &= ~(HPAGE - 1);
	if (frag < 2 * size) {
		if (!tap_mode)
			printf("frag,skipped,only %ld kB free\n", free_kb);
		else
			tap_skip("not enough free memory", "fragmenter");
		return;
	}
	progress("fragmenter: %llu MiB of interleaved pages",
		 (unsigned long long)(frag / MiB));
	prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
	if (cua_before >= 0)
		write_long(cua, 0);
	/*
	 * Until the survivors are locked they are movable: proactive
	 * compaction (kcompactd) would migrate them while the holes are
	 * punched and undo the fragmentation.
	 */
	if (cpro_before >= 0)
		write_long(cpro, 0);
	t0 = now_ns();
	p = mmap(NULL, frag, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (p == MAP_FAILED) {
		if (!tap_mode)
			printf("frag,skipped,mmap %llu MiB: %s\n",
			       (unsigned long long)(frag / MiB), strerror(errno));
		else
			tap_ok(false, "fragmenter: mmap: %s", strerror(errno));
		goto out;
	}
	for (uint64_t off = PAGE; off < frag; off += 2 * PAGE)
		madvise(p + off, PAGE, MADV_DONTNEED);
	if (syscall(SYS_mlock2, p, frag, MLOCK_ONFAULT))
		progress("fragmenter: mlock2: %s", strerror(errno));
	t1 = now_ns();
	left_kb = proc_kb("/proc/meminfo", "MemFree");
	if (!tap_mode) {
		printf("frag,fragmenter_bytes,%llu\n", (unsigned long long)frag);
		printf("frag,fragmenter_ns,%llu\n", (unsigned long long)(t1 - t0));
		printf("frag,memfree_before_kb,%ld\n", free_kb);
		printf("frag,memfree_after_kb,%llu\n", (unsigned long long)left_kb);
		printf("frag,compact_unevictable_allowed,%ld->0\n", cua_before);
		printf("frag,compaction_proactiveness,%ld->0\n", cpro_before);
		fflush(stdout);
	}

	for (int i = 0; i < nrows; i++) {
		const struct row *r = &rows[i];
		struct result res;

		if (!((r->kind == K_MOSAIC && r->strategy == MOSAIC_STRATEGY_INSERT_PAGES &&
		       (r->backend == MOSAIC_BACKEND_PAGES ||
			r->backend == MOSAIC_BACKEND_COMPOUND ||
			r->backend == MOSAIC_BACKEND_SPLIT)) ||
		      r->kind == K_ANON_POPULATE || r->kind == K_HEAP_SYSTEM))
			continue;
		for (int rep = 0; rep < reps; rep++) {
			progress("fragmented: %s %s rep %d/%d", r->name,
				 size_str(size), rep + 1, reps);
			run_once(r, size, &res, false);
			if (tap_mode) {
				uint64_t pages = 0;

				if (res.status == 1) {
					tap_skip(res.why, "fragmented: %s %s", r->name,
						 size_str(size));
					break;
				}
				for (int k = 0; k < MOSAIC_INFO_ORDERS; k++)
					pages += res.order_count[k] << k;
				tap_ok(res.status == 0 && !res.check_bad &&
				    (r->kind != K_MOSAIC || pages == size / PAGE),
				    "fragmented: %s %s completes; %llu segments, %.1f%% in order >= 4%s%s",
				    r->name, size_str(size),
				    (unsigned long long)res.segments,
				    pages ? 100.0 * res.order_ge4_pages / pages : 0.0,
				    res.status ? ": " : "", res.status ? res.why : "");
				break;
			}
			if (res.status) {
				printf("frag,%s,%s,%llu,%s\n",
				       res.status == 1 ? "skip" : "fail", r->name,
				       (unsigned long long)size, field(res.why));
				break;
			}
			printf("frag,rep,%s,%llu,%d,%llu,%llu,%llu,%llu,%llu\n",
			       r->name, (unsigned long long)size, rep,
			       (unsigned long long)res.ns[PH_ALLOC],
			       (unsigned long long)res.ns[PH_MAP],
			       (unsigned long long)res.ns[PH_MUNMAP],
			       (unsigned long long)res.ns[PH_FREE],
			       (unsigned long long)res.segments);
			if (r->kind == K_MOSAIC)
				print_orders("fragmented", r->name, size, rep,
					     res.ns[PH_ALLOC], res.order_count);
		}
	}
	munmap(p, frag);
out:
	if (cua_before >= 0)
		write_long(cua, cua_before);
	if (cpro_before >= 0)
		write_long(cpro, cpro_before);
	prctl(PR_SET_THP_DISABLE, 0, 0, 0, 0);
}

/*
 * How the clock counts page zeroing. Under -icount every iteration of a
 * rep-prefixed string instruction counts as one instruction here (QEMU
 * 7.2), so zeroing a 4 KiB page costs 512 with rep stosq (the kernel's
 * clear_page_rep) and 4096 with rep stosb (clear_page_erms): measured in
 * user space, per page, so the report can say how much of a phase is
 * zeroing.
 */
void zero_calibration(void)
{
#if defined(__x86_64__)
	static char buf[64 * PAGE] __attribute__((aligned(4096)));
	uint64_t best_b = UINT64_MAX, best_q = UINT64_MAX;

	for (int r = 0; r < 3; r++) {
		void *d = buf;
		size_t c = sizeof(buf);
		uint64_t t0 = now_ns(), t1;

		__asm__ volatile("rep stosb" : "+D"(d), "+c"(c) : "a"(0) : "memory");
		t1 = now_ns();
		if (r && t1 - t0 < best_b)
			best_b = t1 - t0;
		d = buf;
		c = sizeof(buf) / 8;
		t0 = now_ns();
		__asm__ volatile("rep stosq" : "+D"(d), "+c"(c) : "a"(0) : "memory");
		t1 = now_ns();
		if (r && t1 - t0 < best_q)
			best_q = t1 - t0;
	}
	printf("meta,zero_page_stosq_ns,%.1f\n", best_q / 64.0);
	printf("meta,zero_page_stosb_ns,%.1f\n", best_b / 64.0);
#endif
}
