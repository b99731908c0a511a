/* SPDX-License-Identifier: GPL-2.0 */
/* Talking to the module in the kernel tests: tools/ctl, with the checks. */
#ifndef CTRACE_KCTL_H
#define CTRACE_KCTL_H

#include <stdio.h>

#include "ctl.h"

/* A connected handle, or NULL (with the reason on stderr). */
static inline struct ctrace_ctl *kt_ctl_open(void)
{
	int err;
	struct ctrace_ctl *ctl = ctrace_ctl_open(&err);

	if (ctl && err) {
		fprintf(stderr, "# %s\n", ctrace_ctl_error(ctl));
		ctrace_ctl_close(ctl);
		return NULL;
	}
	return ctl;
}

/* GET_INFO, zeroed if the module does not answer. */
static inline struct ctrace_info kt_module_info(void)
{
	struct ctrace_info info = { 0 };
	struct ctrace_ctl *ctl = kt_ctl_open();

	if (ctl)
		ctrace_ctl_get_info(ctl, -1, &info);
	ctrace_ctl_close(ctl);
	return info;
}

#endif
