#!/bin/bash
# harness_test.sh [-k KERNEL]: prove the kernel-test runner fails what it
# must.  One plan, booted once (and again after the crash):
#
#   passes              a command that succeeds          -> ok
#   fails               a command that exits 1           -> not ok
#   times_out           a command that outlives --timeout -> not ok
#   leaves_module_busy  keeps /dev/ctrace open in the background, so the
#                       runner's rmmod fails             -> not ok
#   crashes_kernel      panics the guest (sysrq c)       -> not ok, rebooted
#   after_crash         a command that succeeds          -> ok
#
# Prints TAP: one line per expectation met or missed.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
kernel=
[ "${1:-}" = -k ] && kernel=$2

plan=$(mktemp)
out=$(mktemp)
trap 'rm -f "$plan" "$out"' EXIT
cat > "$plan" <<'PLAN'
passes @KMOD@ pass true
fails @KMOD@ pass exit 1
times_out @KMOD@ pass sleep 30
leaves_module_busy @KMOD@ pass setsid sleep 60 < /dev/ctrace > /dev/null 2>&1 & sleep 0.5
crashes_kernel @KMOD@ pass echo c > /proc/sysrq-trigger
after_crash @KMOD@ pass true
PLAN
"$here/run-ktests" -k "$kernel" --timeout 5 --plan "$plan" > "$out" 2>&1
rc=$?

echo "TAP version 13"
echo "1..7"
n=0
expect() {	# expect ok|not-ok NAME
	n=$((n + 1))
	local want=$1 name=$2 got
	got=$(grep -E "^(ok|not ok) [0-9-]+ $name( |\$)" "$out" | tail -n 1)
	case $want:$got in
	ok:"ok "*|not-ok:"not ok "*) echo "ok $n runner reports $name as $want" ;;
	*) echo "not ok $n runner reports $name as $want # got: ${got:-nothing}"; bad=1 ;;
	esac
}
bad=0
expect ok passes
expect not-ok fails
expect not-ok times_out
expect not-ok leaves_module_busy
expect not-ok crashes_kernel
expect ok after_crash
n=$((n + 1))
if [ $rc != 0 ]; then
	echo "ok $n run-ktests exits non-zero when a test failed"
else
	echo "not ok $n run-ktests exits non-zero when a test failed"
	bad=1
fi
[ $bad = 0 ] || sed 's/^/# /' "$out"
exit $bad
