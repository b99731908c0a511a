// SPDX-License-Identifier: GPL-2.0
/*
 * The ABI's layouts, pinned at compile time.  User space pins the same ones
 * with static_assert in tools/tracefile/abi.c; a change here without one
 * there (or the reverse) is a change of the ABI.
 */
#include <linux/build_bug.h>
#include <linux/init.h>
#include <linux/stddef.h>

#include "ctrace.h"

void __init ctrace_abi_check(void)
{
	BUILD_BUG_ON(sizeof(enum ctrace_clock) != 4);
	BUILD_BUG_ON(sizeof(struct ctrace_attach) != CTRACE_ATTACH_SIZE_VER0);
	BUILD_BUG_ON(offsetof(struct ctrace_attach, meta_size) != 16);
	BUILD_BUG_ON(sizeof(struct ctrace_meta) != 120);
	BUILD_BUG_ON(offsetof(struct ctrace_meta, meta_size) != 32);
	BUILD_BUG_ON(offsetof(struct ctrace_meta, tsc_khz) != 72);
	BUILD_BUG_ON(offsetof(struct ctrace_meta, features) != 80);
	BUILD_BUG_ON(offsetof(struct ctrace_meta, uset_desc_off) != 96);
	BUILD_BUG_ON(sizeof(struct ctrace_uset_desc) != 32);
	BUILD_BUG_ON(sizeof(struct ctrace_register) != CTRACE_REGISTER_SIZE_VER0);
	BUILD_BUG_ON(offsetof(struct ctrace_register, uset_size) != 32);
	BUILD_BUG_ON(sizeof(struct ctrace_user_ctl) != 64);
	BUILD_BUG_ON(offsetof(struct ctrace_user_ctl, enabled) != 0);
	BUILD_BUG_ON(offsetof(struct ctrace_user_ctl, session_id) != 24);
	BUILD_BUG_ON(sizeof(struct ctrace_uset) != 136);
	BUILD_BUG_ON(offsetof(struct ctrace_uset, map_size) != 72);
	BUILD_BUG_ON(offsetof(struct ctrace_uset, strings_pos) != 88);
	BUILD_BUG_ON(offsetof(struct ctrace_uset, snapshot_req) != 104);
	BUILD_BUG_ON(sizeof(struct ctrace_uring) != 64);
	BUILD_BUG_ON(offsetof(struct ctrace_uring, lock) != 24);
	BUILD_BUG_ON(sizeof(struct ctrace_ustring) != 8);
	BUILD_BUG_ON(sizeof(struct ctrace_urec) != 16);
	BUILD_BUG_ON(offsetof(struct ctrace_urec, tid) != 8);
	BUILD_BUG_ON(offsetof(struct ctrace_urec, id) != 14);
	BUILD_BUG_ON(sizeof(struct ctrace_urec_lost) != 24);
	BUILD_BUG_ON(sizeof(struct ctrace_urec_thread) != 40);
	BUILD_BUG_ON(offsetof(struct ctrace_urec_thread, flags) != 20);
	BUILD_BUG_ON(sizeof(struct ctrace_urec_task) != 32);
	BUILD_BUG_ON(sizeof(struct ctrace_urec_id64) != 24);
	BUILD_BUG_ON(sizeof(struct ctrace_urec_log) != 32);
	BUILD_BUG_ON(sizeof(struct ctrace_urec_counter) != 24);
	BUILD_BUG_ON(sizeof(struct ctrace_ring_desc) != 32);
	BUILD_BUG_ON(offsetof(struct ctrace_ring_desc, cons_off) != 24);
	BUILD_BUG_ON(sizeof(struct ctrace_ring_page) != 64);
	BUILD_BUG_ON(offsetof(struct ctrace_ring_page, cpu) != 32);
	BUILD_BUG_ON(sizeof(struct ctrace_ring_cons) != 64);
	BUILD_BUG_ON(offsetof(struct ctrace_ring_cons, lost_read) != 8);
	BUILD_BUG_ON(sizeof(struct ctrace_krec) != 8);
	BUILD_BUG_ON(offsetof(struct ctrace_krec, aux) != 2);
	BUILD_BUG_ON(offsetof(struct ctrace_krec, ts_lo) != 4);
	BUILD_BUG_ON(sizeof(struct ctrace_krec_time) != 16);
	BUILD_BUG_ON(sizeof(struct ctrace_krec_lost) != 16);
	BUILD_BUG_ON(sizeof(struct ctrace_krec_clock) != 40);
	BUILD_BUG_ON(sizeof(struct ctrace_krec_switch) != 16);
	BUILD_BUG_ON(sizeof(struct ctrace_krec_wakeup) != 16);
	BUILD_BUG_ON(sizeof(struct ctrace_krec_fork) != 40);
	BUILD_BUG_ON(offsetof(struct ctrace_krec_fork, comm) != 24);
	BUILD_BUG_ON(sizeof(struct ctrace_krec_exec) != 32);
	BUILD_BUG_ON(offsetof(struct ctrace_krec_exec, comm) != 16);
	BUILD_BUG_ON(sizeof(struct ctrace_krec_exit) != 16);
	BUILD_BUG_ON(sizeof(struct ctrace_krec_rename) != 32);
	BUILD_BUG_ON(sizeof(struct ctrace_krec_migrate) != 16);
	BUILD_BUG_ON(sizeof(struct ctrace_krec_thread) != 40);
	BUILD_BUG_ON(offsetof(struct ctrace_krec_thread, comm) != 24);
	BUILD_BUG_ON(sizeof(struct ctrace_krec_syscall_enter) != 16);
	BUILD_BUG_ON(sizeof(struct ctrace_krec_syscall_exit) != 24);
	BUILD_BUG_ON(offsetof(struct ctrace_krec_syscall_exit, ret) != 16);
	/* The size field counts 8-byte units in a u8. */
	BUILD_BUG_ON(sizeof(struct ctrace_krec_exec) + CTRACE_EXEC_FILENAME_MAX >
		     255 * 8);
	/* CPU numbers must fit the wakeup record's aux field. */
	BUILD_BUG_ON((CONFIG_NR_CPUS - 1) & ~CTRACE_WAKEUP_CPU_MASK);
}
