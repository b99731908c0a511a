#!/bin/bash
# readfile.sh: the seed's benchmark, ReadFile with and without tracing,
# every state side by side in one VM boot (run as root in the test VM;
# tests/bench/run.sh boots it).  Timings under TCG mean something only as
# ratios to "none" measured in the same boot.
#
#   tests/bench/readfile.sh [ROUNDS [READS]]
#
# Two threads each read a 1 KiB tmpfs file READS times (open, fstat,
# read, close, as Go's os.ReadFile), in these states, interleaved round
# by round (ROUNDS rounds; the median of each is reported):
#   none             readfile-bench, no annotations
#   regions-off      the same with a libctrace region per ReadFile,
#                    nothing recording (the disabled cost)
#   ctrace-sched     ctrace-dump -e switch,wakeup,task,migrate: the
#                    scheduler's events for the program
#   ctrace-sched-user  ctrace-dump (all groups): scheduler and the
#                    regions' user events
#   ctrace-sched-syscall  scheduler events and syscalls (-e ...,syscall)
#   ctrace-all-syscall  scheduler, user events and syscalls
#   ctrace-self      CTRACE_TRACE=FILE: the program records itself
#                    (ctrace_start(): scheduler and user events)
#   go-none, go-trace  Go 1.19's os.ReadFile loop, without and with
#                    runtime/trace (what go test -trace does)
#
# Prints "RESULT readfile-<state> 2 <ns per ReadFile>" per run and
# "READFILE <state> <median ns> <+% over its baseline>" (baseline: none
# for ctrace, go-none for Go).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
O=${CTRACE_BUILD:-$top/build}
rounds=${1:-5}
reads=${2:-20000}
rb=$O/bench/readfile-bench
rbgo=$O/bench/readfile-bench-go
dump=$O/bin/ctrace-dump
tmp=/tmp/readfile
mkdir -p "$tmp"
head -c 1024 /dev/urandom > "$tmp/small"
if [ -e /dev/ctrace ] || insmod "$O/kmod/$(uname -r)/kmod/ctrace.ko"; then
	have_module=1
else
	have_module=0
	echo "# no module: the ctrace states are left out"
fi
[ -x "$rbgo" ] || echo "# no $rbgo (golang-go not installed): the Go states are left out"

run() {	# run STATE CMD...: one measurement, its RESULT line kept
	local state=$1
	shift
	"$@" 2> "$tmp/err" | grep '^RESULT' | tee -a "$tmp/results" ||
		{ echo "# $state failed:"; sed 's/^/#   /' "$tmp/err"; }
}

: > "$tmp/results"
for r in $(seq "$rounds"); do
	run none "$rb" none 2 "$reads" "$tmp/small" plain
	run regions-off "$rb" regions-off 2 "$reads" "$tmp/small" regions
	if [ $have_module = 1 ]; then
		run ctrace-sched "$dump" -q -e switch,wakeup,task,migrate -o "$tmp/t.trace" -- \
			"$rb" ctrace-sched 2 "$reads" "$tmp/small" regions
		run ctrace-sched-user "$dump" -q -o "$tmp/t.trace" -- \
			"$rb" ctrace-sched-user 2 "$reads" "$tmp/small" regions
		run ctrace-sched-syscall "$dump" -q -e switch,wakeup,task,migrate,syscall -o "$tmp/t.trace" -- \
			"$rb" ctrace-sched-syscall 2 "$reads" "$tmp/small" regions
		run ctrace-all-syscall "$dump" -q -e all,syscall -o "$tmp/t.trace" -- \
			"$rb" ctrace-all-syscall 2 "$reads" "$tmp/small" regions
		run ctrace-self env CTRACE_TRACE="$tmp/t.trace" \
			"$rb" ctrace-self 2 "$reads" "$tmp/small" regions
	fi
	if [ -x "$rbgo" ]; then
		run go-none "$rbgo" none 2 "$reads" "$tmp/small" -
		run go-trace "$rbgo" trace 2 "$reads" "$tmp/small" "$tmp/go.trace"
	fi
done
awk '
{ state = $2; sub(/^readfile-/, "", state); v[state] = v[state] " " $4 }
END {
	n = split("none regions-off ctrace-sched ctrace-sched-user ctrace-sched-syscall ctrace-all-syscall ctrace-self go-none go-trace", order, " ")
	for (i = 1; i <= n; i++) {
		s = order[i]
		if (!(s in v)) continue
		k = split(v[s], a, " ")
		# median: sort the k values
		for (x = 1; x <= k; x++) for (y = x + 1; y <= k; y++) if (a[y] < a[x]) { t = a[x]; a[x] = a[y]; a[y] = t }
		med[s] = k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
		base = s ~ /^go-/ ? "go-none" : "none"
		if (base in med && med[base] > 0)
			printf "READFILE %s %.1f %+.1f%%\n", s, med[s], 100 * (med[s] / med[base] - 1)
		else
			printf "READFILE %s %.1f -\n", s, med[s]
	}
}' "$tmp/results"
[ $have_module = 1 ] && rmmod ctrace 2> /dev/null
exit 0
