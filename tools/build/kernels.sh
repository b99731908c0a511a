#!/bin/bash
# kernels.sh: which kernels ctrace builds against and tests on.
#
#   kernels.sh --default      the KDIR a plain `make` builds against: the
#                             running kernel's build dir when that kernel can
#                             load modules, else the newest installed headers
#   kernels.sh --test         the releases `make check` boots: the newest
#                             installed 6.1 and 6.12 Debian kernels that have
#                             both an image and headers
#   kernels.sh --resolve X    the newest installed release starting with X
#                             (any release when X is empty)
#   kernels.sh --can-load     exit 0 if the running kernel can load modules
set -euo pipefail

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
	# 6.1.0-56-amd64 but not 6.12.117.
	awk -v p="$1" 'p == "" || $0 == p || index($0, p ".") == 1 || index($0, p "-") == 1'
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
	h=$(for b in /lib/modules/*/build; do [ -e "$b/Makefile" ] && echo "$b"; done |
		sort -V | tail -n 1)
	[ -n "$h" ] || { echo "kernels.sh: no kernel headers installed (make deps)" >&2; exit 1; }
	echo "$h" ;;
--test)
	for series in 6.1 6.12; do
		installed | matching "$series" | tail -n 1
	done ;;
--resolve)
	r=$(installed | matching "${2:-}" | tail -n 1)
	[ -n "$r" ] || { echo "kernels.sh: no installed kernel matches '${2:-}'" >&2; exit 1; }
	echo "$r" ;;
*)
	sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
	exit 2 ;;
esac
