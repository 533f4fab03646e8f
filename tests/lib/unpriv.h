/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Running part of a test as an unprivileged user.
 *
 * /dev/mosaic is root-only (0600) as the module creates it; the udev rule
 * hands it to a group. A test stands in for a member of that group by
 * opening the device as root and then dropping every privilege: the
 * ioctls check the caller's credentials at call time, so what the child
 * gets afterwards is what an ordinary user gets.
 */
#ifndef MOSAIC_TESTS_UNPRIV_H
#define MOSAIC_TESTS_UNPRIV_H

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

/* nobody:nogroup; no process of the test VM runs as this user. */
#define UNPRIV_UID	65534
#define UNPRIV_GID	65534

/*
 * Set RLIMIT_MEMLOCK (soft and hard; RLIM_INFINITY for none) while still
 * root, then become UNPRIV_UID with no supplementary groups. setuid()
 * away from root clears every capability (no SECBIT_KEEP_CAPS).
 * Returns 0 or -errno.
 */
static inline int unpriv_drop(rlim_t memlock)
{
	struct rlimit rl = { .rlim_cur = memlock, .rlim_max = memlock };

	if (setrlimit(RLIMIT_MEMLOCK, &rl))
		return -errno;
	if (setgroups(0, NULL) || setgid(UNPRIV_GID) || setuid(UNPRIV_UID))
		return -errno;
	/* Proof: root could go back; we must not be able to. */
	if (setuid(0) == 0)
		return -EPERM;
	return 0;
}

/*
 * unpriv_drop(), but keep the capabilities in @keep (a mask of 1 << CAP_*)
 * permitted and effective: a user given, say, CAP_SYS_RAWIO to name a
 * device, and still charged for RLIMIT_MEMLOCK (no CAP_IPC_LOCK).
 * Returns 0 or -errno.
 */
static inline int unpriv_drop_keep(rlim_t memlock, uint64_t keep)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];
	int ret;

	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0))
		return -errno;
	ret = unpriv_drop(memlock);
	if (ret)
		return ret;
	memset(data, 0, sizeof(data));
	data[0].permitted = data[0].effective = (uint32_t)keep;
	data[1].permitted = data[1].effective = (uint32_t)(keep >> 32);
	if (syscall(SYS_capset, &hdr, data))
		return -errno;
	return 0;
}

#endif /* MOSAIC_TESTS_UNPRIV_H */
