// SPDX-License-Identifier: LGPL-2.1
/* Chrome JSON export: not written yet (issue 8). */
#include <errno.h>

#include "export.h"

int ctrace_export_json(struct ctrace_trace *t, const struct ctrace_export_opts *opts)
{
	(void)t;
	fprintf(opts->err, "ctrace export: the JSON exporter is not written yet\n");
	return -ENOSYS;
}
