/* query.c - see query.h.
 *
 * Worked example: "南通开发区 5G" tokenizes (QUERY mode) to
 *   南通@0[0,6) 通开@1 开发@2 发区@3[9,15)  5g@5[16,18)
 * The gap between 发区 and 5g holds a space, so there are two parts:
 *   PHRASE(南通 通开 开发 发区, window 4) AND 5g
 * and the title boost adds, scaled by title_weight,
 *   PHRASE(S南通 S通开 S开发 S发区, window 4) AND S5g.
 */
#include "query.h"

#include <stdlib.h>
#include <string.h>

#include "document.h"
#include "isodate.h"
#include "tokenize.h"

/* Does s[a..b) contain white space (ASCII or U+3000)? */
static int has_space(const char *s, size_t a, size_t b)
{
    for (size_t i = a; i < b; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') return 1;
        if (c == 0xE3 && i + 2 < b && (unsigned char)s[i + 1] == 0x80 &&
            (unsigned char)s[i + 2] == 0x80)
            return 1;
    }
    return 0;
}

typedef struct parse_ctx {
    idx_parsed_query *pq;
    const char *s;
    size_t last_end; /* end of the previous token */
} parse_ctx;

static int on_token(void *vctx, const idx_token *t)
{
    parse_ctx *c = vctx;
    idx_parsed_query *pq = c->pq;
    if (pq->ntoks >= IDX_QUERY_MAX_TERMS) return IDX_ETOOBIG;
    idx_qtoken *q = &pq->toks[pq->ntoks];
    memcpy(q->term, t->term, t->len);
    q->term[t->len] = '\0';
    q->len = t->len;
    q->pos = t->pos;
    q->kind = t->kind;
    /* a new part starts at the first token and after white space */
    if (pq->ntoks == 0 || has_space(c->s, c->last_end, t->start)) {
        pq->parts[pq->nparts].first = pq->ntoks;
        pq->parts[pq->nparts].n = 0;
        pq->nparts++;
    }
    pq->parts[pq->nparts - 1].n++;
    pq->ntoks++;
    c->last_end = t->end;
    return IDX_OK;
}

int idx_query_parse(const char *s, size_t n, idx_parsed_query *pq, idx_err *err)
{
    memset(pq, 0, sizeof *pq);
    if (n > IDX_QUERY_MAX_BYTES)
        return idx_err_set(err, IDX_ETOOBIG, "[query][parse] query is %zu bytes (max %d)", n,
                           IDX_QUERY_MAX_BYTES);
    pq->toks = malloc(IDX_QUERY_MAX_TERMS * sizeof *pq->toks);
    pq->parts = malloc(IDX_QUERY_MAX_TERMS * sizeof *pq->parts);
    if (!pq->toks || !pq->parts) return idx_err_set(err, IDX_ENOMEM, "[query][parse] out of memory");
    parse_ctx c = {pq, s, 0};
    int rc = idx_tokenize(s, n, IDX_TOKENIZE_QUERY, 0, on_token, &c, NULL, err);
    if (rc == IDX_ETOOBIG)
        return idx_err_set(err, IDX_ETOOBIG, "[query][parse] query has more than %d terms",
                           IDX_QUERY_MAX_TERMS);
    if (rc) return rc;
    if (pq->ntoks == 0)
        return idx_err_set(err, IDX_EINVAL, "[query][parse] query has no searchable terms (only punctuation, or words over %d bytes)", IDX_TOKEN_MAX_WORD);
    return IDX_OK;
}

void idx_parsed_query_fini(idx_parsed_query *pq)
{
    if (!pq) return;
    free(pq->toks);
    free(pq->parts);
    memset(pq, 0, sizeof *pq);
}

/* A lone CJK character in an IDX_UNIGRAMS_EDGES database: its unigram (run
 * edges) OR every bigram that starts with it (run starts and insides). */
static int char_query(const char *t, size_t n, idx_xq **out, idx_err *err)
{
    idx_xq *pair[2] = {NULL, NULL};
    int rc = idx_xq_term(t, n, &pair[0], err);
    if (!rc) rc = idx_xq_prefix(t, n, 0, &pair[1], err);
    if (!rc) rc = idx_xq_combine(IDX_XQ_OR, pair, 2, out, err);
    idx_xq_free(pair[0]);
    idx_xq_free(pair[1]);
    return rc;
}

/* Query for one part (k tokens), terms prefixed with prefix. */
static int part_query(const idx_qtoken *toks, size_t k, const char *prefix, int unigrams,
                      idx_xq **out, idx_err *err)
{
    size_t pl = strlen(prefix);
    const char *terms[IDX_QUERY_MAX_TERMS];
    size_t lens[IDX_QUERY_MAX_TERMS];
    char (*buf)[IDX_TOKEN_MAX_WORD + 8] = malloc(k * sizeof *buf);
    if (!buf) return idx_err_set(err, IDX_ENOMEM, "[query][build] out of memory");
    for (size_t i = 0; i < k; i++) {
        memcpy(buf[i], prefix, pl);
        memcpy(buf[i] + pl, toks[i].term, toks[i].len);
        terms[i] = buf[i];
        lens[i] = pl + toks[i].len;
    }
    unsigned window = (unsigned)(toks[k - 1].pos - toks[0].pos + 1);
    int rc;
    if (k == 1 && unigrams == IDX_UNIGRAMS_EDGES && toks[0].kind == IDX_TOK_UNIGRAM)
        rc = char_query(terms[0], lens[0], out, err);
    else
        rc = idx_xq_phrase(terms, lens, k, window, out, err);
    free(buf);
    return rc;
}

/* AND of all parts, terms prefixed with prefix. */
static int parts_query(const idx_parsed_query *pq, const char *prefix, int unigrams,
                       idx_xq **out, idx_err *err)
{
    idx_xq *subs[IDX_QUERY_MAX_TERMS];
    size_t nsub = 0;
    int rc = IDX_OK;
    for (size_t i = 0; i < pq->nparts; i++) {
        const idx_qpart *p = &pq->parts[i];
        if ((rc = part_query(pq->toks + p->first, p->n, prefix, unigrams, &subs[nsub], err)))
            goto done;
        nsub++;
    }
    if (nsub == 1) {
        *out = subs[0];
        return IDX_OK;
    }
    rc = idx_xq_combine(IDX_XQ_AND, subs, nsub, out, err);
done:
    for (size_t i = 0; i < nsub; i++) idx_xq_free(subs[i]);
    return rc;
}

int idx_query_build(const idx_parsed_query *pq, const idx_query_opts *opts, idx_xq **out,
                    idx_err *err)
{
    *out = NULL;
    if (!pq->nparts)
        return idx_err_set(err, IDX_EINVAL, "[query][build] query has no searchable terms");
    idx_xq *body = NULL, *title = NULL, *scaled = NULL;
    int unigrams = opts ? opts->unigrams : IDX_UNIGRAMS_ALL;
    int rc = parts_query(pq, "", unigrams, &body, err);
    if (rc) goto done;
    if (!opts || opts->title_weight <= 0) {
        *out = body;
        body = NULL;
        goto done;
    }
    if ((rc = parts_query(pq, IDX_PREFIX_TITLE, unigrams, &title, err)) ||
        (rc = idx_xq_scale(title, opts->title_weight, &scaled, err)))
        goto done;
    idx_xq *pair[2] = {body, scaled};
    rc = idx_xq_combine(IDX_XQ_AND_MAYBE, pair, 2, out, err);
done:
    idx_xq_free(body);
    idx_xq_free(title);
    idx_xq_free(scaled);
    return rc;
}

int idx_query_compile(const char *s, size_t n, const idx_query_opts *opts, idx_xq **out,
                      idx_err *err)
{
    *out = NULL;
    idx_parsed_query pq;
    int rc = idx_query_parse(s, n, &pq, err);
    if (!rc) rc = idx_query_build(&pq, opts, out, err);
    idx_parsed_query_fini(&pq);
    return rc;
}

static int date_bound(const char *v, int upper, char out[18], size_t *len, idx_err *err)
{
    idx_date d;
    int rc = idx_date_parse(v, strlen(v), &d, err);
    if (rc) return rc;
    int64_t secs = d.secs;
    if (upper && strlen(v) == 10) secs += 86399; /* a bare date includes its whole day */
    *len = idx_sortable_serialise((double)secs, out);
    return IDX_OK;
}

int idx_query_filter(const idx_xq *q, const idx_filters *f, idx_xq **out, idx_err *err)
{
    idx_xq *subs[4] = {0};
    size_t nsub = 0;
    idx_buf term;
    idx_buf_init(&term);
    int rc = IDX_OK;
    *out = NULL;
    if (f && (f->from || f->to)) {
        char lo[18], hi[18];
        size_t lolen = 0, hilen = 0;
        if ((f->from && (rc = date_bound(f->from, 0, lo, &lolen, err))) ||
            (f->to && (rc = date_bound(f->to, 1, hi, &hilen, err))))
            goto done;
        if ((rc = idx_xq_value_range(IDX_SLOT_DATE, f->from ? lo : NULL, lolen,
                                     f->to ? hi : NULL, hilen, &subs[nsub], err)))
            goto done;
        nsub++;
    }
    if (f && f->source) {
        if ((rc = idx_filter_term(IDX_PREFIX_SOURCE, f->source, strlen(f->source), &term, err)) ||
            (rc = idx_xq_term(term.data, term.len, &subs[nsub], err)))
            goto done;
        nsub++;
    }
    if (f && f->category) {
        if ((rc = idx_filter_term(IDX_PREFIX_CATEGORY, f->category, strlen(f->category), &term,
                                  err)) ||
            (rc = idx_xq_term(term.data, term.len, &subs[nsub], err)))
            goto done;
        nsub++;
    }
    if (nsub == 0) {
        rc = idx_xq_scale(q, 1.0, out, err);
        goto done;
    }
    {
        idx_xq *filter = NULL;
        if (nsub == 1) {
            filter = subs[0];
            subs[0] = NULL;
        } else if ((rc = idx_xq_combine(IDX_XQ_AND, subs, nsub, &filter, err))) {
            goto done;
        }
        idx_xq *pair[2] = {(idx_xq *)q, filter};
        rc = idx_xq_combine(IDX_XQ_FILTER, pair, 2, out, err);
        idx_xq_free(filter);
    }
done:
    for (size_t i = 0; i < nsub; i++) idx_xq_free(subs[i]);
    idx_buf_fini(&term);
    return rc;
}
