#!/bin/bash
# record.sh OUT: the ground-truth recordings, on a kernel that loads
# ctrace (the test VM, or this machine with --direct), as root.
#
# Each workload knows what it did and says so in its .info file; the
# analyses, exporters and viewer are checked against those facts
# (tests/ground/run.sh runs the checks on the host).  The scheduler
# workloads are recorded by perf sched at the same time, so that our
# figures can be compared with perf sched timehist on the same run.
#
#   OUT/pingpong.*   two SCHED_FIFO threads on CPU 0 bounce a byte 2000
#                    times (kernel events only)
#   OUT/sleeper.*    a thread sleeps 10 ms, 20 times
#   OUT/spinners.*   two CPU-bound threads share CPU 0 for 400 ms
#   OUT/uevents.*    ctrace-uprog ground: a task across two threads,
#                    nested regions (one sleeps), logs, counters, a flow
#   OUT/regions.*    a region that sleeps 5 ms and one that spins 5 ms,
#                    10 times each, in tasks
#   OUT/lossy.*      a switch storm into one-page rings: LOST records
#   OUT/pipeline.*   tools/examples/pipeline: a program annotated with
#                    libctrace, among the scheduler's events
# For each NAME: NAME.trace, NAME.info (the workload's own facts), and
# for the perf ones NAME.timehist (perf sched timehist -s), NAME.slices
# (perf sched timehist: a line per switch-out with its run time),
# NAME.perf-log (what perf said, e.g. that it lost events) and
# NAME.latency (perf sched latency).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
O=${CTRACE_BUILD:-$top/build}
out=$1
mkdir -p "$out"
dump=$O/bin/ctrace-dump
ctrace=$O/bin/ctrace
wl=$O/tests/progs/ctrace-workload
up=$O/tests/progs/ctrace-uprog
krel=$(uname -r)

if ! grep -q '^ctrace ' /proc/modules; then
	insmod "${CTRACE_KO:-$O/kmod/$krel/kmod/ctrace.ko}"
fi
perf=$(command -v perf || true)

# with_perf NAME CMD...: CMD under perf sched record, then perf's views.
with_perf() {
	local name=$1
	shift
	if [ -n "$perf" ]; then
		"$perf" sched record -q -o "/tmp/$name.perf" -- "$@" > /dev/null
		"$perf" sched timehist -i "/tmp/$name.perf" -s > "$out/$name.timehist" \
			2> "$out/$name.perf-log" || true
		"$perf" sched timehist -i "/tmp/$name.perf" > "$out/$name.slices" 2> /dev/null || true
		"$perf" sched latency -i "/tmp/$name.perf" > "$out/$name.latency" 2> /dev/null || true
		rm -f "/tmp/$name.perf"
	else
		"$@"
	fi
}

echo "== pingpong"
with_perf pingpong "$dump" -q -o "$out/pingpong.trace" -- "$wl" pingpong 2000 "$out/pingpong.info"
echo "== sleeper"
with_perf sleeper "$dump" -q -o "$out/sleeper.trace" -- "$wl" sleeper 10 20 "$out/sleeper.info"
echo "== spinners"
with_perf spinners "$dump" -q -o "$out/spinners.trace" -- "$wl" spinners 400 "$out/spinners.info"
echo "== uevents"
"$ctrace" record -q -o "$out/uevents.trace" -- "$up" ground "$out/uevents.info"
echo "== regions"
"$ctrace" record -q -o "$out/regions.trace" -- "$up" regions 10 5 "$out/regions.info"
echo "== lossy"
"$dump" -q -b 4096 -e switch -o "$out/lossy.trace" -- "$wl" storm 0.5 4
echo "== syscalls"
"$dump" -q -e all,syscall -o "$out/syscalls.trace" -- "$wl" syscalls 50 "$out/syscalls.info"
echo "== pipeline"
"$ctrace" record -q -o "$out/pipeline.trace" -- "$O/examples/pipeline" 20 > "$out/pipeline.info"
uname -r > "$out/kernel"
echo "== done: $(ls "$out" | wc -l) files"
