// SPDX-License-Identifier: GPL-2.0
/*
 * t06_unload: the module cannot go away while anything uses it.
 *
 * delete_module(O_NONBLOCK) must fail while /dev/mosaic is open, while a
 * buffer fd is open, and while only a mapping is left (fd closed). Once
 * everything is released it must succeed, and loading mosaic.ko again
 * (finit_module) must give a working /dev/mosaic with an empty ledger.
 *
 * The module must be loaded when this program exits, even if a check
 * failed: an atexit handler reloads it if needed, so later programs and
 * the harness still find it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "mosaic_test.h"
#include "tap.h"

#define NP	32
#define SIZE	(NP * MT_PAGE)

static char ko_path[512];
static char params[1024];	/* the parameters the module was loaded with */

static int delete_module_nb(void)
{
	long r = syscall(SYS_delete_module, MT_MODULE_NAME, O_NONBLOCK);

	return r < 0 ? -errno : 0;
}

/* finit_module of mosaic.ko with the saved parameters: 0 or -errno. */
static int load_module(void)
{
	int fd = open(ko_path, O_RDONLY | O_CLOEXEC);
	long r;
	int err;

	if (fd < 0)
		return -errno;
	r = syscall(SYS_finit_module, fd, params, 0);
	err = r < 0 ? errno : 0;
	close(fd);
	return -err;
}

/* Leave the module loaded whatever happened above. */
static void ensure_loaded(void)
{
	int ret;

	if (mt_module_loaded())
		return;
	ret = load_module();
	printf("# atexit: module was not loaded, reloading %s: %s\n", ko_path,
	       ret ? strerror(-ret) : "ok");
	fflush(stdout);
}

/*
 * Remember the current parameter values so a reload behaves like the
 * harness's load (e.g. the same max_buffer_size).
 */
static void save_params(void)
{
	DIR *d = opendir("/sys/module/" MT_MODULE_NAME "/parameters");
	struct dirent *e;
	size_t used = 0;

	params[0] = '\0';
	if (!d)
		return;
	while ((e = readdir(d))) {
		char path[512], val[256];
		ssize_t n;
		int fd;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/module/%s/parameters/%s",
			 MT_MODULE_NAME, e->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, val, sizeof(val) - 1);
		close(fd);
		if (n <= 0)
			continue;
		val[n] = '\0';
		val[strcspn(val, "\n")] = '\0';
		if (strchr(val, ' '))
			continue;	/* cannot be passed back safely */
		used += (size_t)snprintf(params + used, sizeof(params) - used, "%s%s=%s",
					 used ? " " : "", e->d_name, val);
		if (used >= sizeof(params)) {
			params[0] = '\0';	/* too long: fall back to defaults */
			break;
		}
	}
	closedir(d);
}

static void diag_refcnt(const char *when)
{
	char buf[32] = "?";
	int fd = open("/sys/module/" MT_MODULE_NAME "/refcnt", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		ssize_t n = read(fd, buf, sizeof(buf) - 1);

		buf[n > 0 ? n : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		close(fd);
	}
	tap_diag("module refcnt %s: %s", when, buf);
}

/*
 * delete_module must be refused. EWOULDBLOCK (== EAGAIN) is what the
 * kernel gives for a busy module with O_NONBLOCK; EBUSY is accepted too.
 * If it wrongly succeeded, reload at once so the rest can go on.
 */
static bool expect_unload_refused(const char *what)
{
	int ret = delete_module_nb();
	bool ok = ret == -EWOULDBLOCK || ret == -EAGAIN || ret == -EBUSY;

	tap_diag("delete_module while %s: %s", what, ret ? mt_errname(ret) : "succeeded");
	tap_ok(ok && mt_module_loaded(), "unload refused while %s (%s)", what,
	       ret ? mt_errname(ret) : "it SUCCEEDED");
	if (ret == 0) {
		tap_diag("module was unloaded with users left; reloading");
		ensure_loaded();
	}
	return ok;
}

int main(void)
{
	const char *dir = getenv("MOSAIC_MODULES_DIR");
	struct mosaic_stats st;
	int dev, bfd, ret, tries;
	uint64_t mm = 1;
	char *map;

	tap_diag("t06_unload: unload refused while in use, allowed after, reload works");
	snprintf(ko_path, sizeof(ko_path), "%s/mosaic.ko", dir && *dir ? dir : "/lib/mosaic");
	atexit(ensure_loaded);

	if (!mt_module_loaded()) {
		ret = load_module();
		tap_diag("module not loaded at start; loading %s: %s", ko_path,
			 ret ? strerror(-ret) : "ok");
	}
	save_params();
	tap_diag("module parameters to reload with: \"%s\"", params);

	dev = mt_open_dev_or_bail();
	diag_refcnt("with /dev/mosaic open");
	expect_unload_refused("/dev/mosaic is open");

	bfd = mt_alloc(dev, SIZE, MOSAIC_BACKEND_PAGES, MOSAIC_STRATEGY_AUTO);
	if (bfd < 0)
		tap_bail("ALLOC failed: %s", mt_errname(bfd));
	close(dev);
	diag_refcnt("with only a buffer fd open");
	expect_unload_refused("only a buffer fd is open");

	map = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, bfd, 0);
	if (map == MAP_FAILED)
		tap_bail("mmap failed: %s", mt_errname(errno));
	ret = mt_fill(bfd, 0, SIZE, 0x6666);
	close(bfd);
	diag_refcnt("with only a mapping left");
	expect_unload_refused("only a mapping is left (fd closed)");
	tap_ok(ret == 0 && mt_user_check(map, 0, SIZE, 0x6666, NULL) == 0,
	       "the mapping still holds the FILLed data after the refused unload");
	munmap(map, SIZE);

	/* The .ko must be at hand before we unload, or we could not reload. */
	if (access(ko_path, R_OK) != 0) {
		tap_skip("module file not readable", "unload succeeds once everything is released (%s)",
			 ko_path);
		return tap_exit();
	}

	diag_refcnt("after releasing everything");
	/*
	 * File release runs when close/munmap return, so no wait should be
	 * needed; allow a short grace period anyway and report it.
	 */
	for (tries = 0; tries < 50; tries++) {
		ret = delete_module_nb();
		if (ret != -EWOULDBLOCK && ret != -EBUSY)
			break;
		usleep(100 * 1000);
	}
	if (tries)
		tap_diag("delete_module needed %d retries", tries);
	tap_ok(ret == 0, "unload succeeds once every fd and mapping is released (%s)",
	       ret ? mt_errname(ret) : "ok");
	tap_ok(!mt_module_loaded(), "/sys/module/mosaic is gone after the unload");
	ret = mt_open_dev();
	tap_ok(ret < 0, "/dev/mosaic cannot be opened while unloaded (%s)",
	       ret < 0 ? mt_errname(ret) : "it opened");
	if (ret >= 0)
		close(ret);

	ret = load_module();
	tap_ok(ret == 0 || ret == -EEXIST, "finit_module(%s) reloads the module (%s)", ko_path,
	       ret ? mt_errname(ret) : "ok");

	/* devtmpfs creates the node asynchronously: give it a moment. */
	for (tries = 0; tries < 50; tries++) {
		dev = mt_open_dev();
		if (dev >= 0)
			break;
		usleep(100 * 1000);
	}
	if (!tap_ok(dev >= 0, "/dev/mosaic opens again after the reload (%s)",
		    dev < 0 ? mt_errname(dev) : "ok"))
		return tap_exit();

	ret = mt_stats(dev, &st);
	tap_ok(ret == 0 && st.buffers == 0 && st.pages == 0 && st.maps == 0 &&
	       st.total_buffers == 0 && st.total_pages == 0,
	       "ledger of the fresh module is all zero (buffers %llu pages %llu maps %llu, totals %llu/%llu)",
	       ULL(st.buffers), ULL(st.pages), ULL(st.maps), ULL(st.total_buffers),
	       ULL(st.total_pages));

	bfd = mt_alloc(dev, SIZE, MOSAIC_BACKEND_PAGES, MOSAIC_STRATEGY_AUTO);
	map = bfd >= 0 ? mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, bfd, 0) : MAP_FAILED;
	if (map != MAP_FAILED) {
		mt_user_fill(map, 0, SIZE, 0x7777);
		ret = mt_verify(bfd, 0, SIZE, 0x7777, &mm, NULL);
	}
	tap_ok(bfd >= 0 && map != MAP_FAILED && ret == 0 && mm == 0,
	       "after the reload ALLOC + mmap + user write + VERIFY work (%llu mismatches)", ULL(mm));
	tap_ok(mt_ledger_is(dev, &(struct mosaic_stats){ 0 }, 1, NP, map != MAP_FAILED),
	       "the reloaded module's ledger counts the new buffer");
	if (map != MAP_FAILED)
		munmap(map, SIZE);
	if (bfd >= 0)
		close(bfd);
	tap_ok(mt_ledger_is(dev, &(struct mosaic_stats){ 0 }, 0, 0, 0),
	       "the reloaded module's ledger is back to zero after release");
	close(dev);
	return tap_exit();
}
