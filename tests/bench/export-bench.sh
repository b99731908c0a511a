#!/bin/bash
# export-bench.sh [-n EVENTS]: how fast `ctrace export` (Perfetto) is, and
# that its memory does not grow with the trace.  Prints a table, also in
# build/bench/export.md; for `make bench` to call (tests/bench/run.sh).
#
# Input: synthetic traces of EVENTS events (default 10 M) and twice as
# many (tests/bench/gen-trace.c: a busy 4-CPU machine, scheduler events
# and user events mixed), and the first one exported twice over as two
# machines.  For each: wall time (median of 3, writing to /dev/null, so
# that the disk is not measured), input MB/s and events/s, output size
# (another run, into wc -c), peak RSS from /usr/bin/time -v (which counts
# the pages of the mapped input file, so it grows with the file) and peak
# anonymous RSS (what the exporter allocated: the part that must not
# grow), sampled from /proc every 10 ms.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
O=${O:-$top/build}
events=10000000
while [ $# -gt 0 ]; do
	case $1 in
	-n) events=$2; shift 2 ;;
	*) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
	esac
done
out=$O/bench/export
mkdir -p "$out"
ctrace=$O/bin/ctrace
md=$O/bench/export.md
[ -x "$ctrace" ] || { echo "export-bench: build the tools first (make tools)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "export-bench: needs /usr/bin/time (Debian's time)" >&2; exit 1; }

# run LABEL EVENTS BYTES CMD...: median wall time of 3 runs, output
# bytes, peak RSS (time -v) and peak anonymous RSS.
run() {
	local label=$1 n=$2 bytes=$3 times=() rss=0 anon=0
	shift 3
	for i in 1 2 3; do
		local pid a r
		/usr/bin/time -v -o "$out/time.txt" "$@" > /dev/null 2>&1 &
		pid=$!
		while kill -0 $pid 2> /dev/null; do
			# the exporter is /usr/bin/time's child
			for c in $(cat /proc/$pid/task/*/children 2> /dev/null); do
				a=$(awk '/^RssAnon/ {print $2}' /proc/$c/status 2> /dev/null)
				[ -n "$a" ] && [ "$a" -gt $anon ] && anon=$a
			done
			sleep 0.01
		done
		wait $pid || { echo "export-bench: $label failed" >&2; return 1; }
		r=$(awk -F': ' '/Maximum resident/ {print $2}' "$out/time.txt")
		[ "$r" -gt $rss ] && rss=$r
		times+=("$(awk -F': ' '/Elapsed \(wall/ {n = split($2, t, ":");
			s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s}' "$out/time.txt")")
	done
	local med size
	med=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p)
	size=$("$@" 2> /dev/null | wc -c)
	awk -v l="$label" -v t="$med" -v n="$n" -v b="$bytes" -v o="$size" -v r="$rss" -v a="$anon" \
		'BEGIN { printf "| %s | %.2f | %.1f | %.2f | %.0f | %.0f | %.1f |\n",
			l, t, b / 1048576 / t, n / 1e6 / t, o / 1048576, r / 1024, a / 1024 }' | tee -a "$md"
}

echo "## ctrace export (Perfetto) ($(date -u +%F), $(nproc) CPUs, $(uname -r))" > "$md"
echo >> "$md"
echo "| input | s | input MB/s | M events/s | output MiB | peak RSS MiB | peak anon MiB |" >> "$md"
echo "|---|---|---|---|---|---|---|" >> "$md"
cat "$md"

gcc -std=gnu11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -I"$top/uapi" -I"$top/tools/tracefile" \
	-I"$top/tests/unit" -o "$out/gen-trace" "$here/gen-trace.c" "$O/lib/libtracefile.a" || exit 1
first=
for n in "$events" $((events * 2)); do
	f=$out/synthetic-$n.trace
	[ -s "$f" ] || "$out/gen-trace" "$n" "$f" 2> /dev/null || exit 1
	[ -n "$first" ] || first=$f
	real=$("$ctrace" validate "$f" | sed -n 's/^valid: \([0-9]*\) events.*/\1/p')
	bytes=$(stat -c %s "$f")
	run "$((n / 1000000)) M events, $((bytes / 1048576)) MiB" "$real" "$bytes" \
		"$ctrace" export -o - "$f" || exit 1
done
real=$("$ctrace" validate "$first" | sed -n 's/^valid: \([0-9]*\) events.*/\1/p')
bytes=$(stat -c %s "$first")
run "the first, twice, as 2 machines" $((real * 2)) $((bytes * 2)) \
	"$ctrace" export -o - "$first" "$first" || exit 1
rm -f "$out/time.txt"
