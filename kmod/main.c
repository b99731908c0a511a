// SPDX-License-Identifier: GPL-2.0
/*
 * ctrace.ko: module init/exit, parameters, and the /dev/ctrace misc device.
 *
 * /dev/ctrace is mode 0666: opening it grants nothing by itself; each
 * request on it is checked against the caller's credentials.  An open file
 * pins the module (fops.owner), so rmmod is refused while one exists; at
 * unload, sessions that have no reader are destroyed.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

#include "ctrace.h"

unsigned int ctrace_max_buffer_mb = 1024;
module_param_named(max_buffer_mb, ctrace_max_buffer_mb, uint, 0644);
MODULE_PARM_DESC(max_buffer_mb, "ring memory of all sessions together, MiB");

unsigned int ctrace_user_buffer_kb = 64 << 10;
module_param_named(user_buffer_kb, ctrace_user_buffer_kb, uint, 0644);
MODULE_PARM_DESC(user_buffer_kb,
		 "ring memory of one user without CAP_PERFMON, KiB");

unsigned int ctrace_max_sessions = 64;
module_param_named(max_sessions, ctrace_max_sessions, uint, 0644);
MODULE_PARM_DESC(max_sessions, "sessions at once");

unsigned int ctrace_user_ring_kb = 2048;
module_param_named(user_ring_kb, ctrace_user_ring_kb, uint, 0644);
MODULE_PARM_DESC(user_ring_kb,
		 "bytes per CPU of a user's ring set for user events, KiB (a power of two)");

static struct miscdevice ctrace_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = CTRACE_DEVICE_NAME,
	.fops = &ctrace_dev_fops,
	.mode = 0666,
};

#ifdef CTRACE_TEST_HOOKS
/*
 * Test-only build (make CTRACE_TEST_HOOKS=1): writing to this parameter
 * fires a WARN, so the test runner can prove its dmesg check catches one.
 */
static int ctrace_test_warn_set(const char *val, const struct kernel_param *kp)
{
	WARN(1, "ctrace: test_warn written (deliberate, test-only build)\n");
	return 0;
}

static const struct kernel_param_ops ctrace_test_warn_ops = {
	.set = ctrace_test_warn_set,
};
module_param_cb(test_warn, &ctrace_test_warn_ops, NULL, 0200);
MODULE_PARM_DESC(test_warn, "test-only: writing fires a WARN");
#endif

static int __init ctrace_init(void)
{
	int err;

	ctrace_abi_check();
	err = ctrace_sched_init();
	if (!err)
		err = ctrace_syscall_init();
	if (err)
		return err;
	err = ctrace_genl_init();
	if (err)
		return err;
	err = misc_register(&ctrace_miscdev);
	if (err)
		goto err_genl;
	return 0;

err_genl:
	ctrace_genl_exit();
	return err;
}

static void __exit ctrace_exit(void)
{
	misc_deregister(&ctrace_miscdev);
	ctrace_genl_exit();
	ctrace_session_destroy_all();
}

module_init(ctrace_init);
module_exit(ctrace_exit);
MODULE_DESCRIPTION("ctrace: scheduler and user-event tracer");
MODULE_LICENSE("GPL");
#ifdef CTRACE_MODULE_VERSION
MODULE_VERSION(CTRACE_MODULE_VERSION);
#endif
