// SPDX-License-Identifier: GPL-2.0
/*
 * mktrace hostile OUT: a trace whose strings are hostile to a web page,
 * for tests/view/check-view.  Written with the real writer through the
 * test builder (tests/unit/tracefile_builder.h).
 *
 * The thread is named <script>window.__pwned=1</script> (cut to 15 bytes
 * as a comm is), a region is named "</script><script>window.__pwned=2
 * </script>", a log message holds "<img src=x onerror=window.__pwned=3>"
 * with quotes, a backslash, a control character and invalid UTF-8, and a
 * task is named with an ampersand entity.  The page must show each as
 * text and run none of it.  The thread also runs and sleeps (kernel
 * records), so that the report's Threads table lists it.
 */
#include <stdio.h>
#include <stdlib.h>

#include "tracefile_builder.h"

#define TID 4242

int main(int argc, char **argv)
{
	static const uint32_t ids[] = { 1, 2, 3 };
	static const char *const strs[] = {
		"</script><script>window.__pwned=2</script>",
		"\"'&amp;<b>cat</b>",
		"task &lt;&#x3c;script&gt;",
	};
	static const char msg[] = "<img src=x onerror=window.__pwned=3> \"quoted\" 'single' \\back \x01 \xff\xfe end";
	unsigned char *p;
	struct tb b;
	size_t len;
	FILE *f;

	if (argc != 3 || strcmp(argv[1], "hostile")) {
		fprintf(stderr, "usage: mktrace hostile OUT\n");
		return 2;
	}
	if (tb_open(&b))
		return 1;
	tb_meta(&b, "clock=mono\ntarget=all\nkernel=6.1.0-hostile\nhost=<script>alert(1)</script>\n");
	tb_uset(&b, 0, 1000, 1);
	tb_strings(&b, 0, 3, ids, strs);
	tb_thread(&b, 0, 1000, TID, TID, 0, CTRACE_STATE_SLEEPING, CTRACE_THREAD_F_SNAPSHOT,
		  "<script>window.__pwned=1</script>");
	tb_uthread(&b, 0, 0, 1000, TID, TID, "<script>window.__pwned=1</script>");
	tb_wakeup(&b, 0, 2000, TID, 0, 0);
	tb_switch(&b, 0, 3000, 0, TID, 0);
	tb_utask_begin(&b, 0, 0, 4000, TID, 3, 9, 0);
	tb_uregion(&b, 0, 0, 5000, TID, CTRACE_UREC_REGION_BEGIN, 1, true, 9);
	tb_ulog(&b, 0, 0, 6000, TID, 2, 9, 0, msg, sizeof(msg) - 1);
	tb_switch(&b, 0, 400000, TID, 0, CTRACE_STATE_SLEEPING);
	tb_wakeup(&b, 0, 600000, TID, 0, 0);
	tb_switch(&b, 0, 700000, 0, TID, 0);
	tb_uregion(&b, 0, 0, 900000, TID, CTRACE_UREC_REGION_END, 1, true, 9);
	tb_u64(&b, 0, 0, 950000, TID, CTRACE_UREC_TASK_END, 0, 9);
	tb_switch(&b, 0, 1000000, TID, 0, CTRACE_STATE_SLEEPING);
	tb_flush_all(&b);
	tb_stats(&b);
	tb_end(&b);
	p = tb_finish(&b, &len);
	f = fopen(argv[2], "w");
	if (!p || !f || fwrite(p, 1, len, f) != len || fclose(f)) {
		perror(argv[2]);
		return 1;
	}
	free(p);
	tb_free(&b);
	return 0;
}
