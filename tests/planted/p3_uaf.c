// SPDX-License-Identifier: GPL-2.0
/*
 * Planted bug "uaf": insert-pages drops the buffer reference its VMA is
 * about to take, so the buffer is freed while still mapped and every later
 * use of it reads freed memory. KASAN must report it; on a kernel without
 * KASAN the program may even pass, which is why this runs in the debug
 * tier. Runs last: the kernel is not trustworthy afterwards.
 */
#include <sys/mman.h>
#include <unistd.h>

#include "mosaic_test.h"
#include "planted.h"
#include "tap.h"

#define SIZE (1 * MT_MiB)

int main(void)
{
	int dev = mt_open_dev_or_bail();
	volatile char *map;
	int fd;

	plant_or_bail("uaf");
	fd = mt_alloc(dev, SIZE, MOSAIC_BACKEND_PAGES,
		      MOSAIC_STRATEGY_INSERT_PAGES);
	tap_ok(fd >= 0, "ALLOC pages/insert-pages");
	map = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	plant("none");
	tap_ok(map != MAP_FAILED, "mmap");
	if (map != MAP_FAILED) {
		map[0] = 1;
		munmap((void *)map, SIZE);
	}
	close(fd);
	tap_done();
	return tap_exit();
}
