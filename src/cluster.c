/* cluster.c - see cluster.h. */
#include "cluster.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "document.h"
#include "hash.h"
#include "neardup.h"
#include "utf8.h"

/* splitmix64's finaliser: spreads FNV's shingle hashes over all 64 bits */
static uint64_t mix(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    x ^= x >> 31;
    return x;
}

int idx_sig_of(const char *text, size_t n, idx_sig *s, idx_err *err)
{
    memset(s, 0, sizeof *s);
    uint64_t *h;
    size_t k;
    if (idx_text_shingles(text, n, &h, &k) != 0)
        return idx_err_set(err, IDX_ENOMEM, "cluster", "out of memory");
    for (int b = 0; b < IDX_SIG_BINS; b++) s->bin[b] = UINT32_MAX;
    if (k >= IDX_SIG_MIN_SHINGLES) {
        for (size_t i = 0; i < k; i++) {
            uint64_t x = mix(h[i]);
            unsigned b = (unsigned)(((x >> 32) * IDX_SIG_BINS) >> 32);
            uint32_t v = (uint32_t)x;
            if (v == UINT32_MAX) v--; /* UINT32_MAX means empty */
            if (v < s->bin[b]) s->bin[b] = v;
        }
        s->valid = 1;
    }
    free(h);
    return IDX_OK;
}

double idx_sig_estimate(const idx_sig *a, const idx_sig *b)
{
    int same = 0, used = 0;
    for (int i = 0; i < IDX_SIG_BINS; i++) {
        if (a->bin[i] == UINT32_MAX && b->bin[i] == UINT32_MAX) continue;
        used++;
        same += a->bin[i] == b->bin[i];
    }
    return used ? (double)same / used : 0;
}

void idx_sig_encode(const idx_sig *s, char out[IDX_SIG_BYTES])
{
    for (int i = 0; i < IDX_SIG_BINS; i++)
        for (int k = 0; k < 4; k++) out[4 * i + k] = (char)(s->bin[i] >> (8 * k));
}

int idx_sig_decode(const char *v, size_t n, idx_sig *s)
{
    memset(s, 0, sizeof *s);
    if (n != IDX_SIG_BYTES) return 0;
    for (int i = 0; i < IDX_SIG_BINS; i++)
        for (int k = 0; k < 4; k++) s->bin[i] |= (uint32_t)(unsigned char)v[4 * i + k] << (8 * k);
    s->valid = 1;
    return 1;
}

size_t idx_sig_band_term(const idx_sig *s, int band, char out[IDX_SIG_TERM_MAX])
{
    uint32_t h = IDX_HASH32_SEED; /* over the band's bins, little-endian */
    for (int r = 0; r < IDX_SIG_ROWS; r++) {
        uint32_t v = s->bin[band * IDX_SIG_ROWS + r];
        if (v == UINT32_MAX) return 0;
        unsigned char le[4] = {v & 0xFF, (v >> 8) & 0xFF, (v >> 16) & 0xFF, v >> 24};
        h = idx_hash32(h, le, sizeof le);
    }
    int n = snprintf(out, IDX_SIG_TERM_MAX, "%s%c%08x", IDX_PREFIX_BAND, 'a' + band, h);
    return (size_t)n;
}

typedef struct ranked {
    double est;
    size_t i;
} ranked;

static int by_estimate(const void *x, const void *y)
{
    const ranked *a = x, *b = y;
    return (a->est < b->est) - (a->est > b->est);
}

/* The body of stored document docid; *json owns the returned string. */
static int stored_body(idx_db *db, unsigned docid, json_t **json, const char **body, size_t *n,
                       idx_err *err)
{
    char *data;
    size_t len;
    *json = NULL;
    *body = NULL;
    int rc = idx_db_doc_data(db, docid, &data, &len, err);
    if (rc) return rc;
    *json = json_loadb(data, len, 0, NULL);
    free(data);
    json_t *b = json_object_get(*json, "body");
    if (json_is_string(b)) {
        *body = json_string_value(b);
        *n = json_string_length(b);
    }
    return IDX_OK;
}

/* A new cluster's key: the founding article's id (clipped) and a hash of
 * that id with its body's signature.  An id given to an unrelated story
 * later (an upsert, a page re-fetched, an id reused after idx rm) founds
 * another cluster, so the first one's reprints keep theirs. */
static void new_key(const char *id, size_t idn, const idx_sig *s, idx_buf *key)
{
    char v[IDX_SIG_BYTES], hex[24];
    idx_sig_encode(s, v);
    uint64_t h = idx_hash(idx_hash(IDX_HASH_SEED, id, idn), v, sizeof v);
    snprintf(hex, sizeof hex, "#%016llx", (unsigned long long)h);
    idx_buf_append(key, id, idx_utf8_clip(id, idn, IDX_CLUSTER_KEY_ID));
    idx_buf_append(key, hex, strlen(hex));
}

int idx_cluster_assign(idx_db *db, const char *id, size_t idn, const char *body, size_t bodyn,
                       const idx_sig *s, idx_buf *key, idx_err *err)
{
    idx_buf_reset(key);
    if (!s->valid) return IDX_OK;
    char terms[IDX_SIG_BANDS][IDX_SIG_TERM_MAX];
    const char *tp[IDX_SIG_BANDS];
    size_t tl[IDX_SIG_BANDS], nt = 0;
    for (int b = 0; b < IDX_SIG_BANDS; b++)
        if ((tl[nt] = idx_sig_band_term(s, b, terms[nt]))) {
            tp[nt] = terms[nt];
            nt++;
        }
    idx_near_cand *c = NULL;
    size_t nc = 0;
    int rc = nt ? idx_db_near_candidates(db, tp, tl, nt, IDX_SLOT_SIG, IDX_SLOT_CLUSTER,
                                         IDX_CLUSTER_CANDIDATES, &c, &nc, err)
                : IDX_OK;
    if (rc) return rc;
    ranked *r = malloc((nc ? nc : 1) * sizeof *r);
    if (!r) {
        idx_near_cands_free(c, nc);
        return idx_err_set(err, IDX_ENOMEM, "cluster", "out of memory");
    }
    size_t nr = 0;
    for (size_t i = 0; i < nc; i++) {
        idx_sig o;
        if (!c[i].keylen || !idx_sig_decode(c[i].sig, c[i].siglen, &o)) continue;
        double e = idx_sig_estimate(s, &o);
        if (e >= IDX_CLUSTER_PREFILTER) r[nr++] = (ranked){e, i};
    }
    qsort(r, nr, sizeof *r, by_estimate);
    long best = -1;
    double best_sim = -1;
    for (size_t k = 0; k < nr && k < IDX_CLUSTER_VERIFY && !rc; k++) {
        json_t *j;
        const char *other;
        size_t on = 0;
        if ((rc = stored_body(db, c[r[k].i].docid, &j, &other, &on, err))) break;
        double sim = 0;
        int same = other ? idx_text_same_story(body, bodyn, other, on, &sim) : 0;
        json_decref(j);
        if (same < 0) rc = idx_err_set(err, IDX_ENOMEM, "cluster", "out of memory");
        else if (same && sim > best_sim) {
            best = (long)r[k].i;
            best_sim = sim;
        }
    }
    if (!rc && best >= 0) idx_buf_append(key, c[best].key, c[best].keylen);
    else if (!rc) new_key(id, idn, s, key);
    free(r);
    idx_near_cands_free(c, nc);
    if (rc) return rc;
    if (key->oom) return idx_err_set(err, IDX_ENOMEM, "cluster", "out of memory");
    return IDX_OK;
}

int idx_cluster_mark(idx_xdoc *doc, const idx_sig *s, const char *key, size_t key_len,
                     idx_err *err)
{
    if (!s->valid) return IDX_OK;
    char v[IDX_SIG_BYTES];
    idx_sig_encode(s, v);
    int rc = idx_xdoc_set_value(doc, IDX_SLOT_SIG, v, sizeof v, err);
    for (int b = 0; b < IDX_SIG_BANDS && !rc; b++) {
        char t[IDX_SIG_TERM_MAX];
        size_t n = idx_sig_band_term(s, b, t);
        if (n) rc = idx_xdoc_add_boolean_term(doc, t, n, err);
    }
    if (rc || !key_len) return rc;
    if ((rc = idx_xdoc_set_value(doc, IDX_SLOT_CLUSTER, key, key_len, err))) return rc;
    idx_buf term;
    idx_buf_init(&term);
    rc = idx_filter_term(IDX_PREFIX_CLUSTER, key, key_len, &term, err);
    if (!rc) rc = idx_xdoc_add_boolean_term(doc, term.data, term.len, err);
    idx_buf_fini(&term);
    return rc;
}
