/* cache.c - see cache.h.  A chained hash table (idx_hash of the key) whose
 * entries also sit on a doubly linked list, most recently used first. */
#include "cache.h"

#include "buf.h"
#include "hash.h"

#include <stdlib.h>
#include <string.h>

typedef struct entry {
    struct entry *next_in_bucket;
    struct entry *newer, *older;
    uint64_t hash;
    char *value; /* vn bytes */
    size_t vn, n;
    char key[]; /* n bytes */
} entry;

struct idxd_cache {
    entry **buckets;
    size_t nbuckets; /* a power of two, >= 2 * max */
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
    c->nbuckets = 16;
    while (c->nbuckets < 2 * max) c->nbuckets *= 2;
    c->buckets = calloc(c->nbuckets, sizeof *c->buckets);
    if (!c->buckets) {
        free(c);
        return NULL;
    }
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
    entry **p = &c->buckets[e->hash & (c->nbuckets - 1)];
    while (*p != e) p = &(*p)->next_in_bucket;
    *p = e->next_in_bucket;
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
    free(c->buckets);
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
    for (entry *e = c->buckets[h & (c->nbuckets - 1)]; e; e = e->next_in_bucket)
        if (e->hash == h && e->n == n && memcmp(e->key, key, n) == 0) return e;
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
    if (!e || !copy) {
        free(e);
        free(copy);
        return;
    }
    memcpy(copy, v, vn);
    memcpy(e->key, key, n);
    e->n = n;
    e->hash = h;
    e->value = copy;
    e->vn = vn;
    entry **b = &c->buckets[h & (c->nbuckets - 1)];
    e->next_in_bucket = *b;
    *b = e;
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
