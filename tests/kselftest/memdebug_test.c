// SPDX-License-Identifier: GPL-2.0
/*
 * The guest runs the suite with the kernel's memory debugging on
 * (tests/run-ktests: slub_debug=FZPU page_poison=1 init_on_free=1, and
 * kfence.sample_interval=1 where the kernel has KFENCE), so that the
 * module's memory errors become splats the dmesg check catches.  This
 * checks that the kernel took them: SLUB's sanity checks, red zones,
 * poisoning and owner tracking on a kmalloc cache, and KFENCE's interval.
 * On a machine booted without them (run-ktests --direct) it skips.
 */
#include <stdlib.h>

#include "kselftest_harness.h"
#include "ktest.h"

static bool on_cmdline(const char *arg)
{
	char buf[4096];

	return ktest_read_file("/proc/cmdline", buf, sizeof(buf)) > 0 && strstr(buf, arg);
}

static long read_long(const char *path)
{
	char buf[64];

	if (ktest_read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	return strtol(buf, NULL, 10);
}

TEST(slub_debugging_is_on)
{
	static const char *const flags[] = { "sanity_checks", "red_zone", "poison", "store_user" };
	char path[256];

	if (!on_cmdline("slub_debug="))
		SKIP(return, "booted without slub_debug (not the test VM)");
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		snprintf(path, sizeof(path), "/sys/kernel/slab/kmalloc-64/%s", flags[i]);
		EXPECT_EQ(1, read_long(path)) TH_LOG("%s", path);
	}
}

TEST(kfence_samples_every_allocation)
{
	if (!on_cmdline("kfence.sample_interval="))
		SKIP(return, "booted without KFENCE (the kernel has none, or not the test VM)");
	EXPECT_EQ(1, read_long("/sys/module/kfence/parameters/sample_interval"));
}

KTEST_HARNESS_MAIN
