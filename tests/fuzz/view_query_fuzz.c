// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for `ctrace view --serve`'s query parser: any bytes
 * as a query string (percent-decoding, numbers, row lists, limits), then
 * the check of the whole query.  Sanitizers turn any out-of-bounds
 * access, UB or leak into a crash; a query the parser accepts must also
 * pass its own invariants (rows sorted and distinct, in range, from < to).
 *
 * Seeds: with CTRACE_FUZZ_SEEDS=DIR the target writes a few queries the
 * page really sends, and bad ones, into DIR and exits (tests/fuzz/run.sh).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "view.h"

#define NR_ROWS 100

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct view_query q;
	const char *why = NULL;

	memset(&q, 0, sizeof(q));
	q.level = -1;
	if (!view_query_parse(&q, (const char *)data, size, NR_ROWS, &why) &&
	    !view_query_check(&q, &why)) {
		if (q.from >= q.to || q.px > VIEW_QUERY_MAX_PX)
			abort();
		for (size_t i = 0; i < q.nr_rows; i++)
			if (q.rows[i] >= NR_ROWS || (i && q.rows[i] <= q.rows[i - 1]))
				abort();
	} else if (!why) {
		abort();	/* every refusal says why */
	}
	view_query_free(&q);
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const seeds[] = {
		"from=0&to=1000000&px=1200&rows=0,1,2,3",
		"from=5&to=6&px=1&rows=99&level=3",
		"from=-5&to=10&px=100&rows=1%2C2",
		"from=1&to=0&px=1&rows=1",
		"rows=1,1,1&from=0&to=1&px=1",
		"from=99999999999999999999999&to=1&px=1&rows=0",
		"px=%zz&from=0&to=1&rows=0",
		"from=0&to=1&px=1&rows=0&bogus=1",
	};
	const char *dir = getenv("CTRACE_FUZZ_SEEDS");

	(void)argc, (void)argv;
	if (!dir)
		return 0;
	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		char path[4096];
		FILE *f;

		snprintf(path, sizeof(path), "%s/query-%zu", dir, i);
		f = fopen(path, "w");
		if (f) {
			fputs(seeds[i], f);
			fclose(f);
		}
	}
	exit(0);
}
