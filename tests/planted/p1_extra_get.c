// SPDX-License-Identifier: GPL-2.0
/*
 * Planted bug "extra_get": insert-pages takes one page reference too many
 * per mapped page. The refcount rule check must notice.
 */
#include <sys/mman.h>
#include <unistd.h>

#include "mosaic_test.h"
#include "planted.h"
#include "tap.h"

#define SIZE (4 * MT_MiB)

int main(void)
{
	int dev = mt_open_dev_or_bail();
	struct mosaic_refs r;
	void *map;
	int fd, ret;

	plant_or_bail("extra_get");
	fd = mt_alloc(dev, SIZE, MOSAIC_BACKEND_PAGES,
		      MOSAIC_STRATEGY_INSERT_PAGES);
	tap_ok(fd >= 0, "ALLOC pages/insert-pages");
	map = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	tap_ok(map != MAP_FAILED, "mmap");
	ret = mt_refs(fd, 0, SIZE, &r);
	tap_ok(!ret && r.unexplained_refs == 0,
	       "mapped: no reference the refcount rule does not explain (%lld)",
	       (long long)r.unexplained_refs);
	munmap(map, SIZE);
	close(fd);
	plant("none");
	tap_done();
	return tap_exit();
}
