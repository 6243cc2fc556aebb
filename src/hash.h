/* hash.h - the one hash function (FNV-1a) and the one hash map of idx.
 *
 * FNV-1a is used wherever a hash is stored or must agree across runs and
 * machines: page ids and the site line table (clean.c, pages), idxd's cache
 * keys, cluster keys and band terms (cluster.c), shingles (neardup.c), hash
 * shards (archive.c), the --jobs router (route.c) and the database identity.
 * Stored values depend on the exact seeds below, so they never change.
 *
 * idx_map is an open-addressing table from 64-bit keys to fixed-size values
 * (valsize bytes each, zeroed when added), kept at most half full.  Keys are
 * usually hashes; key 0 is taken as 1.  It is also a multimap (idx_map_add
 * adds a key again, idx_map_next walks them), so a caller keyed by a hash of a
 * string can tell strings with equal hashes apart by comparing its own copy.
 * Memory: 8 + valsize bytes a slot, 2-4 slots an entry.  Values move when the
 * table grows or an entry is removed: a pointer from get/next/put/add is good
 * until the next add, put or remove.
 */
#ifndef IDX_HASH_H
#define IDX_HASH_H

#include <stddef.h>
#include <stdint.h>

/* 64-bit FNV-1a going on from h.  The seed is one digit short of FNV's
 * offset basis (14695981039346656037); ids made with it are stored, so it
 * stays. */
#define IDX_HASH_SEED 1469598103934665603ull
#define IDX_HASH_PRIME 1099511628211ull
uint64_t idx_hash(uint64_t h, const void *p, size_t n);
/* One step over a unit wider than a byte (a code point). */
static inline uint64_t idx_hash_unit(uint64_t h, uint64_t unit)
{
    return (h ^ unit) * IDX_HASH_PRIME;
}

/* 32-bit FNV-1a (standard offset basis), for hash shards, band terms and the
 * router's fallback, whose stored values were made with it. */
#define IDX_HASH32_SEED 2166136261u
uint32_t idx_hash32(uint32_t h, const void *p, size_t n);

typedef struct idx_map {
    uint64_t *keys;      /* owned; 0: empty slot */
    unsigned char *vals; /* owned; valsize bytes per slot */
    size_t valsize;
    size_t cap, used;    /* cap 0 or a power of two */
} idx_map;

void idx_map_init(idx_map *m, size_t valsize); /* valsize >= 1 */
void idx_map_fini(idx_map *m); /* frees, and leaves it empty */
/* The value of key (one of them, when several), or NULL. */
void *idx_map_get(const idx_map *m, uint64_t key);
/* The values of key one by one, in no set order: start with *it = 0; NULL
 * when no more.  An add, put or remove ends the walk (start again). */
void *idx_map_next(const idx_map *m, uint64_t key, size_t *it);
/* The value of key, added (zeroed) when missing; *added (may be NULL) says
 * which.  NULL when out of memory (the map is unchanged). */
void *idx_map_put(idx_map *m, uint64_t key, int *added);
/* A new entry for key even when it is there already (a multimap); its value
 * zeroed.  NULL when out of memory. */
void *idx_map_add(idx_map *m, uint64_t key);
/* Remove the entry whose value val points at (from get, next, put or add,
 * still good).  The table never shrinks. */
void idx_map_remove(idx_map *m, void *val);

#endif
