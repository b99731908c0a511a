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
PIN_SIZE(struct ctrace_meta, 96);
PIN_OFF(struct ctrace_meta, meta_size, 32);
PIN_OFF(struct ctrace_meta, tsc_khz, 72);
PIN_OFF(struct ctrace_meta, features, 80);
PIN_SIZE(struct ctrace_ring_desc, 32);
PIN_OFF(struct ctrace_ring_desc, cons_off, 24);
PIN_SIZE(struct ctrace_ring_page, 64);
PIN_OFF(struct ctrace_ring_page, cpu, 32);
PIN_SIZE(struct ctrace_ring_cons, 64);
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

PIN_SIZE(struct ctrace_file_header, 64);
PIN_SIZE(struct ctrace_chunk_header, 32);
PIN_OFF(struct ctrace_chunk_header, crc, 24);
PIN_SIZE(struct ctrace_ring_chunk, 48);
PIN_SIZE(struct ctrace_ring_stats, 48);
PIN_SIZE(struct ctrace_stats_chunk, 8);
