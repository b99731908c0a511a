// SPDX-License-Identifier: LGPL-2.1
/*
 * Walking a run of kernel ring records: the one place that knows how a
 * record's size, type and timestamp fit together.  Sizes and which types
 * are events come from the record descriptors (recdesc.c); unknown types
 * (from a newer kernel) are events to skip.
 */
#include <errno.h>
#include <string.h>

#include "recdesc.h"

size_t ctrace_krec_fixed_size(unsigned int type)
{
	const struct ctrace_recdesc *d = ctrace_krec_desc(type);

	/* PAD and EXEC vary; a stand-in for an unknown type has no bound. */
	return d && d->size == d->max_size ? d->size : 0;
}

int ctrace_krec_walk(struct ctrace_krec_walk *w, const void *buf, size_t len,
		     size_t *bad_off)
{
	const unsigned char *p = buf;
	size_t off = 0;

	while (off < len) {
		const struct ctrace_recdesc *d;
		struct ctrace_krec h;
		size_t size;

		if (len - off < sizeof(h))
			goto bad;
		memcpy(&h, p + off, sizeof(h));
		size = (size_t)h.size * 8;
		/*
		 * Known types must have their size.  Types newer than this
		 * reader have a stand-in: their size is all it needs to skip
		 * them, so that a newer kernel's record does not make the rest
		 * of the trace unreadable.  Type 0 is never valid.
		 */
		d = ctrace_krec_desc(h.type);
		if (!size || size > len - off || !d || !ctrace_rd_size_ok(d, size))
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
			} else if (d->flags & CTRACE_RD_EVENT) {
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
