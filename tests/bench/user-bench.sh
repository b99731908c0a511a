#!/bin/bash
# user-bench.sh: what a user event costs, ctrace beside its peers, in one
# run.  Called by tests/bench/run.sh; runs as root.
#
#   tests/bench/user-bench.sh native [REPEATS]   on this machine, user-only
#   tests/bench/user-bench.sh vm [REPEATS]       inside the test VM (as root,
#                                                ctrace.ko loaded by this)
#
# Native: the floor (rdtsc + a 16-byte store), libctrace recorded by
# ctrace-dump in user-only mode, libctrace with no recorder (disabled),
# LTTng-UST (lttng-sessiond as root, no kernel tracer, a per-UID channel
# of 4 x 512 KiB per CPU: the same 2 MiB per CPU as ctrace's default), and
# Go 1.19's runtime/trace; 1 and 2 threads.  Then the loss test: 1 M
# events/s for 5 s with default buffers, and a burst at full speed.
# In the VM: the floor, libctrace with the module and in user-only mode,
# and ftrace's trace_marker.
#
# Prints "RESULT <where> <what> <threads> <median ns/event> <events> <lost>"
# lines (median of REPEATS runs), and "LOSS ..." lines.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
O=${CTRACE_BUILD:-$top/build}
where=${1:?native or vm}
repeats=${2:-3}
ub=$O/bench/user-bench
ubl=$O/bench/user-bench-lttng
ubgo=$O/bench/user-bench-go
dump=$O/bin/ctrace-dump
events=1000000
tmp=${TMPDIR:-/tmp}/ctrace-user-bench
mkdir -p "$tmp"

median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

# one WHERE LABEL THREADS CMD...: run CMD REPEATS times; the median of its
# RESULT's ns per event, and the events and losses of the last run.
one() {
	local where=$1 label=$2 threads=$3
	shift 3
	local ns=() last=
	for _ in $(seq "$repeats"); do
		last=$("$@" 2> "$tmp/err" | grep '^RESULT') || { cat "$tmp/err" >&2; }
		[ -n "$last" ] && ns+=("$(echo "$last" | awk '{print $4}')")
	done
	if [ ${#ns[@]} = 0 ]; then
		echo "RESULT $where $label $threads - - -"
		return
	fi
	echo "RESULT $where $label $threads $(printf '%s\n' "${ns[@]}" | median)" \
		"$(echo "$last" | awk '{print $5, $6}')"
}

# Events the trace file holds and loses (user events only).
trace_counts() {
	"$O/bin/ctrace" report "$1" | awk '/^user events:/ {gsub(/[(,]/, " "); print $3, $4}'
}

lttng_run() {	# lttng_run WHAT THREADS: one LTTng session around one run
	local what=$1 threads=$2 out=$tmp/lttng r n
	rm -rf "$out"
	lttng create ub --output="$out" > /dev/null &&
	lttng enable-channel -u --subbuf-size=512K --num-subbuf=4 ch > /dev/null &&
	lttng enable-event -u -c ch 'user_bench:*' > /dev/null &&
	lttng start > /dev/null || return 1
	r=$("$ubl" "lttng-$what" "$threads" "$events")
	lttng stop > /dev/null
	lttng destroy > /dev/null
	# What LTTng kept: the events babeltrace2 reads back (warm-up included).
	n=$(babeltrace2 "$out" 2> /dev/null | wc -l)
	echo "$r" | awk -v n="$n" -v w=$((64 * threads)) \
		'{ lost = $5 + w - n; if (lost < 0) lost = 0; print $1, $2, $3, $4, $5, lost }'
}

native() {
	local r
	for th in 1 2; do
		one native floor "$th" "$ub" floor "$th" "$events"
		for w in region log counter; do
			one native "ctrace-$w" "$th" "$dump" -q --user-only -o "$tmp/u.trace" -- \
				"$ub" "$w" "$th" "$events"
			one native "ctrace-$w-disabled" "$th" "$ub" "$w" "$th" 100000000
		done
		if [ -x "$ubl" ] && command -v lttng-sessiond > /dev/null; then
			pgrep -x lttng-sessiond > /dev/null || lttng-sessiond --daemonize --no-kernel
			for w in region log counter; do
				one native "lttng-$w" "$th" lttng_run "$w" "$th"
			done
		fi
		if [ -x "$ubgo" ]; then
			for w in region log; do
				one native "go-$w" "$th" "$ubgo" "$w" "$th" "$events" "$tmp/go.trace"
			done
		fi
	done
	pkill -x lttng-sessiond 2> /dev/null
	# Losses with default buffers: 1 M events/s sustained for 5 s; then
	# 4 M events as fast as one thread can write them.
	"$dump" -q --user-only -o "$tmp/rate.trace" -- \
		"$O/tests/progs/ctrace-uprog" rate 1000000 5 "$tmp/rate.info"
	echo "LOSS native rate-1M/s-5s $(cat "$tmp/rate.info" | awk '{print $1}') $(trace_counts "$tmp/rate.trace")"
	"$dump" -q --user-only -o "$tmp/full.trace" -- \
		"$O/tests/progs/ctrace-uprog" rate 1000000000 0.2 "$tmp/full.info"
	echo "LOSS native full-speed-0.2s $(cat "$tmp/full.info" | awk '{print $1}') $(trace_counts "$tmp/full.trace")"
}

vm() {
	local tracefs=/sys/kernel/tracing
	events=200000	# emulated: fewer
	insmod "$O/kmod/$(uname -r)/kmod/ctrace.ko" || { echo "RESULT vm - insmod failed"; return; }
	mountpoint -q "$tracefs" || mount -t tracefs nodev "$tracefs"
	for th in 1 2; do
		one vm floor "$th" "$ub" floor "$th" "$events"
		for w in region log counter; do
			one vm "ctrace-$w" "$th" "$dump" -q -e user -o "$tmp/u.trace" -- \
				"$ub" "$w" "$th" "$events"
			one vm "ctrace-user-only-$w" "$th" "$dump" -q --user-only -o "$tmp/u.trace" -- \
				"$ub" "$w" "$th" "$events"
			echo 1 > "$tracefs/tracing_on"
			one vm "trace_marker-$w" "$th" "$ub" "marker-$w" "$th" 20000
			echo 0 > "$tracefs/tracing_on"
			echo > "$tracefs/trace"
		done
	done
	"$dump" -q -e user -o "$tmp/rate.trace" -- \
		"$O/tests/progs/ctrace-uprog" rate 1000000 3 "$tmp/rate.info"
	echo "LOSS vm rate-1M/s-3s $(cat "$tmp/rate.info" | awk '{print $1}') $(trace_counts "$tmp/rate.trace")"
	rmmod ctrace
}

case $where in
native) native ;;
vm) vm ;;
*) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
