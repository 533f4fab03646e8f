// SPDX-License-Identifier: GPL-2.0
/*
 * mmio-pattern: the host side of t32_mmio (see tests/lib/ivshmem.h).
 *
 *   mmio-pattern fill FILE SIZE      create FILE, SIZE bytes of the host
 *                                    pattern, before the VM boots
 *   mmio-pattern check FILE LOG      after the VM: compare FILE with every
 *                                    "host-check ivshmem" line in LOG; TAP
 *                                    out, ending "N passed, M failed, 0
 *                                    skipped"; exit 1 if any failed
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/mosaic.h>

#include "../lib/ivshmem.h"

static int fill(const char *path, uint64_t size)
{
	FILE *f = fopen(path, "wb");

	if (!f) {
		fprintf(stderr, "mmio-pattern: %s: %s\n", path, strerror(errno));
		return 2;
	}
	for (uint64_t o = 0; o < size; o += 8) {
		uint64_t w = mosaic_pattern_word(IVSHMEM_HOST_SEED, o);

		fwrite(&w, sizeof(w), 1, f);
	}
	if (fclose(f)) {
		fprintf(stderr, "mmio-pattern: %s: %s\n", path, strerror(errno));
		return 2;
	}
	return 0;
}

static int check(const char *path, const char *log)
{
	int fd = open(path, O_RDONLY);
	FILE *lf = fopen(log, "r");
	int n = 0, failed = 0;
	const uint64_t *mem;
	char line[512];
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0 || !lf) {
		printf("not ok 1 - host: cannot read %s or %s: %s\n", path, log,
		       strerror(errno));
		printf("1..1\n0 passed, 1 failed, 0 skipped\n");
		if (lf)
			fclose(lf);
		return 1;
	}
	mem = mmap(NULL, st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	if (mem == MAP_FAILED) {
		printf("not ok 1 - host: mmap %s: %s\n", path, strerror(errno));
		printf("1..1\n0 passed, 1 failed, 0 skipped\n");
		fclose(lf);
		return 1;
	}
	while (fgets(line, sizeof(line), lf)) {
		char *p = strstr(line, IVSHMEM_CHECK_TAG " ");
		uint64_t off, len, seed, bad = 0, first = 0;
		char who[64];

		if (!p || sscanf(p + strlen(IVSHMEM_CHECK_TAG), "%" SCNx64
				 " %" SCNx64 " %" SCNx64 " %63s", &off, &len,
				 &seed, who) != 4)
			continue;
		n++;
		if (off % 8 || len % 8 || off > (uint64_t)st.st_size ||
		    len > (uint64_t)st.st_size - off) {
			printf("not ok %d - host: ivshmem region [%#" PRIx64 ", +%#" PRIx64
			       ") is not inside the %lld-byte file\n", n, off, len,
			       (long long)st.st_size);
			failed++;
			continue;
		}
		for (uint64_t o = off; o < off + len; o += 8) {
			if (mem[o / 8] != mosaic_pattern_word(seed, o)) {
				if (!bad)
					first = o;
				bad++;
			}
		}
		if (bad)
			failed++;
		printf("%s %d - host: ivshmem file bytes [%#" PRIx64 ", %#" PRIx64
		       ") hold the pattern the %s wrote (seed %#" PRIx64 ")\n",
		       bad ? "not ok" : "ok", n, off, off + len, who, seed);
		if (bad)
			printf("# %" PRIu64 " words differ, first at %#" PRIx64 "\n",
			       bad, first);
	}
	if (!n) {
		n = 1;
		failed = 1;
		printf("not ok 1 - host: %s has no \"%s\" lines: t32_mmio did not run or did not finish\n",
		       log, IVSHMEM_CHECK_TAG);
	}
	printf("1..%d\n%d passed, %d failed, 0 skipped\n", n, n - failed,
	       failed);
	return failed ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "fill"))
		return fill(argv[2], strtoull(argv[3], NULL, 0));
	if (argc == 4 && !strcmp(argv[1], "check"))
		return check(argv[2], argv[3]);
	fprintf(stderr, "usage: mmio-pattern fill FILE SIZE | check FILE LOG\n");
	return 2;
}
