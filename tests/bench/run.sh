#!/bin/bash
# run.sh: `make bench`, the kernel-side benchmark, every tracer side by
# side in one VM boot per kernel.
#
#   tests/bench/run.sh [-k "KERNELS"] [-r ROUNDS] [-n REPEATS] [--no-wall]
#                      [--user-only | --no-user] [--read-only | --no-read]
#                      [--readfile-only] [--syscall-only]
#
# 1. Instruction counts: QEMU with -icount shift=0,sleep=off and -smp 1,
#    where the guest clock advances one ns per executed instruction, so
#    "ns per round trip" of the static pipe ping-pong is an instruction
#    count, repeatable whatever the host does.  States, in one boot:
#    none, ctrace (ctrace-dump --all into tmpfs), ctrace_flight (the same
#    as a flight recorder, --flight 1s: into memory), ctrace_noread (the
#    kernel's part alone), ftrace (sched_switch + sched_waking), perf
#    (perf record -e sched:sched_switch -a) and lttng (kernel sched_switch,
#    when tests/bench/build-lttng.sh could build it for that kernel).
# 2. Wall clock with -smp 2 (TCG): the same states, as ratios to none.
# 3. ctrace-dump's own CPU time per MB drained (-smp 2).
# 4. User events (tests/bench/user-bench.sh): ns per event natively beside
#    the floor, LTTng-UST and Go's runtime/trace, and in the VM (-smp 2,
#    newest kernel) with the module beside trace_marker; losses.
# 5. The seed's ReadFile benchmark (tests/bench/readfile.sh): untraced,
#    under ctrace (scheduler events; with user events; the program
#    recording itself) and Go 1.19's os.ReadFile without and with
#    runtime/trace, in one -icount -smp 1 boot of the newest kernel.
# 6. What a traced system call costs (tests/bench/syscall.sh): getppid()
#    untraced, under ctrace (-e syscall; -e all,syscall), ftrace's
#    raw_syscalls and syscalls events, perf record and perf trace, in one
#    -icount -smp 1 boot per kernel.
# 7. The reading side, natively on synthetic traces: validate, report,
#    the exporters (read-bench.sh, export-bench.sh) beside perf script
#    and trace-cmd report, and ctrace view's page in headless Chromium
#    (view-bench.sh).
#
# Results: a table on stdout and in build/bench/results.md.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
O=${O:-$top/build}
kernels=$("$top/tools/build/kernels.sh" --test)
rounds=20000
repeats=5
wall=1
kernel_part=1
user_part=1
read_part=1
readfile_part=1
syscall_part=1
while [ $# -gt 0 ]; do
	case $1 in
	--user-only) kernel_part=0; read_part=0; readfile_part=0; syscall_part=0; shift ;;
	--read-only) kernel_part=0; user_part=0; readfile_part=0; syscall_part=0; shift ;;
	--readfile-only) kernel_part=0; user_part=0; read_part=0; syscall_part=0; shift ;;
	--syscall-only) kernel_part=0; user_part=0; read_part=0; readfile_part=0; shift ;;
	--no-read) read_part=0; shift ;;
	--no-user) user_part=0; shift ;;
	-k) kernels=$2; shift 2 ;;
	-r) rounds=$2; shift 2 ;;
	-n) repeats=$2; shift 2 ;;
	--no-wall) wall=0; shift ;;
	*) sed -n '2,36p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
	esac
done
out=$O/bench
mkdir -p "$out"
states="none ctrace_noread ctrace ctrace_flight ftrace perf lttng none"

guest() {	# guest FILE CMD...: a script the VM runs (the project dir is shared)
	local f=$1
	shift
	{
		echo "cd $(printf %q "$top")"
		echo "export CTRACE_BUILD=$(printf %q "$O")"
		printf '%q ' "$@"
		echo
	} > "$f"
}

results=$out/results.txt
: > "$results"

if [ $user_part = 1 ]; then
	echo "== user events, natively (user-only mode)"
	CTRACE_BUILD=$O "$here/user-bench.sh" native | tee -a "$results"
	krel=$("$top/tools/build/kernels.sh" --resolve "$(echo $kernels | awk '{print $NF}')")
	echo "== user events in the VM: $krel, -smp 2 (TCG)"
	guest "$out/user.sh" "$here/user-bench.sh" vm 3
	"$top/tests/vm/run-vm" -k "$krel" -s 2 -t 3600 -- bash "$out/user.sh" 2>&1 |
		tr -d '\r' | grep -E '^(RESULT|LOSS)' | tee -a "$results"
fi
if [ $readfile_part = 1 ]; then
	krel=$("$top/tools/build/kernels.sh" --resolve "$(echo $kernels | awk '{print $NF}')")
	echo "== ReadFile: $krel, instruction counts (-icount, -smp 1)"
	guest "$out/readfile.sh" "$here/readfile.sh" 3 5000
	"$top/tests/vm/run-vm" -k "$krel" -s 1 --icount -t 3600 -- bash "$out/readfile.sh" 2>&1 |
		tr -d '\r' | grep -E '^READFILE' | sed "s/^READFILE/READFILE $krel/" | tee -a "$results"
fi
if [ $syscall_part = 1 ]; then
	for k in $kernels; do
		krel=$("$top/tools/build/kernels.sh" --resolve "$k")
		echo "== syscalls: $krel, instruction counts (-icount, -smp 1)"
		guest "$out/syscall.sh" "$here/syscall.sh" 3 20000
		"$top/tests/vm/run-vm" -k "$krel" -s 1 --icount -t 3600 -- bash "$out/syscall.sh" 2>&1 |
			tr -d '\r' | grep -E '^SYSCALL' | sed "s/^SYSCALL/SYSCALL $krel/" | tee -a "$results"
	done
fi
[ $kernel_part = 1 ] || kernels=

# LTTng's modules, where they build (idempotent; minutes the first time).
[ -z "$kernels" ] || "$here/build-lttng.sh" $kernels ||
	echo "run.sh: LTTng modules did not build; continuing without"

for k in $kernels; do
	krel=$("$top/tools/build/kernels.sh" --resolve "$k")
	echo "== $krel: instruction counts (-icount, -smp 1), $repeats x $rounds round trips per state"
	guest "$out/icount.sh" "$here/kernel-bench.sh" "$rounds" "$repeats" $states
	"$top/tests/vm/run-vm" -k "$krel" --icount -t 3600 -- bash "$out/icount.sh" 2>&1 |
		tr -d '\r' | grep '^RESULT' | sed "s/^RESULT/icount $krel/" | tee -a "$results"
	if [ $wall = 1 ]; then
		echo "== $krel: wall clock (-smp 2, TCG)"
		guest "$out/wall.sh" "$here/kernel-bench.sh" "$rounds" 3 none ctrace ftrace perf lttng none
		"$top/tests/vm/run-vm" -k "$krel" -s 2 -t 3600 -- bash "$out/wall.sh" 2>&1 |
			tr -d '\r' | grep '^RESULT' | sed "s/^RESULT/wall $krel/" | tee -a "$results"
		guest "$out/cost.sh" "$here/dump-cost.sh" 3
		"$top/tests/vm/run-vm" -k "$krel" -s 2 -t 1200 -- bash "$out/cost.sh" 2>&1 |
			tr -d '\r' | grep '^RESULT' | sed "s/^RESULT/cost $krel/" | tee -a "$results"
	fi
done

# The table: per kernel, each state's cost and what it adds to none.
awk -v rounds="$rounds" '
function fmt(v) { return v == "-" ? "n/a" : sprintf("%.0f", v) }
$1 == "icount" || $1 == "wall" {
	key = $1 " " $2
	if ($3 == "none") { if (!(key in base) || $4 < base[key]) base[key] = $4; next }
	order[key] = order[key] " " $3
	val[key " " $3] = $4
	extra[key " " $3] = ""
	for (i = 5; i <= NF; i++) extra[key " " $3] = extra[key " " $3] " " $i
}
$1 == "cost" { cost[$2] = sprintf("%s CPU s for %s MB: %s ms per MB", $4, $5, $6) }
END {
	for (key in order) {
		split(key, kk, " ")
		mode = kk[1]; krel = kk[2]
		print ""
		if (mode == "icount")
			printf "### %s: instructions per round trip (2 switches + 2 wakeups)\n\n", krel
		else
			printf "### %s: wall clock, -smp 2 (TCG), ns per round trip\n\n", krel
		print "| state | per round trip | added | vs. none | notes |"
		print "|---|---|---|---|---|"
		b = base[key]
		printf "| none | %s | 0 | 1.00 | |\n", fmt(b)
		n = split(order[key], st, " ")
		for (i = 1; i <= n; i++) {
			v = val[key " " st[i]]
			if (v == "-")
				printf "| %s | n/a | | | %s |\n", st[i], extra[key " " st[i]]
			else
				printf "| %s | %.0f | %+.0f | %.2f | %s |\n", st[i], v, v - b, v / b, extra[key " " st[i]]
		}
		if (mode == "wall" && (krel in cost))
			printf "\nctrace-dump: %s\n", cost[krel]
	}
}' "$results" | tee "$out/results.md"

# User events: per place and thread count, each row beside the floor.
awk '
$1 == "RESULT" && ($2 == "native" || $2 == "vm") {
	key = $2 " " $4
	if (!(key in seen)) { keys[++nk] = key; seen[key] = 1 }
	rows[key] = rows[key] "\n" $3 " " $5 " " $6 " " $7
	if ($3 == "floor") floor[key] = $5
}
$1 == "LOSS" { loss[++nl] = $0 }
END {
	for (i = 1; i <= nk; i++) {
		split(keys[i], kk, " ")
		printf "\n### user events, %s, %s thread(s): ns per event (median)\n\n", \
			kk[1] == "native" ? "natively (user-only mode)" : "in the VM (TCG, -smp 2)", kk[2]
		print "| what | ns per event | vs. floor | events | lost |"
		print "|---|---|---|---|---|"
		n = split(rows[keys[i]], r, "\n")
		for (j = 2; j <= n; j++) {
			split(r[j], f, " ")
			d = (f[2] == "-" || !(keys[i] in floor)) ? "" : sprintf("%+.1f", f[2] - floor[keys[i]])
			printf "| %s | %s | %s | %s | %s |\n", f[1], f[2], d, f[3], f[4]
		}
	}
	if (nl) {
		print "\n### user events: losses with default buffers\n"
		print "| where | load | written | in the file | lost |"
		print "|---|---|---|---|---|"
		for (i = 1; i <= nl; i++) {
			split(loss[i], f, " ")
			printf "| %s | %s | %s | %s | %s |\n", f[2], f[3], f[4], f[5], f[6]
		}
	}
}' "$results" | tee -a "$out/results.md"
# ReadFile: instructions per iteration (both threads read once), beside
# the untraced run.
awk '
$1 == "READFILE" {
	if (!hdr) {
		printf "\n### ReadFile (%s, -icount -smp 1): instructions per iteration, 2 threads\n\n", $2
		print "| state | per iteration | overhead |"
		print "|---|---|---|"
		hdr = 1
	}
	printf "| %s | %s | %s |\n", $3, $4, $5
}' "$results" | tee -a "$out/results.md"
if [ $read_part = 1 ]; then
	echo "== the reading side, natively"
	"$here/read-bench.sh" && cat "$O/bench/read.md" >> "$out/results.md"
	"$here/export-bench.sh" && cat "$O/bench/export.md" >> "$out/results.md"
	"$here/view-bench.sh" && cat "$O/bench/view.md" >> "$out/results.md"
fi
echo
echo "raw results: $results; table: $out/results.md"
