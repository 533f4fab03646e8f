// SPDX-License-Identifier: GPL-2.0
/*
 * mosaic-bench: what each mapping method costs, side by side with what the
 * kernel already offers (docs/performance.md).
 *
 * Runs in the VM (static, busybox guest). For every row -- each valid
 * mosaic backend x strategy pair, and the kernel's own peers -- and every
 * size it runs the life cycle "get N bytes of zeroed memory into one
 * linear user mapping, touch every page, give it back" several times and
 * times each phase with CLOCK_MONOTONIC:
 *
 *   alloc   MOSAIC_IOC_ALLOC, DMA_HEAP_IOCTL_ALLOC, memfd + UDMABUF_CREATE,
 *           growing the hugetlb pool, MADV_POPULATE_WRITE (see row_desc)
 *   map     the mmap() call
 *   touch   one 64-bit store into every 4 KiB page, in order, of a word
 *           computed before the timing (see touch_words)
 *   munmap  the munmap() call
 *   free    close() of the last fd, shrinking the hugetlb pool
 *
 * Around each phase it reads the fault counters (getrusage), and
 * while the buffer is mapped it reads VmPTE from /proc/self/status. Under
 * QEMU's -icount shift=0,sleep=off the guest clock advances one
 * nanosecond per guest instruction, so the same numbers then count
 * instructions.
 *
 * After the timed touch (untimed) every page is checked: the word written
 * reads back, the page's last word is still zero, and for mosaic rows the
 * kernel's MOSAIC_TEST_IOC_VERIFY sees the word through the segment's own
 * kernel address; mosaic's page ledger must be back where it was after
 * free.
 *
 * Output: CSV records on stdout (bench/report turns them into tables and
 * plots), one progress line per measurement on stderr ("# " prefixed).
 * With --tap it checks one run of every row instead and prints TAP: the
 * smoke test of make check (tests/t40_bench_smoke.sh).
 *
 * Records (one per line, comma separated, no quoting; reasons have their
 * commas replaced):
 *   meta,KEY,VALUE
 *   row,NAME,KIND,LAZY,ZEROED_IN,DESCRIPTION
 *   rep,NAME,SIZE,REP,ALLOC,MAP,TOUCH,MUNMAP,FREE,FLT_ALLOC,FLT_MAP,
 *       FLT_TOUCH,FLT_MUNMAP,FLT_FREE,PTE_BYTES,SEGMENTS,RUNS,HUGE_KB,
 *       ORDER_GE4_PAGES
 *       (times in ns; a phase the row does not have is empty)
 *   skip,NAME,SIZE,REASON
 *   fail,NAME,SIZE,REP,PHASE,REASON
 *   orders,TAG,NAME,SIZE,REP,ALLOC_NS,COUNT0,...,COUNT15
 *   fa,NAME,SIZE,FAULT_AROUND_BYTES,ALIGNED,REP,TOUCH_NS,FAULTS,SEGMENTS,RUNS
 *   frag,KEY,VALUE
 *   end,ELAPSED_NS
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "tap.h"
#include "mosaic-bench.h"

bool tap_mode;
int mosaic_dev = -1;
int udmabuf_dev = -1;

/*
 * The rows run at sizes of --large-size (1 GiB) and more: all of them by
 * default (the whole run took under 8 minutes on the bench kernel on 2
 * cores). On a host so loaded that it would not fit in the 25 minutes
 * `make bench` may take, --large-rows REGEX keeps only some at 1 GiB,
 * e.g. the references: '^(pages/insert-pages?|compound/remap-pfn|
 * anon/populate|hugetlb/2M|heap/system)$'.
 */
#define DEFAULT_LARGE_ROWS "."

static bool row_selected(const struct row *r, uint64_t size, regex_t *rows_re,
			 regex_t *large_re, uint64_t large_size)
{
	if (rows_re && regexec(rows_re, r->name, 0, NULL, 0))
		return false;
	return size < large_size || !regexec(large_re, r->name, 0, NULL, 0);
}

static void __attribute__((noreturn)) usage(void)
{
	fprintf(stderr,
		"usage: mosaic-bench [--sizes 4M,64M,256M,1G] [--reps N] [--rows REGEX]\n"
		"                    [--no-extras] [--fresh-size SIZE] [--fa-size SIZE]\n"
		"                    [--frag-size SIZE] [--frag-limit SIZE]\n"
		"                    [--large-rows REGEX] [--large-size SIZE] [--tap]\n"
		"  CSV on stdout, progress on stderr; --tap: one 4 MiB run of\n"
		"  every row, checked, as TAP (the smoke test); at --large-size (1G)\n"
		"  and more only the rows --large-rows matches (default: all)\n");
	exit(2);
}

/* A size option, as libmosaic reads sizes (64M, 1G, ...). */
static uint64_t parse_size(const char *s)
{
	uint64_t v;

	if (mosaic_parse_size(s, &v))
		usage();
	return v;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "sizes", required_argument, NULL, 's' },
		{ "reps", required_argument, NULL, 'r' },
		{ "rows", required_argument, NULL, 'R' },
		{ "no-extras", no_argument, NULL, 'n' },
		{ "fresh-size", required_argument, NULL, 'F' },
		{ "fa-size", required_argument, NULL, 'A' },
		{ "frag-size", required_argument, NULL, 'g' },
		{ "frag-limit", required_argument, NULL, 'L' },
		{ "large-rows", required_argument, NULL, 'G' },
		{ "large-size", required_argument, NULL, 'z' },
		{ "tap", no_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t sizes[8] = { 4 * MiB, 64 * MiB, 256 * MiB, 1024 * MiB };
	int nsizes = 4, reps = 5, opt;
	uint64_t fresh_size = 0, fa_size = 32 * MiB, frag_size = 256 * MiB;
	uint64_t frag_limit = 0, t_start = now_ns(), max_size;
	bool extras = true, rows_set = false;
	regex_t rows_re, large_re;
	const char *large_rows = DEFAULT_LARGE_ROWS;
	uint64_t large_size = 1024 * MiB;
	struct utsname u;
	static char cpuinfo[32768];
	char buf[512];
	int total, done = 0;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 's': {
			char *tok, *save = NULL;

			nsizes = 0;
			for (tok = strtok_r(optarg, ",", &save); tok && nsizes < 8;
			     tok = strtok_r(NULL, ",", &save))
				sizes[nsizes++] = parse_size(tok);
			break;
		}
		case 'r': reps = atoi(optarg); break;
		case 'R':
			if (regcomp(&rows_re, optarg, REG_EXTENDED | REG_NOSUB))
				usage();
			rows_set = true;
			break;
		case 'n': extras = false; break;
		case 'F': fresh_size = parse_size(optarg); break;
		case 'A': fa_size = parse_size(optarg); break;
		case 'g': frag_size = parse_size(optarg); break;
		case 'L': frag_limit = parse_size(optarg); break;
		case 'G': large_rows = optarg; break;
		case 'z': large_size = parse_size(optarg); break;
		case 't':
			tap_mode = true;
			nsizes = 1;
			sizes[0] = 4 * MiB;
			reps = 1;
			fa_size = 4 * MiB;
			frag_size = 4 * MiB;
			frag_limit = 64 * MiB;
			fresh_size = 64 * MiB;
			break;
		default: usage();
		}
	}
	if (!nsizes || reps < 1 || !large_size ||
	    regcomp(&large_re, large_rows, REG_EXTENDED | REG_NOSUB))
		usage();
	if (!fresh_size)
		fresh_size = sizes[nsizes - 1];

	setvbuf(stdout, NULL, _IOLBF, 0);
	mosaic_dev = open(MOSAIC_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	udmabuf_dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	find_cma_heap();
	build_rows();

	if (tap_mode) {
		tap_diag("mosaic-bench --tap: every row once at 4 MiB, checked");
		if (mosaic_dev < 0)
			tap_diag("no /dev/mosaic: %s; mosaic rows skip", strerror(errno));
	} else {
		uname(&u);
		printf("meta,kernel,%s %s\n", u.release, u.version);
		if (read_file("/proc/cmdline", buf, sizeof(buf)) > 0) {
			buf[strcspn(buf, "\n")] = 0;
			printf("meta,cmdline,%s\n", field(buf));
		}
		printf("meta,reps,%d\n", reps);
		printf("meta,mem_total_kb,%ld\n", proc_kb("/proc/meminfo", "MemTotal"));
		printf("meta,cma_total_kb,%ld\n", proc_kb("/proc/meminfo", "CmaTotal"));
		printf("meta,cma_heap,%s\n", cma_heap[0] ? cma_heap : "");
		if (read_file("/sys/kernel/mm/transparent_hugepage/enabled", buf, sizeof(buf)) > 0) {
			buf[strcspn(buf, "\n")] = 0;
			printf("meta,thp,%s\n", buf);
		}
		if (!fault_around_path(buf, sizeof(buf)))
			printf("meta,fault_around_bytes,%ld\n", read_long(buf, -1));
		/* clear_page: rep stosb (erms), rep stosq (rep_good) or a loop. */
		if (read_file("/proc/cpuinfo", cpuinfo, sizeof(cpuinfo)) > 0) {
			const char *v = strstr(cpuinfo, " erms") ? "clear_page_erms (rep stosb)" :
					strstr(cpuinfo, " rep_good") ? "clear_page_rep (rep stosq)" :
					"clear_page_orig (loop)";
			char *model = strstr(cpuinfo, "model name");

			printf("meta,clear_page,%s\n", v);
			if (model && strchr(model, ':')) {
				model = strchr(model, ':') + 2;
				model[strcspn(model, "\n")] = 0;
				printf("meta,cpu,%s\n", field(model));
			}
		}
		zero_calibration();
		print_rows();
	}

	/* Every touch_pages() stores these words (2 MiB for 1 GiB). */
	max_size = fresh_size > frag_size ? fresh_size : frag_size;
	max_size = fa_size > max_size ? fa_size : max_size;
	for (int si = 0; si < nsizes; si++)
		max_size = sizes[si] > max_size ? sizes[si] : max_size;
	if (touch_words_init(max_size) < 0) {
		fprintf(stderr, "mosaic-bench: no memory for the touch pattern\n");
		return 1;
	}

	/* Target 6 first, while the VM is fresh. */
	if (extras)
		orders_fresh(fresh_size);

	total = 0;
	for (int si = 0; si < nsizes; si++)
		for (int i = 0; i < nrows; i++)
			if (row_selected(&rows[i], sizes[si], rows_set ? &rows_re : NULL,
					 &large_re, large_size))
				total += reps;
	if (!tap_mode)
		printf("meta,large_rows,%llu,%s\n", (unsigned long long)large_size,
		       large_rows);

	for (int si = 0; si < nsizes; si++) {
		uint64_t size = sizes[si];
		bool dead[MAX_ROWS] = { false };

		/* Repetition outside, rows inside: slow drift hits every row alike. */
		for (int rep = 0; rep < reps; rep++) {
			for (int i = 0; i < nrows; i++) {
				const struct row *r = &rows[i];
				struct result res;

				if (!row_selected(r, size, rows_set ? &rows_re : NULL,
						  &large_re, large_size))
					continue;
				done++;
				if (dead[i])
					continue;
				progress("[%d/%d] %6.1f s  %-22s %5s rep %d/%d", done, total,
					 (now_ns() - t_start) / 1e9, r->name, size_str(size),
					 rep + 1, reps);
				run_once(r, size, &res, tap_mode);
				if (tap_mode) {
					tap_row(r, size, &res);
					continue;
				}
				print_rep(r, size, rep, &res);
				/* A skip or failure will not change: do not retry it. */
				if (res.status)
					dead[i] = true;
			}
		}
	}

	if (extras) {
		fault_around(fa_size, tap_mode ? 1 : reps);
		fragmented(frag_size, frag_limit, tap_mode ? 1 : reps);
	}

	if (tap_mode)
		return tap_exit();
	printf("end,%llu\n", (unsigned long long)(now_ns() - t_start));
	progress("done in %.1f s", (now_ns() - t_start) / 1e9);
	return 0;
}
