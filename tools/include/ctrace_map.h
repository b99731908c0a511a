/* SPDX-License-Identifier: LGPL-2.1 */
/*
 * ctrace_map: a small hash map from u64 keys to u32 values (an index into
 * the caller's array), open addressing, growing at half full.  The reader
 * indexes rings, strings and threads with it; the model and analyses
 * their threads and CPUs.
 */
#ifndef CTRACE_MAP_H
#define CTRACE_MAP_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

/* Open addressing, u64 keys to u32 values; grows at half full. */
#define CTRACE_MAP_NONE UINT32_MAX

struct ctrace_map {
	uint64_t *keys;
	uint32_t *vals;		/* CTRACE_MAP_NONE: empty slot */
	size_t mask;		/* slots - 1, slots a power of two */
	size_t n;
};

static inline size_t ctrace_map_slot(uint64_t key, size_t mask)
{
	/* Fibonacci hashing: CPU numbers and tids are small and dense. */
	return (size_t)((key * 0x9e3779b97f4a7c15ull) >> 32) & mask;
}

static inline uint32_t ctrace_map_get(const struct ctrace_map *m, uint64_t key)
{
	if (!m->vals)
		return CTRACE_MAP_NONE;
	for (size_t i = ctrace_map_slot(key, m->mask);; i = (i + 1) & m->mask) {
		if (m->vals[i] == CTRACE_MAP_NONE)
			return CTRACE_MAP_NONE;
		if (m->keys[i] == key)
			return m->vals[i];
	}
}

static inline int ctrace_map_grow(struct ctrace_map *m)
{
	size_t slots = m->vals ? (m->mask + 1) * 2 : 64;
	uint64_t *keys = malloc(slots * sizeof(*keys));
	uint32_t *vals = malloc(slots * sizeof(*vals));

	if (!keys || !vals) {
		free(keys);
		free(vals);
		return -ENOMEM;
	}
	for (size_t i = 0; i < slots; i++)
		vals[i] = CTRACE_MAP_NONE;
	for (size_t i = 0; m->vals && i <= m->mask; i++) {
		size_t j;

		if (m->vals[i] == CTRACE_MAP_NONE)
			continue;
		j = ctrace_map_slot(m->keys[i], slots - 1);
		while (vals[j] != CTRACE_MAP_NONE)
			j = (j + 1) & (slots - 1);
		keys[j] = m->keys[i];
		vals[j] = m->vals[i];
	}
	free(m->keys);
	free(m->vals);
	m->keys = keys;
	m->vals = vals;
	m->mask = slots - 1;
	return 0;
}

/* Insert or replace. */
static inline int ctrace_map_put(struct ctrace_map *m, uint64_t key,
				 uint32_t val)
{
	size_t i;

	if (!m->vals || (m->n + 1) * 2 > m->mask + 1) {
		int err = ctrace_map_grow(m);

		if (err)
			return err;
	}
	for (i = ctrace_map_slot(key, m->mask);; i = (i + 1) & m->mask) {
		if (m->vals[i] == CTRACE_MAP_NONE) {
			m->n++;
			break;
		}
		if (m->keys[i] == key)
			break;
	}
	m->keys[i] = key;
	m->vals[i] = val;
	return 0;
}

static inline void ctrace_map_free(struct ctrace_map *m)
{
	free(m->keys);
	free(m->vals);
	m->keys = NULL;
	m->vals = NULL;
	m->mask = 0;
	m->n = 0;
}

#endif
