/* route.c - see route.h.  One open-addressing table maps 64-bit keys to a
 * job: ids and band terms are hashed into it with a tag bit apart.  A hash
 * collision can only send an article to another article's job, which is
 * harmless (a part may hold anything; it is merged with the others). */
#include "route.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct idx_route {
    unsigned jobs;
    uint64_t *keys; /* 0: empty slot */
    unsigned char *job;
    size_t cap, used; /* cap a power of two */
};

#define BAND_TAG (1ull << 63)

static uint64_t hash64(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a; the high half folded into the slot bits */
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h ^ (h >> 32);
}

/* The slot of key: where it is, or the empty one where it would go. */
static size_t slot_of(const idx_route *r, uint64_t key)
{
    size_t m = r->cap - 1, i = (size_t)key & m;
    while (r->keys[i] && r->keys[i] != key) i = (i + 1) & m;
    return i;
}

static int grow(idx_route *r, idx_err *err)
{
    size_t ncap = r->cap ? r->cap * 2 : 1024;
    uint64_t *ok = r->keys;
    unsigned char *oj = r->job;
    size_t ocap = r->cap;
    r->keys = calloc(ncap, sizeof *r->keys);
    r->job = malloc(ncap);
    if (!r->keys || !r->job) {
        free(r->keys);
        free(r->job);
        r->keys = ok;
        r->job = oj;
        return idx_err_set(err, IDX_ENOMEM, "[route][grow] out of memory (%zu entries)", ncap);
    }
    r->cap = ncap;
    for (size_t i = 0; i < ocap; i++)
        if (ok[i]) {
            size_t s = slot_of(r, ok[i]);
            r->keys[s] = ok[i];
            r->job[s] = oj[i];
        }
    free(ok);
    free(oj);
    return IDX_OK;
}

/* Record key -> job unless key is there already. */
static int put(idx_route *r, uint64_t key, unsigned job, idx_err *err)
{
    int rc;
    if ((r->used + 1) * 2 > r->cap && (rc = grow(r, err))) return rc;
    size_t s = slot_of(r, key);
    if (r->keys[s]) return IDX_OK;
    r->keys[s] = key;
    r->job[s] = (unsigned char)job;
    r->used++;
    return IDX_OK;
}

/* The job recorded for key, or -1. */
static int get(const idx_route *r, uint64_t key)
{
    if (!r->cap) return -1;
    size_t s = slot_of(r, key);
    return r->keys[s] ? r->job[s] : -1;
}

int idx_route_new(unsigned jobs, idx_route **out, idx_err *err)
{
    *out = NULL;
    if (jobs < 1 || jobs > 256)
        return idx_err_set(err, IDX_EINVAL, "[route][new] jobs must be 1..256, not %u", jobs);
    idx_route *r = calloc(1, sizeof *r);
    if (!r) return idx_err_set(err, IDX_ENOMEM, "[route][new] out of memory");
    r->jobs = jobs;
    *out = r;
    return IDX_OK;
}

void idx_route_free(idx_route *r)
{
    if (!r) return;
    free(r->keys);
    free(r->job);
    free(r);
}

static uint64_t id_key(const char *id, size_t n)
{
    uint64_t k = hash64(id, n) & ~BAND_TAG;
    return k ? k : 1;
}

int idx_route_job(idx_route *r, const char *id, size_t n, const idx_sig *sig, unsigned *job,
                  idx_err *err)
{
    uint64_t ik = id_key(id, n);
    int j = get(r, ik);
    if (j >= 0) { /* an upsert: where the id went before */
        *job = (unsigned)j;
        return IDX_OK;
    }
    uint64_t bk[IDX_SIG_BANDS];
    int nb = 0;
    if (sig && sig->valid) {
        for (int b = 0; b < IDX_SIG_BANDS; b++) {
            char t[IDX_SIG_TERM_MAX];
            size_t tn = idx_sig_band_term(sig, b, t);
            if (!tn) continue;
            bk[nb] = hash64(t, tn) | BAND_TAG;
            if (j < 0) j = get(r, bk[nb]); /* a likely reprint: with its original */
            nb++;
        }
    }
    if (j < 0) { /* FNV-1a 32 of the id, as hash shards choose */
        uint32_t h = 2166136261u;
        for (size_t i = 0; i < n; i++) {
            h ^= (unsigned char)id[i];
            h *= 16777619u;
        }
        j = (int)(h % r->jobs);
    }
    *job = (unsigned)j;
    int rc = put(r, ik, *job, err);
    for (int b = 0; !rc && b < nb; b++) rc = put(r, bk[b], *job, err);
    return rc;
}
