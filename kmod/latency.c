// SPDX-License-Identifier: GPL-2.0
/*
 * The latency trigger: tell the session's flight recorder when a traced
 * thread waited longer than a threshold to run, from its wakeup or its
 * preemption to its switch-in (SESSION_NEW's LATENCY_TRIGGER).
 *
 * Detected in the probes at the cost of a store and a load: the wakeup
 * (or a switch-out that leaves the thread runnable) stores the time in
 * a slot indexed by tid; the switch-in reads it back.  Slots are shared
 * by tids that collide; each holds its tid, written after the time, so
 * a reader that finds its own tid reads a time at least as late as its
 * own (a later wakeup of another thread can only make the wait look
 * shorter: a missed trigger, never a false one).
 *
 * The probes run with the runqueue lock held: they cannot send a netlink
 * message.  The first wait over the threshold claims the report (one at
 * a time), queues an irq_work, which queues a work item, which sends
 * NTF_LATENCY and frees the report for the next one.  Stopping the
 * session waits for both, after the probes are gone.
 */
#include <linux/math64.h>
#include <linux/slab.h>

#include "ring.h"

#define CTRACE_LAT_SLOTS	4096	/* a power of two */

struct ctrace_lat_slot {
	u32 tid;
	u32 reserved;
	u64 since;
};

struct ctrace_latency {
	struct ctrace_session *s;
	u64 threshold;			/* in session clock units */
	struct ctrace_lat_slot *slots;	/* [CTRACE_LAT_SLOTS] */
	atomic_t busy;			/* a report is on its way */
	u32 tid;			/* the report: who... */
	u64 waited;			/* ...and how long, clock units */
	struct irq_work irq;
	struct work_struct work;
};

static u64 ctrace_lat_to_ns(const struct ctrace_session *s, u64 units)
{
	u64 khz = ctrace_clock_tsc_khz();

	if (s->clock != CTRACE_CLOCK_TSC || !khz)
		return units;
	return mul_u64_u32_div(units, 1000000, (u32)khz);
}

static void ctrace_lat_work(struct work_struct *work)
{
	struct ctrace_latency *l = container_of(work, struct ctrace_latency, work);

	ctrace_genl_notify_latency(l->s, l->tid, ctrace_lat_to_ns(l->s, l->waited));
	/* Pairs with the claiming atomic_cmpxchg() in ctrace_lat_running(). */
	atomic_set_release(&l->busy, 0);
}

static void ctrace_lat_irq(struct irq_work *irq)
{
	struct ctrace_latency *l = container_of(irq, struct ctrace_latency, irq);

	schedule_work(&l->work);
}

int ctrace_lat_init(struct ctrace_session *s, u64 threshold_ns)
{
	struct ctrace_latency *l;
	u64 khz = ctrace_clock_tsc_khz();

	if (!threshold_ns)
		return 0;
	l = kzalloc(sizeof(*l), GFP_KERNEL_ACCOUNT);
	if (!l)
		return -ENOMEM;
	l->slots = kvcalloc(CTRACE_LAT_SLOTS, sizeof(*l->slots), GFP_KERNEL_ACCOUNT);
	if (!l->slots) {
		kfree(l);
		return -ENOMEM;
	}
	l->s = s;
	l->threshold = threshold_ns;
	if (s->clock == CTRACE_CLOCK_TSC && khz)
		l->threshold = mul_u64_u32_div(threshold_ns, (u32)khz, 1000000);
	init_irq_work(&l->irq, ctrace_lat_irq);
	INIT_WORK(&l->work, ctrace_lat_work);
	s->lat = l;
	return 0;
}

/* @tid became runnable at @now (woken, or switched out still runnable). */
void ctrace_lat_runnable(struct ctrace_session *s, u32 tid, u64 now)
{
	struct ctrace_lat_slot *slot = &s->lat->slots[tid & (CTRACE_LAT_SLOTS - 1)];

	if (!tid)
		return;		/* the idle tasks: never waiting */
	WRITE_ONCE(slot->since, now);
	/* Orders since before tid: pairs with the smp_rmb() in _running(). */
	smp_wmb();
	WRITE_ONCE(slot->tid, tid);
}

/* @tid runs from @now: did it wait too long? */
void ctrace_lat_running(struct ctrace_session *s, u32 tid, u64 now)
{
	struct ctrace_latency *l = s->lat;
	struct ctrace_lat_slot *slot = &l->slots[tid & (CTRACE_LAT_SLOTS - 1)];
	u64 since;

	/* An empty slot holds tid 0, which is never asked about. */
	if (!tid || READ_ONCE(slot->tid) != tid)
		return;
	/* Pairs with the smp_wmb() in ctrace_lat_runnable(). */
	smp_rmb();
	since = READ_ONCE(slot->since);
	WRITE_ONCE(slot->tid, 0);
	if (since >= now || now - since <= l->threshold)
		return;
	if (atomic_cmpxchg(&l->busy, 0, 1))
		return;		/* one report at a time */
	l->tid = tid;
	l->waited = now - since;
	irq_work_queue(&l->irq);
}

/* The probes are gone (a grace period passed): let the last report out. */
void ctrace_lat_stop(struct ctrace_session *s)
{
	if (!s->lat)
		return;
	irq_work_sync(&s->lat->irq);
	flush_work(&s->lat->work);
}

void ctrace_lat_free(struct ctrace_session *s)
{
	if (!s->lat)
		return;
	kvfree(s->lat->slots);
	kfree(s->lat);
	s->lat = NULL;
}
