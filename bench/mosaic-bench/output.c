// SPDX-License-Identifier: GPL-2.0
/*
 * mosaic-bench's output: the CSV records of a measurement run (described
 * in main.c), and the TAP points of --tap, written by tests/lib/tap.c.
 */
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "mosaic-bench.h"

static const char *const kind_name[] = {
	[K_MOSAIC] = "mosaic", [K_ANON_POPULATE] = "anon",
	[K_ANON_MADVISE] = "anon", [K_ANON_THP] = "anon",
	[K_HUGETLB] = "hugetlb", [K_HEAP_SYSTEM] = "dma-heap",
	[K_HEAP_CMA] = "dma-heap", [K_UDMABUF] = "udmabuf",
};

void print_rows(void)
{
	for (int i = 0; i < nrows; i++) {
		const struct row *r = &rows[i];
		char desc[200];

		snprintf(desc, sizeof(desc), "%s", r->desc);
		printf("row,%s,%s,%d,%s,%s\n", r->name, kind_name[r->kind],
		       r->lazy, r->zeroed_in, field(desc));
	}
}

void print_rep(const struct row *r, uint64_t size, int rep,
		      const struct result *res)
{
	char why[sizeof(res->why)];

	memcpy(why, res->why, sizeof(why));
	if (res->status == 1) {
		printf("skip,%s,%llu,%s\n", r->name, (unsigned long long)size,
		       field(why));
		return;
	}
	if (res->status == 2) {
		printf("fail,%s,%llu,%d,%s,%s\n", r->name,
		       (unsigned long long)size, rep,
		       phase_name[res->failed_phase], field(why));
		return;
	}
	if (res->check_bad || !res->ledger_ok) {
		printf("fail,%s,%llu,%d,check,%llu bad pages; ledger %s\n",
		       r->name, (unsigned long long)size, rep,
		       (unsigned long long)res->check_bad,
		       res->ledger_ok ? "ok" : "not back to zero");
		return;
	}
	printf("rep,%s,%llu,%d", r->name, (unsigned long long)size, rep);
	for (int p = 0; p < NPHASES; p++) {
		if (r->has[p])
			printf(",%llu", (unsigned long long)res->ns[p]);
		else
			printf(",");
	}
	for (int p = 0; p < NPHASES; p++)
		printf(",%llu", (unsigned long long)res->flt[p]);
	printf(",%llu,%llu,%llu,%llu,%llu\n",
	       (unsigned long long)res->pte_bytes,
	       (unsigned long long)res->segments,
	       (unsigned long long)res->runs,
	       (unsigned long long)res->huge_kb,
	       (unsigned long long)res->order_ge4_pages);
	fflush(stdout);
}

void print_orders(const char *tag, const char *name, uint64_t size,
			 int rep, uint64_t alloc_ns, const uint64_t *cnt)
{
	printf("orders,%s,%s,%llu,%d,%llu", tag, name, (unsigned long long)size,
	       rep, (unsigned long long)alloc_ns);
	for (int k = 0; k < MOSAIC_INFO_ORDERS; k++)
		printf(",%llu", (unsigned long long)cnt[k]);
	printf("\n");
	fflush(stdout);
}

/* Three points per row, skipped together: the count never changes. */
void tap_row(const struct row *r, uint64_t size, const struct result *res)
{
	double mib = (double)size / MiB;
	double touch_per_mib = res->flt[PH_TOUCH] / mib;
	bool huge = r->kind == K_HUGETLB || r->kind == K_ANON_THP ||
		    (r->kind == K_MOSAIC && traits_of(r->strategy).pmd);
	bool times_ok = true;
	uint64_t total = 0;

	if (res->status == 1) {
		tap_skip(res->why, "%s %s: life cycle", r->name, size_str(size));
		tap_skip(res->why, "%s %s: faults", r->name, size_str(size));
		tap_skip(res->why, "%s %s: data", r->name, size_str(size));
		return;
	}
	for (int p = 0; p < NPHASES; p++) {
		total += res->ns[p];
		/* Nothing takes a minute on 4 MiB, even under TCG. */
		if (res->ns[p] > 60ULL * 1000000000ULL)
			times_ok = false;
	}
	tap_ok(res->status == 0 && times_ok && total > 0,
	    "%s %s: life cycle completes: alloc %.1f map %.1f touch %.1f munmap %.1f free %.1f us%s%s",
	    r->name, size_str(size), res->ns[0] / 1e3, res->ns[1] / 1e3,
	    res->ns[2] / 1e3, res->ns[3] / 1e3, res->ns[4] / 1e3,
	    res->status ? ": " : "", res->status ? res->why : "");
	if (res->status) {
		tap_skip("the life cycle failed", "%s %s: faults", r->name, size_str(size));
		tap_skip("the life cycle failed", "%s %s: data", r->name, size_str(size));
		return;
	}
	if (r->kind == K_MOSAIC && !traits_of(r->strategy).known)
		/* A strategy the table above does not describe yet. */
		tap_ok(touch_per_mib <= 260,
		    "%s %s: strategy without a line in strategy_traits: first touch faults %.0f/MiB (<= 256); VmPTE +%llu KiB",
		    r->name, size_str(size), touch_per_mib,
		    (unsigned long long)res->pte_bytes / 1024);
	else if (r->lazy)
		/* One fault per page, or fewer with fault-around; never none. */
		tap_ok(res->flt[PH_TOUCH] > 0 && touch_per_mib <= 260,
		    "%s %s: lazy: first touch faults %.0f/MiB (0 < f <= 256); VmPTE +%llu KiB",
		    r->name, size_str(size), touch_per_mib,
		    (unsigned long long)res->pte_bytes / 1024);
	else
		tap_ok(res->flt[PH_TOUCH] == 0 && (huge || res->pte_bytes > 0),
		    "%s %s: eager: first touch faults %.0f/MiB (want 0); VmPTE +%llu KiB%s",
		    r->name, size_str(size), touch_per_mib,
		    (unsigned long long)res->pte_bytes / 1024,
		    huge ? " (huge pages: no PTE tables needed)" : " (want > 0)");
	tap_ok(res->check_bad == 0 && res->ledger_ok,
	    "%s %s: data check: %llu of %llu pages bad%s%s", r->name,
	    size_str(size), (unsigned long long)res->check_bad,
	    (unsigned long long)(size / PAGE),
	    r->kind == K_MOSAIC ? " (user readback + kernel VERIFY)" : " (user readback)",
	    res->ledger_ok ? "" : "; mosaic ledger not back to zero");
}
