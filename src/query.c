/* query.c - see query.h.  The tree is walked once; each node becomes a
 * Xapian query through the shim (xap.h); terms get their index prefixes
 * (document.h) here and nowhere else on the query side.
 *
 * Worked example: "南通开发区 5G" tokenizes (QUERY mode) to
 *   南通@0[0,6) 通开@1 开发@2 发区@3[9,15)  5g@5[16,18)
 * The gap between 发区 and 5g holds a space, so there are two parts:
 *   PHRASE(南通 通开 开发 发区, window 4) AND 5g                (format 1)
 *   FILTER(AND(南通 通开 开发 发区), PHRASE(南 通 开 发 区, 5)) AND 5g (format 2)
 * and the title boost adds, scaled by title_weight,
 *   AND(S南通 S通开 S开发 S发区) OR S5g.
 */
#include "query.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "document.h"
#include "isodate.h"
#include "tokenize.h"
#include "utf8.h"

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

/* toks[i]'s term with prefix into buf (room for IDX_TOKEN_MAX_WORD + 8). */
static size_t prefixed(const char *prefix, size_t pl, const char *t, size_t n, char *buf)
{
    memcpy(buf, prefix, pl);
    memcpy(buf + pl, t, n);
    return pl + n;
}

/* Format 2's phrase for a part of k > 1 tokens: its positional terms - words,
 * lone unigrams and, for each bigram, its first character (and the second
 * too when the run ends with it) - at their positions, within the part's
 * window.  Weight comes from the caller's AND of the tokens. */
static int char_phrase(const idx_qtoken *toks, size_t k, const char *prefix, idx_xq **out,
                       idx_err *err)
{
    size_t pl = strlen(prefix), m = 0;
    const char **terms = malloc(2 * k * sizeof *terms);
    size_t *lens = malloc(2 * k * sizeof *lens);
    char (*buf)[IDX_TOKEN_MAX_WORD + 8] = malloc(2 * k * sizeof *buf);
    int rc;
    if (!terms || !lens || !buf) {
        rc = idx_err_set(err, IDX_ENOMEM, "query.build", "out of memory");
        goto done;
    }
    for (size_t i = 0; i < k; i++) {
        const idx_qtoken *q = &toks[i];
        if (q->kind != IDX_TOK_BIGRAM) {
            lens[m] = prefixed(prefix, pl, q->term, q->len, buf[m]);
            m++;
            continue;
        }
        size_t c1 = idx_utf8_clip(q->term, q->len, 4); /* the first character's bytes */
        if (c1 == 0 || c1 == q->len) c1 = q->len / 2;  /* (not reached: CJK is 3-4 bytes) */
        lens[m] = prefixed(prefix, pl, q->term, c1, buf[m]);
        m++;
        int run_goes_on = i + 1 < k && toks[i + 1].kind == IDX_TOK_BIGRAM &&
                          toks[i + 1].pos == q->pos + 1;
        if (!run_goes_on) {
            lens[m] = prefixed(prefix, pl, q->term + c1, q->len - c1, buf[m]);
            m++;
        }
    }
    for (size_t i = 0; i < m; i++) terms[i] = buf[i];
    /* the last character of a run ending in a bigram sits one past its position */
    uint32_t last = toks[k - 1].pos + (toks[k - 1].kind == IDX_TOK_BIGRAM ? 1 : 0);
    rc = idx_xq_phrase(terms, lens, m, (unsigned)(last - toks[0].pos + 1), out, err);
done:
    free(terms);
    free(lens);
    free(buf);
    return rc;
}

/* Query for one part (k tokens), terms prefixed with prefix, in index
 * format fmt.  exact: format 1 the phrase of the tokens; format 2 (k > 1)
 * the AND of the tokens (their weights) filtered by the phrase of their
 * characters.  Not exact (the title boost, which only ranks): the AND of
 * the tokens, the same weights without a position check. */
static int part_query(const idx_qtoken *toks, size_t k, const char *prefix, int unigrams, int fmt,
                      int exact, idx_xq **out, idx_err *err)
{
    size_t pl = strlen(prefix);
    const char *terms[IDX_QUERY_MAX_TERMS];
    size_t lens[IDX_QUERY_MAX_TERMS];
    char (*buf)[IDX_TOKEN_MAX_WORD + 8] = malloc(k * sizeof *buf);
    if (!buf) return idx_err_set(err, IDX_ENOMEM, "query.build", "out of memory");
    for (size_t i = 0; i < k; i++) {
        lens[i] = prefixed(prefix, pl, toks[i].term, toks[i].len, buf[i]);
        terms[i] = buf[i];
    }
    unsigned window = (unsigned)(toks[k - 1].pos - toks[0].pos + 1);
    int rc;
    if (k == 1 && unigrams == IDX_UNIGRAMS_EDGES && toks[0].kind == IDX_TOK_UNIGRAM)
        rc = char_query(terms[0], lens[0], out, err);
    else if (k == 1 || (fmt < 2 && exact))
        rc = idx_xq_phrase(terms, lens, k, window, out, err);
    else {
        idx_xq *pair[2] = {NULL, NULL};
        idx_xq *words[IDX_QUERY_MAX_TERMS];
        size_t nw = 0;
        rc = IDX_OK;
        for (size_t i = 0; i < k && !rc; i++)
            if (!(rc = idx_xq_term(terms[i], lens[i], &words[nw], err))) nw++;
        if (!rc) rc = idx_xq_combine(IDX_XQ_AND, words, nw, &pair[0], err);
        if (!rc && !exact) {
            *out = pair[0];
            pair[0] = NULL;
        } else {
            if (!rc) rc = char_phrase(toks, k, prefix, &pair[1], err);
            if (!rc) rc = idx_xq_combine(IDX_XQ_FILTER, pair, 2, out, err);
        }
        for (size_t i = 0; i < nw; i++) idx_xq_free(words[i]);
        idx_xq_free(pair[0]);
        idx_xq_free(pair[1]);
    }
    free(buf);
    return rc;
}

static int date_bound(const char *v, int upper, char out[18], size_t *len, idx_err *err);

/* Value range on the date slot; from/to NULL for open ends. */
static int date_query(const char *from, const char *to, idx_xq **out, idx_err *err)
{
    char lo[18], hi[18];
    size_t lolen = 0, hilen = 0;
    int rc;
    if ((from && (rc = date_bound(from, 0, lo, &lolen, err))) ||
        (to && (rc = date_bound(to, 1, hi, &hilen, err))))
        return rc;
    return idx_xq_value_range(IDX_SLOT_DATE, from ? lo : NULL, lolen, to ? hi : NULL, hilen, out,
                              err);
}

/* How the nodes are built: the database's unigram mode, and the title
 * prefix for every text part (title_only) or for title: parts only. */
typedef struct build {
    const idx_qtree *t;
    int unigrams;
    int format;
    int title_only;
} build;

static int build_node(const build *b, int id, idx_xq **out, idx_err *err);

/* Everything but q: MatchAll AND_NOT q. */
static int all_but(idx_xq *q, idx_xq **out, idx_err *err)
{
    idx_xq *pair[2] = {NULL, q};
    int rc = idx_xq_all(&pair[0], err);
    if (!rc) rc = idx_xq_combine(IDX_XQ_AND_NOT, pair, 2, out, err);
    idx_xq_free(pair[0]);
    return rc;
}

/* AND or OR of a node's children; in an AND, NOT children are subtracted
 * from the rest (from everything when there is no rest). */
static int build_group(const build *b, const idx_qnode *nd, idx_xq **out, idx_err *err)
{
    const idx_qtree *t = b->t;
    idx_xq *pos[IDX_QUERY_MAX_TERMS], *neg[IDX_QUERY_MAX_TERMS], *p = NULL, *n = NULL;
    size_t npos = 0, nneg = 0;
    int rc = IDX_OK;
    for (int k = nd->kid; k >= 0 && !rc; k = t->nodes[k].next) {
        const idx_qnode *kid = &t->nodes[k];
        if (kid->type == IDX_QN_NOT && nd->type == IDX_QN_AND) {
            if (!(rc = build_node(b, kid->kid, &neg[nneg], err))) nneg++;
        } else if (!(rc = build_node(b, k, &pos[npos], err))) {
            npos++;
        }
    }
    if (rc) goto done;
    int op = nd->type == IDX_QN_AND ? IDX_XQ_AND : IDX_XQ_OR;
    if (npos == 0)
        rc = idx_xq_all(&p, err);
    else
        rc = idx_xq_combine(op, pos, npos, &p, err);
    if (rc || nneg == 0) {
        *out = p;
        p = NULL;
        goto done;
    }
    if ((rc = idx_xq_combine(IDX_XQ_OR, neg, nneg, &n, err))) goto done;
    idx_xq *pair[2] = {p, n};
    rc = idx_xq_combine(IDX_XQ_AND_NOT, pair, 2, out, err);
done:
    for (size_t i = 0; i < npos; i++) idx_xq_free(pos[i]);
    for (size_t i = 0; i < nneg; i++) idx_xq_free(neg[i]);
    idx_xq_free(p);
    idx_xq_free(n);
    return rc;
}

/* The index prefix of a FILTER node's field. */
static const char *filter_prefix(int field)
{
    switch (field) {
    case IDX_FIELD_SOURCE: return IDX_PREFIX_SOURCE;
    case IDX_FIELD_CATEGORY: return IDX_PREFIX_CATEGORY;
    default: return IDX_PREFIX_TAG;
    }
}

static int build_node(const build *b, int id, idx_xq **out, idx_err *err)
{
    const idx_qnode *nd = &b->t->nodes[id];
    *out = NULL;
    switch (nd->type) {
    case IDX_QN_TEXT: {
        int title = b->title_only || nd->field == IDX_FIELD_TITLE;
        return part_query(b->t->toks + nd->first, nd->n, title ? IDX_PREFIX_TITLE : "",
                          b->unigrams, b->format, 1, out, err);
    }
    case IDX_QN_FILTER: {
        idx_buf term;
        idx_buf_init(&term);
        idx_xq *t = NULL;
        int rc = idx_filter_term(filter_prefix(nd->field), nd->value, strlen(nd->value), &term,
                                 err);
        if (!rc) rc = idx_xq_term(term.data, term.len, &t, err);
        if (!rc) rc = idx_xq_scale(t, 0, out, err); /* a filter adds no weight */
        idx_xq_free(t);
        idx_buf_fini(&term);
        return rc;
    }
    case IDX_QN_DATE:
        return date_query(nd->from, nd->to, out, err);
    case IDX_QN_NOT: {
        idx_xq *k = NULL;
        int rc = build_node(b, nd->kid, &k, err);
        if (!rc) rc = all_but(k, out, err);
        idx_xq_free(k);
        return rc;
    }
    default:
        return build_group(b, nd, out, err);
    }
}

idx_rank idx_rank_default(void)
{
    /* chosen on the dev part of bench/relevance (RESULTS.md "Relevance (issue 19)") */
    return (idx_rank){.title_weight = IDX_TITLE_WEIGHT_DEFAULT,
                      .title_len_weight = 8,
                      .title_len = 1500,
                      .prior_weight = 0, /* measured, no gain: RESULTS.md */
                      .prior_len = 800,
                      .near_weight = 0, /* helped dev, hurt the held-out part: RESULTS.md */
                      .near_window = 64,
                      .abbreviations = 1,
                      .regional = 1};
}

int idx_rank_parse(const char *spec, idx_rank *r, idx_err *err)
{
    static const struct {
        const char *name;
        size_t off;
        int whole;
    } names[] = {
        {"title_weight", offsetof(idx_rank, title_weight), 0},
        {"title_len_weight", offsetof(idx_rank, title_len_weight), 0},
        {"title_len", offsetof(idx_rank, title_len), 0},
        {"prior_weight", offsetof(idx_rank, prior_weight), 0},
        {"prior_len", offsetof(idx_rank, prior_len), 0},
        {"near_weight", offsetof(idx_rank, near_weight), 0},
        {"near_window", offsetof(idx_rank, near_window), 1},
        {"bm25_k1", offsetof(idx_rank, bm25_k1), 0},
        {"bm25_b", offsetof(idx_rank, bm25_b), 0},
        {"abbreviations", offsetof(idx_rank, abbreviations), 1},
        {"regional", offsetof(idx_rank, regional), 1},
    };
    const char *p = spec;
    while (*p) {
        const char *eq = strchr(p, '='), *end = strchr(p, ',');
        if (!end) end = p + strlen(p);
        size_t i, n = eq && eq < end ? (size_t)(eq - p) : 0;
        for (i = 0; i < sizeof names / sizeof *names; i++)
            if (n && strlen(names[i].name) == n && memcmp(names[i].name, p, n) == 0) break;
        char *stop = NULL;
        double v = i < sizeof names / sizeof *names ? strtod(eq + 1, &stop) : 0;
        if (i == sizeof names / sizeof *names || stop != end || stop == eq + 1 ||
            !(v >= 0 && v <= 1e6))
            return idx_err_set(err, IDX_EINVAL, "query.rank",
                               "bad ranking item \"%.*s\" (name=value, a number from 0 to "
                               "1000000, names as in idx_rank)",
                               (int)(end - p > 60 ? 60 : end - p), p);
        if (names[i].whole && v != (double)(unsigned)v)
            return idx_err_set(err, IDX_EINVAL, "query.rank",
                               "bad ranking item \"%.*s\" (a whole number)",
                               (int)(end - p > 60 ? 60 : end - p), p);
        if (names[i].whole)
            *(unsigned *)((char *)r + names[i].off) = (unsigned)v;
        else
            *(double *)((char *)r + names[i].off) = v;
        p = *end ? end + 1 : end;
    }
    return IDX_OK;
}

/* A part's first positional term (format 2: a bigram's first character),
 * for the proximity of parts. */
static int first_term(const idx_qtoken *tok, int fmt, idx_xq **out, idx_err *err)
{
    size_t n = tok->len;
    if (fmt >= 2 && tok->kind == IDX_TOK_BIGRAM) n = idx_utf8_clip(tok->term, tok->len, 4);
    return idx_xq_term(tok->term, n, out, err);
}

/* NEAR of the root AND's parts (a TEXT part by its first term, an OR of
 * TEXT parts - a synonym group - by the OR of theirs), when it has two or
 * more; *out NULL when the query is not such an AND. */
static int parts_near(const build *b, unsigned window, idx_xq **out, idx_err *err)
{
    const idx_qtree *t = b->t;
    const idx_qnode *root = &t->nodes[t->root];
    idx_xq *subs[IDX_QUERY_MAX_TERMS];
    size_t ns = 0;
    int rc = IDX_OK;
    *out = NULL;
    if (root->type != IDX_QN_AND) return IDX_OK;
    for (int k = root->kid; k >= 0 && !rc && ns < IDX_QUERY_MAX_TERMS; k = t->nodes[k].next) {
        const idx_qnode *kid = &t->nodes[k];
        if (kid->type == IDX_QN_TEXT && kid->field == IDX_FIELD_ANY) {
            if (!(rc = first_term(&t->toks[kid->first], b->format, &subs[ns], err))) ns++;
        } else if (kid->type == IDX_QN_OR) {
            idx_xq *alts[IDX_QUERY_MAX_TERMS];
            size_t na = 0;
            int ok = 1;
            for (int a = kid->kid; a >= 0 && !rc && na < IDX_QUERY_MAX_TERMS; a = t->nodes[a].next) {
                const idx_qnode *m = &t->nodes[a];
                if (m->type != IDX_QN_TEXT || m->field != IDX_FIELD_ANY) { ok = 0; break; }
                if (!(rc = first_term(&t->toks[m->first], b->format, &alts[na], err))) na++;
            }
            if (!rc && ok && na > 0 && !(rc = idx_xq_combine(IDX_XQ_OR, alts, na, &subs[ns], err)))
                ns++;
            for (size_t i = 0; i < na; i++) idx_xq_free(alts[i]);
        }
    }
    if (!rc && ns >= 2) rc = idx_xq_near(subs, ns, window, out, err);
    for (size_t i = 0; i < ns; i++) idx_xq_free(subs[i]);
    return rc;
}

/* part (its title query) as length-aware title evidence: AND(title terms
 * scaled by title_weight, the length source), so the length weight is
 * added only where the title matches. */
static int title_evidence(idx_xq *title, const idx_query_opts *opts, idx_xq **out, idx_err *err)
{
    const idx_rank *r = opts->rank;
    idx_xq *pair[2] = {NULL, NULL};
    int rc = idx_xq_scale(title, opts->title_weight, &pair[0], err);
    if (!rc) rc = idx_xq_length(r->title_len_weight, r->title_len, &pair[1], err);
    if (!rc) rc = idx_xq_combine(IDX_XQ_AND, pair, 2, out, err);
    idx_xq_free(pair[0]);
    idx_xq_free(pair[1]);
    return rc;
}

/* main AND_MAYBE extra: extra only ranks (both freed; *out the result). */
static int maybe(idx_xq **main_q, idx_xq *extra, idx_err *err)
{
    idx_xq *pair[2] = {*main_q, extra}, *out = NULL;
    int rc = idx_xq_combine(IDX_XQ_AND_MAYBE, pair, 2, &out, err);
    idx_xq_free(extra);
    if (rc) return rc;
    idx_xq_free(*main_q);
    *main_q = out;
    return IDX_OK;
}

int idx_query_build(const idx_qtree *t, const idx_query_opts *opts, idx_xq **out, idx_err *err)
{
    *out = NULL;
    if (t->root < 0)
        return idx_err_set(err, IDX_EINVAL, "query.build", "query has no searchable terms");
    idx_xq *main_q = NULL, *title = NULL, *scaled = NULL;
    idx_xq *boost[IDX_QUERY_MAX_TERMS];
    size_t nboost = 0;
    build b = {.t = t,
               .unigrams = opts ? opts->unigrams : IDX_UNIGRAMS_ALL,
               .format = opts && opts->format > 1 ? opts->format : 1,
               .title_only = opts && opts->title_only};
    int rc = build_node(&b, t->root, &main_q, err);
    if (rc) goto done;
    const idx_rank *r = opts && !b.title_only ? opts->rank : NULL;
    /* the title's length evidence (idx_rank) */
    int evidence = r && opts->lengths && r->title_len > 0 && r->title_len_weight > 0;
    /* title boost: each positive part that also matches in the title */
    int titles = opts && !b.title_only && (opts->title_weight > 0 || evidence);
    for (size_t i = 0; titles && i < t->nparts && !rc; i++) {
        const idx_qpart *part = &t->parts[i];
        if (part->field != IDX_FIELD_ANY) continue;
        if (!(rc = part_query(t->toks + part->first, part->n, IDX_PREFIX_TITLE, b.unigrams,
                              b.format, 0, &boost[nboost], err)))
            nboost++;
    }
    if (rc) goto done;
    if (r && r->near_weight > 0 && r->near_window > 0) { /* proximity of the parts */
        idx_xq *near = NULL;
        if (!(rc = parts_near(&b, r->near_window, &near, err)) && near) {
            idx_xq *bonus = NULL;
            rc = idx_xq_scale(near, r->near_weight, &bonus, err);
            idx_xq_free(near);
            if (!rc) rc = maybe(&main_q, bonus, err); /* frees bonus either way */
        }
        if (rc) goto done;
    }
    if (r && opts->lengths && r->prior_weight > 0 && r->prior_len > 0) { /* substance */
        idx_xq *prior = NULL;
        if ((rc = idx_xq_length(r->prior_weight, r->prior_len, &prior, err)) ||
            (rc = maybe(&main_q, prior, err))) /* maybe() frees prior either way */
            goto done;
    }
    if (nboost == 0) {
        *out = main_q;
        main_q = NULL;
        goto done;
    }
    if (evidence) {
        /* each part's title match, weighed by the article's length; past
         * IDX_TITLE_EVIDENCE_PARTS parts (a query of 100 ORed phrases) the
         * title's score alone, so a query opens at most that many length
         * sources */
        for (size_t i = 0; i < nboost; i++) {
            idx_xq *ev = NULL;
            if (i < IDX_TITLE_EVIDENCE_PARTS)
                rc = title_evidence(boost[i], opts, &ev, err);
            else
                rc = idx_xq_scale(boost[i], opts->title_weight, &ev, err);
            if (rc) goto done;
            idx_xq_free(boost[i]);
            boost[i] = ev;
        }
        if ((rc = idx_xq_combine(IDX_XQ_OR, boost, nboost, &title, err))) goto done;
    } else if ((rc = idx_xq_combine(IDX_XQ_OR, boost, nboost, &scaled, err)) ||
               (rc = idx_xq_scale(scaled, opts->title_weight, &title, err))) {
        goto done;
    }
    idx_xq *pair[2] = {main_q, title};
    rc = idx_xq_combine(IDX_XQ_AND_MAYBE, pair, 2, out, err);
done:
    for (size_t i = 0; i < nboost; i++) idx_xq_free(boost[i]);
    idx_xq_free(main_q);
    idx_xq_free(title);
    idx_xq_free(scaled);
    return rc;
}

int idx_query_compile(const char *s, size_t n, const idx_query_opts *opts, idx_xq **out,
                      idx_err *err)
{
    *out = NULL;
    idx_qtree t;
    int rc = idx_qtree_parse(s, n, opts ? opts->tokflags : 0, &t, err);
    if (!rc) rc = idx_query_build(&t, opts, out, err);
    idx_qtree_fini(&t);
    return rc;
}

static int date_bound(const char *v, int upper, char out[18], size_t *len, idx_err *err)
{
    idx_date d;
    int rc = idx_date_parse(v, strlen(v), &d, err);
    if (rc) return rc;
    int64_t secs = d.secs;
    /* an upper bound includes the whole of its last unit: a bare date its
     * day, "YYYY-MM-DDTHH:MM" its minute */
    size_t n = strlen(v);
    if (upper && n == 10)
        secs += 86399;
    else if (upper && n >= 16 && (n == 16 || v[16] != ':'))
        secs += 59;
    *len = idx_sortable_serialise((double)secs, out);
    return IDX_OK;
}

int idx_query_filter(const idx_xq *q, const idx_filters *f, idx_xq **out, idx_err *err)
{
    idx_xq *subs[5] = {0};
    size_t nsub = 0;
    idx_buf term;
    idx_buf_init(&term);
    int rc = IDX_OK;
    *out = NULL;
    if (f && (f->from || f->to)) {
        if ((rc = date_query(f->from, f->to, &subs[nsub], err))) goto done;
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
    if (f && f->year) {
        const char *y = f->year;
        if (strlen(y) != 4 || y[0] < '0' || y[0] > '9' || y[1] < '0' || y[1] > '9' || y[2] < '0' ||
            y[2] > '9' || y[3] < '0' || y[3] > '9') {
            rc = idx_err_set(err, IDX_EINVAL, "query", "year must be four digits, like 2022");
            goto done;
        }
        if ((rc = idx_filter_term(IDX_PREFIX_YEAR, y, 4, &term, err)) ||
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

int idx_query_scope(const idx_xq *q, const char *scope, const idx_query_opts *o, idx_xq **out,
                    idx_err *err)
{
    *out = NULL;
    if (!scope) return idx_xq_scale(q, 1.0, out, err);
    idx_query_opts so = {.unigrams = o->unigrams, .format = o->format, .tokflags = o->tokflags};
    idx_xq *sq = NULL;
    int rc = idx_query_compile(scope, strlen(scope), &so, &sq, err);
    if (!rc) {
        idx_xq *pair[2] = {(idx_xq *)q, sq};
        rc = idx_xq_combine(IDX_XQ_FILTER, pair, 2, out, err);
    }
    idx_xq_free(sq);
    return rc;
}
