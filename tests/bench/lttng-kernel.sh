#!/bin/bash
# lttng-kernel.sh MODDIR start|stop: LTTng kernel tracing of sched_switch
# for the kernel benchmark (tests/bench/kernel-bench.sh), as root, inside
# the test VM or on any machine that can load modules.
#
#   start  insmod every module of MODDIR (built by tests/bench/build-lttng.sh)
#          in MODDIR/load-order, start a root lttng-sessiond, create the
#          kernel session "ctrace-bench" writing to $LTTNG_BENCH_DIR/trace
#          with only sched_switch enabled, and start it.  Exit 0 only when
#          the kernel tracer lists sched_switch among its events and
#          `lttng list` shows the session active with sched_switch enabled.
#   stop   stop and destroy the session (the trace stays in
#          $LTTNG_BENCH_DIR/trace until the next start), kill the sessiond,
#          rmmod the modules in reverse order.
#
# Quiet on success; on failure, says why (with the tail of the sessiond's
# log) and exits 1.  LTTNG_BENCH_DIR defaults to /tmp/ctrace-lttng (tmpfs in
# the VM).  LTTNG_BENCH_VERBOSE=1 makes the sessiond and consumer log
# debug messages to $LTTNG_BENCH_DIR/sessiond.log.
#
# How the sessiond finds the modules: it loads them with libkmod by name
# (kmod_module_probe_insert_module), which first looks at
# /sys/module/<name>/initstate and takes a live module as loaded.  So the
# modules are insmod-ed from MODDIR before the sessiond starts; modprobe
# could not find them (/lib/modules is the host's, read-only in the VM).
# (With flags 0, libkmod returns success for a live module, so the sessiond
# believes it loaded the core modules and the sched and statedump probes,
# and removes those itself when it exits; stop removes the rest.)
# --kmod-probes=sched,statedump keeps it from probing for the ~40 other
# default probe modules, which it would not find.
set -u

session=ctrace-bench
dir=${LTTNG_BENCH_DIR:-/tmp/ctrace-lttng}
log=$dir/sessiond.log
clog=$dir/lttng.log
export LTTNG_HOME=$dir/home
rundir=/var/run/lttng

fail() {
	echo "lttng-kernel.sh: $*" >&2
	exit 1
}

[ $# = 2 ] || fail "usage: lttng-kernel.sh MODDIR start|stop"
moddir=$1
action=$2
order=$moddir/load-order
[ "$(id -u)" = 0 ] || fail "must run as root"

modname() { basename "$1" .ko | tr - _; }
loaded() { [ -e "/sys/module/$(modname "$1")" ]; }

# The sessiond we started (its pid file), if it is still running.
sessiond_pid() {
	local p
	p=$(cat "$dir/sessiond.pid" 2> /dev/null) || return 1
	[ -n "$p" ] && kill -0 "$p" 2> /dev/null && echo "$p"
}

# Run an lttng command, its output appended to $clog.
lt() {
	echo "+ lttng $*" >> "$clog"
	lttng "$@" >> "$clog" 2>&1
}

unload() {
	local ko rc=0
	[ -s "$order" ] || return 0
	# (No process substitution: the VM has no /dev/fd.)
	for ko in $(tac "$order"); do
		loaded "$ko" || continue
		rmmod "$(modname "$ko")" 2>> "$clog" || {
			echo "lttng-kernel.sh: rmmod $(modname "$ko") failed: $(tail -n 1 "$clog")" >&2
			rc=1
		}
	done
	return $rc
}

stop_all() {
	local rc=0 p i
	if p=$(sessiond_pid); then
		if lttng list "$session" > /dev/null 2>&1; then
			lt stop "$session" || { echo "lttng-kernel.sh: lttng stop $session failed (see $clog)" >&2; rc=1; }
			lt destroy "$session" || { echo "lttng-kernel.sh: lttng destroy $session failed (see $clog)" >&2; rc=1; }
		fi
		kill -TERM "$p"
		for i in $(seq 100); do
			kill -0 "$p" 2> /dev/null || break
			sleep 0.1
		done
		if kill -0 "$p" 2> /dev/null; then
			echo "lttng-kernel.sh: lttng-sessiond ($p) ignored SIGTERM for 10 s; killing it" >&2
			kill -KILL "$p"
			sleep 0.5
			rc=1
		fi
	fi
	rm -f "$dir/sessiond.pid"
	unload || rc=1
	return $rc
}

start_fail() {
	echo "lttng-kernel.sh: $*" >&2
	if [ -s "$log" ]; then
		echo "lttng-kernel.sh: last lines of $log:" >&2
		grep -v 'DBG3\|DBG2' "$log" | tail -n 15 | sed 's/^/    /' >&2
	fi
	if [ -s "$clog" ]; then
		echo "lttng-kernel.sh: last lines of $clog:" >&2
		tail -n 10 "$clog" | sed 's/^/    /' >&2
	fi
	stop_all > /dev/null 2>&1
	exit 1
}

case $action in
start)
	[ -s "$order" ] || fail "$order missing: build the modules with tests/bench/build-lttng.sh"
	command -v lttng > /dev/null && command -v lttng-sessiond > /dev/null ||
		fail "lttng-tools is not installed (apt-get install --no-install-recommends lttng-tools)"
	if p=$(sessiond_pid) || p=$(pgrep -x lttng-sessiond); then
		fail "an lttng-sessiond is already running (pid $(echo $p)); stop it first"
	fi
	rm -rf "$dir"
	mkdir -p "$dir" "$LTTNG_HOME"
	: > "$clog"
	while read -r ko; do
		loaded "$ko" && continue
		[ -e "$moddir/$ko" ] || start_fail "$moddir/$ko (in load-order) is missing"
		insmod "$moddir/$ko" 2>> "$clog" || start_fail "insmod $moddir/$ko failed: $(tail -n 1 "$clog")"
	done < "$order"
	[ -e /proc/lttng ] || start_fail "the modules are loaded but /proc/lttng does not exist"

	# --background: returns once the sessiond is ready for clients, and
	# (unlike --daemonize) keeps our stdout/stderr for its log.
	verbose=()
	[ -n "${LTTNG_BENCH_VERBOSE:-}" ] && verbose=(-vvv --verbose-consumer)
	lttng-sessiond --background --kmod-probes=sched,statedump "${verbose[@]}" \
		> "$log" 2>&1 < /dev/null ||
		start_fail "lttng-sessiond --background failed"
	cp "$rundir/lttng-sessiond.pid" "$dir/sessiond.pid" 2> /dev/null
	sessiond_pid > /dev/null || start_fail "lttng-sessiond is not running (no live pid in $rundir/lttng-sessiond.pid)"
	[ -S "$rundir/client-lttng-sessiond" ] ||
		start_fail "lttng-sessiond is not listening on $rundir/client-lttng-sessiond"
	# An event rule for an event no probe provides is accepted silently:
	# check that the kernel tracer really knows sched_switch.
	lttng list --kernel > "$dir/events" 2>> "$clog" ||
		start_fail "lttng list --kernel failed (kernel tracer not available?)"
	grep -q '^ *sched_switch ' "$dir/events" ||
		start_fail "the kernel tracer has no sched_switch event (lttng-probe-sched not loaded?)"
	lt create "$session" --output="$dir/trace" ||
		start_fail "lttng create failed"
	lt enable-event --kernel --session="$session" sched_switch ||
		start_fail "lttng enable-event --kernel sched_switch failed (kernel tracer not available?)"
	lt start "$session" || start_fail "lttng start failed"
	lttng list "$session" > "$dir/list" 2>&1
	grep -q "session $session: .*\[active\]" "$dir/list" ||
		start_fail "session $session is not active: $(head -n 3 "$dir/list" | tr '\n' ' ')"
	grep -q 'sched_switch .*\[enabled' "$dir/list" ||
		start_fail "sched_switch is not enabled in $session: $(cat "$dir/list" | tr '\n' ' ')"
	;;
stop)
	stop_all || exit 1
	;;
*)
	fail "usage: lttng-kernel.sh MODDIR start|stop"
	;;
esac
exit 0
