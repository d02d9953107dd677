# Host unit tests: every tests/unit/test_*.c is one program that #includes
# the kernel .c files it tests, built with ASan and UBSan and run by
# `make unit-test`. Included by the root Makefile; also usable alone with
# `make -f tests/unit/unit.mk unit-test`.

UNIT_BUILD := build/unit
UNIT_CC ?= gcc
UNIT_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -fno-strict-aliasing \
	-fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -Iinclude -Iarch/x86_64/include \
	-Itests/unit/include -MMD -MP
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(UNIT_BUILD)/%,$(UNIT_SRCS))

$(UNIT_BUILD)/%: tests/unit/%.c
	@mkdir -p $(UNIT_BUILD)
	$(UNIT_CC) $(UNIT_CFLAGS) $< -o $@

-include $(UNIT_BINS:=.d)

.PHONY: unit-test
# Runs every program even when one fails; the PASS/FAIL lines are the result.
unit-test: $(UNIT_BINS)
	@st=0; for t in $(UNIT_BINS); do \
		ASAN_OPTIONS=detect_leaks=1 ./$$t || { rc=$$?; st=1; \
		echo "FAIL $$(basename $$t): exited with status $$rc"; }; \
	done; exit $$st
