/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ring write path.  It runs inside scheduler tracepoints, so it is
 * inline, lock-free and short: reserve room, fill the record in place,
 * commit with one release store.  Everything rare (padding at the end of
 * the data, TIME and LOST records, a full ring, waking the reader) is out
 * of line in ring.c.
 *
 * Callers run on the ring's own CPU with interrupts disabled, so a ring
 * has exactly one writer at a time and its writer state needs no atomics.
 *
 * Ordering with the reader (the table is in docs/design.md):
 *   [K0] acquire cons   pairs with [R1], the reader's release of cons after
 *                       it has read the records: their space is free
 *   [K1] release prod   pairs with [R0], the reader's acquire of prod before
 *                       it reads the records: they are complete
 *   [K2] smp_mb()       (ring.c) pairs with [R2] in poll(): either the writer
 *                       sees the reader armed, or the reader sees the data
 */
#ifndef _CTRACE_RING_H
#define _CTRACE_RING_H

#include <linux/compiler.h>
#include <linux/timekeeping.h>
#include <asm/barrier.h>
#ifdef CONFIG_X86
#include <asm/msr.h>
#endif

#include "ctrace.h"

/* The session's clock, read on the writing CPU. */
static __always_inline u64 ctrace_now(const struct ctrace_session *s)
{
#ifdef CONFIG_X86
	if (likely(s->clock == CTRACE_CLOCK_TSC))
		return rdtsc();
#endif
	return ktime_get_mono_fast_ns();
}

/* The 8-byte record header, as one store. */
static __always_inline void ctrace_krec_set(void *rec, u8 type, u16 bytes,
					    u16 aux, u64 ts)
{
	*(u64 *)rec = type | (u64)(bytes / 8) << 8 | (u64)aux << 16 |
		      (u64)(u32)ts << 32;
}

/**
 * ctrace_ring_reserve() - room for one record in @r
 * @r: the ring of the current CPU; interrupts are disabled
 * @size: bytes of the record, a multiple of 8
 * @ts: its timestamp (never before the ring's last one; clamped if so)
 *
 * Return: where to write the record, then call ctrace_ring_commit(); or
 * NULL when the ring is full, in which case the event is counted as lost.
 */
static __always_inline void *ctrace_ring_reserve(struct ctrace_ring *r,
						 unsigned int size, u64 *ts)
{
	u64 pos = r->pos, used;
	u32 off = pos & (r->size - 1);

	if (unlikely(*ts < r->last_ts))
		*ts = r->last_ts;
	/* New high timestamp bits, losses to report, or the end of the data. */
	if (unlikely((*ts ^ r->last_ts) >> 32 || r->pending_lost ||
		     off + size > r->size))
		return ctrace_ring_reserve_slow(r, size, *ts);
	/*
	 * [K0]: pairs with the reader's smp_store_release() of cons [R1].
	 * cons is the reader's to write, so it is only trusted to mean "this
	 * much is free": a value behind prod by more than the ring (or ahead
	 * of it) reads as "full", and the kernel still writes only inside
	 * its own data.
	 */
	used = pos - smp_load_acquire(&r->kcons->cons);
	if (unlikely(used > r->size - size))
		return ctrace_ring_drop(r);
	r->last_ts = *ts;
	r->resv_end = pos + size;
	r->resv_used = used + size;
	return r->data + off;
}

/* Publish the record ctrace_ring_reserve() returned. */
static __always_inline void ctrace_ring_commit(struct ctrace_ring *r)
{
	WRITE_ONCE(r->page->events, r->page->events + 1);
	r->pos = r->resv_end;
	/* [K1]: pairs with the reader's smp_load_acquire() of prod [R0]. */
	smp_store_release(&r->page->prod, r->pos);
	if (unlikely(r->resv_used >= r->watermark))
		ctrace_ring_wake(r);
}

#endif /* _CTRACE_RING_H */
