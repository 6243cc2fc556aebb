/* query.h - query tree (qtree.h) -> Xapian query, and the boolean filters
 * around it.  Nothing here parses or tokenizes: the tree holds the tokens.
 *
 * A TEXT part of several tokens (a CJK run, "5G基站", "2.14亿") must match as
 * a phrase at the same relative positions the indexer gave them, so
 * 南通开发区 never matches 南通 ... 开发 ... 区 scattered: in index format 1
 * the phrase of its bigrams; in format 2, where bigrams carry no positions,
 * FILTER(AND(南通 通开 开发 发区), PHRASE(南 通 开 发 区)) - the same weight
 * (the bigrams'), the same matches.  A single CJK
 * character is a unigram, which the indexer emits for every CJK character,
 * so it is found inside longer words (in a database built with
 * IDX_UNIGRAMS_EDGES it becomes OR(unigram, bigrams starting with it)
 * instead).  Title matches are boosted: the whole query is OP_AND_MAYBE'd
 * with the OR of its positive parts over the title-prefixed terms, scaled by
 * title_weight; a part of several tokens as the AND of them, without the
 * position check (it only ranks, and in a title of a few dozen characters
 * the AND is the phrase: the top 10 of 440 benchmark queries are the same
 * either way, and the check cost a position lookup per term and match).  A NOT is subtracted from the rest of its AND (from
 * everything when it stands alone).  Filters in the tree (source:, date:)
 * and those of idx_query_filter are boolean and never change scores.
 */
#ifndef IDX_QUERY_H
#define IDX_QUERY_H

#include <stddef.h>

#include "err.h"
#include "qtree.h"
#include "xap.h"

#define IDX_TITLE_WEIGHT_DEFAULT 0.5
#define IDX_TITLE_EVIDENCE_PARTS 8 /* parts given the title's length evidence, at most */

/* The ranking: how much a title match, a document's length and the
 * closeness of a query's parts add to BM25.  idx_rank_default() is what
 * both programs use; bench/relevance.sh measures each signal (RESULTS.md).
 *   title: per positive part that also matches the title,
 *          title_weight * BM25(title terms)
 *          + title_len_weight * len / (len + title_len)   (when title_len > 0;
 *            the first IDX_TITLE_EVIDENCE_PARTS parts)
 *          so a title match is strong evidence for a substantive article and
 *          weak for a one-line notice (len: the document's length in terms);
 *   prior: prior_weight * len / (len + prior_len) for every match;
 *   near:  near_weight * the weights of the parts' first terms when the
 *          parts of a multi-part query (the root AND's TEXT parts, or OR of
 *          them) lie within near_window positions;
 *   bm25_k1, bm25_b: BM25's own parameters (0: Xapian's, 1 and 0.5);
 *   abbreviations: expand a part the archive pairs with full names (vocab.h);
 *   regional: expand a rare Taiwan wording with the mainland one (regional.h).
 * The length signals are a PostingSource of idx's own, which xapian-tcpsrv
 * does not know: on an archive with remote shards they are left out
 * (lengths = 0 below), for every shard alike. */
typedef struct idx_rank {
    double title_weight;
    double title_len_weight, title_len;
    double prior_weight, prior_len;
    double near_weight;
    unsigned near_window;
    double bm25_k1, bm25_b;
    unsigned abbreviations; /* 1: expand abbreviations the archive pairs (vocab.h) */
    unsigned regional;      /* 1: expand rare Taiwan wordings (regional.h) */
} idx_rank;

/* The default ranking: title weight 0.5, title length evidence 8 with
 * title_len 1500, no prior, no proximity (measured, and left off: one gained
 * nothing, the other lost on the held-out queries), abbreviations and
 * regional wordings on. */
idx_rank idx_rank_default(void);

/* Parse "name=value,..." (the names of idx_rank's fields: title_weight,
 * title_len_weight, title_len, prior_weight, prior_len, near_weight,
 * near_window, bm25_k1, bm25_b, abbreviations, regional) over *r; IDX_EINVAL naming a bad item. */
int idx_rank_parse(const char *spec, idx_rank *r, idx_err *err);

typedef struct idx_query_opts {
    double title_weight; /* the BM25 share of the title boost (0: none; the
                            rank's length evidence may still add) */
    const idx_rank *rank; /* the other signals; NULL: none (title_weight only) */
    int lengths;          /* 1: the length signals of rank may be used (no remote shard) */
    int unigrams;        /* IDX_UNIGRAMS_* of the database (document.h) */
    int format;          /* index format of the database (document.h); 0 = 1 */
    int tokflags;        /* idx_tokenize flags of the database (idx_schema_tokflags) */
    int title_only;      /* 1: every text part in titles only, as if written
                            title:... (suggestions); no title boost then */
} idx_query_opts;

/* Build the Xapian query of tree t (opts NULL: no boost, IDX_UNIGRAMS_ALL);
 * *out owned by the caller (idx_xq_free).  IDX_EINVAL for an empty tree or a
 * bad date, IDX_ENOMEM. */
int idx_query_build(const idx_qtree *t, const idx_query_opts *opts, idx_xq **out, idx_err *err);

/* Parse (idx_qtree_parse with opts->tokflags) and build s[0..n).  *out is
 * owned by the caller (idx_xq_free).  Errors those of the two steps. */
int idx_query_compile(const char *s, size_t n, const idx_query_opts *opts, idx_xq **out,
                      idx_err *err);

typedef struct idx_filters {
    const char *from, *to;   /* ISO dates or date-times, inclusive; NULL = open */
    const char *source;      /* exact source; NULL = any */
    const char *category;    /* exact category; NULL = any */
    const char *year;        /* "2022"; NULL = any */
} idx_filters;

/* Apply filters to q; *out is a new handle owned by the caller (a copy of q
 * when no filter is set).  IDX_EINVAL for a bad date. */
int idx_query_filter(const idx_xq *q, const idx_filters *f, idx_xq **out, idx_err *err);

/* q restricted to the matches of scope, a query in the query language
 * (a scoped API key's filter), built with o's text options and adding no
 * weight; *out owned by the caller.  scope NULL: a copy of q.  Errors those
 * of idx_query_compile. */
int idx_query_scope(const idx_xq *q, const char *scope, const idx_query_opts *o, idx_xq **out,
                    idx_err *err);

#endif
