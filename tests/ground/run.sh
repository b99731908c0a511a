#!/bin/bash
# run.sh [-k KERNEL] [--direct] [--reuse]: record the ground truth, then
# check every consumer of the trace stream against it, as TAP.
#
# The recordings (tests/ground/record.sh) need the module: they are made
# in the test VM booting KERNEL (default: the first test kernel), or on
# this machine with --direct (root, a kernel that loads modules).  They
# land in build/ground/<release>/; --reuse keeps the last ones if there
# are any (for working on a check).  Then each check program, every
# executable tests/*/check-* (the analyses, the exporters, the viewer),
# runs on the host with that directory as its argument; its TAP is
# indented under one top-level line of ours.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
O=${O:-$top/build}
kernel=
direct=0
reuse=0
while [ $# -gt 0 ]; do
	case $1 in
	-k) kernel=$2; shift 2 ;;
	--direct) direct=1; shift ;;
	--reuse) reuse=1; shift ;;
	*) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
	esac
done
if [ $direct = 1 ]; then
	krel=$(uname -r)
else
	[ -n "$kernel" ] || kernel=$("$top/tools/build/kernels.sh" --test | head -n 1)
	krel=$("$top/tools/build/kernels.sh" --resolve "$kernel") || exit 2
fi
dir=$O/ground/$krel
checks=$(ls "$top"/tests/*/check-* 2> /dev/null | sort)

echo "TAP version 13"
echo "1..$(( 1 + $(echo "$checks" | grep -c .) ))"
n=1
if [ $reuse = 1 ] && [ -s "$dir/kernel" ]; then
	echo "ok 1 ground truth recorded on $krel # reused from an earlier run"
else
	rm -rf "$dir"
	mkdir -p "$dir"
	start=$(date +%s)
	if [ $direct = 1 ]; then
		CTRACE_BUILD=$O "$here/record.sh" "$dir" > "$dir/record.log" 2>&1
	else
		"$top/tests/vm/run-vm" -k "$krel" -s 2 -t 600 --out "$dir" -- \
			env CTRACE_BUILD="$O" "$here/record.sh" /run/out > "$dir/record.log" 2>&1
	fi
	rc=$?
	rm -f "$dir/guest.sh" "$dir/exitcode" "$dir/project"
	if [ $rc = 0 ] && [ -s "$dir/kernel" ]; then
		echo "ok 1 ground truth recorded on $krel ($(( $(date +%s) - start ))s)"
	else
		tr -d '\r' < "$dir/record.log" | tail -n 30 | sed 's/^/# /'
		echo "not ok 1 ground truth recorded on $krel # exit $rc"
		for c in $checks; do
			n=$((n + 1))
			echo "not ok $n $(basename "$c") # no ground truth to check"
		done
		exit 1
	fi
fi

fail=0
for c in $checks; do
	n=$((n + 1))
	name=${c#"$top"/tests/}
	echo "# $name $dir"
	CTRACE_BUILD=$O timeout -k 5 600 "$c" "$dir" 2>&1 | sed -u 's/^/# /'
	rc=${PIPESTATUS[0]}
	if [ $rc = 0 ]; then
		echo "ok $n $name"
	else
		echo "not ok $n $name # exit status $rc"
		fail=1
	fi
done
exit $fail
