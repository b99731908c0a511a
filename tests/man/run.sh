#!/bin/bash
# run.sh: the man pages (docs/man/), as TAP.
#
# For every page: mandoc -T lint -W warning says nothing.  For ctrace-dump,
# ctrace and each subcommand that `ctrace --help` lists: every option that
# its --help output names (--long anywhere, -x as a word) appears in the
# OPTIONS section of its page, as rendered text (an example elsewhere does
# not count), so that a new option without its documentation fails here;
# and every subcommand has a page.  libctrace(3) names every
# public name of tools/lib/ctrace.h.  One line checks the checker: a page
# with an option taken out must fail.
#
# The options come from --help, so an option that a page documents before
# --help lists it (such as --version) is fine.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
O=${O:-$top/build}
man=$top/docs/man
bin=$O/bin
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n $*"; fail=1; }

# The page's OPTIONS section as text: no bold or underline, no tabs.
render() {
	mandoc -T ascii "$1" | col -bx |
		awk '/^OPTIONS$/ { on = 1; next } on && /^[A-Z][A-Z ]*$/ { exit } on'
}

# The options a --help output names: long ones anywhere, short ones as a
# word of their own (after a blank, '[', '(' or '|'; before a blank, ',',
# ']', ')' or '|'), so that "non-zero" or "->" are not taken for one.
options() {
	{
		grep -oE -- '--[a-z][a-z0-9-]*' "$1"
		grep -oE -- '(^|[][ (|])-[a-zA-Z]([], )|]|$)' "$1" | grep -oE -- '-[a-zA-Z]'
	} | sort -u
}

# Options of help file $1 missing from rendered page $2, one per line.
missing() {
	local o
	for o in $(options "$1"); do
		grep -qE -- "(^|[^A-Za-z0-9-])$o([^A-Za-z0-9-]|\$)" "$2" || echo "$o"
	done
}

pages=("$man"/*.[1-9])
cmds=()
if [ -x "$bin/ctrace" ]; then
	# "commands:" then "  NAME  what it does" lines, up to a blank line.
	mapfile -t cmds < <("$bin/ctrace" --help 2>&1 |
		awk '/^commands:/ { on = 1; next } on && /^$/ { exit } on { print $1 }')
fi
echo "TAP version 13"
echo "1..$(( ${#pages[@]} + 2 + ${#cmds[@]} + 3 ))"

have_mandoc=true
command -v mandoc > /dev/null || have_mandoc=false

# 1. mandoc lint, one line per page.
for p in "${pages[@]}"; do
	name=$(basename "$p")
	if ! $have_mandoc; then
		not_ok "mandoc -T lint $name # mandoc is not installed (make deps)"
		continue
	fi
	if out=$(mandoc -T lint -W warning "$p" 2>&1) && [ -z "$out" ]; then
		ok "mandoc -T lint -W warning $name: clean"
	else
		echo "$out" | sed 's/^/# /'
		not_ok "mandoc -T lint -W warning $name"
	fi
done

# 2. Every option of each tool's --help is in its page.
check_options() {
	local what=$1 page=$2 help=$3 miss
	shift 3
	if ! $have_mandoc || [ ! -f "$page" ]; then
		not_ok "$what: every option of --help is in $(basename "$page") # no page or no mandoc"
		return
	fi
	if ! "$@" --help > "$help.raw" 2>&1 || [ ! -s "$help.raw" ]; then
		sed 's/^/# /' "$help.raw"
		not_ok "$what: every option of --help is in $(basename "$page") # --help failed"
		return
	fi
	# ctrace's list of commands is not options (it says "--flight" and
	# "--serve" of two of them): their pages have them.
	sed '/^commands:/,/^$/d' "$help.raw" > "$help"
	render "$page" > "$help.txt"
	miss=$(missing "$help" "$help.txt")
	if [ -z "$miss" ]; then
		ok "$what: the $(options "$help" | wc -l) options of --help are all in $(basename "$page")'s OPTIONS"
	else
		echo "# not in the page's OPTIONS: $(echo $miss)"
		not_ok "$what: every option of --help is in $(basename "$page")'s OPTIONS"
	fi
}
check_options ctrace-dump "$man/ctrace-dump.1" "$tmp/dump" "$bin/ctrace-dump"
check_options ctrace "$man/ctrace.1" "$tmp/ctrace" "$bin/ctrace"
for c in "${cmds[@]}"; do
	check_options "ctrace $c" "$man/ctrace-$c.1" "$tmp/cmd-$c" "$bin/ctrace" "$c"
done

# 3. Every subcommand has a page, and ctrace(1) names it.
absent=""
if [ ${#cmds[@]} = 0 ]; then
	absent="(ctrace --help listed no command)"
fi
for c in "${cmds[@]}"; do
	[ -f "$man/ctrace-$c.1" ] && grep -q "^\.Xr ctrace-$c 1" "$man/ctrace.1" ||
		absent="$absent $c"
done
if [ -z "$absent" ]; then
	ok "the ${#cmds[@]} commands of ctrace --help each have a page, which ctrace(1) names"
else
	echo "# without a page, or not in ctrace(1):$absent"
	not_ok "every command of ctrace --help has a page, which ctrace(1) names"
fi

# 4. The checker can fail: ctrace-dump(1) without --flight-gap.
if $have_mandoc && [ -s "$tmp/dump" ]; then
	sed 's/flight-gap/flight-pause/g' "$man/ctrace-dump.1" > "$tmp/lacking.1"
	render "$tmp/lacking.1" > "$tmp/lacking.txt"
	if [ "$(missing "$tmp/dump" "$tmp/lacking.txt")" = --flight-gap ]; then
		ok "the option check fails for a page without --flight-gap, and names it"
	else
		not_ok "the option check fails for a page without --flight-gap"
	fi
else
	not_ok "the option check fails for a page without an option # no mandoc or no ctrace-dump --help"
fi

# 5. libctrace(3) names every public name of <ctrace.h>: the functions,
# macros, types and constants not ending in "_" (those are the macros'
# internals), but for the include guard.
if $have_mandoc; then
	mandoc -T ascii "$man/libctrace.3" | col -bx > "$tmp/lib.txt"
	absent=""
	names=$(grep -oE '\b(ctrace|CTRACE)_[A-Za-z0-9_]*[A-Za-z0-9]\b' "$top/tools/lib/ctrace.h" |
		grep -vx CTRACE_H | sort -u)
	for s in $names; do
		grep -qE "(^|[^A-Za-z0-9_])$s([^A-Za-z0-9_]|\$)" "$tmp/lib.txt" || absent="$absent $s"
	done
	if [ -z "$absent" ]; then
		ok "libctrace(3) names all $(echo $names | wc -w) public names of ctrace.h"
	else
		echo "# not in libctrace(3):$absent"
		not_ok "libctrace(3) names every public name of ctrace.h"
	fi
else
	not_ok "libctrace(3) names every public name of ctrace.h # mandoc is not installed"
fi
exit $fail

# What is left out on purpose: mandoc's STYLE messages (below -W warning).
# The pages refer to one another with .Xr, and mandoc -T lint says
# "referenced manual not found" for every page that is not installed in
# its manpath yet (all of ours, here); and it says "outdated mandoc.db
# lacks ... entry" where the system's database has not been rebuilt with
# makewhatis.  Neither is a fault of a page.
