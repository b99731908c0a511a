// SPDX-License-Identifier: LGPL-2.1
/*
 * Interning names into the ring set's string table, so that events carry a
 * 16-bit ID instead of the bytes.
 *
 * A literal's call site caches its ID (struct ctrace_str), so after the
 * first use it costs one load.  A process also remembers every string it
 * interned (a small hash table), so a name used at many call sites, or a
 * dynamic name used again, is interned once.  The table itself is shared
 * by the user's processes: an entry's bytes and its ID are reserved with
 * fetch-and-add on the header, written (the length first), then published
 * by storing the ID with release; a writer that dies before the ID costs
 * readers only its own entry (usan.c steps over it).  The header is writable by any process of the user, so
 * positions are checked against the sizes known since init.
 */
#include <stdlib.h>
#include <string.h>

#include "barrier.h"
#include "internal.h"

struct known {
	uint64_t hash;
	uint32_t id;
	uint32_t len;
	char *s;
};

/* Strings this process interned.  Under ctrace_lib.intern_lock. */
static struct known *known;
static size_t nr_known, known_cap;	/* cap: a power of two, or 0 */

static uint64_t fnv1a(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;

	while (len--)
		h = (h ^ (unsigned char)*s++) * 0x100000001b3ull;
	return h;
}

static struct known *lookup(uint64_t h, const char *s, size_t len)
{
	for (size_t i = h & (known_cap - 1);; i = (i + 1) & (known_cap - 1)) {
		struct known *k = &known[i];

		if (!k->s || (k->hash == h && k->len == len && !memcmp(k->s, s, len)))
			return k;
	}
}

/* Make room for one more entry (load factor below 1/2).  0 or -1. */
static int grow(void)
{
	struct known *old = known;
	size_t cap = known_cap ? known_cap * 2 : 64;

	if (nr_known + 1 < known_cap / 2)
		return 0;
	known = calloc(cap, sizeof(*known));
	if (!known) {
		known = old;
		return -1;
	}
	known_cap = cap;
	for (size_t i = 0; old && i < cap / 2; i++)
		if (old[i].s)
			*lookup(old[i].hash, old[i].s, old[i].len) = old[i];
	free(old);
	return 0;
}

/* Write a new entry to the shared table; its ID, or 0 when full. */
static uint32_t publish(const char *s, size_t len)
{
	struct ctrace_lib *l = &ctrace_lib;
	uint64_t size = sizeof(struct ctrace_ustring) + ((len + 1 + 7) & ~7ull);
	uint64_t pos = __atomic_fetch_add(&l->hdr->strings_pos, size, __ATOMIC_RELAXED);
	struct ctrace_ustring *e;
	uint32_t id;

	if (pos > l->strings_size || size > l->strings_size - pos)
		return 0;	/* table full: the event goes without a name */
	id = __atomic_add_fetch(&l->hdr->next_string_id, 1, __ATOMIC_RELAXED);
	if (!id)
		return 0;
	e = (struct ctrace_ustring *)(l->strings + pos);
	/*
	 * The length first, then a fence before the bytes: a reader that
	 * sees any byte of the string sees the length too (pairs with the
	 * acquire fence in usan.c's ustr_next_written()), so that, should we
	 * die before the ID, it can step over this entry by its length, or,
	 * seeing zeros where it should be, know nothing of it was written.
	 */
	ctrace_store_relaxed(&e->len, (uint16_t)len);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	memcpy(e + 1, s, len);
	memset((char *)(e + 1) + len, 0, size - sizeof(*e) - len);
	/* Readers see the bytes before the ID that says they are there: pairs
	 * with the acquire fence after ctrace_ustrtab_scan() reads an id
	 * (usan.c).  An ID records cannot carry (16 bits) is published all the
	 * same, so that readers end the table there rather than wait for it,
	 * but is not used. */
	ctrace_store_release(&e->id, id);
	return id > 0xffff ? 0 : id;
}

uint32_t ctrace_intern_bytes(const char *s, size_t len)
{
	struct known *k;
	uint64_t h;
	uint32_t id = 0;

	if (len > CTRACE_USTRING_MAX)
		len = CTRACE_USTRING_MAX;
	h = fnv1a(s, len);
	pthread_mutex_lock(&ctrace_lib.intern_lock);
	if (grow())
		goto out;
	k = lookup(h, s, len);
	if (k->s) {
		id = k->id;
		goto out;
	}
	id = publish(s, len);
	k->s = malloc(len + 1);
	if (id && k->s) {
		memcpy(k->s, s, len);
		k->s[len] = '\0';
		k->hash = h;
		k->len = len;
		k->id = id;
		nr_known++;
	} else {
		free(k->s);
		k->s = NULL;
	}
out:
	pthread_mutex_unlock(&ctrace_lib.intern_lock);
	return id;
}

uint32_t ctrace_intern(struct ctrace_str *cs)
{
	/* Pairs with the store-release below, in whichever thread interned
	 * it first: the table entry is written before its ID is seen here. */
	uint32_t id = ctrace_load_acquire(&cs->id);

	if (id)
		return id;
	id = ctrace_intern_bytes(cs->s, strlen(cs->s));
	/* Racing threads compute the same ID: any of them may store it. */
	ctrace_store_release(&cs->id, id);
	return id;
}

uint32_t ctrace_intern_dyn_(const char *s)
{
	return s ? ctrace_intern_bytes(s, strlen(s)) : 0;
}
