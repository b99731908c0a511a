// SPDX-License-Identifier: GPL-2.0
/*
 * Which clock stamps a session's events.
 *
 * User space writes events on the same timeline as the scheduler events
 * without a system call, so the clock must be one both sides can read
 * cheaply: the TSC where the kernel trusts it (synchronized and invariant:
 * not marked unstable), else CLOCK_MONOTONIC, which the kernel reads with
 * the NMI-safe fast accessor and user space through the vDSO.
 */
#include <linux/netlink.h>
#include <linux/timekeeping.h>
#ifdef CONFIG_X86
#include <asm/cpufeature.h>
#include <asm/tsc.h>
#endif

#include "ring.h"

static bool ctrace_tsc_trusted(void)
{
#ifdef CONFIG_X86
	/*
	 * The kernel marks the TSC unstable when CPUs disagree or it stops in
	 * idle; as long as it has not, it is the kernel's own clocksource and
	 * consistent across CPUs.  tsc_khz is needed for a first conversion
	 * before the stream carries two clock snapshots.
	 */
	return boot_cpu_has(X86_FEATURE_TSC) && tsc_khz && !check_tsc_unstable();
#else
	return false;
#endif
}

bool ctrace_clock_usable(enum ctrace_clock clock)
{
	switch (clock) {
	case CTRACE_CLOCK_TSC:
		return ctrace_tsc_trusted();
	case CTRACE_CLOCK_MONO:
		return true;
	default:
		return false;
	}
}

/**
 * ctrace_clock_resolve() - the clock a request for @requested gets
 * @requested: a clock, or CTRACE_CLOCK_AUTO for the best usable one
 * @extack: where to say why a clock is refused
 *
 * Return: the clock, or CTRACE_CLOCK_AUTO (0) when @requested is unusable.
 */
enum ctrace_clock ctrace_clock_resolve(enum ctrace_clock requested,
				       struct netlink_ext_ack *extack)
{
	if (requested == CTRACE_CLOCK_AUTO)
		return ctrace_tsc_trusted() ? CTRACE_CLOCK_TSC : CTRACE_CLOCK_MONO;
	if (ctrace_clock_usable(requested))
		return requested;
	if (requested == CTRACE_CLOCK_TSC)
		NL_SET_ERR_MSG(extack,
			       "the TSC is not trusted by this kernel (marked unstable or absent)");
	else
		NL_SET_ERR_MSG(extack, "unknown clock");
	return CTRACE_CLOCK_AUTO;
}

u64 ctrace_clock_tsc_khz(void)
{
#ifdef CONFIG_X86
	return ctrace_tsc_trusted() ? tsc_khz : 0;
#else
	return 0;
#endif
}

/**
 * ctrace_clock_snapshot() - record the session clock beside the system's
 * @s: the session
 * @why: CTRACE_CLOCK_SNAP_*
 *
 * Tools convert session timestamps to CLOCK_MONOTONIC (and show wall time)
 * by interpolating between these.  The four clocks are read back to back
 * with interrupts off, a few tens of ns apart.
 */
void ctrace_clock_snapshot(struct ctrace_session *s, u16 why)
{
	struct ctrace_krec_clock rec = {};
	unsigned long flags;

	ctrace_krec_set(&rec, CTRACE_KREC_CLOCK, sizeof(rec), why, 0);
	local_irq_save(flags);
	rec.counter = ctrace_now(s);
	rec.mono = ktime_get_mono_fast_ns();
	rec.boot = ktime_get_boot_fast_ns();
	rec.real = ktime_get_real_fast_ns();
	/* Stamped with its own counter, so the record's time is exact. */
	ctrace_ring_write_at(NULL, s, &rec, rec.counter);
	local_irq_restore(flags);
}
