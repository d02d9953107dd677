# Limen: build the kernel, run it, test it. See README.md.
#   make          build build/kernel
#   make run      boot it in the terminal (QEMU, TCG; ACCEL=kvm to opt in)
#   make test     every test layer, ending with "N passed, N failed"
#   make gdb      boot halted under QEMU's gdb stub and attach gdb
#   make clean

ARCH := x86_64
BUILD := build
CC := gcc
LD := ld
HOSTCC := gcc

KCFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -fno-strict-aliasing \
	-ffreestanding -nostdinc -isystem $(shell $(CC) -print-file-name=include) \
	-mno-red-zone -mcmodel=kernel -fno-pic -fno-pie -mgeneral-regs-only \
	-fno-stack-protector -fno-omit-frame-pointer \
	-mno-omit-leaf-frame-pointer -fno-asynchronous-unwind-tables \
	-fcf-protection=none -Iinclude -Iarch/$(ARCH)/include -MMD -MP
# Debug checks (heap poisoning and self-check, lock order and sleeping with
# a spinlock held: kernel/lockcheck.c) are on unless DEBUG=0.
DEBUG ?= 1
ifeq ($(DEBUG),1)
KCFLAGS += -DKHEAP_DEBUG -DLOCK_DEBUG
endif
# SANITIZE=1: the undefined-behaviour sanitizer (with the kernel's own
# handlers, kernel/ubsan.c) and the stack protector; make test boots the
# guest suite once on such a kernel (build/san).
SANITIZE ?= 0
ifeq ($(SANITIZE),1)
KCFLAGS := $(filter-out -fno-stack-protector,$(KCFLAGS)) -DKERNEL_SANITIZE \
	-fsanitize=bounds,shift,integer-divide-by-zero,unreachable,bool,enum,vla-bound \
	-fstack-protector-strong -mstack-protector-guard=global
# The heap checker's access checks (mm/kasan_check.c): every load and store
# calls a hook (outline mode, no shadow memory: the shadow offset is never
# used). Not in the allocator itself, whose accesses to headers and poison
# are deliberate, nor in the page allocator the checks read.
KASAN_CFLAGS := -fsanitize=kernel-address -fasan-shadow-offset=0xdffffc0000000000 \
	--param asan-instrumentation-with-call-threshold=0 \
	--param asan-stack=0 --param asan-globals=0 \
	-fno-sanitize-address-use-after-scope
KASAN_NOINSTR := mm/kasan.c mm/kasan_check.c mm/kheap.c mm/kmalloc.c \
	mm/pmm.c mm/buddy.c
endif
KASFLAGS := $(filter-out -std=gnu11,$(KCFLAGS)) -D__ASSEMBLER__
KLDFLAGS := -nostdlib -n -z max-page-size=4096 --no-warn-rwx-segments \
	-T arch/$(ARCH)/kernel.ld

KSRC_C := $(wildcard arch/$(ARCH)/*.c kernel/*.c mm/*.c lib/*.c drivers/*.c \
	fs/ext2/*.c \
	fs/*.c net/*.c)
KSRC_S := $(wildcard arch/$(ARCH)/*.S)
KOBJ := $(patsubst %.c,$(BUILD)/k/%.o,$(KSRC_C)) \
	$(patsubst %.S,$(BUILD)/k/%.o,$(KSRC_S))

.PHONY: all kernel run run-initramfs rootfs bench test gdb clean deps unit-test ktest-initrd format fuzz check
all: kernel

kernel: $(BUILD)/kernel $(if $(filter build,$(BUILD)),compile_commands.json)

# The compilation database for clangd and editors (every kernel file's
# command line), rewritten when the flags or the file list change; written
# by the default build only (not build/release, build/san).
compile_commands.json: Makefile $(KCONFIG) tools/gen-compile-commands.sh
	$(Q)tools/gen-compile-commands.sh "$(CC) $(KCFLAGS)" $(sort $(KSRC_C)) > $@

# V=1 shows the full commands.
Q := $(if $(V),,@)

# The build directory remembers its configuration, and every object depends
# on it: `make DEBUG=0` after a debug build rebuilds instead of reusing.
KCONFIG := $(BUILD)/kconfig
# The sanitizer's instrumentation set is part of the configuration: a
# build/san from before the heap checker must not keep objects without it.
KCONFIG_LINE := DEBUG=$(DEBUG) SANITIZE=$(SANITIZE)$(if $(KASAN_CFLAGS), KASAN=outline)
$(shell mkdir -p $(BUILD) && echo "$(KCONFIG_LINE)" | \
	cmp -s - $(KCONFIG) || \
	echo "$(KCONFIG_LINE)" > $(KCONFIG))

$(BUILD)/k/%.o: %.c $(KCONFIG)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(KCFLAGS) $(if $(filter $<,$(KASAN_NOINSTR)),,$(KASAN_CFLAGS)) \
		-c $< -o $@

$(BUILD)/k/%.o: %.S $(KCONFIG)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  AS      $<")
	$(Q)$(CC) $(KASFLAGS) -c $< -o $@

# Two link passes: the first with an empty symbol table, whose text symbols
# become the table of the second. .ksyms sits after all code, so code
# addresses are the same in both; the check below proves it.
$(BUILD)/ksyms0.o: tools/mksyms.sh
	@mkdir -p $(BUILD)
	$(Q)tools/mksyms.sh > $(BUILD)/ksyms0.S
	$(Q)$(CC) $(KASFLAGS) -c $(BUILD)/ksyms0.S -o $@

$(BUILD)/kernel.pass1: $(KOBJ) $(BUILD)/ksyms0.o arch/$(ARCH)/kernel.ld
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(LD) $(KLDFLAGS) -o $@ $(KOBJ) $(BUILD)/ksyms0.o

$(BUILD)/kernel: $(BUILD)/kernel.pass1 tools/mksyms.sh
	@$(if $(Q),echo "  KSYMS   $@")
	$(Q)tools/mksyms.sh $< > $(BUILD)/ksyms.S
	$(Q)$(CC) $(KASFLAGS) -c $(BUILD)/ksyms.S -o $(BUILD)/ksyms.o
	$(Q)$(LD) $(KLDFLAGS) -o $@ $(KOBJ) $(BUILD)/ksyms.o
	@nm -n $< | grep -i ' t ' > $(BUILD)/syms.pass1
	@nm -n $@ | grep -i ' t ' > $(BUILD)/syms.final
	@cmp -s $(BUILD)/syms.pass1 $(BUILD)/syms.final || \
		{ echo "ksyms: code moved between link passes"; rm -f $@; exit 1; }

-include $(KOBJ:.o=.d)

# `make check`: sparse over every kernel C file, with the kernel's flags.
# It knows the __user address space (include/types.h) and refuses a user
# pointer used as a kernel one, and it flags undeclared global symbols;
# any warning fails. A file is checked again when its object is rebuilt
# (so a changed header counts). make test runs it as the `check` layer.
SPARSE ?= sparse
CHECK_OK := $(patsubst %.c,$(BUILD)/check/%.ok,$(KSRC_C))
check: $(CHECK_OK)
	@echo "PASS check: sparse, $(words $(CHECK_OK)) kernel files, no warnings"

$(BUILD)/check/%.ok: %.c $(BUILD)/k/%.o
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CHECK   $<")
	$(Q)$(SPARSE) -Wsparse-error $(filter-out -MMD -MP,$(KCFLAGS)) $< || \
		{ echo "FAIL check: $<: sparse warnings above"; exit 1; }
	@touch $@

include tests/unit/unit.mk

deps:
	@tools/deps.sh

# User programs: the project's tests and examples, static, built with
# musl-gcc; the examples also with glibc (gcc -static), and as static-PIE.
USER_CFLAGS := -static -O2 -Wall -Wextra -Werror
USER_TESTS := $(patsubst user/tests/%.c,$(BUILD)/user/tests/%,$(wildcard user/tests/*.c))
# Programs whose libc matters (threads, signals, realloc by mremap, POSIX
# shared memory and named semaphores) also run as glibc builds.
GLIBC_TESTS := \
	sys_thread \
	sys_signal \
	sys_mremap \
	posix_shm \
	libc_mem \
	sys_siginfo \
	sys_sigqueue \
	sys_groupstop \
	sys_vfork \
	sys_futex_ops \
	sys_proctask \
	sys_pty \
	sys_timers \
	sys_eventfd \
	sys_epoll \
	sys_sendfile \
	sys_unix \
	sys_socket \
	sys_udp \
	sys_tcp \
	sys_netlink \
	sys_packet \
	sys_syslog \
	sys_procnet
# (sys_timers: glibc makes its own CPU-clock ids and passes clock ids
# zero-extended; sys_pty: glibc's grantpt, ptsname and openpty take their
# own paths, TIOCGPTPEER; sys_unix, sys_socket: glibc's sendmsg/recvmsg
# pass msghdr and control buffers through unchanged, musl's copy them.)
# One per line: branches add to this list.
USER_TESTS += $(patsubst %,$(BUILD)/user/tests/%-glibc,$(GLIBC_TESTS))
USER_EXAMPLES := $(foreach e,$(patsubst user/examples/%.c,%,$(wildcard user/examples/*.c)),\
	$(BUILD)/user/examples/$(e)-musl $(BUILD)/user/examples/$(e)-glibc \
	$(BUILD)/user/examples/$(e)-glibc-pie)
USER_BENCH := $(BUILD)/user/bench/ubench \
	$(patsubst user/demo/%.c,$(BUILD)/user/demo/%,$(wildcard user/demo/*.c))
# The tracer: several files, one program (user/trace/).
USER_TRACE := $(BUILD)/user/trace/trace
# The system-call fuzzer (user/fuzz/, docs/testing.md).
USER_FUZZ := $(BUILD)/user/fuzz/fuzz
# Dynamically linked programs (user/dyn/), for the root disk only: the
# test initramfs has no ld.so.
USER_DYN := $(patsubst user/dyn/%.c,$(BUILD)/user/dyn/%,$(wildcard user/dyn/*.c))
USER_BINS := $(USER_TESTS) $(USER_EXAMPLES) $(USER_BENCH) $(USER_TRACE) \
	$(USER_FUZZ) $(USER_DYN)

$(BUILD)/user/tests/%-glibc: user/tests/%.c user/tests/check.h
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -pthread $< -o $@
$(BUILD)/user/tests/%: user/tests/%.c user/tests/check.h
	@mkdir -p $(dir $@)
	musl-gcc $(USER_CFLAGS) $< -o $@
$(BUILD)/user/dyn/%: user/dyn/%.c user/tests/check.h
	@mkdir -p $(dir $@)
	$(CC) $(filter-out -static,$(USER_CFLAGS)) -pthread $< -o $@
$(BUILD)/user/bench/%: user/bench/%.c
	@mkdir -p $(dir $@)
	musl-gcc $(USER_CFLAGS) $< -o $@
$(BUILD)/user/demo/%: user/demo/%.c
	@mkdir -p $(dir $@)
	musl-gcc $(USER_CFLAGS) $< -o $@
$(USER_TRACE): $(wildcard user/trace/*.c user/trace/*.h) include/syscall_names.h
	@mkdir -p $(dir $@)
	musl-gcc $(USER_CFLAGS) $(filter %.c,$^) -o $@
$(USER_FUZZ): $(wildcard user/fuzz/*.c user/fuzz/*.h user/fuzz/*.S) \
		user/tests/check.h include/syscall_list.h include/syscall_names.h
	@mkdir -p $(dir $@)
	musl-gcc $(USER_CFLAGS) $(filter %.c %.S,$^) -o $@
$(BUILD)/user/examples/%-musl: user/examples/%.c
	@mkdir -p $(dir $@)
	musl-gcc $(USER_CFLAGS) $< -o $@
$(BUILD)/user/examples/%-glibc: user/examples/%.c
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $< -o $@
$(BUILD)/user/examples/%-glibc-pie: user/examples/%.c
	@mkdir -p $(dir $@)
	$(CC) $(filter-out -static,$(USER_CFLAGS)) -static-pie -fPIE $< -o $@

$(BUILD)/initramfs.cpio: $(USER_BINS) tools/mkinitramfs.sh $(wildcard user/scripts/*.sh) rootfs/etc/udhcpc/default.script
	tools/mkinitramfs.sh $@ $(BUILD)/user

# The same archive followed by a second one that adds /example.txt, as
# Linux accepts concatenated archives.
$(BUILD)/initramfs-example.cpio: $(BUILD)/initramfs.cpio
	@rm -rf $(BUILD)/example.d && mkdir -p $(BUILD)/example.d
	@echo present > $(BUILD)/example.d/example.txt
	(cd $(BUILD)/example.d && echo example.txt | cpio --quiet -o -H newc --owner=0:0) > $(BUILD)/example.cpio
	cat $< $(BUILD)/example.cpio > $@

# A tiny initramfs for the foundation tests: the kernel must find and
# recognise it (unpacking it is issue #3's work).
$(BUILD)/test-initrd.cpio:
	@mkdir -p $(BUILD)/test-initrd/etc
	@echo "Limen test initramfs" > $(BUILD)/test-initrd/etc/motd
	cd $(BUILD)/test-initrd && find . | cpio --quiet -o -H newc > ../test-initrd.cpio

QEMU_TEST := tests/run-qemu
test: deps
	@$(MAKE) --no-print-directory kernel $(BUILD)/test-initrd.cpio \
		$(BUILD)/initramfs.cpio $(BUILD)/initramfs-example.cpio
	@{ tests/layer unit $(MAKE) --no-print-directory unit-test; \
	  tests/layer check $(MAKE) --no-print-directory check; \
	  $(QEMU_TEST) --name ktest --initrd $(BUILD)/test-initrd.cpio \
		--append "console=ttyS0 ktest=all" \
		--expect-text 'initrd: [0-9]+ bytes .*cpio newc' \
		--expect-text 'cpu: protections: NX on, SMEP on, SMAP on' \
		--expect-text 'timer: TSC [0-9.]+ MHz'; \
	  $(QEMU_TEST) --name boot --append "console=ttyS0" --expect-lines 0 \
		--expect-text 'Command line: console=ttyS0' ; \
	  $(QEMU_TEST) --name panic --expect-panic \
		--append "console=ttyS0 ktest=panic_page_fault" \
		--expect-text 'kernel page fault: write at 0x0*dead000: page not present' \
		--expect-text 'ktest_fn_panic_page_fault\+0x' \
		--expect-text 'RIP: 0008:' ; \
	  $(QEMU_TEST) --name panic-stack-overflow --expect-panic \
		--append "console=ttyS0 ktest=panic_stack_overflow" \
		--expect-text 'double fault: kernel stack overflow \(RSP 0x[0-9a-f]+, guard page hit' \
		--expect-text '^RIP: 0008:[0-9a-f]+ <ktest_recurse' \
		--expect-text '^ \[<[0-9a-f]+>\] <ktest_recurse[.a-z0-9]*\+0x' ; \
	  $(QEMU_TEST) --name panic-double-fault --expect-panic \
		--append "console=ttyS0 ktest=panic_double_fault" \
		--expect-text 'double fault: the stack is not usable \(RSP 0xdead000' \
		--expect-text 'ktest_fn_panic_double_fault\+0x' ; \
	  $(QEMU_TEST) --name panic-lock-order --expect-panic \
		--append "console=ttyS0 ktest=panic_lock_order" \
		--expect-text 'lockcheck: lock ktest-a taken while holding ktest-b, but ktest-b was taken while holding ktest-a before' ; \
	  $(QEMU_TEST) --name panic-wait-unlocked --expect-panic \
		--append "console=ttyS0 ktest=panic_wait_unlocked" \
		--expect-text 'lockcheck: sched_sleep_locked without sched held' ; \
	  $(QEMU_TEST) --name panic-double-fault-gs --expect-panic \
		--append "console=ttyS0 ktest=panic_double_fault_gs" \
		--expect-text 'double fault: the stack is not usable' \
		--expect-text 'ktest_fn_panic_double_fault_gs\+0x' ; \
	  tests/layer sanitize tests/sanitize.sh $(BUILD)/initramfs.cpio; \
	  tests/layer guest tests/guest-suite.sh $(BUILD)/initramfs.cpio \
		$(BUILD)/initramfs-example.cpio; \
	  tests/layer fault tests/fault-cases.sh $(BUILD)/initramfs.cpio; \
	  tests/layer exit-race tests/exit-race.sh 2; \
	  tests/layer interactive tests/interactive.py \
		--initrd $(BUILD)/initramfs.cpio; \
	  tests/layer virtio-blk tests/virtio-blk.sh; \
	  tests/layer virtio-net tests/virtio-net.sh $(BUILD)/initramfs.cpio; \
	  tests/layer net-wire tests/net-wire.sh; \
	  tests/layer disk-session tests/disk-session.sh; \
	  tests/layer login tests/login-session.sh; \
	  tests/layer accounts tests/accounts-session.sh; \
	  tests/layer debian tests/debian-programs.sh; \
	  tests/layer screen tests/screen-session.sh; \
	  tests/layer storage tests/storage-suite.sh $(BUILD)/initramfs.cpio; \
	  tests/layer trace-json tests/trace-json.sh $(BUILD)/initramfs.cpio; \
	  tests/layer fuzz tests/fuzz.sh $(BUILD)/initramfs.cpio \
		--seed $(FUZZ_TEST_SEED) --calls $(FUZZ_TEST_CALLS) --seconds 240; \
	  tests/layer fuzz-failalloc tests/fuzz.sh $(BUILD)/initramfs.cpio \
		--name fuzz-failalloc --fail-alloc 50 --seed 7 --calls 50000 \
		--seconds 120; \
	  tests/layer blk-errors tests/blk-errors.sh $(BUILD)/initramfs.cpio; \
	  tests/layer bench tests/bench-quick.sh; \
	  tests/layer syscall-doc tools/gen-syscall-doc.sh --check; \
	} 2>&1 | tests/summary

# The fuzzer's fixed-seed pass in `make test`: bounded by calls.
FUZZ_TEST_SEED := 1
FUZZ_TEST_CALLS := 200000
# `make fuzz SECONDS=N SEED=S`: the fuzzer alone, for N seconds
# (docs/testing.md, "The system-call fuzzer").
SECONDS ?= 60
SEED ?= $(shell date +%s)
fuzz: deps
	@$(MAKE) --no-print-directory kernel $(BUILD)/initramfs.cpio
	tests/fuzz.sh $(BUILD)/initramfs.cpio --name fuzz-$(SEED) \
		--seconds $(SECONDS) --seed $(SEED)

# The root disk. It is built once and then kept, so what you change in
# `make run` is still there next time; `make rootfs` builds it afresh
# (and loses those changes).
ROOTFS_IMG := $(BUILD)/rootfs.img
rootfs: $(USER_BINS) tools/mkrootfs
	tools/mkrootfs $(ROOTFS_IMG) $(BUILD)/user

# Boots the disk: busybox init, then getty and login on the serial console
# (accounts: root/root, limen/limen; README.md). Host 127.0.0.1:8080 (or
# LIMEN_HTTP_PORT) reaches the guest's port 80 (tools/run-qemu-interactive).
run: deps
	@$(MAKE) --no-print-directory kernel
	@[ -f $(ROOTFS_IMG) ] || $(MAKE) --no-print-directory rootfs
	tools/run-qemu-interactive --net --disk $(ROOTFS_IMG) \
		--append "console=ttyS0 root=/dev/vda rw"

# The initramfs shell of the earlier issues, without a disk.
run-initramfs: deps
	@$(MAKE) --no-print-directory kernel $(BUILD)/initramfs.cpio
	tools/run-qemu-interactive --initrd $(BUILD)/initramfs.cpio \
		--append "console=ttyS0 rdinit=/bin/sh -- /tests/interactive-init.sh"

# ubench on Limen and on Debian's Linux, same binary, same machine, under
# -icount (see tools/bench); the table also goes to build/bench/results.*
# Limen is measured as released: built without the debug checks, in its
# own build directory so the test build is left alone.
bench: deps
	@tools/deps.sh --bench
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/release DEBUG=0 kernel
	@$(MAKE) --no-print-directory $(USER_BENCH)
	tools/bench --kernel $(BUILD)/release/kernel

gdb: kernel
	tools/gdb.sh

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD)
