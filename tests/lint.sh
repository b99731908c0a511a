#!/bin/bash
# lint.sh: the kernel code's style and static checks, as TAP.
#
#   - checkpatch.pl --strict (from Debian's linux-source) on every file in
#     kmod/ and uapi/: no error, warning or check;
#   - for every test kernel, a build with W=1, sparse (C=2: check every
#     file, even unchanged ones) and gcc's -Wmaybe-uninitialized: no
#     compiler or sparse warning.
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
echo "1..$(( ${#files[@]} + $(echo $kernels | wc -w) ))"
n=0
fail=0
for f in "${files[@]}"; do
	n=$((n + 1))
	out=$(perl "$checkpatch" --strict --no-tree --terse --show-types -f "$f" 2>&1)
	rc=$?
	# --terse prints nothing for a clean file, a line per finding otherwise.
	if [ $rc = 0 ] && ! echo "$out" | grep -qE ': (ERROR|WARNING|CHECK):'; then
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
	if [ $rc = 0 ] && ! echo "$out" | grep -qE 'warning:|error:'; then
		echo "ok $n W=1, sparse and -Wmaybe-uninitialized build against $k"
	else
		echo "$out" | sed 's/^/# /'
		echo "not ok $n W=1, sparse and -Wmaybe-uninitialized build against $k"
		fail=1
	fi
done
exit $fail
