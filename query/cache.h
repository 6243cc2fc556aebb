/* cache.h - a worker's cache of /search answers.
 *
 * The same searches come again and again on a news site (the day's topics, a
 * link shared around), and idx's answer to a request depends only on the
 * request and the index revision the worker reads.  So each worker keeps the
 * answers (serialized JSON bodies) of up to N distinct requests and at most
 * B bytes (answers, keys and their entries together: a flood of distinct large
 * answers cannot grow idxd past that; the index over the entries, 32-64
 * bytes an entry, comes on top), keyed by the request's query string
 * as sent, least recently used out first.  The worker calls
 * idxd_cache_revision after every reopen: a new revision (a commit by idx
 * add) or another database at the path (its identity, db.h) empties the
 * cache, so an answer is never older than the worker's view of the index (at
 * most its 200 ms reopen tick).  One cache per worker thread:
 * no locks.  Answers from an archive with missing or remote shards are not
 * cached (see api.c).
 */
#ifndef IDXD_CACHE_H
#define IDXD_CACHE_H
#include <stddef.h>
#include <stdint.h>

typedef struct idxd_cache idxd_cache;

/* A cache of up to max answers and max_bytes bytes (either 0: a cache that
 * keeps nothing); NULL when out of memory.  Free with idxd_cache_free (NULL
 * ok). */
idxd_cache *idxd_cache_new(size_t max, size_t max_bytes);
void idxd_cache_free(idxd_cache *c);
/* The index now reads database identity at revision rev: a change of either
 * empties the cache. */
void idxd_cache_revision(idxd_cache *c, uint64_t rev, uint64_t identity);
void idxd_cache_clear(idxd_cache *c);
/* The answer bytes for key[0..n) and their length in *len, borrowed (valid
 * until the next put, clear or revision change), or NULL. */
const char *idxd_cache_get(idxd_cache *c, const char *key, size_t n, size_t *len);
/* Keep a copy of answer v[0..vn) for key, dropping the least recently used
 * ones until it fits.  Silently does nothing when out of memory or when the
 * answer alone is over the byte bound. */
void idxd_cache_put(idxd_cache *c, const char *key, size_t n, const char *v, size_t vn);
/* Hits, misses, entries and the bytes they hold, for /stats and /metrics. */
typedef struct idxd_cache_stats {
    uint64_t hits, misses;
    size_t entries, bytes, max_bytes;
} idxd_cache_stats;
void idxd_cache_counts(const idxd_cache *c, idxd_cache_stats *st);

#endif
