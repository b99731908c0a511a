#!/bin/bash
# extract-linux-source.sh OUTDIR: take the few files ctrace needs from
# Debian's linux-source tarball (never copied into the repository):
# kselftest's harness headers for the tests, checkpatch.pl and its data
# files for `make lint`.
set -euo pipefail
out=$1
tarball=$(ls /usr/src/linux-source-*.tar.xz 2> /dev/null | sort -V | tail -n 1)
[ -n "$tarball" ] || { echo "extract-linux-source.sh: no /usr/src/linux-source-*.tar.xz (make deps)" >&2; exit 1; }
base=$(basename "$tarball" .tar.xz)
mkdir -p "$out"
tar -xJf "$tarball" -C "$out" \
	"$base/tools/testing/selftests/kselftest_harness.h" \
	"$base/tools/testing/selftests/kselftest.h" \
	"$base/scripts/checkpatch.pl" \
	"$base/scripts/spelling.txt" \
	"$base/scripts/const_structs.checkpatch"
ln -sfn "$base" "$out/linux"
touch "$out/.stamp"
