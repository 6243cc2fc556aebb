/* cache.c - see cache.h.  The entries sit in hash.h's map (the hash of the
 * key -> the entry; keys with equal hashes told apart by their bytes) and on a
 * doubly linked list, most recently used first. */
#include "cache.h"

#include "buf.h"
#include "hash.h"

#include <stdlib.h>
#include <string.h>

typedef struct entry {
    struct entry *newer, *older;
    uint64_t hash;
    char *value; /* vn bytes */
    size_t vn, n;
    char key[]; /* n bytes */
} entry;

struct idxd_cache {
    idx_map index; /* hash of the key -> entry * */
    size_t max, count;
    size_t max_bytes, bytes; /* bytes: what the entries hold, as entry_bytes counts */
    entry *newest, *oldest;
    uint64_t rev, identity;
    int have_rev;
    uint64_t hits, misses;
};

static uint64_t hash_of(const char *s, size_t n)
{
    return idx_hash(IDX_HASH_SEED, s, n);
}

/* What an entry costs: its answer, its key and its header, each rounded up
 * as malloc would (16-byte chunks, 16 bytes of overhead). */
static size_t entry_bytes(size_t n, size_t vn)
{
    size_t a = (sizeof(entry) + n + 16 + 15) & ~(size_t)15, b = (vn + 16 + 15) & ~(size_t)15;
    return a + b;
}

idxd_cache *idxd_cache_new(size_t max, size_t max_bytes)
{
    idxd_cache *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->max = max_bytes ? max : 0;
    c->max_bytes = max_bytes;
    idx_map_init(&c->index, sizeof(entry *));
    return c;
}

static void unlink_lru(idxd_cache *c, entry *e)
{
    if (e->newer) e->newer->older = e->older;
    else c->newest = e->older;
    if (e->older) e->older->newer = e->newer;
    else c->oldest = e->newer;
    e->newer = e->older = NULL;
}

static void push_newest(idxd_cache *c, entry *e)
{
    e->older = c->newest;
    e->newer = NULL;
    if (c->newest) c->newest->newer = e;
    c->newest = e;
    if (!c->oldest) c->oldest = e;
}

static void drop(idxd_cache *c, entry *e)
{
    size_t it = 0;
    for (entry **p; (p = idx_map_next(&c->index, e->hash, &it));)
        if (*p == e) {
            idx_map_remove(&c->index, p);
            break;
        }
    unlink_lru(c, e);
    c->bytes -= entry_bytes(e->n, e->vn);
    free(e->value);
    free(e);
    c->count--;
}

void idxd_cache_clear(idxd_cache *c)
{
    if (!c) return;
    while (c->oldest) drop(c, c->oldest);
}

void idxd_cache_free(idxd_cache *c)
{
    if (!c) return;
    idxd_cache_clear(c);
    idx_map_fini(&c->index);
    free(c);
}

void idxd_cache_revision(idxd_cache *c, uint64_t rev, uint64_t identity)
{
    if (!c) return;
    if (c->have_rev && (c->rev != rev || c->identity != identity)) idxd_cache_clear(c);
    c->rev = rev;
    c->identity = identity;
    c->have_rev = 1;
}

static entry *find(const idxd_cache *c, const char *key, size_t n, uint64_t h)
{
    size_t it = 0;
    for (entry **p; (p = idx_map_next(&c->index, h, &it));)
        if ((*p)->n == n && memcmp((*p)->key, key, n) == 0) return *p;
    return NULL;
}

const char *idxd_cache_get(idxd_cache *c, const char *key, size_t n, size_t *len)
{
    if (!c || !c->max) return NULL;
    entry *e = find(c, key, n, hash_of(key, n));
    if (!e) {
        c->misses++;
        return NULL;
    }
    c->hits++;
    unlink_lru(c, e);
    push_newest(c, e);
    *len = e->vn;
    return e->value;
}

void idxd_cache_put(idxd_cache *c, const char *key, size_t n, const char *v, size_t vn)
{
    if (!c || !c->max || !v) return;
    uint64_t h = hash_of(key, n);
    entry *old = find(c, key, n, h);
    if (old) drop(c, old);
    size_t need = entry_bytes(n, vn);
    if (need > c->max_bytes) return;
    while (c->oldest && (c->count >= c->max || c->bytes + need > c->max_bytes)) drop(c, c->oldest);
    entry *e = malloc(sizeof *e + n);
    char *copy = malloc(vn ? vn : 1);
    entry **slot = e && copy ? idx_map_add(&c->index, h) : NULL;
    if (!slot) {
        free(e);
        free(copy);
        return;
    }
    *slot = e;
    memcpy(copy, v, vn);
    memcpy(e->key, key, n);
    e->n = n;
    e->hash = h;
    e->value = copy;
    e->vn = vn;
    push_newest(c, e);
    c->count++;
    c->bytes += need;
}

void idxd_cache_counts(const idxd_cache *c, idxd_cache_stats *st)
{
    memset(st, 0, sizeof *st);
    if (!c) return;
    st->hits = c->hits;
    st->misses = c->misses;
    st->entries = c->count;
    st->bytes = c->bytes;
    st->max_bytes = c->max_bytes;
}
