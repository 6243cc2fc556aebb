/* hash.c - see hash.h.  Linear probing from a Fibonacci hash of the key's
 * slot; the table doubles at half full. */
#include "hash.h"

#include <stdlib.h>
#include <string.h>

uint64_t idx_hash(uint64_t h, const void *p, size_t n)
{
    const unsigned char *s = p;
    for (size_t k = 0; k < n; k++) h = idx_hash_unit(h, s[k]);
    return h;
}

uint32_t idx_hash32(uint32_t h, const void *p, size_t n)
{
    const unsigned char *s = p;
    for (size_t k = 0; k < n; k++) h = (h ^ s[k]) * 16777619u;
    return h;
}

void idx_map_init(idx_map *m, size_t valsize)
{
    memset(m, 0, sizeof *m);
    m->valsize = valsize;
}

void idx_map_fini(idx_map *m)
{
    free(m->keys);
    free(m->vals);
    idx_map_init(m, m->valsize);
}

static size_t home(size_t cap, uint64_t key)
{
    return (size_t)((key * 11400714819323198485ull) >> 32) & (cap - 1);
}

void *idx_map_next(const idx_map *m, uint64_t key, size_t *it)
{
    if (!key) key = 1;
    size_t mask = m->cap - 1, h = m->cap ? home(m->cap, key) : 0;
    while (*it < m->cap) { /* never full: an empty slot ends the run */
        size_t i = (h + *it) & mask;
        if (!m->keys[i]) break;
        ++*it;
        if (m->keys[i] == key) return m->vals + i * m->valsize;
    }
    *it = m->cap;
    return NULL;
}

void *idx_map_get(const idx_map *m, uint64_t key)
{
    size_t it = 0;
    return idx_map_next(m, key, &it);
}

static size_t free_slot(const idx_map *m, uint64_t key)
{
    size_t mask = m->cap - 1, i = home(m->cap, key);
    while (m->keys[i]) i = (i + 1) & mask;
    return i;
}

static int grow(idx_map *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 64;
    idx_map n = {.valsize = m->valsize, .cap = ncap, .used = m->used};
    n.keys = calloc(ncap, sizeof *n.keys);
    n.vals = calloc(ncap, m->valsize);
    if (!n.keys || !n.vals) {
        free(n.keys);
        free(n.vals);
        return -1;
    }
    for (size_t i = 0; i < m->cap; i++)
        if (m->keys[i]) {
            size_t s = free_slot(&n, m->keys[i]);
            n.keys[s] = m->keys[i];
            memcpy(n.vals + s * m->valsize, m->vals + i * m->valsize, m->valsize);
        }
    free(m->keys);
    free(m->vals);
    *m = n;
    return 0;
}

void *idx_map_add(idx_map *m, uint64_t key)
{
    if (!key) key = 1;
    if ((m->used + 1) * 2 > m->cap && grow(m)) return NULL;
    size_t s = free_slot(m, key);
    m->keys[s] = key;
    m->used++;
    return memset(m->vals + s * m->valsize, 0, m->valsize);
}

void *idx_map_put(idx_map *m, uint64_t key, int *added)
{
    void *v = idx_map_get(m, key);
    if (added) *added = !v;
    return v ? v : idx_map_add(m, key);
}

void idx_map_remove(idx_map *m, void *val)
{
    size_t mask = m->cap - 1;
    size_t i = (size_t)((unsigned char *)val - m->vals) / m->valsize;
    m->keys[i] = 0;
    m->used--;
    /* close the gap: move back each entry of the run after it that may live
     * in the hole (its home is not between the hole and itself) */
    for (size_t j = (i + 1) & mask; m->keys[j]; j = (j + 1) & mask) {
        size_t h = home(m->cap, m->keys[j]);
        if (((j - h) & mask) < ((j - i) & mask)) continue; /* home in (i, j]: stays */
        m->keys[i] = m->keys[j];
        memcpy(m->vals + i * m->valsize, m->vals + j * m->valsize, m->valsize);
        m->keys[j] = 0;
        i = j;
    }
}
