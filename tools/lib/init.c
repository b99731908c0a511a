// SPDX-License-Identifier: LGPL-2.1
/*
 * Finding the rings, once, when the library loads.
 *
 * With CTRACE_USER_FD set (ctrace-dump's user-only mode), the ring set is
 * that memfd: control page at 0, the ring set's header after it.  Else
 * /dev/ctrace, REGISTERed: the kernel hands out a control page and the
 * calling user's ring set.  Either way the ring set is mapped with each
 * ring's data twice in a row (the kernel does it for /dev/ctrace; here it
 * takes two mmaps per ring), so that records never wrap.
 *
 * Nothing found: ctrace_enabled_word keeps pointing at a zero, and every
 * call costs its load and branch and nothing more.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/rseq.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "barrier.h"
#include "internal.h"
#include "uset_map.h"

struct ctrace_lib ctrace_lib = { .intern_lock = PTHREAD_MUTEX_INITIALIZER };
struct ctrace_fast_cpu ctrace_fast[CTRACE_FAST_CPUS];
/* Until a thread has its rseq area, the fast path reads this one: no CPU
 * matches, and it gives up before writing anything here. */
static const struct rseq no_rseq = { .cpu_id_start = ~0u, .cpu_id = ~0u };
__thread struct ctrace_tls ctrace_tls = { .rs = (struct rseq *)&no_rseq };

static const uint32_t disabled;
const volatile uint32_t *ctrace_enabled_word = &disabled;

uint32_t ctrace_gettid(void)
{
	if (!ctrace_tls.tid)
		ctrace_tls.tid = syscall(SYS_gettid);
	return ctrace_tls.tid;
}

static int map_device(void);

/*
 * A forked child is another process: its thread announces itself anew,
 * and with the module it registers anew, so that sessions enable it (or
 * not) for itself rather than through its parent's control page.
 */
static void after_fork_in_child(void)
{
	struct ctrace_lib *l = &ctrace_lib;

	ctrace_tls.tid = 0;
	ctrace_tls.announced = false;
	ctrace_tls.fast_gen = 0;
	l->tgid = getpid();
	if (l->own_set) {
		/* The parent's ctrace_start() ring set is its own: the child
		 * writes nothing there (and, user-only, records nothing). */
		ctrace_store_release(&ctrace_enabled_word, &disabled);
		l->mode = 0;
		l->own_set = false;
		return;
	}
	if (!l->device)
		return;
	/* Pairs with the dependent load in ctrace_enabled() (ctrace.h). */
	ctrace_store_release(&ctrace_enabled_word, &disabled);
	munmap((void *)l->ctl, l->ctl_size);
	munmap(l->uset, l->uset_size);
	l->ctl = NULL;
	l->uset = NULL;
	if (map_device())
		l->mode = 0;
}

static void publish(const volatile struct ctrace_user_ctl *ctl, uint8_t *uset,
		    const struct ctrace_uset *h, uint64_t map_size)
{
	struct ctrace_lib *l = &ctrace_lib;

	l->ctl = ctl;
	l->uset = uset;
	l->uset_size = map_size;
	l->hdr = (struct ctrace_uset *)uset;
	l->rings = (struct ctrace_uring *)(uset + h->rings_off);
	l->cons = (struct ctrace_ring_cons *)(uset + h->cons_off);
	l->strings = uset + h->strings_off;
	l->strings_size = h->strings_size;
	l->data = uset + h->data_off;
	l->data_size = h->data_size;
	l->ring_stride = 2 * h->data_size;
	l->room = h->data_size - 32;
	l->mask = h->data_size - 1;
	l->nr_rings = h->nr_rings;
	l->tgid = getpid();
	l->mode = h->flags & CTRACE_USET_F_RSEQ ? CTRACE_MODE_RSEQ : CTRACE_MODE_LOCKED;
	l->nr_fast = l->nr_rings < CTRACE_FAST_CPUS ? l->nr_rings : CTRACE_FAST_CPUS;
	for (uint32_t i = 0; i < l->nr_fast; i++)
		ctrace_fast[i] = (struct ctrace_fast_cpu){
			.ring = &l->rings[i],
			.cons = &l->cons[i].cons,
			.data = l->data + i * l->ring_stride,
		};
	/* Everything above is set before anyone can see "enabled": pairs with
	 * the dependent load through the pointer in ctrace_enabled(). */
	ctrace_store_release(&ctrace_enabled_word, &ctl->enabled);
}

/* User-only mode: the memfd ctrace-dump passed down (control page first). */
static int map_user_fd(int fd)
{
	long ps = sysconf(_SC_PAGESIZE);
	struct ctrace_uset h;
	struct stat st;
	uint8_t *base;
	void *ctl;

	/* The header, once, before anyone else can change it under us. */
	if (fstat(fd, &st) || pread(fd, &h, sizeof(h), ps) != sizeof(h) ||
	    !ctrace_uset_layout_ok(&h, h.map_size) ||
	    (uint64_t)ps + h.backing_data_off + h.nr_rings * h.data_size >
	    (uint64_t)st.st_size)
		return -EINVAL;
	ctl = mmap(NULL, ps, PROT_READ, MAP_SHARED, fd, 0);
	if (ctl == MAP_FAILED)
		return -errno;
	base = ctrace_uset_map_fd(fd, ps, &h);
	if (base == MAP_FAILED) {
		munmap(ctl, ps);
		return -ENOMEM;
	}
	publish(ctl, base, &h, h.map_size);
	return 0;
}

/* Module mode: register with /dev/ctrace. */
static int map_device(void)
{
	struct ctrace_register r = { .size = sizeof(r) };
	uint8_t *uset;
	void *ctl;
	int fd, err;

	fd = open(CTRACE_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, CTRACE_IOC_REGISTER, &r)) {
		err = -errno;
		close(fd);
		return err;
	}
	ctl = mmap(NULL, r.ctl_size, PROT_READ, MAP_SHARED, fd, r.ctl_off);
	uset = mmap(NULL, r.uset_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		    r.uset_off);
	/* The mappings keep the registration; the descriptor can go. */
	close(fd);
	if (ctl == MAP_FAILED || uset == MAP_FAILED ||
	    !ctrace_uset_layout_ok((const struct ctrace_uset *)uset, r.uset_size)) {
		if (ctl != MAP_FAILED)
			munmap(ctl, r.ctl_size);
		if (uset != MAP_FAILED)
			munmap(uset, r.uset_size);
		return -EINVAL;
	}
	ctrace_lib.device = true;
	ctrace_lib.ctl_size = r.ctl_size;
	publish(ctl, uset, (const struct ctrace_uset *)uset, r.uset_size);
	return 0;
}

int ctrace_lib_adopt_fd(int fd)
{
	int err;

	if (ctrace_lib.mode || ctrace_lib.own_set)
		return -EBUSY;
	err = map_user_fd(fd);
	if (!err)
		ctrace_lib.own_set = true;
	return err;
}

bool ctrace_lib_device(void)
{
	/* The module may have been loaded after us. */
	if (!ctrace_lib.device && !ctrace_lib.mode && !ctrace_lib.own_set)
		map_device();
	return ctrace_lib.device;
}

static void init_once(void)
{
	const char *fd = getenv("CTRACE_USER_FD");

	pthread_atfork(NULL, NULL, after_fork_in_child);
	if (fd && *fd)
		map_user_fd(atoi(fd));
	else
		map_device();
}

void ctrace_lib_init(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, init_once);
}

/*
 * CTRACE_TRACE=FILE: record from the start (ctrace_start), for programs
 * that link the library but cannot be changed.  Not for a program that
 * ctrace-dump records already (CTRACE_USER_FD), and not inherited: the
 * program's children would write the same file.
 */
static void trace_from_environment(void)
{
	const char *v = getenv("CTRACE_TRACE");
	char *path;

	if (!v || !*v)
		return;
	path = strdup(v);
	unsetenv("CTRACE_TRACE");
	if (path && ctrace_start(path, NULL))
		fprintf(stderr, "libctrace: CTRACE_TRACE=%s: %s\n", path,
			ctrace_start_error());
	free(path);
}

__attribute__((constructor)) static void ctrace_load(void)
{
	ctrace_lib_init();
	trace_from_environment();
}

int ctrace_mode(void)
{
	return ctrace_lib.mode;
}

void ctrace_get_stats(struct ctrace_lib_stats *out)
{
	*out = (struct ctrace_lib_stats){
		.dropped = ctrace_load_relaxed(&ctrace_lib.dropped),
		.aborts = ctrace_load_relaxed(&ctrace_lib.aborts),
	};
}

/*
 * Ask the recorder for a flight-recorder snapshot: a counter in the ring
 * set's header, which the recorder compares with what it saw at its last
 * drain (tools/recorder/user.c).  Relaxed: the snapshot is taken after a
 * drain that comes later, whatever order the two stores are seen in.
 */
int ctrace_snapshot(void)
{
	if (!ctrace_lib.hdr)
		ctrace_lib_init();
	if (!ctrace_lib.hdr || !ctrace_lib.mode)
		return -ENODEV;
	__atomic_fetch_add(&ctrace_lib.hdr->snapshot_req, 1, __ATOMIC_RELAXED);
	return 0;
}
