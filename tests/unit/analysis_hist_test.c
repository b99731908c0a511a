// SPDX-License-Identifier: GPL-2.0
/*
 * The log-linear histogram against exact percentiles of sorted samples:
 * every percentile within the stated bound (1/128 of the value), exact
 * count, sum, min, max; exact on small values; merging; memory only for
 * the powers of two used.
 */
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "hist.h"

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest rank on sorted @v. */
static uint64_t exact(const uint64_t *v, size_t n, double p)
{
	size_t rank = (size_t)(p / 100.0 * n);

	if ((double)rank < p / 100.0 * n)
		rank++;
	if (!rank)
		rank = 1;
	return v[rank - 1];
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

TEST(percentiles_within_bound)
{
	static const double ps[] = { 1, 10, 50, 90, 99, 99.9, 100 };
	size_t n = 200000;
	uint64_t *v = malloc(n * sizeof(*v)), seed = 42, sum = 0;
	struct ctrace_hist h = { 0 };

	ASSERT_NE(NULL, v);
	for (size_t i = 0; i < n; i++) {
		/* Log-uniform from 1 ns to about 1 s, as latencies are. */
		unsigned int e = xorshift(&seed) % 30;

		v[i] = (1ull << e) + xorshift(&seed) % (1ull << e);
		sum += v[i];
		ctrace_hist_add(&h, v[i]);
	}
	qsort(v, n, sizeof(*v), cmp_u64);
	EXPECT_EQ(n, h.count);
	EXPECT_EQ(sum, h.sum);
	EXPECT_EQ(v[0], h.min);
	EXPECT_EQ(v[n - 1], h.max);
	for (size_t i = 0; i < sizeof(ps) / sizeof(ps[0]); i++) {
		uint64_t want = exact(v, n, ps[i]);
		uint64_t got = ctrace_hist_percentile(&h, ps[i]);
		uint64_t err = got > want ? got - want : want - got;

		EXPECT_LE(err * 128, want) TH_LOG("p%g: got %llu, exact %llu", ps[i],
						  (unsigned long long)got,
						  (unsigned long long)want);
	}
	EXPECT_EQ(h.max, ctrace_hist_percentile(&h, 100));
	EXPECT_FALSE(h.oom);
	ctrace_hist_free(&h);
	free(v);
}

TEST(small_values_are_exact)
{
	struct ctrace_hist h = { 0 };

	for (uint64_t i = 0; i < 64; i++)
		ctrace_hist_add(&h, i);
	EXPECT_EQ(31, ctrace_hist_percentile(&h, 50));
	EXPECT_EQ(0, ctrace_hist_percentile(&h, 1));
	EXPECT_EQ(63, ctrace_hist_percentile(&h, 100));
	EXPECT_EQ(10, ctrace_hist_count_range(&h, 0, 10));
	/* One block: the exact one. */
	EXPECT_EQ(64 * 8, ctrace_hist_bytes(&h));
	ctrace_hist_free(&h);
}

TEST(one_value)
{
	struct ctrace_hist h = { 0 };

	ctrace_hist_add(&h, 123456789);
	/* Clamped to [min, max]: a single value comes back exactly. */
	EXPECT_EQ(123456789, ctrace_hist_percentile(&h, 50));
	EXPECT_EQ(123456789, ctrace_hist_percentile(&h, 99.9));
	ctrace_hist_free(&h);
	EXPECT_EQ(0, ctrace_hist_percentile(&h, 50));
}

TEST(merge_adds_up)
{
	struct ctrace_hist a = { 0 }, b = { 0 }, all = { 0 };

	for (uint64_t i = 1; i <= 1000; i++) {
		ctrace_hist_add(i % 2 ? &a : &b, i * 1000);
		ctrace_hist_add(&all, i * 1000);
	}
	ctrace_hist_merge(&a, &b);
	EXPECT_EQ(all.count, a.count);
	EXPECT_EQ(all.sum, a.sum);
	EXPECT_EQ(all.min, a.min);
	EXPECT_EQ(all.max, a.max);
	EXPECT_EQ(ctrace_hist_percentile(&all, 90), ctrace_hist_percentile(&a, 90));
	/* Powers of two: 1000 us..1 s is 10 of them, so at most 11 blocks. */
	EXPECT_GE(11 * 64 * 8, ctrace_hist_bytes(&a));
	ctrace_hist_free(&a);
	ctrace_hist_free(&b);
	ctrace_hist_free(&all);
}

TEST_HARNESS_MAIN
