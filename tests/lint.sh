#!/bin/bash
# lint.sh: the kernel code's style and static checks, as TAP.
#
#   - checkpatch.pl --strict (from Debian's linux-source) on every file in
#     kmod/ and uapi/: no error, warning or check;
#   - for every test kernel, a build with W=1, sparse (C=2: check every
#     file, even unchanged ones) and gcc's -Wmaybe-uninitialized: no
#     compiler or sparse warning;
#   - the project's bash scripts: none that sets pipefail pipes into
#     `grep -q`.  grep -q exits at its first match; a writer with more to
#     write then dies of SIGPIPE, and pipefail makes the pipeline fail (or,
#     under `!`, pass) although grep matched.  It made check-analysis fail
#     a good report once (CI, stop 16).  Here-strings (`grep -q P <<< "$x"`)
#     have no writer to kill.  A command given to in_root runs under the
#     chroot's sh, without pipefail.  In a set -e script, no pipe into
#     head either: the failing pipeline would end the script.
#
# Why -Wmaybe-uninitialized: the kernel's Makefile turns it off for gcc
# (it is only on at W=2, with much noise from the kernel's own headers),
# and sparse does no data-flow analysis, so a variable left unset on one
# path (ctrace_session_create()'s err for CTRACE_TARGET_ALL) passed both
# W=1 and sparse.  clang's -Wsometimes-uninitialized would catch it too,
# but Debian's kernel headers are configured for gcc and cannot be built
# with clang (LLVM=1 still runs gcc-12 on 6.12; CC=clang fails on 6.1's
# gcc-only flags).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
O=${O:-$top/build}
cd "$top"

checkpatch=$O/src/linux/scripts/checkpatch.pl
[ -f "$checkpatch" ] || "$top/tools/build/extract-linux-source.sh" "$O/src" || exit 1
kernels=${TEST_KERNELS:-$("$top/tools/build/kernels.sh" --test)}

files=(kmod/*.c kmod/*.h uapi/linux/*.h)
echo "TAP version 13"
echo "1..$(( ${#files[@]} + $(echo $kernels | wc -w) + 1 ))"
n=0
fail=0
for f in "${files[@]}"; do
	n=$((n + 1))
	out=$(perl "$checkpatch" --strict --no-tree --terse --show-types -f "$f" 2>&1)
	rc=$?
	# --terse prints nothing for a clean file, a line per finding otherwise.
	if [ $rc = 0 ] && ! grep -qE ': (ERROR|WARNING|CHECK):' <<< "$out"; then
		echo "ok $n checkpatch --strict $f"
	else
		echo "$out" | sed 's/^/# /'
		echo "not ok $n checkpatch --strict $f"
		fail=1
	fi
done
for k in $kernels; do
	n=$((n + 1))
	dir=$O/lint/$k
	rm -rf "$dir"
	out=$("$top/tools/build/kmod.sh" "/lib/modules/$k/build" "$dir" W=1 C=2 \
		KCFLAGS=-Wmaybe-uninitialized 2>&1)
	rc=$?
	if [ $rc = 0 ] && ! grep -qE 'warning:|error:' <<< "$out"; then
		echo "ok $n W=1, sparse and -Wmaybe-uninitialized build against $k"
	else
		echo "$out" | sed 's/^/# /'
		echo "not ok $n W=1, sparse and -Wmaybe-uninitialized build against $k"
		fail=1
	fi
done

n=$((n + 1))
scripts=$(grep -rlE '^set -[a-z]*o pipefail' tests tools .ci 2> /dev/null | grep -v node_modules |
	xargs grep -lE '^#!/bin/(ba)?sh|^#!/usr/bin/env bash')
bad=$(for f in $scripts; do
	grep -nE '(^|[^|])\|[[:space:]]*grep[[:space:]]+(-[A-Za-z]*q|--quiet)' "$f" |
		grep -v 'in_root ' | sed "s|^|$f:|"
done)
# Under set -e a pipeline that fails ends the script: there, head is such
# a reader too.
bad=$(printf '%s\n' "$bad"; for f in $(grep -lE '^set -e[a-z]*o pipefail' $scripts); do
	grep -nE '(^|[^|])\|[[:space:]]*head\b' "$f" | sed "s|^|$f:|"
done)
bad=$(sed '/^$/d' <<< "$bad")
if [ -n "$scripts" ] && [ -z "$bad" ]; then
	echo "ok $n no pipefail script pipes into grep -q ($(echo $scripts | wc -w) scripts), nor a set -e one into head"
else
	echo "$bad" | sed 's/^/# /'
	echo "not ok $n no pipefail script pipes into grep -q, nor a set -e one into head"
	fail=1
fi
exit $fail
