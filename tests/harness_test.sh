#!/bin/bash
# harness_test.sh [-k KERNEL]: prove the kernel-test runner and the VM
# harness fail what they must.
#
# The runner: one plan, booted once (and again after the crash):
#
#   passes              a command that succeeds          -> ok
#   fails               a command that exits 1           -> not ok
#   times_out           a command that outlives --timeout -> not ok
#   leaves_module_busy  keeps /dev/ctrace open in the background, so the
#                       runner's rmmod fails             -> not ok
#   crashes_kernel      panics the guest (sysrq c)       -> not ok, rebooted
#   after_crash         a command that succeeds          -> ok
#
# The case bounds: CTRACE_TIMEOUT_SCALE stretches each kselftest case's
# bound (ktest.h's KTEST_HARNESS_MAIN), proved on a program built here.
#
# The accelerator: a /dev/kvm that exists but cannot run the guest, played
# by tests/vm/broken-kvm/qemu-system-x86_64 (first on PATH) and a stand-in
# KVM device, with a cache of our own (the real one is not touched):
# the probe finds each way KVM breaks (internal error, abort, silence)
# within seconds, a cached answer is not probed again, a working KVM is
# chosen, a KVM guest that dies is rerun under TCG with one line, a forced
# KVM that cannot work is a clear error, and KVM dying in the middle of a
# run-ktests plan reruns the rest under TCG with every test reported once.
#
# Prints TAP: one line per expectation met or missed.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
O=${O:-$top/build}
kernel=
[ "${1:-}" = -k ] && kernel=$2

plan=$(mktemp)
out=$(mktemp)
scratch=$(mktemp -d)
trap 'rm -rf "$plan" "$out"; [ -n "${KEEP_SCRATCH:-}" ] || rm -rf "$scratch"' EXIT
cat > "$plan" <<'PLAN'
passes @KMOD@ pass true
fails @KMOD@ pass exit 1
times_out @KMOD@ pass sleep 30
leaves_module_busy @KMOD@ pass setsid sleep 60 < /dev/ctrace > /dev/null 2>&1 & sleep 0.5
crashes_kernel @KMOD@ pass echo c > /proc/sysrq-trigger
after_crash @KMOD@ pass true
PLAN
# The runner's own accelerator choice is not under test here.
CTRACE_VM_ACCEL=${CTRACE_VM_ACCEL:-auto} "$here/run-ktests" -k "$kernel" --timeout 5 \
	--plan "$plan" > "$out" 2>&1
rc=$?

echo "TAP version 13"
n=0
bad=0
pass() { n=$((n + 1)); echo "ok $n $*"; }
fail() { n=$((n + 1)); echo "not ok $n $*"; bad=1; }
expect() {	# expect ok|not-ok NAME
	local want=$1 name=$2 got
	got=$(grep -E "^(ok|not ok) [0-9-]+ $name( |\$)" "$out" | tail -n 1)
	case $want:$got in
	ok:"ok "*|not-ok:"not ok "*) pass "runner reports $name as $want" ;;
	*) fail "runner reports $name as $want # got: ${got:-nothing}" ;;
	esac
}
expect ok passes
expect not-ok fails
expect not-ok times_out
expect not-ok leaves_module_busy
expect not-ok crashes_kernel
expect ok after_crash
if [ $rc != 0 ]; then
	pass "run-ktests exits non-zero when a test failed"
else
	fail "run-ktests exits non-zero when a test failed"
fi
[ $bad = 0 ] || sed 's/^/# /' "$out"

# ------------------------------------------------------------ case bounds
# ktest.h's KTEST_HARNESS_MAIN: CTRACE_TIMEOUT_SCALE multiplies each case's
# bound (a case given 1 s that takes 2 s is cut off, at scale 4 it passes),
# and nothing else: a case that fails still fails when scaled.
cat > "$scratch/bounds.c" <<'C'
#include "kselftest_harness.h"
#include "ktest.h"

FIXTURE(b) {};
FIXTURE_SETUP(b) {}
FIXTURE_TEARDOWN(b) {}
TEST_F_TIMEOUT(b, takes_2s_of_1s, 1) { sleep(2); }
TEST_F_TIMEOUT(b, fails_in_time, 1) { ASSERT_EQ(0, getenv("BOUNDS_FAIL") != NULL); }
KTEST_HARNESS_MAIN
C
if cc -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -isystem "$O/src/linux/tools/testing/selftests" \
	-I"$top/tests/kselftest" -o "$scratch/bounds" "$scratch/bounds.c" > "$scratch/bounds-cc.out" 2>&1; then
	b1=$(CTRACE_TIMEOUT_SCALE=1 "$scratch/bounds" 2>&1)
	b4=$(CTRACE_TIMEOUT_SCALE=4 "$scratch/bounds" 2>&1)
	bf=$(CTRACE_TIMEOUT_SCALE=4 BOUNDS_FAIL=1 "$scratch/bounds" 2>&1)
	if grep -q '^not ok 1 b.takes_2s_of_1s' <<< "$b1" && grep -q 'terminated by timeout' <<< "$b1" &&
		grep -q '^ok 1 b.takes_2s_of_1s' <<< "$b4" && grep -q '^ok 2 b.fails_in_time' <<< "$b4" &&
		grep -q '^not ok 2 b.fails_in_time' <<< "$bf"; then
		pass "CTRACE_TIMEOUT_SCALE stretches each case's bound (1 s cut a 2 s case off; x4 let it pass), and a failing case still fails"
	else
		fail "CTRACE_TIMEOUT_SCALE stretches each case's bound"
		printf '%s\n--- x4\n%s\n--- x4, failing\n%s\n' "$b1" "$b4" "$bf" | sed 's/^/#   /'
	fi
else
	fail "the case-bound probe builds against kselftest_harness.h and ktest.h"
	sed 's/^/#   /' "$scratch/bounds-cc.out"
fi

# ------------------------------------------------------------ accelerator
krel=$("$top/tools/build/kernels.sh" --resolve "$kernel")
: > "$scratch/kvm"	# the stand-in KVM device: exists, read-write
export PATH="$here/vm/broken-kvm:$PATH"
export CTRACE_VM_ACCEL_CACHE=$scratch/cache
export CTRACE_VM_KVM_DEV=$scratch/kvm
export CTRACE_FAKE_QEMU_LOG=$scratch/qemu.log
unset CTRACE_VM_ACCEL

# run NAME CMD...: CMD's stdout+stderr in $scratch/NAME.out, its status
# in $rc and its duration in whole seconds in $secs.
run() {
	local name=$1 t0
	shift
	t0=$(date +%s)
	"$@" > "$scratch/$name.out" 2>&1
	rc=$?
	secs=$(( $(date +%s) - t0 ))
}
show() { sed 's/^/#   /' "$scratch/$1.out"; }
kvm_runs() { grep -c -- '-accel kvm' "$CTRACE_FAKE_QEMU_LOG" 2> /dev/null || true; }

# The probe, against each way KVM breaks.  Its bound is set far above
# what it takes to see the failure, so that a probe that only waited for
# its bound would be caught.
for mode in internal-error:"KVM internal error" abort:"QEMU exited with status 134" \
	silent:"no sign of user space"; do
	m=${mode%%:*}
	want=${mode#*:}
	bound=60
	[ $m = silent ] && bound=8
	CTRACE_FAKE_KVM=$m CTRACE_VM_PROBE_TIMEOUT=$bound \
		run probe-$m "$here/vm/kvm-probe" --force -k "$krel"
	v=$(cat "$scratch/probe-$m.out")
	if [[ $v == "tcg: "*"$want"* ]] && [ $secs -lt 20 ]; then
		pass "kvm-probe: KVM that fails with $m means TCG, found in ${secs}s"
	else
		fail "kvm-probe: KVM that fails with $m means TCG, found within 20s # ${secs}s: $v"
	fi
done

before=$(kvm_runs)
CTRACE_FAKE_KVM=internal-error run probe-cached "$here/vm/kvm-probe" -k "$krel"
if [ "$(kvm_runs)" = "$before" ] && grep -q '^tcg: ' "$scratch/probe-cached.out"; then
	pass "kvm-probe: the cached answer is used, with no second probe"
else
	fail "kvm-probe: the cached answer is used, with no second probe # $(cat "$scratch/probe-cached.out")"
fi

CTRACE_VM_KVM_DEV=$scratch/none CTRACE_FAKE_KVM=internal-error \
	run no-device "$here/vm/run-vm" -k "$krel" -s 1 -- echo tcg-boot-ran
if [ $rc = 0 ] && grep -q tcg-boot-ran "$scratch/no-device.out" && [ "$(kvm_runs)" = "$before" ]; then
	pass "run-vm: no KVM device means TCG, without trying KVM"
else
	fail "run-vm: no KVM device means TCG, without trying KVM # exit $rc"
	show no-device
fi

CTRACE_FAKE_KVM=works run probe-works "$here/vm/kvm-probe" --force -k "$krel"
if [ "$(cat "$scratch/probe-works.out")" = kvm ]; then
	pass "kvm-probe: a KVM that boots the guest means KVM"
else
	fail "kvm-probe: a KVM that boots the guest means KVM # $(cat "$scratch/probe-works.out")"
fi

# The cache now says KVM works; this boot's KVM dies anyway.
CTRACE_FAKE_KVM=internal-error run fallback "$here/vm/run-vm" -k "$krel" -s 1 -- echo fallback-ran
lines=$(grep -c 'running this boot again under TCG' "$scratch/fallback.out")
if [ $rc = 0 ] && [ "$lines" = 1 ] && grep -q fallback-ran "$scratch/fallback.out" &&
	grep -q '^tcg: ' "$(ls "$CTRACE_VM_ACCEL_CACHE"/host-* | head -n 1)"; then
	pass "run-vm: a KVM guest that dies is rerun under TCG, said in one line, and remembered"
else
	fail "run-vm: a KVM guest that dies is rerun under TCG, said in one line, and remembered # exit $rc"
	show fallback
fi

CTRACE_VM_ACCEL=kvm CTRACE_FAKE_KVM=internal-error run forced "$here/vm/run-vm" -k "$krel" -s 1 -- true
if [ $rc = 123 ] && grep -q 'CTRACE_VM_ACCEL=kvm, but KVM cannot run this guest: .*KVM internal error' \
	"$scratch/forced.out" && [ $secs -lt 20 ]; then
	pass "run-vm: a forced KVM that cannot work is an error naming why, in ${secs}s"
else
	fail "run-vm: a forced KVM that cannot work is an error naming why, within 20s # exit $rc, ${secs}s"
	show forced
fi

CTRACE_VM_ACCEL=kvm CTRACE_VM_KVM_DEV=$scratch/none run forced-none "$here/vm/run-vm" -k "$krel" -- true
if [ $rc = 123 ] && grep -q "CTRACE_VM_ACCEL=kvm, but there is no $scratch/none" "$scratch/forced-none.out"; then
	pass "run-vm: a forced KVM without a KVM device is an error naming it"
else
	fail "run-vm: a forced KVM without a KVM device is an error naming it # exit $rc"
	show forced-none
fi

# KVM that boots, then dies while the second test of a plan runs.
"$here/vm/kvm-probe" --record kvm > /dev/null
cat > "$scratch/plan" <<'PLAN'
first @KMOD@ pass true
second @KMOD@ pass sleep 1
third @KMOD@ pass true
PLAN
CTRACE_FAKE_KVM='die-after:# second: ' run midrun "$here/run-ktests" -k "$krel" -s 1 \
	--timeout 30 --plan "$scratch/plan"
tally() { grep -cE "^(ok|not ok) [0-9-]+ $1( |\$)" "$scratch/midrun.out"; }
if [ $rc = 0 ] && grep -q 'rerunning from second under TCG' "$scratch/midrun.out" &&
	[ "$(tally first)" = 1 ] && [ "$(tally second)" = 1 ] && [ "$(tally third)" = 1 ] &&
	! grep -q '^not ok' "$scratch/midrun.out"; then
	pass "run-ktests: KVM dying mid-run reruns the rest under TCG, each test reported once"
else
	fail "run-ktests: KVM dying mid-run reruns the rest under TCG, each test reported once # exit $rc"
	show midrun
fi

echo "1..$n"
exit $bad
