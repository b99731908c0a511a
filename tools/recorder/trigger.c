// SPDX-License-Identifier: GPL-2.0
/*
 * The region trigger: a flight recorder's snapshot when a region named
 * NAME lasts longer than T (ctrace-dump --trigger-region NAME:T).
 *
 * Detected where it is cheap: as the recorder drains, on records it has
 * just sanitised (so well-formed), and only for the one string ID that
 * names NAME in each ring set (user.c learns it as it reads the string
 * table).  Per thread, a short stack of the begin times of NAME's open
 * instances; an END pops one and compares.  A loss can swallow an END:
 * the next BEGIN of the thread then pushes on a stale entry, which only
 * makes a later END look shorter (never a false trigger), and the stack
 * is bounded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctrace_map.h"
#include "recorder.h"

#define WATCH_DEPTH	8

struct watch_thread {
	uint32_t depth;
	uint64_t begin[WATCH_DEPTH];
};

struct region_watch {
	struct ctrace_map map;		/* (set << 32 | tid) -> threads[] */
	struct watch_thread *threads;
	uint32_t n, cap;
	uint64_t tsc0, mono0;		/* to measure the TSC's rate */
};

static uint64_t mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + t.tv_nsec;
}

/* Session clock units per ns: 1 for MONO; the TSC's rate otherwise. */
static double units_per_ns(struct recorder *d)
{
	struct region_watch *w = d->watch;
	uint64_t mono;

	if (d->clock != CTRACE_CLOCK_TSC)
		return 1;
	if (d->rings && d->rings->meta->tsc_khz)
		return d->rings->meta->tsc_khz / 1e6;
	/* User-only mode: measured since the recording started. */
	mono = mono_ns();
	if (mono <= w->mono0)
		return 1;
	return (double)(recorder_clock_now(d) - w->tsc0) / (mono - w->mono0);
}

static struct watch_thread *thread_of(struct region_watch *w, uint64_t key)
{
	uint32_t i = ctrace_map_get(&w->map, key);

	if (i != CTRACE_MAP_NONE)
		return &w->threads[i];
	if (w->n == w->cap) {
		uint32_t cap = w->cap ? 2 * w->cap : 64;
		void *p = realloc(w->threads, cap * sizeof(*w->threads));

		if (!p)
			return NULL;
		w->threads = p;
		w->cap = cap;
	}
	if (ctrace_map_put(&w->map, key, w->n))
		return NULL;
	w->threads[w->n] = (struct watch_thread){ 0 };
	return &w->threads[w->n++];
}

void trigger_regions(struct recorder *d, uint32_t set, uint16_t name_id,
		     const uint8_t *recs, size_t len)
{
	struct region_watch *w = d->watch;
	char why[160];

	if (!w) {
		w = d->watch = calloc(1, sizeof(*w));
		if (!w)
			return;
		w->tsc0 = recorder_clock_now(d);
		w->mono0 = mono_ns();
	}
	for (size_t off = 0; off + sizeof(struct ctrace_urec) <= len;) {
		struct ctrace_urec h;
		struct watch_thread *th;
		uint64_t dur;

		memcpy(&h, recs + off, sizeof(h));
		if (h.size < 2 || (size_t)h.size * 8 > len - off)
			break;		/* sanitised: not expected */
		off += (size_t)h.size * 8;
		if (h.id != name_id || (h.type != CTRACE_UREC_REGION_BEGIN &&
					h.type != CTRACE_UREC_REGION_END))
			continue;
		th = thread_of(w, (uint64_t)set << 32 | h.tid);
		if (!th)
			continue;
		if (h.type == CTRACE_UREC_REGION_BEGIN) {
			if (th->depth < WATCH_DEPTH)
				th->begin[th->depth] = h.ts;
			th->depth++;
			continue;
		}
		if (!th->depth)
			continue;	/* begun before the recording */
		th->depth--;
		if (th->depth >= WATCH_DEPTH || h.ts < th->begin[th->depth])
			continue;
		dur = (uint64_t)((h.ts - th->begin[th->depth]) / units_per_ns(d));
		if (dur > d->fopts.region_ns) {
			snprintf(why, sizeof(why), "region %s longer than %.3f ms (%.3f ms, thread %u)",
				 d->fopts.region, d->fopts.region_ns / 1e6, dur / 1e6, h.tid);
			recorder_trigger(d, why);
		}
	}
}

void trigger_free(struct recorder *d)
{
	struct region_watch *w = d->watch;

	if (!w)
		return;
	ctrace_map_free(&w->map);
	free(w->threads);
	free(w);
	d->watch = NULL;
}
