#!/bin/bash
# kernels.sh: which kernels ctrace builds against and tests on.
#
#   kernels.sh --default      the KDIR a plain `make` builds against: the
#                             running kernel's build dir when that kernel can
#                             load modules, else the newest installed headers
#   kernels.sh --test         the releases `make check` boots: the newest
#                             installed 6.1, 6.12 and 6.12-rt (PREEMPT_RT)
#                             Debian kernels that have both an image and
#                             headers
#   kernels.sh --resolve X    the newest installed release starting with X
#                             (any release when X is empty); X-rt names the
#                             series' PREEMPT_RT flavour, and a plain X
#                             never picks it
#   kernels.sh --can-load     exit 0 if the running kernel can load modules
#   kernels.sh --build-dir R  the directory modules for release R build
#                             against
#
# Besides Debian's kernels, --resolve knows the lockdep/KASAN kernel
# tests/vm/debug-kernel.sh builds under $O/debug-kernel ("debug" names
# the newest); --test never lists it.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
O=${O:-$top/build}

debug_kernels() {
	# RELEASE/bzImage beside RELEASE/build, a link to the tree.
	for v in "$O"/debug-kernel/*/bzImage; do
		if [ -e "$v" ] && [ -L "$(dirname "$v")/build" ]; then
			basename "$(dirname "$v")"
		fi
	done | sort -V
}

installed() {
	# Releases with both a kernel image and a build directory.
	for b in /lib/modules/*/build; do
		[ -e "$b/Makefile" ] || continue
		r=$(basename "$(dirname "$b")")
		[ -e "/boot/vmlinuz-$r" ] && echo "$r"
	done | sort -V
}

matching() {
	# Releases equal to $1 or extending it at a "." or "-": 6.1 matches
	# 6.1.0-56-amd64 but not 6.12.117.  Debian names its PREEMPT_RT
	# flavour 6.12.57+deb12-rt-amd64: "6.12-rt" picks it, "6.12" does not.
	awk -v p="$1" '
		BEGIN { rt = p ~ /-rt$/; if (rt) p = substr(p, 1, length(p) - 3) }
		p != "" && $0 != p && index($0, p ".") != 1 && index($0, p "-") != 1 &&
			index($0, p "+") != 1 { next }
		{ if (p == "" || p ~ /-rt-/ || ($0 ~ /-rt-/) == rt) print }'
}

can_load() {
	[ -e /proc/modules ] && [ -e "/lib/modules/$(uname -r)/build/Makefile" ]
}

case ${1:-} in
--can-load)
	can_load ;;
--default)
	if can_load; then
		echo "/lib/modules/$(uname -r)/build"
		exit 0
	fi
	# The newest stock headers; the PREEMPT_RT flavour only when alone.
	h=$(for b in /lib/modules/*/build; do [ -e "$b/Makefile" ] && echo "$b"; done |
		sort -V | awk '/-rt-/ { rt = $0; next } { s = $0 } END { print s ? s : rt }')
	[ -n "$h" ] || { echo "kernels.sh: no kernel headers installed (make deps)" >&2; exit 1; }
	echo "$h" ;;
--test)
	for series in 6.1 6.12 6.12-rt; do
		installed | matching "$series" | tail -n 1
	done ;;
--resolve)
	if [ "${2:-}" = debug ]; then
		r=$(debug_kernels | tail -n 1)
	else
		r=$( (installed | matching "${2:-}"; debug_kernels | grep -xF -- "${2:-}" || true) | tail -n 1)
	fi
	[ -n "$r" ] || { echo "kernels.sh: no installed kernel matches '${2:-}'" >&2; exit 1; }
	echo "$r" ;;
--build-dir)
	if [ -n "${2:-}" ] && [ -L "$O/debug-kernel/$2/build" ]; then
		echo "$O/debug-kernel/$2/build"
	else
		echo "/lib/modules/${2:-}/build"
	fi ;;
*)
	sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'
	exit 2 ;;
esac
