#!/bin/bash
# extract.sh: the commands of a guide's console blocks, for whoever runs
# them (docs/guide.md; tests/guide/run.sh, tests/deb/run.sh).
#
#   tests/guide/extract.sh GUIDE KIND            one command per line
#   tests/guide/extract.sh --blocks GUIDE KIND   commands and shown output
#
# The convention (docs/guide.md keeps it):
#   - commands are in blocks fenced with the info string "console";
#   - each command line starts with "$ "; a line ending with "\" goes on
#     on the next line (they are joined, the "\" dropped);
#   - the lines after a command, up to the next "$ " line or the block's
#     end, are its shown output;
#   - the last non-blank line before each console block is a marker
#     naming who runs it: <!-- run: vm -->, <!-- run: host --> or
#     <!-- run: deb -->.
# KIND is one of those kinds.  The first form prints the commands of the
# blocks marked KIND, in order, "$ " taken off; nothing when the guide
# breaks the convention.  The second prints, for
# the runner, "B <line>" at each block (its first line in GUIDE), "C <command>"
# for each command and "O <line>" for each line of its shown output.
#
# Exit status 2 (with the line number) when a console block has no
# marker, a marker names an unknown kind, a marker is not followed by a
# console block, a block of shell commands is fenced as sh/bash/shell
# (its commands would go untested), or a fence is left open; 2 for bad
# usage too.
set -uo pipefail

blocks=0
if [ "${1:-}" = --blocks ]; then
	blocks=1
	shift
fi
if [ $# != 2 ]; then
	echo "usage: extract.sh [--blocks] GUIDE KIND" >&2
	exit 2
fi
guide=$1 kind=$2
case $kind in
vm|host|deb) ;;
*) echo "extract.sh: unknown kind '$kind' (vm, host or deb)" >&2; exit 2 ;;
esac
[ -r "$guide" ] || { echo "extract.sh: cannot read $guide" >&2; exit 2; }

awk -v want="$kind" -v blocks=$blocks -v file="$guide" '
function fail(msg) {
	printf "extract.sh: %s:%d: %s\n", file, NR, msg > "/dev/stderr"
	bad = 1
	exit 2
}
# One finished command (with its continuation lines joined).
function emit_cmd() {
	if (!take)
		return
	out = out (blocks ? "C " : "") cmd "\n"
}
BEGIN { infence = 0; marker = ""; marker_line = 0 }
infence {
	if ($0 ~ /^```[ \t]*$/) {
		if (incont)
			fail("a command ends with \\ at the end of its block")
		infence = 0
		next
	}
	if (!console)
		next
	if (incont) {
		line = $0
		incont = sub(/\\$/, "", line)
		cmd = cmd line
		if (!incont)
			emit_cmd()
		next
	}
	if ($0 ~ /^\$ /) {
		line = substr($0, 3)
		incont = sub(/\\$/, "", line)
		cmd = line
		if (!incont)
			emit_cmd()
		next
	}
	if ($0 == "$")
		fail("an empty command")
	if (take && blocks)
		out = out "O " $0 "\n"
	next
}
/^```/ {
	info = $0
	sub(/^```[ \t]*/, "", info)
	sub(/[ \t].*$/, "", info)
	infence = 1
	console = info == "console"
	fence_line = NR
	if (info ~ /^(sh|bash|shell|zsh)$/)
		fail("a block of shell commands fenced as " info ": fence it as console, with a run marker")
	if (console) {
		if (marker == "")
			fail("a console block without a run marker (<!-- run: vm|host|deb -->) before it")
		if (marker !~ /^(vm|host|deb)$/)
			fail("run marker \"" marker "\" is not vm, host or deb")
		take = marker == want
		if (take && blocks)
			out = out "B " NR "\n"
	} else if (marker != "") {
		fail("the run marker of line " marker_line " is not followed by a console block")
	}
	marker = ""
	incont = 0
	next
}
/^<!--[ \t]*run:/ {
	m = $0
	if (m !~ /^<!--[ \t]*run:[ \t]*[A-Za-z0-9_-]*[ \t]*-->[ \t]*$/)
		fail("a run marker is <!-- run: KIND -->")
	sub(/^<!--[ \t]*run:[ \t]*/, "", m)
	sub(/[ \t]*-->[ \t]*$/, "", m)
	if (m !~ /^(vm|host|deb)$/)
		fail("run marker \"" m "\" is not vm, host or deb")
	marker = m
	marker_line = NR
	next
}
/^[ \t]*$/ { next }
{
	if (marker != "")
		fail("the run marker of line " marker_line " is not followed by a console block")
}
END {
	if (bad)
		exit 2
	if (infence)
		fail("the block opened at line " fence_line " is not closed")
	if (marker != "")
		fail("the run marker of line " marker_line " is not followed by a console block")
	printf "%s", out
}
' "$guide"
