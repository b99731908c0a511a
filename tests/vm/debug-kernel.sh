#!/bin/bash
# debug-kernel.sh [OUT]: build the lockdep/KASAN kernel `make check-debug`
# boots, from Debian's linux-source-6.1, and print its release.
#
# Debian ships no kernel with PROVE_LOCKING or KASAN, so this one is built
# here: x86_64 allnoconfig plus tests/vm/debug-kernel.config (everything
# the VM harness needs is built in).  It lands in OUT (default
# build/debug-kernel) as RELEASE/bzImage and RELEASE/build (the tree, which
# out-of-tree modules build against), where tools/build/kernels.sh and
# tests/vm/run-vm find it.  The build is cached: it runs again only when
# the source tarball or the configuration changed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=$(mkdir -p "${1:-$top/build/debug-kernel}" && cd "${1:-$top/build/debug-kernel}" && pwd)
frag=$here/debug-kernel.config

tarball=$(ls /usr/src/linux-source-6.1*.tar.xz 2> /dev/null | sort -V | tail -n 1)
[ -n "$tarball" ] || { echo "debug-kernel.sh: no /usr/src/linux-source-6.1.tar.xz (make deps)" >&2; exit 1; }
for tool in bc flex bison; do
	command -v $tool > /dev/null ||
		{ echo "debug-kernel.sh: $tool is missing (tools/build/deps.sh --debug)" >&2; exit 1; }
done
key=$( (sha256sum "$frag"; stat -c '%n %s %Y' "$tarball") | sha256sum | cut -c1-16)
if [ -e "$out/key" ] && [ "$(cat "$out/key")" = "$key" ] && [ -e "$out/release" ]; then
	cat "$out/release"
	exit 0
fi

src=$out/src
start=$(date +%s)
rm -rf "$src" "$out/key"
mkdir -p "$src"
echo "debug-kernel.sh: unpacking $(basename "$tarball")" >&2
tar -xJf "$tarball" -C "$src" --strip-components=1
cd "$src"
make -s allnoconfig > /dev/null
scripts/kconfig/merge_config.sh -m .config "$frag" > /dev/null
make -s olddefconfig > /dev/null
# Every line of the fragment must have survived olddefconfig: a
# dependency that drops one silently would build a kernel that does not
# debug what it claims to.
missing=0
while IFS= read -r line; do
	case $line in CONFIG_*=*) ;; *) continue ;; esac
	opt=${line%%=*} val=${line#*=}
	if [ "$val" = n ]; then
		grep -qx "$opt=y" .config && { echo "debug-kernel.sh: $opt is still set" >&2; missing=1; }
	elif ! grep -qxF "$line" .config; then
		echo "debug-kernel.sh: $line did not survive olddefconfig" >&2
		missing=1
	fi
done < "$frag"
[ $missing = 0 ] || exit 1
echo "debug-kernel.sh: building ($(nproc) jobs)" >&2
# bzImage: QEMU's direct PVH entry into this vmlinux resets the CPU
# before the first console line (KASAN's early shadow setup, it seems);
# the bzImage boots.
make -s -j"$(nproc)" bzImage modules > "$out/build.log" 2>&1 ||
	{ tail -n 30 "$out/build.log" >&2; exit 1; }
release=$(cat include/config/kernel.release)
rm -rf "${out:?}/$release"
mkdir -p "$out/$release"
cp arch/x86/boot/bzImage "$out/$release/bzImage"
ln -s ../src "$out/$release/build"
echo "$release" > "$out/release"
echo "$key" > "$out/key"
echo "debug-kernel.sh: built $release in $(( $(date +%s) - start ))s" >&2
echo "$release"
