// SPDX-License-Identifier: GPL-2.0
/*
 * run-as: run a command as another uid/gid, with no supplementary groups.
 *
 * The test VM has busybox without su/setpriv; the mosaicctl tests use this
 * to see what an unprivileged user gets from /dev/mosaic (mode 0600 root).
 *
 * Usage: run-as UID GID PROGRAM [ARGS...]
 * Exit status: PROGRAM's, or 126 if switching or exec fails.
 */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	uid_t uid;
	gid_t gid;

	if (argc < 4) {
		fprintf(stderr, "usage: run-as UID GID PROGRAM [ARGS...]\n");
		return 126;
	}
	uid = (uid_t)strtoul(argv[1], NULL, 10);
	gid = (gid_t)strtoul(argv[2], NULL, 10);
	/* Groups first: after setuid() we may no longer change them. */
	if (setgroups(0, NULL) || setgid(gid) || setuid(uid)) {
		fprintf(stderr, "run-as: cannot switch to %u:%u: %s\n",
			(unsigned int)uid, (unsigned int)gid, strerror(errno));
		return 126;
	}
	execv(argv[3], argv + 3);
	fprintf(stderr, "run-as: cannot run %s: %s\n", argv[3], strerror(errno));
	return 126;
}
