// SPDX-License-Identifier: GPL-2.0
/*
 * Planted bug "sync_swap": every sync goes the wrong way, for the device
 * when the CPU begins and for the CPU when it ends. With bouncing DMA the
 * device then reads stale bytes and the CPU never sees what it wrote.
 */
#include "sync_roundtrip.h"

int main(void)
{
	return sync_roundtrip("sync_swap");
}
