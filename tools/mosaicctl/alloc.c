// SPDX-License-Identifier: GPL-2.0
/*
 * mosaicctl alloc: allocate a buffer and say what it got; with --hold,
 * keep it alive for other tools to observe until SIGINT or SIGTERM.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "mosaicctl.h"

int cmd_alloc(struct ctl *c)
{
	struct mosaic_buf_info info;
	struct mosaic_dev *dev;
	struct mosaic_buf *buf;
	struct json j = { 0 };
	sigset_t set;
	char sz[32];
	int ret, sig;

	/* Blocked before the buffer exists: no signal is lost after "ready". */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (c->hold) {
		/* A shell starts background jobs with SIGINT ignored. */
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		sigprocmask(SIG_BLOCK, &set, NULL);
	}

	ret = alloc_with_info(c, &dev, &buf, &info);
	if (ret)
		return ret;
	if (c->json) {
		json_obj(&j, NULL);
		json_bool(&j, "ok", true);
		json_buf_head(&j, c, &info);
		json_i64(&j, "fd", mosaic_buf_fd(buf));
		json_i64(&j, "pid", (int64_t)getpid());
		json_bool(&j, "hold", c->hold);
		json_obj_end(&j);
	} else {
		printf("%sfd %d: %s, backend %s, strategy %s, pid %ld%s\n",
		       c->hold ? "ready: " : "", mosaic_buf_fd(buf),
		       fmt_size(info.size, sz, sizeof(sz)),
		       mosaic_backend_name(info.backend),
		       mosaic_strategy_name(info.strategy), (long)getpid(),
		       c->hold ? "; holding it until SIGINT or SIGTERM" : "");
		fflush(stdout);
	}
	if (c->hold)
		while (sigwait(&set, &sig) != 0)
			;
	mosaic_buf_close(buf);
	mosaic_dev_close(dev);
	return EXIT_OK;
}
