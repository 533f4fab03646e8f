# SPDX-License-Identifier: GPL-2.0
#
# mosaic top-level build. The two commands a newcomer runs:
#   make demo    set up the host, boot the VM, run the main job
#   make check   run the test suite inside the VM
#
# Build products go to $(BUILD) (default build/; not "O", which kbuild
# would take as its own); downloaded kernels are cached outside the clone
# (see vm/kernel).

BUILD    ?= $(CURDIR)/build
CC       ?= cc
CFLAGS_USER := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O2 \
	       -I$(CURDIR)/include/uapi
# The guest is a bare busybox initramfs with no libc: link statically.
LDFLAGS_GUEST := -static

# Resolved once per make run: KVER, KDIR, VMLINUZ, MODDIR of the stock kernel.
KERNEL_ENV := $(BUILD)/kernel.env

VM_RUN_FLAGS ?=

# The test VM: a real IOMMU (VT-d) in front of QEMU's edu PCI DMA device,
# so the device backends run both translated (edu) and untranslated (the
# module's own platform device) in one boot; loop for the O_DIRECT tests.
VM_CHECK_FLAGS := --qemu -device --qemu intel-iommu \
		  --qemu -device --qemu edu \
		  --append intel_iommu=on --append iommu.strict=1 --modprobe loop

.PHONY: all setup module user tests tools demo check lint clean FORCE

all: module user

setup:
	@vm/setup-host

# Regenerated every run (cheap when the cache is warm) so a new stock
# kernel is picked up without a manual clean.
$(KERNEL_ENV): setup FORCE
	@mkdir -p $(BUILD)
	@vm/kernel > $@.tmp && mv $@.tmp $@

module: $(KERNEL_ENV)
	@. $(KERNEL_ENV) && $(MAKE) -C kernel KDIR="$$KDIR"

user: tools tests

tools: $(BUILD)/tools/mosaic-demo

$(BUILD)/tools/mosaic-demo: tools/mosaic-demo.c include/uapi/linux/mosaic.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_USER) $(LDFLAGS_GUEST) -o $@ $<

# Shell tests (tests/t*.sh) run in the guest like the C ones; the tools
# they drive go to tests/tools/, which run-tests does not execute itself.
tests: tools
	@$(MAKE) -C tests BUILD=$(BUILD)
	@mkdir -p $(BUILD)/tests/tools
	@cp $(BUILD)/tools/mosaic-demo $(BUILD)/tests/tools/
	@for t in tests/t*.sh; do cp $$t $(BUILD)/tests/bin/$$(basename $$t .sh); done
	@cp tests/run-tests vm/log-patterns $(BUILD)/tests/
	@cp tests/timeouts $(BUILD)/tests/ 2>/dev/null || true

demo: module tools
	vm/run $(VM_RUN_FLAGS) --kernel-env $(KERNEL_ENV) \
		--module kernel/mosaic.ko \
		--add $(BUILD)/tools/mosaic-demo:/bin/mosaic-demo -- mosaic-demo 64

check: module tests
	vm/check $(VM_CHECK_FLAGS) $(VM_RUN_FLAGS) --kernel-env $(KERNEL_ENV) \
		--module kernel/mosaic.ko $(BUILD)/tests

# Kernel style checks; checkpatch comes from the cached linux-source tree.
lint:
	@vm/lint

clean:
	@$(MAKE) -C kernel clean KDIR=$$( . $(KERNEL_ENV) 2>/dev/null; echo $${KDIR:-/nonexistent}) >/dev/null 2>&1 || true
	rm -rf $(BUILD)

FORCE:

# ---------------------------------------------------------------------------
# Debug kernel tier: the same suite on a kernel built from Debian's
# linux-source with vm/config/base.config + vm/config/debug.config (KASAN,
# kmemleak, lockdep, DEBUG_VM, page_table_check, DEBUG_PAGEALLOC, SLUB and
# DMA-API debugging).  vm/build-kernel caches the kernel outside the clone;
# the first build takes a while, later runs find it in < 1 s.
#   make kernel-debug   build/find the debug kernel, print its KVER/KDIR/...
#   make check-debug    build mosaic.ko against it and run the test suite
# The module is built in a copy of kernel/ + include/ under $(BUILD)/debug, so
# the stock-kernel kernel/mosaic.ko is left alone.
KERNEL_DEBUG_ENV := $(BUILD)/kernel-debug.env
DEBUG_SRC := $(BUILD)/debug
DEBUG_KO := $(DEBUG_SRC)/kernel/mosaic.ko
# Everything is several times slower under KASAN & co. (and TCG): the whole
# VM run, and each test program (run-tests' default per-test timeout; the
# kernel hands unknown NAME=value command line words to init's environment).
CHECK_DEBUG_TIMEOUT ?= 5400
CHECK_DEBUG_TEST_TIMEOUT ?= 900

.PHONY: kernel-debug module-debug check-debug

$(KERNEL_DEBUG_ENV): setup FORCE
	@mkdir -p $(BUILD)
	@vm/build-kernel debug > $@.tmp && mv $@.tmp $@

kernel-debug: $(KERNEL_DEBUG_ENV)
	@cat $(KERNEL_DEBUG_ENV)

# cp -pu: only changed sources are copied, with their mtimes, so kbuild
# rebuilds only what changed.
module-debug: $(KERNEL_DEBUG_ENV)
	@mkdir -p $(DEBUG_SRC)
	@find kernel include -type f \( \( -name '*.[ch]' ! -name '*.mod.c' \) \
		-o -name Kbuild -o -name Makefile \) -exec cp -pu --parents -t $(DEBUG_SRC) {} +
	@. $(KERNEL_DEBUG_ENV) && $(MAKE) -C $(DEBUG_SRC)/kernel KDIR="$$KDIR"

check-debug: module-debug tests
	vm/check $(VM_RUN_FLAGS) --timeout $(CHECK_DEBUG_TIMEOUT) \
		--append MOSAIC_TEST_TIMEOUT=$(CHECK_DEBUG_TEST_TIMEOUT) \
		--kernel-env $(KERNEL_DEBUG_ENV) --module $(DEBUG_KO) $(BUILD)/tests
include mk/install.mk

# --- Planted bugs: the proof tier must catch each of them ------------------
# The test-only module is built from a copy of the sources with
# MOSAIC_PLANTED_BUGS=y, never in kernel/, so the normal module cannot
# pick the bugs up. It runs on the debug kernel, whose checkers (KASAN and
# friends) are part of what is being proved.
PLANTED_SRC := $(BUILD)/planted
PLANTED_KO := $(PLANTED_SRC)/kernel/mosaic.ko
PLANTED_TESTS := $(BUILD)/planted-tests

.PHONY: module-planted check-planted

module-planted: $(KERNEL_DEBUG_ENV)
	@mkdir -p $(PLANTED_SRC)
	@find kernel include -type f \( \( -name '*.[ch]' ! -name '*.mod.c' \) \
		-o -name Kbuild -o -name Makefile \) -exec cp -pu --parents -t $(PLANTED_SRC) {} +
	@. $(KERNEL_DEBUG_ENV) && $(MAKE) -C $(PLANTED_SRC)/kernel KDIR="$$KDIR" MOSAIC_PLANTED_BUGS=y

$(PLANTED_TESTS)/bin/%: tests/planted/%.c tests/planted/planted.h tests/lib/*.c tests/lib/*.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_USER) -Itests/lib -o $@ $< tests/lib/tap.c tests/lib/mosaic_test.c $(LDFLAGS_GUEST)

check-planted: module-planted $(patsubst tests/planted/%.c,$(PLANTED_TESTS)/bin/%,$(wildcard tests/planted/p*.c))
	vm/check-planted $(VM_RUN_FLAGS) --timeout $(CHECK_DEBUG_TIMEOUT) \
		--kernel-env $(KERNEL_DEBUG_ENV) --module $(PLANTED_KO) $(PLANTED_TESTS)
