#!/bin/bash
# demo.sh: what `make demo` shows, on the running kernel when it can load
# modules (as root), else in a VM booting the newest test kernel.
#
#   tools/build/demo.sh [-k KERNEL]     choose where, then run the steps
#   tools/build/demo.sh --inside DIR    the steps themselves (as root, on
#                                       the kernel that loads the module);
#                                       results are written to DIR
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
O=${O:-$top/build}

if [ "${1:-}" = --inside ]; then
	out=$2
	krel=$(uname -r)
	ko=$O/kmod/$krel/kmod/ctrace.ko
	echo "== demo on $krel ($(nproc) CPUs)"
	echo "== insmod $ko"
	insmod "$ko"
	echo "== ctrace info"
	"$O/bin/ctrace" info | tee "$out/info.txt"
	echo "== ctrace-dump -o demo.trace -- ctrace-workload pingpong 2000"
	"$O/bin/ctrace-dump" -o "$out/demo.trace" -- \
		"$O/tests/progs/ctrace-workload" pingpong 2000 /tmp/demo.info
	echo "== ctrace report demo.trace"
	"$O/bin/ctrace" report "$out/demo.trace" | tee "$out/report.txt"
	"$O/bin/ctrace" validate "$out/demo.trace"
	echo "== ctrace report --events demo.trace (first 25 lines; all in events.txt)"
	"$O/bin/ctrace" report --events "$out/demo.trace" > "$out/events.txt"
	head -n 25 "$out/events.txt"
	echo "== ctrace record -o pipeline.trace -- pipeline 40   (a program annotated with libctrace)"
	"$O/bin/ctrace" record -o "$out/pipeline.trace" -- "$O/examples/pipeline" 40
	"$O/bin/ctrace" validate "$out/pipeline.trace"
	"$O/bin/ctrace" report "$out/pipeline.trace" > "$out/pipeline-report.txt"
	echo "== ctrace report --events pipeline.trace: one worker's first request, scheduler events included"
	"$O/bin/ctrace" report --events "$out/pipeline.trace" > "$out/pipeline-events.txt"
	grep -m1 -B2 -A12 'name=compute' "$out/pipeline-events.txt" || true
	echo "== ctrace report --regions pipeline.trace: each region's time, split by thread state"
	"$O/bin/ctrace" report --regions "$out/pipeline.trace"
	echo "== ctrace export: pipeline.perfetto-trace (ui.perfetto.dev), pipeline.json (chrome://tracing)"
	"$O/bin/ctrace" export -o "$out/pipeline.perfetto-trace" "$out/pipeline.trace"
	"$O/bin/ctrace" export --format json -o "$out/pipeline.json" "$out/pipeline.trace"
	echo "== ctrace view: pipeline.html, the timeline, one self-contained page"
	"$O/bin/ctrace" view --no-open -o "$out/pipeline.html" "$out/pipeline.trace"
	echo "== rmmod ctrace"
	rmmod ctrace
	echo "== done; results in the demo output directory"
	exit 0
fi

kernel=
[ "${1:-}" = -k ] && kernel=$2
out=$O/demo
rm -rf "$out"
mkdir -p "$out"
if [ "$(id -u)" = 0 ] && "$top/tools/build/kernels.sh" --can-load &&
	[ -f "$O/kmod/$(uname -r)/kmod/ctrace.ko" ]; then
	"$0" --inside "$out"
else
	krel=$("$top/tools/build/kernels.sh" --resolve "${kernel:-6.12}")
	echo "== this kernel cannot load modules: booting $krel in QEMU"
	"$top/tests/vm/run-vm" -k "$krel" --out "$out" -- \
		env O="$O" "$0" --inside /run/out 2>&1 | tr -d '\r'
	rm -f "$out/guest.sh" "$out/exitcode" "$out/project"
fi
echo "== demo output in $out:"
ls -l "$out"
