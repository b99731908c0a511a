// SPDX-License-Identifier: GPL-2.0
/*
 * ctrace sessions: the sessions the caller may see (SESSION_GET dump),
 * with each CPU's ring: events, lost, bytes written, bytes not yet read.
 */
#include <stdio.h>
#include <string.h>

#include "cmds.h"
#include "ctl.h"

static const char *state_name(uint32_t s)
{
	switch (s) {
	case CTRACE_SESSION_CREATED:
		return "created";
	case CTRACE_SESSION_RUNNING:
		return "running";
	case CTRACE_SESSION_STOPPED:
		return "stopped";
	default:
		return "?";
	}
}

static const char *target_name(uint32_t k)
{
	switch (k) {
	case CTRACE_TARGET_PIDS:
		return "pids";
	case CTRACE_TARGET_CGROUP:
		return "cgroup";
	case CTRACE_TARGET_ALL:
		return "all";
	default:
		return "?";
	}
}

static void print_session(const struct ctrace_session_info *s, void *arg)
{
	int *n = arg;

	(*n)++;
	printf("session %u: %s, target %s%s, owner uid %u pid %u, clock %s, %u bytes per cpu\n",
	       s->id, state_name(s->state), target_name(s->target_kind),
	       s->privileged ? " (privileged)" : "", s->owner_uid, s->owner_pid,
	       s->clock == CTRACE_CLOCK_TSC ? "tsc" : "mono", s->buf_size);
	printf("  events %llu, lost %llu\n", (unsigned long long)s->events_written,
	       (unsigned long long)s->lost);
	printf("  %6s %12s %10s %14s %10s\n", "cpu", "events", "lost", "bytes", "unread");
	for (uint32_t i = 0; i < s->nr_rings; i++)
		printf("  %6u %12llu %10llu %14llu %10llu\n", s->rings[i].cpu,
		       (unsigned long long)s->rings[i].events,
		       (unsigned long long)s->rings[i].lost,
		       (unsigned long long)s->rings[i].bytes,
		       (unsigned long long)s->rings[i].fill);
}

int cmd_sessions(int argc, char **argv)
{
	struct ctrace_ctl *ctl;
	int err, n = 0;

	if (argc > 1) {
		printf("usage: ctrace sessions\n"
		       "List the sessions you may see, with per-CPU ring statistics.\n");
		return strcmp(argv[1], "--help") && strcmp(argv[1], "-h") ? 2 : 0;
	}
	ctl = ctrace_ctl_open(&err);
	if (!ctl) {
		fprintf(stderr, "ctrace sessions: out of memory\n");
		return 1;
	}
	if (!err)
		err = ctrace_ctl_session_list(ctl, print_session, &n);
	if (err) {
		fprintf(stderr, "ctrace sessions: %s\n", ctrace_ctl_error(ctl));
		ctrace_ctl_close(ctl);
		return 1;
	}
	if (!n)
		printf("no sessions\n");
	ctrace_ctl_close(ctl);
	return 0;
}
