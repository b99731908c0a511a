#!/bin/bash
# build-lttng.sh [KRELEASE...]: build LTTng's kernel modules (lttng-modules
# from Debian's lttng-modules-dkms package) for the kernel benchmark's
# "lttng" state, into build/bench/lttng/<krelease>/: the .ko files, flat,
# and `load-order`, their names in an insmod order that satisfies their
# dependencies (tests/bench/lttng-kernel.sh loads them).
#
# Default releases: those `tools/build/kernels.sh --test` prints.  A kernel
# whose modules are already built is skipped.  A kernel this lttng-modules
# cannot be built for is reported and skipped (exit 0): the benchmark then
# reports LTTng as not available there.  Exit 1 on other errors.
#
# The source comes only from Debian's package registry (apt-get download,
# dpkg-deb -x); lttng-modules-dkms itself is never installed (its DKMS
# build fails against these kernels and leaves dpkg half-configured).
# Everything lands under build/ (gitignored).  Takes 2-3 minutes per
# kernel on 2 cores.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
O=${CTRACE_BUILD:-$top/build}
outbase=$O/bench/lttng
work=$O/bench/lttng-work
jobs=${JOBS:-2}
[ "$jobs" -le 2 ] || jobs=2

say() { echo "build-lttng: $*"; }
die() { echo "build-lttng: $*" >&2; exit 1; }

if [ $# -gt 0 ]; then
	releases=("$@")
else
	mapfile -t releases < <("$top/tools/build/kernels.sh" --test)
fi
[ ${#releases[@]} -gt 0 ] || die "no kernel releases given and kernels.sh --test printed none"

# Already built: load-order exists and every module it names is there.
built() {
	local d=$outbase/$1 m
	[ -s "$d/load-order" ] || return 1
	while read -r m; do
		[ -s "$d/$m" ] || return 1
	done < "$d/load-order"
}

todo=()
for r in "${releases[@]}"; do
	if built "$r"; then
		say "$r: already built ($(wc -l < "$outbase/$r/load-order") modules in $outbase/$r), skipping"
	else
		todo+=("$r")
	fi
done
[ ${#todo[@]} -gt 0 ] || exit 0

# The source, from Debian's package: download once, extract once.
src=$work/src
if [ ! -s "$src/Makefile" ]; then
	mkdir -p "$work/deb"
	deb=$(ls "$work"/deb/lttng-modules-dkms_*.deb 2> /dev/null | tail -n 1 || true)
	if [ -z "$deb" ]; then
		say "downloading lttng-modules-dkms (apt-get download) into $work/deb"
		# apt drops to the _apt user for downloads; let it write there.
		chmod 777 "$work/deb" 2> /dev/null || true
		(cd "$work/deb" && apt-get download -q lttng-modules-dkms) ||
			die "apt-get download lttng-modules-dkms failed (run apt-get update first?)"
		deb=$(ls "$work"/deb/lttng-modules-dkms_*.deb | tail -n 1)
	fi
	say "extracting $(basename "$deb")"
	rm -rf "$work/deb/x" "$src"
	dpkg-deb -x "$deb" "$work/deb/x"
	d=$(ls -d "$work"/deb/x/usr/src/lttng-modules-* | sed -n 1p)
	[ -s "$d/Makefile" ] || die "no lttng-modules source in $deb"
	mv "$d" "$src"
	rm -rf "$work/deb/x"
fi
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$src/dkms.conf")
say "lttng-modules $version source in $src"

# Leave probe module NAME (lttng-probe-NAME.o) out of the probes' Kbuild.
exclude_probe() {
	local kbuild=$1 name=$2
	grep -q "lttng-probe-$name\.o" "$kbuild" || die "probe $name not in $kbuild"
	sed -i "/lttng-probe-$name\.o/d" "$kbuild"
}

# Which probes to leave out for a kernel, one "NAME REASON" a line.  Only
# probes the benchmark does not need (it needs sched); each test looks at
# the kernel's headers rather than at version numbers.
exclusions() {
	local krel=$1 hdr
	hdr=$(readlink -f "/lib/modules/$krel/build")
	# The hrtimer_start tracepoint gained a third argument (bool
	# was_armed; 6.1.192 and 6.12.117 have it): lttng-modules 2.13.9's
	# timer probe declares the old prototype and fails to compile.
	for f in "$hdr"/include/trace/events/timer.h \
		"${hdr%-amd64}"-common/include/trace/events/timer.h; do
		if [ -e "$f" ] && grep -q 'was_armed' "$f"; then
			echo "timer trace_hrtimer_start has a was_armed argument that lttng-modules $version does not know"
			break
		fi
	done
}

build_one() {
	local krel=$1 kdir=/lib/modules/$1/build bdir=$work/$1 out=$outbase/$1
	local t0 name reason log kos
	if [ ! -e "$kdir/Makefile" ]; then
		say "$krel: no kernel headers at $kdir; skipped"
		return 0
	fi
	t0=$(date +%s)
	# Over any earlier, unfinished build there: make then redoes only what
	# is missing (cp -a keeps the sources' times).
	say "$krel: copying the source to $bdir"
	mkdir -p "$bdir"
	cp -a "$src/." "$bdir/"
	while read -r name reason; do
		[ -n "$name" ] || continue
		say "$krel: leaving out probe '$name': $reason"
		exclude_probe "$bdir/src/probes/Kbuild" "$name"
	done < <(exclusions "$krel")
	log=$bdir/build.log
	say "$krel: make -j$jobs KERNELDIR=$kdir (log: $log)"
	if ! make -C "$bdir" -j"$jobs" KERNELDIR="$kdir" modules > "$log" 2>&1; then
		say "$krel: lttng-modules $version does NOT build for this kernel; first errors:"
		grep -E 'error:' "$log" | sed "s|^$bdir/||" | sed -n '1,12p' | sed 's/^/    /'
		# Errors outside src/probes are in the tracer's core (ring
		# buffer, events, wrappers): leaving probes out cannot help.
		if grep -E 'error:' "$log" | grep -v -E '/src/probes/[^/]*\.[ch]:|/src/probes/\.\./\.\./include/(instrumentation|lttng/tracepoint-event-impl)' |
			grep -q .; then
			say "$krel: some errors are in lttng-modules' core, not in optional probes: this kernel is newer than lttng-modules $version supports"
		fi
		say "$krel: skipped; the benchmark will report lttng as not available on $krel"
		return 0
	fi
	# Not the test modules (src/tests): lttng-clock-plugin-test would
	# replace LTTng's trace clock.
	mapfile -t kos < <(find "$bdir/src" -name '*.ko' -not -path '*/src/tests/*' | sort)
	[ ${#kos[@]} -gt 0 ] || die "$krel: the build made no modules"
	rm -rf "$out.tmp"
	mkdir -p "$out.tmp"
	cp "${kos[@]}" "$out.tmp/"
	# Load order: a topological sort of modinfo's depends, names
	# normalised to '_' as the kernel does.  Modules outside this
	# directory (none expected) are dropped from the order.
	(
		set -e
		cd "$out.tmp"
		declare -A file
		for ko in *.ko; do
			m=$(basename "$ko" .ko | tr - _)
			file[$m]=$ko
			echo "$m $m"
			for d in $(modinfo -F depends "./$ko" | tr ,- " _"); do
				echo "$d $m"
			done
		done > deps
		tsort deps > order
		while read -r m; do
			if [ -n "${file[$m]:-}" ]; then
				echo "${file[$m]}"
			fi
		done < order > load-order
		rm deps order
	)
	[ "$(wc -l < "$out.tmp/load-order")" = ${#kos[@]} ] ||
		die "$krel: load-order lists $(wc -l < "$out.tmp/load-order") of ${#kos[@]} modules"
	rm -rf "$out"
	mv "$out.tmp" "$out"
	rm -rf "$bdir"
	say "$krel: built ${#kos[@]} modules into $out in $(($(date +%s) - t0)) s"
}

# build_one returns 0 when a kernel cannot be built (it says so); any other
# failure stops the script (set -e).
for r in "${todo[@]}"; do
	build_one "$r"
done
exit 0
