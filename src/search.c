/* search.c - see search.h. */
#include "search.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <time.h>

#include "clock.h"
#include "document.h"
#include "histogram.h"
#include "regional.h"
#include "synonyms.h"
#include "vocab.h"

static json_t *str_or_null(json_t *doc, const char *key)
{
    json_t *v = json_object_get(doc, key);
    return json_is_string(v) ? json_incref(v) : json_null();
}

/* json_string of buffer contents; NULL on oom or invalid UTF-8. */
static json_t *buf_string(idx_buf *b)
{
    return b->oom ? NULL : json_stringn(b->data ? b->data : "", b->len);
}

int idx_search_hit_doc(const idx_hit *h, json_t **doc, idx_err *err)
{
    json_error_t jerr;
    *doc = json_loadb(h->data, h->data_len, 0, &jerr);
    if (*doc && json_is_object(*doc)) return IDX_OK;
    int rc = idx_err_set(err, IDX_EDB, "search", "document %u has unreadable data: %s", h->docid,
                         *doc ? "not an object" : jerr.text);
    json_decref(*doc);
    *doc = NULL;
    return rc;
}

json_t *idx_search_hit_fields(json_t *doc)
{
    static const char *const fields[] = {"id", "title", "url", "date", "source", "category"};
    json_t *hit = json_object();
    for (size_t k = 0; hit && k < sizeof fields / sizeof *fields; k++)
        if (json_object_set_new(hit, fields[k], str_or_null(doc, fields[k]))) {
            json_decref(hit);
            hit = NULL;
        }
    return hit;
}

static int hit_json(const idx_qtree *pq, const idx_search_req *req, const idx_hit *h,
                    json_t **out, idx_err *err)
{
    json_t *doc;
    int rc = idx_search_hit_doc(h, &doc, err);
    if (rc) return rc;
    json_t *hit = idx_search_hit_fields(doc);
    if (!hit) goto oom;
    if (req->snippets) {
        idx_buf b;
        idx_buf_init(&b);
        json_t *title = json_object_get(doc, "title"), *body = json_object_get(doc, "body");
        if (json_is_string(title))
            rc = idx_highlight(pq, json_string_value(title), json_string_length(title), &req->hl,
                               &b, err);
        json_t *th = rc ? NULL : buf_string(&b);
        idx_buf_reset(&b);
        if (!rc && json_is_string(body))
            rc = idx_snippet(pq, json_string_value(body), json_string_length(body), &req->hl, &b,
                             err);
        json_t *sn = rc ? NULL : buf_string(&b);
        idx_buf_fini(&b);
        if (rc || !th || !sn) {
            json_decref(th);
            json_decref(sn);
            if (rc) goto fail;
            goto oom;
        }
        json_object_set_new(hit, "title_html", th);
        json_object_set_new(hit, "snippet", sn);
    }
    if (json_object_set_new(hit, "score", json_real(h->score)) ||
        json_object_set_new(hit, "rank", json_integer((json_int_t)h->rank + 1)) ||
        json_object_set_new(hit, "revision", json_integer((json_int_t)h->number)))
        goto oom;
    json_decref(doc);
    *out = hit;
    return IDX_OK;
oom:
    rc = idx_err_set(err, IDX_ENOMEM, "search", "out of memory");
fail:
    json_decref(hit);
    json_decref(doc);
    return rc;
}

/* The id of document docid (stored data's "id"), appended to ids; nothing
 * for a document deleted since it matched (a reopen between the two). */
static int append_id(idx_db *db, unsigned docid, json_t *ids, idx_err *err)
{
    idx_hit h = {.docid = docid};
    int rc = idx_db_doc_data(db, docid, &h.data, &h.data_len, err);
    if (rc == IDX_ENOTFOUND) return IDX_OK;
    json_t *doc = NULL;
    if (!rc) rc = idx_search_hit_doc(&h, &doc, err);
    free(h.data);
    if (rc) return rc;
    json_t *id = json_object_get(doc, "id");
    if (json_is_string(id) && json_array_append(ids, id)) rc = IDX_ENOMEM;
    json_decref(doc);
    return rc ? idx_err_set(err, IDX_ENOMEM, "search", "out of memory") : IDX_OK;
}

/* Near-duplicates of the hits shown (objs[i] renders hits[i]; a hit's key
 * is its cluster).  Collapsed: the other matches of q in its cluster, as
 * "duplicates" (their count) and "duplicate_ids" (the best
 * IDX_SEARCH_DUP_IDS), all found by one search, q filtered to the clusters
 * of the page (a search per hit cost a query setup each: 100 hits of a long
 * OR query took seconds); shown in full (all_copies): "cluster", so a reader
 * can see which hits are copies of each other.  Nothing for an article alone
 * in its cluster.  The search is not begun after start_by (its setup costs
 * about what the page's match did, and cannot be stopped), and stops at
 * deadline; what is left out marks the answer timed_out. */
static int dups_json(idx_db *db, const idx_xq *q, const idx_search_req *req, const idx_hit *hits,
                     json_t *const *objs, size_t n, double start_by, double deadline,
                     int *timed_out, idx_err *err)
{
    idx_buf term;
    idx_buf_init(&term);
    idx_xq **terms = calloc(n ? n : 1, sizeof *terms), *any = NULL, *sub = NULL;
    uint64_t *count = calloc(n ? n : 1, sizeof *count);
    json_t **ids = calloc(n ? n : 1, sizeof *ids);
    unsigned char *asked = calloc(n ? n : 1, 1);
    idx_results *res = NULL;
    size_t nt = 0;
    uint64_t members = 0, limit = 0;
    int rc = IDX_OK;
    if (!terms || !count || !ids || !asked) goto oom;
    for (size_t i = 0; i < n; i++) {
        if (!hits[i].key || !hits[i].key_len) continue;
        idx_buf_reset(&term);
        if ((rc = idx_filter_term(IDX_PREFIX_CLUSTER, hits[i].key, hits[i].key_len, &term, err)) ||
            (rc = idx_db_term_freq(db, term.data, term.len, &members, err)))
            goto done;
        if (members < 2) continue;
        if (req->all_copies) {
            if (json_object_set_new(objs[i], "cluster", json_stringn(hits[i].key, hits[i].key_len)))
                goto oom;
            continue;
        }
        if ((rc = idx_xq_term(term.data, term.len, &terms[nt], err))) goto done;
        nt++;
        asked[i] = 1;
        limit += members; /* every match in these clusters fits the page */
    }
    if (!nt) goto done;
    if (start_by > 0 && idx_clock() >= start_by) {
        *timed_out = 1;
        goto done;
    }
    if ((rc = idx_xq_combine(IDX_XQ_OR, terms, nt, &any, err))) goto done;
    idx_xq *pair[2] = {(idx_xq *)q, any};
    if ((rc = idx_xq_combine(IDX_XQ_FILTER, pair, 2, &sub, err))) goto done;
    idx_search_opts so = {.limit = limit < UINT_MAX ? (unsigned)limit : UINT_MAX,
                          .sort = req->sort == IDX_SORT_REVISION ? IDX_SORT_DATE_ASC : req->sort,
                          .sort_slot = req->sort == IDX_SORT_REVISION ? IDX_SLOT_REV : IDX_SLOT_DATE,
                          .check_at_least = (unsigned)-1, .with_key = 1, .no_data = 1,
                          .key_slot = IDX_SLOT_CLUSTER, .deadline = deadline,
                          .deadline_hard = deadline};
    if ((rc = idx_db_search(db, sub, &so, &res, err))) goto done;
    if (res->timed_out) *timed_out = 1;
    /* the matches in rank order: each counts for the hit of its cluster */
    for (size_t r = 0; r < res->nhits; r++) {
        const idx_hit *m = &res->hits[r];
        size_t i = 0;
        while (i < n && !(asked[i] && hits[i].key_len == m->key_len &&
                          memcmp(hits[i].key, m->key, m->key_len) == 0))
            i++;
        if (i == n) continue;
        count[i]++;
        if (m->docid == hits[i].docid) continue;
        if (!ids[i] && !(ids[i] = json_array())) goto oom;
        if (json_array_size(ids[i]) < IDX_SEARCH_DUP_IDS &&
            (rc = append_id(db, m->docid, ids[i], err)))
            goto done;
    }
    for (size_t i = 0; i < n; i++) {
        if (count[i] < 2 || !ids[i]) continue;
        json_t *list = ids[i];
        ids[i] = NULL; /* json_object_set_new takes it, set or not */
        int bad = json_object_set_new(objs[i], "duplicates", json_integer((json_int_t)(count[i] - 1)));
        bad |= json_object_set_new(objs[i], "duplicate_ids", list);
        if (bad) goto oom;
    }
    goto done;
oom:
    rc = idx_err_set(err, IDX_ENOMEM, "search", "out of memory");
done:
    for (size_t i = 0; ids && i < n; i++) json_decref(ids[i]);
    for (size_t i = 0; i < nt; i++) idx_xq_free(terms[i]);
    free(terms);
    free(count);
    free(ids);
    free(asked);
    idx_results_free(res);
    idx_xq_free(any);
    idx_xq_free(sub);
    idx_buf_fini(&term);
    return rc;
}

static const struct {
    const char *name;
    unsigned slot;
} facet_defs[IDX_FACET_COUNT] = {
    [IDX_FACET_SOURCE] = {"source", IDX_SLOT_SOURCE},
    [IDX_FACET_CATEGORY] = {"category", IDX_SLOT_CATEGORY},
    [IDX_FACET_YEAR] = {"year", IDX_SLOT_YEAR},
};

int idx_search_parse_facets(const char *list, unsigned *bits, idx_err *err)
{
    *bits = 0;
    const char *p = list;
    while (p && *p) {
        size_t n = strcspn(p, ",");
        int f;
        for (f = 0; f < IDX_FACET_COUNT; f++)
            if (strlen(facet_defs[f].name) == n && strncmp(p, facet_defs[f].name, n) == 0) break;
        if (f == IDX_FACET_COUNT && n > 0)
            return idx_err_set(err, IDX_EINVAL, "search",
                               "unknown facet '%.*s' (facets: source, category, year)",
                               (int)(n > 40 ? 40 : n), p);
        if (n > 0) *bits |= 1u << f;
        p += n;
        if (*p == ',') p++;
    }
    return IDX_OK;
}

static json_t *facets_json(const idx_results *res, const unsigned *slots)
{
    json_t *all = json_object();
    for (size_t f = 0; all && f < res->nfacets; f++) {
        const char *name = "?";
        for (int d = 0; d < IDX_FACET_COUNT; d++)
            if (facet_defs[d].slot == slots[f]) name = facet_defs[d].name;
        json_t *counts = json_object();
        for (size_t i = 0; counts && i < res->facets[f].nvalues; i++) {
            const idx_facet_value *v = &res->facets[f].values[i];
            /* values are stored article fields: valid UTF-8, no NUL */
            json_object_setn_new(counts, v->value, v->len, json_integer((json_int_t)v->count));
        }
        json_object_set_new(all, name, counts ? counts : json_object());
    }
    return all;
}

/* q filtered to the articles committed in revisions (since, upto]: an OR of
 * their XR terms when there are a few (short posting lists: a stream's
 * catch-up), else a range of IDX_SLOT_REV; none when since >= upto.  *out
 * owned by the caller. */
#define REV_TERMS_MAX 64
static int revision_filter(const idx_xq *q, uint64_t since, uint64_t upto, idx_xq **out,
                           idx_err *err)
{
    *out = NULL;
    idx_xq *terms[REV_TERMS_MAX], *range = NULL;
    size_t nt = 0;
    int rc = IDX_OK;
    if (upto > since && upto - since <= REV_TERMS_MAX) {
        idx_buf t;
        idx_buf_init(&t);
        for (uint64_t r = since + 1; !rc && r <= upto; r++) {
            rc = idx_revision_term(r, &t, err);
            if (!rc) rc = idx_xq_term(t.data, t.len, &terms[nt], err);
            if (!rc) nt++;
        }
        idx_buf_fini(&t);
        if (!rc) rc = idx_xq_combine(IDX_XQ_OR, terms, nt, &range, err);
    } else {
        /* [since + 1, upto]; when upto <= since, a range that ends below its start */
        char lo[18], hi[18];
        size_t nlo = idx_sortable_serialise((double)since + 1, lo);
        size_t nhi = idx_sortable_serialise(upto > since ? (double)upto : (double)since + 0.5, hi);
        rc = idx_xq_value_range(IDX_SLOT_REV, lo, nlo, hi, nhi, &range, err);
    }
    if (!rc) {
        idx_xq *pair[2] = {(idx_xq *)q, range};
        rc = idx_xq_combine(IDX_XQ_FILTER, pair, 2, out, err);
    }
    for (size_t i = 0; i < nt; i++) idx_xq_free(terms[i]);
    idx_xq_free(range);
    return rc;
}

int idx_search_json(idx_db *db, const idx_schema *sc, const idx_search_req *req, json_t **out,
                    idx_err *err)
{
    *out = NULL;
    /* the budget: matching stops at half of it once a page is matched, at
     * three quarters regardless; reading and highlighting the hits get the
     * rest, and the near-duplicates of those shown when three quarters are
     * not spent yet.  What is not ready at the end is left out (and the
     * answer marked timed_out). */
    double start = idx_clock(), deadline = 0, match_deadline = 0, match_hard = 0;
    if (req->budget_ms > 0) {
        deadline = start + req->budget_ms / 1e3;
        match_deadline = start + 0.5 * req->budget_ms / 1e3;
        match_hard = start + 0.75 * req->budget_ms / 1e3;
    }
    int timed_out = 0;
    idx_qtree pq;
    idx_xq *xq = NULL, *fq = NULL, *rq = NULL, *bq = NULL;
    double now = (double)time(NULL), rweight = 0;
    idx_results *res = NULL;
    json_t *obj = NULL, *hits = NULL;
    idx_rank rank = idx_rank_default();
    memset(&pq, 0, sizeof pq);
    int rc = req->rank ? idx_rank_parse(req->rank, &rank, err) : IDX_OK;
    if (req->title_weight >= 0) rank.title_weight = req->title_weight;
    if (req->title_weight == 0) rank.title_len_weight = 0; /* --title-weight 0: no title evidence */
    idx_query_opts qo = {.title_weight = rank.title_weight, .rank = &rank,
                         .lengths = !idx_db_has_remote(db), .unigrams = sc->unigrams,
                         .format = sc->format, .tokflags = idx_schema_tokflags(sc)};
    if (!rc) rc = idx_qtree_parse(req->q, req->qlen, qo.tokflags, &pq, err);
    if (!rc) rc = idx_synonyms_expand(&pq, req->synonyms, err);
    /* regional wordings first: they look only at the parts as typed */
    if (!rc && rank.regional) rc = idx_regional_expand(db, &qo, &pq, err);
    if (!rc && rank.abbreviations) rc = idx_vocab_expand(db, &pq, err);
    if (!rc) rc = idx_query_build(&pq, &qo, &xq, err);
    if (!rc) rc = idx_query_filter(xq, &req->filters, &fq, err);
    if (!rc && req->scope) { /* a scoped key: its filter ANDed in, without weight */
        idx_xq *sq = NULL;
        rc = idx_query_scope(fq, req->scope, &qo, &sq, err);
        idx_xq_free(fq);
        fq = sq;
    }
    if (!rc && req->recency_days > 0 && idx_db_has_remote(db))
        rc = idx_err_set(err, IDX_EINVAL, "search",
                         "recency is not available on an archive with remote shards "
                         "(xapian-tcpsrv cannot run idx's freshness weighting)");
    if (!rc && req->recency_days > 0) { /* AND_MAYBE: freshness never selects */
        rweight = req->recency_weight > 0 ? req->recency_weight : IDX_RECENCY_WEIGHT_DEFAULT;
        rc = idx_xq_recency(IDX_SLOT_DATE, now, req->recency_days * 86400.0, rweight, &rq, err);
        idx_xq *pair[2] = {fq, rq};
        if (!rc) rc = idx_xq_combine(IDX_XQ_AND_MAYBE, pair, 2, &bq, err);
        if (!rc) {
            idx_xq_free(fq);
            fq = bq;
            bq = NULL;
        }
    }
    uint64_t revision = 0;
    if (!rc) rc = idx_db_revision(db, &revision, NULL, err);
    if (!rc && (req->since || req->until)) {
        idx_xq *vq = NULL;
        uint64_t upto = req->until && req->until < revision ? req->until : revision;
        rc = revision_filter(fq, req->since, upto, &vq, err);
        idx_xq_free(fq);
        fq = vq;
    }
    if (rc) goto done;
    unsigned slots[IDX_FACET_COUNT];
    size_t nslots = 0;
    for (int f = 0; f < IDX_FACET_COUNT; f++)
        if (req->facets & (1u << f)) slots[nslots++] = facet_defs[f].slot;
    int by_rev = req->sort == IDX_SORT_REVISION;
    idx_search_opts so = {.offset = req->offset, .limit = req->limit,
                          .sort = by_rev ? IDX_SORT_DATE_ASC : req->sort,
                          .sort_slot = by_rev ? IDX_SLOT_REV : IDX_SLOT_DATE,
                          .with_number = 1, .number_slot = IDX_SLOT_REV,
                          .hist = req->histogram != IDX_HIST_NONE, .hist_slot = IDX_SLOT_DATE,
                          .check_at_least = req->exact_total ? (unsigned)-1 : IDX_SEARCH_EXACT_UPTO,
                          .facet_slots = slots, .nfacets = nslots, .facet_limit = IDX_FACET_TOP,
                          .with_key = 1, .collapse = !req->all_copies,
                          .key_slot = IDX_SLOT_CLUSTER, .deadline = match_deadline,
                          .deadline_hard = match_hard, .bm25_k1 = rank.bm25_k1,
                          .bm25_b = rank.bm25_b};
    if ((rc = idx_db_search(db, fq, &so, &res, err))) goto done;
    timed_out = res->timed_out;
    hits = json_array();
    if (!hits) goto oom;
    for (size_t i = 0; i < res->nhits; i++) {
        json_t *hit = NULL;
        if (i > 0 && deadline > 0 && idx_clock() >= deadline) {
            /* out of time: the rest of the page is left out (the first hit
             * matched is always shown: one snippet costs little) */
            timed_out = 1;
            break;
        }
        if ((rc = hit_json(&pq, req, &res->hits[i], &hit, err))) goto done;
        if (req->explain && rweight > 0) { /* score = relevance + recency */
            json_t *d = json_object_get(hit, "date");
            idx_date dt;
            double r = 0;
            if (json_is_string(d) &&
                idx_date_parse(json_string_value(d), json_string_length(d), &dt, NULL) == IDX_OK) {
                double age = now - (double)dt.secs;
                r = rweight * exp2(-(age > 0 ? age : 0) / (req->recency_days * 86400.0));
            }
            json_object_set_new(hit, "score_parts",
                                json_pack("{s:f, s:f}", "relevance", res->hits[i].score - r,
                                          "recency", r));
        }
        if (json_array_append_new(hits, hit)) goto oom;
    }
    /* then the near-duplicates of the hits shown, with the time left */
    size_t shown = json_array_size(hits);
    json_t **objs = malloc((shown ? shown : 1) * sizeof *objs);
    if (!objs) goto oom;
    for (size_t i = 0; i < shown; i++) objs[i] = json_array_get(hits, i);
    rc = dups_json(db, fq, req, res->hits, objs, shown, match_hard, deadline, &timed_out, err);
    free(objs);
    if (rc) goto done;
    obj = json_object();
    json_t *q = obj ? json_stringn(req->q, req->qlen) : NULL;
    if (!obj || !q || json_object_set_new(obj, "query", q) ||
        json_object_set_new(obj, "total", json_integer((json_int_t)res->estimated)) ||
        json_object_set_new(obj, "total_exact", json_boolean(res->exact)) ||
        json_object_set_new(obj, "offset", json_integer(req->offset)) ||
        json_object_set_new(obj, "limit", json_integer(req->limit)) ||
        json_object_set_new(obj, "took_ms", json_real((idx_clock() - start) * 1e3)) ||
        json_object_set_new(obj, "revision", json_integer((json_int_t)revision)))
        goto oom;
    json_object_set_new(obj, "hits", hits);
    hits = NULL;
    if (nslots && json_object_set_new(obj, "facets", facets_json(res, slots))) goto oom;
    if (req->histogram != IDX_HIST_NONE) {
        json_t *h = NULL;
        if ((rc = idx_hist_json(req->histogram, res->hist.values, res->hist.nvalues, &h, err)))
            goto done;
        if (json_object_set_new(obj, "histogram", h)) goto oom;
    }
    if (pq.warning[0] && json_object_set_new(obj, "warning", json_string(pq.warning))) goto oom;
    if (timed_out && json_object_set_new(obj, "timed_out", json_true())) goto oom;
    if (idx_db_nmissing(db) > 0) { /* an archive searched without some of its shards */
        json_t *miss = json_array();
        for (size_t i = 0; miss && i < idx_db_nmissing(db); i++)
            json_array_append_new(miss, json_string(idx_db_missing(db, i)));
        if (!miss || json_object_set_new(obj, "partial", json_true()) ||
            json_object_set_new(obj, "missing_shards", miss))
            goto oom;
    }
    if (req->explain) {
        char *desc = NULL;
        if ((rc = idx_xq_describe(fq, &desc, err))) goto done;
        json_t *ex = json_pack("{s:o, s:s}", "tree", idx_qtree_json(&pq, pq.root), "xapian", desc);
        free(desc);
        if (!ex || json_object_set_new(obj, "explain", ex)) goto oom;
    }
    *out = obj;
    obj = NULL;
    goto done;
oom:
    rc = idx_err_set(err, IDX_ENOMEM, "search", "out of memory");
done:
    json_decref(obj);
    json_decref(hits);
    idx_results_free(res);
    idx_xq_free(xq);
    idx_xq_free(fq);
    idx_xq_free(rq);
    idx_xq_free(bq);
    idx_qtree_fini(&pq);
    return rc;
}

int idx_scope_has(idx_db *db, const idx_schema *sc, const char *scope, const char *uid,
                  size_t uidlen, int *yes, idx_err *err)
{
    *yes = 1;
    if (!scope) return IDX_OK;
    *yes = 0;
    idx_query_opts qo = {.unigrams = sc->unigrams, .format = sc->format,
                         .tokflags = idx_schema_tokflags(sc)};
    idx_xq *t = NULL, *q = NULL;
    idx_results *res = NULL;
    int rc = idx_xq_term(uid, uidlen, &t, err);
    if (!rc) rc = idx_query_scope(t, scope, &qo, &q, err);
    idx_search_opts so = {.limit = 1, .sort = IDX_SORT_RELEVANCE, .sort_slot = IDX_SLOT_DATE};
    if (!rc) rc = idx_db_search(db, q, &so, &res, err);
    if (!rc) *yes = res->nhits > 0;
    idx_results_free(res);
    idx_xq_free(q);
    idx_xq_free(t);
    return rc;
}
