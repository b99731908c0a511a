#!/bin/bash
# install.sh: what `make install` and `make uninstall` do, one step a call,
# every step recorded in a manifest so that uninstall removes exactly what
# install put there (docs/install.md).
#
#   install.sh file MODE SRC DEST      install SRC as DEST (a regular file)
#   install.sh link TARGET DEST        DEST, a symbolic link to TARGET
#   install.sh gen MODE DEST           DEST, with standard input's content
#   install.sh module DKMS VERSION SRCDIR TOP FILE... < dkms.conf
#                                      the module's DKMS source tree: its
#                                      dkms.conf from standard input, and
#                                      FILEs (paths relative to TOP); added
#                                      to DKMS, or put in
#                                      SRCDIR/ctrace-VERSION for a packager
#   install.sh uninstall               undo everything the manifest lists
#
# DEST is a path as installed (/usr/local/bin/ctrace); $DESTDIR goes in
# front of it on disk, never into the manifest, so that a packager's
# manifest names the paths of the target system.  The manifest,
# $DESTDIR$MANIFEST, has one line per thing done:
#
#   f PATH          a file or a link we installed
#   d PATH          a directory we created (it did not exist before)
#   dkms NAME/VER   a module version we added to DKMS
#
# Installing twice appends: uninstall takes the union.  Uninstall undoes
# DKMS first, then removes the files, then the directories we created,
# deepest first and only if empty (something else may have been put in
# them since), then the manifest and its own directory.
set -euo pipefail
: "${DESTDIR:=}"
: "${MANIFEST:?install.sh: MANIFEST (a path under PREFIX) is not set}"
manifest=$DESTDIR$MANIFEST

say() { printf '  %-7s %s\n' "$1" "$2"; }

# A path from the manifest or the command line: absolute, no "..".
check_path() {
	case $1 in
	/*) ;;
	*) echo "install.sh: $1: not an absolute path" >&2; exit 1 ;;
	esac
	case /$1/ in
	*/../*|*/./*) echo "install.sh: $1: has . or .. in it" >&2; exit 1 ;;
	esac
}

# The directories above DESTDIR/$1 that do not exist, outermost first.
missing_dirs() {
	local d=$1 out=()
	while [ "$d" != / ] && [ ! -d "$DESTDIR$d" ]; do
		out=("$d" "${out[@]}")
		d=$(dirname "$d")
	done
	[ ${#out[@]} = 0 ] || printf '%s\n' "${out[@]}"
}

record() {
	if [ ! -f "$manifest" ]; then
		# The manifest's own directories are ours too.
		local d dirs
		dirs=$(missing_dirs "$(dirname "$MANIFEST")")
		mkdir -p "$(dirname "$manifest")"
		[ -z "$dirs" ] || while read -r d; do
			echo "d $d" >> "$manifest"
		done <<< "$dirs"
	fi
	echo "$1 $2" >> "$manifest"
}

# mkdir -p DESTDIR/DIR, recording each directory that did not exist.
make_dir() {
	local d dirs
	dirs=$(missing_dirs "$1")
	[ -n "$dirs" ] || return 0
	mkdir -p "$DESTDIR$1"
	while read -r d; do
		record d "$d"
	done <<< "$dirs"
}

put_file() {
	local mode=$1 src=$2 dest=$3
	check_path "$dest"
	make_dir "$(dirname "$dest")"
	# A link left where a file goes would make install write through it.
	[ -L "$DESTDIR$dest" ] && rm -f "$DESTDIR$dest"
	install -m "$mode" "$src" "$DESTDIR$dest"
	record f "$dest"
	say INSTALL "$DESTDIR$dest"
}

# What make generates for the target (the pkg-config file for PREFIX,
# dkms.conf) comes through a pipe: no staged file that two installs with
# different PREFIXes would share.
put_gen() {
	local mode=$1 dest=$2 tmp ret=0
	tmp=$(mktemp)
	cat > "$tmp"
	put_file "$mode" "$tmp" "$dest" || ret=$?
	rm -f "$tmp"
	return $ret
}

put_link() {
	local target=$1 dest=$2
	check_path "$dest"
	make_dir "$(dirname "$dest")"
	ln -sfn "$target" "$DESTDIR$dest"
	record f "$dest"
	say LINK "$DESTDIR$dest -> $target"
}

# DKMS is used when asked (DKMS=yes), or by default (auto) when dkms is
# installed, nothing is being staged (DESTDIR empty) and we are root:
# then the sources go where DKMS takes them from, /usr/src/NAME-VERSION,
# and the module is built and installed for the running kernel when its
# headers are here (kernels installed later get it through AUTOINSTALL).
# Otherwise the same tree goes under PREFIX/src for a packager, whose
# package's postinst runs `dkms add`.
module() {
	local want=$1 version=$2 srcdir=$3 top=$4 use=0 dir f
	shift 4
	case $want in
	yes) use=1 ;;
	no) ;;
	auto) [ -z "$DESTDIR" ] && command -v dkms > /dev/null && [ "$(id -u)" = 0 ] && use=1 ;;
	*) echo "install.sh: DKMS=$want: not yes, no or auto" >&2; exit 1 ;;
	esac
	if [ $use = 1 ]; then
		[ -z "$DESTDIR" ] || { echo "install.sh: DKMS=yes with a DESTDIR: stage with DKMS=no" >&2; exit 1; }
		command -v dkms > /dev/null || { echo "install.sh: DKMS=yes, but dkms is not installed" >&2; exit 1; }
		dir=/usr/src/ctrace-$version
	else
		dir=$srcdir/ctrace-$version
	fi
	put_gen 644 "$dir/dkms.conf"
	for f in "$@"; do
		put_file 644 "$top/$f" "$dir/$f"
	done
	if [ $use = 0 ]; then
		say DKMS "not used; for a package: dkms add $dir"
		return 0
	fi
	# A version added before (an earlier make install) is replaced.
	if [ -n "$(dkms status -m ctrace -v "$version" 2> /dev/null)" ]; then
		dkms remove "ctrace/$version" --all > /dev/null
	fi
	dkms add "ctrace/$version" > /dev/null
	record dkms "ctrace/$version"
	say DKMS "added ctrace/$version"
	local krel
	krel=$(uname -r)
	if [ -e "/lib/modules/$krel/build/Makefile" ]; then
		dkms install "ctrace/$version" -k "$krel"
	else
		say DKMS "no headers for the running kernel $krel: not built; 'dkms install ctrace/$version -k RELEASE' builds it for another"
	fi
}

uninstall() {
	if [ ! -f "$manifest" ]; then
		echo "install.sh: nothing to uninstall: no $manifest (the same PREFIX and DESTDIR as at install?)" >&2
		exit 0
	fi
	local kind path
	# Check every line first: a corrupt manifest removes nothing.
	while read -r kind path; do
		case $kind in
		f|d) check_path "$path" ;;
		dkms) [[ $path =~ ^ctrace/[A-Za-z0-9._+~-]+$ ]] ||
			{ echo "install.sh: bad manifest line: dkms $path" >&2; exit 1; } ;;
		*) echo "install.sh: bad manifest line: $kind $path" >&2; exit 1 ;;
		esac
	done < "$manifest"
	while read -r kind path; do
		[ "$kind" = dkms ] || continue
		if [ -n "$DESTDIR" ]; then
			say DKMS "$path was added outside this DESTDIR: left alone"
		elif command -v dkms > /dev/null && [ -n "$(dkms status -m "${path%/*}" -v "${path#*/}" 2> /dev/null)" ]; then
			dkms remove "$path" --all > /dev/null
			say DKMS "removed $path"
		fi
	done < <(sort -u "$manifest")
	while read -r kind path; do
		[ "$kind" = f ] || continue
		if [ -e "$DESTDIR$path" ] || [ -L "$DESTDIR$path" ]; then
			rm -f "$DESTDIR$path"
			say RM "$DESTDIR$path"
		fi
	done < <(sort -u "$manifest")
	# The directories, deepest first, read before the manifest goes.
	local dirs
	mapfile -t dirs < <(awk '$1 == "d" {print $2}' "$manifest" | sort -u |
		awk '{print length($0), $0}' | sort -rn | cut -d' ' -f2-)
	rm -f "$manifest"
	say RM "$manifest"
	# A directory someone else has put something in since stays.
	for path in "${dirs[@]}"; do
		rmdir "$DESTDIR$path" 2> /dev/null && say RMDIR "$DESTDIR$path"
	done
	return 0
}

cmd=${1:-}
shift || true
case $cmd in
file) [ $# = 3 ] || { echo "usage: install.sh file MODE SRC DEST" >&2; exit 2; }; put_file "$@" ;;
link) [ $# = 2 ] || { echo "usage: install.sh link TARGET DEST" >&2; exit 2; }; put_link "$@" ;;
gen) [ $# = 2 ] || { echo "usage: install.sh gen MODE DEST" >&2; exit 2; }; put_gen "$@" ;;
module) [ $# -ge 5 ] || { echo "usage: install.sh module DKMS VERSION SRCDIR TOP FILE..." >&2; exit 2; }; module "$@" ;;
uninstall) uninstall ;;
*) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
