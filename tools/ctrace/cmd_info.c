// SPDX-License-Identifier: GPL-2.0
/* ctrace info: ask the module what it offers (CTRACE_CMD_GET_INFO). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmds.h"
#include "ctl.h"

static const char *clock_name(uint32_t clock)
{
	switch (clock) {
	case CTRACE_CLOCK_TSC:
		return "tsc";
	case CTRACE_CLOCK_MONO:
		return "mono";
	default:
		return "unknown";
	}
}

static int parse_clock(const char *s)
{
	if (!strcmp(s, "auto"))
		return CTRACE_CLOCK_AUTO;
	if (!strcmp(s, "tsc"))
		return CTRACE_CLOCK_TSC;
	if (!strcmp(s, "mono"))
		return CTRACE_CLOCK_MONO;
	return -1;
}

int cmd_info(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "clock", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctrace_info info;
	struct ctrace_ctl *ctl;
	int clock = -1, c, err;

	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			clock = parse_clock(optarg);
			if (clock < 0) {
				fprintf(stderr, "ctrace info: unknown clock '%s' (auto, tsc, mono)\n",
					optarg);
				return 2;
			}
			break;
		case 'h':
			printf("usage: ctrace info [--clock auto|tsc|mono]\n"
			       "Show the module's ABI version, features, CPUs and clock.\n"
			       "--clock asks whether that clock can be used.\n");
			return 0;
		default:
			return 2;
		}
	}

	ctl = ctrace_ctl_open(&err);
	if (!ctl) {
		fprintf(stderr, "ctrace info: out of memory\n");
		return 1;
	}
	if (!err)
		err = ctrace_ctl_get_info(ctl, clock, &info);
	if (err) {
		fprintf(stderr, "ctrace info: %s\n", ctrace_ctl_error(ctl));
		ctrace_ctl_close(ctl);
		return 1;
	}
	ctrace_ctl_close(ctl);

	printf("abi version:   %u\n", info.abi_version);
	printf("features:      0x%llx\n", (unsigned long long)info.features);
	printf("possible cpus: %u\n", info.nr_cpus);
	printf("clock:         %s\n", clock_name(info.clock));
	if (info.tsc_khz)
		printf("tsc:           %llu kHz\n", (unsigned long long)info.tsc_khz);
	printf("sessions:      %u\n", info.sessions);
	printf("ring memory:   %llu bytes\n", (unsigned long long)info.mem_bytes);
	return 0;
}
