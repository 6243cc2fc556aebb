/* qtree.h - the parse tree of a user query: its types, the parser
 * (qparse.c: text -> tree), the building blocks the parser and the synonym
 * expansion (synonyms.h) grow it with, and its one rendering, the JSON that
 * `explain` shows (qtree.c).
 *
 * The tree is what the user asked for, in the tokenizer's terms and nothing
 * else: no Xapian (query.h builds Xapian's query from it) and no index
 * prefixes (a filter names its field; the builder gives it document.h's
 * prefix).
 * The query builder walks the nodes; the snippet highlighter (snippet.h)
 * marks the parts; both read this one structure, so they agree.
 *
 * Each text part is tokenized with the one tokenizer in QUERY mode; a part
 * that yields several tokens (a CJK run, "5G基站", "2.14亿") keeps the
 * positions the tokenizer gave them, so it can be matched as a phrase at the
 * same relative positions the indexer gave them.
 *
 * Worked example: `经济 -title:疫情 source:新华社` is
 *   AND(TEXT 经济, NOT(TEXT[title] 疫情), FILTER[source] 新华社)
 * and renders as
 *   {"type":"and","children":[{"type":"text","field":"any","terms":["经济"]},
 *    {"type":"not","children":[{"type":"text","field":"title","terms":["疫情"]}]},
 *    {"type":"filter","field":"source","value":"新华社"}]}
 * with one part, 经济 (a part under a NOT is never highlighted).
 */
#ifndef IDX_QTREE_H
#define IDX_QTREE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "tokenize.h"

#define IDX_QUERY_MAX_BYTES 4096
#define IDX_QUERY_MAX_TERMS 256

typedef struct idx_qtoken {
    char term[IDX_TOKEN_MAX_WORD + 1]; /* normalized, NUL-terminated */
    size_t len;
    uint32_t pos;                      /* position from the tokenizer */
    int kind;                          /* IDX_TOK_* */
} idx_qtoken;

/* Copy a tokenizer token (valid only during its callback) into q. */
void idx_qtoken_set(idx_qtoken *q, const idx_token *t);

/* Fields.  A TEXT node is searched in title and body (ANY) or in the title
 * only (TITLE); a FILTER node matches its value exactly in SOURCE, CATEGORY
 * or TAG. */
enum {
    IDX_FIELD_ANY = 0,
    IDX_FIELD_TITLE = 1,
    IDX_FIELD_SOURCE,
    IDX_FIELD_CATEGORY,
    IDX_FIELD_TAG,
};

/* Node types.  TEXT: tokens that must match at their relative positions (a
 * bare word, a CJK run, a "quoted phrase").  FILTER: an exact
 * source/category/tag.  DATE: an inclusive date range.  AND/OR: children;
 * NOT: one child. */
enum { IDX_QN_AND = 1, IDX_QN_OR, IDX_QN_NOT, IDX_QN_TEXT, IDX_QN_FILTER, IDX_QN_DATE };

typedef struct idx_qnode {
    int type;
    int kid, next;       /* first child, next sibling: node indexes, -1 = none */
    int field;           /* TEXT, FILTER: IDX_FIELD_* */
    size_t first, n;     /* TEXT: toks[first .. first+n) */
    char *value;         /* FILTER: the value (owned) */
    char *from, *to;     /* DATE: ISO bounds or NULL for an open end (owned) */
} idx_qnode;

typedef struct idx_qpart {
    size_t first, n; /* toks[first .. first+n) */
    int field;       /* IDX_FIELD_*: a title-only part is not marked in bodies */
} idx_qpart;

typedef struct idx_qtree {
    idx_qtoken *toks; /* owned, room for IDX_QUERY_MAX_TERMS */
    size_t ntoks;
    idx_qnode *nodes; /* owned */
    size_t nnodes, nodecap;
    int root;         /* index into nodes; -1 when empty */
    idx_qpart *parts; /* owned: the TEXT nodes not under a NOT, in order */
    size_t nparts;
    char warning[256]; /* non-empty when the syntax was bad and the query was
                          read as plain words instead */
    int tokflags;      /* idx_tokenize flags it was parsed with (the
                          highlighter tokenizes texts the same way) */
} idx_qtree;

/* Parse s[0..n) (the language is described in qparse.c) into *t; the
 * caller calls idx_qtree_fini, also after an error.  Bad syntax is not an
 * error: the text is searched as plain words and t->warning says why.
 * Errors: IDX_EUTF8 (offset named), IDX_ETOOBIG (over IDX_QUERY_MAX_BYTES or
 * IDX_QUERY_MAX_TERMS), IDX_EINVAL (nothing searchable, e.g. only
 * punctuation), IDX_ENOMEM. */
int idx_qtree_parse(const char *s, size_t n, int tokflags, idx_qtree *t, idx_err *err);

/* Free what t owns and leave it empty (root -1).  NULL ok. */
void idx_qtree_fini(idx_qtree *t);

/* ---- growing a tree (the parser and the synonym expansion) ---- */

/* Append a node of this type (no kid, no sibling, the rest zero); *id is its
 * index.  Errors: IDX_ETOOBIG (past 4 * IDX_QUERY_MAX_TERMS nodes),
 * IDX_ENOMEM.  Node pointers taken before the call may move. */
int idx_qtree_add_node(idx_qtree *t, int type, int *id, idx_err *err);

/* Tokenize s[0..n) (QUERY mode, t->tokflags) into a TEXT node of field;
 * *id is its index, or IDX_QTREE_EMPTY when s holds nothing searchable
 * (nothing is added then).  Errors: IDX_ETOOBIG (over IDX_QUERY_MAX_TERMS
 * tokens), IDX_EUTF8, IDX_ENOMEM. */
#define IDX_QTREE_EMPTY (-2)
int idx_qtree_add_text(idx_qtree *t, const char *s, size_t n, int field, int *id, idx_err *err);

/* Drop every node and token (keeping the storage and tokflags): root -1. */
void idx_qtree_clear(idx_qtree *t);

/* (Re)compute t->parts from the tree under t->root.  IDX_OK or IDX_ENOMEM. */
int idx_qtree_set_parts(idx_qtree *t, idx_err *err);

/* ---- rendering ---- */

/* The tree under node id as JSON (the "tree" of explain):
 *   {"type":"text","field":"any"|"title","terms":[...]}
 *   {"type":"filter","field":"source"|"category"|"tag","value":...}
 *   {"type":"date","from":...|null,"to":...|null}
 *   {"type":"and"|"or"|"not","children":[...]}
 * A new reference owned by the caller; NULL when out of memory. */
json_t *idx_qtree_json(const idx_qtree *t, int id);

#endif
