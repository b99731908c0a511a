// SPDX-License-Identifier: LGPL-2.1
/*
 * Appending a record to the ring of the CPU we run on.
 *
 * With rseq (CTRACE_USET_F_RSEQ), the whole append is one restartable
 * sequence bound to the CPU (librseq's "this_cpu_buffer_push" pattern):
 *
 *   still on that CPU?  still enabled?  room (prod - cons + len <= size)?
 *   read the clock (TSC), copy the record to data + prod % size,
 *   store prod + len                          <- the commit, one store
 *
 * Preemption, migration or a signal anywhere before the commit sends the
 * thread to the abort handler, nothing visible written, and we retry; no
 * lock, no atomic instruction, no system call.  The data is mapped twice
 * in a row, so the copy never wraps.  On x86 plain stores are ordered: the
 * record's bytes are visible before prod [U1], and cons is read before
 * the space is reused [U2] (see uapi/linux/ctrace.h).
 *
 * Without rseq (CTRACE_USET_F_LOCKED), the ring's lock word is taken with a
 * compare-and-swap and never waited for: a writer that finds it taken
 * drops the event and counts it.  A writer killed while holding it leaves
 * the ring dropping until the reader clears it.
 *
 * A ring that is full drops the event and counts it in the ring's lost
 * counter (atomically: other processes of the user share the ring).  The
 * next record that fits is preceded by a LOST record carrying that
 * counter, so the reader sees each loss where it happened.  The totals in
 * a ring's LOST records never go down (a reader takes a smaller one for
 * corruption): the total is read before the sequence, so the sequence
 * commits only if prod is still what it was before that read, that is if
 * no other record of this CPU was committed in between.
 */
#include <stddef.h>
#include <string.h>
#include <time.h>
#include <sched.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/rseq.h>
#include <sys/syscall.h>

#include "barrier.h"
#include "internal.h"

/* How often to retry an aborted sequence before giving the event up. */
#define RSEQ_RETRIES	64
/* The most one append writes: LOST, THREAD, then the event. */
#define CTRACE_APPEND_MAX (sizeof(struct ctrace_urec_lost) + \
			   sizeof(struct ctrace_urec_thread) + CTRACE_RECORD_MAX)

static inline uint32_t cpu_now(void)
{
	int cpu = sched_getcpu();

	return cpu < 0 ? 0 : (uint32_t)cpu;
}

/* The ring's data (both copies). */
static inline uint8_t *ring_data(const struct ctrace_lib *l, uint32_t cpu)
{
	return l->data + (uint64_t)cpu * 2 * l->data_size;
}

static inline uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

static inline uint64_t read_tsc(void)
{
#if defined(__x86_64__)
	return __builtin_ia32_rdtsc();
#else
	return mono_ns();
#endif
}

static void count_drop(struct ctrace_uring *r)
{
	__atomic_fetch_add(&r->lost, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&ctrace_lib.dropped, 1, __ATOMIC_RELAXED);
}

/*
 * If the ring lost events since its last LOST record, put one in front
 * of @rec in @buf.  Returns the bytes to write (@rec or @buf) and their
 * length; *lost gets the total reported, 0 if none.
 */
static void *with_lost(struct ctrace_uring *r, void *rec,
		       uint32_t *len, uint8_t *buf, uint64_t *lost)
{
	uint64_t total = ctrace_load_relaxed(&r->lost);
	struct ctrace_urec_lost lr = {
		.h = {
			.tid = ((const struct ctrace_urec *)rec)->tid,
			.type = CTRACE_UREC_LOST,
			.size = sizeof(lr) / 8,
		},
		.total = total,
	};

	*lost = 0;
	if (total == ctrace_load_relaxed(&r->lost_mark))
		return rec;
	memcpy(buf, &lr, sizeof(lr));
	memcpy(buf + sizeof(lr), rec, *len);
	*len += sizeof(lr);
	*lost = total;
	return buf;
}

/* Stamp every record in the first @upto bytes of @p (our own records). */
static void stamp(uint8_t *p, uint32_t upto, uint64_t ts)
{
	for (uint32_t off = 0; off < upto; off += ((struct ctrace_urec *)(p + off))->size * 8)
		((struct ctrace_urec *)(p + off))->ts = ts;
}

#if defined(__x86_64__)
/* What the sequence reads; the offsets are in the assembly below. */
struct rseq_append {
	__u64 *prod;			/* 0 */
	const __u64 *cons;		/* 8 */
	uint8_t *dst_base;		/* 16 */
	uint64_t mask;			/* 24 */
	uint64_t size;			/* 32 */
	uint8_t *src;			/* 40 */
	uint64_t len;			/* 48 */
	const volatile uint32_t *enabled; /* 56 */
	uint64_t ts_off;		/* 64: where the TSC goes in src, or ~0 */
	uint64_t prod_seen;		/* 72: prod before src was made */
};

_Static_assert(offsetof(struct rseq_append, enabled) == 56, "asm offsets");
_Static_assert(offsetof(struct rseq_append, ts_off) == 64, "asm offsets");
_Static_assert(offsetof(struct rseq_append, prod_seen) == 72, "asm offsets");
_Static_assert(offsetof(struct rseq, cpu_id) == 4, "asm offsets");
_Static_assert(offsetof(struct rseq, rseq_cs) == 8, "asm offsets");


static int rseq_append(struct rseq *rs, uint32_t cpu, struct rseq_append *a)
{
	int ret;

	__asm__ __volatile__(
		/* Arm: the kernel checks rseq_cs when it preempts us. */
		"leaq 3f(%%rip), %%rax\n\t"
		"movq %%rax, 8(%[rs])\n\t"
		"1:\n\t"
		"cmpl %[cpu], 4(%[rs])\n\t"		/* still on @cpu? */
		"jnz 4f\n\t"
		"movq 56(%[a]), %%rax\n\t"
		"cmpl $0, (%%rax)\n\t"			/* still enabled? */
		"jz 6f\n\t"
		"movq 0(%[a]), %%r8\n\t"
		"movq (%%r8), %%r9\n\t"			/* prod */
		"cmpq 72(%[a]), %%r9\n\t"		/* committed to since src was made? */
		"jne 10f\n\t"
		"movq 8(%[a]), %%rax\n\t"
		"movq (%%rax), %%r10\n\t"		/* cons [U2] */
		"movq %%r9, %%r11\n\t"
		"subq %%r10, %%r11\n\t"
		"addq 48(%[a]), %%r11\n\t"
		"cmpq 32(%[a]), %%r11\n\t"		/* prod - cons + len > size? */
		"ja 7f\n\t"
		"movq 40(%[a]), %%rsi\n\t"
		"movq 64(%[a]), %%r11\n\t"
		"cmpq $-1, %%r11\n\t"
		"je 8f\n\t"
		"rdtsc\n\t"				/* the timestamp, in sequence */
		"shlq $32, %%rdx\n\t"
		"orq %%rdx, %%rax\n\t"
		"movq %%rax, (%%rsi,%%r11)\n\t"
		"8:\n\t"
		"movq %%r9, %%rdi\n\t"
		"andq 24(%[a]), %%rdi\n\t"
		"addq 16(%[a]), %%rdi\n\t"		/* where it goes */
		"movq 48(%[a]), %%rcx\n\t"
		"xorl %%edx, %%edx\n\t"
		"9:\n\t"				/* copy, 8 bytes at a time */
		"movq (%%rsi,%%rdx), %%rax\n\t"
		"movq %%rax, (%%rdi,%%rdx)\n\t"
		"addq $8, %%rdx\n\t"
		"cmpq %%rcx, %%rdx\n\t"
		"jb 9b\n\t"
		"addq %%rcx, %%r9\n\t"
		"movq %%r9, (%%r8)\n\t"			/* commit [U1] */
		"2:\n\t"
		"xorl %[ret], %[ret]\n\t"
		"jmp 5f\n\t"
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
		"movl $-1, %[ret]\n\t"
		"jmp 5f\n\t"
		".popsection\n\t"
		"6:\n\t"
		"movl $2, %[ret]\n\t"
		"jmp 5f\n\t"
		"10:\n\t"
		"movl $4, %[ret]\n\t"
		"jmp 5f\n\t"
		"7:\n\t"
		"movl $1, %[ret]\n\t"
		"5:\n\t"
		: [ret] "=&r" (ret)
		: [rs] "r" (rs), [cpu] "r" (cpu), [a] "r" (a)
		: "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11",
		  "memory", "cc");
	return ret;
}

#ifdef CTRACE_TEST_HOOKS
void (*ctrace_test_after_lost_read)(void);
#endif

/* glibc's rseq area, or one of our own when glibc registered none. */
static __thread struct rseq own_rseq __attribute__((aligned(32)));

static struct rseq *rseq_area(void)
{
	char *tp;

	/* glibc 2.35+ registers one; 2.36 reports the original 20 bytes. */
	if (__rseq_size >= offsetof(struct rseq, flags)) {
		__asm__("movq %%fs:0, %0" : "=r" (tp));
		return (struct rseq *)(tp + __rseq_offset);
	}
	if (ctrace_tls.own_rseq_state == 0) {
		own_rseq.cpu_id = RSEQ_CPU_ID_UNINITIALIZED;
		ctrace_tls.own_rseq_state =
			syscall(SYS_rseq, &own_rseq, sizeof(own_rseq), 0, RSEQ_SIG) ? 2 : 1;
	}
	return ctrace_tls.own_rseq_state == 1 ? &own_rseq : NULL;
}

/*
 * Where the fast path (fastpath.h) could not finish: @ret says why
 * (CTRACE_FULL, CTRACE_ABORTED, or NOT_FAST: it did not try).
 */
int ctrace_emit_small_slow(uint32_t type, uint32_t id, uint32_t len, uint64_t p0,
			   uint64_t p1, int ret)
{
	struct ctrace_lib *l = &ctrace_lib;
	uint64_t w[4] = {
		0, ctrace_gettid() | (uint64_t)type << 32 | (uint64_t)(len / 8) << 40 |
		   (uint64_t)id << 48, p0, p1,
	};

	if (ret == CTRACE_FULL) {
		struct rseq *rs = ctrace_tls.rs;
		uint32_t cpu = ctrace_load_relaxed(&rs->cpu_id_start);

		count_drop(&l->rings[cpu < l->nr_rings ? cpu : 0]);
		return -1;
	}
	if (ret == CTRACE_ABORTED)
		__atomic_fetch_add(&l->aborts, 1, __ATOMIC_RELAXED);
	return ctrace_emit(w, len);
}

/*
 * @rec: @len bytes, the event at @ev_off after records about it (a THREAD
 * announcement); all of them land together or not at all.
 */
static int emit_rseq(void *rec, uint32_t len, uint32_t ev_off, bool tsc)
{
	struct ctrace_lib *l = &ctrace_lib;
	uint8_t buf[CTRACE_APPEND_MAX];
	struct rseq *rs = rseq_area();
	uint32_t cpu = 0;

	if (!rs) {
		/* Cannot write safely; say so rather than lose it silently. */
		count_drop(&l->rings[cpu_now() % l->nr_rings]);
		return -1;
	}
	for (int tries = 0; tries < RSEQ_RETRIES; tries++) {
		struct ctrace_uring *r;
		struct rseq_append a;
		uint32_t n = len, ev;
		uint64_t lost, seen;
		void *src;
		int ret;

		cpu = ctrace_load_relaxed(&rs->cpu_id_start);
		if (cpu >= l->nr_rings)
			return -1;
		r = &l->rings[cpu];
		/*
		 * prod before the LOST total: the sequence checks that prod has
		 * not moved since, so no record of this CPU with a larger total
		 * went in first.  Writers of this CPU are ordered by the context
		 * switches between them; the acquire only keeps the compiler
		 * from reading the total first.
		 */
		seen = ctrace_load_acquire(&r->prod);
		src = with_lost(r, rec, &n, buf, &lost);
#ifdef CTRACE_TEST_HOOKS
		if (lost && ctrace_test_after_lost_read)
			ctrace_test_after_lost_read();
#endif
		ev = ev_off + (src == buf ? sizeof(struct ctrace_urec_lost) : 0);
		a = (struct rseq_append){
			.prod_seen = seen,
			.prod = &r->prod,
			.cons = &l->cons[cpu].cons,
			.dst_base = ring_data(l, cpu),
			.mask = l->data_size - 1,
			.size = l->data_size,
			.src = (uint8_t *)src,
			.len = n,
			.enabled = &l->ctl->enabled,
			.ts_off = ~0ull,
		};
		if (tsc) {
			/* The event's time is read inside the sequence; the
			 * records in front of it take the time just before. */
			a.ts_off = ev;
			if (ev)
				stamp(src, ev, read_tsc());
		} else {
			stamp(src, n, mono_ns());
		}
		ret = rseq_append(rs, cpu, &a);
		if (ret == CTRACE_APPENDED) {
			if (lost)
				ctrace_store_relaxed(&r->lost_mark, lost);
			return 0;
		}
		if (ret == CTRACE_FULL) {
			count_drop(r);
			return -1;
		}
		if (ret == CTRACE_STOPPED)
			return -1;
		/* CTRACE_RACED: another record went in first; make src again. */
		if (ret == CTRACE_RACED)
			continue;
		/* CTRACE_ABORTED: preempted, migrated or signalled; go again. */
		__atomic_fetch_add(&l->aborts, 1, __ATOMIC_RELAXED);
	}
	/* Aborted over and over: give it up, counted. */
	count_drop(&l->rings[cpu < l->nr_rings ? cpu : 0]);
	return -1;
}
#else
static struct rseq *rseq_area(void)
{
	return NULL;
}

int ctrace_emit_small_slow(uint32_t type, uint32_t id, uint32_t len, uint64_t p0,
			   uint64_t p1, int ret)
{
	uint64_t w[4] = {
		0, ctrace_gettid() | (uint64_t)type << 32 | (uint64_t)(len / 8) << 40 |
		   (uint64_t)id << 48, p0, p1,
	};

	(void)ret;
	return ctrace_emit(w, len);
}

static int emit_rseq(void *rec, uint32_t len, uint32_t ev_off, bool tsc)
{
	(void)rec;
	(void)len;
	(void)ev_off;
	(void)tsc;
	return -1;
}
#endif

static int emit_locked(void *rec, uint32_t len, bool tsc)
{
	struct ctrace_lib *l = &ctrace_lib;
	uint8_t buf[CTRACE_APPEND_MAX];
	uint32_t tid = ctrace_gettid(), free_word = 0, n = len;
	uint32_t cpu = cpu_now() % l->nr_rings;
	struct ctrace_uring *r = &l->rings[cpu];
	uint64_t prod, cons, lost;
	void *src;

	/* Acquire: pairs with the release stores of 0 below (the last holder)
	 * and with the reader's compare-and-swap of a dead holder's lock. */
	if (!__atomic_compare_exchange_n(&r->lock, &free_word, tid, false,
					 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
		count_drop(r);	/* never wait: a holder may be dead */
		return -1;
	}
	if (!ctrace_load_relaxed(&l->ctl->enabled))
		goto unlock;
	src = with_lost(r, rec, &n, buf, &lost);
	prod = ctrace_load_relaxed(&r->prod);
	cons = ctrace_load_acquire(&l->cons[cpu].cons);	/* [U2] */
	if (prod - cons + n > l->data_size) {
		__atomic_store_n(&r->lock, 0, __ATOMIC_RELEASE);
		count_drop(r);
		return -1;
	}
	stamp(src, n, tsc ? read_tsc() : mono_ns());
	memcpy(ring_data(l, cpu) + (prod & (l->data_size - 1)), src, n);
	ctrace_store_release(&r->prod, prod + n);		/* [U1] */
	if (lost)
		ctrace_store_relaxed(&r->lost_mark, lost);
	__atomic_store_n(&r->lock, 0, __ATOMIC_RELEASE);
	return 0;
unlock:
	__atomic_store_n(&r->lock, 0, __ATOMIC_RELEASE);
	return -1;
}

static void prctl_name(char name[CTRACE_COMM_LEN])
{
	if (prctl(PR_GET_NAME, name))
		name[0] = '\0';
}

/*
 * The thread's first event while this session records says who it is: a
 * THREAD record goes in front of it, in the same append, so that both
 * land or neither does.  Only the event counts as lost; the announcement
 * is tried again with the next one.
 */
static uint32_t announce(uint8_t *buf)
{
	struct ctrace_urec_thread t = {
		.h = {
			.tid = ctrace_gettid(),
			.type = CTRACE_UREC_THREAD,
			.size = sizeof(t) / 8,
		},
		.tgid = ctrace_lib.tgid,
	};

	if (ctrace_tls.name[0])
		memcpy(t.name, ctrace_tls.name, sizeof(t.name));
	else
		prctl_name(t.name);
	memcpy(buf, &t, sizeof(t));
	return sizeof(t);
}

int ctrace_emit(void *rec, uint32_t len)
{
	struct ctrace_lib *l = &ctrace_lib;
	/* After the caller's load of enabled (loads stay in order on x86; the
	 * kernel and ctrace-dump write gen, then store-release enabled). */
	uint32_t gen = ctrace_load_acquire(&l->ctl->gen), ev_off = 0;
	uint8_t buf[sizeof(struct ctrace_urec_thread) + CTRACE_RECORD_MAX];
	bool tsc, announcing;
	int ret;

	if (!l->mode)
		return -1;
	announcing = !ctrace_tls.announced || ctrace_tls.announced_gen != gen;
	if (announcing) {
		ev_off = announce(buf);
		memcpy(buf + ev_off, rec, len);
		rec = buf;
		len += ev_off;
	}
	tsc = l->ctl->clock == CTRACE_CLOCK_TSC;
	if (l->mode == CTRACE_MODE_RSEQ)
		ret = emit_rseq(rec, len, ev_off, tsc);
	else
		ret = emit_locked(rec, len, tsc);
	if (!ret && announcing) {
		ctrace_tls.announced = true;
		ctrace_tls.announced_gen = gen;
	}
	/* From now on, small records of this thread take the fast path
	 * (until the generation changes: a new session, or a rename). */
	if (!ret && tsc && l->mode == CTRACE_MODE_RSEQ) {
		struct rseq *rs = rseq_area();

		if (rs) {
			ctrace_tls.rs = rs;
			ctrace_tls.fast_gen = gen;
		}
	}
	return ret;
}
