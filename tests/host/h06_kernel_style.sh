#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# h06_kernel_style: the kernel's own static checks on mosaic's kernel code
# (checkpatch.pl --strict and kernel-doc on every source and header, sparse
# on every module), one result per file and per module; vm/lint --tap.
# A finding fails the check: this tree has no exceptions to justify.
set -uo pipefail
cd "${REPO:-$(dirname "$0")/../..}"
exec vm/lint --tap
