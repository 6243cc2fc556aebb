/* route.c - see route.h.  One hash map (hash.h) from 64-bit keys to a
 * job: ids and band terms are hashed into it with a tag bit apart.  A hash
 * collision can only send an article to another article's job, which is
 * harmless (a part may hold anything; it is merged with the others). */
#include "route.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"

struct idx_route {
    unsigned jobs;
    idx_map map; /* key -> job (one byte) */
};

#define BAND_TAG (1ull << 63)

static uint64_t hash64(const char *s, size_t n)
{
    uint64_t h = idx_hash(IDX_HASH_SEED, s, n);
    return h ^ (h >> 32); /* the high half folded in */
}

/* Record key -> job unless key is there already. */
static int put(idx_route *r, uint64_t key, unsigned job, idx_err *err)
{
    int added;
    unsigned char *v = idx_map_put(&r->map, key, &added);
    if (!v)
        return idx_err_set(err, IDX_ENOMEM, "route.grow", "out of memory (%zu entries)",
                           r->map.used + 1);
    if (added) *v = (unsigned char)job;
    return IDX_OK;
}

/* The job recorded for key, or -1. */
static int get(const idx_route *r, uint64_t key)
{
    const unsigned char *v = idx_map_get(&r->map, key);
    return v ? *v : -1;
}

int idx_route_new(unsigned jobs, idx_route **out, idx_err *err)
{
    *out = NULL;
    if (jobs < 1 || jobs > 256)
        return idx_err_set(err, IDX_EINVAL, "route.new", "jobs must be 1..256, not %u", jobs);
    idx_route *r = calloc(1, sizeof *r);
    if (!r) return idx_err_set(err, IDX_ENOMEM, "route.new", "out of memory");
    r->jobs = jobs;
    idx_map_init(&r->map, 1);
    *out = r;
    return IDX_OK;
}

void idx_route_free(idx_route *r)
{
    if (!r) return;
    idx_map_fini(&r->map);
    free(r);
}

static uint64_t id_key(const char *id, size_t n)
{
    return hash64(id, n) & ~BAND_TAG;
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
    if (j < 0) /* FNV-1a 32 of the id, as hash shards choose */
        j = (int)(idx_hash32(IDX_HASH32_SEED, id, n) % r->jobs);
    *job = (unsigned)j;
    int rc = put(r, ik, *job, err);
    for (int b = 0; !rc && b < nb; b++) rc = put(r, bk[b], *job, err);
    return rc;
}
