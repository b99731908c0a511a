// SPDX-License-Identifier: LGPL-2.1
/*
 * Session clock -> CLOCK_MONOTONIC and CLOCK_REALTIME.
 *
 * A MONO session's clock is CLOCK_MONOTONIC already.  A TSC session's is
 * converted through its CLOCK records, each of which holds the counter and
 * the system clocks read together.  Gathered from every ring and sorted by
 * counter, consecutive snapshots define a piecewise-linear map:
 *
 *   mono
 *    |                    ,*  ...extrapolated with the last segment
 *    |               ,---'
 *    |        *-----'
 *    |   ,---'
 *    | *'  ...extrapolated with the first segment
 *    +--------------------------- counter
 *
 * so the conversion follows NTP's slewing of CLOCK_MONOTONIC between
 * snapshots instead of trusting one nominal frequency.  One snapshot gives
 * only an offset, and the meta key "tsc_khz" the rate; with no snapshot at
 * all, counter * 10^6 / tsc_khz is the best guess (the TSC and
 * CLOCK_MONOTONIC both start near boot).
 *
 * The arithmetic is exact (128-bit, rounding down) and saturates instead
 * of overflowing: snapshots come from an untrusted file and may be absurd.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static int cmp_snap(const void *a, const void *b)
{
	const struct ctrace_clock_snap *x = a, *y = b;

	if (x->counter != y->counter)
		return x->counter < y->counter ? -1 : 1;
	return x->mono < y->mono ? -1 : x->mono > y->mono;
}

static bool parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (!s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return !errno && !*end;
}

void ctrace_clock_setup(struct ctrace_trace *t)
{
	const char *clock = ctrace_trace_meta(t, "clock");
	size_t n = 0;

	if (t->nr_snaps > 1)
		qsort(t->snaps, t->nr_snaps, sizeof(*t->snaps), cmp_snap);
	/* Equal counters would make a segment of zero width: keep one. */
	for (size_t i = 0; i < t->nr_snaps; i++)
		if (!n || t->snaps[i].counter != t->snaps[n - 1].counter)
			t->snaps[n++] = t->snaps[i];
	t->nr_snaps = n;

	if (!parse_u64(ctrace_trace_meta(t, "tsc_khz"), &t->tsc_khz))
		t->tsc_khz = 0;
	if (clock && !strcmp(clock, "tsc")) {
		t->clock = CTRACE_CLOCK_TSC;
	} else if (clock && !strcmp(clock, "mono")) {
		t->clock = CTRACE_CLOCK_MONO;
	} else {
		/* No (known) meta key: a counter that is not the monotonic
		 * clock itself is a TSC.
		 */
		t->clock = CTRACE_CLOCK_MONO;
		for (size_t i = 0; i < n; i++)
			if (t->snaps[i].counter != t->snaps[i].mono)
				t->clock = CTRACE_CLOCK_TSC;
	}
}

/* base + floor(d * num / den), d and num signed, den > 0, saturating. */
static uint64_t scale(uint64_t base, uint64_t x, uint64_t x0,
		      uint64_t num_abs, bool num_neg, uint64_t den)
{
	bool neg = (x < x0) != num_neg;
	uint64_t d = x >= x0 ? x - x0 : x0 - x;
	/* Both factors are below 2^64, so the product fits in 128 bits. */
	unsigned __int128 p = (unsigned __int128)d * num_abs, q;

	if (!p)
		return base;
	if (neg) {
		q = (p + den - 1) / den;
		return q > base ? 0 : base - (uint64_t)q;
	}
	q = p / den;
	return q > UINT64_MAX - base ? UINT64_MAX : base + (uint64_t)q;
}

/* Index of the last snapshot with counter <= ts (0 if none). */
static size_t find_snap(const struct ctrace_trace *t, uint64_t ts)
{
	size_t lo = 0, hi = t->nr_snaps;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->snaps[mid].counter <= ts)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

uint64_t ctrace_trace_mono_ns(const struct ctrace_trace *t, uint64_t ts)
{
	const struct ctrace_clock_snap *a, *b;
	size_t i;

	if (t->clock != CTRACE_CLOCK_TSC)
		return ts;
	if (t->nr_snaps >= 2) {
		i = find_snap(t, ts);
		if (i > t->nr_snaps - 2)
			i = t->nr_snaps - 2;	/* past the last: extrapolate */
		a = &t->snaps[i];
		b = &t->snaps[i + 1];
		return scale(a->mono, ts, a->counter,
			     b->mono >= a->mono ? b->mono - a->mono : a->mono - b->mono,
			     b->mono < a->mono, b->counter - a->counter);
	}
	if (!t->tsc_khz)
		return t->nr_snaps ? scale(t->snaps[0].mono, ts, t->snaps[0].counter, 1, false, 1) : ts;
	if (t->nr_snaps)
		return scale(t->snaps[0].mono, ts, t->snaps[0].counter,
			     1000000, false, t->tsc_khz);
	return scale(0, ts, 0, 1000000, false, t->tsc_khz);
}

uint64_t ctrace_trace_real_ns(const struct ctrace_trace *t, uint64_t ts)
{
	uint64_t mono = ctrace_trace_mono_ns(t, ts);
	const struct ctrace_clock_snap *s;
	size_t i;

	if (!t->nr_snaps)
		return mono;	/* nothing relates the two clocks */
	i = find_snap(t, ts);
	/* The nearer of the snapshots around ts. */
	if (i + 1 < t->nr_snaps && t->snaps[i].counter <= ts &&
	    t->snaps[i + 1].counter - ts < ts - t->snaps[i].counter)
		i++;
	s = &t->snaps[i];
	if (s->real >= s->mono)
		return mono > UINT64_MAX - (s->real - s->mono) ?
		       UINT64_MAX : mono + (s->real - s->mono);
	return mono < s->mono - s->real ? 0 : mono - (s->mono - s->real);
}
