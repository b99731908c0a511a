#!/bin/bash
# run.sh: every command of the user's guide (docs/guide.md), run, and its
# output held against what the guide shows, as TAP (about a minute: one
# VM boot).
#
# The guide's console blocks are marked (tests/guide/extract.sh):
#   vm    run in one guest booting the first test kernel, as root, with
#         ctrace.ko loaded, in a scratch directory (/tmp/guide);
#   host  run here, afterwards, in that directory (the guest's files
#         copied back): reading, exporting, viewing what the guest recorded;
#   deb   the install section, run by tests/deb/run.sh, not here.
# Every vm command runs before every host command, so a host block may
# read what a vm block wrote, never the other way round.  The commands
# run against an installed tree: make install DESTDIR=$O/guide/root
# PREFIX=/usr/local, its bin first in PATH, its lib in LD_LIBRARY_PATH
# and pkg-config finding its ctrace.pc.  A leading "sudo " is dropped
# (the guest runs as root).  A fenced block preceded by
# <!-- file: NAME --> is written to the scratch directory as NAME before
# anything runs (the guide's C program: what the guide shows is what is
# compiled).
#
# Each command is one TAP line.  It must exit 0, or N when it ends with
# the comment "# exit N".  Its shown output must match the real output
# (standard output and error together) line by line, after masking:
# numbers (1, 1.5, 12:04:05, 0x7f3a) become N, a time unit after one
# (ns, us, ms, s) s, a histogram's bar of #s nothing, and runs of blanks
# one blank.  A shown line "..." stands for any number of real lines;
# without one at its start or end, the shown output is the first or last
# lines of the real one.  A command shown without output is not checked
# for it.  So a renamed column, option or message fails, and the numbers
# of another run do not.
#
# After the vm commands the module must unload and dmesg hold no splat.
#
# The checker is checked: every shown output with one word changed must
# fail; with its numbers changed, pass; a copy of the guide with a column
# renamed must fail where it shows that column; a long option of a host command
# misspelt must make it fail; and extract.sh must refuse a console block
# without a run marker and one with an unknown kind.
#
# CTRACE_GUIDE (default docs/guide.md) and CTRACE_GUIDE_KERNEL (default
# the first of tools/build/kernels.sh --test) choose the guide and the
# kernel.  What ran is left in $O/guide/: cmd/ has each command, what the
# guide shows, and what it printed (.out), its status (.rc) and seconds
# (.time).
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
O=${O:-$top/build}
guide=${CTRACE_GUIDE:-$top/docs/guide.md}
extract=$top/tests/guide/extract.sh
kernel=${CTRACE_GUIDE_KERNEL:-$("$top/tools/build/kernels.sh" --test | head -n 1)}
work=$O/guide
root=$work/root
prefix=/usr/local
P=$root$prefix
out=$work/vm
scratch=$out/work
cmds=$work/cmd

n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n $*"; fail=1; }

echo "TAP version 13"
rm -rf "$work"
mkdir -p "$cmds" "$scratch"

# --- the commands, one directory entry per command, in the guide's order:
# cmd/LLLLLL-KKK.{kind,cmd,shown}, LLLLLL the block's line, KKK its index.
split_blocks() { # split_blocks KIND DIR: extract.sh --blocks output on stdin
	awk -v kind="$1" -v dir="$2" '
	function close_cmd() { if (f != "") { close(f ".cmd"); close(f ".shown"); close(f ".kind") } }
	$1 == "B" { block = $2; k = 0; next }
	$1 == "C" {
		close_cmd()
		f = sprintf("%s/%06d-%03d", dir, block, ++k)
		print substr($0, 3) > (f ".cmd")
		printf "" > (f ".shown")
		print kind > (f ".kind")
		next
	}
	$1 == "O" || $0 == "O" { print substr($0, 3) >> (f ".shown"); next }
	END { close_cmd() }'
}
for kind in vm host; do
	if ! blocks=$("$extract" --blocks "$guide" $kind 2>&1); then
		echo "1..1"
		echo "$blocks" | sed 's/^/# /'
		not_ok "$(basename "$guide") keeps the console-block convention"
		exit 1
	fi
	echo "$blocks" | split_blocks $kind "$cmds"
done
list=()
for f in "$cmds"/*.cmd; do
	[ -e "$f" ] && list+=("${f%.cmd}")
done
vm_list=() host_list=()
for c in "${list[@]}"; do
	case $(cat "$c.kind") in
	vm) vm_list+=("$c") ;;
	host) host_list+=("$c") ;;
	esac
done
echo "1..$(( ${#list[@]} + 10 ))"
ok "$(basename "$guide"): ${#vm_list[@]} vm and ${#host_list[@]} host commands, every console block marked"

# The install section is tests/deb/run.sh's: exactly these, in this order.
deb_want=$(printf '%s\n' 'make deb' 'sudo apt install ./build/deb/*.deb' 'sudo modprobe ctrace' 'ctrace version')
if [ "$("$extract" "$guide" deb)" = "$deb_want" ]; then
	ok "the deb block's commands are make deb, apt install, modprobe, ctrace version"
else
	"$extract" "$guide" deb | sed 's/^/# deb: /'
	not_ok "the deb block's commands are exactly make deb, apt install, modprobe, ctrace version"
fi

# --- the installed tree.
if out_install=$(make -s -C "$top" O="$O" install DESTDIR="$root" PREFIX="$prefix" DKMS=no 2>&1); then
	ok "make install DESTDIR=$root PREFIX=$prefix DKMS=no"
else
	echo "$out_install" | tail -n 20 | sed 's/^/# /'
	not_ok "make install DESTDIR=$root PREFIX=$prefix DKMS=no"
fi

# --- the files the guide shows: <!-- file: NAME --> then a fenced block.
awk -v dir="$scratch" '
	/^<!--[ \t]*file:[ \t]*[^ \t]+[ \t]*-->[ \t]*$/ {
		name = $0
		sub(/^<!--[ \t]*file:[ \t]*/, "", name); sub(/[ \t]*-->[ \t]*$/, "", name)
		want = 1
		next
	}
	want && /^```/ && !infile { infile = 1; printf "" > (dir "/" name); next }
	infile && /^```[ \t]*$/ { infile = 0; want = 0; close(dir "/" name); next }
	infile { print >> (dir "/" name) }
	want && !infile && !/^[ \t]*$/ { want = 0 }
' "$guide"

# --- a script that runs commands LIST... one after another in one shell,
# each with its output, status and time in its own files.
script() {
	local resdir=$1 c cmd
	shift
	for c in "$@"; do
		cmd=$(cat "$c.cmd")
		cmd=${cmd#sudo }
		echo "t0=\$(date +%s.%N)"
		printf '{ %s\n} > %q 2>&1 < /dev/null\n' "$cmd" "$resdir/$(basename "$c").out"
		printf 'echo $? > %q\n' "$resdir/$(basename "$c").rc"
		printf 'awk "BEGIN { printf \\"%%.1f\\", $(date +%%s.%%N) - $t0 }" > %q\n' "$resdir/$(basename "$c").time"
	done
}
env_lines() {
	cat <<-EOF
	export PATH=$P/bin:\$PATH
	export LD_LIBRARY_PATH=$P/lib
	export PKG_CONFIG_PATH=$P/lib/pkgconfig
	export PKG_CONFIG_SYSROOT_DIR=$root
	export MANPATH=$P/share/man:
	EOF
}

# --- the vm blocks, in one guest.  Under TCG even where KVM works: with
# two CPUs the guest then marks its TSC unstable and ctrace uses mono, the
# clock the guide shows (KVM may keep the TSC).
export CTRACE_VM_ACCEL=${CTRACE_VM_ACCEL:-tcg}
start=$(date +%s)
if [ ${#vm_list[@]} -gt 0 ]; then
	ko=$O/kmod/$kernel/kmod/ctrace.ko
	mkdir -p "$out/res"
	{
		echo "set -u"
		env_lines
		# A machine's loopback is up (ctrace view --serve); the guest's is not.
		echo "ip link set lo up"
		echo "insmod $ko || { echo 'guide: insmod $ko failed'; exit 1; }"
		echo "mkdir -p /tmp/guide && cp -a /run/out/work/. /tmp/guide/ && cd /tmp/guide || exit 1"
		script /run/out/res "${vm_list[@]}"
		# What the commands left running (a server, a recorder) ends here.
		echo 'kill $(jobs -p) 2> /dev/null; wait'
		echo "cd / && cp -a /tmp/guide/. /run/out/work/"
		echo "rmmod ctrace; echo \$? > /run/out/res/rmmod"
		# The splats tests/ktest-run looks for.
		echo "dmesg | grep -E 'BUG:|WARNING:|Call Trace|Oops|general protection|refcount_t|UBSAN|KASAN|hung_task|rcu_.*stall' > /run/out/res/splat"
		echo "exit 0"
	} > "$out/guide-vm.sh"
	"$top/tests/vm/run-vm" -k "$kernel" -t 180 --out "$out" -- \
		bash /run/out/guide-vm.sh > "$work/vm.log" 2>&1
	vm_rc=$?
	for c in "${vm_list[@]}"; do
		b=$(basename "$c")
		for x in out rc time; do
			[ -f "$out/res/$b.$x" ] && cp "$out/res/$b.$x" "$c.$x"
		done
	done
	if [ $vm_rc != 0 ] || grep -q '^guide:' "$work/vm.log"; then
		tr -d '\r' < "$work/vm.log" | tail -n 20 | sed 's/^/# /'
	fi
fi
vm_s=$(( $(date +%s) - start ))
if [ ${#vm_list[@]} = 0 ]; then
	ok "no vm commands, so no guest # SKIP"
elif [ "$(cat "$out/res/rmmod" 2> /dev/null)" = 0 ] && [ -f "$out/res/splat" ] && [ ! -s "$out/res/splat" ]; then
	ok "the guest: rmmod ctrace after the guide, and no splat in dmesg"
else
	sed 's/^/# /' "$out/res/splat" 2> /dev/null
	not_ok "the guest: rmmod ctrace after the guide ($(cat "$out/res/rmmod" 2> /dev/null || echo "not run")), and no splat in dmesg"
fi

# --- the host blocks, here, in the guest's directory.
start=$(date +%s)
if [ ${#host_list[@]} -gt 0 ]; then
	{
		echo "set -u"
		env_lines
		echo "cd $(printf %q "$scratch") || exit 1"
		script "$cmds" "${host_list[@]}"
		echo 'kill $(jobs -p) 2> /dev/null; wait'
	} > "$work/guide-host.sh"
	timeout 120 bash "$work/guide-host.sh" > "$work/host.log" 2>&1
fi
host_s=$(( $(date +%s) - start ))

# --- the checker (tests/guide/match.sh).  match [-v] SHOWN REAL: 0 when
# the shown output matches; with -v, it says which shown line did not.
match() {
	"$top/tests/guide/match.sh" "$@"
}

expected_rc() { # the "# exit N" comment at a command's end, else 0
	sed -n 's/.*#[[:space:]]*exit[[:space:]]\{1,\}\([0-9]\{1,3\}\)[[:space:]]*$/\1/p' "$1"
}

checked=0 words=0 numbers=0
for c in "${list[@]}"; do
	cmd=$(cat "$c.cmd")
	kind=$(cat "$c.kind")
	want=$(expected_rc "$c.cmd")
	want=${want:-0}
	if [ ! -f "$c.rc" ]; then
		not_ok "$kind: \$ $cmd # did not run"
		continue
	fi
	rc=$(cat "$c.rc")
	t=$(cat "$c.time" 2> /dev/null || echo "?")
	if [ "$rc" != "$want" ]; then
		echo "# exit status $rc, the guide says $want"
		tail -n 15 "$c.out" | sed 's/^/# /'
		not_ok "$kind: \$ $cmd"
		continue
	fi
	if ! match -v "$c.shown" "$c.out"; then
		echo "# its output (all of it in ${c#$top/}.out):"
		head -n 40 "$c.out" | sed 's/^/#   /'
		not_ok "$kind: \$ $cmd # its output is not what the guide shows"
		continue
	fi
	[ -s "$c.shown" ] && checked=$((checked + 1))
	ok "$kind: \$ $cmd (${t}s)"
done

# --- the checker can fail.
bad_words=""
bad_numbers=""
for c in "${list[@]}"; do
	[ -s "$c.shown" ] && [ -f "$c.out" ] || continue
	match "$c.shown" "$c.out" || continue
	# The first word of letters of the first shown line that has one.
	awk 'done || !match($0, /[A-Za-z][A-Za-z]+/) || $0 == "..." { print; next }
		{ print substr($0, 1, RSTART - 1) "Renamed" substr($0, RSTART); done = 1 }' \
		"$c.shown" > "$c.shown-word"
	if cmp -s "$c.shown" "$c.shown-word"; then
		: # no word to change
	else
		words=$((words + 1))
		match "$c.shown-word" "$c.out" && bad_words="$bad_words $(basename "$c")"
	fi
	# Every number one digit longer, and 7 for 1: another run's numbers.
	sed '/0x/!s/[0-9]\+/7&/g' "$c.shown" > "$c.shown-number"
	if ! cmp -s "$c.shown" "$c.shown-number"; then
		numbers=$((numbers + 1))
		match "$c.shown-number" "$c.out" || bad_numbers="$bad_numbers $(basename "$c")"
	fi
done
if [ $words -gt 0 ] && [ -z "$bad_words" ]; then
	ok "the checker fails each of the $words shown outputs ($checked checked) with one word changed"
else
	echo "# still matching with a word changed:$bad_words"
	not_ok "the checker fails every shown output with one word changed ($words tried)"
fi
if [ -z "$bad_numbers" ]; then
	ok "the checker passes each of the $numbers shown outputs with numbers in it when its numbers change"
else
	echo "# failing with other numbers:$bad_numbers"
	not_ok "the checker passes every shown output with other numbers"
fi

# A tampered copy of the guide, a column renamed in what it shows, fails
# on every command that shows that column, and on no other.
tampered=$work/tampered
mkdir -p "$tampered"
sed 's/runnable/waiting/g' "$guide" > "$work/tampered.md"
for kind in vm host; do
	"$extract" --blocks "$work/tampered.md" $kind | split_blocks $kind "$tampered"
done
want_fail="" got_fail=""
for c in "${list[@]}"; do
	b=$(basename "$c")
	[ -f "$c.out" ] && match "$c.shown" "$c.out" || continue
	grep -q runnable "$c.shown" && want_fail="$want_fail $b"
	match "$tampered/$b.shown" "$c.out" || got_fail="$got_fail $b"
done
if [ -n "$want_fail" ] && [ "$want_fail" = "$got_fail" ]; then
	ok "a copy of the guide with the column runnable renamed waiting fails on the $(echo $want_fail | wc -w) commands that show it, and only those"
else
	echo "# show the column:$want_fail; fail:$got_fail"
	not_ok "a copy of the guide with the column runnable renamed waiting fails on exactly the commands that show it"
fi

# A host command's long option misspelt must fail: run it again so.
tried=""
for c in "${host_list[@]}"; do
	[ "$(cat "$c.rc" 2> /dev/null)" = 0 ] || continue
	cmd=$(cat "$c.cmd")
	opt=$(echo "$cmd" | grep -oE -- ' --[a-z][a-z-]+' | head -n 1)
	[ -n "$opt" ] || continue
	tried="${cmd/$opt/${opt}x}"
	mkdir -p "$work/misspelt"
	cp -a "$scratch/." "$work/misspelt/"
	if (eval "$(env_lines)"; cd "$work/misspelt" && eval "${tried#sudo }") > "$work/misspelt.out" 2>&1 < /dev/null; then
		not_ok "a host command with an option misspelt fails: \$ $tried exited 0"
	else
		ok "a host command with an option misspelt fails: \$ $tried"
	fi
	rm -rf "$work/misspelt"
	break
done
[ -n "$tried" ] || not_ok "a host command with an option misspelt fails # no host command with a long option"

# extract.sh refuses a console block without a marker, and an unknown kind.
awk '!done && /^<!--[ \t]*run:/ { done = 1; next } { print }' "$guide" > "$work/unmarked.md"
if "$extract" "$work/unmarked.md" vm > /dev/null 2>&1; then
	not_ok "extract.sh refuses a guide with a console block that has no run marker"
else
	ok "extract.sh refuses a guide with a console block that has no run marker"
fi
awk '!done && /^<!--[ \t]*run:/ { print "<!-- run: vn -->"; done = 1; next } { print }' "$guide" > "$work/unknown.md"
if "$extract" "$work/unknown.md" vm > /dev/null 2>&1; then
	not_ok "extract.sh refuses a guide with a run marker of an unknown kind"
else
	ok "extract.sh refuses a guide with a run marker of an unknown kind"
fi

echo "# the guest ${vm_s}s (${#vm_list[@]} commands on $kernel), the host ${host_s}s (${#host_list[@]} commands)"
exit $fail
