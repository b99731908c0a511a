// SPDX-License-Identifier: LGPL-2.1
/* Perfetto export: not written yet (issue 8). */
#include <errno.h>

#include "export.h"

int ctrace_export_perfetto(struct ctrace_trace *const *traces,
			   const char *const *names, size_t n,
			   const struct ctrace_export_opts *opts)
{
	(void)traces, (void)names, (void)n;
	fprintf(opts->err, "ctrace export: the Perfetto exporter is not written yet\n");
	return -ENOSYS;
}
