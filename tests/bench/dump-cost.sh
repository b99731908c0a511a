#!/bin/bash
# dump-cost.sh SECONDS: inside the VM, as root.  Records a context-switch
# storm with ctrace-dump into tmpfs and prints
#
#   RESULT dump_cpu <cpu seconds> <MB written> <cpu ms per MB>
#
# ctrace-dump's own CPU time (getrusage), not the kernel's recording cost.
set -u
O=${CTRACE_BUILD:?}
secs=${1:-3}
insmod "$O/kmod/$(uname -r)/kmod/ctrace.ko" || exit 1
out=$("$O/bin/ctrace-dump" --all -b 4M -o /tmp/cost.trace -- \
	"$O/tests/progs/ctrace-workload" storm "$secs" 4 2>&1)
line=$(echo "$out" | grep 'wrote') || { echo "$out"; echo "RESULT dump_cpu - failed"; rmmod ctrace; exit 1; }
rmmod ctrace
bytes=$(echo "$line" | sed -n 's/.* \([0-9]*\) bytes.*/\1/p')
cpu=$(echo "$line" | sed -n 's/.*cpu \([0-9.]*\)s.*/\1/p')
echo "$line"
awk -v b="$bytes" -v c="$cpu" 'BEGIN {
	mb = b / 1e6
	printf "RESULT dump_cpu %.3f %.1f %.2f\n", c, mb, (mb > 0 ? c * 1000 / mb : 0)
}'
