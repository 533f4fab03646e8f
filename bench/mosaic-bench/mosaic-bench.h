/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mosaic-bench's own declarations, shared by its files: main.c (options,
 * the run), rows.c (what is measured), measure.c (one life cycle, timed
 * and checked), output.c (CSV records and TAP points), extras.c (the
 * fault-around, allocation-quality and fragmentation experiments) and
 * util.c (clocks, counters, /proc and /sys files).
 */
#ifndef MOSAIC_BENCH_H
#define MOSAIC_BENCH_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include <linux/mosaic_testing.h>
#include <mosaic/mosaic.h>

/* Newer than the oldest C library the bench is built with (include after <sys/mman.h>). */
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MAP_HUGE_2MB
#define MAP_HUGE_2MB (21 << 26)
#endif
#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT 0x01
#endif
#ifndef F_ADD_SEALS
#define F_ADD_SEALS 1033
#define F_SEAL_SHRINK 0x0002
#endif
#ifndef MFD_ALLOW_SEALING
#define MFD_ALLOW_SEALING 0x0002U
#endif

#define PAGE		4096UL
#define MiB		(1024UL * 1024UL)
#define HPAGE		(2 * MiB)
#define SEED		0x6d6f73616963ULL	/* "mosaic" */
#define NPHASES		5
#define VERIFY_SAMPLES	64			/* kernel checks per buffer */

enum phase { PH_ALLOC, PH_MAP, PH_TOUCH, PH_MUNMAP, PH_FREE };

enum kind {
	K_MOSAIC,
	K_ANON_POPULATE,	/* mmap(MAP_POPULATE) */
	K_ANON_MADVISE,		/* mmap, then MADV_POPULATE_WRITE */
	K_ANON_THP,		/* the same with MADV_HUGEPAGE */
	K_HUGETLB,		/* MAP_HUGETLB | MAP_POPULATE, pool grown first */
	K_HEAP_SYSTEM,		/* /dev/dma_heap/system */
	K_HEAP_CMA,		/* the CMA heap, whatever its name */
	K_UDMABUF,		/* memfd + UDMABUF_CREATE */
};

struct row {
	char name[40];
	enum kind kind;
	uint32_t backend, strategy;
	bool lazy;		/* pages arrive at first touch */
	bool has[NPHASES];	/* phases the row has */
	const char *zeroed_in;	/* phase where the memory is zeroed */
	const char *desc;
};

/* Result of one life cycle. */
struct result {
	int status;		/* 0 ok, 1 skip, 2 fail */
	char why[160];		/* skip or fail reason */
	int failed_phase;
	uint64_t ns[NPHASES];
	uint64_t flt[NPHASES];
	uint64_t pte_bytes;	/* VmPTE growth while fully mapped */
	uint64_t segments, runs, huge_kb, order_ge4_pages;
	uint64_t order_count[MOSAIC_INFO_ORDERS];
	uint64_t check_bad;	/* data check: bad pages */
	bool ledger_ok;
	uint32_t strategy_in_use;
};

struct strategy_traits {
	bool known, lazy, pmd;
};

/* main.c */
extern bool tap_mode;		/* --tap: checks as TAP, no CSV */
extern int mosaic_dev;		/* /dev/mosaic, or -1 */
extern int udmabuf_dev;		/* /dev/udmabuf, or -1 */

/* util.c */
uint64_t now_ns(void);
uint64_t faults(void);
void progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *field(char *s);
const char *size_str(uint64_t size);
int read_file(const char *path, char *buf, size_t len);
int write_file(const char *path, const char *val);
long read_long(const char *path, long dflt);
int write_long(const char *path, long v);
long proc_kb(const char *path, const char *key);
long vm_pte_kb(void);
int xioctl(int fd, unsigned long req, void *arg);

/* rows.c */
#define MAX_ROWS 64
extern struct row rows[MAX_ROWS];
extern int nrows;
extern char cma_heap[256];	/* name under /dev/dma_heap, "" if none */
struct strategy_traits traits_of(uint32_t s);
const char *backend_name(uint32_t b);
const char *strategy_name(uint32_t s);
bool valid_pair(uint32_t b, uint32_t s);
void build_rows(void);
void find_cma_heap(void);

/* measure.c */
extern const char *const phase_name[NPHASES];
int touch_words_init(uint64_t max_size);
uint64_t read_pages(volatile uint64_t *p, uint64_t size);
void *aligned_hole(uint64_t len, uint64_t align);
void run_once(const struct row *r, uint64_t size, struct result *res,
	      bool all_verify);

/* output.c */
void print_rows(void);
void print_rep(const struct row *r, uint64_t size, int rep,
	       const struct result *res);
void print_orders(const char *tag, const char *name, uint64_t size, int rep,
		  uint64_t alloc_ns, const uint64_t *cnt);
void tap_row(const struct row *r, uint64_t size, const struct result *res);

/* extras.c */
void orders_fresh(uint64_t size);
int fault_around_path(char *buf, size_t len);
void fault_around(uint64_t size, int reps);
void fragmented(uint64_t size, uint64_t frag_limit, int reps);
void zero_calibration(void);

#endif /* MOSAIC_BENCH_H */
