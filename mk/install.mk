# SPDX-License-Identifier: GPL-2.0
#
# libmosaic, mosaicctl, their tests, and installing on a real machine.
# Included at the end of the top-level Makefile, so BUILD, CC and
# CFLAGS_USER come from there.
#
#   make lib             libmosaic.so.* and libmosaic.a in $(BUILD)/lib
#   make mosaicctl       $(BUILD)/tools/mosaicctl (static: it also runs in the VM)
#   make install         module, headers, library, pkg-config file, mosaicctl,
#                        mosaic-bench and mosaic-bench-stats (in $(LIBEXECDIR)/mosaic),
#                        man pages, udev rule (PREFIX, DESTDIR, KVER honoured)
#   make install-dkms    the DKMS source tree in /usr/src/mosaic-$(VERSION):
#                        also the headers drivers on mosaic build against
#                        (include/; docs/driver-guide.md)
#   make uninstall       remove what install put there
#   make uninstall-dkms  remove the DKMS source tree
#   make check-host      the host-side checks (tests/host/*.sh, TAP)
#
# The module is installed for KVER, by default the running kernel; unlike
# `make module` this does not fetch Debian's stock kernel for the VM.
# Example: make install DESTDIR=/tmp/root PREFIX=/usr KVER=6.1.0-56-amd64

VERSION := $(shell cat $(CURDIR)/VERSION)

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
LIBEXECDIR ?= $(PREFIX)/libexec
# mosaic-bench and mosaic-bench-stats (bench/stats.py), which `mosaicctl
# bench` runs (the directory is compiled into mosaicctl).
MOSAIC_LIBEXEC := $(LIBEXECDIR)/mosaic
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
# udev and DKMS look in fixed places, whatever PREFIX is.
UDEVRULESDIR ?= /lib/udev/rules.d
DKMSDIR ?= /usr/src
DESTDIR ?=

KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build

LIB_OUT := $(BUILD)/lib
LIBMOSAIC_A := $(LIB_OUT)/libmosaic.a
LIBMOSAIC_SO := libmosaic.so.1.0.0
CFLAGS_CTL := $(CFLAGS_USER) -I$(CURDIR)/lib/include \
	      -DMOSAIC_VERSION='"$(VERSION)"' \
	      -DMOSAIC_LIBEXECDIR='"$(MOSAIC_LIBEXEC)"'
LIB_HDRS := lib/include/mosaic/mosaic.h include/uapi/linux/mosaic.h

MAN_PAGES := $(sort $(wildcard man/*.[1-8]))

# Sources of the module as DKMS and `make install` build it: kernel/ and
# include/ side by side (kernel/Kbuild includes ../include).
MODULE_SRCS = $(shell find kernel include -type f \( \( -name '*.[ch]' \
	! -name '*.mod.c' \) -o -name Kbuild -o -name Makefile \))

.PHONY: lib mosaicctl install install-module install-dkms uninstall \
	uninstall-dkms check-host test-extras

# ---------------------------------------------------------------------------
# Build

# lib/Makefile knows its own dependencies: always ask it.
lib:
	@$(MAKE) -C lib BUILD=$(BUILD) PREFIX=$(PREFIX) LIBDIR=$(LIBDIR) \
		INCLUDEDIR=$(INCLUDEDIR)

$(LIBMOSAIC_A): lib

mosaicctl: $(BUILD)/tools/mosaicctl $(BUILD)/tools/mosaic-bench-stats

# Next to mosaicctl, where `mosaicctl bench` looks for it first.
$(BUILD)/tools/mosaic-bench-stats: bench/stats.py
	@mkdir -p $(dir $@)
	cp $< $@

# The libexec directory is compiled in: rebuild when PREFIX changes it.
CTL_PATHS := $(BUILD)/tools/.mosaicctl-libexec
$(CTL_PATHS): FORCE
	@mkdir -p $(dir $@)
	@echo '$(MOSAIC_LIBEXEC)' | cmp -s - $@ 2>/dev/null || echo '$(MOSAIC_LIBEXEC)' > $@

# tools/mosaicctl/: main.c, one file per command, and what they share.
CTL_SRCS := $(sort $(wildcard tools/mosaicctl/*.c))
$(BUILD)/tools/mosaicctl: $(CTL_SRCS) tools/mosaicctl/mosaicctl.h $(LIB_HDRS) \
			  $(LIBMOSAIC_A) VERSION $(CTL_PATHS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_CTL) $(LDFLAGS_GUEST) -o $@ $(CTL_SRCS) $(LIBMOSAIC_A)

# `make` (all) and `make tools` build the library and mosaicctl too.
user: lib
tools: mosaicctl

# ---------------------------------------------------------------------------
# The tools the shell tests (tests/t2*.sh, copied into bin/ by the top-level
# `tests` rule) run in the VM, in $(BUILD)/tests/tools/ since run-tests runs
# everything in bin/ as a test.

TEST_TOOLS := $(BUILD)/tests/tools

tests: test-extras

test-extras: $(TEST_TOOLS)/mosaicctl $(TEST_TOOLS)/mosaic-example \
	     $(TEST_TOOLS)/json-check $(TEST_TOOLS)/run-as

# The libmosaic tests (tests/lib/libmosaic_test.h) against the real
# libmosaic.a. tests/Makefile builds every t*.c without the library, so
# there they compile the library's sources in instead; built here first,
# they are newer than everything tests/Makefile checks and stay as they are.
LIBMOSAIC_TESTS := $(BUILD)/tests/bin/t20_libmosaic \
		   $(BUILD)/tests/bin/t23_libmosaic_1_1

tests: $(LIBMOSAIC_TESTS)

$(LIBMOSAIC_TESTS): $(BUILD)/tests/bin/%: tests/%.c $(wildcard tests/lib/*.c) \
	$(wildcard tests/lib/*.h) $(LIB_HDRS) $(LIBMOSAIC_A)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_CTL) -I$(CURDIR)/tests/lib -DMOSAIC_TEST_LINK_LIBMOSAIC \
		$(LDFLAGS_GUEST) -o $@ $< $(wildcard tests/lib/*.c) \
		$(LIBMOSAIC_A)

$(TEST_TOOLS)/mosaicctl: $(BUILD)/tools/mosaicctl
	@mkdir -p $(dir $@)
	cp $< $@

$(TEST_TOOLS)/mosaic-example: examples/mosaic-example.c $(LIB_HDRS) $(LIBMOSAIC_A)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_CTL) $(LDFLAGS_GUEST) -o $@ $< $(LIBMOSAIC_A)

$(TEST_TOOLS)/%: tests/tools/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_USER) $(LDFLAGS_GUEST) -o $@ $<

# Host-side checks: man pages, install + pkg-config + example, exported
# symbols, cppcheck, DKMS round trip. They need the kernel the VM uses
# (for the module build), hence $(KERNEL_ENV).
check-host: $(KERNEL_ENV) lib mosaicctl
	@BUILD=$(BUILD) KERNEL_ENV=$(KERNEL_ENV) tests/host/run

# ---------------------------------------------------------------------------
# Install

INSTALL_MOD_SRC := $(BUILD)/install/$(KVER)
# A distribution's header package has no signing key (Debian's signs with
# a key that never leaves its build machines): do not try and fail. DKMS
# signs with the machine's own key where Secure Boot needs one.
MODULE_SIGN_OFF = $(if $(wildcard $(KDIR)/certs/signing_key.pem),,CONFIG_MODULE_SIG_ALL=)

# Built in a copy of its own, so the tree's build in kernel/ stays as it is.
install-module:
	@test -d $(KDIR) || { echo "install: no kernel build tree at $(KDIR); set KVER= or KDIR=" >&2; exit 1; }
	@mkdir -p $(INSTALL_MOD_SRC)
	@cp -pu --parents -t $(INSTALL_MOD_SRC) $(MODULE_SRCS)
	$(MAKE) -C $(KDIR) M=$(INSTALL_MOD_SRC)/kernel modules
	$(MAKE) -C $(KDIR) M=$(INSTALL_MOD_SRC)/kernel \
		INSTALL_MOD_PATH=$(DESTDIR) INSTALL_MOD_DIR=extra \
		$(MODULE_SIGN_OFF) modules_install
	@if [ -z "$(DESTDIR)" ]; then depmod $(KVER); fi

install: lib mosaicctl install-module
	install -d $(DESTDIR)$(INCLUDEDIR)/linux $(DESTDIR)$(INCLUDEDIR)/mosaic \
		$(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(BINDIR) \
		$(DESTDIR)$(UDEVRULESDIR)
	install -m 644 include/uapi/linux/mosaic.h $(DESTDIR)$(INCLUDEDIR)/linux/mosaic.h
	install -m 644 lib/include/mosaic/mosaic.h $(DESTDIR)$(INCLUDEDIR)/mosaic/mosaic.h
	install -m 755 $(LIB_OUT)/$(LIBMOSAIC_SO) $(DESTDIR)$(LIBDIR)/$(LIBMOSAIC_SO)
	ln -sf $(LIBMOSAIC_SO) $(DESTDIR)$(LIBDIR)/libmosaic.so.1
	ln -sf libmosaic.so.1 $(DESTDIR)$(LIBDIR)/libmosaic.so
	install -m 644 $(LIBMOSAIC_A) $(DESTDIR)$(LIBDIR)/libmosaic.a
	install -m 644 $(LIB_OUT)/mosaic.pc $(DESTDIR)$(PKGCONFIGDIR)/mosaic.pc
	install -m 755 $(BUILD)/tools/mosaicctl $(DESTDIR)$(BINDIR)/mosaicctl
	install -d $(DESTDIR)$(MOSAIC_LIBEXEC)
	install -m 755 $(BENCH_BIN) $(DESTDIR)$(MOSAIC_LIBEXEC)/mosaic-bench
	install -m 755 bench/stats.py $(DESTDIR)$(MOSAIC_LIBEXEC)/mosaic-bench-stats
	@set -e; for page in $(MAN_PAGES); do \
		sec=$${page##*.}; \
		install -d $(DESTDIR)$(MANDIR)/man$$sec; \
		echo "install -m 644 $$page $(DESTDIR)$(MANDIR)/man$$sec/"; \
		install -m 644 $$page $(DESTDIR)$(MANDIR)/man$$sec/; \
	done
	install -m 644 udev/60-mosaic.rules $(DESTDIR)$(UDEVRULESDIR)/60-mosaic.rules
	@if [ -z "$(DESTDIR)" ]; then \
		ldconfig || true; \
		getent group mosaic >/dev/null || \
			echo "install: create the group for /dev/mosaic with: groupadd --system mosaic"; \
	fi

install-dkms:
	install -d $(DESTDIR)$(DKMSDIR)/mosaic-$(VERSION)
	cp -p --parents -t $(DESTDIR)$(DKMSDIR)/mosaic-$(VERSION) $(MODULE_SRCS)
	install -m 644 dkms.conf VERSION $(DESTDIR)$(DKMSDIR)/mosaic-$(VERSION)/
	install -m 755 mk/dkms-post-build $(DESTDIR)$(DKMSDIR)/mosaic-$(VERSION)/

uninstall:
	rm -f $(DESTDIR)/lib/modules/$(KVER)/extra/mosaic.ko
	@if [ -z "$(DESTDIR)" ] && [ -d /lib/modules/$(KVER) ]; then depmod $(KVER) || true; fi
	rm -f $(DESTDIR)$(INCLUDEDIR)/linux/mosaic.h
	rm -f $(DESTDIR)$(INCLUDEDIR)/mosaic/mosaic.h
	-rmdir $(DESTDIR)$(INCLUDEDIR)/mosaic 2>/dev/null
	rm -f $(DESTDIR)$(LIBDIR)/$(LIBMOSAIC_SO) $(DESTDIR)$(LIBDIR)/libmosaic.so.1 \
	      $(DESTDIR)$(LIBDIR)/libmosaic.so $(DESTDIR)$(LIBDIR)/libmosaic.a
	rm -f $(DESTDIR)$(PKGCONFIGDIR)/mosaic.pc
	rm -f $(DESTDIR)$(BINDIR)/mosaicctl
	rm -f $(DESTDIR)$(MOSAIC_LIBEXEC)/mosaic-bench \
	      $(DESTDIR)$(MOSAIC_LIBEXEC)/mosaic-bench-stats
	-rmdir $(DESTDIR)$(MOSAIC_LIBEXEC) 2>/dev/null
	@set -e; for page in $(MAN_PAGES); do \
		f=$(DESTDIR)$(MANDIR)/man$${page##*.}/$${page##*/}; \
		echo "rm -f $$f"; rm -f $$f; \
	done
	rm -f $(DESTDIR)$(UDEVRULESDIR)/60-mosaic.rules
	@if [ -z "$(DESTDIR)" ]; then ldconfig || true; fi

uninstall-dkms:
	rm -rf $(DESTDIR)$(DKMSDIR)/mosaic-$(VERSION)
