/* SPDX-License-Identifier: LGPL-2.1 */
/*
 * Every user-space atomic of ctrace, on C11 atomics (as liburing's
 * barrier.h).  The memory they touch is shared with the kernel or with
 * other processes and is declared as plain integers in the ABI, hence the
 * casts to _Atomic.
 */
#ifndef CTRACE_BARRIER_H
#define CTRACE_BARRIER_H

#include <stdatomic.h>

#define ctrace_load_acquire(p)						\
	atomic_load_explicit((_Atomic __typeof__(*(p)) *)(p),		\
			     memory_order_acquire)
#define ctrace_store_release(p, v)					\
	atomic_store_explicit((_Atomic __typeof__(*(p)) *)(p), (v),	\
			      memory_order_release)
#define ctrace_store_relaxed(p, v)					\
	atomic_store_explicit((_Atomic __typeof__(*(p)) *)(p), (v),	\
			      memory_order_relaxed)
#define ctrace_load_relaxed(p)						\
	atomic_load_explicit((_Atomic __typeof__(*(p)) *)(p),		\
			     memory_order_relaxed)
#define ctrace_smp_mb()	atomic_thread_fence(memory_order_seq_cst)

#endif
