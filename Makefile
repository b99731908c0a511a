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
# The kernels the suite builds for and boots: newest installed 6.1, 6.12
# and 6.12-rt.
TEST_KERNELS ?= $(shell $(TOP)/tools/build/kernels.sh --test 2> /dev/null)

# The version, in one place: tools/include/ctrace_version.h, which the
# tools print; the pkg-config file and dkms.conf carry it too.
VERSION := $(shell sed -n 's/^\#define CTRACE_VERSION[[:space:]]*"\(.*\)"$$/\1/p' \
	$(TOP)/tools/include/ctrace_version.h)

# ---------------------------------------------------------------- user space
CC ?= cc
NL_CFLAGS = $(shell pkg-config --cflags libnl-genl-3.0 2> /dev/null)
NL_LIBS = $(shell pkg-config --libs libnl-genl-3.0 2> /dev/null)
WARNINGS := -Wall -Wextra -Werror
READ_INCLUDES := -I$(TOP)/tools/tracefile -I$(TOP)/tools/model \
	-I$(TOP)/tools/analysis -I$(TOP)/tools/export -I$(TOP)/tools/view -I$(O)/gen
USER_CFLAGS := -std=c11 -D_GNU_SOURCE -O2 -g $(WARNINGS) -I$(TOP)/uapi \
	-I$(TOP)/tools/ctl $(READ_INCLUDES) -I$(TOP)/tools/include \
	-I$(TOP)/tools/recorder
# Host unit tests run under AddressSanitizer and UBSan.
SAN_CFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
# kselftest_harness.h needs GNU C; it comes from Debian's linux-source.
SELFTESTS := $(O)/src/linux/tools/testing/selftests
TEST_CFLAGS := -std=gnu11 -D_GNU_SOURCE -O2 -g $(WARNINGS) -I$(TOP)/uapi \
	-I$(TOP)/tools/ctl $(READ_INCLUDES) -I$(TOP)/tools/include \
	-isystem $(SELFTESTS) -pthread
# A distribution's CPPFLAGS and CFLAGS (hardening, debug info: Debian's
# dpkg-buildflags) go on what is installed (the tools and libctrace), after
# ours so that theirs win; its LDFLAGS on their links.
DIST_CFLAGS = $(CPPFLAGS) $(CFLAGS)
# The trace decoder is fuzzed with libFuzzer (clang).
FUZZ_CC := clang
FUZZ_CFLAGS := -std=gnu11 -D_GNU_SOURCE -O1 -g $(WARNINGS) -I$(TOP)/uapi \
	$(READ_INCLUDES) -I$(TOP)/tools/include -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all

CTL_SRCS := $(wildcard tools/ctl/*.c)
TRACEFILE_SRCS := $(wildcard tools/tracefile/*.c)
MODEL_SRCS := $(wildcard tools/model/*.c)
ANALYSIS_SRCS := $(wildcard tools/analysis/*.c)
EXPORT_SRCS := $(wildcard tools/export/*.c)
# The reading stack, file -> decode -> model -> analyses and exporters,
# in link order: each layer uses only the ones after it.
READ_SRCS := $(EXPORT_SRCS) $(ANALYSIS_SRCS) $(MODEL_SRCS) $(TRACEFILE_SRCS)
READ_LIBS := $(O)/lib/libexport.a $(O)/lib/libanalysis.a $(O)/lib/libmodel.a \
	$(O)/lib/libtracefile.a
LIB_SRCS := $(wildcard tools/lib/*.c)
CTRACE_SRCS := $(wildcard tools/ctrace/*.c)
# ctrace view (tools/view): the page's sources are embedded at build time
# by gen/page2c.c; --serve needs libmicrohttpd (built without it, it says so).
VIEW_SRCS := $(wildcard tools/view/*.c)
VIEW_JS := $(addprefix tools/view/page/,util.js data.js timeline.js panels.js main.js)
VIEW_PAGE := tools/view/page/index.html tools/view/page/view.css $(VIEW_JS)
MHD_LIBS := $(shell pkg-config --libs libmicrohttpd 2> /dev/null)
MHD_CFLAGS := $(if $(MHD_LIBS),-DCTRACE_HAVE_MHD $(shell pkg-config --cflags libmicrohttpd 2> /dev/null))
VIEW_OBJS = $(call obj,$(1),$(VIEW_SRCS)) $(O)/obj/$(1)/gen/view_page.o
# The recorder (tools/recorder): ctrace-dump's engine, and libctrace's
# ctrace_start() (linked into the library, position independent).
RECORDER_SRCS := $(wildcard tools/recorder/*.c)
DUMP_SRCS := $(wildcard tools/dump/*.c) $(RECORDER_SRCS)

KSELFTEST_SRCS := $(wildcard tests/kselftest/*.c)
KSELFTESTS := $(patsubst tests/kselftest/%.c,$(O)/tests/kselftest/%,$(KSELFTEST_SRCS))
UNIT_SRCS := $(wildcard tests/unit/*.c)
UNITS := $(patsubst tests/unit/%.c,$(O)/tests/unit/%,$(UNIT_SRCS))
PROG_SRCS := $(wildcard tests/progs/*.c)
PROGS := $(patsubst tests/progs/%.c,$(O)/tests/progs/%,$(PROG_SRCS))
ANALYSIS_TEST_SRCS := $(wildcard tests/analysis/*.c)
ANALYSIS_TESTS := $(patsubst tests/analysis/%.c,$(O)/tests/analysis/%,$(ANALYSIS_TEST_SRCS))
EXPORT_TEST_SRCS := $(wildcard tests/export/*.c)
EXPORT_TESTS := $(patsubst tests/export/%.c,$(O)/tests/export/%,$(EXPORT_TEST_SRCS))
FUZZ_SRCS := $(wildcard tests/fuzz/*.c)
FUZZERS := $(patsubst tests/fuzz/%.c,$(O)/tests/fuzz/%,$(FUZZ_SRCS))

obj = $(patsubst %.c,$(O)/obj/$(1)/%.o,$(2))

.PHONY: all tools kmod modules tests help deps lint check check-direct demo \
	bench test-host test-vm vm-shell clean soak fuzz-long check-debug check-dkms deb
all: kmod tools

tools: $(O)/bin/ctrace $(O)/bin/ctrace-dump libctrace examples

# Programs that show how to use libctrace (tools/examples), linked the way
# a user's program would be: -lctrace, found at run time through its rpath.
EXAMPLE_SRCS := $(wildcard tools/examples/*.c)
EXAMPLES := $(patsubst tools/examples/%.c,$(O)/examples/%,$(EXAMPLE_SRCS))
.PHONY: examples
examples: $(EXAMPLES)

$(O)/examples/%: tools/examples/%.c $(O)/lib/libctrace.so tools/lib/ctrace.h
	@mkdir -p $(@D)
	$(CC) -std=c11 -D_GNU_SOURCE -O2 -g $(WARNINGS) -I$(TOP)/tools/lib -o $@ $< \
		-L$(O)/lib -lctrace -pthread -Wl,-rpath,$(O)/lib

# libctrace, for programs to link (-lctrace, pkg-config ctrace): position
# independent, only its ctrace_* API exported (tools/lib/libctrace.map).
# ctrace_start() brings the recorder in, with the netlink client and the
# file writer it uses: compiled here hidden, so nothing but the API shows.
LIB_CFLAGS := $(USER_CFLAGS) $(NL_CFLAGS) -fPIC -fvisibility=hidden \
	-ftls-model=initial-exec -I$(TOP)/tools/lib
LIB_OBJS := $(patsubst %.c,$(O)/obj/pic/%.o,$(LIB_SRCS) $(RECORDER_SRCS) \
	$(CTL_SRCS) $(TRACEFILE_SRCS))
.PHONY: libctrace
libctrace: $(O)/lib/libctrace.so $(O)/lib/libctrace.a $(O)/lib/pkgconfig/ctrace.pc

$(O)/obj/pic/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(LIB_CFLAGS) $(DIST_CFLAGS) -MMD -MP -c -o $@ $<

$(O)/lib/libctrace.so.1: $(LIB_OBJS) tools/lib/libctrace.map
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -shared -Wl,-soname,libctrace.so.1 \
		-Wl,--version-script=tools/lib/libctrace.map -o $@ $(LIB_OBJS) \
		$(NL_LIBS) -pthread

$(O)/lib/libctrace.so: $(O)/lib/libctrace.so.1
	ln -sf libctrace.so.1 $@

$(O)/lib/libctrace.a: $(LIB_OBJS)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

# For building against the tree: PKG_CONFIG_PATH=build/lib/pkgconfig.
CTRACE_VERSION := $(VERSION)
$(O)/lib/pkgconfig/ctrace.pc: tools/lib/ctrace.pc.in tools/include/ctrace_version.h
	@mkdir -p $(@D)
	sed -e 's|@PREFIX@|$(O)|; s|@INCLUDEDIR@|$(TOP)/tools/lib|; s|@LIBDIR@|$(O)/lib|; s|@VERSION@|$(CTRACE_VERSION)|' $< > $@

# ----------------------------------------------------------------- install
# make install [PREFIX=/usr/local] [DESTDIR=] [DKMS=auto|yes|no]: the tools,
# libctrace (with its soname and dev links, and libctrace.a), <ctrace.h>,
# the pkg-config file for PREFIX, bash completion, the udev rule, and the
# module's source for DKMS: added to DKMS when dkms is here, DESTDIR is
# empty and we are root (DKMS=auto), else left in PREFIX/src/ctrace-VERSION
# for a packager (docs/install.md).  Each file goes through
# tools/build/install.sh, which records it in the manifest; make uninstall
# removes exactly what the manifest lists.  A target that installs more
# (install-man) is added to INSTALL_EXTRA and installs with $(INSTALL_FILE)
# MODE SRC DEST, so that its files are in the manifest too.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
DATADIR ?= $(PREFIX)/share
# udev reads /usr/lib/udev/rules.d, not /usr/local's: with the default
# PREFIX the rule is inert, and the module's own 0666 holds (the rule says
# the same; see tools/dist/60-ctrace.rules).
UDEVRULESDIR ?= $(PREFIX)/lib/udev/rules.d
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
DKMS ?= auto
# The library's real file: soname libctrace.so.1, the ABI's major version.
LIBCTRACE_REAL := libctrace.so.1.0.0
INSTALL_SH = DESTDIR='$(DESTDIR)' MANIFEST='$(DATADIR)/ctrace/install-manifest' \
	$(TOP)/tools/build/install.sh
INSTALL_FILE = $(INSTALL_SH) file
INSTALL_LINK = $(INSTALL_SH) link
INSTALL_EXTRA :=
# The module's DKMS source tree: only what its build reads.
DKMS_FILES := Kbuild kmod/Kbuild $(sort $(wildcard kmod/*.[ch])) uapi/linux/ctrace.h

.PHONY: install install-files uninstall
install: install-files $(INSTALL_EXTRA)

install-files: tools libctrace
	@$(INSTALL_FILE) 755 $(O)/bin/ctrace $(BINDIR)/ctrace
	@$(INSTALL_FILE) 755 $(O)/bin/ctrace-dump $(BINDIR)/ctrace-dump
	@$(INSTALL_FILE) 755 $(O)/lib/libctrace.so.1 $(LIBDIR)/$(LIBCTRACE_REAL)
	@$(INSTALL_LINK) $(LIBCTRACE_REAL) $(LIBDIR)/libctrace.so.1
	@$(INSTALL_LINK) libctrace.so.1 $(LIBDIR)/libctrace.so
	@$(INSTALL_FILE) 644 $(O)/lib/libctrace.a $(LIBDIR)/libctrace.a
	@$(INSTALL_FILE) 644 tools/lib/ctrace.h $(INCLUDEDIR)/ctrace.h
	@sed -e 's|@PREFIX@|$(PREFIX)|; s|@INCLUDEDIR@|$(INCLUDEDIR)|; s|@LIBDIR@|$(LIBDIR)|' \
		-e 's|@VERSION@|$(VERSION)|' tools/lib/ctrace.pc.in | \
		$(INSTALL_SH) gen 644 $(LIBDIR)/pkgconfig/ctrace.pc
	@$(INSTALL_FILE) 644 tools/dist/ctrace.bash-completion $(BASHCOMPDIR)/ctrace
	@$(INSTALL_LINK) ctrace $(BASHCOMPDIR)/ctrace-dump
	@$(INSTALL_FILE) 644 tools/dist/60-ctrace.rules $(UDEVRULESDIR)/60-ctrace.rules
	@sed -e 's|@VERSION@|$(VERSION)|' dkms/dkms.conf.in | \
		$(INSTALL_SH) module '$(DKMS)' $(VERSION) $(PREFIX)/src $(TOP) $(DKMS_FILES)
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ] && command -v ldconfig > /dev/null; then \
		ldconfig; fi

uninstall:
	@$(INSTALL_SH) uninstall

# --- man pages (docs/man/, mdoc): `make install` installs them, through
# the manifest (so `make uninstall` removes them); alone, `make install-man`.
MAN_PAGES := $(wildcard docs/man/*.1 docs/man/*.3 docs/man/*.7)
MANDIR ?= $(DATADIR)/man
install: install-man
.PHONY: install-man
install-man: install-files
	@for p in $(MAN_PAGES); do \
		s=$${p##*.}; \
		$(INSTALL_FILE) 644 $$p $(MANDIR)/man$$s/$${p##*/} || exit 1; \
	done
# --- end of the man pages

# System call names from the kernel headers' own table, at build time.
SYSCALL_NAMES := $(O)/gen/syscall_names.h
$(SYSCALL_NAMES): tools/build/gen-syscalls.sh
	@mkdir -p $(@D)
	$(TOP)/tools/build/gen-syscalls.sh $@
$(foreach k,user san pic,$(O)/obj/$(k)/tools/tracefile/syscall.o): $(SYSCALL_NAMES)

$(O)/obj/user/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(DIST_CFLAGS) $(NL_CFLAGS) -MMD -MP -c -o $@ $<

$(O)/obj/san/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(SAN_CFLAGS) $(NL_CFLAGS) -MMD -MP -c -o $@ $<

$(O)/lib/libctl.a: $(call obj,user,$(CTL_SRCS))
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

$(O)/lib/libtracefile.a: $(call obj,user,$(TRACEFILE_SRCS))
	@mkdir -p $(@D)
	rm -f $@ && $(AR) rcs $@ $^

$(O)/lib/libmodel.a: $(call obj,user,$(MODEL_SRCS))
	@mkdir -p $(@D)
	rm -f $@ && $(AR) rcs $@ $^

$(O)/lib/libanalysis.a: $(call obj,user,$(ANALYSIS_SRCS))
	@mkdir -p $(@D)
	rm -f $@ && $(AR) rcs $@ $^

$(O)/lib/libexport.a: $(call obj,user,$(EXPORT_SRCS))
	@mkdir -p $(@D)
	rm -f $@ && $(AR) rcs $@ $^

$(O)/bin/ctrace: $(call obj,user,$(CTRACE_SRCS)) $(call VIEW_OBJS,user) $(READ_LIBS) \
		$(O)/lib/libctl.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(NL_LIBS) $(MHD_LIBS) -pthread

$(O)/bin/page2c: tools/view/gen/page2c.c
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -o $@ $<

$(O)/gen/view_page.c: $(O)/bin/page2c $(VIEW_PAGE)
	@mkdir -p $(@D)
	$(O)/bin/page2c $@ $(VIEW_PAGE)

$(O)/obj/user/gen/view_page.o $(O)/obj/san/gen/view_page.o: $(O)/gen/view_page.c
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(if $(findstring /san/,$@),$(SAN_CFLAGS),$(DIST_CFLAGS)) -c -o $@ $<

$(O)/obj/user/tools/view/serve.o $(O)/obj/san/tools/view/serve.o: USER_CFLAGS += $(MHD_CFLAGS)

$(O)/bin/ctrace-dump: $(call obj,user,$(DUMP_SRCS)) $(READ_LIBS) $(O)/lib/libctl.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(NL_LIBS)

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

# Headers every test and workload may include: a change rebuilds them all.
TEST_HDRS := $(wildcard uapi/linux/*.h tools/include/*.h tools/ctl/*.h \
	tools/tracefile/*.h tools/model/*.h tools/analysis/*.h tools/export/*.h \
	tools/lib/*.h tests/kselftest/*.h)

$(O)/tests/kselftest/%: tests/kselftest/%.c $(READ_LIBS) $(O)/lib/libctl.a \
		$(SELFTESTS)/kselftest_harness.h $(TEST_HDRS)
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -DCTRACE_SRCDIR='"$(TOP)"' $(NL_CFLAGS) -o $@ $< $(READ_LIBS) \
		$(O)/lib/libctl.a $(NL_LIBS)

$(O)/tests/unit/%: tests/unit/%.c $(call obj,san,$(CTL_SRCS) $(READ_SRCS)) $(SELFTESTS)/kselftest_harness.h \
		$(wildcard tests/unit/*.h) $(TEST_HDRS)
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) $(SAN_CFLAGS) $(NL_CFLAGS) -o $@ $< \
		$(call obj,san,$(CTL_SRCS) $(READ_SRCS)) $(NL_LIBS)

# Checks of the analyses against the ground-truth recordings
# (tests/ground/run.sh runs them through tests/analysis/check-analysis).
$(O)/tests/analysis/%: tests/analysis/%.c $(call obj,san,$(READ_SRCS)) \
		$(SELFTESTS)/kselftest_harness.h $(TEST_HDRS)
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) $(SAN_CFLAGS) -o $@ $< $(call obj,san,$(READ_SRCS)) -lm

# ...and of the exporters (tests/export/check-*); they read exports back
# with tests/unit/perfetto_reader.h.
$(O)/tests/export/%: tests/export/%.c $(call obj,san,$(READ_SRCS)) \
		$(SELFTESTS)/kselftest_harness.h $(wildcard tests/unit/*.h) $(TEST_HDRS)
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) $(SAN_CFLAGS) -I$(TOP)/tests/unit -o $@ $< \
		$(call obj,san,$(READ_SRCS)) -lm

# The user-event tests without the module (user-only mode), natively: the
# same program, without its module variant, driving a ctrace-dump built
# with ASan/UBSan (it reads the rings as hostile input).
HOST_TESTS := $(O)/tests/host/user_events_test $(O)/tests/host/self_record_test \
	$(O)/tests/host/top_test $(O)/tests/host/flight_test \
	$(O)/tests/host/dump_test
SAN_TOOLS := $(O)/san/bin/ctrace-dump $(O)/san/bin/ctrace

$(O)/tests/host/%: tests/kselftest/%.c $(READ_LIBS) $(O)/lib/libctl.a \
		$(SELFTESTS)/kselftest_harness.h $(TEST_HDRS)
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -DCTRACE_TEST_NO_MODULE $(NL_CFLAGS) -o $@ $< \
		$(READ_LIBS) $(O)/lib/libctl.a $(NL_LIBS)

$(O)/san/bin/ctrace-dump: $(call obj,san,$(DUMP_SRCS) $(READ_SRCS) $(CTL_SRCS))
	@mkdir -p $(@D)
	$(CC) $(SAN_CFLAGS) -o $@ $^ $(NL_LIBS)

$(O)/san/bin/ctrace: $(call obj,san,$(CTRACE_SRCS) $(READ_SRCS) $(CTL_SRCS)) $(call VIEW_OBJS,san)
	@mkdir -p $(@D)
	$(CC) $(SAN_CFLAGS) -o $@ $^ $(NL_LIBS) $(MHD_LIBS) -pthread

# The view's unit test and query fuzzer link the view without the server.
VIEW_NOSERVE := $(filter-out tools/view/serve.c,$(VIEW_SRCS))
$(O)/tests/unit/view_test: tests/unit/view_test.c $(call obj,san,$(READ_SRCS) $(VIEW_NOSERVE)) \
		$(O)/obj/san/gen/view_page.o $(SELFTESTS)/kselftest_harness.h \
		$(wildcard tests/unit/*.h) $(TEST_HDRS) tools/view/view.h
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) $(SAN_CFLAGS) -o $@ $< \
		$(call obj,san,$(READ_SRCS) $(VIEW_NOSERVE)) $(O)/obj/san/gen/view_page.o

$(O)/tests/fuzz/view_query_fuzz: tests/fuzz/view_query_fuzz.c tools/view/query.c \
		tools/view/enc.c tools/view/kinds.c tools/view/view.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -I$(TOP)/tools/view -o $@ $< tools/view/query.c \
		tools/view/enc.c tools/view/kinds.c

# The view's browser test makes its hostile and broken traces with this.
$(O)/tests/view/mktrace: tests/view/mktrace.c $(O)/lib/libtracefile.a $(wildcard tests/unit/*.h)
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -I$(TOP)/tests/unit -o $@ $< $(O)/lib/libtracefile.a

$(O)/tests/fuzz/%: tests/fuzz/%.c $(READ_SRCS) $(wildcard tools/*/*.h tests/unit/*.h) $(SYSCALL_NAMES)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(READ_SRCS)

# Workloads the tests and benchmarks trace (not tests themselves); the
# ctrace-u* ones write user events with libctrace.
$(O)/tests/progs/ctrace-u%: tests/progs/ctrace-u%.c $(O)/lib/libctrace.so $(TEST_HDRS)
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -I$(TOP)/tools/lib -o $@ $< -L$(O)/lib -lctrace \
		-Wl,-rpath,$(O)/lib

$(O)/tests/progs/%: tests/progs/%.c $(TEST_HDRS)
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -o $@ $<

# ctrace-lostrace links libctrace's sources built with their test hook
# (CTRACE_TEST_HOOKS, tools/lib/internal.h); nothing installed has it.
LIB_HOOK_OBJS := $(patsubst $(O)/obj/pic/%,$(O)/obj/pic-hooks/%,$(LIB_OBJS))

$(O)/obj/pic-hooks/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(LIB_CFLAGS) -DCTRACE_TEST_HOOKS -MMD -MP -c -o $@ $<

$(O)/tests/progs/ctrace-lostrace: tests/progs/ctrace-lostrace.c $(LIB_HOOK_OBJS) $(TEST_HDRS)
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -DCTRACE_TEST_HOOKS $(NL_CFLAGS) -o $@ $< \
		$(LIB_HOOK_OBJS) $(NL_LIBS)

tests: tools modules $(KSELFTESTS) $(UNITS) $(FUZZERS) $(PROGS) $(HOST_TESTS) $(SAN_TOOLS) \
	$(O)/tests/view/mktrace \
	$(ANALYSIS_TESTS) $(EXPORT_TESTS)

# The kernel benchmark's workload, static so the loader costs nothing.
$(O)/tests/bench/pingpong: tests/bench/pingpong.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O2 $(WARNINGS) -static -o $@ $<

$(O)/tests/bench/hold-session: tests/bench/hold-session.c $(O)/lib/libctl.a
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(NL_CFLAGS) -o $@ $< $(O)/lib/libctl.a $(NL_LIBS)

# The user-event benchmark: libctrace, and the same events with LTTng-UST
# and Go's runtime/trace (make bench installs both: deps.sh --bench).
BENCH_CFLAGS := -std=gnu11 -D_GNU_SOURCE -O2 -g $(WARNINGS) -I$(TOP)/uapi -I$(TOP)/tools/lib

$(O)/bench/user-bench: tests/bench/user-bench.c $(O)/lib/libctrace.so tools/lib/ctrace.h
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) -o $@ $< -L$(O)/lib -lctrace -pthread -Wl,-rpath,$(O)/lib

$(O)/bench/user-bench-lttng: tests/bench/user-bench.c tests/bench/user-bench-tp.c \
		tests/bench/user-bench-tp.h $(O)/lib/libctrace.so
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) -DUSER_BENCH_LTTNG -I$(TOP)/tests/bench -o $@ \
		tests/bench/user-bench.c tests/bench/user-bench-tp.c \
		-L$(O)/lib -lctrace -llttng-ust -ldl -pthread -Wl,-rpath,$(O)/lib

$(O)/bench/user-bench-go: tests/bench/user-bench.go
	@mkdir -p $(@D)/gocache
	cd $(@D) && GOCACHE=$(@D)/gocache HOME=$(@D) go build -o $@ $(TOP)/$<

# The seed's ReadFile benchmark, in C and in Go (tests/bench/readfile.sh).
$(O)/bench/readfile-bench: tests/bench/readfile-bench.c $(O)/lib/libctrace.so tools/lib/ctrace.h
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) -o $@ $< -L$(O)/lib -lctrace -pthread -Wl,-rpath,$(O)/lib

$(O)/bench/readfile-bench-go: tests/bench/readfile-bench.go
	@mkdir -p $(@D)/gocache
	cd $(@D) && GOCACHE=$(@D)/gocache HOME=$(@D) go build -o $@ $(TOP)/$<

# What a traced system call costs (tests/bench/syscall.sh).
$(O)/bench/syscall-bench: tests/bench/syscall-bench.c
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) -o $@ $<

BENCH_BINS := $(O)/tests/bench/pingpong $(O)/tests/bench/hold-session $(O)/bench/syscall-bench \
	$(O)/bench/user-bench $(O)/bench/user-bench-lttng $(O)/bench/user-bench-go \
	$(O)/bench/readfile-bench $(O)/bench/readfile-bench-go

# ---------------------------------------------------------------- commands
deps:
	$(TOP)/tools/build/deps.sh

check: deps
	$(MAKE) --no-print-directory -j$(shell nproc) tests
	$(TOP)/tests/check.sh

# The same kernel tests on the running kernel, without a VM (root, and a
# kernel that can load modules).
check-direct: deps
	$(MAKE) --no-print-directory tools kmod $(KSELFTESTS)
	$(TOP)/tests/run-ktests --direct

# A soak: mixed load in a VM for CTRACE_SOAK_SECONDS (default 600) on
# KERNEL (default the first test kernel); report in build/soak/.
soak: deps tools modules $(PROGS)
	$(TOP)/tests/soak/run.sh $(if $(KERNEL),-k $(KERNEL))

# The whole VM suite on a lockdep/KASAN/DEBUG_OBJECTS kernel built from
# Debian's linux-source (tests/vm/debug-kernel.sh; cached in
# build/debug-kernel, about 40 minutes to build here the first time).
# Not part of `make check`: see docs/testing.md for its times.
check-debug:
	$(TOP)/tools/build/deps.sh --debug
	$(MAKE) --no-print-directory -j$(shell nproc) tests
	+@r=$$($(TOP)/tests/vm/debug-kernel.sh) && k=$(O)/debug-kernel/$$r/build && \
	$(TOP)/tools/build/kmod.sh $$k $(O)/kmod/$$r W=1 && \
	$(TOP)/tools/build/kmod.sh $$k $(O)/kmod/$$r-test W=1 CTRACE_TEST_HOOKS=y && \
	CTRACE_TIMEOUT_SCALE=4 CTRACE_CHECK_STAGES="vm-$$r" TEST_KERNELS="$$r" \
		$(TOP)/tests/check.sh

# DKMS: the module built by dkms for every test kernel, loaded and smoke
# tested in the VM, then removed (root, minutes; tests/install/dkms.sh).
check-dkms: tests
	$(TOP)/tools/build/deps.sh --dkms
	$(TOP)/tests/install/dkms.sh

# Debian packages (debian/): the source package and ctrace, libctrace1,
# libctrace-dev and ctrace-dkms into build/deb/, then lintian, which must
# find no error or warning (tools/build/deb.sh; docs/install.md).
deb:
	$(TOP)/tools/build/deps.sh --deb
	$(TOP)/tools/build/deb.sh $(O)/deb

# The decoder, sanitiser, exporter and query fuzzers for CTRACE_FUZZ_RUNS
# executions in all (default 10 M); not part of `make check`.
fuzz-long: $(FUZZERS)
	CTRACE_FUZZ_RUNS=$${CTRACE_FUZZ_RUNS:-10000000} $(TOP)/tests/fuzz/run.sh $(FUZZERS)

# Benchmarks: minutes; installs what the comparisons need (LTTng, perf).
bench:
	$(TOP)/tools/build/deps.sh --bench
	$(MAKE) --no-print-directory tools modules $(PROGS) $(BENCH_BINS)
	$(TOP)/tests/bench/run.sh

demo: deps
	$(MAKE) --no-print-directory tools modules $(PROGS)
	$(TOP)/tools/build/demo.sh

test-host: $(UNITS) $(HOST_TESTS) $(SAN_TOOLS) $(PROGS) libctrace
	$(TOP)/tests/run-unit $(UNITS)
	CTRACE_BUILD=$(O) CTRACE_BIN=$(O)/san/bin $(TOP)/tests/run-unit $(HOST_TESTS)

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
	@echo "  install       tools, libctrace, header, completion, udev rule, DKMS module: PREFIX= DESTDIR="
	@echo "  uninstall     remove exactly what install installed (its manifest)"
	@echo "  deb           Debian packages (ctrace, libctrace1, libctrace-dev, ctrace-dkms) into build/deb, lintian"
	@echo "  modules       ctrace.ko for every test kernel ($(TEST_KERNELS))"
	@echo "  lint          checkpatch --strict, sparse and W=1 over kmod/ and uapi/"
	@echo "  test-host     host unit tests (ASan/UBSan)"
	@echo "  test-vm       kernel tests in a VM: KERNEL=6.1 TEST=name"
	@echo "  vm-shell      an interactive shell in a VM: KERNEL=6.12"
	@echo "  check-direct  kernel tests on the running kernel (root)"
	@echo "  bench         benchmarks against LTTng, ftrace, perf (docs/performance.md)"
	@echo "  soak          mixed load in a VM for 10 min (CTRACE_SOAK_SECONDS), KERNEL=..."
	@echo "  fuzz-long     the decoder fuzzers for >= 10 M executions (CTRACE_FUZZ_RUNS)"
	@echo "  check-debug   the VM suite on a lockdep/KASAN kernel built from linux-source"
	@echo "  check-dkms    dkms builds ctrace.ko for each test kernel, each loaded in the VM (root)"

-include $(shell find $(O)/obj -name '*.d' 2> /dev/null)
