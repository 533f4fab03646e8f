// SPDX-License-Identifier: MIT
/*
 * mosaic-example: the smallest complete libmosaic program.
 *
 * Allocates a buffer from scattered pages, maps it as one range, writes a
 * pattern through the mapping and checks it through a second mapping
 * (mosaic_buf_verify()), then the other way round, syncing the range for
 * the CPU around its access; exports the buffer as a dma-buf and reads
 * the pattern through a mapping of that; closes the buffer while still
 * mapped (the mapping keeps the memory) and unmaps.
 *
 * Build against an installed libmosaic:
 *   cc -o mosaic-example mosaic-example.c $(pkg-config --cflags --libs mosaic)
 *
 * Usage: mosaic-example [SIZE] [BACKEND]   (default 16M pages)
 * Exit status: 0 if every check held, 1 otherwise.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <mosaic/mosaic.h>

static int fail(const char *what, int err)
{
	fprintf(stderr, "mosaic-example: %s: %s\n", what, strerror(-err));
	return 1;
}

int main(int argc, char **argv)
{
	struct mosaic_buf_params params = {
		.struct_size = sizeof(params),
		.backend = MOSAIC_BACKEND_PAGES,
		.strategy = MOSAIC_STRATEGY_AUTO,
	};
	struct mosaic_buf_info info = { .struct_size = sizeof(info) };
	struct mosaic_buf_sync_result sync = { .struct_size = sizeof(sync) };
	volatile const uint64_t *dwords;
	int dmabuf_fd;
	uint64_t mismatches, first, size, bad = 0, dbad = 0, off;
	struct mosaic_dev *dev;
	struct mosaic_buf *buf;
	volatile uint64_t *words;
	void *map;
	int ret;

	ret = mosaic_parse_size(argc > 1 ? argv[1] : "16M", &params.size);
	if (ret)
		return fail("size", ret);
	if (argc > 2 && (ret = mosaic_backend_from_name(argv[2], &params.backend)))
		return fail("backend", ret);

	ret = mosaic_dev_open(NULL, &dev);
	if (ret)
		return fail("open " MOSAIC_DEVICE_PATH, ret);
	ret = mosaic_buf_alloc(dev, &params, &buf);
	if (ret)
		return fail("alloc", ret);
	ret = mosaic_buf_info(buf, &info);
	if (ret)
		return fail("info", ret);
	size = mosaic_buf_size(buf);
	printf("%" PRIu64 " bytes from %s, mapped by %s: %" PRIu64 " segments in %"
	       PRIu64 " physically contiguous runs\n", size,
	       mosaic_backend_name(info.backend), mosaic_strategy_name(info.strategy),
	       info.nr_segments, info.nr_runs);

	/* One linear range, however scattered the pages are. */
	ret = mosaic_buf_map(buf, 0, 0, &map);
	if (ret)
		return fail("map", ret);
	words = map;

	/* User space writes, a second mapping of the buffer reads. */
	for (off = 0; off < size; off += 8)
		words[off / 8] = mosaic_pattern_word(42, off);
	ret = mosaic_buf_verify(buf, 0, size, 42, &mismatches, &first);
	if (ret)
		return fail("verify", ret);
	printf("mapping -> second mapping: %" PRIu64 " mismatches\n", mismatches);

	/*
	 * A second mapping writes, user space reads the first. The sync tells the
	 * DMA layer the CPU is about to read (and is done reading): nothing to
	 * do on cache-coherent memory, cache maintenance or bouncing elsewhere.
	 */
	ret = mosaic_buf_fill(buf, 0, size, 43);
	if (ret)
		return fail("fill", ret);
	ret = mosaic_buf_sync(buf, 0, size, MOSAIC_SYNC_READ, MOSAIC_SYNC_BEGIN,
			      &sync);
	if (ret)
		return fail("sync", ret);
	for (off = 0; off < size; off += 8)
		bad += words[off / 8] != mosaic_pattern_word(43, off);
	ret = mosaic_buf_sync(buf, 0, size, MOSAIC_SYNC_READ, MOSAIC_SYNC_END,
			      NULL);
	if (ret)
		return fail("sync", ret);
	printf("second mapping -> mapping: %" PRIu64 " mismatches (sync: %" PRIu64
	       " segments, %" PRIu64 " needed cache maintenance)\n", bad,
	       sync.nr_segments, sync.nr_synced);

	/* The same memory as a dma-buf, for another driver or process. */
	ret = mosaic_buf_export(buf, 0, 0, &dmabuf_fd);
	if (ret)
		return fail("export", ret);
	dwords = mmap(NULL, (size_t)size, PROT_READ, MAP_SHARED, dmabuf_fd, 0);
	if (dwords == MAP_FAILED)
		return fail("mmap dma-buf", -errno);
	for (off = 0; off < size; off += 8)
		dbad += dwords[off / 8] != mosaic_pattern_word(43, off);
	printf("dma-buf fd %d: %" PRIu64 " mismatches\n", dmabuf_fd, dbad);
	bad += dbad;
	munmap((void *)dwords, (size_t)size);
	close(dmabuf_fd);

	/* The mapping holds its own reference: closing the fd is fine. */
	mosaic_buf_close(buf);
	mosaic_dev_close(dev);
	bad += words[0] != mosaic_pattern_word(43, 0);
	ret = mosaic_buf_unmap(map, size);
	if (ret)
		return fail("unmap", ret);

	bad += mismatches;
	printf("%s\n", bad ? "example FAILED" : "example passed");
	return bad ? 1 : 0;
}
