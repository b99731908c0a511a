/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every public macro and inline function of <ctrace.h>, used the way a
 * program would: tests/header/run.sh compiles this file against the
 * installed header with gcc and clang, as C11 and as C++17, with -Wall
 * -Wextra -Werror, links it with -lctrace and runs it.  Run without a
 * session (no module mapped, no CTRACE_USER_FD), the library is disabled:
 * every call must then be a no-op that returns the documented "none".
 */
#include <ctrace.h>
#include <stdio.h>
#include <string.h>

static int scoped(ctrace_task_t t)
{
	/* Two scoped regions in one block, one within a task: each gets its
	 * own variable, and neither is "unused" to any compiler. */
	CTRACE_REGION("outer");
	CTRACE_REGION_IN(t, "inner");
	return 1;
}

int main(void)
{
	struct ctrace_lib_stats st;
	ctrace_task_t t = ctrace_task_begin(0, "request");
	ctrace_task_t d = ctrace_task_begin_dyn(t, "dynamic");
	struct ctrace_region r = ctrace_region_begin_in(t, "parse");
	struct ctrace_region rd = ctrace_region_begin_dyn(t, "dyn-region");
	ctrace_flow_t f = ctrace_flow_begin("handoff");
	int failed = 0;

	ctrace_log(t, "http", "GET /");
	ctrace_logf(t, "http", "%d bytes", 42);
	ctrace_instant(t, "mark");
	ctrace_instant_dyn(t, "mark-dyn");
	ctrace_counter("queue", 3);
	ctrace_counter_f("load", 0.5);
	ctrace_region_end(rd);
	ctrace_region_end(r);
	ctrace_flow_end(f);
	ctrace_task_end(d);
	ctrace_task_end(t);
	ctrace_thread_name("header-use");
	memset(&st, 0xff, sizeof(st));
	ctrace_get_stats(&st);

	if (!scoped(t))
		failed = 1;
	if (ctrace_enabled() || ctrace_mode() != 0) {
		fprintf(stderr, "library enabled with no session (mode %d)\n", ctrace_mode());
		failed = 1;
	}
	if (t != 0 || d != 0 || f != 0) {
		fprintf(stderr, "disabled library returned task %llu, %llu, flow %llu\n",
			(unsigned long long)t, (unsigned long long)d,
			(unsigned long long)f);
		failed = 1;
	}
	if (st.dropped != 0 || st.aborts != 0) {
		fprintf(stderr, "stats of a disabled library: dropped %llu aborts %llu\n",
			(unsigned long long)st.dropped, (unsigned long long)st.aborts);
		failed = 1;
	}
	return failed;
}
