// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_CC_PLATFORM_HAS: cc_platform_has() and <linux/cc_platform.h>
 * arrived in 5.16 and took over from x86's sev_active() and sme_active()
 * in force_dma_unencrypted(); Debian's 5.10 has it backported.
 */
#include <linux/cc_platform.h>

bool mosaic_probe(void);

bool mosaic_probe(void)
{
	return cc_platform_has(CC_ATTR_GUEST_MEM_ENCRYPT) ||
	       cc_platform_has(CC_ATTR_HOST_MEM_ENCRYPT);
}
