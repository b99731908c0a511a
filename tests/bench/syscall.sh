#!/bin/bash
# syscall.sh: what a traced system call costs, every tracer side by side
# in one VM boot (run as root in the test VM; tests/bench/run.sh boots it
# with -icount -smp 1, where ns are instructions).
#
#   tests/bench/syscall.sh [ROUNDS [CALLS]]
#
# tests/bench/syscall-bench makes CALLS getppid() calls in each state,
# interleaved round by round (the median of ROUNDS is reported):
#   none             nothing records
#   ctrace-syscall   ctrace-dump -e syscall: the program's syscalls, drained
#                    into a file on tmpfs
#   ctrace-all       ctrace-dump -e all,syscall: with the scheduler's events
#   ftrace-raw       ftrace's raw_syscalls sys_enter/sys_exit (the same two
#                    tracepoints ctrace probes), into its ring, no reader
#   ftrace-syscalls  ftrace's per-syscall events (syscalls/*: arguments
#                    decoded), no reader
#   perf-record      perf record -e raw_syscalls:sys_enter,sys_exit -- cmd
#   perf-trace       perf trace -- cmd (strace-like text, written to a file)
#
# Prints "RESULT syscall-<state> 1 <ns>" per run and
# "SYSCALL <state> <median ns per call> <ns added to none>".
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
O=${CTRACE_BUILD:-$top/build}
rounds=${1:-3}
calls=${2:-20000}
sb=$O/bench/syscall-bench
dump=$O/bin/ctrace-dump
tracefs=/sys/kernel/tracing
tmp=/tmp/syscall
mkdir -p "$tmp"
[ -d $tracefs/events ] || mount -t tracefs tracefs $tracefs 2> /dev/null
perf=$(command -v perf || ls /usr/bin/perf_* 2> /dev/null | head -n 1)
if [ -e /dev/ctrace ] || insmod "$O/kmod/$(uname -r)/kmod/ctrace.ko"; then
	have_module=1
else
	have_module=0
	echo "# no module: the ctrace states are left out"
fi

run() {	# run STATE CMD...: one measurement, its RESULT line kept
	local state=$1
	shift
	"$@" 2> "$tmp/err" | grep '^RESULT' | tee -a "$tmp/results" ||
		{ echo "# $state failed:"; sed 's/^/#   /' "$tmp/err" | head -5; }
}

ftrace() {	# ftrace STATE EVENTS...: the events on, measured, off
	local state=$1 e
	shift
	[ -d $tracefs/events/raw_syscalls ] || { echo "# $state: no tracefs"; return; }
	echo 0 > $tracefs/tracing_on
	echo > $tracefs/trace
	for e in "$@"; do echo 1 > "$tracefs/events/$e/enable"; done
	echo 1 > $tracefs/tracing_on
	run "$state" "$sb" "$state" "$calls"
	echo 0 > $tracefs/tracing_on
	for e in "$@"; do echo 0 > "$tracefs/events/$e/enable"; done
	echo > $tracefs/trace
}

: > "$tmp/results"
for r in $(seq "$rounds"); do
	run none "$sb" none "$calls"
	if [ $have_module = 1 ]; then
		run ctrace-syscall "$dump" -q -e syscall -o "$tmp/t.trace" -- "$sb" ctrace-syscall "$calls"
		run ctrace-all "$dump" -q -e all,syscall -o "$tmp/t.trace" -- "$sb" ctrace-all "$calls"
	fi
	ftrace ftrace-raw raw_syscalls/sys_enter raw_syscalls/sys_exit
	ftrace ftrace-syscalls syscalls
	if [ -n "$perf" ]; then
		run perf-record "$perf" record -q -e raw_syscalls:sys_enter,raw_syscalls:sys_exit \
			-o "$tmp/perf.data" -- "$sb" perf-record "$calls"
		run perf-trace "$perf" trace -o "$tmp/perf-trace.txt" -- "$sb" perf-trace "$calls"
	fi
	rm -f "$tmp/t.trace" "$tmp/perf.data" "$tmp/perf-trace.txt"
done
awk '
{ state = $2; sub(/^syscall-/, "", state); v[state] = v[state] " " $4 }
END {
	n = split("none ctrace-syscall ctrace-all ftrace-raw ftrace-syscalls perf-record perf-trace", order, " ")
	for (i = 1; i <= n; i++) {
		s = order[i]
		if (!(s in v)) continue
		k = split(v[s], a, " ")
		for (x = 1; x <= k; x++) for (y = x + 1; y <= k; y++) if (a[y] < a[x]) { t = a[x]; a[x] = a[y]; a[y] = t }
		med[s] = k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
		if ("none" in med)
			printf "SYSCALL %s %.1f %+.1f\n", s, med[s], med[s] - med["none"]
		else
			printf "SYSCALL %s %.1f -\n", s, med[s]
	}
}' "$tmp/results"
[ $have_module = 1 ] && rmmod ctrace 2> /dev/null
exit 0
