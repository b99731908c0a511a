/* SPDX-License-Identifier: LGPL-2.1 */
/*
 * A log-linear histogram of nanosecond durations, for percentiles in
 * bounded memory (after HdrHistogram):
 *
 *   values 0..63        one bucket each (exact)
 *   [2^e, 2^(e+1))      64 buckets of width 2^(e-6), e = 6..63
 *
 * A value is reported as the middle of its bucket, so a percentile is off
 * by at most half a bucket: 2^(e-7) / 2^e = 1/128 of it, under 0.8 %
 * (docs/analysis.md states the bound).  Counts for a power of two are
 * allocated the first time a value falls into it, so a histogram of
 * latencies between 1 us and 100 ms holds about 17 blocks of 512 bytes.
 * count, sum, min and max are exact.
 */
#ifndef CTRACE_HIST_H
#define CTRACE_HIST_H

#include <stdbool.h>
#include <stdint.h>

#define CTRACE_HIST_SUB_BITS	6
#define CTRACE_HIST_SUB		(1u << CTRACE_HIST_SUB_BITS)
#define CTRACE_HIST_BLOCKS	(64 - CTRACE_HIST_SUB_BITS + 1)

struct ctrace_hist {
	uint64_t count, sum, min, max;
	uint64_t *blocks[CTRACE_HIST_BLOCKS];	/* [0]: 0..63; [i]: e = i + 5 */
	bool oom;			/* a block could not be allocated */
};

void ctrace_hist_add(struct ctrace_hist *h, uint64_t v);
/* Add every value of @from to @into. */
void ctrace_hist_merge(struct ctrace_hist *into, const struct ctrace_hist *from);
/*
 * The @p-th percentile (0 < p <= 100) by nearest rank: the smallest value
 * v such that at least p % of the values are <= v, to within the bound
 * above (exact at p = 100: the max).  0 when empty.
 */
uint64_t ctrace_hist_percentile(const struct ctrace_hist *h, double p);
/* Values in [lo, hi). */
uint64_t ctrace_hist_count_range(const struct ctrace_hist *h, uint64_t lo,
				 uint64_t hi);
void ctrace_hist_free(struct ctrace_hist *h);
/* Bytes it holds (for the memory bound). */
uint64_t ctrace_hist_bytes(const struct ctrace_hist *h);

#endif
