#!/bin/bash
# run.sh: ctrace's Debian packages, built and installed as a user would,
# as TAP (root; about 6 minutes here: the root with three kernels' headers
# takes about 3, and each kernel's VM boot under a minute).
#
#   1. The install commands of the user's guide (docs/guide.md, its
#      "run: deb" block) run where a user runs them: `make deb` in the
#      tree, `apt install` in a clean root, the rest in the VM
#   2. make deb: the source package and the four binary ones, their
#      versions the one of tools/include/ctrace_version.h, lintian with
#      no error or warning
#   3. a clean Debian root in the build tree (mmdebstrap, the host's
#      suite and apt sources; build-essential, pkg-config, udev and the
#      headers of every test kernel, 6.1, 6.12 and 6.12-rt, as on a
#      user's machine), where apt installs the packages: DKMS builds the
#      module for each of those kernels
#   4. in the root: the tools, the library and pkg-config as installed;
#      the example the -dev package ships built with pkg-config ctrace,
#      and traced by the installed tools (user-only: this host cannot
#      load modules)
#   5. in the VM, booting each of those kernels, inside the root
#      (tests/deb/guest.sh): the guide's modprobe loads the module DKMS
#      built for it, and the same program is traced with the scheduler's
#      events
#   6. apt purge takes everything out again, DKMS's module too
#
# Needs root, mmdebstrap, the build dependencies of debian/control
# (tools/build/deps.sh), and the apt mirror the host uses.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
O=${O:-$top/build}
version=$(sed -n 's/^#define CTRACE_VERSION[[:space:]]*"\(.*\)"$/\1/p' "$top/tools/include/ctrace_version.h")
arch=$(dpkg --print-architecture)
work=$O/deb-test
root=$work/root
guide=$top/docs/guide.md

echo "TAP version 13"
if [ "$(id -u)" != 0 ] || ! command -v mmdebstrap > /dev/null; then
	echo "1..0 # SKIP needs root and mmdebstrap (tools/build/deps.sh)"
	exit 0
fi
mapfile -t kernels < <("$top/tools/build/kernels.sh" --test)

n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n $*"; fail=1; }
indent() { sed 's/^/# /'; }
check() { # check WHAT CMD...: ok when CMD succeeds, else its output
	local what=$1 out
	shift
	if out=$("$@" 2>&1); then
		ok "$what"
	else
		echo "$out" | tail -n 30 | indent
		not_ok "$what"
	fi
}
# The root's mounts live in a mount namespace of their own: they are gone
# when the command ends, however it ends.
in_root() {
	unshare --mount --fork sh -c '
		r=$1
		shift
		mount -t proc proc "$r/proc" && mount --rbind /sys "$r/sys" &&
			mount --rbind /dev "$r/dev" || exit 1
		exec chroot "$r" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
			HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
			sh -c "cd /root/work && $*"' sh "$root" "$*"
}

# 1. The guide's install commands, by where they run, each with what the
# guide shows of its output (tests/guide/match.sh holds one to the other).
rm -rf "$work"
mkdir -p "$work/guide"
if ! "$top/tests/guide/extract.sh" --blocks "$guide" deb > "$work/guide/blocks" ||
	! grep -q '^C ' "$work/guide/blocks"; then
	echo "not ok 1 the guide's install commands ($guide, run: deb)"
	exit 1
fi
host_cmds=() root_cmds=() vm_cmds=()
i=0
while IFS= read -r line; do
	case $line in
	"C "*)
		i=$((i + 1))
		c=${line#C }
		c=${c#sudo }
		f=$work/guide/$(printf '%02d' $i)
		echo "$c" > "$f.cmd"
		: > "$f.shown"
		case $c in
		make\ *) [ ${#root_cmds[@]} = 0 ] && host_cmds+=("$f") || vm_cmds+=("$f") ;;
		apt\ *|apt-get\ *|dpkg\ *) [ ${#vm_cmds[@]} = 0 ] && root_cmds+=("$f") || vm_cmds+=("$f") ;;
		*) vm_cmds+=("$f") ;;
		esac
		;;
	"O "*) printf '%s\n' "${line#O }" >> "$f.shown" ;;
	"O") echo >> "$f.shown" ;;
	esac
done < "$work/guide/blocks"
names() { local f; for f; do printf '%s; ' "$(cat "$f.cmd")"; done; }
# ran NAME-OF-STEP FILE RC: the step's TAP line from its status and its
# output against the guide's.
ran() {
	local what=$1 f=$2 rc=$3 why
	if [ "$rc" = 0 ] && why=$("$top/tests/guide/match.sh" -v "$f.shown" "$f.out"); then
		ok "$what"
	else
		tail -n 30 "$f.out" | indent
		echo "$why" | indent
		not_ok "$what${why:+ (its output is not what the guide shows)}"
	fi
}
echo "# the guide's install commands: in the tree: $(names "${host_cmds[@]}")in the root: $(names "${root_cmds[@]}")in the VM: $(names "${vm_cmds[@]}")"
echo "1..$(( ${#host_cmds[@]} + ${#root_cmds[@]} + 9 + 2 * ${#kernels[@]} ))"

# 2. make deb, with the guide's command; then what it made.
for f in "${host_cmds[@]}"; do
	start=$(date +%s)
	(cd "$top" && eval "$(cat "$f.cmd") O=$O") > "$f.out" 2>&1
	ran "guide: $(cat "$f.cmd") ($(( $(date +%s) - start )) s)" "$f" $?
	sed -n '/^  DEB/,$p' "$f.out" | indent
done
debs=()
for p in ctrace libctrace1 libctrace-dev; do
	debs+=("$O/deb/${p}_${version}_$arch.deb")
done
debs+=("$O/deb/ctrace-dkms_${version}_all.deb")
bad=
for f in "${debs[@]}" "$O/deb/ctrace_$version.dsc" "$O/deb/ctrace_$version.tar.xz"; do
	[ -f "$f" ] || bad+=" ${f##*/}: missing;"
done
for f in "${debs[@]}"; do
	[ -f "$f" ] || continue
	v=$(dpkg-deb -f "$f" Version)
	[ "$v" = "$version" ] || bad+=" ${f##*/}: version $v;"
done
if [ -z "$bad" ]; then
	ok "the source package and ctrace, libctrace1, libctrace-dev, ctrace-dkms, all version $version"
else
	not_ok "the packages:$bad"
fi
# make deb fails when lintian finds an error or a warning: this says it.
tags=$(grep -cE '^[EW]: ' "$O/deb/lintian.log" 2> /dev/null || true)
if [ -f "$O/deb/lintian.log" ] && [ "$tags" = 0 ]; then
	ok "lintian: no error or warning on the source and binary packages ($(grep -cE '^[IP]: ' "$O/deb/lintian.log") info tags)"
else
	indent < "$O/deb/lintian.log" 2> /dev/null
	not_ok "lintian: ${tags:-no log} errors and warnings"
fi

# 3. A clean root, from the host's suite and mirrors.
. /etc/os-release
sources=()
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
	[ -s "$f" ] && sources+=("$f")
done
start=$(date +%s)
headers=$(printf ',linux-headers-%s' "${kernels[@]}")
if mmdebstrap --variant=apt --include="build-essential,pkg-config,udev$headers" \
	"$VERSION_CODENAME" "$root" "${sources[@]}" > "$work/mmdebstrap.log" 2>&1 < /dev/null; then
	ok "a clean $VERSION_CODENAME root with build-essential, pkg-config, udev and the headers of ${kernels[*]} ($(( $(date +%s) - start )) s)"
else
	tail -n 30 "$work/mmdebstrap.log" | indent
	not_ok "mmdebstrap $VERSION_CODENAME $root"
	exit 1
fi
cp /etc/resolv.conf "$root/etc/resolv.conf"
mkdir -p "$root/root/work/build/deb"
# mmdebstrap leaves no package lists; a user's system has them.
in_root "apt-get update -q" > "$work/apt-update.log" 2>&1 || { indent < "$work/apt-update.log"; }
# The guide's apt install is typed by a user who answers yes.
echo 'APT::Get::Assume-Yes "true";' > "$root/etc/apt/apt.conf.d/90ctrace-test"
cp "${debs[@]}" "$root/root/work/build/deb/"

for f in "${root_cmds[@]}"; do
	start=$(date +%s)
	in_root "$(cat "$f.cmd")" > "$f.out" 2>&1
	ran "guide, in the root: $(cat "$f.cmd") ($(( $(date +%s) - start )) s)" "$f" $?
	grep -E '^(Building|Done|Loading|Installing|ctrace.ko|depmod)' "$f.out" | head -n 12 | indent
done
# Where DKMS put each kernel's module (compressed where that kernel's own
# are: .ko.xz on 6.12).
declare -A ko
for k in "${kernels[@]}"; do
	ko[$k]=$(in_root "ls /lib/modules/$k/updates/dkms/ctrace.ko*" 2> /dev/null | head -n 1)
	check "DKMS built and installed the module for $k (${ko[$k]:-none})" \
		in_root "dkms status ctrace/$version -k $k | grep -q ': installed' && test -n '${ko[$k]}' && modinfo -F version '${ko[$k]}' | grep -qx $version"
done

# 4. What is installed, and a program built and traced with it.
check "installed: the tools, libctrace.so.1 in the multiarch directory, pkg-config ctrace $version" \
	in_root "command -v ctrace ctrace-dump && test -e /usr/lib/\$(dpkg-architecture -qDEB_HOST_MULTIARCH 2> /dev/null || gcc -dumpmachine)/libctrace.so.1 && test \"\$(pkg-config --modversion ctrace)\" = $version"
check "ctrace --version and ctrace-dump --version say the package's version, $version" \
	in_root "ctrace --version | grep -q '^ctrace $version\\b' && ctrace-dump --version | grep -q '^ctrace-dump (ctrace) $version\\b' && test \"\$(dpkg-query -W -f '\${Version}' ctrace)\" = $version"
check "man ctrace-dump, man libctrace, the bash completion" \
	in_root "test -f /usr/share/man/man1/ctrace-dump.1.gz && test -f /usr/share/man/man3/libctrace.3.gz && test -f /usr/share/man/man7/ctrace.7.gz && test -f /usr/share/bash-completion/completions/ctrace"
check "the example libctrace-dev ships, built with pkg-config ctrace: linked to the installed libctrace.so.1, no rpath" \
	in_root "cp /usr/share/doc/libctrace-dev/examples/pipeline.c . && cc -O2 -Wall -Werror pipeline.c \$(pkg-config --cflags --libs ctrace) -pthread -o pipeline && ldd ./pipeline | grep -qE 'libctrace\.so\.1 => /(usr/)?lib/' && ! readelf -d pipeline | grep -qiE 'rpath|runpath'"
check "ctrace record traces it with the installed tools (user-only here); ctrace validate and report read the file, whose recorder is ctrace $version" \
	in_root "ctrace record -o pipeline.trace -- ./pipeline 20 && ctrace validate pipeline.trace && ctrace report --all pipeline.trace > report && grep -q compute report && grep -qx 'recorder: *ctrace $version' report"

# 5. In the VM, each kernel: the guide's remaining commands, and a trace
# with the module.
for k in "${kernels[@]}"; do
	if [ -z "${ko[$k]}" ]; then
		not_ok "in the VM ($k), inside the root # DKMS built no module for it"
		continue
	fi
	echo "deb_guest $root${ko[$k]} pass $top/tests/deb/guest.sh $root ${ko[$k]} ${vm_cmds[*]}" > "$work/plan-$k"
	start=$(date +%s)
	out=$("$top/tests/run-ktests" -k "$k" --plan "$work/plan-$k" 2>&1)
	rc=$?
	echo "$out" | grep -E '^(# )*(ok|not ok)|^# kernel' | indent
	if [ $rc = 0 ] && grep -q '^ok 1 deb_guest' <<< "$out"; then
		ok "in the VM ($k), inside the root: the guide's $(names "${vm_cmds[@]}")the program traced with the scheduler's events ($(( $(date +%s) - start )) s)"
	else
		echo "$out" | tail -n 40 | indent
		not_ok "in the VM ($k), inside the root"
	fi
done

# 6. Out again.
check "apt purge of the four packages: DKMS's module and every packaged file gone" \
	in_root "apt-get purge -q ctrace ctrace-dkms libctrace-dev libctrace1 > /dev/null && test -z \"\$(ls /lib/modules/*/updates/dkms/ctrace.ko* 2> /dev/null)\" && test ! -e /usr/src/ctrace-$version && test -z \"\$(dkms status ctrace 2> /dev/null)\" && ! command -v ctrace && test ! -e /usr/include/ctrace.h"
exit $fail
