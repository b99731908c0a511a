// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU rings: their memory, the rare paths of writing (ring.h has the
 * common one), and waking the reader.
 *
 * A ring is one vmalloc area: a page the reader may read (struct
 * ctrace_ring_page: prod and counters, written only here), then the data.
 * Its consumer position lives in the session's consumer area, the only
 * memory the reader may write.  Records never wrap: when one does not fit
 * before the end of the data, a PAD record fills the rest and the record
 * starts over at offset 0.
 *
 *   [K0] [K1] [K2]: see ring.h.
 *   [K3] release of page->flags (STOPPED) pairs with the reader's acquire
 *        of it: a reader that sees STOPPED and then reads prod has the
 *        final prod.
 */
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/vmalloc.h>

#include "ring.h"

static void ctrace_ring_wakeup_fn(struct irq_work *work)
{
	struct ctrace_ring *r = container_of(work, struct ctrace_ring, wakeup);

	wake_up_all(&r->sess->wq);
}

int ctrace_ring_init(struct ctrace_ring *r, struct ctrace_session *s,
		     unsigned int cpu, struct ctrace_ring_cons *kcons)
{
	/* A refused size is an error for the user, not a splat: CTRACE_GFP_RING. */
	r->mem = __vmalloc(PAGE_SIZE + s->buf_size, CTRACE_GFP_RING);
	if (!r->mem)
		return -ENOMEM;
	r->page = r->mem;
	r->data = (u8 *)r->mem + PAGE_SIZE;
	r->size = s->buf_size;
	r->kcons = kcons;
	r->sess = s;
	r->cpu = cpu;
	r->page->cpu = cpu;
	init_irq_work(&r->wakeup, ctrace_ring_wakeup_fn);
	return 0;
}

void ctrace_ring_free(struct ctrace_ring *r)
{
	if (!r->mem)
		return;
	irq_work_sync(&r->wakeup);
	vfree(r->mem);
	r->mem = NULL;
}

/* The ring is full: drop the event, and count it for a LOST record. */
void *ctrace_ring_drop(struct ctrace_ring *r)
{
	r->pending_lost++;
	WRITE_ONCE(r->page->lost, r->page->lost + 1);
	return NULL;
}

/*
 * Like ctrace_ring_reserve(), when a TIME record (new high timestamp bits)
 * or a LOST record (earlier drops) must go first, or the record does not
 * fit before the end of the data.  The leading records and the record are
 * kept contiguous, so a PAD before them covers the rest of the data.
 * @size 0 writes only the leading records (ctrace_ring_flush_lost()), and
 * then a full ring is not a new loss.
 */
void *ctrace_ring_reserve_slow(struct ctrace_ring *r, unsigned int size, u64 ts)
{
	bool time = (ts ^ r->last_ts) >> 32;
	unsigned int lead = 0, pad = 0, need;
	u32 off = r->pos & (r->size - 1);
	u64 used;
	u8 *p;

	if (time)
		lead += sizeof(struct ctrace_krec_time);
	if (r->pending_lost)
		lead += sizeof(struct ctrace_krec_lost);
	if (off + lead + size > r->size)
		pad = r->size - off;
	need = pad + lead + size;
	used = r->pos - smp_load_acquire(&r->kcons->cons);	/* [K0] */
	if (used > r->size || need > r->size - used)
		return size ? ctrace_ring_drop(r) : NULL;

	p = r->data + off;
	if (pad) {
		ctrace_krec_set(p, CTRACE_KREC_PAD, pad, 0, 0);
		p = r->data;
	}
	if (time) {
		struct ctrace_krec_time *t = (void *)p;

		ctrace_krec_set(t, CTRACE_KREC_TIME, sizeof(*t), 0, ts);
		t->ts = ts;
		p += sizeof(*t);
	}
	if (r->pending_lost) {
		struct ctrace_krec_lost *l = (void *)p;

		ctrace_krec_set(l, CTRACE_KREC_LOST, sizeof(*l), 0, ts);
		l->count = r->pending_lost;
		WRITE_ONCE(r->page->lost_reported,
			   r->page->lost_reported + r->pending_lost);
		r->pending_lost = 0;
		p += sizeof(*l);
	}
	r->last_ts = ts;
	r->resv_end = r->pos + need;
	r->resv_used = used + need;
	return p;
}

void ctrace_ring_wake(struct ctrace_ring *r)
{
	/*
	 * [K2]: pairs with [R2] in the reader's poll().  The writer has just
	 * published prod; the reader sets armed and then reads prod.  With a
	 * full barrier on both sides, at least one of them sees the other.
	 */
	smp_mb();
	if (READ_ONCE(r->armed)) {
		WRITE_ONCE(r->armed, false);
		/* Never wake from inside a scheduler tracepoint. */
		irq_work_queue(&r->wakeup);
	}
}

/**
 * ctrace_ring_write() - copy one record into a ring
 * @r: the ring, or NULL for the current CPU's ring of @s
 * @s: the session
 * @rec: the record, its header's type, size and aux set; ts_lo is set here
 *
 * For records outside the hot path (names, exec, clock snapshots).  A ring
 * other than the current CPU's may only be passed once the probes cannot
 * write to it any more (the session is stopped).
 *
 * Return: whether the record was written (else it was counted as lost).
 */
bool ctrace_ring_write(struct ctrace_ring *r, const struct ctrace_session *s,
		       void *rec)
{
	return ctrace_ring_write_at(r, s, rec, 0);
}

/* ctrace_ring_write() stamped @ts instead of now (0: now). */
bool ctrace_ring_write_at(struct ctrace_ring *r, const struct ctrace_session *s,
			  void *rec, u64 ts)
{
	struct ctrace_krec *h = rec;
	unsigned int size = h->size * 8;
	unsigned long flags;
	void *p;

	local_irq_save(flags);
	if (!r)
		r = s->cpu_ring[smp_processor_id()];
	if (!ts)
		ts = ctrace_now(s);
	p = ctrace_ring_reserve(r, size, &ts);
	if (p) {
		h->ts_lo = ts;
		memcpy(p, rec, size);
		ctrace_ring_commit(r);
	}
	local_irq_restore(flags);
	return p;
}

/* At stop: report drops that no later record reported. */
void ctrace_ring_flush_lost(struct ctrace_ring *r, const struct ctrace_session *s)
{
	unsigned long flags;

	local_irq_save(flags);
	if (r->pending_lost) {
		u64 ts = max(ctrace_now(s), r->last_ts);

		if (ctrace_ring_reserve_slow(r, 0, ts)) {
			r->pos = r->resv_end;
			smp_store_release(&r->page->prod, r->pos);	/* [K1] */
		}
	}
	local_irq_restore(flags);
}

void ctrace_ring_set_stopped(struct ctrace_ring *r)
{
	/* [K3]: pairs with the reader's acquire of flags. */
	smp_store_release(&r->page->flags,
			  r->page->flags | CTRACE_RING_F_STOPPED);
}

/* Unread bytes, for statistics (a reader's bogus cons reads as full). */
u64 ctrace_ring_fill(const struct ctrace_ring *r)
{
	u64 used = READ_ONCE(r->page->prod) - READ_ONCE(r->kcons->cons);

	return min_t(u64, used, r->size);
}
