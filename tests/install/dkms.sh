#!/bin/bash
# dkms.sh: ctrace.ko through DKMS, as a package or make install would
# use it, as TAP (root; about 3 minutes here, most of it three VM boots).
#
#   1. make install DESTDIR=... DKMS=no: the DKMS source tree a packager
#      gets holds dkms.conf, Kbuild, kmod/ and uapi/, nothing else
#   2. dkms add of that tree
#   3. per test kernel (tools/build/kernels.sh --test): dkms build -k
#      RELEASE, then the module DKMS built is booted in the VM
#      (tests/run-ktests --plan) and must load, pass module_test and
#      genl_info_test, and unload with a clean dmesg.  DKMS compresses the
#      module where the kernel's own are (6.12: .ko.xz): ktest-run's
#      insmod (kmod, +XZ +ZSTD) loads that file as it is, which one plan
#      line checks; module_test reloads the module with finit_module(fd,
#      "", 0), which takes no compressed file, so the tests get it
#      decompressed into $O/install-test/dkms/
#   4. dkms remove --all, and the copy dkms add made in /usr/src removed
#   5. make install with an empty DESTDIR (DKMS=auto, dkms present, root)
#      adds the module to DKMS, and make uninstall removes it and every
#      file again
#
# Needs `make tests` first (the kselftest programs, and run-ktests wants
# build/kmod/RELEASE).  Refuses to run when ctrace/VERSION is already in
# DKMS or /usr/src: it is not this script's to remove.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
O=${O:-$top/build}
version=$(sed -n 's/^#define CTRACE_VERSION[[:space:]]*"\(.*\)"$/\1/p' "$top/tools/include/ctrace_version.h")
work=$O/install-test/dkms
src=/usr/src/ctrace-$version

echo "TAP version 13"
if [ "$(id -u)" != 0 ] || ! command -v dkms > /dev/null; then
	echo "1..0 # SKIP needs root and dkms (apt-get install --no-install-recommends dkms)"
	exit 0
fi
mapfile -t kernels < <("$top/tools/build/kernels.sh" --test)
if [ -n "$(dkms status -m ctrace -v "$version" 2> /dev/null)" ] || [ -e "$src" ]; then
	echo "1..0 # SKIP ctrace/$version is already in DKMS or $src: remove it first (dkms remove ctrace/$version --all)"
	exit 0
fi
for t in module_test genl_info_test; do
	[ -x "$O/tests/kselftest/$t" ] || { echo "1..0 # SKIP no $O/tests/kselftest/$t: make tests"; exit 0; }
done
echo "1..$(( 4 + 2 * ${#kernels[@]} ))"

n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n $*"; fail=1; }
indent() { sed 's/^/# /'; }

added=0
cleanup() {
	if [ $added = 1 ]; then
		dkms remove "ctrace/$version" --all > /dev/null 2>&1
		rm -rf "$src"
	fi
}
trap cleanup EXIT

rm -rf "$work"
mkdir -p "$work"
root=$work/root

# 1. The tree a packager gets.
if out=$(make -s -C "$top" O="$O" install DESTDIR="$root" PREFIX=/usr DKMS=no 2>&1); then
	tree=$root/usr/src/ctrace-$version
	extra=$(cd "$tree" && find . -type f | sed 's|^\./||' |
		grep -vxE 'dkms.conf|Kbuild|kmod/[A-Za-z0-9_]+\.[ch]|kmod/Kbuild|uapi/linux/ctrace\.h')
	if [ -f "$tree/dkms.conf" ] && [ -f "$tree/kmod/main.c" ] && [ -z "$extra" ] &&
		grep -qx "PACKAGE_VERSION=\"$version\"" "$tree/dkms.conf"; then
		ok "the DKMS source tree holds dkms.conf ($version), Kbuild, kmod/, uapi/ only"
	else
		echo "$extra" | indent
		not_ok "the DKMS source tree holds dkms.conf ($version), Kbuild, kmod/, uapi/ only"
	fi
else
	echo "$out" | indent
	not_ok "make install DESTDIR=... DKMS=no"
	exit 1
fi

# 2. dkms add copies it to /usr/src/ctrace-VERSION.
if out=$(dkms add "$tree" 2>&1); then
	added=1
	ok "dkms add $tree"
else
	echo "$out" | indent
	not_ok "dkms add $tree"
	exit 1
fi

# 3. Build for each kernel, then boot the module DKMS built.
for k in "${kernels[@]}"; do
	start=$(date +%s)
	if ! out=$(dkms build "ctrace/$version" -k "$k" 2>&1); then
		echo "$out" | tail -n 30 | indent
		not_ok "dkms build -k $k"
		not_ok "$k: the DKMS module in the VM # not built"
		continue
	fi
	ko=$(find "/var/lib/dkms/ctrace/$version/$k" -path '*/module/ctrace.ko*' | head -n 1)
	if [ -z "$ko" ]; then
		not_ok "dkms build -k $k # no module/ctrace.ko* in /var/lib/dkms/ctrace/$version/$k"
		not_ok "$k: the DKMS module in the VM # not built"
		continue
	fi
	ok "dkms build -k $k: ${ko#/var/lib/dkms/} ($(( $(date +%s) - start )) s)"

	plan=$work/plan-$k
	: > "$plan"
	plain=$ko
	case $ko in
	*.ko.xz|*.ko.zst|*.ko.gz)
		plain=$work/$k/ctrace.ko
		mkdir -p "$work/$k"
		case $ko in
		*.xz) xz -dc "$ko" > "$plain" ;;
		*.zst) zstd -qdc "$ko" > "$plain" ;;
		*.gz) gzip -dc "$ko" > "$plain" ;;
		esac
		echo "dkms_insmod_${ko##*.ko.} $ko pass true" >> "$plan"
		;;
	esac
	for t in module_test genl_info_test; do
		echo "dkms_$t $plain pass $O/tests/kselftest/$t" >> "$plan"
	done
	start=$(date +%s)
	out=$("$top/tests/run-ktests" -k "$k" --plan "$plan" 2>&1)
	rc=$?
	echo "$out" | grep -E '^(ok|not ok|# kernel)' | indent
	tests=$(wc -l < "$plan")
	passed=$(echo "$out" | grep -cE '^ok [0-9]+ dkms_')
	if [ $rc = 0 ] && [ "$passed" = "$tests" ]; then
		ok "$k: the DKMS module loads in the VM and passes $(cut -d' ' -f1 "$plan" | paste -sd' ') ($(( $(date +%s) - start )) s)"
	else
		echo "$out" | tail -n 60 | indent
		not_ok "$k: the DKMS module in the VM: $passed of $tests passed"
	fi
done

# 4. dkms remove leaves DKMS's copy of the source; it is ours.
if out=$(dkms remove "ctrace/$version" --all 2>&1) && rm -rf "$src" &&
	[ -z "$(dkms status -m ctrace -v "$version" 2> /dev/null)" ] && [ ! -e "/var/lib/dkms/ctrace/$version" ]; then
	added=0
	ok "dkms remove ctrace/$version --all: nothing left in DKMS"
else
	echo "$out" | indent
	not_ok "dkms remove ctrace/$version --all"
fi

# 5. make install with no DESTDIR: through DKMS, and back out.
prefix=$work/prefix
what="make install PREFIX=... (no DESTDIR) adds ctrace/$version to DKMS; make uninstall removes it and every file"
if ! out=$(make -s -C "$top" O="$O" install PREFIX="$prefix" 2>&1); then
	echo "$out" | tail -n 30 | indent
	not_ok "$what # make install failed"
else
	added=1
	status=$(dkms status -m ctrace -v "$version" 2> /dev/null)
	echo "# dkms status: $status"
	had_src=0
	[ -f "$src/dkms.conf" ] && had_src=1
	if ! out=$(make -s -C "$top" O="$O" uninstall PREFIX="$prefix" 2>&1); then
		echo "$out" | tail -n 30 | indent
		not_ok "$what # make uninstall failed"
	else
		left=$(find "$prefix" "$src" ! -type d 2> /dev/null)
		after=$(dkms status -m ctrace -v "$version" 2> /dev/null)
		if [ -n "$status" ] && [ $had_src = 1 ] && [ -z "$after" ] &&
			[ ! -e "$src" ] && [ -z "$left" ]; then
			added=0
			ok "$what"
		else
			echo "$left" | indent
			not_ok "$what # added: ${status:-no}; $src: $had_src; left: ${after:-nothing in DKMS} ${left//$'\n'/ }"
		fi
	fi
fi
exit $fail
