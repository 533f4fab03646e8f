// SPDX-License-Identifier: GPL-2.0
/*
 * Planted bug "sync_skip_end": the sync after CPU access (for the device)
 * is skipped. With bouncing DMA the device then reads stale bytes.
 */
#include "sync_roundtrip.h"

int main(void)
{
	return sync_roundtrip("sync_skip_end");
}
