#!/bin/bash
# match.sh [-v] SHOWN REAL: exit 0 when REAL, a command's real output,
# matches SHOWN, what the user's guide shows of it (tests/guide/run.sh,
# tests/deb/guest.sh).  Both are masked first: numbers (1, 1.5, 12:04:05,
# 0x7f3a) become N, a time unit after one (ns, us, ms, s) s, a
# histogram's bar of #s nothing, runs of blanks one blank.  A shown line
# "..." stands for any number of real lines; without one at its start or
# end, the shown output is the first or last lines of the real one.  An
# empty SHOWN matches anything.  With -v, it says which shown line did not
# match, and the real line in its place.
set -uo pipefail
verbose=0
[ "$1" = -v ] && { verbose=1; shift; }
awk -v verbose=$verbose '
function mask(s) {
	gsub(/\r/, "", s)
	gsub(/0x[0-9a-fA-F]+/, "N", s)
	gsub(/[0-9]+([.,:][0-9]+)*/, "N", s)
	gsub(/N ?(ns|us|µs|ms|s)/, "N s", s)	# 980 us or 1.2 ms
	gsub(/#+/, "", s)	# the bar of a histogram
	gsub(/[ \t]+/, " ", s)
	sub(/^ /, "", s); sub(/ $/, "", s)
	return s
}
FILENAME == ARGV[1] { s[++ns] = mask($0); next }
{ r[++nr] = mask($0) }
function say(msg) { if (verbose) print "# " msg }
# Does segment [a, b] of the shown lines match the real ones at p?
function at(a, b, p,   i) {
	if (p < 1 || p + (b - a) > nr)
		return 0
	for (i = a; i <= b; i++)
		if (s[i] != r[p + i - a])
			return 0
	return 1
}
# Say which shown line of segment [a, b] failed: the first one past
# the longest prefix that matches anywhere it may start (at p only,
# without a gap), with the real line found there instead.
function diagnose(a, b, p, gap,   q, k, best, bq, top) {
	best = -1
	top = gap ? nr : p
	for (q = p; q <= top; q++) {
		for (k = 0; a + k <= b && q + k <= nr && s[a + k] == r[q + k]; k++)
			;
		if (k > best) { best = k; bq = q }
	}
	if (a + best > b) {
		say("shown lines " a "-" b " match, but not at the end of the output")
		return
	}
	say("shown line " (a + best) " not matched" (gap ? " (after a gap)" : "") ": " s[a + best])
	if (bq + best <= nr)
		say("  the real line there (masked): " r[bq + best])
	else
		say("  the real output ends there")
}
END {
	while (ns > 0 && s[ns] == "")	# the blank lines before the fence
		ns--
	if (ns == 0)
		exit 0
	p = 1			# the first real line not yet matched
	i = 1
	gap = 0
	while (i <= ns) {
		if (s[i] == "...") { gap = 1; i++; continue }
		for (j = i; j < ns && s[j + 1] != "..."; j++)
			;
		last = j == ns
		if (!gap) {
			q = p
		} else if (last) {
			q = nr - (j - i)	# the end of the output
		} else {
			for (q = p; q + (j - i) <= nr && !at(i, j, q); q++)
				;
		}
		if (!at(i, j, q) || q < p || (last && q + (j - i) != nr)) {
			diagnose(i, j, p, gap)
			exit 1
		}
		p = q + (j - i) + 1
		gap = 0
		i = j + 1
	}
	exit 0
}' "$1" "$2"
