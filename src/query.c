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

typedef struct qtok {
    char term[IDX_TOKEN_MAX_WORD + 8]; /* room for a prefix */
    size_t len;
    uint32_t pos;
    size_t start, end;
    int kind;
} qtok;

typedef struct collect {
    qtok *toks;
    size_t n;
} collect;

static int on_token(void *ctx, const idx_token *t)
{
    collect *c = ctx;
    if (c->n >= IDX_QUERY_MAX_TERMS) return IDX_ETOOBIG;
    qtok *q = &c->toks[c->n++];
    memcpy(q->term, t->term, t->len);
    q->len = t->len;
    q->pos = t->pos;
    q->start = t->start;
    q->end = t->end;
    q->kind = t->kind;
    return IDX_OK;
}

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

/* Query for toks[a..b) (one part), terms prefixed with prefix. */
static int part_query(const qtok *toks, size_t a, size_t b, const char *prefix, int unigrams,
                      idx_xq **out, idx_err *err)
{
    size_t k = b - a, pl = strlen(prefix);
    const char *terms[IDX_QUERY_MAX_TERMS];
    size_t lens[IDX_QUERY_MAX_TERMS];
    char (*buf)[IDX_TOKEN_MAX_WORD + 8] = malloc(k * sizeof *buf);
    if (!buf) return idx_err_set(err, IDX_ENOMEM, "[query][compile] out of memory");
    for (size_t i = 0; i < k; i++) {
        memcpy(buf[i], prefix, pl);
        memcpy(buf[i] + pl, toks[a + i].term, toks[a + i].len);
        terms[i] = buf[i];
        lens[i] = pl + toks[a + i].len;
    }
    unsigned window = (unsigned)(toks[b - 1].pos - toks[a].pos + 1);
    int rc;
    if (k == 1 && unigrams == IDX_UNIGRAMS_EDGES && toks[a].kind == IDX_TOK_UNIGRAM)
        rc = char_query(terms[0], lens[0], out, err);
    else
        rc = idx_xq_phrase(terms, lens, k, window, out, err);
    free(buf);
    return rc;
}

/* AND of all parts, terms prefixed with prefix. */
static int parts_query(const char *s, const qtok *toks, size_t n, const char *prefix,
                       int unigrams, idx_xq **out, idx_err *err)
{
    idx_xq *subs[IDX_QUERY_MAX_TERMS];
    size_t nsub = 0, a = 0;
    int rc = IDX_OK;
    for (size_t i = 1; i <= n; i++) {
        if (i < n && !has_space(s, toks[i - 1].end, toks[i].start)) continue;
        if ((rc = part_query(toks, a, i, prefix, unigrams, &subs[nsub], err))) goto done;
        nsub++;
        a = i;
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

int idx_query_compile(const char *s, size_t n, const idx_query_opts *opts, idx_xq **out,
                      idx_err *err)
{
    *out = NULL;
    if (n > IDX_QUERY_MAX_BYTES)
        return idx_err_set(err, IDX_ETOOBIG, "[query][compile] query is %zu bytes (max %d)", n,
                           IDX_QUERY_MAX_BYTES);
    collect c = {malloc(IDX_QUERY_MAX_TERMS * sizeof(qtok)), 0};
    if (!c.toks) return idx_err_set(err, IDX_ENOMEM, "[query][compile] out of memory");
    idx_xq *body = NULL, *title = NULL, *scaled = NULL;
    int rc = idx_tokenize(s, n, IDX_TOKENIZE_QUERY, 0, on_token, &c, NULL, err);
    if (rc == IDX_ETOOBIG) {
        rc = idx_err_set(err, IDX_ETOOBIG, "[query][compile] query has more than %d terms",
                         IDX_QUERY_MAX_TERMS);
        goto done;
    }
    if (rc) goto done;
    if (c.n == 0) {
        rc = idx_err_set(err, IDX_EINVAL, "[query][compile] query has no searchable terms");
        goto done;
    }
    int unigrams = opts ? opts->unigrams : IDX_UNIGRAMS_ALL;
    if ((rc = parts_query(s, c.toks, c.n, "", unigrams, &body, err))) goto done;
    if (!opts || opts->title_weight <= 0) {
        *out = body;
        body = NULL;
        goto done;
    }
    if ((rc = parts_query(s, c.toks, c.n, IDX_PREFIX_TITLE, unigrams, &title, err)) ||
        (rc = idx_xq_scale(title, opts->title_weight, &scaled, err)))
        goto done;
    idx_xq *pair[2] = {body, scaled};
    rc = idx_xq_combine(IDX_XQ_AND_MAYBE, pair, 2, out, err);
done:
    idx_xq_free(body);
    idx_xq_free(title);
    idx_xq_free(scaled);
    free(c.toks);
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
