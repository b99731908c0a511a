#!/bin/bash
# view-bench.sh [-n EVENTS] [-N BIG_EVENTS]: how fast `ctrace view`'s page
# is, in headless Debian Chromium (tests/view/view-bench.mjs: the
# Performance API), for `make bench`.  Prints a table, also in
# build/bench/view.md.
#
# 1. A synthetic trace of EVENTS events (default 1 M; tests/bench/
#    gen-trace.c) as a self-contained page: the time from navigation to
#    the first frame drawn with the data (interactive), the draw time of
#    every frame while zooming and panning (p50, p95, max), the tab's
#    JavaScript heap, and the page's size per million events beside the
#    trace file's.
# 2. BIG_EVENTS events (default 50 M) with --serve: the index's build
#    time and size, the server's peak memory, and the same page figures.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
O=${O:-$top/build}
small=1000000
big=50000000
while [ $# -gt 0 ]; do
	case $1 in
	-n) small=$2; shift 2 ;;
	-N) big=$2; shift 2 ;;
	*) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
	esac
done
out=$O/bench/view
mkdir -p "$out"
ctrace=$O/bin/ctrace
md=$O/bench/view.md
gcc -std=gnu11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -I"$top/uapi" -I"$top/tools/tracefile" \
	-I"$top/tests/unit" -o "$out/gen-trace" "$here/gen-trace.c" "$O/lib/libtracefile.a" || exit 1
json() { sed -n "s/.*\"$1\":\([^,}]*\).*/\1/p"; }

{
	echo "## ctrace view in headless Chromium ($(date -u +%F), $(nproc) CPUs)"
	echo
	echo "| page | events | trace MB | page or index MB | build s | interactive ms | frames | frame p50 ms | p95 ms | max ms | with raster p50 / p95 ms | JS heap MB | server peak MiB |"
	echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
} > "$md"

f=$out/small-$small.trace
[ -s "$f" ] || "$out/gen-trace" "$small" "$f" 2> /dev/null || exit 1
t0=$(date +%s.%N)
"$ctrace" view --no-open -o "$out/small.html" "$f" > /dev/null || exit 1
build=$(echo "$t0 $(date +%s.%N)" | awk '{printf "%.1f", $2 - $1}')
r=$(cd "$top/tests/view" && node view-bench.mjs "$out/small.html")
echo "# $r"
echo "| self-contained | $small | $(( $(stat -c %s "$f") / 1048576 )) | $(( $(stat -c %s "$out/small.html") / 1048576 )) | $build | $(echo "$r" | json ready_ms | cut -d. -f1) | $(echo "$r" | json frames) | $(echo "$r" | json frame_p50_ms) | $(echo "$r" | json frame_p95_ms) | $(echo "$r" | json frame_max_ms) | $(echo "$r" | json raster_p50_ms) / $(echo "$r" | json raster_p95_ms) | $(echo "$r" | json js_heap_mb) | - |" >> "$md"

f=$out/big-$big.trace
[ -s "$f" ] || "$out/gen-trace" "$big" "$f" 2> /dev/null || exit 1
port=$(( 20000 + RANDOM % 20000 ))
t0=$(date +%s.%N)
"$ctrace" view --no-open --serve "127.0.0.1:$port" "$f" > "$out/serve.log" 2>&1 &
srv=$!
peak=0
until curl -s -o /dev/null "http://127.0.0.1:$port/"; do
	kill -0 $srv 2> /dev/null || { cat "$out/serve.log"; exit 1; }
	rss=$(awk '/^VmRSS/ {print $2}' /proc/$srv/status 2> /dev/null)
	[ -n "$rss" ] && [ "$rss" -gt $peak ] && peak=$rss
	sleep 0.2
done
build=$(echo "$t0 $(date +%s.%N)" | awk '{printf "%.1f", $2 - $1}')
r=$(cd "$top/tests/view" && node view-bench.mjs "http://127.0.0.1:$port/")
echo "# $r"
rss=$(awk '/^VmHWM/ {print $2}' /proc/$srv/status 2> /dev/null)
[ -n "$rss" ] && [ "$rss" -gt $peak ] && peak=$rss
idx=$(curl -s "http://127.0.0.1:$port/meta" | json index_bytes)
kill $srv
wait $srv 2> /dev/null
echo "| --serve | $big | $(( $(stat -c %s "$f") / 1048576 )) | $(( ${idx:-0} / 1048576 )) | $build | $(echo "$r" | json ready_ms | cut -d. -f1) | $(echo "$r" | json frames) | $(echo "$r" | json frame_p50_ms) | $(echo "$r" | json frame_p95_ms) | $(echo "$r" | json frame_max_ms) | $(echo "$r" | json raster_p50_ms) / $(echo "$r" | json raster_p95_ms) | $(echo "$r" | json js_heap_mb) | $((peak / 1024)) |" >> "$md"
cat "$md"
