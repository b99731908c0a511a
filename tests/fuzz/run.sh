#!/bin/bash
# run.sh FUZZER...: run libFuzzer targets for a bounded time, as TAP.
#
# The time budget, CTRACE_FUZZ_SECONDS (default 45), is shared among the
# targets.  Each target gets its own directory under $O/fuzz/<name>/ (O
# defaults to build/): corpus/ (kept between runs, so coverage grows),
# seeds/ (written by the target itself when it is run with
# CTRACE_FUZZ_SEEDS=DIR; see tests/fuzz/tracefile_fuzz.c and usan_fuzz.c),
# crashes/ (the
# inputs that crashed) and run.log.  Nothing is written to the source tree.
#
# CTRACE_FUZZ_RUNS=N (make fuzz-long) replaces the time budget with N
# executions in all, shared among the targets by weight (one process at a
# time).
# tests/fuzz/corpus/<name>/, when there is one, is the corpus
# kept in the repository (small, minimised: read, never written here;
# tests/fuzz/keep-corpus.sh refreshes it), and tests/fuzz/regress/<name>/
# holds every input that once crashed or hung the target: each run
# starts with them, so a regression fails the stage.
#
# "ok N name: R runs in Ss" when a target ran its time without a crash;
# otherwise "not ok", with the end of its output indented by "# ", and the
# exit status is 1.  Reproduce a crash with: <fuzzer> <crash file>.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
O=${O:-$top/build}
total=${CTRACE_FUZZ_SECONDS:-45}

echo "TAP version 13"
echo "1..$#"
[ $# = 0 ] && exit 0
per=$(( total / $# ))
[ "$per" -ge 1 ] || per=1

# Shares of CTRACE_FUZZ_RUNS, by speed, measured here from the seeds
# (real traces) on a busy machine: view_query 150k, tracefile 2.7k, usan
# 6k, export 140 runs/s (the exporter builds a whole model per input).
weight() {
	case $1 in
	view_query_fuzz) echo 85 ;;
	tracefile_fuzz) echo 10 ;;
	usan_fuzz) echo 4 ;;
	export_fuzz) echo 1 ;;
	*) echo 5 ;;
	esac
}
weights=0
for f in "$@"; do
	weights=$((weights + $(weight "$(basename "$f")")))
done

n=0
fail=0
total_runs=0
for f in "$@"; do
	n=$((n + 1))
	name=$(basename "$f")
	dir=$O/fuzz/$name
	if [ ! -x "$f" ] || [ -d "$f" ]; then
		echo "not ok $n $name # not an executable fuzzer"
		fail=1
		continue
	fi
	mkdir -p "$dir/corpus" "$dir/crashes"
	rm -rf "$dir/seeds"
	mkdir -p "$dir/seeds"
	# A target that does not know the variable runs nothing (-runs=0).
	CTRACE_FUZZ_SEEDS=$dir/seeds "$f" -runs=0 > "$dir/seeds.log" 2>&1

	kept=()
	for d in "$top/tests/fuzz/corpus/$name" "$top/tests/fuzz/regress/$name"; do
		[ -d "$d" ] && kept+=("$d")
	done
	if [ -n "${CTRACE_FUZZ_RUNS:-}" ]; then
		budget=(-runs=$(( CTRACE_FUZZ_RUNS * $(weight "$name") / weights )))
	else
		budget=(-max_total_time="$per")
	fi
	start=$(date +%s)
	UBSAN_OPTIONS=print_stacktrace=1 "$f" "${budget[@]}" -max_len=65536 -timeout=20 \
		-rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$dir/crashes/" "$dir/corpus" "$dir/seeds" "${kept[@]}" \
		> "$dir/run.log" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	runs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$dir/run.log" | tail -n 1)
	[ -n "$runs" ] || runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$dir/run.log" | tail -n 1)
	if [ "$rc" = 0 ]; then
		echo "ok $n $name: ${runs:-?} runs in ${secs}s"
		total_runs=$((total_runs + ${runs:-0}))
	else
		# The report starts at the sanitizer's or libFuzzer's banner.
		# (without ASan's shadow memory map, which says nothing here)
		report=$(awk '/^==[0-9]+==|runtime error|deadly signal|^MS:|Test unit written|SUMMARY/ { on = 1 }
			/^Shadow bytes around/ { skip = 1 } /^==[0-9]+==ABORTING/ { skip = 0 }
			on && !skip' "$dir/run.log")
		[ -n "$report" ] || report=$(tail -n 40 "$dir/run.log")
		echo "$report" | grep -v '^#[0-9]' | tail -n 120 | sed 's/^/# /'
		echo "not ok $n $name: crashed after ${runs:-?} runs in ${secs}s (exit $rc); inputs in $dir/crashes/"
		fail=1
	fi
done
echo "# $total_runs runs in all"
exit $fail
