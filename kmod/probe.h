/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every tracepoint probe needs (sched.c, syscall.c): the running
 * sessions, and whether one traces a thread.
 */
#ifndef _CTRACE_PROBE_H
#define _CTRACE_PROBE_H

#include <linux/rculist.h>
#include <linux/sched.h>

#include "ring.h"

/* Under RCU: the probes run with preemption disabled. */
#define for_each_running_session(s) \
	list_for_each_entry_rcu(s, &ctrace_active, active)

/* Does @s trace @p?  The whole-system case without a call. */
static __always_inline bool ctrace_traced(const struct ctrace_session *s,
					  struct task_struct *p)
{
	if (likely(s->target.kind == CTRACE_TARGET_ALL))
		return true;
	return ctrace_target_traced(&s->target, p);
}

/* The thread ID @s may record for @p.  Privileged sessions see all. */
static __always_inline u32 ctrace_tid(const struct ctrace_session *s,
				      struct task_struct *p)
{
	if (likely(s->target.privileged))
		return p->pid;
	return ctrace_target_tid(&s->target, p);
}

#endif
