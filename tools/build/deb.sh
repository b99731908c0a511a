#!/bin/bash
# deb.sh OUT: ctrace's Debian packages (debian/), as `make deb` builds them:
# the source package and ctrace, libctrace1, libctrace-dev and ctrace-dkms,
# into OUT, then lintian on all of them (docs/install.md).
#
# The packages are built from a copy of the tree, OUT/ctrace-VERSION, so
# that nothing built in the tree (build/, Kbuild's outputs) gets into the
# source package: the copy holds the files git knows and the ones it does
# not ignore (a tree without git: everything but build/ and node_modules/).
# Needs debhelper, dh-dkms, lintian and the build dependencies of
# debian/control (tools/build/deps.sh --deb).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:?usage: deb.sh OUT}
version=$(sed -n 's/^#define CTRACE_VERSION[[:space:]]*"\(.*\)"$/\1/p' "$top/tools/include/ctrace_version.h")
src=$out/ctrace-$version

rm -rf "$out"
mkdir -p "$src"
if git -C "$top" rev-parse --is-inside-work-tree > /dev/null 2>&1; then
	# Files deleted in the work tree but not yet in git are left out.
	(cd "$top" && git ls-files -z -co --exclude-standard |
		xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
		cpio -0 -pdm --quiet "$src")
else
	# What .gitignore keeps out: the build tree, npm's modules, and what a
	# dpkg-buildpackage run in the tree itself leaves in debian/.
	(cd "$top" && find . \( -path ./build -o -name node_modules -o -path ./.git \
		-o -path ./debian/build -o -path ./debian/tmp -o -path ./debian/.debhelper \) -prune \
		-o -type f -print0 |
		cpio -0 -pdm --quiet "$src")
fi

# -us -uc: nothing is signed here; a maintainer signs what is uploaded.
(cd "$src" && dpkg-buildpackage -us -uc --build=full -j"$(nproc)") > "$out/build.log" 2>&1 || {
	tail -n 40 "$out/build.log" >&2
	echo "deb.sh: dpkg-buildpackage failed: $out/build.log" >&2
	exit 1
}
rm -rf "$src"
changes=$out/ctrace_${version}_$(dpkg --print-architecture).changes
echo "  DEB     $out:"
(cd "$out" && ls -1 ./*.deb ./*.dsc ./*.tar.* | sed 's|^\./|          |')
# Errors and warnings fail the build; info tags are printed.  Every
# override is in debian/*lintian-overrides with its reason.
echo "  LINTIAN $changes"
# lintian need not be root, and says so when it is.
as_user() {
	if [ "$(id -u)" = 0 ]; then
		setpriv --reuid=nobody --regid=nogroup --clear-groups env HOME=/tmp "$@"
	else
		"$@"
	fi
}
as_user lintian --fail-on error,warning --display-info "$changes" 2>&1 | tee "$out/lintian.log" |
	sed 's/^/          /'
exit "${PIPESTATUS[0]}"
