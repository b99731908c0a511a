// SPDX-License-Identifier: GPL-2.0
/*
 * ctrace: the command-line front end.
 *
 *   ctrace record -- CMD   trace a command into a file (ctrace-dump)
 *   ctrace info            what the loaded module offers
 *   ctrace sessions        the sessions you may see, with ring statistics
 *   ctrace report FILE     what a trace file holds (--events: every event)
 *   ctrace validate FILE   check a trace file's invariants
 *   ctrace export FILE     the file for Perfetto or the Catapult viewer
 *   ctrace view FILE       a timeline in the browser (one HTML file, or --serve)
 *   ctrace top -- CMD      a live view in the terminal, refreshed every second
 *   ctrace snapshot [ID]   ask a flight recorder to write its window
 *
 * Each subcommand lives in its own file (cmd_*.c) and is listed in the
 * table below.
 */
#include <stdio.h>
#include <string.h>

#include "cmds.h"
#include "ctrace_version.h"

static int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	ctrace_print_version(stdout, "ctrace");
	return 0;
}

static const struct ctrace_subcmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;
} cmds[] = {
	{ "record", cmd_record, "trace a command or processes into a file (ctrace-dump)" },
	{ "info", cmd_info, "show what the loaded ctrace module offers" },
	{ "sessions", cmd_sessions, "list sessions with per-CPU ring statistics" },
	{ "report", cmd_report, "summarise a trace file, or print its events" },
	{ "validate", cmd_validate, "check a trace file's invariants" },
	{ "export", cmd_export, "write a trace for Perfetto (default) or as Chrome JSON" },
	{ "view", cmd_view, "a timeline in the browser: one HTML file, or --serve" },
	{ "top", cmd_top, "a live view: thread states, latency, busiest regions, losses" },
	{ "snapshot", cmd_snapshot, "ask a flight recorder (ctrace-dump --flight) for its window" },
	{ "version", cmd_version, "the version, and the ABI and file format it speaks (--version)" },
};

static int usage(FILE *f)
{
	fprintf(f, "usage: ctrace <command> [args]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %-10s %s\n", cmds[i].name, cmds[i].help);
	fprintf(f, "\n'ctrace <command> --help' describes a command.\n"
		"Exit status: 0 done, 1 failed (the file, the module...), 2 bad usage;\n"
		"record (as ctrace-dump) ends with the traced command's status, 126 or\n"
		"127 if it cannot be run.\n");
	return f == stderr ? 2 : 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage(stderr);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help"))
		return usage(stdout);
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version"))
		return cmd_version(argc - 1, argv + 1);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].run(argc - 1, argv + 1);
	fprintf(stderr, "ctrace: unknown command '%s'\n", argv[1]);
	return usage(stderr);
}
