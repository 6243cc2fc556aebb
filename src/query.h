/* query.h - user query text -> parse tree (qparse.c) -> Xapian query (query.c).
 *
 * The query language is described in qparse.c.  Each text part is tokenized
 * with the one tokenizer in QUERY mode; a part that yields several tokens (a CJK run,
 * "5G基站", "2.14亿") must match as a phrase at the same relative positions
 * the indexer gave them, so 南通开发区 never matches 南通 ... 开发 ... 区
 * scattered.  A single CJK character is a unigram, which the indexer emits for
 * every CJK character, so it is found inside longer words (in a database
 * built with IDX_UNIGRAMS_EDGES it becomes OR(unigram, bigrams starting with
 * it) instead).  Title matches are
 * boosted: the whole query is OP_AND_MAYBE'd with the OR of its positive
 * parts over the title-prefixed terms, scaled by title_weight.
 *
 * Filters (date range, source, category) are applied as boolean filters and
 * never change scores.
 */
#ifndef IDX_QUERY_H
#define IDX_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "tokenize.h"
#include "xap.h"

#define IDX_QUERY_MAX_BYTES 4096
#define IDX_QUERY_MAX_TERMS 256
#define IDX_TITLE_WEIGHT_DEFAULT 2.0

/* A parsed query (qparse.c): a tree of nodes, plus the list of its positive
 * text leaves ("parts").  The query compiler walks the tree; the snippet
 * highlighter (snippet.h) marks the parts; both read this one structure, so
 * they agree on what the user asked for. */
typedef struct idx_qtoken {
    char term[IDX_TOKEN_MAX_WORD + 1]; /* normalized, NUL-terminated */
    size_t len;
    uint32_t pos;                      /* position from the tokenizer */
    int kind;                          /* IDX_TOK_* */
} idx_qtoken;

/* Copy a tokenizer token (valid only during its callback) into q. */
void idx_qtoken_set(idx_qtoken *q, const idx_token *t);

enum { IDX_FIELD_ANY = 0, IDX_FIELD_TITLE = 1 };

/* Node types.  TEXT: tokens that must match at their relative positions (a
 * bare word, a CJK run, a "quoted phrase"), in title and body or, with
 * field TITLE, in the title only.  FILTER: an exact source/category/tag.
 * DATE: an inclusive date range.  AND/OR: children; NOT: one child. */
enum { IDX_QN_AND = 1, IDX_QN_OR, IDX_QN_NOT, IDX_QN_TEXT, IDX_QN_FILTER, IDX_QN_DATE };

typedef struct idx_qnode {
    int type;
    int kid, next;       /* first child, next sibling: node indexes, -1 = none */
    int field;           /* TEXT: IDX_FIELD_* */
    size_t first, n;     /* TEXT: toks[first .. first+n) */
    const char *prefix;  /* FILTER: IDX_PREFIX_SOURCE, _CATEGORY or _TAG */
    char *value;         /* FILTER: the value (owned) */
    char *from, *to;     /* DATE: ISO bounds or NULL for an open end (owned) */
} idx_qnode;

typedef struct idx_qpart {
    size_t first, n; /* toks[first .. first+n) */
    int field;       /* IDX_FIELD_*: a title-only part is not marked in bodies */
} idx_qpart;

typedef struct idx_parsed_query {
    idx_qtoken *toks; /* owned */
    size_t ntoks;
    idx_qnode *nodes; /* owned */
    size_t nnodes, nodecap;
    int root;         /* index into nodes */
    idx_qpart *parts; /* owned: the TEXT nodes not under a NOT, in order */
    size_t nparts;
    char warning[256]; /* non-empty when the syntax was bad and the query was
                          read as plain words instead */
    int tokflags;      /* idx_tokenize flags it was parsed with (the
                          highlighter tokenizes texts the same way) */
} idx_parsed_query;

/* Parse s[0..n) (syntax in qparse.c) into *pq; the caller calls
 * idx_parsed_query_fini, also after an error.  Bad syntax is not an error:
 * the text is searched as plain words and pq->warning says why.  Errors:
 * IDX_EUTF8, IDX_ETOOBIG, IDX_EINVAL (nothing searchable), IDX_ENOMEM. */
int idx_query_parse(const char *s, size_t n, int tokflags, idx_parsed_query *pq, idx_err *err);
void idx_parsed_query_fini(idx_parsed_query *pq);

/* Replace every text part equal to a synonym member by the OR of its group
 * (synonyms.h), and recompute pq->parts so every member is highlighted.
 * syn may be NULL.  IDX_OK, IDX_ETOOBIG or IDX_ENOMEM. */
struct idx_synonyms;
int idx_query_expand_synonyms(idx_parsed_query *pq, const struct idx_synonyms *syn, idx_err *err);

typedef struct idx_query_opts {
    double title_weight; /* 0: no title boost */
    int unigrams;        /* IDX_UNIGRAMS_* of the database (document.h) */
    int tokflags;        /* idx_tokenize flags of the database (idx_schema_tokflags) */
} idx_query_opts;

/* Build the Xapian query of a parsed query; *out owned by the caller. */
int idx_query_build(const idx_parsed_query *pq, const idx_query_opts *opts, idx_xq **out,
                    idx_err *err);

/* Parse and build s[0..n).  *out is owned by the caller (idx_xq_free).  Errors:
 * IDX_EUTF8 (offset named), IDX_ETOOBIG (over IDX_QUERY_MAX_BYTES or
 * IDX_QUERY_MAX_TERMS), IDX_EINVAL (nothing searchable, e.g. only
 * punctuation), IDX_ENOMEM. */
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

#endif
