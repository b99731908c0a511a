/* SPDX-License-Identifier: GPL-2.0 */
/*
 * LTTng-UST tracepoints for user-bench: the same fields as ctrace's events
 * (a name or category ID; a message; a value), so that both write about
 * as many bytes.
 */
#undef LTTNG_UST_TRACEPOINT_PROVIDER
#define LTTNG_UST_TRACEPOINT_PROVIDER user_bench

#undef LTTNG_UST_TRACEPOINT_INCLUDE
#define LTTNG_UST_TRACEPOINT_INCLUDE "./user-bench-tp.h"

#if !defined(USER_BENCH_TP_H) || defined(LTTNG_UST_TRACEPOINT_HEADER_MULTI_READ)
#define USER_BENCH_TP_H

#include <lttng/tracepoint.h>

LTTNG_UST_TRACEPOINT_EVENT(user_bench, region_begin,
	LTTNG_UST_TP_ARGS(int, name),
	LTTNG_UST_TP_FIELDS(lttng_ust_field_integer(int, name, name)))

LTTNG_UST_TRACEPOINT_EVENT(user_bench, region_end,
	LTTNG_UST_TP_ARGS(int, name),
	LTTNG_UST_TP_FIELDS(lttng_ust_field_integer(int, name, name)))

LTTNG_UST_TRACEPOINT_EVENT(user_bench, log,
	LTTNG_UST_TP_ARGS(int, category, const char *, msg),
	LTTNG_UST_TP_FIELDS(lttng_ust_field_integer(int, category, category)
			    lttng_ust_field_string(msg, msg)))

LTTNG_UST_TRACEPOINT_EVENT(user_bench, counter,
	LTTNG_UST_TP_ARGS(int, name, long, value),
	LTTNG_UST_TP_FIELDS(lttng_ust_field_integer(int, name, name)
			    lttng_ust_field_integer(long, value, value)))

#endif

#include <lttng/tracepoint-event.h>
