#!/bin/bash
# install.sh: make install and make uninstall into a scratch DESTDIR, as
# TAP (a few seconds once the tools are built; no root needed).
#
# Installs with PREFIX=/usr/local DKMS=no into $O/install-test/root, which
# already holds a file and a directory of someone else's, then checks what
# a user of the installed tree relies on: every file in place, the
# library's soname and links, no build-tree rpath in what was installed,
# pkg-config giving flags that build and link a program that then runs,
# the tools running from there, the completion script sourcing cleanly
# and completing, the DKMS source tree, the udev rule; and that uninstall
# leaves exactly what was there before.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
O=${O:-$top/build}
version=$(sed -n 's/^#define CTRACE_VERSION[[:space:]]*"\(.*\)"$/\1/p' "$top/tools/include/ctrace_version.h")
work=$O/install-test/install
root=$work/root
prefix=/usr/local
P=$root$prefix

n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n $*"; fail=1; }
check() { # check DESCRIPTION COMMAND...: ok when COMMAND succeeds
	local what=$1 out
	shift
	if out=$("$@" 2>&1); then
		ok "$what"
	else
		echo "$out" | tail -n 20 | sed 's/^/# /'
		not_ok "$what"
	fi
}

echo "TAP version 13"
echo "1..14"
rm -rf "$work"
mkdir -p "$P/lib" "$P/share/someone"
echo keep > "$P/share/someone/file"
before=$(cd "$root" && find . | sort)

if ! out=$(make -s -C "$top" O="$O" install DESTDIR="$root" PREFIX="$prefix" DKMS=no 2>&1); then
	echo "$out" | tail -n 30 | sed 's/^/# /'
	not_ok "make install DESTDIR=$root PREFIX=$prefix"
	exit 1
fi
ok "make install DESTDIR=... PREFIX=$prefix"

files_present() {
	local f missing=0
	for f in bin/ctrace bin/ctrace-dump lib/libctrace.so.1.0.0 lib/libctrace.a \
		include/ctrace.h lib/pkgconfig/ctrace.pc \
		share/bash-completion/completions/ctrace \
		lib/udev/rules.d/60-ctrace.rules src/ctrace-$version/dkms.conf \
		share/ctrace/install-manifest; do
		[ -f "$P/$f" ] || { echo "missing: $f"; missing=1; }
	done
	[ -x "$P/bin/ctrace" ] && [ -x "$P/bin/ctrace-dump" ] || { echo "tools not executable"; missing=1; }
	return $missing
}
check "every file in place" files_present

links_right() {
	[ "$(readlink "$P/lib/libctrace.so.1")" = libctrace.so.1.0.0 ] &&
	[ "$(readlink "$P/lib/libctrace.so")" = libctrace.so.1 ] &&
	[ "$(readlink "$P/share/bash-completion/completions/ctrace-dump")" = ctrace ] &&
	grep -q 'SONAME.*\[libctrace\.so\.1\]' <<< "$(readelf -d "$P/lib/libctrace.so.1.0.0")"
}
check "libctrace.so.1.0.0 has soname libctrace.so.1; libctrace.so -> libctrace.so.1 -> libctrace.so.1.0.0" links_right

no_rpath() {
	local f bad=0
	for f in "$P/bin/ctrace" "$P/bin/ctrace-dump" "$P/lib/libctrace.so.1.0.0"; do
		if readelf -d "$f" | grep -E 'RPATH|RUNPATH'; then
			echo "$f has an rpath"
			bad=1
		fi
	done
	return $bad
}
check "no RPATH or RUNPATH in the installed tools and library" no_rpath

pc_flags() {
	local cflags libs
	cflags=$(PKG_CONFIG_PATH=$P/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$root pkg-config --cflags ctrace) &&
	libs=$(PKG_CONFIG_PATH=$P/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$root pkg-config --libs ctrace) &&
	[ "$(PKG_CONFIG_PATH=$P/lib/pkgconfig pkg-config --modversion ctrace)" = "$version" ] &&
	[ "$(PKG_CONFIG_PATH=$P/lib/pkgconfig pkg-config --variable=prefix ctrace)" = "$prefix" ] &&
	echo "cflags: $cflags; libs: $libs" &&
	# --cflags also has libnl's (Requires.private), under the sysroot too.
	[[ " $cflags " == *" -I$P/include "* ]] && [ "$(echo $libs)" = "-L$P/lib -lctrace" ]
}
check "pkg-config (PKG_CONFIG_PATH, PKG_CONFIG_SYSROOT_DIR): prefix $prefix, version $version, -I and -L into the DESTDIR" pc_flags

program_builds() {
	cat > "$work/use.c" <<-'EOF'
	#include <ctrace.h>
	#include <stdio.h>

	int main(void)
	{
		ctrace_task_t t = ctrace_task_begin(0, "install-test");

		ctrace_counter("installed", 1);
		ctrace_task_end(t);
		puts("libctrace linked");
		return 0;
	}
	EOF
	local flags
	flags=$(PKG_CONFIG_PATH=$P/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$root pkg-config --cflags --libs ctrace) &&
	cc -Wall -Wextra -Werror -o "$work/use" "$work/use.c" $flags &&
	grep -q 'NEEDED.*\[libctrace\.so\.1\]' <<< "$(readelf -d "$work/use")" &&
	[ "$(LD_LIBRARY_PATH=$P/lib "$work/use")" = "libctrace linked" ] &&
	grep -q "libctrace.so.1 => $P/lib/libctrace.so.1 " <<< "$(LD_LIBRARY_PATH=$P/lib ldd "$work/use")"
}
check "a program built with pkg-config's flags links libctrace.so.1 and runs against the installed one" program_builds

tools_run() {
	grep -q '^usage: ctrace' <<< "$(LD_LIBRARY_PATH=$P/lib "$P/bin/ctrace" --help)" &&
	grep -q '^usage: ctrace-dump' <<< "$(LD_LIBRARY_PATH=$P/lib "$P/bin/ctrace-dump" --help)" &&
	! grep -q 'not found' <<< "$(LD_LIBRARY_PATH=$P/lib ldd "$P/bin/ctrace" "$P/bin/ctrace-dump")"
}
check "the installed ctrace and ctrace-dump run and print --help" tools_run

completion() {
	local out
	# A non-interactive bash that only sources it: no output, no error.
	out=$(bash -c 'set -u; source "$1"; complete -p ctrace; complete -p ctrace-dump' _ \
		"$P/share/bash-completion/completions/ctrace" 2>&1) || { echo "$out"; return 1; }
	echo "$out"
	# Completions computed from the installed tools' --help.
	out=$(PATH=$P/bin:$PATH LD_LIBRARY_PATH=$P/lib bash -c '
		source "$1"
		c() { COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 ))
		      if [ "$1" = ctrace ]; then _ctrace; else _ctrace_dump; fi
		      echo "${COMPREPLY[*]}"; }
		c ctrace re; c ctrace report --thr; c ctrace-dump --fli; c ctrace-dump --clock ""
	' _ "$P/share/bash-completion/completions/ctrace" 2>&1)
	echo "$out"
	[ "$out" = "record report
--threads
--flight --flight-count --flight-gap --flight-max
auto tsc mono" ]
}
check "the completion script sources cleanly and completes commands, options and values from --help" completion

dkms_tree() {
	local extra
	extra=$(cd "$P/src/ctrace-$version" && find . -type f | sed 's|^\./||' |
		grep -vxE 'dkms.conf|Kbuild|kmod/[A-Za-z0-9_]+\.[ch]|kmod/Kbuild|uapi/linux/ctrace\.h')
	[ -z "$extra" ] || { echo "not the module's: $extra"; return 1; }
	grep -qx "PACKAGE_VERSION=\"$version\"" "$P/src/ctrace-$version/dkms.conf" &&
	grep -qx 'AUTOINSTALL="yes"' "$P/src/ctrace-$version/dkms.conf" &&
	cmp -s "$top/kmod/main.c" "$P/src/ctrace-$version/kmod/main.c"
}
check "DKMS=no: the module's source tree for a packager in $prefix/src/ctrace-$version, dkms.conf $version" dkms_tree

udev_rule() {
	# The same mode as the module's own (kmod/main.c), no group.
	grep -q '\.mode = 0666' "$top/kmod/main.c" &&
	grep -qx 'KERNEL=="ctrace", SUBSYSTEM=="misc", MODE="0666"' <<< "$(grep -v '^#' "$P/lib/udev/rules.d/60-ctrace.rules")"
}
check "the udev rule gives /dev/ctrace the module's mode, 0666" udev_rule

# The manifest names target paths, never the DESTDIR.
manifest_clean() {
	! grep -qF "$root" "$P/share/ctrace/install-manifest" &&
	[ "$(grep -c '^f ' "$P/share/ctrace/install-manifest")" = \
		"$(cd "$root" && find . ! -type d ! -path ./usr/local/share/someone/file ! -path ./usr/local/share/ctrace/install-manifest | wc -l)" ]
}
check "the manifest lists every file installed, by its path on the target" manifest_clean

# A second install over the first, then uninstall.
if out=$(make -s -C "$top" O="$O" install DESTDIR="$root" PREFIX="$prefix" DKMS=no 2>&1) &&
	out=$(make -s -C "$top" O="$O" uninstall DESTDIR="$root" PREFIX="$prefix" 2>&1); then
	ok "make install twice, then make uninstall"
else
	echo "$out" | tail -n 20 | sed 's/^/# /'
	not_ok "make install twice, then make uninstall"
fi
after=$(cd "$root" && find . | sort)
if [ "$before" = "$after" ]; then
	ok "after uninstall the tree is as before: no file of ours, no directory we made, theirs kept"
else
	diff <(echo "$before") <(echo "$after") | sed 's/^/# /'
	not_ok "after uninstall the tree is as before"
fi

if out=$(make -s -C "$top" O="$O" uninstall DESTDIR="$root" PREFIX="$prefix" 2>&1); then
	ok "make uninstall with nothing installed says so and succeeds"
else
	echo "$out" | sed 's/^/# /'
	not_ok "make uninstall with nothing installed says so and succeeds"
fi
exit $fail
