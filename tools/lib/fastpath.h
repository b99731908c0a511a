/* SPDX-License-Identifier: LGPL-2.1 */
/*
 * The fast path of an event, inlined into each public function: a record
 * of at most 32 bytes (a header and two payload words), on a thread that
 * already announced itself under this session, with rseq and the TSC, and
 * no loss to report first.  Anything else, and any sequence that does not
 * commit at the first try, goes to write.c.
 *
 * The sequence is a dozen instructions around the rdtsc: it checks room
 * for 32 bytes, stores four words (those past @len land in free space and
 * are overwritten by the next record; the data is mapped twice, so they
 * never wrap) and commits prod + @len with one store.  Plain x86 stores
 * are ordered: the record is visible before prod [U1], and cons is read
 * before the space is reused [U2] (uapi/linux/ctrace.h).
 */
#ifndef CTRACE_LIB_FASTPATH_H
#define CTRACE_LIB_FASTPATH_H

#include <sys/rseq.h>

#include "barrier.h"
#include "internal.h"

#if defined(__x86_64__)
/*
 * One attempt, in one block of assembly that uses call-clobbered registers
 * only: find this CPU's ring (ctrace_fast[], precomputed), leave to
 * write.c if a loss is pending, else run the sequence.  The control page's
 * enabled word holds the session's generation: it must equal the one this
 * thread announced itself under, fast_gen (0, which no enabled word is,
 * until write.c saw it announce itself with rseq and the TSC); otherwise
 * write.c announces it, or finds tracing stopped.
 */
static inline __attribute__((always_inline)) int
ctrace_emit_small(uint32_t type, uint32_t id, uint32_t len, uint64_t p0, uint64_t p1)
{
	struct ctrace_tls *t = &ctrace_tls;
	uint64_t hdr = t->tid | (uint64_t)type << 32 | (uint64_t)(len / 8) << 40 |
		       (uint64_t)id << 48;
	int why;

	__asm__ goto(
		"movl 0(%[rs]), %%ecx\n\t"		/* cpu_id_start */
		"cmpl %[nr], %%ecx\n\t"
		"jae %l[not_fast]\n\t"
		"movl %%ecx, %%edx\n\t"
		"shlq $5, %%rdx\n\t"
		"leaq %[fast], %%rax\n\t"
		"addq %%rax, %%rdx\n\t"		/* &ctrace_fast[cpu] */
		"movq 0(%%rdx), %%r8\n\t"		/* the ring */
		"movq 8(%%r8), %%rax\n\t"
		"cmpq 16(%%r8), %%rax\n\t"		/* lost != lost_mark: LOST first */
		"jne %l[not_fast]\n\t"
		"movq 8(%%rdx), %%r9\n\t"		/* &cons */
		"movq 16(%%rdx), %%rdi\n\t"		/* its data */
		"movq %[ctl], %%rdx\n\t"		/* &ctl->enabled */
		"leaq 3f(%%rip), %%rax\n\t"
		"movq %%rax, 8(%[rs])\n\t"		/* arm */
		"1:\n\t"
		"cmpl %%ecx, 4(%[rs])\n\t"		/* still on that CPU? */
		"jnz 4f\n\t"
		"movl (%%rdx), %%eax\n\t"
		"cmpl %[gen], %%eax\n\t"		/* still enabled, same session? */
		"jnz %l[not_fast]\n\t"
		"movq (%%r8), %%rsi\n\t"		/* prod */
		"movq %%rsi, %%rax\n\t"
		"subq (%%r9), %%rax\n\t"		/* - cons [U2] */
		"cmpq %[room], %%rax\n\t"		/* room for 32 bytes? */
		"ja %l[full]\n\t"
		"movq %[mask], %%rax\n\t"
		"andq %%rsi, %%rax\n\t"
		"addq %%rax, %%rdi\n\t"		/* where it goes */
		"rdtsc\n\t"				/* the timestamp, in sequence */
		"shlq $32, %%rdx\n\t"
		"orq %%rdx, %%rax\n\t"
		"movq %%rax, (%%rdi)\n\t"
		"movq %[hdr], 8(%%rdi)\n\t"
		"movq %[p0], 16(%%rdi)\n\t"
		"movq %[p1], 24(%%rdi)\n\t"
		"addq %[len], %%rsi\n\t"
		"movq %%rsi, (%%r8)\n\t"		/* commit [U1] */
		"2:\n\t"
		".pushsection __rseq_cs, \"aw\"\n\t"
		".balign 32\n\t"
		"3:\n\t"
		".long 0, 0\n\t"			/* version, flags */
		".quad 1b, 2b - 1b, 4f\n\t"		/* start, length, abort */
		".popsection\n\t"
		".pushsection __rseq_failure, \"ax\"\n\t"
		/* The signature, as the operand of an undefined instruction. */
		".byte 0x0f, 0xb9, 0x3d\n\t"
		".long 0x53053053\n\t"
		"4:\n\t"
		"jmp %l[aborted]\n\t"
		".popsection\n\t"
		:
		: [rs] "r" (t->rs), [gen] "m" (t->fast_gen), [hdr] "r" (hdr),
		  [p0] "r" (p0), [p1] "re" (p1), [len] "ri" ((uint64_t)len),
		  [nr] "m" (ctrace_lib.nr_fast), [fast] "m" (ctrace_fast),
		  [room] "m" (ctrace_lib.room), [mask] "m" (ctrace_lib.mask),
		  [ctl] "m" (ctrace_lib.ctl)
		: "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "memory", "cc"
		: full, aborted, not_fast);
	return 0;
full:
	why = CTRACE_FULL;
	goto slow;
aborted:
	why = CTRACE_ABORTED;
	goto slow;
not_fast:
	why = CTRACE_NOT_FAST;
slow:
	return ctrace_emit_small_slow(type, id, len, p0, p1, why);
}
#else
static inline int ctrace_emit_small(uint32_t type, uint32_t id, uint32_t len,
				    uint64_t p0, uint64_t p1)
{
	return ctrace_emit_small_slow(type, id, len, p0, p1, CTRACE_NOT_FAST);
}
#endif

#endif
