#!/bin/bash
# keep-corpus.sh FUZZER...: refresh the small corpus kept in the
# repository, tests/fuzz/corpus/<name>/, from what the fuzzers found
# (build/fuzz/<name>/corpus, after `make fuzz-long`).
#
# libFuzzer's -merge=1 keeps the inputs that add coverage; of those, the
# smallest are kept, at most 48 files and 128 KiB per target, named by
# their content's hash.  Run it by hand, then commit what changed: the
# suite only reads the kept corpus (tests/fuzz/run.sh).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
O=${O:-$top/build}
for f in "$@"; do
	name=$(basename "$f")
	found=$O/fuzz/$name/corpus
	kept=$top/tests/fuzz/corpus/$name
	[ -d "$found" ] || { echo "keep-corpus.sh: no $found (make fuzz-long)" >&2; exit 1; }
	tmp=$(mktemp -d)
	mkdir -p "$kept"
	"$f" -merge=1 -max_len=16384 "$tmp" "$kept" "$found" > "$tmp.log" 2>&1 ||
		{ tail -n 20 "$tmp.log" >&2; exit 1; }
	rm -f "$kept"/*
	total=0 n=0
	while read -r size path; do
		[ $n -lt 48 ] && [ $((total + size)) -le 131072 ] || break
		cp "$path" "$kept/$(sha1sum "$path" | cut -c1-16)"
		total=$((total + size)) n=$((n + 1))
	done < <(find "$tmp" -type f -printf '%s %p\n' | sort -n)
	echo "$name: $n inputs, $total bytes kept in tests/fuzz/corpus/$name"
	rm -rf "$tmp" "$tmp.log"
done
