/* discover.c - see discover.h. */
#include "discover.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "clock.h"
#include "neardup.h"
#include "query.h"
#include "search.h"
#include "snippet.h"
#include "tokenize.h"
#include "utf8.h"

static int is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Start of the Latin word still being typed at the end of q (n when q ends
 * in anything else, e.g. a space, a CJK character or punctuation).  With
 * letters split from digits (split), the word is the last run of one kind:
 * in "iphone1" the 1 is being typed and "iphone" is a word before it. */
static size_t partial_start(const char *q, size_t n, int split)
{
    size_t i = n;
    while (i > 0 && is_alnum(q[i - 1]) && (!split || is_digit(q[i - 1]) == is_digit(q[n - 1])))
        i--;
    return i;
}

/* The one token of the partial word, as the tokenizer normalizes it. */
typedef struct partial_tok {
    char term[IDX_TOKEN_MAX_WORD + 1];
    size_t len;
    int count;
} partial_tok;

static int on_partial(void *ctx, const idx_token *t)
{
    partial_tok *p = ctx;
    if (p->count++ == 0 && t->len <= IDX_TOKEN_MAX_WORD) {
        memcpy(p->term, t->term, t->len);
        p->len = t->len;
    }
    return IDX_OK;
}

static int oom(idx_err *err)
{
    return idx_err_set(err, IDX_ENOMEM, "discover", "out of memory");
}

static const char *str_field(json_t *doc, const char *key, size_t *len)
{
    json_t *v = json_object_get(doc, key);
    *len = json_is_string(v) ? json_string_length(v) : 0;
    return json_is_string(v) ? json_string_value(v) : NULL;
}

int idx_suggest_json(idx_db *db, const idx_schema *sc, const char *q, size_t qlen, unsigned limit,
                     const char *scope, json_t **out, idx_err *err)
{
    double t0 = idx_clock();
    *out = NULL;
    idx_qtree t = {.root = -1};
    idx_xq *tq = NULL, *pxq = NULL, *both = NULL, *scoped = NULL;
    idx_results *res = NULL;
    json_t *list = NULL, *obj = NULL;
    int tokflags = idx_schema_tokflags(sc), rc;
    if (qlen > IDX_QUERY_MAX_BYTES)
        return idx_err_set(err, IDX_ETOOBIG, "discover", "query is %zu bytes (max %d)", qlen,
                           IDX_QUERY_MAX_BYTES);
    if ((rc = idx_utf8_check(q, qlen, "query", err))) return rc;
    if (limit < 1) limit = 1;
    if (limit > IDX_SUGGEST_MAX_LIMIT) limit = IDX_SUGGEST_MAX_LIMIT;

    size_t ps = partial_start(q, qlen, (tokflags & IDX_TOKENIZE_SPLIT_ALNUM) != 0);
    /* what comes before the word being typed: the query language, in titles */
    rc = idx_qtree_parse(q, ps, tokflags, &t, err);
    if (rc == IDX_EINVAL && ps < qlen) {
        idx_qtree_fini(&t); /* nothing but the partial word */
        idx_err_clear(err);
        rc = IDX_OK;
    } else if (!rc) {
        idx_query_opts qo = {.unigrams = sc->unigrams, .format = sc->format, .tokflags = tokflags, .title_only = 1};
        rc = idx_query_build(&t, &qo, &tq, err);
    }
    if (rc) goto done;
    if (ps < qlen) {
        /* the word being typed, normalized by the one tokenizer: a title-term prefix */
        partial_tok pt;
        memset(&pt, 0, sizeof pt);
        if ((rc = idx_tokenize(q + ps, qlen - ps, IDX_TOKENIZE_QUERY | tokflags, 0, on_partial,
                               &pt, NULL, err)))
            goto done;
        if (pt.count == 1) {
            char term[IDX_TOKEN_MAX_WORD + 2];
            term[0] = IDX_PREFIX_TITLE[0];
            memcpy(term + 1, pt.term, pt.len);
            if ((rc = idx_xq_prefix(term, pt.len + 1, IDX_SUGGEST_PREFIX_TERMS, &pxq, err)))
                goto done;
        }
    }
    if (!tq && !pxq) {
        rc = idx_err_set(err, IDX_EINVAL, "discover", "nothing to suggest from");
        goto done;
    }
    const idx_xq *final = tq ? tq : pxq;
    if (tq && pxq) {
        idx_xq *pair[2] = {tq, pxq};
        if ((rc = idx_xq_combine(IDX_XQ_AND, pair, 2, &both, err))) goto done;
        final = both;
    }
    if (scope) {
        idx_query_opts qo = {.unigrams = sc->unigrams, .format = sc->format, .tokflags = tokflags};
        if ((rc = idx_query_scope(final, scope, &qo, &scoped, err))) goto done;
        final = scoped;
    }
    idx_search_opts so = {.limit = limit * 3, .sort = IDX_SORT_RELEVANCE, .sort_slot = IDX_SLOT_DATE};
    if ((rc = idx_db_search(db, final, &so, &res, err))) goto done;

    if (!(list = json_array())) goto nomem;
    idx_buf b;
    idx_buf_init(&b);
    for (size_t i = 0; i < res->nhits && json_array_size(list) < limit; i++) {
        json_t *doc;
        if ((rc = idx_search_hit_doc(&res->hits[i], &doc, err))) break;
        size_t tl, il;
        const char *title = str_field(doc, "title", &tl), *id = str_field(doc, "id", &il);
        int seen = !title || tl == 0;
        for (size_t k = 0; !seen && k < json_array_size(list); k++) {
            json_t *t = json_object_get(json_array_get(list, k), "text");
            seen = json_string_length(t) == tl && memcmp(json_string_value(t), title, tl) == 0;
        }
        if (seen) {
            json_decref(doc);
            continue;
        }
        idx_buf_reset(&b);
        rc = idx_highlight(&t, title, tl, NULL, &b, err);
        json_t *s = rc || b.oom ? NULL
                                : json_pack("{s:s%, s:s%, s:s%}", "id", id ? id : "", id ? il : 0,
                                            "text", title, tl, "html", b.data ? b.data : "", b.len);
        json_decref(doc);
        if (rc) break;
        if (!s || json_array_append_new(list, s)) {
            rc = oom(err);
            break;
        }
    }
    idx_buf_fini(&b);
    if (rc) goto done;
    obj = json_pack("{s:s%, s:f, s:O}", "query", q, qlen, "took_ms", (idx_clock() - t0) * 1e3, "suggestions",
                    list);
    if (!obj) goto nomem;
    *out = obj;
    goto done;
nomem:
    rc = oom(err);
done:
    json_decref(list);
    idx_results_free(res);
    idx_xq_free(tq);
    idx_xq_free(pxq);
    idx_xq_free(both);
    idx_xq_free(scoped);
    idx_qtree_fini(&t);
    return rc;
}

int idx_related_json(idx_db *db, const idx_schema *sc, const char *id, size_t idlen,
                     unsigned limit, const char *scope, json_t **out, idx_err *err)
{
    double t0 = idx_clock();
    *out = NULL;
    idx_buf uid;
    idx_buf_init(&uid);
    char *data = NULL;
    size_t dlen = 0;
    json_t *src = NULL, *list = NULL, *obj = NULL;
    idx_xq *mq = NULL, *self = NULL, *q = NULL, *scoped = NULL;
    idx_results *res = NULL;
    unsigned near = 0;
    if (limit < 1) limit = 1;
    if (limit > IDX_RELATED_MAX_LIMIT) limit = IDX_RELATED_MAX_LIMIT;

    int rc = idx_uid_term(id, idlen, &uid, err), inside = 1;
    if (!rc) rc = idx_scope_has(db, sc, scope, uid.data, uid.len, &inside, err);
    if (!rc && !inside)
        rc = idx_err_set(err, IDX_ENOTFOUND, "discover", "no article with that id");
    if (!rc) rc = idx_db_get_data(db, uid.data, uid.len, &data, &dlen, err);
    if (rc) goto done;
    json_error_t jerr;
    if (!(src = json_loadb(data, dlen, 0, &jerr)) || !json_is_object(src)) {
        rc = idx_err_set(err, IDX_EDB, "discover", "the article's stored data is unreadable");
        goto done;
    }
    size_t stl, sbl;
    const char *stitle = str_field(src, "title", &stl), *sbody = str_field(src, "body", &sbl);
    if ((rc = idx_db_more_like(db, uid.data, uid.len, IDX_RELATED_TERMS, &mq, err)) == IDX_EINVAL) {
        idx_err_clear(err); /* nothing to go by: no related articles */
        rc = IDX_OK;
    }
    if (rc) goto done;
    if (!(list = json_array())) goto nomem;
    if (mq) {
        if ((rc = idx_xq_term(uid.data, uid.len, &self, err))) goto done;
        idx_xq *pair[2] = {mq, self};
        if ((rc = idx_xq_combine(IDX_XQ_AND_NOT, pair, 2, &q, err))) goto done;
        if (scope) {
            idx_query_opts qo = {.unigrams = sc->unigrams, .format = sc->format,
                                 .tokflags = idx_schema_tokflags(sc)};
            if ((rc = idx_query_scope(q, scope, &qo, &scoped, err))) goto done;
            idx_xq_free(q);
            q = scoped;
            scoped = NULL;
        }
        /* room for the near-duplicates left out; one article per cluster of
         * reprints (cluster.h) */
        idx_search_opts so = {.limit = limit * 3 + 5, .sort = IDX_SORT_RELEVANCE,
                              .sort_slot = IDX_SLOT_DATE, .collapse = 1,
                              .key_slot = IDX_SLOT_CLUSTER};
        if ((rc = idx_db_search(db, q, &so, &res, err))) goto done;
    }
    idx_buf b;
    idx_buf_init(&b);
    for (size_t i = 0; res && i < res->nhits && json_array_size(list) < limit; i++) {
        json_t *doc;
        if ((rc = idx_search_hit_doc(&res->hits[i], &doc, err))) break;
        size_t tl, bl;
        const char *title = str_field(doc, "title", &tl), *body = str_field(doc, "body", &bl);
        int dup = stitle && title && tl == stl && memcmp(title, stitle, tl) == 0;
        if (!dup && sbody && body) {
            double sim;
            dup = idx_text_same_story(sbody, sbl, body, bl, &sim);
            if (dup < 0) {
                json_decref(doc);
                rc = oom(err);
                break;
            }
        }
        if (dup) {
            near++;
            json_decref(doc);
            continue;
        }
        idx_buf_reset(&b);
        if (body) rc = idx_snippet(NULL, body, bl, NULL, &b, err); /* the start of the body */
        json_t *hit = rc ? NULL : idx_search_hit_fields(doc);
        json_decref(doc);
        if (rc) {
            json_decref(hit);
            break;
        }
        if (!hit || b.oom ||
            json_object_set_new(hit, "snippet", json_stringn(b.data ? b.data : "", b.len)) ||
            json_object_set_new(hit, "score", json_real(res->hits[i].score)) ||
            json_array_append_new(list, hit)) {
            rc = oom(err);
            break;
        }
    }
    idx_buf_fini(&b);
    if (rc) goto done;
    obj = json_pack("{s:s%, s:f, s:i, s:O}", "id", id, idlen, "took_ms", (idx_clock() - t0) * 1e3,
                    "near_duplicates", (int)near, "related", list);
    if (!obj) goto nomem;
    *out = obj;
    goto done;
nomem:
    rc = oom(err);
done:
    json_decref(src);
    json_decref(list);
    free(data);
    idx_buf_fini(&uid);
    idx_results_free(res);
    idx_xq_free(mq);
    idx_xq_free(self);
    idx_xq_free(q);
    idx_xq_free(scoped);
    return rc;
}
