// SPDX-License-Identifier: LGPL-2.1
/*
 * The layouts user space relies on, pinned at compile time: the kernel ABI
 * (the module pins the same ones in kmod/abi.c) and the trace file format.
 */
#include <assert.h>
#include <stddef.h>

#include "tracefile.h"

#define PIN_SIZE(type, n) static_assert(sizeof(type) == (n), #type " is " #n " bytes")
#define PIN_OFF(type, field, n) \
	static_assert(offsetof(type, field) == (n), #type "." #field " at " #n)

PIN_SIZE(enum ctrace_clock, 4);
PIN_SIZE(struct ctrace_attach, CTRACE_ATTACH_SIZE_VER0);
PIN_OFF(struct ctrace_attach, meta_size, 16);
PIN_SIZE(struct ctrace_meta, 120);
PIN_OFF(struct ctrace_meta, meta_size, 32);
PIN_OFF(struct ctrace_meta, tsc_khz, 72);
PIN_OFF(struct ctrace_meta, features, 80);
PIN_OFF(struct ctrace_meta, uset_desc_off, 96);
PIN_SIZE(struct ctrace_uset_desc, 32);
PIN_SIZE(struct ctrace_register, CTRACE_REGISTER_SIZE_VER0);
PIN_OFF(struct ctrace_register, uset_size, 32);
PIN_SIZE(struct ctrace_user_ctl, 64);
PIN_OFF(struct ctrace_user_ctl, enabled, 0);
PIN_OFF(struct ctrace_user_ctl, session_id, 24);
PIN_SIZE(struct ctrace_uset, 136);
PIN_OFF(struct ctrace_uset, map_size, 72);
PIN_OFF(struct ctrace_uset, strings_pos, 88);
PIN_OFF(struct ctrace_uset, snapshot_req, 104);
PIN_SIZE(struct ctrace_uring, 64);
PIN_OFF(struct ctrace_uring, lock, 24);
PIN_SIZE(struct ctrace_ustring, 8);
PIN_SIZE(struct ctrace_urec, 16);
PIN_OFF(struct ctrace_urec, tid, 8);
PIN_OFF(struct ctrace_urec, id, 14);
PIN_SIZE(struct ctrace_urec_lost, 24);
PIN_SIZE(struct ctrace_urec_thread, 40);
PIN_OFF(struct ctrace_urec_thread, flags, 20);
PIN_SIZE(struct ctrace_urec_task, 32);
PIN_SIZE(struct ctrace_urec_id64, 24);
PIN_SIZE(struct ctrace_urec_log, 32);
PIN_SIZE(struct ctrace_urec_counter, 24);
PIN_SIZE(struct ctrace_frec_corrupt, 24);
PIN_SIZE(struct ctrace_uset_chunk, 32);
PIN_SIZE(struct ctrace_strings_chunk, 8);
PIN_SIZE(struct ctrace_ring_desc, 32);
PIN_OFF(struct ctrace_ring_desc, cons_off, 24);
PIN_SIZE(struct ctrace_ring_page, 64);
PIN_OFF(struct ctrace_ring_page, cpu, 32);
PIN_SIZE(struct ctrace_ring_cons, 64);
PIN_OFF(struct ctrace_ring_cons, lost_read, 8);
PIN_SIZE(struct ctrace_krec, 8);
PIN_OFF(struct ctrace_krec, aux, 2);
PIN_OFF(struct ctrace_krec, ts_lo, 4);
PIN_SIZE(struct ctrace_krec_time, 16);
PIN_SIZE(struct ctrace_krec_lost, 16);
PIN_SIZE(struct ctrace_krec_clock, 40);
PIN_SIZE(struct ctrace_krec_switch, 16);
PIN_SIZE(struct ctrace_krec_wakeup, 16);
PIN_SIZE(struct ctrace_krec_fork, 40);
PIN_OFF(struct ctrace_krec_fork, comm, 24);
PIN_SIZE(struct ctrace_krec_exec, 32);
PIN_OFF(struct ctrace_krec_exec, comm, 16);
PIN_SIZE(struct ctrace_krec_exit, 16);
PIN_SIZE(struct ctrace_krec_rename, 32);
PIN_SIZE(struct ctrace_krec_migrate, 16);
PIN_SIZE(struct ctrace_krec_thread, 40);
PIN_OFF(struct ctrace_krec_thread, comm, 24);
PIN_SIZE(struct ctrace_krec_syscall_enter, 16);
PIN_SIZE(struct ctrace_krec_syscall_exit, 24);
PIN_OFF(struct ctrace_krec_syscall_exit, ret, 16);

PIN_SIZE(struct ctrace_file_header, 64);
PIN_SIZE(struct ctrace_chunk_header, 32);
PIN_OFF(struct ctrace_chunk_header, crc, 24);
PIN_SIZE(struct ctrace_ring_chunk, 48);
PIN_SIZE(struct ctrace_ring_stats, 48);
PIN_SIZE(struct ctrace_stats_chunk, 8);
