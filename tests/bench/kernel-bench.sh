#!/bin/bash
# kernel-bench.sh ROUNDS REPEATS STATES...: the kernel-side benchmark, run
# inside the VM as root by tests/bench/run.sh (or by hand on a machine that
# can load modules).  For each tracing state it runs the static pipe
# ping-pong REPEATS times and prints
#
#   RESULT <state> <median ns per round trip> <extra>
#
# States: none, ctrace (ctrace-dump --all into a tmpfs file), ftrace
# (sched_switch + sched_waking into the ftrace ring, no reader), perf
# (perf record -e sched:sched_switch -a), lttng (kernel sched_switch, when
# build/bench/lttng holds modules built for this kernel).
set -u
rounds=$1
repeats=$2
shift 2
O=${CTRACE_BUILD:?}
pp=$O/tests/bench/pingpong
tracefs=/sys/kernel/tracing
krel=$(uname -r)

median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

measure() {
	for _ in $(seq "$repeats"); do "$pp" "$rounds"; done | median
}

# Wait until a background recorder is recording (or gave up).
settle() { sleep "${1:-1}"; }

run_none() { echo "RESULT none $(measure)"; }

run_ctrace() {
	local out=/tmp/bench.trace log=/tmp/bench.dump.log dump r bytes sw
	insmod "$O/kmod/$krel/kmod/ctrace.ko" || { echo "RESULT ctrace - insmod failed"; return; }
	"$O/bin/ctrace-dump" --all -b 4M -o "$out" > "$log" 2>&1 &
	dump=$!
	settle
	r=$(measure)
	kill -INT $dump
	wait $dump
	bytes=$(stat -c %s "$out")
	sw=$("$O/bin/ctrace" report "$out" | awk '$1 == "switch" {print $2}')
	echo "RESULT ctrace $r file_bytes=$bytes switches=$sw $(grep -o 'lost [0-9]*' "$log" | head -n 1 | tr ' ' =)"
	rm -f "$out"
	rmmod ctrace
}

# The same recording as a flight recorder (--flight 1s): drained into
# memory, a generation every 250 ms begun by SESSION_RESTATE, no file.
run_ctrace_flight() {
	local log=/tmp/bench.dump.log dump r
	insmod "$O/kmod/$krel/kmod/ctrace.ko" || { echo "RESULT ctrace_flight - insmod failed"; return; }
	"$O/bin/ctrace-dump" --all -b 4M --flight 1s -o /tmp/bench-flight.trace > "$log" 2>&1 &
	dump=$!
	settle
	r=$(measure)
	kill -INT $dump
	wait $dump
	echo "RESULT ctrace_flight $r $(grep -o 'lost [0-9]*' "$log" | head -n 1 | tr ' ' =)"
	rmmod ctrace
}

# The kernel's part alone: a session with rings big enough, no reader.
run_ctrace_noread() {
	local h r fifo=/tmp/bench.hold
	insmod "$O/kmod/$krel/kmod/ctrace.ko" || { echo "RESULT ctrace_noread - insmod failed"; return; }
	rm -f $fifo
	mkfifo $fifo
	"$O/tests/bench/hold-session" $((64 << 20)) > $fifo &
	h=$!
	exec 3< $fifo
	read -r _ <&3
	r=$(measure)
	kill -INT $h
	echo "RESULT ctrace_noread $r $(cat <&3)"
	wait $h
	exec 3<&-
	rm -f $fifo
	rmmod ctrace
}

run_ftrace() {
	echo 0 > $tracefs/tracing_on
	echo > $tracefs/trace
	echo 1 > $tracefs/events/sched/sched_switch/enable
	echo 1 > $tracefs/events/sched/sched_waking/enable
	echo 1 > $tracefs/tracing_on
	echo "RESULT ftrace $(measure)"
	echo 0 > $tracefs/tracing_on
	echo 0 > $tracefs/events/sched/sched_switch/enable
	echo 0 > $tracefs/events/sched/sched_waking/enable
	echo > $tracefs/trace
}

run_perf() {
	local perf p r
	perf=$(command -v perf || ls /usr/bin/perf_* 2> /dev/null | head -n 1)
	[ -n "$perf" ] || { echo "RESULT perf - not installed"; return; }
	"$perf" record -q -e sched:sched_switch -a -o /tmp/perf.data > /dev/null 2>&1 &
	p=$!
	settle 2
	r=$(measure)
	kill -INT $p
	wait $p
	echo "RESULT perf $r"
	rm -f /tmp/perf.data
}

run_lttng() {
	local mods=$O/bench/lttng/$krel
	if [ ! -d "$mods" ] || ! command -v lttng > /dev/null; then
		echo "RESULT lttng - not built for $krel (tests/bench/build-lttng.sh)"
		return
	fi
	"$(dirname "$0")/lttng-kernel.sh" "$mods" start || { echo "RESULT lttng - failed to start"; return; }
	echo "RESULT lttng $(measure)"
	"$(dirname "$0")/lttng-kernel.sh" "$mods" stop
}

for s in "$@"; do
	"run_$s"
done
