/* SPDX-License-Identifier: LGPL-2.1 */
/*
 * Mapping a user ring set that lives in a memfd (user-only mode): the
 * layout is the ring set's header's, with each ring's data mapped twice in
 * a row (see uapi/linux/ctrace.h, "User events: ring sets").  Shared by
 * libctrace (the writers) and ctrace-dump (which creates the memfd and
 * reads it).  /dev/ctrace does the same in the kernel.
 */
#ifndef CTRACE_USET_MAP_H
#define CTRACE_USET_MAP_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <unistd.h>
#include <sys/mman.h>
#include <linux/ctrace.h>

/* Is @h a layout we can map in @mapped bytes without leaving them? */
static inline bool ctrace_uset_layout_ok(const struct ctrace_uset *h,
					 uint64_t mapped)
{
	uint64_t ps = sysconf(_SC_PAGESIZE);

	return h->magic == CTRACE_USET_MAGIC && h->version == CTRACE_USET_VERSION &&
	       h->header_size >= sizeof(*h) && h->nr_rings && h->nr_rings <= 65536 &&
	       h->data_size >= ps && !(h->data_size & (h->data_size - 1)) &&
	       h->data_size <= (1ull << 32) && h->rings_off >= ps &&
	       h->rings_off + h->nr_rings * sizeof(struct ctrace_uring) <= h->cons_off &&
	       h->cons_off + h->nr_rings * sizeof(struct ctrace_ring_cons) <= h->strings_off &&
	       h->strings_off + h->strings_size <= h->data_off &&
	       !(h->data_off % ps) && !(h->backing_data_off % ps) &&
	       h->map_size == h->data_off + 2 * h->nr_rings * h->data_size &&
	       h->map_size == mapped &&
	       (h->flags & (CTRACE_USET_F_RSEQ | CTRACE_USET_F_LOCKED));
}

/*
 * Map the ring set at @offset of @fd, laid out as @h says (checked), with
 * every ring's data twice.  Returns the mapping or MAP_FAILED.
 */
static inline void *ctrace_uset_map_fd(int fd, off_t offset,
				       const struct ctrace_uset *h)
{
	uint8_t *base;

	if (!ctrace_uset_layout_ok(h, h->map_size))
		return MAP_FAILED;
	/* Reserve the whole range, then fill it from the file. */
	base = (uint8_t *)mmap(NULL, h->map_size, PROT_NONE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		return MAP_FAILED;
	if (mmap(base, h->data_off, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		 fd, offset) == MAP_FAILED)
		goto fail;
	for (uint32_t i = 0; i < h->nr_rings; i++) {
		off_t src = offset + h->backing_data_off + (off_t)i * h->data_size;
		uint8_t *dst = base + h->data_off + 2 * (uint64_t)i * h->data_size;

		for (int copy = 0; copy < 2; copy++)
			if (mmap(dst + copy * h->data_size, h->data_size,
				 PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
				 fd, src) == MAP_FAILED)
				goto fail;
	}
	return base;
fail:
	munmap(base, h->map_size);
	return MAP_FAILED;
}

#endif
