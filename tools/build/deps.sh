#!/bin/bash
# deps.sh [--bench]: install what ctrace needs from Debian's packages,
# and the JSON viewer test's playwright-core from the npm registry (npm ci
# of tests/export/viewer's lock file; never a browser: it drives Debian's).
#
# Idempotent: does nothing when everything is there.  As root it installs
# what is missing; otherwise it prints the exact apt-get line and fails.
# --bench adds what `make bench` compares against (LTTng, trace-cmd, Go);
# --debug adds what `make check-debug` needs to build a kernel.
# --deb installs only what `make deb` needs (debian/control's build
# dependencies, debhelper, dh-dkms and lintian).
set -euo pipefail

pkgs=(
	# build
	gcc make pkg-config libc6-dev libnl-genl-3-dev kmod xz-utils zstd cpio
	# the trace decoder's fuzzer (libFuzzer); the public header is also
	# compiled as C++ (g++, clang++)
	clang libclang-rt-14-dev g++
	# the kernels the module is built against and tested on
	linux-headers-amd64 linux-image-amd64
	linux-headers-6.12-amd64 linux-image-6.12-amd64
	# PREEMPT_RT: spinlocks sleep and irq_work runs in a thread there
	linux-headers-6.12-rt-amd64 linux-image-6.12-rt-amd64
	# kselftest_harness.h and checkpatch.pl come from the kernel sources
	linux-source-6.1 sparse perl
	# the VM
	qemu-system-x86 busybox-static
	# tests: dmesg and setpriv (util-linux), ps (procps); protoc decodes
	# the Perfetto export (protobuf-compiler)
	util-linux procps protobuf-compiler
	# the JSON export in a real viewer: Catapult's, as Go 1.19's cmd/trace
	# ships it, in Debian's Chromium, driven from Node.js
	golang-1.19-src chromium nodejs
	# ctrace view --serve
	libmicrohttpd-dev
	# tests: the man pages' lint (tests/man/run.sh) and their rendering
	mandoc
	# the view test talks to --serve with curl; the analyses' check compares
	# with perf sched on the same run
	curl linux-perf
	# make deb and its test (tests/deb/run.sh): debhelper, DKMS's helper,
	# lintian, and mmdebstrap for the clean root the packages go into
	debhelper dh-dkms lintian mmdebstrap
)
if [ "${1:-}" = --deb ]; then
	pkgs=(gcc make pkg-config libc6-dev libnl-genl-3-dev libmicrohttpd-dev
		dpkg-dev debhelper dh-dkms lintian cpio)
fi
if [ "${1:-}" = --bench ] || [ "${2:-}" = --bench ]; then
	# perf, LTTng's tools and babeltrace2 to check its traces; LTTng's
	# modules are built from lttng-modules-dkms's source by
	# tests/bench/build-lttng.sh (the package itself fails to install);
	# LTTng-UST and Go 1.19 for the user-event benchmark
	pkgs+=(linux-perf lttng-tools babeltrace2 dpkg-dev liblttng-ust-dev golang-go)
	# the reading side's peers (tests/bench/read-bench.sh), and time -v
	pkgs+=(trace-cmd time)
fi
if [ "${1:-}" = --dkms ]; then
	# make check-dkms
	pkgs+=(dkms)
fi
if [ "${1:-}" = --debug ] || [ "${2:-}" = --debug ]; then
	# make check-debug builds a lockdep/KASAN kernel from linux-source-6.1
	pkgs+=(bc bison flex libelf-dev libssl-dev dwarves)
fi

missing=()
for p in "${pkgs[@]}"; do
	[ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2> /dev/null)" = installed ] ||
		missing+=("$p")
done

# playwright-core, pinned by the browser tests' package-lock.json files
# (the JSON viewer's and ctrace view's), into their gitignored
# node_modules; again only when a lock file changed.
node_deps() {
	local v
	for v in tests/export/viewer tests/view; do
		v=$(cd "$(dirname "$0")/../../$v" && pwd)
		[ "$v/node_modules/.package-lock.json" -nt "$v/package-lock.json" ] && continue
		echo "deps.sh: npm ci in $v"
		npm ci --prefix "$v" --no-audit --no-fund || return 1
	done
}
if [ ${#missing[@]} = 0 ]; then
	node_deps
	exit 0
fi

line="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: missing packages; as root, run:" >&2
	echo "  $line" >&2
	exit 1
fi
echo "deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# A fresh machine may have no package lists yet; refresh them only then.
if ! apt-get install -y --no-install-recommends "${missing[@]}"; then
	apt-get update
	apt-get install -y --no-install-recommends "${missing[@]}"
fi
node_deps
