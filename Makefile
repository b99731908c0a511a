# ctrace: a Linux tracer made of a kernel module (kmod/), its ABI (uapi/),
# a user-space library and tools (tools/), and tests (tests/).
#
#   make            ctrace.ko for KDIR and the tools, into build/
#   make demo       install what is missing, boot a VM, trace a program
#   make check      the whole test suite (ends with "N passed, N failed")
#   make help       every target
#
# KDIR picks the kernel to build against (default: the running kernel when
# it can load modules, else the newest installed headers).  Everything
# built goes under build/ (O=).

.DEFAULT_GOAL := all
TOP := $(CURDIR)
O ?= $(TOP)/build
override O := $(abspath $(O))

KDIR ?= $(shell $(TOP)/tools/build/kernels.sh --default 2> /dev/null)
KRELEASE = $(shell cat $(KDIR)/include/config/kernel.release 2> /dev/null)
# The kernels the suite builds for and boots: newest installed 6.1 and 6.12.
TEST_KERNELS ?= $(shell $(TOP)/tools/build/kernels.sh --test 2> /dev/null)

# ---------------------------------------------------------------- user space
CC ?= cc
NL_CFLAGS = $(shell pkg-config --cflags libnl-genl-3.0 2> /dev/null)
NL_LIBS = $(shell pkg-config --libs libnl-genl-3.0 2> /dev/null)
WARNINGS := -Wall -Wextra -Werror
USER_CFLAGS := -std=c11 -D_GNU_SOURCE -O2 -g $(WARNINGS) -I$(TOP)/uapi \
	-I$(TOP)/tools/ctl -I$(TOP)/tools/tracefile -I$(TOP)/tools/include
# Host unit tests run under AddressSanitizer and UBSan.
SAN_CFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
# kselftest_harness.h needs GNU C; it comes from Debian's linux-source.
SELFTESTS := $(O)/src/linux/tools/testing/selftests
TEST_CFLAGS := -std=gnu11 -D_GNU_SOURCE -O2 -g $(WARNINGS) -I$(TOP)/uapi \
	-I$(TOP)/tools/ctl -I$(TOP)/tools/tracefile -I$(TOP)/tools/include \
	-isystem $(SELFTESTS) -pthread
# The trace decoder is fuzzed with libFuzzer (clang).
FUZZ_CC := clang
FUZZ_CFLAGS := -std=gnu11 -D_GNU_SOURCE -O1 -g $(WARNINGS) -I$(TOP)/uapi \
	-I$(TOP)/tools/tracefile -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all

CTL_SRCS := $(wildcard tools/ctl/*.c)
TRACEFILE_SRCS := $(wildcard tools/tracefile/*.c)
CTRACE_SRCS := $(wildcard tools/ctrace/*.c)
DUMP_SRCS := $(wildcard tools/dump/*.c)

KSELFTEST_SRCS := $(wildcard tests/kselftest/*.c)
KSELFTESTS := $(patsubst tests/kselftest/%.c,$(O)/tests/kselftest/%,$(KSELFTEST_SRCS))
UNIT_SRCS := $(wildcard tests/unit/*.c)
UNITS := $(patsubst tests/unit/%.c,$(O)/tests/unit/%,$(UNIT_SRCS))
PROG_SRCS := $(wildcard tests/progs/*.c)
PROGS := $(patsubst tests/progs/%.c,$(O)/tests/progs/%,$(PROG_SRCS))
FUZZ_SRCS := $(wildcard tests/fuzz/*.c)
FUZZERS := $(patsubst tests/fuzz/%.c,$(O)/tests/fuzz/%,$(FUZZ_SRCS))

obj = $(patsubst %.c,$(O)/obj/$(1)/%.o,$(2))

.PHONY: all tools kmod modules tests help deps lint check check-direct demo \
	bench test-host test-vm vm-shell clean
all: kmod tools

tools: $(O)/bin/ctrace $(O)/bin/ctrace-dump

$(O)/obj/user/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(NL_CFLAGS) -MMD -MP -c -o $@ $<

$(O)/obj/san/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(SAN_CFLAGS) $(NL_CFLAGS) -MMD -MP -c -o $@ $<

$(O)/lib/libctl.a: $(call obj,user,$(CTL_SRCS))
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

$(O)/lib/libtracefile.a: $(call obj,user,$(TRACEFILE_SRCS))
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

$(O)/bin/ctrace: $(call obj,user,$(CTRACE_SRCS)) $(O)/lib/libtracefile.a $(O)/lib/libctl.a
	@mkdir -p $(@D)
	$(CC) -o $@ $^ $(NL_LIBS)

$(O)/bin/ctrace-dump: $(call obj,user,$(DUMP_SRCS)) $(O)/lib/libtracefile.a $(O)/lib/libctl.a
	@mkdir -p $(@D)
	$(CC) -o $@ $^ $(NL_LIBS)

# ------------------------------------------------------------------ kernel
# Each kernel gets its own shadow build directory (tools/build/kmod.sh);
# the "-test" variant adds test-only hooks (CTRACE_TEST_HOOKS).
kmod:
	@test -n "$(KRELEASE)" || { echo "no kernel headers found: run 'make deps' or set KDIR"; exit 1; }
	+$(TOP)/tools/build/kmod.sh $(KDIR) $(O)/kmod/$(KRELEASE) W=1
	@echo "built $(O)/kmod/$(KRELEASE)/kmod/ctrace.ko"

modules:
	+@for k in $(TEST_KERNELS); do \
		echo "  KMOD    $$k"; \
		$(TOP)/tools/build/kmod.sh /lib/modules/$$k/build $(O)/kmod/$$k W=1 || exit 1; \
		$(TOP)/tools/build/kmod.sh /lib/modules/$$k/build $(O)/kmod/$$k-test \
			W=1 CTRACE_TEST_HOOKS=y || exit 1; \
	done

# ------------------------------------------------------------------- tests
$(SELFTESTS)/kselftest_harness.h:
	$(TOP)/tools/build/extract-linux-source.sh $(O)/src

$(O)/tests/kselftest/%: tests/kselftest/%.c $(O)/lib/libtracefile.a $(O)/lib/libctl.a $(SELFTESTS)/kselftest_harness.h
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) $(NL_CFLAGS) -o $@ $< $(O)/lib/libtracefile.a $(O)/lib/libctl.a $(NL_LIBS)

$(O)/tests/unit/%: tests/unit/%.c $(call obj,san,$(CTL_SRCS) $(TRACEFILE_SRCS)) $(SELFTESTS)/kselftest_harness.h \
		$(wildcard tests/unit/*.h)
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) $(SAN_CFLAGS) $(NL_CFLAGS) -o $@ $< \
		$(call obj,san,$(CTL_SRCS) $(TRACEFILE_SRCS)) $(NL_LIBS)

$(O)/tests/fuzz/%: tests/fuzz/%.c $(TRACEFILE_SRCS) $(wildcard tools/tracefile/*.h tests/unit/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(TRACEFILE_SRCS)

# Workloads the tests and benchmarks trace (not tests themselves).
$(O)/tests/progs/%: tests/progs/%.c
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -o $@ $<

tests: tools modules $(KSELFTESTS) $(UNITS) $(FUZZERS) $(PROGS)

# The kernel benchmark's workload, static so the loader costs nothing.
$(O)/tests/bench/pingpong: tests/bench/pingpong.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O2 $(WARNINGS) -static -o $@ $<

$(O)/tests/bench/hold-session: tests/bench/hold-session.c $(O)/lib/libctl.a
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(NL_CFLAGS) -o $@ $< $(O)/lib/libctl.a $(NL_LIBS)

BENCH_BINS := $(O)/tests/bench/pingpong $(O)/tests/bench/hold-session

# ---------------------------------------------------------------- commands
deps:
	$(TOP)/tools/build/deps.sh

check: deps
	$(MAKE) --no-print-directory tests
	$(TOP)/tests/check.sh

# The same kernel tests on the running kernel, without a VM (root, and a
# kernel that can load modules).
check-direct: deps
	$(MAKE) --no-print-directory tools kmod $(KSELFTESTS)
	$(TOP)/tests/run-ktests --direct

# Benchmarks: minutes; installs what the comparisons need (LTTng, perf).
bench:
	$(TOP)/tools/build/deps.sh --bench
	$(MAKE) --no-print-directory tools modules $(PROGS) $(BENCH_BINS)
	$(TOP)/tests/bench/run.sh

demo: deps
	$(MAKE) --no-print-directory tools modules $(PROGS)
	$(TOP)/tools/build/demo.sh

test-host: $(UNITS)
	$(TOP)/tests/run-unit $(UNITS)

# One kernel (KERNEL=6.1|6.12|release), optionally one test (TEST=name).
test-vm: tools modules $(KSELFTESTS) $(PROGS)
	$(TOP)/tests/run-ktests -k "$(KERNEL)" $(if $(TEST),--only $(TEST))

vm-shell: tools modules
	$(TOP)/tests/vm/run-vm -k "$(KERNEL)" --shell

lint: modules
	$(TOP)/tests/lint.sh

clean:
	rm -rf $(O)

help:
	@sed -n '1,/^$$/p' Makefile | sed 's/^# \{0,1\}//'
	@echo "Other targets:"
	@echo "  deps          install missing Debian packages (root)"
	@echo "  tools         the user-space tools only"
	@echo "  modules       ctrace.ko for every test kernel ($(TEST_KERNELS))"
	@echo "  lint          checkpatch --strict, sparse and W=1 over kmod/ and uapi/"
	@echo "  test-host     host unit tests (ASan/UBSan)"
	@echo "  test-vm       kernel tests in a VM: KERNEL=6.1 TEST=name"
	@echo "  vm-shell      an interactive shell in a VM: KERNEL=6.12"
	@echo "  check-direct  kernel tests on the running kernel (root)"
	@echo "  bench         benchmarks against LTTng, ftrace, perf (docs/performance.md)"

-include $(shell find $(O)/obj -name '*.d' 2> /dev/null)
