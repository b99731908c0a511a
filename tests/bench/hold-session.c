// SPDX-License-Identifier: GPL-2.0
/*
 * hold-session BUF_SIZE: a whole-system ctrace session with no reader, for
 * the benchmark to tell the cost of recording from the cost of draining.
 * Starts recording, prints "recording", and on SIGINT stops and prints
 * "events=N lost=N".  The rings must be large enough for the run.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "ctl.h"

static volatile sig_atomic_t done;

static void on_int(int sig)
{
	(void)sig;
	done = 1;
}

int main(int argc, char **argv)
{
	struct ctrace_session_opts o = {
		.target = CTRACE_TARGET_ALL, .clock = -1,
		.buf_size = argc > 1 ? strtoul(argv[1], NULL, 0) : 64 << 20,
	};
	struct ctrace_session_info info;
	struct ctrace_ctl *ctl;
	int err;

	signal(SIGINT, on_int);
	ctl = ctrace_ctl_open(&err);
	if (!ctl || err || ctrace_ctl_session_new(ctl, &o, &info) ||
	    ctrace_ctl_session_cmd(ctl, CTRACE_CMD_SESSION_START, info.id)) {
		fprintf(stderr, "hold-session: %s\n", ctl ? ctrace_ctl_error(ctl) : "no memory");
		return 1;
	}
	printf("recording\n");
	fflush(stdout);
	while (!done)
		pause();
	ctrace_ctl_session_cmd(ctl, CTRACE_CMD_SESSION_STOP, info.id);
	ctrace_ctl_session_get(ctl, info.id, &info);
	printf("events=%llu lost=%llu\n", (unsigned long long)info.events_written,
	       (unsigned long long)info.lost);
	ctrace_session_info_free(&info);
	ctrace_ctl_close(ctl);
	return 0;
}
