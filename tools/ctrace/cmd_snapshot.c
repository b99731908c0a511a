// SPDX-License-Identifier: GPL-2.0
/*
 * ctrace snapshot [SESSION]: ask a flight recorder (ctrace-dump --flight)
 * to write its window now.  The module sends NTF_SNAPSHOT for the session
 * to the events group, where the recorder listens.  Without SESSION: the
 * one running session the caller may see, if there is exactly one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cliopt.h"
#include "cmds.h"
#include "ctl.h"

struct pick {
	uint32_t id;
	int running;
};

static void pick_running(const struct ctrace_session_info *s, void *arg)
{
	struct pick *p = arg;

	if (s->state == CTRACE_SESSION_RUNNING) {
		p->id = s->id;
		p->running++;
	}
}

int cmd_snapshot(int argc, char **argv)
{
	struct pick p = { 0 };
	struct ctrace_ctl *ctl;
	int err;

	if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
		FILE *f = argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) ?
			  stdout : stderr;

		fprintf(f, "usage: ctrace snapshot [SESSION]\n"
			"Ask the flight recorder of SESSION (ctrace-dump --flight) to write\n"
			"its window now.  Without SESSION: the only running session you may see.\n");
		return f == stdout ? 0 : 2;
	}
	if (argc == 2) {
		uint64_t v;

		if (cli_u64("ctrace snapshot", "SESSION", argv[1], 1, UINT32_MAX, &v))
			return 2;
		p.id = v;
	}
	ctl = ctrace_ctl_open(&err);
	if (!ctl) {
		fprintf(stderr, "ctrace snapshot: out of memory\n");
		return 1;
	}
	if (!err && !p.id) {
		err = ctrace_ctl_session_list(ctl, pick_running, &p);
		if (!err && p.running != 1) {
			fprintf(stderr, "ctrace snapshot: %s running session: name one (ctrace sessions)\n",
				p.running ? "more than one" : "no");
			ctrace_ctl_close(ctl);
			return 1;
		}
	}
	if (!err)
		err = ctrace_ctl_session_cmd(ctl, CTRACE_CMD_SESSION_SNAPSHOT, p.id);
	if (err) {
		fprintf(stderr, "ctrace snapshot: %s\n", ctrace_ctl_error(ctl));
		ctrace_ctl_close(ctl);
		return 1;
	}
	printf("ctrace snapshot: asked session %u's flight recorder for a snapshot\n", p.id);
	ctrace_ctl_close(ctl);
	return 0;
}
