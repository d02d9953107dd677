# Host unit tests: every tests/unit/test_*.c is one program, built with the
# host compiler, ASan and UBSan into build/unit/test_*, and run by
# `make unit-test`. Works included from the root Makefile or on its own:
#   make -f tests/unit/unit.mk unit-test
# Paths are relative to the repository root, the directory make runs in.

# Must come first: the name this file was read under, for the sub-make.
UNIT_MK := $(lastword $(MAKEFILE_LIST))

UNIT_DIR := tests/unit
UNIT_BUILD := build/unit
UNIT_CC ?= gcc
# Seconds one test program may run before it counts as failed.
UNIT_TIMEOUT ?= 120
UNIT_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -fno-strict-aliasing \
	-fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer \
	-Iinclude -Iarch/x86_64/include -I$(UNIT_DIR)/include
UNIT_SRCS := $(sort $(wildcard $(UNIT_DIR)/test_*.c))
UNIT_BINS := $(patsubst $(UNIT_DIR)/%.c,$(UNIT_BUILD)/%,$(UNIT_SRCS))
UNIT_Q := $(if $(V),,@)

.PHONY: unit-test unit-build unit-clean

# Builds with -k in a sub-make, so one test that does not compile cannot
# keep the others from running; it shows up as a FAIL line instead. Every
# program runs even if an earlier one failed; the status says if any did.
unit-test:
	-@$(MAKE) --no-print-directory -k -f $(UNIT_MK) unit-build
	@st=0; for t in $(UNIT_BINS); do \
		n=$${t##*/}; \
		if [ ! -x $$t ]; then \
			echo "FAIL $$n: did not compile"; st=1; continue; \
		fi; \
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
		UBSAN_OPTIONS=print_stacktrace=1 \
		timeout -k 5 $(UNIT_TIMEOUT) $$t > $$t.log 2>&1; rc=$$?; \
		cat $$t.log; \
		if [ $$rc -ne 0 ]; then \
			st=1; \
			if [ $$rc -eq 124 ]; then \
				echo "FAIL $$n: timed out after $(UNIT_TIMEOUT)s"; \
			elif ! grep -q '^FAIL ' $$t.log; then \
				echo "FAIL $$n: exited with status $$rc"; \
			fi; \
		fi; \
	done; exit $$st

unit-build: $(UNIT_BINS)

# The binary is removed first so that, if compiling fails, a stale one
# cannot run in its place. Compile and link in one step: the test #includes
# the kernel .c files it needs.
$(UNIT_BINS): $(UNIT_BUILD)/%: $(UNIT_DIR)/%.c $(UNIT_MK)
	@mkdir -p $(@D)
	@rm -f $@
	@$(if $(UNIT_Q),echo "  HOSTCC  $@")
	$(UNIT_Q)$(UNIT_CC) $(UNIT_CFLAGS) -MMD -MP -MT $@ -MF $@.d $< -o $@

unit-clean:
	rm -rf $(UNIT_BUILD)

-include $(UNIT_BINS:=.d)
