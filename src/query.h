/* query.h - user query text -> Xapian query (first version).
 *
 * Whitespace-separated parts are ANDed.  Each part is tokenized with the one
 * tokenizer in QUERY mode; a part that yields several tokens (a CJK run,
 * "5G基站", "2.14亿") must match as a phrase at the same relative positions
 * the indexer gave them, so 南通开发区 never matches 南通 ... 开发 ... 区
 * scattered.  A single CJK character is a unigram, which the indexer emits for
 * every CJK character, so it is found inside longer words (in a database
 * built with IDX_UNIGRAMS_EDGES it becomes OR(unigram, bigrams starting with
 * it) instead).  Title matches are
 * boosted: the whole query is OP_AND_MAYBE'd with the same parts over the
 * title-prefixed terms, scaled by title_weight.
 *
 * Filters (date range, source, category) are applied as boolean filters and
 * never change scores.
 */
#ifndef IDX_QUERY_H
#define IDX_QUERY_H

#include <stddef.h>

#include "err.h"
#include "xap.h"

#define IDX_QUERY_MAX_BYTES 4096
#define IDX_QUERY_MAX_TERMS 256
#define IDX_TITLE_WEIGHT_DEFAULT 2.0

typedef struct idx_query_opts {
    double title_weight; /* 0: no title boost */
    int unigrams;        /* IDX_UNIGRAMS_* of the database (document.h) */
} idx_query_opts;

/* Compile s[0..n).  *out is owned by the caller (idx_xq_free).  Errors:
 * IDX_EUTF8 (offset named), IDX_ETOOBIG (over IDX_QUERY_MAX_BYTES or
 * IDX_QUERY_MAX_TERMS), IDX_EINVAL (nothing searchable, e.g. only
 * punctuation), IDX_ENOMEM. */
int idx_query_compile(const char *s, size_t n, const idx_query_opts *opts, idx_xq **out,
                      idx_err *err);

typedef struct idx_filters {
    const char *from, *to;   /* ISO dates or date-times, inclusive; NULL = open */
    const char *source;      /* exact source; NULL = any */
    const char *category;    /* exact category; NULL = any */
} idx_filters;

/* Apply filters to q; *out is a new handle owned by the caller (a copy of q
 * when no filter is set).  IDX_EINVAL for a bad date. */
int idx_query_filter(const idx_xq *q, const idx_filters *f, idx_xq **out, idx_err *err);

#endif
