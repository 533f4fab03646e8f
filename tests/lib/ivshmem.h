/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the guest test t32_mmio and the host tool tests/host/mmio-pattern
 * agree on about the ivshmem-plain device of the check VM.
 *
 * Before the VM boots, the host fills the file behind the device's shared
 * memory BAR with mosaic_pattern_word(IVSHMEM_HOST_SEED, o) at every file
 * offset o. The guest checks that through an mmio mapping of the BAR, then
 * writes IVSHMEM_GUEST_SEED's pattern into the second half, and prints one
 * line per region the host must find afterwards:
 *
 *   # host-check ivshmem <offset> <length> <seed> <who>
 *
 * (numbers in hex). After the VM is gone the host tool reads those lines
 * from the run's log and compares the file, one TAP line per region.
 */
#ifndef MOSAIC_TESTS_IVSHMEM_H
#define MOSAIC_TESTS_IVSHMEM_H

#define IVSHMEM_VENDOR		0x1af4
#define IVSHMEM_DEVICE		0x1110
#define IVSHMEM_BAR		2		/* the shared memory */
#define IVSHMEM_HOST_SEED	0x686f737421212121ULL
#define IVSHMEM_GUEST_SEED	0x6775657374212121ULL
#define IVSHMEM_CHECK_TAG	"host-check ivshmem"

#endif /* MOSAIC_TESTS_IVSHMEM_H */
