#!/bin/bash
# guest.sh SECONDS OUTDIR: the soak's load, inside the VM (tests/soak/run.sh).
# Exit status 0 when every file was valid, the memory came back, and dmesg
# has no splat.
set -uo pipefail
seconds=$1
out=$2
B=$CTRACE_BUILD
dump=$B/bin/ctrace-dump
ctrace=$B/bin/ctrace
work=$B/tests/progs/ctrace-workload
uprog=$B/tests/progs/ctrace-uprog
report=$out/report.txt
mem=$out/memory.tsv
tmp=/tmp/soak
mkdir -p "$tmp"
: > "$report"
say() { echo "$*" | tee -a "$report"; }

ctrace_vmalloc() {
	awk '/\[ctrace\]/ { n++; b += $2 } END { printf "%d %d", n, b }' /proc/vmallocinfo
}
sample() {
	local t=$1 slab vm
	slab=$(awk '$1 == "Slab:" { print $2 }' /proc/meminfo)
	vm=$(awk '$1 == "VmallocUsed:" { print $2 }' /proc/meminfo)
	printf '%s\t%s\t%s\t%s\t%s\n' "$t" "$slab" "$vm" "$(ctrace_vmalloc)" \
		"$("$ctrace" sessions 2> /dev/null | grep -c '^session ')" >> "$mem"
}

insmod "$CTRACE_KO" || { say "soak: insmod failed"; exit 1; }
dmesg -C
printf 'seconds\tslab_kB\tvmalloc_kB\tctrace_areas ctrace_bytes\tsessions\n' > "$mem"
sample 0
base_vm=$(ctrace_vmalloc)
start=$(date +%s)
end=$((start + seconds))

# The load.
"$work" forever 3 > /dev/null 2>&1 & storm=$!
( while [ "$(date +%s)" -lt $end ]; do /bin/true; done ) & forks=$!

# The whole-system recorder, in 30 s files.
(
	i=0
	while [ "$(date +%s)" -lt $end ]; do
		i=$((i + 1))
		left=$((end - $(date +%s)))
		[ $left -gt 30 ] && left=30
		[ $left -gt 0 ] || break
		"$dump" -q -a -b 1M -e switch,wakeup,task,migrate -d "$left" -o "$tmp/all-$i.trace"
		v=$("$ctrace" validate "$tmp/all-$i.trace" 2>&1)
		echo "all $i $? $v" >> "$out/files.log"
		rm -f "$tmp/all-$i.trace"
	done
) & rec_all=$!

# User events: the stress program, traced, again and again.
(
	i=0
	while [ "$(date +%s)" -lt $end ]; do
		i=$((i + 1))
		"$dump" -q -b 1M -o "$tmp/user.trace" -- "$uprog" stress 2 100000 "$tmp/user.info" > /dev/null 2>&1
		v=$("$ctrace" validate "$tmp/user.trace" 2>&1)
		echo "user $i $? $v" >> "$out/files.log"
		rm -f "$tmp/user.trace"
	done
) & rec_user=$!

# Session churn: short dumps, and dumpers killed mid-run.
(
	i=0
	while [ "$(date +%s)" -lt $end ]; do
		i=$((i + 1))
		"$dump" -q -b 64K -o "$tmp/churn.trace" -- "$work" storm 0.1 2 > /dev/null 2>&1
		"$dump" -q -b 64K -o "$tmp/killed.trace" -- "$work" storm 1 2 > /dev/null 2>&1 &
		sleep 0.$((RANDOM % 9 + 1))
		kill -9 $! 2> /dev/null
		wait $! 2> /dev/null
		pkill -9 -f "ctrace-workload storm 1 2" 2> /dev/null
		echo "$i" > "$out/churn.count"
	done
) & churn=$!

# Memory every 10 s.
while [ "$(date +%s)" -lt $end ]; do
	sleep 10
	sample $(( $(date +%s) - start ))
done
wait $rec_all $rec_user $churn $forks
kill $storm 2> /dev/null
wait $storm 2> /dev/null
for _ in $(seq 50); do
	[ "$("$ctrace" sessions 2> /dev/null | grep -c '^session ')" = 0 ] && break
	sleep 0.1
done
sample "end"
elapsed=$(( $(date +%s) - start ))

# The report.
rc=0
say "soak: $(uname -r), $(nproc) CPUs, $elapsed s"
awk -v s="$elapsed" '
	$4 == "valid:" { n[$1]++; ev[$1] += $5; gsub(/\(/, "", $6); lost[$1] += $6 }
	$4 != "valid:" { bad[$1]++ }
	END {
		for (k in n)
			printf "%s recorder: %d files, all valid: %s; %d events (%.0f/s), %d lost (each accounted in its file)\n",
				k, n[k] + bad[k], bad[k] ? "NO (" bad[k] " invalid)" : "yes", ev[k], ev[k] / s, lost[k]
	}' "$out/files.log" | tee -a "$report"
grep -v " valid: " "$out/files.log" | head -n 5 | tee -a "$report"
grep -qv " valid: " "$out/files.log" && rc=1
say "session churn: $(cat "$out/churn.count" 2> /dev/null || echo 0) rounds (a short dump, and a dump SIGKILLed)"
say "memory (kB; the module's vmalloc areas and bytes; sessions), every 10 s:"
column -t -s $'\t' "$mem" | sed 's/^/  /' | tee -a "$report" > /dev/null
last=$(tail -n 1 "$mem")
end_vm=$(ctrace_vmalloc)
if [ "$end_vm" != "$base_vm" ]; then
	say "memory NOT back: the module's vmalloc went from '$base_vm' to '$end_vm'"
	rc=1
else
	say "memory back: the module's vmalloc is '$end_vm' (areas bytes), as before the load"
fi
splat=$(dmesg | grep -E 'BUG:|WARNING:|Call Trace|lockdep|general protection|Oops|refcount_t|KASAN|kfence' | head -n 5)
if [ -n "$splat" ]; then
	say "dmesg: SPLAT"
	echo "$splat" | tee -a "$report"
	rc=1
else
	say "dmesg: clean ($(dmesg | wc -l) lines, no splat)"
fi
if rmmod ctrace; then
	say "rmmod: clean"
else
	say "rmmod: FAILED"
	rc=1
fi
say "soak: $([ $rc = 0 ] && echo passed || echo FAILED)"
exit $rc
