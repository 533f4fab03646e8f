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

# An ivshmem-plain device whose shared memory BAR is a host file: the host
# fills it before boot, t32_mmio maps the BAR with the mmio backend, reads
# the host's pattern and writes its own, and the host checks the file
# after the VM is gone (tests/lib/ivshmem.h).
IVSHMEM_FILE := $(BUILD)/ivshmem.bin
IVSHMEM_SIZE := 1048576
VM_CHECK_IVSHMEM_FLAGS := --qemu -object --qemu memory-backend-file,id=mosaic-shm,share=on,mem-path=$(IVSHMEM_FILE),size=$(IVSHMEM_SIZE) \
		  --qemu -device --qemu ivshmem-plain,memdev=mosaic-shm
MMIO_PATTERN := $(BUILD)/host/mmio-pattern

# The test VM: a real IOMMU (VT-d) in front of QEMU's edu PCI DMA device,
# so the device backends run both translated (edu) and untranslated (the
# module's own platform device) in one boot; loop for the O_DIRECT tests.
# 3G: t14_huge maps a 1 GiB buffer of order-9 pages.
# edu sits in the hot-plug slot of a PCIe root port, with a QEMU id, so
# that t36 can unplug it and plug it back (device_del and device_add on
# QEMU's monitor, which vm/run does for the guest).
EDU_SLOT := --qemu -device --qemu pcie-root-port,id=rp0,chassis=1,slot=1 \
	    --append MOSAIC_EDU_QEMU_ID=edu0
VM_CHECK_FLAGS := --mem 3G --qemu -device --qemu intel-iommu \
		  $(EDU_SLOT) --qemu -device --qemu edu,bus=rp0,id=edu0 \
		  --append intel_iommu=on --append iommu.strict=1 --modprobe loop \
		  $(VM_CHECK_IVSHMEM_FLAGS)

# The second check VM: the device DMA tests (t30-t34 but t32, which needs
# the ivshmem device and its host check) again, without an IOMMU. edu must
# then reach all of RAM itself: QEMU's default edu only drives 28 address
# bits.
VM_CHECK_NOIOMMU_FLAGS := $(EDU_SLOT) \
		  --qemu -device --qemu edu,bus=rp0,id=edu0,dma_mask=0xffffffffffffffff
EDU_TESTS := ^t3[013456]_

# The device DMA tests once more with every streaming mapping bounced
# through swiotlb (no IOMMU and swiotlb=force, 128 MiB of slots: what
# machines without an IOMMU do for devices that cannot reach all of RAM,
# and confidential guests always). There the CPU and the device see
# different memory until a sync copies it, so a sync that is missing,
# swapped or partial shows as wrong bytes, where on coherent x86 it is
# invisible. Twice: with the segment limit mosaic_edu raises, and with
# PCI's default of 64 KiB, which splits every larger segment into
# entries that bounce one by one.
# mosaic_edu is told the device's 64-bit mask (dma_bits): its probe of the
# width maps the device's own registers with dma_map_resource(), which
# newer kernels (7.2 in the matrix) refuse under forced bouncing, since
# MMIO cannot be bounced.
VM_CHECK_BOUNCE_FLAGS := $(VM_CHECK_NOIOMMU_FLAGS) --append swiotlb=65536,force \
		  --append MOSAIC_EDU_PARAMS=dma_bits=64
VM_CHECK_BOUNCE_64K_FLAGS := $(VM_CHECK_NOIOMMU_FLAGS) --append swiotlb=65536,force \
		  --append MOSAIC_EDU_PARAMS=dma_bits=64,max_seg_size=65536

# Lockdown (t38_mmio_lockdown) gets a VM of its own: locking the kernel
# down cannot be undone, and it stops what the other tests need (loading
# mosaic_edu, which is unsigned, and most of debugfs), so it can neither
# run among them nor after them in one boot. The test skips unless
# MOSAIC_LOCKDOWN_TEST=1 says the VM is its own. edu is the BAR it maps;
# mosaic_edu is not loaded there.
VM_CHECK_LOCKDOWN_FLAGS := $(EDU_SLOT) --qemu -device --qemu edu,bus=rp0,id=edu0 \
		  --append MOSAIC_LOCKDOWN_TEST=1
LOCKDOWN_TESTS := ^t38_

# The VMs load the test build of mosaic (MOSAIC_TESTING=y: the inspection
# ioctls of linux/mosaic_testing.h, which the production module in kernel/
# does not have), built in a copy of the sources under $(TESTING_SRC).
# mosaic is loaded at boot; its sample driver only ships in the guest's
# modules directory and the edu tests (t30-t34) load it themselves: a
# module that uses mosaic's symbols pins mosaic, and t06_unload and
# t21_mosaicctl, which run first, unload and reload mosaic.
TESTING_SRC := $(BUILD)/testing
CHECK_MODULES := --module $(TESTING_SRC)/kernel/mosaic.ko \
		 --add $(TESTING_SRC)/drivers/edu/mosaic_edu.ko:/lib/mosaic/mosaic_edu.ko

# $(call copy_module_src,DIR): the sources of mosaic and its sample driver,
# copied to DIR for a build of its own. cp -pu: only changed files are
# copied, with their mtimes, so kbuild rebuilds only what changed.
copy_module_src = mkdir -p $(1) && find kernel include drivers -type f \
	\( \( -name '*.[ch]' ! -name '*.mod.c' \) -o -name Kbuild -o -name Makefile \) \
	-exec cp -pu --parents -t $(1) {} +

# $(call build_edu,DIR): the sample driver in DIR/drivers/edu, built as a
# driver outside mosaic's tree is (drivers/edu/Makefile): against DIR's
# include/ and the Module.symvers of the mosaic just built in DIR/kernel.
# In a recipe that has sourced a kernel env (KDIR).
build_edu = $(MAKE) -C $(1)/drivers/edu KDIR="$$KDIR" \
	MOSAIC_INCLUDE=$(1)/include MOSAIC_SYMVERS=$(1)/kernel/Module.symvers

.PHONY: all setup module module-testing user tests tools demo check lint clean FORCE

all: module user

setup:
	@vm/setup-host

# Regenerated every run (cheap when the cache is warm) so a new stock
# kernel is picked up without a manual clean.
$(KERNEL_ENV): setup FORCE
	@mkdir -p $(BUILD)
	@vm/kernel > $@.tmp && mv $@.tmp $@

# drivers/edu (mosaic_edu.ko, the sample driver) links against mosaic's
# symbols: it is built after kernel/, with its Module.symvers.
module: $(KERNEL_ENV)
	@. $(KERNEL_ENV) && $(MAKE) -j$$(nproc) -C kernel KDIR="$$KDIR"
	@. $(KERNEL_ENV) && $(call build_edu,$(CURDIR))

# The test build for the stock kernel, with its own sample driver.
module-testing: $(KERNEL_ENV)
	@$(call copy_module_src,$(TESTING_SRC))
	@. $(KERNEL_ENV) && $(MAKE) -j$$(nproc) -C $(TESTING_SRC)/kernel KDIR="$$KDIR" MOSAIC_TESTING=y
	@. $(KERNEL_ENV) && $(call build_edu,$(TESTING_SRC))

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
	@cp tests/run-tests vm/log-patterns vm/log-scan $(BUILD)/tests/
	@cp tests/timeouts $(BUILD)/tests/ 2>/dev/null || true

# Only what the demo runs: a newcomer's first command should not wait for
# the library, the CLI or the tests. The demo shows page references from
# the kernel's side, which only the test build can show.
demo: module-testing $(BUILD)/tools/mosaic-demo
	vm/run $(VM_RUN_FLAGS) --kernel-env $(KERNEL_ENV) \
		--module $(TESTING_SRC)/kernel/mosaic.ko \
		--add $(BUILD)/tools/mosaic-demo:/bin/mosaic-demo -- mosaic-demo 64

$(MMIO_PATTERN): tests/host/mmio-pattern.c tests/lib/ivshmem.h include/uapi/linux/mosaic.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_USER) -o $@ $<

# Seven passes, one TAP stream, one total (vm/check-multi): the host-side
# static and packaging checks (tests/host: man pages, install, symbols,
# cppcheck, DKMS, checkpatch, kernel-doc, sparse); the whole suite behind
# VT-d; the device DMA tests again without an IOMMU, and twice more with
# swiotlb bouncing; the lockdown test in a VM of its own; the host's
# check of the ivshmem file the first VM wrote to.
check: module module-testing tests $(MMIO_PATTERN) lib mosaicctl
	@$(MMIO_PATTERN) fill $(IVSHMEM_FILE) $(IVSHMEM_SIZE)
	@vm/check-multi --log-dir $(BUILD)/check-logs \
		--pass host env BUILD=$(BUILD) KERNEL_ENV=$(KERNEL_ENV) tests/host/run \
		--pass iommu vm/check $(VM_CHECK_FLAGS) $(VM_RUN_FLAGS) \
			--kernel-env $(KERNEL_ENV) $(CHECK_MODULES) $(BUILD)/tests \
		--pass no-iommu vm/check --only '$(EDU_TESTS)' \
			$(VM_CHECK_NOIOMMU_FLAGS) $(VM_RUN_FLAGS) \
			--kernel-env $(KERNEL_ENV) $(CHECK_MODULES) $(BUILD)/tests \
		--pass bounce vm/check --only '$(EDU_TESTS)' \
			$(VM_CHECK_BOUNCE_FLAGS) $(VM_RUN_FLAGS) \
			--kernel-env $(KERNEL_ENV) $(CHECK_MODULES) $(BUILD)/tests \
		--pass bounce-64k vm/check --only '$(EDU_TESTS)' \
			$(VM_CHECK_BOUNCE_64K_FLAGS) $(VM_RUN_FLAGS) \
			--kernel-env $(KERNEL_ENV) $(CHECK_MODULES) $(BUILD)/tests \
		--pass lockdown vm/check --only '$(LOCKDOWN_TESTS)' \
			$(VM_CHECK_LOCKDOWN_FLAGS) $(VM_RUN_FLAGS) \
			--kernel-env $(KERNEL_ENV) $(CHECK_MODULES) $(BUILD)/tests \
		--pass ivshmem-host $(MMIO_PATTERN) check $(IVSHMEM_FILE) \
			$(BUILD)/check-logs/iommu.log

# Kernel style checks; checkpatch comes from the cached linux-source tree.
lint:
	@vm/lint

clean:
	@$(MAKE) -C kernel clean KDIR=$$( . $(KERNEL_ENV) 2>/dev/null; echo $${KDIR:-/nonexistent}) >/dev/null 2>&1 || true
	@$(MAKE) -C drivers/edu clean KDIR=$$( . $(KERNEL_ENV) 2>/dev/null; echo $${KDIR:-/nonexistent}) >/dev/null 2>&1 || true
	rm -rf $(BUILD)

FORCE:

# ---------------------------------------------------------------------------
# Debug kernel tier: the same suite on kernels built from Debian's
# linux-source with vm/config/base.config + vm/config/debug.config (KASAN,
# kmemleak, lockdep with RCU checking, atomic-sleep checking, a preemptible
# kernel, DEBUG_VM, page_table_check, DEBUG_PAGEALLOC, SLUB and DMA-API
# debugging), one per suite of DEBUG_SUITES: 6.1 (bookworm) and the newest
# (sid), whose mm (per-VMA locks, RCU-protected fault paths, folios) has
# changed the most. vm/build-kernel caches each kernel outside the clone;
# the first build takes a while, later runs find it in < 1 s.
#   make kernel-debug                  build/find the debug kernels, print them
#   make check-debug                   the suite on every one of them
#   make check-debug DEBUG_SUITES=sid  on one (or some) of them
# Per suite S the module is built in a copy of the sources under
# $(BUILD)/debug-S (the test build) and $(BUILD)/planted-S (with the planted
# bugs), so kernel/ is left alone.
DEBUG_SUITES ?= bookworm sid
debug_env = $(BUILD)/kernel-debug-$(1).env
debug_src = $(BUILD)/debug-$(1)
planted_src = $(BUILD)/planted-$(1)
debug_ivshmem = $(BUILD)/ivshmem-debug-$(1).bin
DEBUG_ENVS := $(foreach s,$(DEBUG_SUITES),$(call debug_env,$(s)))
# The third IOMMU setup: virtio-iommu (the stock kernel has no driver for
# it, the debug kernel has it built in) in front of edu, with the ivshmem
# device; check-debug runs the device tests there in a second VM.
VM_CHECK_VIRTIO_IOMMU_FLAGS := --qemu -device --qemu virtio-iommu-pci \
		  $(EDU_SLOT) --qemu -device --qemu edu,bus=rp0,id=edu0 \
		  $(VM_CHECK_IVSHMEM_FLAGS)
# t97_faultinject runs there too: the IOMMU's mapping paths and the
# device backends for edu and ivshmem get their failure points injected.
EDU_DEBUG_TESTS := ^(t97_|t3[0-6]_)
# Everything is several times slower under KASAN & co. (and TCG): the whole
# VM run, and each test program (run-tests' default per-test timeout; the
# kernel hands unknown NAME=value command line words to init's environment).
CHECK_DEBUG_TIMEOUT ?= 5400
CHECK_DEBUG_TEST_TIMEOUT ?= 900
# Abuse (docs/security.md): the whole-suite pass runs the stress
# and fuzz tests short; the "abuse" pass runs them at full length with the
# edu device behind virtio-iommu (dma-buf attach/detach), then
# vm/fuzz-syscalls runs trinity and stress-ng --mmap. Each is bounded.
DEBUG_SHORT_ABUSE := --append MOSAIC_FUZZ_CALLS=50000
DEBUG_ABUSE_FLAGS := --append MOSAIC_STRESS_SECS=90 \
		  --append MOSAIC_FUZZ_CALLS=1000000 --append MOSAIC_FUZZ_SECS=1500 \
		  --append MOSAIC_TEST_TIMEOUT=1800
FUZZ_SYSCALLS_SECS ?= 300
# The suites check-abuse runs on.
ABUSE_SUITES ?= $(DEBUG_SUITES)

.PHONY: kernel-debug module-debug check-debug check-abuse

$(BUILD)/kernel-debug-%.env: setup FORCE
	@mkdir -p $(BUILD)
	@vm/build-kernel --suite $* debug > $@.tmp && mv $@.tmp $@

kernel-debug: $(DEBUG_ENVS)
	@for s in $(DEBUG_SUITES); do echo "# $$s"; cat $(BUILD)/kernel-debug-$$s.env; done

# The test build and the sample driver against each debug kernel.
module-debug: $(DEBUG_ENVS)
	@set -e; for s in $(DEBUG_SUITES); do \
		$(call copy_module_src,$(BUILD)/debug-$$s); \
		( . $(BUILD)/kernel-debug-$$s.env && \
		  $(MAKE) -C $(BUILD)/debug-$$s/kernel KDIR="$$KDIR" MOSAIC_TESTING=y && \
		  $(call build_edu,$(BUILD)/debug-$$s) ); \
	done

# Per suite: the suite on the debug kernel, then the device tests behind
# virtio-iommu and the host's check of what that VM wrote into the
# ivshmem file (a file of its own, so check and check-debug can run side
# by side), the device tests again with swiotlb bouncing under DMA-API
# debugging, then the planted bugs. One TAP stream and one total for all
# suites; pass names start with the suite.
debug_passes = \
	--pass $(1)-debug vm/check --mem 3G $(VM_RUN_FLAGS) \
		--timeout $(CHECK_DEBUG_TIMEOUT) \
		--append MOSAIC_TEST_TIMEOUT=$(CHECK_DEBUG_TEST_TIMEOUT) \
		$(DEBUG_SHORT_ABUSE) \
		--kernel-env $(call debug_env,$(1)) --module $(call debug_src,$(1))/kernel/mosaic.ko \
		--add $(call debug_src,$(1))/drivers/edu/mosaic_edu.ko:/lib/mosaic/mosaic_edu.ko \
		--add $(call debug_src,$(1))/kernel/mosaic_kunit.ko:/lib/mosaic/mosaic_kunit.ko \
		$(BUILD)/tests \
	--pass $(1)-virtio-iommu vm/check --only '$(EDU_DEBUG_TESTS)' \
		$(subst $(IVSHMEM_FILE),$(call debug_ivshmem,$(1)),$(VM_CHECK_VIRTIO_IOMMU_FLAGS)) \
		$(VM_RUN_FLAGS) --timeout $(CHECK_DEBUG_TIMEOUT) \
		--append MOSAIC_TEST_TIMEOUT=$(CHECK_DEBUG_TEST_TIMEOUT) \
		--kernel-env $(call debug_env,$(1)) --module $(call debug_src,$(1))/kernel/mosaic.ko \
		--add $(call debug_src,$(1))/drivers/edu/mosaic_edu.ko:/lib/mosaic/mosaic_edu.ko $(BUILD)/tests \
	--pass $(1)-ivshmem-host $(MMIO_PATTERN) check $(call debug_ivshmem,$(1)) \
		$(BUILD)/check-debug-logs/$(1)-virtio-iommu.log \
	--pass $(1)-bounce vm/check --only '$(EDU_TESTS)' \
		$(VM_CHECK_BOUNCE_64K_FLAGS) $(VM_RUN_FLAGS) \
		--timeout $(CHECK_DEBUG_TIMEOUT) \
		--append MOSAIC_TEST_TIMEOUT=$(CHECK_DEBUG_TEST_TIMEOUT) \
		--kernel-env $(call debug_env,$(1)) --module $(call debug_src,$(1))/kernel/mosaic.ko \
		--add $(call debug_src,$(1))/drivers/edu/mosaic_edu.ko:/lib/mosaic/mosaic_edu.ko $(BUILD)/tests \
	--pass $(1)-planted vm/check-planted $(call planted_vm_flags,$(1)) \
		$(VM_RUN_FLAGS) --timeout $(CHECK_DEBUG_TIMEOUT) \
		--kernel-env $(call debug_env,$(1)) --module $(call planted_src,$(1))/kernel/mosaic.ko \
		$(PLANTED_TESTS)

check-debug: module-debug tests $(MMIO_PATTERN) module-planted planted-tests
	@for s in $(DEBUG_SUITES); do $(MMIO_PATTERN) fill $(BUILD)/ivshmem-debug-$$s.bin $(IVSHMEM_SIZE) || exit 1; done
	@vm/check-multi --log-dir $(BUILD)/check-debug-logs \
		$(foreach s,$(DEBUG_SUITES),$(call debug_passes,$(s)))

# The long abuse runs, per suite of ABUSE_SUITES: t54 stress and
# t55 fuzz at full length, and trinity + stress-ng for FUZZ_SYSCALLS_SECS.
# The debug pass of check-debug runs t51-t55 short; .ci/run runs this
# target after it with CI_ABUSE=1.
abuse_passes = \
	--pass $(1)-abuse vm/check --only '^t5[45]_' \
		--qemu -device --qemu virtio-iommu-pci --qemu -device --qemu edu \
		$(VM_RUN_FLAGS) --timeout $(CHECK_DEBUG_TIMEOUT) $(DEBUG_ABUSE_FLAGS) \
		--kernel-env $(call debug_env,$(1)) --module $(call debug_src,$(1))/kernel/mosaic.ko \
		--add $(call debug_src,$(1))/drivers/edu/mosaic_edu.ko:/lib/mosaic/mosaic_edu.ko $(BUILD)/tests \
	--pass $(1)-fuzz-syscalls vm/fuzz-syscalls --secs $(FUZZ_SYSCALLS_SECS) \
		--tests $(BUILD)/tests $(VM_RUN_FLAGS) \
		--kernel-env $(call debug_env,$(1)) --module $(call debug_src,$(1))/kernel/mosaic.ko

check-abuse: module-debug tests
	@vm/check-multi --log-dir $(BUILD)/check-abuse-logs \
		$(foreach s,$(ABUSE_SUITES),$(call abuse_passes,$(s)))

include mk/install.mk

# --- Planted bugs: the proof tier must catch each of them ------------------
# The test-only module is built from a copy of the sources with
# MOSAIC_PLANTED_BUGS=y, never in kernel/, so the normal module cannot
# pick the bugs up. It runs on each debug kernel, whose checkers (KASAN
# and friends) are part of what is being proved.
PLANTED_TESTS := $(BUILD)/planted-tests

.PHONY: module-planted planted-tests check-planted

# The planted sync bugs show only where syncs do something: the planted VM
# bounces every streaming mapping (the bounce pass's setup) and has the
# edu device and its driver.
planted_vm_flags = $(VM_CHECK_BOUNCE_FLAGS) \
		   --add $(call debug_src,$(1))/drivers/edu/mosaic_edu.ko:/lib/mosaic/mosaic_edu.ko

planted-tests: $(patsubst tests/planted/%.c,$(PLANTED_TESTS)/bin/%,$(wildcard tests/planted/p*.c))

module-planted: $(DEBUG_ENVS)
	@set -e; for s in $(DEBUG_SUITES); do \
		$(call copy_module_src,$(BUILD)/planted-$$s); \
		( . $(BUILD)/kernel-debug-$$s.env && \
		  $(MAKE) -C $(BUILD)/planted-$$s/kernel KDIR="$$KDIR" MOSAIC_PLANTED_BUGS=y ); \
	done

$(PLANTED_TESTS)/bin/%: tests/planted/%.c tests/planted/*.h tests/lib/*.c tests/lib/*.h lib/names.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_USER) -Itests/lib -o $@ $< $(wildcard tests/lib/*.c) lib/names.c $(LDFLAGS_GUEST)

# On their own; check-debug runs them as one of its passes per suite.
check-planted: module-planted module-debug planted-tests
	@set -e; for s in $(DEBUG_SUITES); do \
		vm/check-planted $(call planted_vm_flags,$$s) $(VM_RUN_FLAGS) \
			--timeout $(CHECK_DEBUG_TIMEOUT) \
			--kernel-env $(BUILD)/kernel-debug-$$s.env \
			--module $(BUILD)/planted-$$s/kernel/mosaic.ko $(PLANTED_TESTS); \
	done

# --- Kernel matrix: the suite on every kernel users run ----------------------
# 5.10 (bullseye), 6.1 (bookworm: Debian's stock kernel, as in make check),
# 6.12 (trixie) and whatever sid has (7.2 as of writing).  The kernels other
# than the stock one are built from their suite's linux-source with
# vm/config/base.config + matrix.config (+ series/X.Y.config) and cached
# (vm/build-kernel --suite SUITE matrix); the first run builds them, which
# takes a while each.  Per kernel the module is built with W=1 in a copy
# under $(BUILD)/matrix/SUITE/src (a warning fails the run), then the passes
# of make check run against it.  The last line is the combined total.
#   make check-matrix                       all four
#   make check-matrix MATRIX_SUITES=bullseye  one (or some) of them
#   make kernel-matrix                      build/find the kernels, print them
MATRIX_SUITES ?= bullseye bookworm trixie sid
MATRIX_DIR := $(BUILD)/matrix

.PHONY: check-matrix check-matrix-kernel kernel-matrix

check-matrix: setup tests $(MMIO_PATTERN) lib mosaicctl
	@vm/check-matrix --dir $(MATRIX_DIR) $(MATRIX_SUITES) -- \
		$(MAKE) --no-print-directory -s check-matrix-kernel

kernel-matrix: setup
	@for s in $(MATRIX_SUITES); do echo "# $$s"; vm/check-matrix --kernel $$s || exit 1; done

# One kernel, run by vm/check-matrix with MATRIX_K=$(MATRIX_DIR)/SUITE (its
# kernel.env, build.tap, and the modules in src/): the passes of make check,
# with that kernel, those modules and an ivshmem file of its own.
MK = $(MATRIX_K)
MATRIX_MODULES = $(subst $(TESTING_SRC)/,$(MK)/src/,$(CHECK_MODULES)) \
	$(if $(wildcard $(MK)/src/kernel/mosaic_kunit.ko),--add $(MK)/src/kernel/mosaic_kunit.ko:/lib/mosaic/mosaic_kunit.ko)
check-matrix-kernel:
	@test -n "$(MK)" || { echo "check-matrix-kernel: for vm/check-matrix; run make check-matrix" >&2; exit 2; }
	@$(MMIO_PATTERN) fill $(MK)/ivshmem.bin $(IVSHMEM_SIZE)
	@vm/check-multi --log-dir $(MK)/logs \
		--pass build cat $(MK)/build.tap \
		--pass iommu vm/check $(subst $(IVSHMEM_FILE),$(MK)/ivshmem.bin,$(VM_CHECK_FLAGS)) \
			$(VM_RUN_FLAGS) --kernel-env $(MK)/kernel.env $(MATRIX_MODULES) $(BUILD)/tests \
		--pass no-iommu vm/check --only '$(EDU_TESTS)' \
			$(VM_CHECK_NOIOMMU_FLAGS) $(VM_RUN_FLAGS) \
			--kernel-env $(MK)/kernel.env $(MATRIX_MODULES) $(BUILD)/tests \
		--pass bounce vm/check --only '$(EDU_TESTS)' \
			$(VM_CHECK_BOUNCE_FLAGS) $(VM_RUN_FLAGS) \
			--kernel-env $(MK)/kernel.env $(MATRIX_MODULES) $(BUILD)/tests \
		--pass bounce-64k vm/check --only '$(EDU_TESTS)' \
			$(VM_CHECK_BOUNCE_64K_FLAGS) $(VM_RUN_FLAGS) \
			--kernel-env $(MK)/kernel.env $(MATRIX_MODULES) $(BUILD)/tests \
		--pass lockdown vm/check --only '$(LOCKDOWN_TESTS)' \
			$(VM_CHECK_LOCKDOWN_FLAGS) $(VM_RUN_FLAGS) \
			--kernel-env $(MK)/kernel.env $(MATRIX_MODULES) $(BUILD)/tests \
		--pass ivshmem-host $(MMIO_PATTERN) check $(MK)/ivshmem.bin $(MK)/logs/iommu.log

# --- Benchmarks (docs/performance.md) -----------------------------------------
# make bench: every backend x strategy pair and the kernel's own peers, 4 MiB
# to 1 GiB, on the bench kernel (vm/build-kernel bench: base.config +
# bench.config, no debugging options), in one VM under QEMU -icount (the
# measurement) and one without (wall time); results in $(BUILD)/bench/,
# report in docs/performance.md. Not part of .ci/run; make check runs the
# smoke version (tests/t40_bench_smoke.sh: one size, every row, checked).
#   make bench                          the whole run
#   make bench BENCH_FLAGS='--sizes 4M,64M --reps 5'   a subset (mosaic-bench args)
#   make bench BENCH_RUN_FLAGS=--serial   the passes one after the other
#   make bench-report                   regenerate the report from $(BUILD)/bench
#   make bench-smoke                    the smoke test alone, on the stock kernel
#   make bench BENCH_KERNEL_ENV=FILE    reuse a bench kernel built already (a
#                                       file vm/build-kernel bench printed)
# Every row runs at every size (under 8 minutes on 2 quiet cores); on a
# loaded host BENCH_FLAGS='--large-rows REGEX' keeps only some rows at
# 1 GiB (mosaic-bench --help).
# The module is built in a copy under $(BUILD)/bench/src, like module-debug.
BENCH_KERNEL_ENV ?=
KERNEL_BENCH_ENV := $(or $(BENCH_KERNEL_ENV),$(BUILD)/kernel-bench.env)
BENCH_OUT := $(BUILD)/bench
BENCH_SRC := $(BENCH_OUT)/src
BENCH_KO := $(BENCH_SRC)/kernel/mosaic.ko
BENCH_BIN := $(BUILD)/tools/mosaic-bench
BENCH_FLAGS ?=
BENCH_RUN_FLAGS ?=

.PHONY: bench bench-report bench-smoke bench-huge kernel-bench module-bench

ifeq ($(BENCH_KERNEL_ENV),)
$(KERNEL_BENCH_ENV): setup FORCE
	@mkdir -p $(BUILD)
	@vm/build-kernel bench > $@.tmp && mv $@.tmp $@
endif

kernel-bench: $(KERNEL_BENCH_ENV)
	@cat $(KERNEL_BENCH_ENV)

# The test build: mosaic-bench checks the data with the kernel's VERIFY.
module-bench: $(KERNEL_BENCH_ENV)
	@$(call copy_module_src,$(BENCH_SRC))
	@. $(KERNEL_BENCH_ENV) && $(MAKE) -C $(BENCH_SRC)/kernel KDIR="$$KDIR" MOSAIC_TESTING=y

# Linked with libmosaic (mk/install.mk) for the names of the backends and
# strategies and the pairs that are valid, and with the tests' TAP writer
# for --tap.
BENCH_SRCS := $(sort $(wildcard bench/mosaic-bench/*.c)) tests/lib/tap.c
$(BENCH_BIN): $(BENCH_SRCS) bench/mosaic-bench/mosaic-bench.h tests/lib/tap.h \
	      include/uapi/linux/mosaic.h include/uapi/linux/mosaic_testing.h \
	      lib/include/mosaic/mosaic.h $(BUILD)/lib/libmosaic.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_CTL) -Itests/lib $(LDFLAGS_GUEST) -o $@ $(BENCH_SRCS) \
		$(BUILD)/lib/libmosaic.a

# make install puts it in libexec (mk/install.mk, read before BENCH_BIN is
# set: the prerequisite is added here).
install: $(BENCH_BIN)

# The smoke test's copy (tests/t40_bench_smoke.sh runs ../tools/mosaic-bench).
tests: $(BUILD)/tests/tools/mosaic-bench

$(BUILD)/tests/tools/mosaic-bench: $(BENCH_BIN)
	@mkdir -p $(dir $@)
	cp $< $@

bench: module-bench $(BENCH_BIN)
	@bench/run --kernel-env $(KERNEL_BENCH_ENV) --module $(BENCH_KO) \
		--bin $(BENCH_BIN) --out $(BENCH_OUT) --doc docs/performance.md \
		--command "make bench$(if $(strip $(BENCH_FLAGS)), BENCH_FLAGS='$(strip $(BENCH_FLAGS))')" \
		$(BENCH_RUN_FLAGS) -- $(BENCH_FLAGS)

bench-report:
	@bench/report --icount $(BENCH_OUT)/icount.out \
		$(if $(wildcard $(BENCH_OUT)/wall.out),--wall $(BENCH_OUT)/wall.out) \
		--out $(BENCH_OUT) --doc docs/performance.md

# Strategy huge on the bench kernel (6.1) and the matrix's own
# kernels (make check-matrix builds them): compound/huge against the
# insert-page loop at 1 GiB, one icount boot per kernel.
HUGE_SUITES := bullseye trixie sid
bench-huge: module-bench $(BENCH_BIN)
	@bench/huge-kernels --bin $(BENCH_BIN) --out $(BUILD)/bench-huge \
		--doc docs/huge-kernels.md --command "make bench-huge" \
		$(KERNEL_BENCH_ENV) $(BENCH_KO) \
		$(foreach s,$(HUGE_SUITES),$(MATRIX_DIR)/$(s)/kernel.env $(MATRIX_DIR)/$(s)/src/kernel/mosaic.ko)

bench-smoke: module-testing $(BENCH_BIN)
	vm/run $(VM_RUN_FLAGS) --kernel-env $(KERNEL_ENV) --module $(TESTING_SRC)/kernel/mosaic.ko \
		--add $(BENCH_BIN):/bin/mosaic-bench -- mosaic-bench --tap
