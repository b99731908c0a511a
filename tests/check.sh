#!/bin/bash
# check.sh: the whole test suite, as `make check` runs it (after building).
#
# Stages, each printing TAP (a test program's own TAP indented by "# "):
#   unit      host unit tests under ASan/UBSan
#   host      user events natively in user-only mode (no module), with
#             ctrace-dump under ASan/UBSan
#   fuzz      the trace decoder under libFuzzer, for a bounded time
#   lint      checkpatch --strict, sparse, W=1 and -Wmaybe-uninitialized
#             on kmod/ and uapi/
#   header    <ctrace.h> installed, then used by a program built with gcc
#             and clang, as C11 and C++17, -Wall -Wextra -Werror
#   man       the man pages (docs/man/): mandoc lint, and every option of
#             each tool's --help in its page
#   install   make install / uninstall into a DESTDIR: files, links, soname,
#             pkg-config, a program built against it, completion, manifest
#   harness   the kernel-test runner fails what it must
#   ground    ground-truth workloads recorded in the VM (first test
#             kernel), then every tests/*/check-* against them on the
#             host: the analyses, the exporters and their real viewers
#   vm-<k>    the kernel tests in a VM booting each test kernel (-smp 2)
#   vm-<k>-smp1  the clock-sensitive tests again with one CPU, where 6.1
#             keeps trusting the TSC (with two it marks it unstable)
#   deb       make deb and lintian; the packages installed into a clean
#             root (mmdebstrap), a program built and traced there, and
#             the module DKMS built loaded by modprobe in the VM
#   guide     every command of the user's guide (docs/guide.md) run, in a
#             VM booting the first test kernel and on the host, against
#             a DESTDIR install; the output it shows must still match
#
# What is counted: every test case a program reports ("# ok"/"# not ok")
# and every top-level line (a program's exit status, dmesg and unload
# checks; a lint finding; a runner expectation).  The last line is
# "N passed, N failed, N skipped"; the exit status is 0 when none failed.
# CTRACE_CHECK_STAGES limits the stages (e.g. "unit lint"); the VM stages
# run CTRACE_CHECK_JOBS at a time (default: the number of CPUs).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
O=${O:-$top/build}
cd "$top"
log=$O/check
rm -rf "$log"
mkdir -p "$log"
kernels=${TEST_KERNELS:-$("$top/tools/build/kernels.sh" --test)}
first_kernel=$(echo $kernels | awk '{print $1}')

stages=${CTRACE_CHECK_STAGES:-unit host fuzz lint header man install harness ground $(for k in $kernels; do echo "vm-$k"; done) vm-$first_kernel-smp1 deb guide}
start_all=$(date +%s)

run_stage() {
	local name=$1 start rc
	shift
	echo "### $name: $*"
	start=$(date +%s)
	"$@" 2>&1 | tee "$log/$name.log"
	rc=${PIPESTATUS[0]}
	echo "### $name: exit $rc, $(( $(date +%s) - start ))s"
	# A stage that dies before reporting anything still counts as a failure.
	if [ $rc != 0 ] && ! grep -qE '^(# )?not ok' "$log/$name.log"; then
		echo "not ok - $name # stage failed (exit $rc) without a failing test" | tee -a "$log/$name.log"
	fi
}

# The VM stages run two at a time (CTRACE_CHECK_JOBS): each guest is one
# host thread (TCG, thread=single), so two use a 2-core machine's both
# cores.  A stage running in the background writes only its log, which
# is printed whole when it ends.
jobs=${CTRACE_CHECK_JOBS:-$(nproc)}
running=()
bg_stage() {
	local name=$1
	shift
	while [ ${#running[@]} -ge "$jobs" ]; do
		wait -n 2> /dev/null || true
		reap
	done
	(run_stage "$name" "$@" > "$log/$name.out" 2>&1) &
	running+=("$!:$name")
}
# Print (once) the output of every background stage that has ended.
reap() {
	local keep=() r pid name
	for r in "${running[@]}"; do
		pid=${r%%:*} name=${r#*:}
		if kill -0 "$pid" 2> /dev/null; then
			keep+=("$r")
		else
			wait "$pid" 2> /dev/null
			cat "$log/$name.out"
			rm -f "$log/$name.out"
		fi
	done
	running=("${keep[@]}")
}

for s in $stages; do
	case $s in
	unit) run_stage unit "$top/tests/run-unit" "$O"/tests/unit/* ;;
	host) CTRACE_BUILD=$O CTRACE_BIN=$O/san/bin run_stage host "$top/tests/run-unit" "$O"/tests/host/* ;;
	fuzz) run_stage fuzz "$top/tests/fuzz/run.sh" "$O"/tests/fuzz/* ;;
	lint) run_stage lint "$top/tests/lint.sh" ;;
	header) run_stage header "$top/tests/header/run.sh" ;;
	man) run_stage man "$top/tests/man/run.sh" ;;
	install) run_stage install "$top/tests/install/install.sh" ;;
	harness) run_stage harness "$top/tests/harness_test.sh" -k "$first_kernel" ;;
	ground) run_stage ground "$top/tests/ground/run.sh" -k "$first_kernel" ;;
	vm-*-smp1) k=${s#vm-}; bg_stage "$s" "$top/tests/run-ktests" -k "${k%-smp1}" -s 1 \
		--only clock_test,sched_events_test,loss_test ;;
	vm-*) bg_stage "$s" "$top/tests/run-ktests" -k "${s#vm-}" ;;
	# In the background too, one after the other on the core that the
	# short smp1 stage frees while the last kernel's stage runs: each
	# boots its VM for under a minute.
	deb) bg_stage deb "$top/tests/deb/run.sh" ;;
	guide) CTRACE_GUIDE_KERNEL=$first_kernel bg_stage guide "$top/tests/guide/run.sh" ;;
	*) echo "check.sh: unknown stage $s" >&2; exit 2 ;;
	esac
done
while [ ${#running[@]} -gt 0 ]; do
	wait -n 2> /dev/null || true
	reap
done

pass=$(cat "$log"/*.log | grep -E '^(# )?ok ' | grep -cv '# SKIP')
skip=$(cat "$log"/*.log | grep -E '^(# )?ok ' | grep -c '# SKIP')
fail=$(cat "$log"/*.log | grep -cE '^(# )?not ok')
echo "make check took $(( $(date +%s) - start_all ))s; logs in $log"
if [ "$skip" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" = 0 ]
