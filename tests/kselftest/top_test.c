// SPDX-License-Identifier: GPL-2.0
/*
 * ctrace top in a real terminal: tmux runs it in an 80x24 window over a
 * program whose regions are known (ctrace-uprog regions: "sleepy" and
 * "spinny", 20 ms each, on a thread "uregions"); capture-pane reads the
 * screen, send-keys types q.  With the module (the VM) the thread's row
 * shows its states; natively (make check's "host" stage, built with
 * CTRACE_TEST_NO_MODULE) it runs in user-only mode: regions, no threads.
 */
#include <stdlib.h>

#include "kselftest_harness.h"
#include "ktest.h"
#include "linux/ctrace.h"

static char sock[64];

static int tmux(const char *args, char *out, size_t size)
{
	char cmd[8192];

	snprintf(cmd, sizeof(cmd), "TERM=xterm tmux -L %s %s", sock, args);
	return ktest_run(cmd, out, size);
}

/* Wait up to @s seconds for the screen to show @what; the screen. */
static bool screen_shows(const char *what, int s, char *out, size_t size)
{
	for (int i = 0; i < s * 10; i++) {
		/* -J: a line the terminal wrapped comes back whole. */
		if (tmux("capture-pane -p -J", out, size) == 0 && strstr(out, what))
			return true;
		usleep(100 * 1000);
	}
	return false;
}

TEST(top_in_tmux)
{
	char cmd[8192], screen[16384], done[128], info[128], buf[256];
	bool module = !access(CTRACE_DEVICE_PATH, F_OK);
	int lines = 0, widest = 0, len = 0, rc = -1;

	if (system("command -v tmux > /dev/null 2>&1"))
		SKIP(return, "no tmux");
	snprintf(sock, sizeof(sock), "ctrace-top-%d", getpid());
	snprintf(done, sizeof(done), "/tmp/ctrace-top-%d.done", getpid());
	snprintf(info, sizeof(info), "/tmp/ctrace-top-%d.info", getpid());
	unlink(done);
	snprintf(cmd, sizeof(cmd),
		 "new-session -d -x 80 -y 24 '%s top -- %s/tests/progs/ctrace-uprog regions 500 20 %s; echo $? > %s; sleep 60'",
		 ktest_tool("ctrace"), getenv("CTRACE_BUILD") ? getenv("CTRACE_BUILD") : "build",
		 info, done);
	ASSERT_EQ(0, tmux(cmd, screen, sizeof(screen))) TH_LOG("%s", screen);

	/* Frames come, with the regions' rows and their rates. */
	EXPECT_TRUE(screen_shows("sleepy", 15, screen, sizeof(screen))) TH_LOG("%s", screen);
	EXPECT_TRUE(screen_shows("spinny", 5, screen, sizeof(screen))) TH_LOG("%s", screen);
	EXPECT_NE(NULL, strstr(screen, "ctrace top: last 1.0 s")) TH_LOG("%s", screen);
	EXPECT_NE(NULL, strstr(screen, "region                       per s")) TH_LOG("%s", screen);
	if (module) {
		EXPECT_TRUE(screen_shows("uregions", 5, screen, sizeof(screen))) TH_LOG("%s", screen);
	} else {
		EXPECT_NE(NULL, strstr(screen, "user events only")) TH_LOG("%s", screen);
	}
	/* Natively it runs built with ASan/UBSan: nothing of theirs shows. */
	EXPECT_EQ(NULL, strstr(screen, "runtime error")) TH_LOG("%s", screen);
	EXPECT_EQ(NULL, strstr(screen, "Sanitizer")) TH_LOG("%s", screen);
	/* It fits: nothing wider than 80 columns, at most 24 lines. */
	for (const char *p = screen; *p; p++) {
		if (*p == '\n') {
			lines++;
			widest = len > widest ? len : widest;
			len = 0;
		} else {
			len++;
		}
	}
	TH_LOG("%d lines, widest %d:\n%s", lines, widest, screen);
	EXPECT_GE(24, lines);
	EXPECT_GE(80, widest);

	/* q quits, at once, and cleanly. */
	ASSERT_EQ(0, tmux("send-keys q", buf, sizeof(buf))) TH_LOG("%s", buf);
	for (int i = 0; i < 100 && ktest_read_file(done, buf, sizeof(buf)) <= 0; i++)
		usleep(100 * 1000);
	if (ktest_read_file(done, buf, sizeof(buf)) > 0)
		rc = atoi(buf);
	EXPECT_EQ(0, rc) TH_LOG("ctrace top's exit status: %s", buf);
	tmux("kill-server", buf, sizeof(buf));
	unlink(done);
	unlink(info);
}

KTEST_HARNESS_MAIN
