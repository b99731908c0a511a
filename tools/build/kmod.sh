#!/bin/bash
# kmod.sh KDIR OUTDIR [make args...]: build ctrace.ko against KDIR in OUTDIR.
#
# Kbuild writes its outputs next to the sources, so each kernel gets a
# shadow tree of symlinks (OUTDIR/kmod/*.c -> kmod/*.c, OUTDIR/uapi -> uapi)
# and the module lands in OUTDIR/kmod/ctrace.ko.  Several kernels (and the
# test-only variant) then build side by side without cleaning in between.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
kdir=$1
out=$2
shift 2
[ -e "$kdir/Makefile" ] || { echo "kmod.sh: $kdir is not a kernel build directory (make deps?)" >&2; exit 1; }
mkdir -p "$out/kmod"
ln -sfn "$top/uapi" "$out/uapi"
ln -sf "$top/Kbuild" "$out/Kbuild"
# Drop links to files that no longer exist, then link the current ones.
find "$out/kmod" -maxdepth 1 -type l ! -exec test -e {} \; -delete
for f in "$top"/kmod/*.[ch] "$top/kmod/Kbuild"; do
	ln -sf "$f" "$out/kmod/$(basename "$f")"
done
# "Skipping BTF generation" only says Debian's headers carry no vmlinux.
version=$(sed -n 's/^#define CTRACE_VERSION[[:space:]]*"\(.*\)"$/\1/p' "$top/tools/include/ctrace_version.h")
make -s -C "$kdir" M="$out" CTRACE_VERSION="$version" "$@" modules 2>&1 | { grep -v 'Skipping BTF generation' || true; }
