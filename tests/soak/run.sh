#!/bin/bash
# run.sh [-k KERNEL] [-t SECONDS]: `make soak`.  Mixed load on ctrace.ko
# in a VM for SECONDS (default 600, or CTRACE_SOAK_SECONDS), then a
# report: throughput, losses (exactly accounted: every file's STATS must
# agree with its records), memory over time, and dmesg.  Not part of
# `make check`: it takes as long as it is told to.
#
# The load, all at once (tests/soak/guest.sh):
#   - a whole-system recorder in 30 s files, each validated and deleted
#   - a recorder of user events: ctrace-uprog stress under ctrace-dump
#   - a context-switch storm, and a fork/exec/exit storm
#   - session churn: short ctrace-dump runs, and dumpers SIGKILLed
# Memory (slab, vmalloc, the module's vmalloc areas and ring bytes) is
# sampled every 10 s.  Report: build/soak/report.txt.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
O=${O:-$top/build}
kernel=
seconds=${CTRACE_SOAK_SECONDS:-600}
while [ $# -gt 0 ]; do
	case $1 in
	-k) kernel=$2; shift 2 ;;
	-t) seconds=$2; shift 2 ;;
	*) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
	esac
done
[ -n "$kernel" ] || kernel=$("$top/tools/build/kernels.sh" --test | sed -n 1p)
krel=$("$top/tools/build/kernels.sh" --resolve "$kernel")
out=$O/soak
rm -rf "$out"
mkdir -p "$out"
echo "soak: $seconds s on $krel; report in $out/report.txt"
CTRACE_BUILD=$O "$top/tests/vm/run-vm" -k "$krel" -t $((seconds + 300)) --out "$out/vm" -- \
	env CTRACE_BUILD="$O" CTRACE_KO="$O/kmod/$krel/kmod/ctrace.ko" \
	"$here/guest.sh" "$seconds" /run/out | tee "$out/console.log"
rc=${PIPESTATUS[0]}
cp "$out/vm/report.txt" "$out/report.txt" 2> /dev/null || true
[ -s "$out/report.txt" ] && cat "$out/report.txt"
exit "$rc"
