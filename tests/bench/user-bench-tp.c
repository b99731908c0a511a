// SPDX-License-Identifier: GPL-2.0
/* The LTTng-UST probes of user-bench-tp.h, compiled into user-bench-lttng. */
#define LTTNG_UST_TRACEPOINT_CREATE_PROBES
#define LTTNG_UST_TRACEPOINT_DEFINE
#include "user-bench-tp.h"
