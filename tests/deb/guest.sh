#!/bin/bash
# guest.sh ROOT KO STEP...: tests/deb/run.sh's part in the test VM, as TAP
# (tests/ktest-run runs it as root, after loading KO, the module DKMS built
# in ROOT, which proves that it loads).
#
# ROOT, the packages' clean root, is shared read-only: an overlay on tmpfs
# makes it writable, as a user's system is.  The module is unloaded, then
# each STEP's command, STEP.cmd (the guide's install commands after apt
# install: modprobe ctrace, ...), runs inside ROOT, so that modprobe finds
# the module where DKMS installed it, and its output is held against the
# guide's, STEP.shown (tests/guide/match.sh).  Then the program run.sh built there against the
# installed library is traced by the installed tools, with the module: the
# file must hold the scheduler's events and the program's own.
set -uo pipefail
lower=$1
ko=$2
shift 2
steps=("$@")
match=$(cd "$(dirname "$0")/../guide" && pwd)/match.sh
w=/tmp/deb-root
r=$w/merged

n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n $*"; fail=1; }
in_root() {
	chroot "$r" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
		HOME=/root LANG=C.UTF-8 sh -c "cd /root/work && $1"
}
check() {
	local what=$1 out
	if out=$(in_root "$2" 2>&1); then
		ok "$what"
	else
		echo "$out" | tail -n 20 | sed 's/^/# /'
		not_ok "$what"
	fi
}

echo "TAP version 13"
echo "1..$(( ${#steps[@]} + 8 ))"
mkdir -p "$w/upper" "$w/work" "$r"
mount -t tmpfs deb "$w" && mkdir -p "$w/upper" "$w/work" "$r" &&
	mount -t overlay overlay -o "lowerdir=$lower,upperdir=$w/upper,workdir=$w/work" "$r" &&
	mount -t proc proc "$r/proc" && mount --rbind /sys "$r/sys" &&
	mount --rbind /dev "$r/dev" && mount -t tmpfs tmp "$r/tmp" || {
	echo "not ok 1 the root, writable through an overlay"
	exit 1
}
cleanup() {
	umount -R "$r" 2> /dev/null
	umount "$w" 2> /dev/null
}
trap cleanup EXIT

# Loaded by ktest-run from the same file: the guide's modprobe must load it.
rmmod ctrace || { echo "not ok 1 rmmod ctrace before the guide's modprobe"; exit 1; }
for f in "${steps[@]}"; do
	c=$(cat "$f.cmd")
	in_root "$c" > /tmp/deb-step.out 2>&1
	rc=$?
	if [ $rc = 0 ] && why=$("$match" -v "$f.shown" /tmp/deb-step.out); then
		ok "guide, in the root: $c"
	else
		sed 's/^/# /' /tmp/deb-step.out | tail -n 20
		echo "${why:-}" | sed 's/^/# /'
		not_ok "guide, in the root: $c (exit $rc)"
	fi
done
check "the module loaded is DKMS's ($ko), of the tools' version; /dev/ctrace mode 0666 as documented" \
	"test \"\$(modinfo -n ctrace)\" = $ko && grep -q '^ctrace ' /proc/modules && test \"\$(cat /sys/module/ctrace/version)\" = \"\$(ctrace --version | sed -n '1s/^ctrace //p')\" && test \"\$(stat -c %a /dev/ctrace)\" = 666"
check "ctrace record -- ./pipeline with the module: a valid file" \
	"ctrace record -o /tmp/pipeline.trace -- ./pipeline 20 && ctrace validate /tmp/pipeline.trace"
check "its report has the scheduler's events (context switches, wakeups) and the program's regions" \
	"ctrace report --all /tmp/pipeline.trace > /tmp/report && grep -qi 'switch' /tmp/report && grep -qi 'wakeup' /tmp/report && grep -q compute /tmp/report"
check "ctrace info talks to the module over netlink" "ctrace info"
# The packaged rule, as udev applies it (udevadm test acts on the node
# without a daemon); then an administrator's override in /etc, as
# docs/install.md says to restrict the device to a group; then back.
check "udev: the packaged rule (/usr/lib/udev/rules.d/60-ctrace.rules) sets /dev/ctrace 0666" \
	"{ udevadm test --action=add /sys/class/misc/ctrace > /tmp/udev.log 2>&1 || :; } && grep -i ctrace /tmp/udev.log | grep -v '^Reading' && grep -q '60-ctrace.rules:[0-9]* MODE' /tmp/udev.log && grep -q 'mode=0666' /tmp/udev.log && test \"\$(stat -c %a /dev/ctrace)\" = 666"
check "udev: an override in /etc/udev/rules.d gives group tracing 0660, and removing it 0666 again" \
	"groupadd -r tracing && printf '%s\\n' 'KERNEL==\"ctrace\", SUBSYSTEM==\"misc\", GROUP=\"tracing\", MODE=\"0660\"' > /etc/udev/rules.d/60-ctrace.rules && { udevadm test --action=add /sys/class/misc/ctrace > /dev/null 2>&1 || :; } && test \"\$(stat -c '%a %G' /dev/ctrace)\" = '660 tracing' && rm /etc/udev/rules.d/60-ctrace.rules && { udevadm test --action=add /sys/class/misc/ctrace > /dev/null 2>&1 || :; } && test \"\$(stat -c %a /dev/ctrace)\" = 666"
# The same with the daemon itself: systemd-udevd running in the root, as
# on a user's system.  docs/install.md's commands apply an override to the
# loaded module's node; a modprobe after it gets the override from the
# kernel's add event alone.  udevadm ignores requests in a chroot unless
# told, through SYSTEMD_IGNORE_CHROOT, that the chroot is the system.
udevd_check() {
	check "$1" "export SYSTEMD_IGNORE_CHROOT=1 && printf '%s\\n' 'KERNEL==\"ctrace\", SUBSYSTEM==\"misc\", GROUP=\"tracing\", MODE=\"0660\"' > /etc/udev/rules.d/60-ctrace.rules && /usr/lib/systemd/systemd-udevd --daemon && udevadm settle -t 20 && $2; st=\$?; udevadm control --exit; rm -f /etc/udev/rules.d/60-ctrace.rules; exit \$st"
}
udevd_check "udev, live: with systemd-udevd running, install.md's reload and trigger give /dev/ctrace the override's group tracing, 0660" \
	"udevadm control --reload && udevadm trigger --name-match=ctrace && udevadm settle -t 20 && test \"\$(stat -c '%a %G' /dev/ctrace)\" = '660 tracing'"
udevd_check "udev, live: rmmod, then modprobe ctrace: udevd gives the new node group tracing, 0660, from the add event" \
	"rmmod ctrace && ! test -e /dev/ctrace && modprobe ctrace && udevadm settle -t 20 && test \"\$(stat -c '%a %G' /dev/ctrace)\" = '660 tracing'"
exit $fail
