// SPDX-License-Identifier: GPL-2.0
/*
 * The module itself: /dev/ctrace as documented, and a clean unload and
 * reload (rmmod refused while the device is open, everything gone after
 * unload, everything back after reload).
 */
#include <sys/stat.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "ctl.h"
#include "ktest.h"

static int family_present(void)
{
	struct ctrace_ctl *ctl;
	int err;

	ctl = ctrace_ctl_open(&err);
	ctrace_ctl_close(ctl);
	return err == 0;
}

TEST(device_node)
{
	char buf[64];
	struct stat st;
	unsigned int maj, min;

	ASSERT_EQ(0, stat(CTRACE_DEVICE_PATH, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	/* Documented in docs/abi.md: everyone may open it. */
	EXPECT_EQ(0666, st.st_mode & 07777);
	/* A misc device (major 10) whose number sysfs agrees with. */
	EXPECT_EQ(10, major(st.st_rdev));
	ASSERT_LT(0, ktest_read_file("/sys/class/misc/ctrace/dev", buf, sizeof(buf)));
	ASSERT_EQ(2, sscanf(buf, "%u:%u", &maj, &min));
	EXPECT_EQ(major(st.st_rdev), maj);
	EXPECT_EQ(minor(st.st_rdev), min);
}

TEST(open_not_seekable_unknown_ioctl)
{
	int fd = open(CTRACE_DEVICE_PATH, O_RDWR | O_CLOEXEC);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, lseek(fd, 0, SEEK_SET));
	EXPECT_EQ(ESPIPE, errno);
	EXPECT_EQ(-1, ioctl(fd, _IO(CTRACE_IOC_MAGIC, 0xff), 0));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(fd, _IO('T', 1), 0));
	EXPECT_EQ(ENOTTY, errno);
	close(fd);
}

TEST(unload_refused_while_open_then_reload)
{
	const char *ko = getenv("CTRACE_KO");
	struct stat st;
	int fd;

	if (!ko)
		SKIP(return, "CTRACE_KO not set (run me through tests/ktest-run)");
	ASSERT_TRUE(family_present());

	fd = open(CTRACE_DEVICE_PATH, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	/* An open file pins the module. */
	EXPECT_EQ(-1, ktest_unload("ctrace"));
	EXPECT_TRUE(errno == EWOULDBLOCK || errno == EBUSY);
	EXPECT_EQ(0, stat("/sys/module/ctrace", &st));
	close(fd);

	ASSERT_EQ(0, ktest_unload("ctrace"));
	EXPECT_EQ(-1, stat("/sys/module/ctrace", &st));
	EXPECT_EQ(-1, stat(CTRACE_DEVICE_PATH, &st));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_FALSE(family_present());

	/* And back, for the runner's own unload check. */
	ASSERT_EQ(0, ktest_load(ko));
	EXPECT_TRUE(family_present());
	EXPECT_EQ(0, stat(CTRACE_DEVICE_PATH, &st));
}

KTEST_HARNESS_MAIN
