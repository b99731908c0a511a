#!/bin/bash
# read-bench.sh [-n EVENTS]: how fast the reading side is, natively, beside
# perf script and trace-cmd report on comparable data.  Part of `make
# bench` (tests/bench/run.sh); prints a table, also in build/bench/read.md.
#
# 1. A synthetic trace of EVENTS events (default 10 M: a busy 4-CPU
#    machine with user events, tests/bench/gen-trace.c), and one twice as
#    long, to show that memory does not grow with the trace.
# 2. For each reader: ctrace validate, ctrace report --json (every
#    analysis) and ctrace export --format json (tests/bench/export-bench.sh
#    measures the Perfetto exporter):
#    the median wall time of 3 runs, input MB/s and events/s, and peak
#    memory: RSS (which counts the mapped file's pages, so grows with the
#    file) and anonymous RSS (what the reader allocated), sampled every
#    10 ms from /proc.
# 3. perf script on a perf.data, and trace-cmd report on a trace.dat, of
#    sched_switch and sched_waking recorded on this machine during a
#    switch storm (when perf and trace-cmd can record here).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
O=${O:-$top/build}
events=10000000
while [ $# -gt 0 ]; do
	case $1 in
	-n) events=$2; shift 2 ;;
	*) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
	esac
done
out=$O/bench/read
mkdir -p "$out"
ctrace=$O/bin/ctrace
md=$O/bench/read.md

# measure LABEL EVENTS BYTES CMD...: median of 3 wall times, peak memory.
measure() {
	local label=$1 n=$2 bytes=$3 times=() peak_rss=0 peak_anon=0
	shift 3
	for i in 1 2 3; do
		local t0 pid rss anon
		t0=$(date +%s.%N)
		"$@" > /dev/null 2>&1 &
		pid=$!
		while kill -0 $pid 2> /dev/null; do
			rss=$(awk '/^VmRSS/ {print $2}' /proc/$pid/status 2> /dev/null)
			anon=$(awk '/^RssAnon/ {print $2}' /proc/$pid/status 2> /dev/null)
			[ -n "$rss" ] && [ "$rss" -gt $peak_rss ] && peak_rss=$rss
			[ -n "$anon" ] && [ "$anon" -gt $peak_anon ] && peak_anon=$anon
			sleep 0.01
		done
		wait $pid
		times+=("$(echo "$t0 $(date +%s.%N)" | awk '{printf "%.3f", $2 - $1}')")
	done
	local med
	med=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p)
	awk -v l="$label" -v t="$med" -v n="$n" -v b="$bytes" -v r="$peak_rss" -v a="$peak_anon" \
		'BEGIN { printf "| %s | %.3f | %.1f | %.2f | %d | %d |\n", l, t, b / 1048576 / t, n / 1e6 / t, r / 1024, a / 1024 }' |
		tee -a "$md"
}

echo "## Reading side ($(date -u +%F), $(nproc) CPUs, natively)" > "$md"
echo >> "$md"
echo "| reader | s | MB/s | M events/s | peak RSS MiB | peak anon MiB |" >> "$md"
echo "|---|---|---|---|---|---|" >> "$md"
cat "$md"

gcc -std=gnu11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -I"$top/uapi" -I"$top/tools/tracefile" \
	-I"$top/tests/unit" -o "$out/gen-trace" "$here/gen-trace.c" "$O/lib/libtracefile.a" || exit 1
for n in "$events" $((events * 2)); do
	f=$out/synthetic-$n.trace
	[ -s "$f" ] || "$out/gen-trace" "$n" "$f" 2> /dev/null || exit 1
	real=$("$ctrace" validate "$f" | sed -n 's/^valid: \([0-9]*\) events.*/\1/p')
	bytes=$(stat -c %s "$f")
	measure "ctrace validate, $((n / 1000000)) M" "$real" "$bytes" "$ctrace" validate "$f"
	measure "ctrace report --json, $((n / 1000000)) M" "$real" "$bytes" "$ctrace" report --json "$f"
	measure "ctrace export --format json, $((n / 1000000)) M" "$real" "$bytes" \
		"$ctrace" export --format json --max-size 64G -o /dev/null "$f"
done

# Peers, on what this machine's kernel lets them record.
wl=$O/tests/progs/ctrace-workload
perf=$(command -v perf || true)
if [ -n "$perf" ] && [ -x "$wl" ]; then
	"$perf" record -q -e sched:sched_switch -e sched:sched_waking -a -o "$out/perf.data" \
		-- "$wl" storm 3 4 > /dev/null 2>&1
	n=$("$perf" script -i "$out/perf.data" 2> /dev/null | wc -l)
	if [ "$n" -gt 0 ]; then
		measure "perf script ($((n / 1000)) k events)" "$n" "$(stat -c %s "$out/perf.data")" \
			"$perf" script -i "$out/perf.data"
	fi
fi
if command -v trace-cmd > /dev/null && [ -x "$wl" ]; then
	rm -f "$out/trace.dat"
	(cd "$out" && trace-cmd record -q -e sched_switch -e sched_waking -o "$out/trace.dat" \
		-- "$wl" storm 3 4 > /dev/null 2>&1)
	# A kernel that will not let us use ftrace (a container): record in
	# the test VM instead; the report is read here all the same.
	if [ ! -s "$out/trace.dat" ]; then
		"$top/tests/vm/run-vm" -k "$("$top/tools/build/kernels.sh" --test | head -n 1)" -s 2 \
			--out "$out/vm" -- sh -c "cd /tmp && trace-cmd record -q -e sched_switch \
			-e sched_waking -o /run/out/trace.dat -- $wl storm 3 4" > "$out/vm.log" 2>&1
		mv -f "$out/vm/trace.dat" "$out/trace.dat" 2> /dev/null
		rm -rf "$out/vm"
	fi
	n=$(trace-cmd report -i "$out/trace.dat" 2> /dev/null | wc -l)
	if [ "$n" -gt 0 ]; then
		measure "trace-cmd report ($((n / 1000)) k events)" "$n" "$(stat -c %s "$out/trace.dat")" \
			trace-cmd report -i "$out/trace.dat"
	fi
fi
