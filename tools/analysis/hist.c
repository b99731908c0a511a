// SPDX-License-Identifier: LGPL-2.1
/*
 * The log-linear histogram (hist.h): a value's block is its power of two,
 * its bucket the next CTRACE_HIST_SUB_BITS bits below the leading one.
 */
#include <stdlib.h>
#include <string.h>

#include "hist.h"

/* Block and bucket of @v. */
static void locate(uint64_t v, unsigned int *block, unsigned int *bucket)
{
	unsigned int e;

	if (v < CTRACE_HIST_SUB) {
		*block = 0;
		*bucket = (unsigned int)v;
		return;
	}
	e = 63 - (unsigned int)__builtin_clzll(v);
	*block = e - CTRACE_HIST_SUB_BITS + 1;
	*bucket = (unsigned int)(v >> (e - CTRACE_HIST_SUB_BITS)) & (CTRACE_HIST_SUB - 1);
}

/* The lowest value of a bucket, and its width. */
static uint64_t bucket_low(unsigned int block, unsigned int bucket, uint64_t *width)
{
	unsigned int e;

	if (!block) {
		*width = 1;
		return bucket;
	}
	e = block + CTRACE_HIST_SUB_BITS - 1;
	*width = 1ull << (e - CTRACE_HIST_SUB_BITS);
	return (1ull << e) + (uint64_t)bucket * *width;
}

static uint64_t *block_get(struct ctrace_hist *h, unsigned int block)
{
	if (!h->blocks[block]) {
		h->blocks[block] = calloc(CTRACE_HIST_SUB, sizeof(uint64_t));
		if (!h->blocks[block])
			h->oom = true;
	}
	return h->blocks[block];
}

void ctrace_hist_add(struct ctrace_hist *h, uint64_t v)
{
	unsigned int block, bucket;
	uint64_t *b;

	locate(v, &block, &bucket);
	b = block_get(h, block);
	if (!b)
		return;		/* counted nowhere: h->oom says so */
	b[bucket]++;
	if (!h->count || v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
	h->count++;
	h->sum += v;
}

void ctrace_hist_merge(struct ctrace_hist *into, const struct ctrace_hist *from)
{
	if (!from->count)
		return;
	for (unsigned int i = 0; i < CTRACE_HIST_BLOCKS; i++) {
		uint64_t *b;

		if (!from->blocks[i] || !(b = block_get(into, i)))
			continue;
		for (unsigned int j = 0; j < CTRACE_HIST_SUB; j++)
			b[j] += from->blocks[i][j];
	}
	if (!into->count || from->min < into->min)
		into->min = from->min;
	if (from->max > into->max)
		into->max = from->max;
	into->count += from->count;
	into->sum += from->sum;
	into->oom |= from->oom;
}

uint64_t ctrace_hist_percentile(const struct ctrace_hist *h, double p)
{
	uint64_t rank, seen = 0;

	if (!h->count)
		return 0;
	if (p >= 100)
		return h->max;
	rank = (uint64_t)(p / 100.0 * (double)h->count);
	if ((double)rank < p / 100.0 * (double)h->count)
		rank++;
	if (!rank)
		rank = 1;
	for (unsigned int i = 0; i < CTRACE_HIST_BLOCKS; i++) {
		if (!h->blocks[i])
			continue;
		for (unsigned int j = 0; j < CTRACE_HIST_SUB; j++) {
			uint64_t width, low, mid;

			seen += h->blocks[i][j];
			if (seen < rank)
				continue;
			low = bucket_low(i, j, &width);
			mid = low + (width - 1) / 2;
			/* The true value lies in the bucket and in [min, max]. */
			if (mid < h->min)
				mid = h->min;
			if (mid > h->max)
				mid = h->max;
			return mid;
		}
	}
	return h->max;
}

uint64_t ctrace_hist_count_range(const struct ctrace_hist *h, uint64_t lo,
				 uint64_t hi)
{
	uint64_t n = 0;

	for (unsigned int i = 0; i < CTRACE_HIST_BLOCKS; i++) {
		if (!h->blocks[i])
			continue;
		for (unsigned int j = 0; j < CTRACE_HIST_SUB; j++) {
			uint64_t width, low = bucket_low(i, j, &width);

			/* A bucket counts where its low end falls. */
			if (low >= lo && low < hi)
				n += h->blocks[i][j];
		}
	}
	return n;
}

void ctrace_hist_free(struct ctrace_hist *h)
{
	for (unsigned int i = 0; i < CTRACE_HIST_BLOCKS; i++)
		free(h->blocks[i]);
	memset(h, 0, sizeof(*h));
}

uint64_t ctrace_hist_bytes(const struct ctrace_hist *h)
{
	uint64_t n = 0;

	for (unsigned int i = 0; i < CTRACE_HIST_BLOCKS; i++)
		n += h->blocks[i] ? CTRACE_HIST_SUB * sizeof(uint64_t) : 0;
	return n;
}
