#!/bin/bash
# run.sh: <ctrace.h> as users build against it, as TAP.
#
# Installs libctrace into a scratch root (make install DESTDIR=...), then
# compiles tests/header/header_use.c against the installed header and
# library with gcc and clang, as C11 and as C++17, all with -Wall -Wextra
# -Werror, and runs each program (it checks that a disabled library is a
# no-op).  A header that warns under any of them fails here.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
O=${O:-$top/build}
root=$O/header-test/root
prefix=/usr
rm -rf "$O/header-test"
mkdir -p "$root"

echo "TAP version 13"
compilers=("gcc -std=c11 -x c" "clang -std=c11 -x c" "g++ -std=c++17 -x c++" "clang++ -std=c++17 -x c++")
echo "1..$(( 1 + ${#compilers[@]} ))"
n=1
if out=$(make -s -C "$top" O="$O" install DESTDIR="$root" PREFIX="$prefix" 2>&1) &&
	[ -f "$root$prefix/include/ctrace.h" ]; then
	echo "ok 1 make install DESTDIR=... puts ctrace.h and libctrace in place"
else
	echo "$out" | sed 's/^/# /'
	echo "not ok 1 make install DESTDIR=... puts ctrace.h and libctrace in place"
	for c in "${compilers[@]}"; do
		n=$((n + 1))
		echo "not ok $n $c # nothing installed"
	done
	exit 1
fi

fail=0
for c in "${compilers[@]}"; do
	n=$((n + 1))
	read -r cc std lang <<< "$c"
	name="$cc $std"
	exe=$O/header-test/header_use-${cc}${std#-std=}
	# -x applies to the source only: the libraries after it are linked
	# as what they are.
	if ! command -v "$cc" > /dev/null; then
		echo "not ok $n $name # $cc is not installed (make deps)"
		fail=1
		continue
	fi
	if ! out=$($cc $std -Wall -Wextra -Werror -I"$root$prefix/include" \
		$lang "$top/tests/header/header_use.c" -x none \
		-L"$root$prefix/lib" -lctrace -pthread -o "$exe" 2>&1); then
		echo "$out" | sed 's/^/# /'
		echo "not ok $n $name -Wall -Wextra -Werror # does not compile cleanly"
		fail=1
		continue
	fi
	if out=$(LD_LIBRARY_PATH="$root$prefix/lib" "$exe" 2>&1); then
		echo "ok $n $name -Wall -Wextra -Werror: compiles cleanly, links and runs"
	else
		echo "$out" | sed 's/^/# /'
		echo "not ok $n $name # the program failed"
		fail=1
	fi
done
exit $fail
