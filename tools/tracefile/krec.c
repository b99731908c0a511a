// SPDX-License-Identifier: LGPL-2.1
/*
 * Walking a run of kernel ring records: the one place that knows how a
 * record's size, type and timestamp fit together.  Known types must have
 * their size; unknown ones (from a newer kernel) are events to skip.
 */
#include <errno.h>
#include <string.h>

#include "tracefile.h"

size_t ctrace_krec_fixed_size(unsigned int type)
{
	switch (type) {
	case CTRACE_KREC_TIME:
		return sizeof(struct ctrace_krec_time);
	case CTRACE_KREC_LOST:
		return sizeof(struct ctrace_krec_lost);
	case CTRACE_KREC_CLOCK:
		return sizeof(struct ctrace_krec_clock);
	case CTRACE_KREC_SWITCH:
		return sizeof(struct ctrace_krec_switch);
	case CTRACE_KREC_WAKEUP:
		return sizeof(struct ctrace_krec_wakeup);
	case CTRACE_KREC_FORK:
		return sizeof(struct ctrace_krec_fork);
	case CTRACE_KREC_EXIT:
		return sizeof(struct ctrace_krec_exit);
	case CTRACE_KREC_RENAME:
		return sizeof(struct ctrace_krec_rename);
	case CTRACE_KREC_MIGRATE:
		return sizeof(struct ctrace_krec_migrate);
	case CTRACE_KREC_THREAD:
		return sizeof(struct ctrace_krec_thread);
	default:
		return 0;	/* PAD and EXEC vary; others are unknown */
	}
}

static int size_ok(unsigned int type, size_t size)
{
	size_t fixed = ctrace_krec_fixed_size(type);

	if (fixed)
		return size == fixed;
	if (type == CTRACE_KREC_EXEC)
		return size >= sizeof(struct ctrace_krec_exec) + 8;
	/*
	 * PAD, and types newer than this reader: their size is all it needs
	 * to skip them, so a newer kernel's record does not make the rest of
	 * the trace unreadable.  Type 0 is never valid.
	 */
	return type != 0;
}

int ctrace_krec_walk(struct ctrace_krec_walk *w, const void *buf, size_t len,
		     size_t *bad_off)
{
	const unsigned char *p = buf;
	size_t off = 0;

	while (off < len) {
		struct ctrace_krec h;
		size_t size;

		if (len - off < sizeof(h))
			goto bad;
		memcpy(&h, p + off, sizeof(h));
		size = (size_t)h.size * 8;
		if (!size || size > len - off || !size_ok(h.type, size))
			goto bad;
		if (h.type == CTRACE_KREC_TIME) {
			struct ctrace_krec_time t;

			memcpy(&t, p + off, sizeof(t));
			/* Its ts_lo must agree with its own full value. */
			if ((uint32_t)t.ts != h.ts_lo || t.ts < w->ts)
				goto bad;
			w->ts = t.ts;
		} else if (h.type != CTRACE_KREC_PAD) {
			uint64_t ts = (w->ts & ~0xffffffffull) | h.ts_lo;

			if (ts < w->ts)
				goto bad;	/* time went backwards */
			w->ts = ts;
			if (h.type == CTRACE_KREC_LOST) {
				struct ctrace_krec_lost l;

				memcpy(&l, p + off, sizeof(l));
				w->lost += l.count;
			} else {
				w->events++;
			}
		}
		off += size;
	}
	return 0;
bad:
	if (bad_off)
		*bad_off = off;
	return -EBADMSG;
}
