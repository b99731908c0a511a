// SPDX-License-Identifier: GPL-2.0
/*
 * ctrace record [ctrace-dump options] -- command [args...]
 *
 * Records a command from its first instruction, as `perf record` does:
 * it is ctrace-dump, run from the directory this binary lives in (or from
 * PATH), with the same arguments.  One recorder, two spellings.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmds.h"

int cmd_record(int argc, char **argv)
{
	char self[PATH_MAX], dump[PATH_MAX + 16], *slash;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	(void)argc;
	argv[0] = "ctrace-dump";
	if (n > 0) {
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			snprintf(dump, sizeof(dump), "%s/ctrace-dump", self);
			execv(dump, argv);
		}
	}
	execvp("ctrace-dump", argv);
	fprintf(stderr, "ctrace record: cannot run ctrace-dump: %s\n", strerror(errno));
	return 127;
}
